# A gRPC server for test_grpc.sh with python3-grpcio's generic handlers (no generated code,
# messages are bytes): demo.Echo/Sleep sleeps the milliseconds its request names, then
# echoes; demo.Echo/Fail answers NOT_FOUND with a message; demo.Echo/Count streams N
# replies. h2c, or TLS with --tls CERT KEY. Prints "port N" once it serves.
import sys
import time
from concurrent import futures

import grpc


def sleep(req, ctx):
    time.sleep(int(req) / 1000)
    return b"slept " + req


def fail(req, ctx):
    ctx.abort(grpc.StatusCode.NOT_FOUND, "no such thing")


def count(req, ctx):
    for i in range(int(req)):
        yield b"%d" % i


def main():
    handlers = {
        "Sleep": grpc.unary_unary_rpc_method_handler(sleep),
        "Fail": grpc.unary_unary_rpc_method_handler(fail),
        "Count": grpc.unary_stream_rpc_method_handler(count),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("demo.Echo", handlers),))
    if len(sys.argv) > 1 and sys.argv[1] == "--tls":
        with open(sys.argv[2], "rb") as c, open(sys.argv[3], "rb") as k:
            creds = grpc.ssl_server_credentials([(k.read(), c.read())])
        port = server.add_secure_port("127.0.0.1:0", creds)
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print("port", port, flush=True)
    server.wait_for_termination()


main()
