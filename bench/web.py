#!/usr/bin/env python3
"""The --http benchmark (docs/benchmarks.md, "Web page"). Root.

1. CPU: a workload making read(2) calls as fast as it can (bench/workload read N, held
   before its loop), traced with -p by a syscall:read probe with a callback (every call is
   a record), without --http, with --http and no page open, and with one event stream
   read. The tracer's threads' CPU (/proc/PID/task/*/schedstat) from the start of the
   workload's loop until the tracer has read every record: the event loop's thread, and
   the view's own threads (libmicrohttpd's, the SSE ticker, the sessions' reader).
   Records/s: calls over that time. Medians of RUNS runs.
2. Memory: sessions started through the API, each recording CALLS events of
   bench/workload fix; the tracer's RSS with 0, KEEP and 2*KEEP finished sessions started
   (only KEEP are kept: the RSS stops growing).
Prints Markdown rows."""
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

def wait_file(path, regex, secs=60):
    deadline = time.time() + secs
    while time.time() < deadline:
        try:
            with open(path) as f:
                m = re.search(regex, f.read(), re.M)
            if m:
                return m
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"no /{regex}/ in {path}")


def threads_cpu(pid):
    """{tid: (comm, cpu seconds)} of every thread of pid (schedstat: ns, not ticks)."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                ns = int(f.read().split()[0])
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        out[int(tid)] = (comm, ns / 1e9)
    return out


def settle(pid, quiet=0.3):
    """Once pid's threads stopped using CPU for `quiet` seconds (the loop has handed every
    record over): (their CPU, the time it stopped)."""
    last, t_last = threads_cpu(pid), time.time()
    while True:
        time.sleep(0.05)
        now = threads_cpu(pid)
        if sum(c for _, c in now.values()) - sum(c for _, c in last.values()) > 0.002:
            last, t_last = now, time.time()
        elif time.time() - t_last >= quiet:
            return last, t_last


def sse_reader(url, token, stop):
    host, port = re.match(r"http://([^:/]+):(\d+)/", url).groups()
    s = socket.create_connection((host, int(port)))
    s.sendall(f"GET /api/events HTTP/1.1\r\nHost: {host}\r\n"
              f"Authorization: Bearer {token}\r\n\r\n".encode())
    s.settimeout(0.2)
    n = 0
    while not stop.is_set():
        try:
            data = s.recv(1 << 16)
        except socket.timeout:
            continue
        if not data:
            break
        n += data.count(b"\ndata: ")
    s.close()
    stop.count = n


def cpu_run(build, mode, calls, tmp):
    lt, wl = f"{build}/ltrace-ebpf", f"{build}/bench/workload"
    wait, out = f"{tmp}/wait", f"{tmp}/wl.out"
    for p in (wait, out):
        if os.path.exists(p):
            os.unlink(p)
    # held after its loop too (LTB_HOLD): the tracer is measured until it has read every
    # record, which it does in batches after the calls (the ring buffer holds them)
    w = subprocess.Popen([wl, "read", str(calls), out],
                         env=dict(os.environ, LTB_WAIT=wait, LTB_HOLD="1"))
    pid = int(wait_file(wait, r"pid=(\d+)").group(1))
    args = [lt] + (["--http", "127.0.0.1:0"] if mode != "off" else []) + [
        "-p", str(pid), "-E",
        "probe('syscall:read', function(e) end); io.stderr:write('ready\\n')"]
    err = open(f"{tmp}/lt.err", "w+")
    t = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err)
    wait_file(f"{tmp}/lt.err", r"^ready$")
    stop = threading.Event()
    reader = None
    if mode == "sse":
        url = wait_file(f"{tmp}/lt.err", r"^(http://\S+)\?token=(\w+)$")
        reader = threading.Thread(target=sse_reader, args=(url.group(1), url.group(2), stop))
        reader.start()
        time.sleep(0.3)
    before, t0 = threads_cpu(t.pid), time.time()
    os.kill(pid, signal.SIGUSR1)
    wait_file(out, r"ns=(\d+)", 300)
    after, t1 = settle(t.pid)
    stop.set()
    if reader:
        reader.join()
    os.kill(pid, signal.SIGUSR1)
    w.wait()
    t.wait(60)
    secs = t1 - t0
    loop = view = 0.0
    for tid, (comm, cpu) in after.items():
        d = cpu - before.get(tid, (comm, 0.0))[1]
        if tid == t.pid:
            loop += d
        else:
            view += d
    return {"rate": calls / secs, "loop": 100 * loop / secs, "view": 100 * view / secs,
            "streamed": getattr(stop, "count", 0) / secs if reader else 0}


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def api(url, token, path, body=None):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode() if body else None,
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def memory(build, keep, calls, tmp):
    lt, wl, lib = (f"{build}/ltrace-ebpf", f"{build}/bench/workload",
                   f"{build}/bench/libbenchfix.so")
    script = f"{tmp}/session.lua"
    with open(script, "w") as f:
        f.write(f"probe('uprobe:{lib}:bench_fn', function(e) end)\n")
    err = open(f"{tmp}/mem.err", "w+")
    t = subprocess.Popen([lt, "--http", "127.0.0.1:0", "--http-keep", str(keep), "-E",
                          "every('1s', function() end)"], stdout=subprocess.DEVNULL, stderr=err)
    m = wait_file(f"{tmp}/mem.err", r"^(http://\S+)\?token=(\w+)$")
    url, token = m.group(1), m.group(2)
    time.sleep(0.5)
    rows = [(0, rss_kb(t.pid), 0)]
    started = 0
    for target in (keep, 2 * keep):
        while started < target:
            sid = api(url, token, "api/sessions", {"script": script,
                                                   "args": ["--", wl, "fix", str(calls),
                                                            f"{tmp}/fix.out"]})["id"]
            started += 1
            while True:
                ss = [s for s in api(url, token, "api/sessions") if s["id"] == sid]
                if ss and ss[0]["state"] != "running":
                    break
                time.sleep(0.05)
        kept = api(url, token, "api/sessions")
        rows.append((started, rss_kb(t.pid), sum(s["bytes"] for s in kept)))
    t.send_signal(signal.SIGINT)
    t.wait(30)
    return rows


def main():
    ap = benchlib.parser(__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--calls", type=int, default=2000000)
    ap.add_argument("--keep", type=int, default=8)
    ap.add_argument("--session-calls", type=int, default=20000)
    a = ap.parse_args()
    print(benchlib.machine(benchlib.SRC))
    with tempfile.TemporaryDirectory(prefix="lt-bench-web.") as tmp:
        res = {m: [] for m in ("off", "on", "sse")}
        for _ in range(a.runs):
            for mode in res:
                res[mode].append(cpu_run(a.build_dir, mode, a.calls, tmp))
        print("\n| --http | records/s | event loop thread, % of a core | the view's threads, "
              "% of a core | events streamed/s |\n|---|---|---|---|---|")
        names = {"off": "off", "on": "on, no page open", "sse": "on, one event stream read"}
        for mode, runs in res.items():
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print(f"| {names[mode]} | {med['rate']:,.0f} | {med['loop']:.1f} | {med['view']:.2f} "
                  f"| {med['streamed']:,.0f} |")
        rows = memory(a.build_dir, a.keep, a.session_calls, tmp)
        print(f"\n| sessions started (kept: at most {a.keep}) | tracer RSS, MiB | "
              f"events kept, MiB |\n|---|---|---|")
        for started, rss, kept in rows:
            print(f"| {started} | {rss / 1024:.1f} | {kept / 2**20:.1f} |")
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"cpu": res, "memory": rows}, f)


if __name__ == "__main__":
    main()
