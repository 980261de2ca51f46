#!/usr/bin/env python3
"""Reads wrk --latency output on stdin; prints one TSV row:
scenario target round rps p50_us p99_us requests cpu_ticks non2xx errors seconds"""
import re
import sys

scenario, target, rnd, ticks = sys.argv[1:5]
text = sys.stdin.read()
UNITS = {"us": 1.0, "ms": 1000.0, "s": 1e6, "m": 6e7}


def latency(pct):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s|m)\s*$" % pct, text, re.M)
    return float(m.group(1)) * UNITS[m.group(2)] if m else float("nan")


m = re.search(r"^\s+(\d+) requests in ([\d.]+)(us|ms|s|m)", text, re.M)
requests = int(m.group(1)) if m else 0
seconds = float(m.group(2)) * UNITS[m.group(3)] / 1e6 if m else 0.0
m = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
rps = float(m.group(1)) if m else 0.0
m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
non2xx = int(m.group(1)) if m else 0
m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = sum(int(x) for x in m.groups()) if m else 0
if not requests:
    sys.stderr.write("wrk output not understood:\n" + text + "\n")
print("\t".join(str(x) for x in (scenario, target, rnd, rps, latency(50), latency(99), requests, ticks, non2xx,
                                 errors, seconds)))
