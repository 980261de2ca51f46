#!/usr/bin/env python3
"""Summarises the harness's raw TSV (see parse_wrk.py) per scenario and target, with ratios to nginx and the
targets of issue 7."""
import os
import statistics
import sys
from collections import defaultdict

TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")
rows = defaultdict(list)
idle = {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "idle":
        idle[f[1]] = (int(f[6]), int(f[7]), int(f[10]))
        continue
    rows[(f[0], f[1])].append(dict(rps=float(f[3]), p50=float(f[4]), p99=float(f[5]), req=int(f[6]),
                                   ticks=int(f[7]), non2xx=int(f[8]), err=int(f[9]), sec=float(f[10])))


def agg(scenario, target):
    rs = rows.get((scenario, target))
    if not rs:
        return None
    req = sum(r["req"] for r in rs)
    # The range by the same measure as the figure (requests over the harness's seconds): wrk's own req/s divides by
    # its own clock, and a one-round figure could fall outside its own "range".
    per_round = [r["req"] / r["sec"] if r["sec"] > 0 else r["rps"] for r in rs]
    return dict(rps=req / sum(r["sec"] for r in rs),
                rps_min=min(per_round), rps_max=max(per_round),
                p50=statistics.median(r["p50"] for r in rs), p99=statistics.median(r["p99"] for r in rs),
                cpu=sum(r["ticks"] for r in rs) * TICK_US / req if req else float("nan"),
                non2xx=sum(r["non2xx"] for r in rs), err=sum(r["err"] for r in rs), rounds=len(rs))


def ratio(a, b):
    return a / b if b else float("nan")


TITLES = {
    "get1k": "GET 1 KiB, 64 connections",
    "get100k": "GET 100 KiB, 64 connections",
    "onecon": "GET 1 KiB, 1 connection",
    "paced": "GET 1 KiB, 64 connections, each pausing before each request: the same offered load for every target",
    "readonly": "POST to a read-only group, 64 connections (direct = backend GET 1 KiB alone on the proxy CPU)",
    "hosts1": "GET 1 KiB, 64 connections, one Host",
    "hosts1000": "GET 1 KiB, 64 connections, Host rotating over 1,000 names",
    "tls1k": "GET 1 KiB over kept-alive TLS (RSA 2048 certificate), 64 connections",
    "tlsnew": "a new TLS connection per request (full handshake, RSA 2048), 16 at a time: req/s = handshakes/s",
    "h2": "GET 1 KiB over HTTP/2 on TLS (ALPN h2, same certificate), h2load 8 connections x 16 streams",
    "h2c": "GET 1 KiB over cleartext HTTP/2 (prior knowledge), h2load 8 connections x 16 streams",
}
results = {}
for scenario in ["get1k", "get100k", "onecon", "paced", "readonly", "hosts1", "hosts1000", "tls1k", "tlsnew", "h2", "h2c"]:
    targets = [t for t in ["direct", "before", "passerelle", "nginx", "haproxy"] if (scenario, t) in rows]
    if not targets:
        continue
    print(f"== {scenario}: {TITLES[scenario]}")
    print(f"   {'target':<11} {'req/s':>9} {'(min..max)':>17} {'p50 us':>8} {'p99 us':>8} {'CPU us/req':>10}"
          f" {'rps/nginx':>9} {'CPU/nginx':>9} {'non-2xx':>8} {'errors':>6}")
    ng = agg(scenario, "nginx")
    for t in targets:
        a = agg(scenario, t)
        results[(scenario, t)] = a
        cpu = "-" if t == "direct" and scenario != "readonly" else f"{a['cpu']:.1f}"
        print(f"   {t:<11} {a['rps']:9.0f} {a['rps_min']:8.0f}..{a['rps_max']:<8.0f} {a['p50']:8.0f} {a['p99']:8.0f}"
              f" {cpu:>10} {ratio(a['rps'], ng['rps']) if ng else float('nan'):9.2f}"
              f" {ratio(a['cpu'], ng['cpu']) if ng and t != 'direct' else float('nan'):9.2f} {a['non2xx']:8d} {a['err']:6d}")
    if scenario == "onecon" and ("onecon", "direct") in rows:
        d = agg("onecon", "direct")
        added = {t: agg("onecon", t)["p50"] - d["p50"] for t in targets if t != "direct"}
        print("   added p50 latency over direct: " + ", ".join(f"{t} {v:.0f} us" for t, v in added.items()))
    print()

if idle:
    print("== idle: resident memory with idle keep-alive connections (each has served one request)")
    for t, (before, after, n) in idle.items():
        print(f"   {t:<16} {n:6d} connections: RSS {before / 1024:7.1f} MiB before, {after / 1024:7.1f} MiB after,"
              f" +{(after - before) / 1024:6.1f} MiB ({(after - before) * 1024 / max(n, 1):6.0f} B/connection)")
    print()

print("== targets (issue 7)")


def target(name, ok, text):
    print(f"   [{'MET' if ok else 'MISSED':>6}] {name}: {text}")


def get(s, t):
    return results.get((s, t))


for s in ["get1k", "get100k"]:
    p, n = get(s, "passerelle"), get(s, "nginx")
    if p and n:
        r = ratio(p["rps"], n["rps"])
        target(f"{s} req/s >= nginx", r >= 1, f"{r:.2f} x nginx ({p['rps']:.0f} vs {n['rps']:.0f})")
        c = ratio(p["cpu"], n["cpu"])
        target(f"{s} CPU/request <= nginx", c <= 1, f"{c:.2f} x nginx ({p['cpu']:.1f} vs {n['cpu']:.1f} us)")
p, n = get("paced", "passerelle"), get("paced", "nginx")
if p and n:
    c = ratio(p["cpu"], n["cpu"])
    target("paced CPU/request <= nginx (same offered load)", c <= 1,
           f"{c:.2f} x nginx ({p['cpu']:.1f} vs {n['cpu']:.1f} us at {p['rps']:.0f} vs {n['rps']:.0f} req/s)")
if get("onecon", "direct") and get("onecon", "passerelle") and get("onecon", "nginx"):
    d = get("onecon", "direct")["p50"]
    ap, an = get("onecon", "passerelle")["p50"] - d, get("onecon", "nginx")["p50"] - d
    target("added latency at 1 connection <= nginx", ap <= an, f"{ap:.0f} us vs nginx {an:.0f} us (p50 over direct {d:.0f} us)")
if get("readonly", "passerelle") and get("readonly", "direct"):
    p, d = get("readonly", "passerelle"), get("readonly", "direct")
    r = ratio(p["rps"], d["rps"])
    note = "" if p["non2xx"] >= 0.99 * sum(x["req"] for x in rows[("readonly", "passerelle")]) else \
        " -- but Passerelle did not answer the POSTs itself (see non-2xx: the notice path is not in force)"
    target("read-only notice path >= 0.9 x direct backend", r >= 0.9 and not note, f"{r:.2f} x direct{note}")
if get("hosts1000", "passerelle") and get("hosts1", "passerelle"):
    r = ratio(get("hosts1000", "passerelle")["rps"], get("hosts1", "passerelle")["rps"])
    target("1,000 hosts >= 0.95 x one host", r >= 0.95, f"{r:.2f}")
if "passerelle-idle" in idle:
    before, after, n = idle["passerelle-idle"]
    target(f"{n} idle connections < 100 MiB RSS", after / 1024 < 100,
           f"{after / 1024:.0f} MiB total RSS ({(after - before) / 1024:.0f} MiB for the connections)")
