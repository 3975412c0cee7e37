#!/usr/bin/env python3
"""The page's pid filter (test_web_page.sh): a process id typed in probe 0's pid box and
applied reaches the probe's config in the kernel; then calls made on several threads of
that process all pass (none on its main thread: a thread filter would stop them) and a
second process's calls are stopped, as the kernel's per-probe counters say (probe 1, on
the same function without a filter, counts both). Prints "ok WHAT" per check, "FAIL WHAT"
on the first failure (exit 1)."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from cdp import Browser  # noqa: E402
from page_test import Serve, check, probes, wait_probe  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True, help="the URL the tool printed, with its token")
    ap.add_argument("--fifo", required=True, help="the filtered process's commands")
    ap.add_argument("--out", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--fifo2", required=True, help="the other process's commands")
    ap.add_argument("--out2", required=True)
    a = ap.parse_args()
    kept, other = Serve(a.fifo, a.out), Serve(a.fifo2, a.out2)
    b = Browser()
    try:
        check(b.navigate(a.url) == 200, "the page with the token")
        row = "document.querySelector('#probes tr[data-id=\"0\"]')"
        check(b.wait_until(f"{row} !== null", 10) is not None, "the probes are listed")
        b.evaluate(f"""(() => {{
            const tr = {row};
            tr.querySelector('.pid').value = '{a.pid}';
            tr.querySelector('.apply').click(); return true; }})()""")
        p0 = wait_probe(b, 0, lambda p: p["pid"] == a.pid)
        check(p0["pid"] == a.pid and p0["tid"] == 0,
              f"the pid filter set from the page reached the probe: pid {p0['pid']}")
        p1 = probes(b)[1]
        kept.cmd("threads 4 add 5 1 2")	# 20 calls, 5 on each of 4 new threads
        other.cmd("add 7 1 2")
        q1 = wait_probe(b, 1, lambda p: p["hits"] >= p1["hits"] + 27)
        q0 = wait_probe(b, 0, lambda p: p["emitted"] >= p0["emitted"] + 20)
        check(q1["hits"] - p1["hits"] == 27,
              f"the unfiltered probe counted both processes: +{q1['hits'] - p1['hits']}")
        check(q0["hits"] - p0["hits"] == 20 and q0["emitted"] - p0["emitted"] == 20,
              f"in the kernel: every thread of process {a.pid} passed, the other process "
              f"was stopped: hits +{q0['hits'] - p0['hits']}, records "
              f"+{q0['emitted'] - p0['emitted']} of 20")
        b.evaluate(f"""(() => {{
            const tr = {row};
            tr.querySelector('.pid').value = '';
            tr.querySelector('.apply').click(); return true; }})()""")
        c0 = wait_probe(b, 0, lambda p: p["pid"] == 0)
        other.cmd("add 3 1 2")
        r0 = wait_probe(b, 0, lambda p: p["hits"] >= c0["hits"] + 3)
        check(r0["hits"] - c0["hits"] == 3, "the filter cleared: the other process passes again")
    finally:
        b.close()


if __name__ == "__main__":
    main()
