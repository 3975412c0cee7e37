#!/usr/bin/python3
"""Start-up benchmark: time from exec of each shipped tool (scripts/*.lua) to its probes
being attached, and its peak RSS, next to its libbpf-tools and bpftrace counterparts.

Run through bench/startup.sh (builds first). Prints a Markdown report on stdout, progress
on stderr. A counterpart that is missing or fails here is reported as such.

Attached: a BPF probe is live once its attachment exists in the kernel, and every tool
here holds each attachment as a file descriptor (benchlib.ATTACH_FDS). The driver polls the tool's
/proc/PID/fd from its exec until that count has not changed for --settle seconds; the
time of attachment is the first poll at which the count reached its final value. The
event method (trigger the event repeatedly, take the first one the tool reports) checks it
for the tools that print events as they come (--events).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as common  # noqa: E402  (median(), log())
from benchlib import attach_fds, first_child, machine, parser, report_tail  # noqa: E402

log, median = common.log, common.median
LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
PY = "/usr/bin/python3.11"
SBIN = "/usr/sbin"


def counterparts(sleeper):
    """tool -> ([ltrace-ebpf arguments], libbpf-tools argv or None, bpftrace argv or None).
    Function tools trace malloc in one sleeping process (-p), so attaching them does not
    slow the rest of the machine."""
    p = str(sleeper)
    bt = lambda prog: ["bpftrace", "-e", prog]  # noqa: E731
    btp = lambda prog: ["bpftrace", "-p", p, "-e", prog]  # noqa: E731
    lbt = lambda *a: [os.path.join(SBIN, a[0])] + list(a[1:])  # noqa: E731
    sbt = lambda name: ["bpftrace", os.path.join(SBIN, name + ".bt")]  # noqa: E731
    return {
        "opensnoop": ([], lbt("opensnoop"), sbt("opensnoop")),
        "execsnoop": ([], lbt("execsnoop"), sbt("execsnoop")),
        "exitsnoop": ([], lbt("exitsnoop"), None),
        "killsnoop": ([], lbt("killsnoop"), sbt("killsnoop")),
        "syscount": ([], lbt("syscount"), sbt("syscount")),
        "syslat": ([], lbt("syscount", "-L"), None),
        "funccount": (["-p", p, "libc:malloc"], None,
                      btp(f"uprobe:{LIBC}:malloc {{ @[probe] = count(); }}")),
        "funclatency": (["-p", p, "libc:malloc"], lbt("funclatency", "-p", p, "c:malloc"),
                        btp(f"uprobe:{LIBC}:malloc {{ @s[tid] = nsecs; }} uretprobe:{LIBC}:malloc "
                            "/@s[tid]/ { @ = hist(nsecs - @s[tid]); delete(@s[tid]); }")),
        "tcpstates": ([], lbt("tcpstates"), None),
        "tcplife": ([], lbt("tcplife"), sbt("tcplife")),
        "tcpconnect": ([], lbt("tcpconnect"), sbt("tcpconnect")),
        "runqlat": ([], lbt("runqlat"), sbt("runqlat")),
        "biolatency": ([], lbt("biolatency"), sbt("biolatency")),
        "pycalls": ([], None, bt(f"usdt:{PY}:python:function__return {{ @[str(arg1)] = count(); }}")),
        "profile": (["--all"], None, bt("profile:hz:49 { @[ustack, kstack] = count(); }")),
        "offcputime": (["--all"], lbt("offcputime"), None),
        "stackcount": (["-p", p, "libc:malloc"], None,
                       btp(f"uprobe:{LIBC}:malloc {{ @[ustack] = count(); }}")),
        "memleak": (["-p", p], None, None),
    }


def cpu_ns(pid):
    """CPU time the process has used so far, all its threads, kernel time included (the
    verifier runs in the loading process): sum of /proc/PID/task/*/schedstat, in ns."""
    total = 0
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
    except OSError:
        return None
    return total


class Startup:
    def __init__(self, a):
        self.a = a
        self.lt = os.path.join(a.build_dir, "ltrace-ebpf")
        self.workload = os.path.join(a.build_dir, "bench", "workload")
        self.tmp = tempfile.mkdtemp(prefix="ltbu.", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        self.rusage = [self.workload, "rusage", os.path.join(self.tmp, "rusage.out")]
        self.load = [os.getloadavg()[0]]
        self.res = {}   # (tool, impl) -> {"ms": [], "rss": [], "fds": [], "notes": set()}
        self.notes = []
        # --vs BINARY: an older build, its scripts two directories up (BINARY's checkout)
        self.vs_src = os.path.dirname(os.path.dirname(os.path.abspath(a.vs))) if a.vs else None

    def child_of(self, launcher, deadline):
        """The rusage launcher's child (the tool), once it exists."""
        while time.perf_counter() < deadline and launcher.poll() is None:
            kid = first_child(launcher.pid)
            if kid:
                return kid
            time.sleep(0.0002)
        return None

    def one(self, argv):
        """Runs argv until its attachments settle, stops it with SIGINT. Returns
        (ms to attached or None, CPU ms the tool used until then, final attachment count,
        peak RSS KiB, note)."""
        rss_file = self.rusage[2]
        if os.path.exists(rss_file):
            os.unlink(rss_file)
        with tempfile.TemporaryFile() as out:
            t0 = time.perf_counter()
            launcher = subprocess.Popen(self.rusage + argv, stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True,
                                        cwd=self.tmp)  # where the tools' files land
            deadline = t0 + self.a.timeout
            pid = self.child_of(launcher, deadline)
            best, t_best, cpu_best, last_change = 0, None, None, time.perf_counter()
            while pid and time.perf_counter() < deadline:
                n = attach_fds(pid)
                now = time.perf_counter()
                if n is None:
                    break
                # more: still attaching; fewer: a tool detaching or failing, start again
                if n != best:
                    best, t_best, last_change = n, now, now
                    cpu_best = cpu_ns(pid)
                if best and now - last_change >= self.a.settle:
                    break
                time.sleep(0.0005)
            alive = launcher.poll() is None
            if pid and alive:
                try:
                    os.kill(pid, signal.SIGINT)
                except OSError:
                    pass
            try:
                st = launcher.wait(timeout=self.a.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(launcher.pid, signal.SIGKILL)
                st = launcher.wait()
            out.seek(0)
            text = out.read().decode(errors="replace")
        note = ""
        if not alive or not best:
            last = [l for l in text.strip().splitlines() if l.strip()]
            note = f"failed (exit {st}): {last[-1][:140] if last else 'no output'}"
            t_best = None
        try:
            with open(rss_file) as f:
                rss = int(re.search(r"maxrss_kb=(\d+)", f.read()).group(1))
        except (OSError, AttributeError):
            rss = 0
        ms = (t_best - t0) * 1000 if t_best else None
        cpu = cpu_best / 1e6 if t_best and cpu_best is not None else None
        return ms, cpu, best, rss, note

    def plan(self, sleeper):
        rows = []
        table = counterparts(sleeper)
        for tool in self.a.tools:
            lt_args, lb, bt = table[tool]
            script = os.path.join(self.a.src_dir, "scripts", tool + ".lua")
            rows.append((tool, "ltrace-ebpf", [self.lt, script] + lt_args))
            if self.a.vs:
                rows.append((tool, "vs", [self.a.vs, os.path.join(self.vs_src, "scripts", tool + ".lua")]
                             + lt_args))
            if lb and not self.a.no_peers:
                if os.access(lb[0], os.X_OK):
                    rows.append((tool, "libbpf-tools", lb))
                else:
                    self.notes.append(f"{lb[0]} not installed (libbpf-tools): skipped")
            if bt and not self.a.no_peers:
                if shutil.which("bpftrace"):
                    rows.append((tool, "bpftrace", bt))
                else:
                    self.notes.append("bpftrace not installed: skipped")
        return rows

    def measure(self):
        sleeper = subprocess.Popen(["sleep", "100000"])
        try:
            rows = self.plan(sleeper.pid)
            self.rows = rows
            for rep in range(self.a.reps):
                for tool, impl, argv in rows:
                    log(f"[{rep + 1}/{self.a.reps}] {tool} {impl}")
                    r = self.res.setdefault((tool, impl), {"ms": [], "cpu": [], "rss": [], "fds": [],
                                                           "notes": set(), "cmd": argv})
                    ms, cpu, fds, rss, note = self.one(argv)
                    r.setdefault("rep", {})[rep] = (ms, cpu)
                    if ms is not None:
                        r["ms"].append(ms)
                        r["fds"].append(fds)
                        if cpu is not None:
                            r["cpu"].append(cpu)
                    if rss:
                        r["rss"].append(rss)
                    if note:
                        r["notes"].add(note)
                self.load.append(os.getloadavg()[0])
        finally:
            sleeper.kill()
            sleeper.wait()

    # ---- the event method: first event reported ---------------------------------------
    def events(self):
        """For opensnoop, execsnoop and killsnoop: start the tool, make the event every
        --event-period seconds with a unique marker (a file name, a pid, a target pid),
        and take the time of the first marker the tool prints."""
        self.evres = {}
        period = self.a.event_period
        for rep in range(self.a.reps):
            for tool in ("opensnoop", "execsnoop", "killsnoop"):
                impls = [("ltrace-ebpf", [self.lt, os.path.join(self.a.src_dir, "scripts", tool + ".lua")])]
                if self.a.vs:
                    impls.append(("vs", [self.a.vs, os.path.join(self.vs_src, "scripts", tool + ".lua")]))
                if not self.a.no_peers and os.access(os.path.join(SBIN, tool), os.X_OK):
                    impls.append(("libbpf-tools", [os.path.join(SBIN, tool)]))
                for impl, argv in impls:
                    log(f"[{rep + 1}/{self.a.reps}] event {tool} {impl}")
                    ms, note = self.first_event(tool, argv, period)
                    r = self.evres.setdefault((tool, impl), {"ms": [], "notes": set()})
                    if ms is None:
                        r["notes"].add(note)
                    else:
                        r["ms"].append(ms)

    def first_event(self, tool, argv, period):
        marks = {}  # marker text -> trigger time
        outp = os.path.join(self.tmp, "ev.out")
        with open(outp, "w+") as out:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True, cwd=self.tmp)
            seq, found, deadline = 0, None, t0 + self.a.timeout
            try:
                while found is None and time.perf_counter() < deadline and p.poll() is None:
                    seq += 1
                    t = time.perf_counter()
                    if tool == "opensnoop":
                        mark = f"ltbmark{seq}x"
                        try:
                            os.open(os.path.join(self.tmp, mark), os.O_RDONLY)
                        except OSError:
                            pass
                    elif tool == "execsnoop":
                        c = subprocess.Popen(["/bin/true"])
                        mark = str(c.pid)
                        c.wait()
                    else:  # kill(target, 0) on a pid that does not exist: ESRCH
                        mark = str(3000000 + seq)
                        try:
                            os.kill(3000000 + seq, 0)
                        except OSError:
                            pass
                    marks[mark] = t
                    time.sleep(period)
                    out.seek(0)
                    text = out.read()
                    hits = [marks[m] for m in marks if re.search(rf"(?<![\w]){re.escape(m)}(?![\w])", text)]
                    if hits:
                        found = min(hits)
            finally:
                if p.poll() is None:
                    p.send_signal(signal.SIGINT)
                try:
                    p.wait(timeout=self.a.timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
        if found is None:
            return None, f"no marker seen ({seq} triggers)"
        return (found - t0) * 1000, ""

    # ---- report ------------------------------------------------------------------------
    def report_vs(self, p):
        """This build over --vs's, round by round (the two rows ran one after the other)."""
        p("")
        p(f"This build against `{self.a.vs}` (each tool's row of the other build right after this "
          "build's, in every round): exec to attached and CPU ms to attached, this build's over "
          "the other's in the same round, median over rounds (min-max); medians in ms.")
        p("")
        p("| tool | ms this | ms other | ratio | CPU ms this | CPU ms other | CPU ratio |")
        p("|---|---:|---:|---:|---:|---:|---:|")
        for tool in self.a.tools:
            a, b = self.res.get((tool, "ltrace-ebpf")), self.res.get((tool, "vs"))
            if not a or not b:
                continue
            cells = []
            for i in (0, 1):
                pairs = [(a["rep"][k][i], b["rep"][k][i]) for k in a.get("rep", {})
                         if k in b.get("rep", {}) and a["rep"][k][i] and b["rep"][k][i]]
                qs = [x / y for x, y in pairs]
                cells += [f"{median([x for x, _ in pairs]):.1f}" if pairs else "-",
                          f"{median([y for _, y in pairs]):.1f}" if pairs else "-",
                          f"{median(qs):.3f} ({min(qs):.2f}-{max(qs):.2f})" if qs else "-"]
            p(f"| {tool} | {' | '.join(cells)} |")

    def report(self, elapsed):
        a, L = self.a, []
        p = L.append
        p(machine(a.src_dir) + f" Run {time.strftime('%Y-%m-%d %H:%M %Z')}; load average (1 min) at "
          f"start {self.load[0]:.2f}, after each round {' '.join(f'{x:.2f}' for x in self.load[1:])}.")
        p("")
        p(f"Exec to probes attached, ms: median of {a.reps} runs (min-max), tools interleaved round by "
          f"round; from just before the launcher's fork to the first poll of /proc/PID/fd at which the "
          f"tool held its final number of BPF links and perf events (polled every ~0.5 ms until "
          f"unchanged for {a.settle} s; the count is shown as *fds*). *CPU ms*: CPU time the tool "
          "had used by then, all threads, user and kernel (the verifier runs in the loading "
          "process): less sensitive to other load than the wall time. Peak RSS: ru_maxrss of the tool "
          "over the whole run (start-up, idle, report at SIGINT), the largest of the runs. Function "
          "tools trace `malloc` in one `sleep` process (`-p PID`).")
        p("")
        p("| tool | ltrace-ebpf ms | CPU ms | fds | RSS MiB | libbpf-tools ms | CPU ms | fds | RSS MiB "
          "| bpftrace ms | CPU ms | fds | RSS MiB |")
        p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        foot = []
        for tool in a.tools:
            cells = []
            for impl in ("ltrace-ebpf", "libbpf-tools", "bpftrace"):
                r = self.res.get((tool, impl))
                if not r:
                    cells += ["n/a", "", "", ""]
                    continue
                if r["notes"]:
                    foot.append(f"{tool}, {impl} (`{' '.join(os.path.basename(x) if x.startswith('/') and i == 0 else x for i, x in enumerate(r['cmd']))}`): "
                                + "; ".join(sorted(r["notes"])))
                if not r["ms"]:
                    cells += ["failed", "", "", ""]
                    continue
                cells += [f"{median(r['ms']):.1f} ({min(r['ms']):.0f}-{max(r['ms']):.0f})",
                          f"{median(r['cpu']):.1f}" if r["cpu"] else "-",
                          f"{median(r['fds']):.0f}",
                          f"{max(r['rss']) / 1024:.1f}" if r["rss"] else "-"]
            p(f"| {tool} | {' | '.join(cells)} |")
        lt = [(median(r["ms"]), median(r["cpu"]) if r["cpu"] else None)
              for (t, i), r in self.res.items() if i == "ltrace-ebpf" and r["ms"]]
        if lt:
            cpus = [c for _, c in lt if c is not None]
            p("")
            p(f"ltrace-ebpf: slowest tool {max(w for w, _ in lt):.1f} ms (median), "
              f"{sum(w < 50 for w, _ in lt)} of {len(lt)} tools attached in under 50 ms; "
              f"CPU to attach {min(cpus):.1f}-{max(cpus):.1f} ms." if cpus else "")
        if a.vs:
            self.report_vs(p)
        if getattr(self, "evres", None):
            p("")
            p(f"Check by the event method: the event is made every {a.event_period * 1000:.0f} ms "
              "with a unique marker (opensnoop: opening a file named by a sequence number; execsnoop: "
              "exec'ing /bin/true, its pid; killsnoop: kill(PID, 0) on a PID that does not exist) and "
              "the time is that of the first marker the tool prints: attach plus the time to deliver "
              "and print one event, +0 to one period. Median (min-max) ms.")
            p("")
            p("| tool | ltrace-ebpf ms | libbpf-tools ms |" + (" --vs build ms |" if a.vs else ""))
            p("|---|---:|---:|" + ("---:|" if a.vs else ""))
            for tool in ("opensnoop", "execsnoop", "killsnoop"):
                cells = []
                for impl in ("ltrace-ebpf", "libbpf-tools") + (("vs",) if a.vs else ()):
                    r = self.evres.get((tool, impl))
                    if not r:
                        cells.append("n/a")
                    elif not r["ms"]:
                        cells.append("failed: " + "; ".join(sorted(r["notes"])))
                    else:
                        cells.append(f"{median(r['ms']):.1f} ({min(r['ms']):.0f}-{max(r['ms']):.0f})")
                p(f"| {tool} | {' | '.join(cells)} |")
        report_tail(p, self.notes + foot, elapsed)
        return "\n".join(L)


def main():
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tools = list(counterparts(0))
    ap = parser(__doc__)
    ap.add_argument("-r", "--reps", type=int, default=3, help="rounds")
    ap.add_argument("--settle", type=float, default=0.3,
                    help="seconds the attachment count must stay unchanged")
    ap.add_argument("--timeout", type=int, default=20, help="seconds per run")
    ap.add_argument("--tools", default=",".join(tools), help="comma-separated subset of: " + " ".join(tools))
    ap.add_argument("--no-peers", action="store_true", help="ltrace-ebpf only")
    ap.add_argument("--no-events", dest="events", action="store_false", help="skip the event-method check")
    ap.add_argument("--event-period", type=float, default=0.002, help="seconds between triggers")
    ap.add_argument("--vs", metavar="BINARY",
                    help="another ltrace-ebpf (an older commit's build, its scripts/ two directories "
                         "up): its row of each tool right after this build's, and their ratios")
    a = ap.parse_args()
    a.src_dir = src
    a.tools = [t for t in a.tools.split(",") if t]
    bad = [t for t in a.tools if t not in tools]
    if bad:
        sys.exit(f"bench: unknown tool {bad[0]} (known: {' '.join(tools)})")
    if os.geteuid() != 0:
        sys.exit("bench: needs root (BPF)")
    b = Startup(a)
    if not os.access(b.workload, os.X_OK):
        sys.exit(f"bench: {b.workload} missing: cmake --build {a.build_dir} --target bench")
    t0 = time.time()
    try:
        b.measure()
        if a.events:
            b.events()
        print(b.report(time.time() - t0))
        if a.json:
            with open(a.json, "w") as f:
                json.dump({f"{t}/{i}": dict(r, notes=sorted(r["notes"])) for (t, i), r in b.res.items()},
                          f, indent=1)
    finally:
        shutil.rmtree(b.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
