#!/usr/bin/env python3
"""Facts about the request spans otlp_receiver.py recorded, for test_http_trace.sh.

    span_facts.py SPANS TRACE_ID PARENT_ID

The spans come as traces of three: the front's server span (GET /with or /without), its
client span (GET /work) and the back's server span (GET /work). Prints KEY=VALUE lines:
spans, traces; then per trace, named by the front's path and by whether TRACE_ID (the
curl header's) is its trace (`hdr`, `with`, `without`):
  NAME_size       spans in the trace
  NAME_parent     the front server span's parent (empty: a root)
  NAME_tracestate the front server span's traceState
  NAME_linked     1 when client.parent = front server and back.parent = client
  NAME_nested     1 when the client is inside the front server's interval and the back's
                  inside the client's (two processes' syscalls: 5 ms of slack there)
  NAME_attrs      the front server span's method path status kind, the client's kind
and header_trace_is_traffics=1 when the `hdr` trace is TRACE_ID.
"""
import json
import sys

SERVER, CLIENT = 2, 3
SLACK = 5_000_000


def main():
    spans = [json.loads(line) for line in open(sys.argv[1])]
    want_trace = sys.argv[2]
    traces = {}
    for s in spans:
        traces.setdefault(s["traceId"], []).append(s)
    print(f"spans={len(spans)}")
    print(f"traces={len(traces)}")
    for tid, group in sorted(traces.items()):
        front = [s for s in group if s["kind"] == SERVER and s["name"] != "GET /work"]
        client = [s for s in group if s["kind"] == CLIENT]
        back = [s for s in group if s["kind"] == SERVER and s["name"] == "GET /work"]
        if len(front) != 1:
            print(f"odd_trace={tid} {len(group)}")
            continue
        f = front[0]
        name = "hdr" if tid == want_trace else f["name"].split("/")[-1]
        print(f"{name}_size={len(group)}")
        print(f"{name}_parent={f['parentSpanId']}")
        print(f"{name}_tracestate={f['traceState']}")
        linked = (len(client) == 1 and len(back) == 1 and
                  client[0]["parentSpanId"] == f["spanId"] and
                  back[0]["parentSpanId"] == client[0]["spanId"])
        print(f"{name}_linked={int(linked)}")
        if linked:
            c, b = client[0], back[0]
            nested = (f["start"] <= c["start"] and c["end"] <= f["end"] and
                      c["start"] - SLACK <= b["start"] and b["end"] <= c["end"] + SLACK and
                      b["start"] < b["end"])
            print(f"{name}_nested={int(nested)}")
            a = f["attrs"]
            print(f"{name}_attrs={a.get('http.request.method')} {a.get('url.path')} "
                  f"{a.get('http.response.status_code')} {f['kind']} {c['kind']} "
                  f"{c['attrs'].get('server.port')} {f['resource'].get('service.name')}")
    print(f"header_trace_is_traffics={int(want_trace in traces)}")


if __name__ == "__main__":
    main()
