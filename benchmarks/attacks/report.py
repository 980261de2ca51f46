#!/usr/bin/env python3
"""Turns the JSON lines of benchmarks/attacks/run.sh into one Markdown table: attacks as rows, targets as columns."""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
targets = [t for t in ("passerelle", "nginx", "haproxy") if any(r["target"] == t for r in rows)]


def cell(r):
    a = r["attack"]
    probe = f"probes {r['probes_served_pct']} %" if r.get("probes_served_pct") is not None else ""
    rec = r.get("recovery_s")
    rec = f", recovered in {rec} s" if rec is not None else ", **not recovered**" if "recovery_s" in r else ""
    rss = r.get("rss_mib")
    held = r.get("held_2s_after")
    if a == "idle":
        return f"{r['kib_per_connection']} KiB/conn ({r['connections']} conns), RSS {rss[0]} → {rss[1]} MiB"
    if a == "malformed":
        parts = [f"`{k}`: {v['status']}{' **backend saw it**' if v['backend_saw_it'] else ''}"
                 for k, v in r.items() if isinstance(v, dict) and "status" in v]
        return "; ".join(parts)
    text = f"{probe}{rec}; RSS {rss[0]} → {rss[1]} (peak) → {rss[2]} MiB"
    if a == "uploads":
        h = r["held_2s_after_fin"]
        text += f"; 2 s after the FINs: {h['client']} client / {h['backend']} backend sockets held; same address: {r['same_address_get']}"
    elif held:
        text += f"; held 2 s after: {held['client']} client / {held['backend']} backend sockets"
    if a == "fuzz":
        text += (f"; answered {r['answered']}, closed without answer {r['closed_without_answer']}, stuck {r['stuck']}"
                 + (f", refused {r['refused']}" if r.get("refused") else ""))
    if a == "slowread":
        text += f"; {r['connections']} attack connections"
    return text


print("| attack | " + " | ".join(targets) + " |")
print("|---|" + "---|" * len(targets))
for a in ("slowread", "uploads", "slowpost", "idle", "fuzz", "malformed"):
    by = {r["target"]: r for r in rows if r["attack"] == a}
    if by:
        print(f"| {a} | " + " | ".join(cell(by[t]) if t in by else "–" for t in targets) + " |")
