# pipelined.py PORT BATCHES N: BATCHES times N GET /index.html requests sent in one write
# (pipelined: the server reads them at once), each batch's N responses read before the
# next, on keep-alive connections of 100 batches (nginx closes one after 1000 requests);
# prints the requests made and answered.
import socket
import sys


def more(sock):
    data = sock.recv(65536)
    if not data:
        sys.exit("pipelined.py: the server closed the connection")
    return data


def responses(sock, buf, n):
    """Reads n responses (Content-Length bodies); returns what is left of buf."""
    for _ in range(n):
        while b"\r\n\r\n" not in buf:
            buf += more(sock)
        head, buf = buf.split(b"\r\n\r\n", 1)
        length = int(next(l.split(b":")[1] for l in head.split(b"\r\n")
                          if l.lower().startswith(b"content-length:")))
        while len(buf) < length:
            buf += more(sock)
        buf = buf[length:]
    return buf


def main():
    port, batches, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    req = b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    for i in range(batches):
        if i % 100 == 0:
            sock = socket.create_connection(("127.0.0.1", port))
            buf = b""
        sock.sendall(req * n)
        buf = responses(sock, buf, n)
    print("made", batches * n)


main()
