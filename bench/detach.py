#!/usr/bin/python3
"""Detach benchmark: how long each tracer takes to take N uprobe sites down, from the
SIGINT that ends it to its exit (every probe gone), ltrace-ebpf next to bpftrace.

Run through bench/detach.sh (builds first). Prints a Markdown report on stdout, progress
on stderr. Every tracer probes one sleeping process (-p), so the probes cost the rest of
the machine nothing while attached; the sites are libc's str* functions (the same glob for
both tools), for ltrace-ebpf the ltrace front end's -c on python3.11's PLT stubs, and
python3.11's USDT locations (usdt:python3.11:python:*) for both tools, ltrace-ebpf's also
on the older kernels' path (LTRACE_EBPF_NO_UPROBE_MULTI=1: libbpf's classic link per
location, what every kernel got before).
A run is ready when its attachment count has not changed for --settle seconds
(benchlib.wait_attached); its detach is SIGINT -> exit, the end-of-run printing of a
count included (a few lines).
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as common  # noqa: E402  (median(), log())
from benchlib import attach_fds, machine, parser, report_tail, wait_attached  # noqa: E402

log, median = common.log, common.median
LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
PY = "/usr/bin/python3.11"


def all_attached(p, out, timeout):
    """For bpftrace: waits until it holds as many attachments as the probes it announced
    ("Attaching N probes..."): it attaches them one by one, slowly enough that a pause
    can look settled, and a SIGINT before the last one is lost."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline and p.poll() is None:
        out.seek(0)
        m = re.search(rb"Attaching (\d+) probes", out.read())
        if m and (attach_fds(p.pid) or 0) >= int(m.group(1)):
            return True
        time.sleep(0.01)
    return False


def detach_once(argv, settle, timeout, announced, env=None):
    """(seconds from SIGINT to exit, the tool's output) of one run, or (None, why)."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                             env=dict(os.environ, **env) if env else None)
        try:
            ready = all_attached(p, out, timeout) if announced else True
            if not ready or not wait_attached(p.pid, settle, timeout):
                p.kill()
                p.wait()
                out.seek(0)
                return None, "did not attach: " + out.read().decode(errors="replace")[-200:]
            t0 = time.perf_counter()
            p.send_signal(signal.SIGINT)
            p.wait(timeout=timeout)
            took = time.perf_counter() - t0
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return None, f"not gone {timeout} s after SIGINT"
        out.seek(0)
        return took, out.read().decode(errors="replace")


def lt_sites(lt, spec):
    """How many sites ltrace-ebpf's glob has (its -l listing)."""
    text = subprocess.run([lt, "-l", spec], capture_output=True, text=True).stdout
    return len([l for l in text.splitlines() if ":" in l and not l.startswith("ltrace-ebpf")])


def plt_stubs(path):
    """How many PLT stubs (JUMP_SLOT relocations) the executable has."""
    text = subprocess.run(["readelf", "-rW", path], capture_output=True, text=True).stdout
    return text.count("JUMP_SLOT")


def usdt_locations(path):
    """How many USDT locations (notes) the file has."""
    text = subprocess.run(["readelf", "-n", path], capture_output=True, text=True).stdout
    return text.count("NT_STAPSDT")


def measure(a, notes):
    lt = os.path.join(a.build_dir, "ltrace-ebpf")
    sleeper = subprocess.Popen(["sleep", "100000"])
    py = subprocess.Popen([PY, "-c", "import time; time.sleep(100000)"])
    time.sleep(0.2)  # python3.11 past its start-up: its PLT stubs are mapped
    s, q = str(sleeper.pid), str(py.pid)
    glob = f"uprobe:{LIBC}:str* {{ @c = count(); }}"
    usdt = f"usdt:{PY}:python:*"
    usdt_lt = ["-E", f'probe("{usdt}", {{agg = "count"}})']
    classic = {"LTRACE_EBPF_NO_UPROBE_MULTI": "1"}
    rows = [
        ("ltrace-ebpf", f"ltrace-ebpf -p PID -E 'probe(\"libc:str*\", {{agg = \"count\"}})'",
         [lt, "-p", s, "-E", 'probe("libc:str*", {agg = "count"})'], lt_sites(lt, "libc:str*"),
         a.reps, None),
        ("ltrace-ebpf", "ltrace-ebpf -c -p PID (python3.11's PLT, paired calls)",
         [lt, "-c", "-o", "/dev/null", "-p", q], plt_stubs(PY), a.reps, None),
        ("ltrace-ebpf", f"ltrace-ebpf -p PID -E 'probe(\"{usdt}\", ...)' (one uprobe_multi link)",
         [lt, "-p", q] + usdt_lt, usdt_locations(PY), a.reps, None),
        ("ltrace-ebpf", f"LTRACE_EBPF_NO_UPROBE_MULTI=1 ltrace-ebpf -p PID -E 'probe(\"{usdt}\", ...)' "
         "(a classic link per location, as before)",
         [lt, "-p", q] + usdt_lt, usdt_locations(PY), a.reps, classic),
        ("bpftrace", f"bpftrace -p PID -e '{glob}'", ["bpftrace", "-p", s, "-e", glob], None,
         0 if a.no_bpftrace else 1, None),
        ("bpftrace", f"bpftrace -p PID -e '{usdt} {{ @c = count(); }}'",
         ["bpftrace", "-p", q, "-e", f"{usdt} {{ @c = count(); }}"], None,
         0 if a.no_bpftrace else 1, None),
    ]
    res = []
    try:
        for tool, cmd, argv, n, reps, env in rows:
            took = []
            for i in range(reps):
                log(f"detach {tool} [{i + 1}/{reps}]")
                t, text = detach_once(argv, a.settle, a.timeout, tool == "bpftrace", env)
                if t is None:
                    notes.append(f"{cmd}: {text}")
                    continue
                took.append(t)
                m = re.search(r"Attaching (\d+) probes", text)
                if m:
                    n = int(m.group(1))
            if took:
                res.append({"tool": tool, "cmd": cmd, "sites": n, "runs": len(took),
                            "ms": median(took) * 1000, "max_ms": max(took) * 1000})
    finally:
        for p in (sleeper, py):
            p.kill()
            p.wait()
    return res


def report(res, a, elapsed, notes):
    p = print
    p("### Detach: SIGINT to exit with every probe gone")
    p("")
    p(machine(a.src_dir))
    p("")
    p("| tool, command (PID: a sleeping process) | sites | runs | detach ms (median) | max ms "
      "| ms per site | x ltrace-ebpf's glob |")
    p("|---|---|---|---|---|---|---|")
    ref = next((r["ms"] for r in res if r["tool"] == "ltrace-ebpf"), None)
    for r in res:
        per = f"{r['ms'] / r['sites']:.2f}" if r["sites"] else ""
        ratio = f"{r['ms'] / ref:.1f}" if ref else ""
        p(f"| `{r['cmd']}` | {r['sites'] or '?'} | {r['runs']} | {r['ms']:.0f} | "
          f"{r['max_ms']:.0f} | {per} | {ratio} |")
    report_tail(p, notes, elapsed)


def main():
    ap = parser(__doc__)
    ap.add_argument("-r", "--reps", type=int, default=5, help="runs per ltrace-ebpf row")
    ap.add_argument("--settle", type=float, default=0.5,
                    help="seconds the attachment count must stay unchanged")
    ap.add_argument("--timeout", type=int, default=120, help="seconds per run")
    ap.add_argument("--no-bpftrace", action="store_true",
                    help="skip bpftrace (its detach of ~100 sites takes 15-20 s)")
    a = ap.parse_args()
    a.src_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.geteuid() != 0:
        sys.exit("bench: needs root (BPF)")
    notes = []
    if not a.no_bpftrace and not subprocess.run(["sh", "-c", "command -v bpftrace"],
                                                capture_output=True).stdout:
        notes.append("bpftrace is not installed: its row is missing")
        a.no_bpftrace = True
    t0 = time.time()
    res = measure(a, notes)
    report(res, a, time.time() - t0, notes)


if __name__ == "__main__":
    main()
