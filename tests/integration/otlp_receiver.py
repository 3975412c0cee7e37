#!/usr/bin/env python3
"""A small OTLP/HTTP JSON receiver for the tests (no collector is packaged in Debian 12).

    otlp_receiver.py --port-file F --spans F --violations F [--log F]
                     [--status CODE --fail-first N] [--delay SECS] [--times F]

Listens on 127.0.0.1 (a free port, written to --port-file once listening), takes
POST /v1/traces, checks every field of the body against OTLP's JSON encoding of
ExportTraceServiceRequest (opentelemetry/proto/collector/trace/v1, the proto3 JSON mapping
with OTLP's exceptions: lowerCamelCase keys only, trace and span ids as hex, enums as
integers, 64-bit integers as decimal strings) and appends each span, flattened with its
resource's attributes, as one JSON line to --spans. Anything that breaks the mapping is a
line in --violations (and a 400). --log gets one line per request: "STATUS SPANS".

--status CODE --fail-first N answers CODE (429, 503 ...) to the first N requests (N = -1:
to all of them) without recording their spans; --delay SECS sleeps before every answer
(a slow receiver). --times gets "START END SPANS" per accepted request (CLOCK_MONOTONIC
seconds, from the request's arrival to its answer: bench/otlp.sh's spans/s).
"""
import argparse
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEX32 = re.compile(r"^[0-9a-f]{32}$")
HEX16 = re.compile(r"^[0-9a-f]{16}$")
INT64 = re.compile(r"^-?[0-9]+$")
UINT64 = re.compile(r"^[0-9]+$")

REQUEST_KEYS = {"resourceSpans"}
RESOURCE_SPANS_KEYS = {"resource", "scopeSpans", "schemaUrl"}
RESOURCE_KEYS = {"attributes", "droppedAttributesCount"}
SCOPE_SPANS_KEYS = {"scope", "spans", "schemaUrl"}
SCOPE_KEYS = {"name", "version", "attributes", "droppedAttributesCount"}
SPAN_KEYS = {"traceId", "spanId", "traceState", "parentSpanId", "flags", "name", "kind",
             "startTimeUnixNano", "endTimeUnixNano", "attributes", "droppedAttributesCount",
             "events", "droppedEventsCount", "links", "droppedLinksCount", "status"}
STATUS_KEYS = {"code", "message"}
ANY_VALUE_KEYS = {"stringValue", "boolValue", "intValue", "doubleValue", "arrayValue",
                  "kvlistValue", "bytesValue"}


class Violation(Exception):
    pass


def need(cond, what):
    if not cond:
        raise Violation(what)


def keys_in(obj, allowed, where):
    need(isinstance(obj, dict), f"{where}: not an object")
    extra = set(obj) - allowed
    need(not extra, f"{where}: keys not in the mapping: {sorted(extra)}")


def any_value(v, where):
    keys_in(v, ANY_VALUE_KEYS, where)
    need(len(v) == 1, f"{where}: an AnyValue has exactly one field, not {sorted(v)}")
    (kind, x), = v.items()
    if kind == "stringValue":
        need(isinstance(x, str), f"{where}: stringValue not a string")
    elif kind == "boolValue":
        need(isinstance(x, bool), f"{where}: boolValue not a boolean")
    elif kind == "intValue":	# int64: a decimal string in the proto3 JSON mapping
        need(isinstance(x, str) and INT64.match(x), f"{where}: intValue {x!r} not a decimal string")
        need(-2**63 <= int(x) < 2**63, f"{where}: intValue out of int64")
    elif kind == "doubleValue":
        need(isinstance(x, (int, float)) and not isinstance(x, bool), f"{where}: doubleValue")
    return x


def attributes(lst, where):
    need(isinstance(lst, list), f"{where}: attributes not a list")
    out = {}
    for i, kv in enumerate(lst):
        keys_in(kv, {"key", "value"}, f"{where}[{i}]")
        need(isinstance(kv.get("key"), str) and kv["key"], f"{where}[{i}]: key")
        need(kv["key"] not in out, f"{where}: duplicate key {kv['key']}")
        out[kv["key"]] = any_value(kv.get("value"), f"{where}[{i}].value")
    return out


def unix_nanos(x, where):
    need(isinstance(x, str) and UINT64.match(x), f"{where}: {x!r} not a decimal string")
    v = int(x)
    need(abs(v - time.time_ns()) < 86400 * 10**9, f"{where}: {v} is not within a day of now")
    return v


def span(s, where):
    keys_in(s, SPAN_KEYS, where)
    need(isinstance(s.get("traceId"), str) and HEX32.match(s["traceId"]) and
         s["traceId"] != "0" * 32, f"{where}: traceId {s.get('traceId')!r}")
    need(isinstance(s.get("spanId"), str) and HEX16.match(s["spanId"]) and
         s["spanId"] != "0" * 16, f"{where}: spanId {s.get('spanId')!r}")
    if "parentSpanId" in s:	# absent or empty for a root
        p = s["parentSpanId"]
        need(p == "" or (isinstance(p, str) and HEX16.match(p) and p != "0" * 16),
             f"{where}: parentSpanId {p!r}")
    need(isinstance(s.get("name"), str) and s["name"], f"{where}: name")
    kind = s.get("kind", 0)
    need(isinstance(kind, int) and not isinstance(kind, bool) and 0 <= kind <= 5,
         f"{where}: kind {kind!r} is not a SpanKind integer")
    start = unix_nanos(s.get("startTimeUnixNano"), f"{where}.startTimeUnixNano")
    end = unix_nanos(s.get("endTimeUnixNano"), f"{where}.endTimeUnixNano")
    need(start <= end, f"{where}: ends before it starts")
    attrs = attributes(s.get("attributes", []), f"{where}.attributes")
    need(isinstance(s.get("traceState", ""), str), f"{where}: traceState not a string")
    status = s.get("status", {})
    keys_in(status, STATUS_KEYS, f"{where}.status")
    code = status.get("code", 0)
    need(isinstance(code, int) and not isinstance(code, bool) and 0 <= code <= 2,
         f"{where}.status.code {code!r} is not a StatusCode integer")
    return {"traceId": s["traceId"], "spanId": s["spanId"],
            "parentSpanId": s.get("parentSpanId", ""), "name": s["name"], "kind": kind,
            "start": start, "end": end, "duration": end - start, "attrs": attrs,
            "status": code, "message": status.get("message"),
            "traceState": s.get("traceState", "")}


def request(body):
    keys_in(body, REQUEST_KEYS, "request")
    need(isinstance(body.get("resourceSpans"), list), "resourceSpans not a list")
    out = []
    for i, rs in enumerate(body["resourceSpans"]):
        w = f"resourceSpans[{i}]"
        keys_in(rs, RESOURCE_SPANS_KEYS, w)
        keys_in(rs.get("resource", {}), RESOURCE_KEYS, w + ".resource")
        res = attributes(rs.get("resource", {}).get("attributes", []), w + ".resource.attributes")
        for k in ("service.name", "host.name"):
            need(isinstance(res.get(k), str) and res[k], f"{w}: resource {k} missing")
        need(isinstance(rs.get("scopeSpans"), list), f"{w}.scopeSpans not a list")
        for j, ss in enumerate(rs["scopeSpans"]):
            keys_in(ss, SCOPE_SPANS_KEYS, f"{w}.scopeSpans[{j}]")
            keys_in(ss.get("scope", {}), SCOPE_KEYS, f"{w}.scopeSpans[{j}].scope")
            need(isinstance(ss.get("spans"), list), f"{w}.scopeSpans[{j}].spans")
            for k, s in enumerate(ss["spans"]):
                rec = span(s, f"{w}.scopeSpans[{j}].spans[{k}]")
                rec["resource"] = res
                out.append(rec)
    return out


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"	# keep-alive, as an exporter expects

    def log_message(self, *args):
        pass

    def answer(self, code, body=b"{}"):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        srv = self.server
        t0 = time.monotonic()
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with srv.lock:
            srv.requests += 1
            nth = srv.requests
        if srv.opts.delay:
            time.sleep(srv.opts.delay)
        try:
            need(self.path == "/v1/traces", f"path {self.path}")
            need(self.headers.get("Content-Type", "").split(";")[0] == "application/json",
                 f"Content-Type {self.headers.get('Content-Type')!r}")
            spans = request(json.loads(data))
        except (Violation, ValueError) as e:
            with srv.lock:
                srv.violations.write(f"{e}\n")
                srv.violations.flush()
                srv.log.write(f"400 0\n")
                srv.log.flush()
            return self.answer(400, json.dumps({"error": str(e)}).encode())
        o = srv.opts
        code = o.status if o.status and (o.fail_first < 0 or nth <= o.fail_first) else 200
        with srv.lock:
            if code == 200:
                for s in spans:
                    srv.spans.write(json.dumps(s) + "\n")
                srv.spans.flush()
            srv.log.write(f"{code} {len(spans)}\n")
            srv.log.flush()
        self.answer(code)
        if srv.times and code == 200:
            with srv.lock:
                srv.times.write(f"{t0:.6f} {time.monotonic():.6f} {len(spans)}\n")
                srv.times.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--spans", required=True)
    ap.add_argument("--violations", required=True)
    ap.add_argument("--log", default="/dev/null")
    ap.add_argument("--status", type=int, default=0)
    ap.add_argument("--fail-first", type=int, default=-1)
    ap.add_argument("--delay", type=float, default=0)
    ap.add_argument("--times")
    opts = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.opts = opts
    srv.lock = threading.Lock()
    srv.requests = 0
    srv.spans = open(opts.spans, "a")
    srv.violations = open(opts.violations, "a")
    srv.log = open(opts.log, "a")
    srv.times = open(opts.times, "a") if opts.times else None
    with open(opts.port_file + ".tmp", "w") as f:
        f.write(f"{srv.server_address[1]}\n")
    import os
    os.rename(opts.port_file + ".tmp", opts.port_file)	# whole, once listening
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
