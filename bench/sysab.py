#!/usr/bin/env python3
"""A/B of syscall tracers by the time inside their BPF programs: each LABEL=COMMAND runs
`COMMAND -- workload read N OUT` (a tracer that starts its target, such as ltrace-ebpf or
sysfloor), the workload held before and after its loop; the tracer's programs' run_time_ns
over the loop, / N, per program and in total. Configurations alternate round by round, so
two builds of ltrace-ebpf compare under the same load. Root.

  bench/sysab.py -r 9 before='/tmp/old/ltrace-ebpf -E PROBE' after='build/ltrace-ebpf -E PROBE'
"""
import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import bpf_stats_on, prog_stats  # noqa: E402


def wait_for(path, pattern, proc, timeout=30):
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(path) as f:
                m = re.search(pattern, f.read())
            if m:
                return m
        except OSError:
            pass
        if proc.poll() is not None:
            return None
        time.sleep(0.005)
    return None


def prog_names(ids):
    names = {}
    for i in ids:
        try:
            out = subprocess.run(["bpftool", "prog", "show", "id", str(i), "-j"],
                                 capture_output=True, text=True, check=True).stdout
            names[i] = json.loads(out).get("name", str(i))
        except (OSError, subprocess.CalledProcessError, ValueError):
            names[i] = str(i)
    return names


def run(argv, workload, n, tmp):
    """{program name: BPF ns per read} over one loop of n reads, or None."""
    wait, out = os.path.join(tmp, "wait"), os.path.join(tmp, "out")
    for p in (wait, out):
        if os.path.exists(p):
            os.unlink(p)
    env = dict(os.environ, LTB_WAIT=wait, LTB_HOLD="1")
    t = subprocess.Popen(argv + ["--", workload, "read", str(n), out], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        m = wait_for(wait, r"pid=(\d+)", t)
        if not m:
            return None
        pid = int(m.group(1))
        before = prog_stats(t.pid)
        os.kill(pid, signal.SIGUSR1)
        if not wait_for(out, r"ns=\d+", t):
            return None
        after = prog_stats(t.pid)
        names = prog_names(after)
        os.kill(pid, signal.SIGUSR1)
        return {names[k]: (after[k][1] - before.get(k, (0, 0))[1]) / n for k in after
                if after[k][0] > before.get(k, (0, 0))[0]}
    finally:
        try:
            t.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(t.pid, signal.SIGKILL)
            t.wait()


def median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-r", "--rounds", type=int, default=9)
    ap.add_argument("-n", type=int, default=200000, help="read() calls per run")
    ap.add_argument("--build-dir", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("configs", nargs="+", metavar="LABEL=COMMAND")
    a = ap.parse_args()
    workload = os.path.join(a.build_dir, "bench", "workload")
    cfgs = [(c.split("=", 1)[0], shlex.split(c.split("=", 1)[1])) for c in a.configs]
    res = {label: [] for label, _ in cfgs}
    load = [os.getloadavg()[0]]
    notes = []
    with tempfile.TemporaryDirectory(prefix="ltab.") as tmp, bpf_stats_on(notes) as on:
        if not on:
            sys.exit("; ".join(notes))
        for _ in range(a.rounds):
            for label, argv in cfgs:
                r = run(argv, workload, a.n, tmp)
                if r:
                    res[label].append(r)
            load.append(os.getloadavg()[0])
    print(f"load average {min(load):.2f}-{max(load):.2f}; {a.rounds} rounds of N = {a.n:,}; "
          "BPF ns per read, median over rounds (lowest)")
    for label, runs in res.items():
        progs = sorted({k for r in runs for k in r})
        total = [sum(r.values()) for r in runs]
        parts = " ".join(f"{p} {median([r.get(p, 0) for r in runs]):.0f}" for p in progs)
        print(f"{label}: {median(total):.0f} ({min(total, default=0):.0f})  {parts}")


if __name__ == "__main__":
    main()
