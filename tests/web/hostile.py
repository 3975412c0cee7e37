#!/usr/bin/env python3
"""Hostile clients for test_web_security.sh.
  jwt KEYFILE EXP_SECONDS [ALG]  a JWT signed HS256 with the key (ALG none: unsigned),
                                 expiring EXP_SECONDS from now (negative: already expired)
  slow HOST PORT N SECS          N connections at once, each sending half a request line
                                 and then nothing; prints "connected", then how many the
                                 server closed within SECS ("closed K of N")
  stall HOST PORT TOKEN          an event stream that is never read (small receive
                                 buffer); prints "open" once the server answered, then
                                 holds it until stdin closes; prints "closed" or "held"
"""
import base64
import hashlib
import hmac
import json
import select
import socket
import sys
import time


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(keyfile, exp, alg="HS256"):
    key = open(keyfile, "rb").read().rstrip(b" \t\r\n")
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": "test", "exp": int(time.time()) + int(exp)}).encode())
    if alg == "none":
        return f"{head}.{body}."
    sig = hmac.new(key, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def slow(host, port, n, secs):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect((host, port))
        except BlockingIOError:
            pass
        socks.append(s)
    time.sleep(0.2)
    for s in socks:
        try:
            s.send(b"GET / HTT")
        except OSError:
            pass	# already closed by the server: counted below
    print("connected", flush=True)
    closed, open_ = 0, set(socks)
    deadline = time.time() + secs
    while open_ and time.time() < deadline:
        r, _, _ = select.select(list(open_), [], [], 0.2)
        for s in r:
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                closed += 1
                open_.discard(s)
                s.close()
            # an answer (408, 431...) before the close: wait for the close itself
    for s in open_:
        s.close()
    print(f"closed {closed} of {n}", flush=True)


def stall(host, port, token):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((host, port))
    s.sendall(f"GET /api/events HTTP/1.1\r\nHost: {host}\r\n"
              f"Authorization: Bearer {token}\r\n\r\n".encode())
    head = s.recv(64)	# the status line: then never read again
    print("open" if head.startswith(b"HTTP/1.1 200") else "refused", flush=True)
    sys.stdin.read()	# until the test closes our stdin
    # has the server dropped us? Drain what is buffered: a close shows as EOF.
    s.setblocking(False)
    state = "held"
    try:
        while True:
            data = s.recv(1 << 20)
            if not data:
                state = "closed"
                break
    except (BlockingIOError, ConnectionResetError) as e:
        state = "closed" if isinstance(e, ConnectionResetError) else "held"
    print(state, flush=True)


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "jwt":
        print(jwt(*args))
    elif cmd == "slow":
        slow(args[0], int(args[1]), int(args[2]), float(args[3]))
    elif cmd == "stall":
        stall(args[0], int(args[1]), args[2])
