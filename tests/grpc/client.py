# A gRPC client for test_grpc*.sh: client.py PORT [--tls CERT] [--traceparent TP] CALL...
# (--traceparent: each call sends it as metadata, as OpenTelemetry's gRPC propagator would), where CALL is
# Sleep:MS, Fail or Count:N, made in order on one channel, or Pause:FILE (waits until FILE
# exists: the test starts a tracer meanwhile, on a connection already open). Prints per call
# "call METHOD CODE ms" on stderr (its own view; stdout is left to the tracer).
import os
import sys
import time

import grpc


def main():
    port, args = sys.argv[1], sys.argv[2:]
    target = "127.0.0.1:" + port
    if args[:1] == ["--tls"]:
        with open(args[1], "rb") as f:
            creds = grpc.ssl_channel_credentials(root_certificates=f.read())
        # the certificate is made for "localhost"
        channel = grpc.secure_channel(target, creds,
                                      options=(("grpc.ssl_target_name_override", "localhost"),))
        args = args[2:]
    else:
        channel = grpc.insecure_channel(target)
    metadata = None
    if args[:1] == ["--traceparent"]:
        metadata = (("traceparent", args[1]),)
        args = args[2:]
    grpc.channel_ready_future(channel).result(timeout=60)	# a loaded machine: slow
    for call in args:
        name, _, arg = call.partition(":")
        if name == "Pause":
            print("paused", file=sys.stderr, flush=True)
            while not os.path.exists(arg):
                time.sleep(0.01)
            continue
        path = "/demo.Echo/" + name
        t = time.monotonic()
        code = "OK"
        try:
            if name == "Count":
                list(channel.unary_stream(path)(arg.encode(), metadata=metadata))
            else:
                channel.unary_unary(path)(arg.encode(), metadata=metadata)
        except grpc.RpcError as e:
            code = e.code().name
        print("call", path, code, "%.1f" % ((time.monotonic() - t) * 1000), file=sys.stderr,
              flush=True)
    channel.close()


main()
