#!/usr/bin/env python3
"""Facts about HTTP/2 and gRPC request spans otlp_receiver.py recorded, for test_grpc_trace.sh.

    span_facts.py SPANS

Each request is a client span (kind 3) and a server span (kind 2) named "METHOD /path".
Prints KEY=VALUE lines: spans, traces; then per request M (the path's last part, non-word
characters as "_"):
  M_spans    its spans
  M_linked   1 when there is one client and one server span, the server's parent is the
             client span and both have the same trace id
  M_trace    the client span's trace id, M_parent its parent span id (empty: a root)
  M_server_trace   the server span's trace id
  M_rpc      rpc.system rpc.service rpc.method of the client span, then the server's
  M_status   rpc.grpc.status_code of the client span and of the server's, and each span's
             status code (OTLP: 0 unset, 2 error)
"""
import json
import re
import sys

SERVER, CLIENT = 2, 3


def main():
    spans = [json.loads(line) for line in open(sys.argv[1])]
    print(f"spans={len(spans)}")
    print(f"traces={len({s['traceId'] for s in spans})}")
    reqs = {}
    for s in spans:
        reqs.setdefault(re.sub(r"\W", "_", s["name"].split("/")[-1]), []).append(s)
    for m, group in sorted(reqs.items()):
        client = [s for s in group if s["kind"] == CLIENT]
        server = [s for s in group if s["kind"] == SERVER]
        print(f"{m}_spans={len(group)}")
        if len(client) != 1 or len(server) != 1:
            continue
        c, sv = client[0], server[0]
        linked = sv["parentSpanId"] == c["spanId"] and sv["traceId"] == c["traceId"]
        print(f"{m}_linked={int(linked)}")
        print(f"{m}_trace={c['traceId']}")
        print(f"{m}_parent={c['parentSpanId']}")
        print(f"{m}_server_trace={sv['traceId']}")
        rpc = [f"{x['attrs'].get('rpc.system')} {x['attrs'].get('rpc.service')} "
               f"{x['attrs'].get('rpc.method')}" for x in (c, sv)]
        print(f"{m}_rpc={' '.join(rpc)}")
        print(f"{m}_status={c['attrs'].get('rpc.grpc.status_code')} "
              f"{sv['attrs'].get('rpc.grpc.status_code')} {c['status']} {sv['status']}")


if __name__ == "__main__":
    main()
