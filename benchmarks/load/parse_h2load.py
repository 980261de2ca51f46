#!/usr/bin/env python3
"""Reads h2load output on stdin and its --log-file (one line per request: start time, status, microseconds to the
end of the response); prints one TSV row like parse_wrk.py:
scenario target round rps p50_us p99_us requests cpu_ticks non2xx errors seconds"""
import re
import sys

scenario, target, rnd, ticks, log = sys.argv[1:6]
text = sys.stdin.read()

m = re.search(r"^finished in ([\d.]+)(ms|s), ([\d.]+) req/s", text, re.M)
seconds = (float(m.group(1)) / (1000.0 if m.group(2) == "ms" else 1.0)) if m else 0.0
rps = float(m.group(3)) if m else 0.0
m = re.search(r"^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, "
              r"(\d+) timeout", text, re.M)
done = int(m.group(3)) if m else 0
errors = (int(m.group(5)) + int(m.group(6)) + int(m.group(7))) if m else 0
m = re.search(r"^status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", text, re.M)
non2xx = (int(m.group(2)) + int(m.group(3)) + int(m.group(4))) if m else 0

times = []
with open(log) as f:
    for line in f:
        parts = line.split("\t")
        if len(parts) >= 3:
            times.append(int(parts[2]))
times.sort()


def pct(p):
    return float(times[min(len(times) - 1, int(len(times) * p / 100.0))]) if times else float("nan")


if not done:
    sys.stderr.write("h2load output not understood:\n" + text + "\n")
print("\t".join(str(x) for x in (scenario, target, rnd, rps, pct(50), pct(99), done, ticks, non2xx, errors, seconds)))
