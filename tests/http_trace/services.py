#!/usr/bin/env python3
"""The two services of test_http_trace.sh, threaded python3 HTTP servers on loopback:

    services.py front PORT BACK_PORT READY_FILE
    services.py back PORT SLEEP_MS READY_FILE

front: per request, calls the back service with urllib on the thread serving it (as a
WSGI app would) and answers the back's body. GET /with: the back call carries the
traceparent this request came with (propagated); any other path: it carries none.
back: python's http.server answering every GET with a short body after SLEEP_MS (so its
span has a length of its own inside its caller's).
READY_FILE is made once the server listens.
"""
import sys
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROLE, PORT, ARG, READY = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]


def front_body(handler):
    headers = {}
    if handler.path.startswith("/with") and handler.headers.get("traceparent"):
        headers["traceparent"] = handler.headers["traceparent"]
    req = urllib.request.Request(f"http://127.0.0.1:{ARG}/work", headers=headers)
    with urllib.request.urlopen(req) as resp:
        return resp.read()


def back_body(handler):
    time.sleep(ARG / 1000)
    return b"done\n"


class Service(BaseHTTPRequestHandler):
    body = staticmethod(front_body if ROLE == "front" else back_body)

    def do_GET(self):
        body = self.body(self)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", PORT), Service)
open(READY, "w").close()
server.serve_forever()
