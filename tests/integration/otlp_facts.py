#!/usr/bin/env python3
"""Facts about the spans otlp_receiver.py recorded, as KEY=VALUE lines for the tests.

    otlp_facts.py SPANS [NAME]      only the spans named NAME when given

spans, roots (no parent), traces, orphans (a parent that is not among the spans),
nested_ok (1 when every child is in its parent's trace, on its thread, and inside its
interval), depth_max (the longest parent chain), trace_sizes, durations_us (sorted),
names, services, pids, returns (ltrace.return of the roots, sorted).
"""
import json
import sys


def main():
    spans = [json.loads(line) for line in open(sys.argv[1])]
    if len(sys.argv) > 2:
        spans = [s for s in spans if s["name"] == sys.argv[2]]
    by_id = {s["spanId"]: s for s in spans}
    roots = [s for s in spans if not s["parentSpanId"]]
    orphans = [s for s in spans if s["parentSpanId"] and s["parentSpanId"] not in by_id]
    nested_ok = 1
    depth_max = 0
    for s in spans:
        depth, cur = 1, s
        while cur["parentSpanId"] in by_id:
            p = by_id[cur["parentSpanId"]]
            if (p["traceId"] != cur["traceId"] or p["start"] > cur["start"] or
                    p["end"] < cur["end"] or
                    p["attrs"].get("thread.id") != cur["attrs"].get("thread.id")):
                nested_ok = 0
            depth, cur = depth + 1, p
        depth_max = max(depth_max, depth)
    traces = {}
    for s in spans:
        traces[s["traceId"]] = traces.get(s["traceId"], 0) + 1

    def line(key, values):
        print(f"{key}={' '.join(str(v) for v in values)}")

    print(f"spans={len(spans)}")
    print(f"roots={len(roots)}")
    print(f"traces={len(traces)}")
    print(f"orphans={len(orphans)}")
    print(f"nested_ok={nested_ok}")
    print(f"depth_max={depth_max}")
    line("trace_sizes", sorted(traces.values()))
    line("durations_us", sorted(s["duration"] // 1000 for s in spans))
    line("names", sorted({s["name"] for s in spans}))
    line("services", sorted({s["resource"]["service.name"] for s in spans}))
    line("pids", sorted({s["resource"].get("process.pid", "") for s in spans}))
    line("returns", sorted(int(s["attrs"].get("ltrace.return", 0)) for s in roots))
    line("root_parents", sorted({s["parentSpanId"] for s in orphans}))
    line("trace_ids", sorted(traces))


if __name__ == "__main__":
    main()
