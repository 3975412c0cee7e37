#!/usr/bin/env python3
"""syslat_client.py PORT CONNS REQS [HOLD]: CONNS connections to lt_sysserve on 127.0.0.1:PORT
at once, each making REQS requests in turn ("GET\\n", answered "OK\\n"), so the server makes
exactly CONNS * REQS requests on CONNS threads. Prints done=N (the requests answered); with
HOLD, keeps the connections (and so the server's threads) open until the file HOLD exists."""
import os
import socket
import sys
import threading
import time

port, conns, reqs = (int(a) for a in sys.argv[1:4])
hold = sys.argv[4] if len(sys.argv) > 4 else None
answered = []
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(conns)]


def run(s):
    f = s.makefile("rb")
    for _ in range(reqs):
        s.sendall(b"GET\n")
        if f.readline() == b"OK\n":
            answered.append(1)


threads = [threading.Thread(target=run, args=(s,)) for s in socks]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"done={len(answered)}", flush=True)
while hold and not os.path.exists(hold):
    time.sleep(0.01)
for s in socks:
    s.close()
