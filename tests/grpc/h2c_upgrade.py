# An HTTP/1.1 server that switches to HTTP/2 on "Upgrade: h2c" (RFC 7540 3.2, with
# python3-h2) for test_grpc.sh: the request that asked is answered on stream 1 in HTTP/2,
# later ones on their own streams. /sleep/MS sleeps MS milliseconds, then answers 200
# "slept"; any other path is 404. Requests without the upgrade get HTTP/1.1 answers.
# Prints "port N" once it listens; one connection at a time.
import socket
import time

import h2.config
import h2.connection
import h2.events


def answer(path):
    if path.startswith("/sleep/"):
        time.sleep(int(path[len("/sleep/"):]) / 1000)
        return 200, b"slept"
    return 404, b"no such thing"


def h2_reply(conn, sock, stream, path):
    status, body = answer(path)
    conn.send_headers(stream, [(":status", str(status)), ("content-length", str(len(body)))])
    conn.send_data(stream, body, end_stream=True)
    sock.sendall(conn.data_to_send())


def serve(sock):
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            return
        head += chunk
    lines = head.split(b"\r\n\r\n", 1)[0].decode().split("\r\n")
    path = lines[0].split()[1]
    headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
    if headers.get("upgrade", "").lower() != "h2c":
        status, body = answer(path)
        sock.sendall(b"HTTP/1.1 %d x\r\nContent-Length: %d\r\n\r\n%s" % (status, len(body), body))
        return
    sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
    conn.initiate_upgrade_connection(headers.get("http2-settings", "").encode())
    sock.sendall(conn.data_to_send())
    h2_reply(conn, sock, 1, path)
    while True:
        data = sock.recv(65536)
        if not data:
            return
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.RequestReceived):
                h2_reply(conn, sock, ev.stream_id, dict(ev.headers)[b":path"].decode())
            elif isinstance(ev, h2.events.ConnectionTerminated):
                sock.sendall(conn.data_to_send())
                return
        sock.sendall(conn.data_to_send())


def main():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    print("port", srv.getsockname()[1], flush=True)
    while True:
        sock, _ = srv.accept()
        try:
            serve(sock)
        except OSError:
            pass
        sock.close()


main()
