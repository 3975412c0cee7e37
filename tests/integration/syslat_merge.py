#!/usr/bin/env python3
"""syslat_merge.py FILE: syslat's -j -i reports in FILE (its "record" lines, docs/json.md) merged into one object of the same
shape (counts and times summed by syscall, category, pid and tid; the request latency's
avg_ns recomputed, p50/p99 the largest seen), so that a test can check what a whole
session saw without racing the interval boundaries."""
import json
import sys

reps = [o for o in map(json.loads, open(sys.argv[1])) if o.get("type") == "record"]


def merge(lists, key):
    out = {}
    for rows in lists:
        for r in rows:
            m = out.setdefault(r[key], dict(r, count=0, total_ns=0))
            m["count"] += r["count"]
            m["total_ns"] += r["total_ns"]
    return list(out.values())


m = {"reports": len(reps),
     "hotspots": merge((r.get("hotspots", []) for r in reps), "syscall"),
     "categories": merge((r.get("categories", []) for r in reps), "category")}
for part, key in (("processes", "pid"), ("threads", "tid")):
    if any(part in r for r in reps):
        m[part] = merge((r.get(part, []) for r in reps), key)
qs = [r["requests"] for r in reps if "requests" in r]
if qs:
    n = sum(q["count"] for q in qs)
    total = sum(q["latency"]["total_ns"] for q in qs)
    m["requests"] = {
        "count": n, "per_s": max(q["per_s"] for q in qs),
        "latency": {"count": n, "total_ns": total, "avg_ns": total // n if n else 0,
                    "p50_ns": max(q["latency"]["p50_ns"] for q in qs),
                    "p99_ns": max(q["latency"]["p99_ns"] for q in qs)},
        "categories": merge((q.get("categories", []) for q in qs), "category"),
        "syscalls": merge((q.get("syscalls", []) for q in qs), "syscall")}
print(json.dumps(m))
