#!/usr/bin/env python3
"""Drives the --http page in headless chromium (test_web_page.sh):
  1. the page is refused without the token (401) and loads with it (cookie set);
  2. a fixture's calls appear in the live event list within a second;
  3. a filter set on the page (comm) stops the probe in the kernel: its hits and records
     do not move while an unfiltered probe on the same function counts the calls; cleared,
     records flow again;
  4. a session started from the page (a script attached to a second fixture with -p),
     stopped from the page, exported: the NDJSON parses and holds the exact call count.
Prints "ok WHAT" per check, "FAIL WHAT" on the first failure (exit 1)."""
import argparse
import json
import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from cdp import Browser  # noqa: E402


class Serve:
    """An ltfix_serve fed through its fifo; a command returns once it acknowledged."""

    def __init__(self, fifo, out):
        self.fifo = open(fifo, "w", buffering=1)
        self.out = out
        self.acks = self.count()

    def count(self):
        with open(self.out) as f:
            return sum(1 for line in f if line.startswith(("ok", "error")))

    def cmd(self, line):
        self.fifo.write(line + "\n")
        self.acks += 1
        deadline = time.time() + 30
        while self.count() < self.acks:
            if time.time() > deadline:
                raise RuntimeError(f"ltfix_serve did not acknowledge '{line}'")
            time.sleep(0.01)


def check(ok, what):
    if not ok:
        print("FAIL " + what, flush=True)
        sys.exit(1)
    print("ok " + what, flush=True)


def probes(b):
    return {p["id"]: p for p in b.evaluate("fetch('/api/probes').then(r => r.json())")}


def wait_probe(b, pid, pred, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        p = probes(b)[pid]
        if pred(p):
            return p
        time.sleep(0.05)
    return probes(b)[pid]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True, help="the URL the tool printed, with its token")
    ap.add_argument("--fifo", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fifo2", required=True)
    ap.add_argument("--out2", required=True)
    ap.add_argument("--pid2", required=True)
    ap.add_argument("--script", required=True, help="the session's script")
    ap.add_argument("--calls", type=int, default=37)
    ap.add_argument("--shot", required=True)
    a = ap.parse_args()
    base = a.url.split("?")[0]
    serve, serve2 = Serve(a.fifo, a.out), Serve(a.fifo2, a.out2)
    b = Browser()
    try:
        status = b.navigate(base)
        check(status == 401, f"the page without the token: {status}")
        status = b.navigate(a.url)
        check(status == 200, f"the page with the token: {status}")
        check(b.evaluate("document.title") == "ltrace-ebpf", "it is the page")
        check(b.wait_until("document.getElementById('conn').textContent === 'live'", 10)
              is not None, "the event stream is open")
        check(b.evaluate("document.cookie") == "", "the cookie is HttpOnly (not readable)")

        evs = "document.querySelectorAll('#events li[data-probe=\"0\"]').length"
        before = b.evaluate(evs)
        serve.cmd("add 3 1 2")
        took = b.wait_until(f"{evs} >= {before + 3}", 1.0)
        check(took is not None, f"3 calls in the DOM within a second ({b.evaluate(evs) - before} seen)")

        b.wait_until("document.querySelector('#probes tr[data-id=\"0\"]') !== null", 5)
        b.evaluate("""(() => {
            const tr = document.querySelector('#probes tr[data-id="0"]');
            tr.querySelector('.comm').value = 'nomatch';
            tr.querySelector('.apply').click(); return true; })()""")
        p0 = wait_probe(b, 0, lambda p: p["comm"] == "nomatch")
        check(p0["comm"] == "nomatch", "the comm filter set from the page reached the probe")
        shown = b.evaluate(evs)
        other0 = probes(b)[2]
        serve.cmd("add 4 1 2")
        # probe 2 (same function, no filter) sees the calls: then probe 0's counters are read
        other1 = wait_probe(b, 2, lambda p: p["hits"] >= other0["hits"] + 4)
        p1 = probes(b)[0]
        check(other1["hits"] - other0["hits"] == 4 and p1["hits"] == p0["hits"] and
              p1["emitted"] == p0["emitted"],
              f"filtered in the kernel: 4 calls (an unfiltered probe's hits "
              f"+{other1['hits'] - other0['hits']}), the filtered probe's hits "
              f"+{p1['hits'] - p0['hits']}, records +{p1['emitted'] - p0['emitted']}")
        check(b.evaluate(evs) == shown, "no filtered call reached the page")
        b.evaluate("""(() => {
            const tr = document.querySelector('#probes tr[data-id="0"]');
            tr.querySelector('.comm').value = '';
            tr.querySelector('.apply').click(); return true; })()""")
        wait_probe(b, 0, lambda p: p["comm"] == "")
        serve.cmd("add 2 1 2")
        p2 = wait_probe(b, 0, lambda p: p["emitted"] >= p1["emitted"] + 2)
        check(p2["emitted"] - p1["emitted"] == 2, "the filter cleared: records flow again")

        b.evaluate(f"""(() => {{
            document.getElementById('kind').value = 'script';
            document.getElementById('what').value = {json.dumps(a.script)};
            document.getElementById('args').value = '-p {a.pid2}';
            document.getElementById('start-btn').click(); return true; }})()""")
        row = "document.querySelector('#sessions tr[data-id=\"1\"]')"
        check(b.wait_until(f"{row} && {row}.textContent.includes('ready')", 30) is not None,
              "a session started from the page attached")
        serve2.cmd(f"add {a.calls} 1 2")
        got = b.wait_until(f"{row} && {row}.children[3].textContent === '{a.calls}'", 15)
        check(got is not None, f"the session counted {a.calls} events")
        b.evaluate(f"{row}.querySelector('button.stop').click()")
        check(b.wait_until(f"{row} && {row}.dataset.state === 'stopped'", 15) is not None,
              "the session stopped from the page")
        href = b.evaluate(f"{row}.querySelector('a.export').getAttribute('href')")
        text = b.evaluate(f"fetch({json.dumps(href)}).then(r => r.text())")
        lines = [json.loads(x) for x in text.splitlines()]
        mine = [e for e in lines if e.get("type") == "event" and e.get("rec") == "call" and
                e.get("func") == "ltfix_add" and e.get("pid") == int(a.pid2)]
        check(len(lines) == a.calls and len(mine) == a.calls,
              f"the export parses: {len(lines)} lines, {len(mine)} ltfix_add calls of the fixture")
        # --json's event lines (docs/json.md), not an encoding of the page's own
        schema = {"type", "ts_ns", "probe", "probe_id", "kind", "rec", "func", "pid", "tid",
                  "cpu", "comm", "held", "duration_ns", "args", "ret"}
        check(all(set(e) == schema and e["args"][:2] == [1, 2] for e in mine),
              "the export's lines are the NDJSON schema's events")
        b.evaluate("window.scrollTo(0, 0)")
        b.screenshot(a.shot)
        check(True, "screenshot " + a.shot)
    finally:
        b.close()


if __name__ == "__main__":
    main()
