#!/usr/bin/python3
"""Syscall benchmark: what a per-syscall latency histogram adds to each read() of a
read-heavy workload, for ltrace-ebpf, bpftrace, libbpf-tools' syscount -L and BCC's
syscount, against empty BPF programs on the three kinds of syscall hook.

Run through bench/syscalls.sh (builds first). Prints a Markdown report on stdout, progress
on stderr. A tracer that is missing or does not work here is skipped with a note.
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
import run as common  # noqa: E402  (the uprobe driver: run(), median(), log())
from benchlib import bpf_stats_on, first_child, machine, parser, prog_stats, report_tail, wait_attached  # noqa: E402

log, median = common.log, common.median

BT_RAW = ("tracepoint:raw_syscalls:sys_enter /pid == cpid && args->id == 0/ "
          "{ @start[tid] = nsecs; } "
          "tracepoint:raw_syscalls:sys_exit /@start[tid]/ "
          "{ @h = hist(nsecs - @start[tid]); delete(@start[tid]); }")
BT_READ = ("tracepoint:syscalls:sys_enter_read /pid == cpid/ { @start[tid] = nsecs; } "
           "tracepoint:syscalls:sys_exit_read /@start[tid]/ "
           "{ @h = hist(nsecs - @start[tid]); delete(@start[tid]); }")
LT_HIST = 'probe("syscall:read", {agg = "hist", of = "duration"})'
# Reads a traced run may see besides the loop's: ld.so reading ELF headers (2 here) when
# the tracer attaches before exec.
EXTRA_READS = 8


class Config:
    """One benchmark configuration. mode 'cmd': argv(n, out) runs the workload itself;
    'pid': argv() is a tracer attached with -p PID to a workload held before its loop,
    released once the tracer's attachments are in place, stopped with SIGINT."""

    def __init__(self, key, label, group, argv, check=None, mode="cmd"):
        self.key, self.label, self.group, self.argv = key, label, group, argv
        self.check, self.mode = check, mode


class SysBench:
    def __init__(self, a):
        self.a = a
        bdir = os.path.join(a.build_dir, "bench")
        self.workload = os.path.join(bdir, "workload")
        self.sysfloor = os.path.join(bdir, "sysfloor")
        self.lt = os.path.join(a.build_dir, "ltrace-ebpf")
        self.scripts = os.path.join(a.src_dir, "scripts")
        self.tmp = tempfile.mkdtemp(prefix="ltbs.", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        self.notes = []
        self.load = [os.getloadavg()[0]]
        self.res = {}
        self.stats = {}

    # ---- configurations ----------------------------------------------------------------
    def wl(self, n, out):
        return [self.workload, "read", str(n), out]

    def configs(self):
        c = [Config("untraced", "untraced", "base", self.wl)]
        floors = [("read", "empty syscalls:sys_enter_read + sys_exit_read tracepoints"),
                  ("raw_syscalls", "empty raw_syscalls:sys_enter + sys_exit tracepoints"),
                  ("raw_tp", "empty raw tracepoints sys_enter + sys_exit"),
                  ("tp_btf", "empty BTF tracepoints (tp_btf) sys_enter + sys_exit")]
        if os.access(self.sysfloor, os.X_OK):
            for kind, label in floors:
                c.append(Config(f"floor_{kind}", label, "floor",
                                lambda n, out, k=kind: [self.sysfloor, k, "--"] + self.wl(n, out)))
            c.append(Config("bound_hist", "hand-written minimal read() latency histogram (raw "
                            "tracepoints, task storage, two clock reads, per-CPU array)", "bound",
                            lambda n, out: [self.sysfloor, "hist", "--"] + self.wl(n, out)))
        else:
            self.notes.append(f"{self.sysfloor} missing: no floors")
        if os.access(self.lt, os.X_OK):
            c.append(Config("lt_hist", f"ltrace-ebpf `{LT_HIST}`", "ltrace-ebpf",
                            lambda n, out: [self.lt, "-E", LT_HIST, "--"] + self.wl(n, out), "hist"))
            c.append(Config("lt_syslat", "ltrace-ebpf scripts/syslat.lua (hist per syscall, syscall:*)",
                            "ltrace-ebpf",
                            lambda n, out: [self.lt, os.path.join(self.scripts, "syslat.lua"), "-j",
                                            "--"] + self.wl(n, out), "syslat"))
            c.append(Config("lt_syscount", "ltrace-ebpf scripts/syscount.lua -L (count + total time per syscall)",
                            "ltrace-ebpf",
                            lambda n, out: [self.lt, os.path.join(self.scripts, "syscount.lua"), "-L",
                                            "--"] + self.wl(n, out), "syscount"))
        else:
            self.notes.append(f"{self.lt} missing: no ltrace-ebpf rows")
        if self.a.vs:
            c = self.with_vs(c)
        if shutil.which("bpftrace") and not self.a.vs:
            for key, prog, what in (("bt_raw", BT_RAW, "raw_syscalls:sys_enter/sys_exit, `args->id == 0`"),
                                    ("bt_read", BT_READ, "syscalls:sys_enter_read/sys_exit_read")):
                c.append(Config(key, f"bpftrace {what}, `@start[tid]`, `hist()`", "bpftrace",
                                lambda n, out, p=prog: ["bpftrace", "-e", p, "-c",
                                                        " ".join(self.wl(n, out))], "hist"))
        else:
            self.notes.append("bpftrace not found: its rows are skipped")
        for key, label, exe in (("libbpf_syscount", "libbpf-tools `syscount -L -p PID`", "/usr/sbin/syscount"),
                                ("bcc_syscount", "BCC `syscount-bpfcc -L -p PID`", "/usr/sbin/syscount-bpfcc")):
            if self.a.vs:
                continue
            if not os.access(exe, os.X_OK):
                self.notes.append(f"{exe} not found ({label}): skipped")
                continue
            if key == "bcc_syscount" and not self.bcc_works(exe):
                continue
            c.append(Config(key, label, key.split("_")[0], lambda e=exe: [e, "-L"], "syscount",
                            mode="pid"))
        if self.a.only:
            keep = set(self.a.only.split(",")) | {"untraced"}
            c = [x for x in c if x.key in keep or x.key.removesuffix("_vs") in keep]
        return c

    def with_vs(self, cfgs):
        """--vs BINARY: each ltrace-ebpf row again with the other build (its own scripts/,
        two directories up from BINARY), right after the same row of this build."""
        vs_scripts = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(self.a.vs))), "scripts")
        out = []
        for cfg in cfgs:
            out.append(cfg)
            if cfg.group != "ltrace-ebpf":
                continue
            def argv(n, o, f=cfg.argv):
                return [self.a.vs if x == self.lt else x.replace(self.scripts, vs_scripts) for x in f(n, o)]
            out.append(Config(cfg.key + "_vs", cfg.label + f" ({self.a.vs})", "vs", argv, cfg.check))
        return out

    def bcc_works(self, exe):
        """BCC compiles its programs against kernel headers at start: check it can here."""
        p = subprocess.Popen([exe, "-d", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)
        try:
            out, err = p.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            self.notes.append(f"{exe} -d 1 did not finish in 30 s: BCC rows skipped")
            return False
        r = subprocess.CompletedProcess(p.args, p.returncode, out, err)
        if r.returncode == 0:
            return True
        lines = (r.stderr + "\n" + r.stdout).splitlines()
        why = [l.strip() for l in lines if "kernel headers" in l][:1] + \
              [l.strip() for l in lines if l.startswith("Exception")][:1]
        self.notes.append(f"BCC's syscount does not run on this kernel (exit {r.returncode}: "
                          f"{'; '.join(why[:2]) or r.stderr.strip()[-160:]}): skipped")
        return False

    # ---- one run -------------------------------------------------------------------------
    def run_once(self, cfg, n):
        """Returns (loop ns, loop CPU ns, tracer output, peak RSS KiB, exit status) or None."""
        out = os.path.join(self.tmp, "loop.out")
        if os.path.exists(out):
            os.unlink(out)
        if cfg.mode == "cmd":
            wall, st, text, rss = common.run(cfg.argv(n, out), timeout=self.a.timeout)
        else:
            st, text, rss = self.run_pid(cfg, n, out)
        try:
            with open(out) as f:
                line = f.read()
            return (int(re.search(r"\bns=(\d+)", line).group(1)),
                    int(re.search(r"\bcpu_ns=(\d+)", line).group(1)), text, rss, st)
        except (OSError, AttributeError):
            return None, None, text, rss, st

    def start_held(self, n, out, hold_after=False):
        """Starts the workload held before its loop (LTB_WAIT); returns (Popen, pid)."""
        wait = os.path.join(self.tmp, "wait.pid")
        if os.path.exists(wait):
            os.unlink(wait)
        env = dict(os.environ, LTB_WAIT=wait, **({"LTB_HOLD": "1"} if hold_after else {}))
        w = subprocess.Popen(self.wl(n, out), env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        pid = self.wait_file(wait, r"pid=(\d+)", w)
        return w, int(pid) if pid else None

    def wait_file(self, path, pattern, proc, timeout=None):
        deadline = time.time() + (timeout or self.a.timeout)
        while time.time() < deadline and proc.poll() is None:
            try:
                with open(path) as f:
                    m = re.search(pattern, f.read())
                if m:
                    return m.group(1) if m.groups() else m.group(0)
            except OSError:
                pass
            time.sleep(0.005)
        return None

    def attached(self, proc, pid=None):
        """Waits for the tracer (process pid, else proc's) to hold its attachments (its
        output is no sign: libbpf-tools print "Tracing..." to a buffered stdout)."""
        deadline = time.time() + self.a.timeout
        while pid is None and time.time() < deadline and proc.poll() is None:
            pid = first_child(proc.pid)
            time.sleep(0.001)
        return pid is not None and wait_attached(pid, 0.3, self.a.timeout)

    def start_pid_tracer(self, cfg, pid, logf):
        """Starts a -p PID tracer under the rusage launcher; returns (launcher, ready?)."""
        launcher = subprocess.Popen(common.RUSAGE + cfg.argv() + ["-p", str(pid)], stdout=logf,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        return launcher, self.attached(launcher)

    def stop_pid_tracer(self, launcher):
        """SIGINT to the tracer itself (the launcher's child), so the launcher survives to
        report its peak RSS."""
        kid = first_child(launcher.pid)
        if kid:
            os.kill(kid, signal.SIGINT)
        try:
            return launcher.wait(timeout=self.a.timeout)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
            launcher.wait()
            return -1

    def run_pid(self, cfg, n, out):
        rss_file = common.RUSAGE[2]
        if os.path.exists(rss_file):
            os.unlink(rss_file)
        w, pid = self.start_held(n, out)
        logpath = os.path.join(self.tmp, "tracer.out")
        with open(logpath, "w+") as logf:
            if pid is None:
                w.kill()
                w.wait()
                return -1, "workload did not start", 0
            launcher, ready = self.start_pid_tracer(cfg, pid, logf)
            os.kill(pid, signal.SIGUSR1)
            try:
                w.wait(timeout=self.a.timeout)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait()
            st = self.stop_pid_tracer(launcher)
            logf.seek(0)
            text = logf.read()
        if not ready:
            text += "\n(tracer never attached)"
        try:
            with open(rss_file) as f:
                rss = int(re.search(r"maxrss_kb=(\d+)", f.read()).group(1))
        except (OSError, AttributeError):
            rss = 0
        return st, text, rss

    def check(self, kind, text, n):
        """Did the tracer see every read of the loop? Returns a note, or ''."""
        if kind == "hist":
            got = sum(int(x) for x in re.findall(r"^\[[^)]*\)\s+(\d+) \|", text, re.M)) or None
        elif kind == "syscount":
            m = re.search(r"^read\s+(\d+)", text, re.M)
            got = int(m.group(1)) if m else None
        elif kind == "syslat":
            try:
                # the report's line (a record line since --json's schema; a bare object before)
                line = next(l for l in text.splitlines() if '"hotspots"' in l)
                rep = json.loads(line[line.index("{"):])
                got = next(h["count"] for h in rep["hotspots"] if h["syscall"] == "read")
            except (StopIteration, ValueError, KeyError):
                got = None
        else:
            return ""
        if got is None:
            return "no read count in the output"
        if not n <= got <= n + EXTRA_READS:
            return f"saw {got} reads, expected {n} (+ up to {EXTRA_READS} before main)"
        return ""

    # ---- interleaved rounds ---------------------------------------------------------------
    def overhead(self, cfgs):
        n = self.a.n
        for rep in range(self.a.reps):
            for cfg in cfgs:
                log(f"[{rep + 1}/{self.a.reps}] {cfg.key}")
                r = self.res.setdefault(cfg.key, {"rep": {}, "rss": [], "notes": set()})
                ns, cpu, text, rss, st = self.run_once(cfg, n)
                if ns is None:
                    last = text.strip().splitlines()[-1][:160] if text.strip() else ""
                    r["notes"].add(f"failed (exit {st}) {last}")
                    continue
                r["rep"][rep] = {"ns": ns, "cpu": cpu}
                r["rss"].append(rss)
                note = self.check(cfg.check, text, n)
                if note:
                    r["notes"].add(note)
            self.load.append(os.getloadavg()[0])

    # ---- BPF program time -------------------------------------------------------------------
    def bpf_stats(self, cfgs):
        """One run per BPF configuration with run-time statistics on: the workload holds
        before and after its loop, and the tracer's programs' run_cnt/run_time_ns are read
        at both points: the difference is the loop's (plus other processes' syscalls in the
        same 0.1 s, which the hooks that fire for every syscall also count)."""
        with bpf_stats_on(self.notes) as on:
            for cfg in cfgs:
                if on and cfg.group != "base":
                    log(f"bpf_stats {cfg.key}")
                    runs = [r for r in (self.stats_run(cfg) for _ in range(self.a.stats_reps))
                            if r and r["runs"]]
                    # the run with the median BPF time per read
                    self.stats[cfg.key] = sorted(runs, key=lambda r: r["ns"])[len(runs) // 2] if runs else None

    def stats_run(self, cfg):
        n = self.a.n
        out = os.path.join(self.tmp, "stats.out")
        if os.path.exists(out):
            os.unlink(out)
        procs, res = [], None
        logf = open(os.path.join(self.tmp, "stats_tracer.out"), "w+")
        try:
            if cfg.mode == "cmd":
                wait = os.path.join(self.tmp, "wait.pid")
                if os.path.exists(wait):
                    os.unlink(wait)
                env = dict(os.environ, LTB_WAIT=wait, LTB_HOLD="1")
                t = subprocess.Popen(cfg.argv(n, out), env=env, stdout=logf, stderr=subprocess.STDOUT,
                                     start_new_session=True)
                procs.append(t)
                pid = self.wait_file(wait, r"pid=(\d+)", t)
                pid = int(pid) if pid else None
                with open(f"/proc/{pid}/stat") as f:  # the tracer is the workload's parent
                    tracer = int(f.read().rsplit(")", 1)[1].split()[1])
            else:
                w, pid = self.start_held(n, out, hold_after=True)
                procs.append(w)
                t = subprocess.Popen(cfg.argv() + ["-p", str(pid)], stdout=logf,
                                     stderr=subprocess.STDOUT, start_new_session=True)
                procs.append(t)
                self.attached(t, t.pid)
                tracer = t.pid
            before = prog_stats(tracer)
            os.kill(pid, signal.SIGUSR1)
            self.wait_file(out, r"ns=\d+", procs[0])
            after = prog_stats(tracer)
            os.kill(pid, signal.SIGUSR1)
            d = [(after[k][0] - before.get(k, (0, 0))[0], after[k][1] - before.get(k, (0, 0))[1])
                 for k in after]
            d = [x for x in d if x[0] > 0]
            res = {"n": n, "runs": sum(x[0] for x in d), "ns": sum(x[1] for x in d),
                   "progs": len(d)}
        except (OSError, ValueError, TypeError, IndexError) as e:
            log(f"bpf_stats {cfg.key}: {e}")
        finally:
            if cfg.mode == "pid" and len(procs) > 1:
                procs[1].send_signal(signal.SIGINT)
            for p in procs:
                try:
                    p.wait(timeout=self.a.timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
            logf.close()
        return res

    # ---- report -------------------------------------------------------------------------------
    def added(self, key, rep, w):
        """ns added per read in round rep, clock w, or None."""
        x = self.res.get(key, {}).get("rep", {}).get(rep)
        b = self.res.get("untraced", {}).get("rep", {}).get(rep)
        return None if not x or not b else (x[w] - b[w]) / self.a.n

    def med_added(self, key, w):
        return median([v for v in (self.added(key, i, w) for i in range(self.a.reps)) if v is not None])

    def ratio(self, key, floor, w):
        """Median over rounds of this configuration's added ns / the floor's in the same round."""
        qs = []
        for i in range(self.a.reps):
            x, f = self.added(key, i, w), self.added(floor, i, w)
            if x is not None and f and f > 0:
                qs.append(x / f)
        return median(qs)

    def report_vs(self, cfgs, p):
        """This build over --vs's, per round (the two ran one after the other), median."""
        p("")
        p(f"This build against `{self.a.vs}`: added ns/read of this build over the other's in "
          "the same round, median over rounds (min-max); BPF ns/read likewise from the BPF "
          "time pass when it ran.")
        p("")
        p("| configuration | CPU ratio | wall ratio | BPF ns/read ratio |")
        p("|---|---:|---:|---:|")
        for c in cfgs:
            if c.group != "ltrace-ebpf":
                continue
            cells = []
            for w in ("cpu", "ns"):
                qs = [x / y for x, y in ((self.added(c.key, i, w), self.added(c.key + "_vs", i, w))
                                         for i in range(self.a.reps)) if x is not None and y]
                cells.append(f"{median(qs):.3f} ({min(qs):.2f}-{max(qs):.2f})" if qs else "-")
            a, b = self.stats.get(c.key), self.stats.get(c.key + "_vs")
            cells.append(f"{a['ns'] / b['ns']:.3f}" if a and b and b["ns"] else "-")
            p(f"| {c.label} | {' | '.join(cells)} |")

    def report(self, cfgs, elapsed):
        a, L = self.a, []
        p = L.append
        floors = [c.key for c in cfgs if c.group == "floor" and self.med_added(c.key, "cpu") is not None]
        cheapest = min(floors, key=lambda k: self.med_added(k, "cpu")) if floors else None
        cheap_label = next((c.label for c in cfgs if c.key == cheapest), "-")
        p(machine(self.a.src_dir) + f" Run {time.strftime('%Y-%m-%d %H:%M %Z')}; "
          f"load average (1 min) at start {self.load[0]:.2f}, after each round "
          f"{' '.join(f'{x:.2f}' for x in self.load[1:])}.")
        p("")
        p(f"N = {a.n:,} `read(fd, buf, 1)` of /dev/zero per run, median of {a.reps} runs, "
          "configurations interleaved round by round. ns/read = traced loop time - untraced "
          "loop time in the same round, / N; *CPU* is the workload thread's "
          "CLOCK_THREAD_CPUTIME_ID (the syscall and the BPF programs run on it; time lost to "
          "other processes is not counted), *wall* is CLOCK_MONOTONIC. x floor: this "
          "configuration's added ns over the cheapest floor's in the same round, median over "
          f"rounds; the cheapest floor (least added CPU) was: {cheap_label}.")
        p("")
        p("| configuration | CPU ns/read added | x floor (CPU) | wall ns/read added | x floor (wall) | spread (CPU) | peak RSS (MiB) | notes |")
        p("|---|---:|---:|---:|---:|---:|---:|---|")
        for c in cfgs:
            r = self.res.get(c.key, {})
            reps = r.get("rep", {})
            notes = "; ".join(sorted(r.get("notes", ())))
            rss = f"{max(r['rss']) / 1024:.1f}" if r.get("rss") else "-"
            if c.group == "base":
                loop = [v["cpu"] / a.n for v in reps.values()]
                wall = [v["ns"] / a.n for v in reps.values()]
                p(f"| {c.label} | loop {median(loop) or 0:.0f} | | loop {median(wall) or 0:.0f} | | | {rss} | {notes} |")
                continue
            cells = []
            for w in ("cpu", "ns"):
                v = self.med_added(c.key, w)
                q = self.ratio(c.key, cheapest, w) if cheapest and c.key != cheapest else None
                cells += ["-" if v is None else f"{v:,.0f}", "-" if q is None else f"{q:.2f}x"]
            cpus = [v["cpu"] for v in reps.values()]
            spread = f"{(max(cpus) - min(cpus)) / median(cpus) * 100:.0f}%" if cpus else "-"
            p(f"| {c.label} | {' | '.join(cells)} | {spread} | {rss} | {notes} |")
        if self.a.vs:
            self.report_vs(cfgs, p)
        if self.stats:
            p("")
            p(f"Time inside the BPF programs (BPF run-time statistics, the median of {self.a.stats_reps} "
              "runs of N reads; "
              "run_cnt and run_time_ns of the tracer's programs read before and after the "
              "loop). Hooks that fire for every syscall also run, and count, for other "
              "processes' syscalls during the loop (runs/read above 2), so ns/read is an "
              "upper bound for them; ns/run is the average program run, early exits "
              "included.")
            p("")
            p("| configuration | BPF ns/read | program runs/read | ns/run | programs |")
            p("|---|---:|---:|---:|---:|")
            for c in cfgs:
                s = self.stats.get(c.key)
                if c.group == "base":
                    continue
                if not s or not s["runs"]:
                    p(f"| {c.label} | - | - | - | - |")
                    continue
                p(f"| {c.label} | {s['ns'] / s['n']:,.0f} | {s['runs'] / s['n']:.2f} | "
                  f"{s['ns'] / s['runs']:,.0f} | {s['progs']} |")
        report_tail(p, self.notes, elapsed)
        return "\n".join(L)


def main():
    ap = parser(__doc__)
    ap.add_argument("-n", type=int, default=200000, help="read() calls per run")
    ap.add_argument("-r", "--reps", type=int, default=9, help="rounds")
    ap.add_argument("--timeout", type=int, default=60, help="seconds per run")
    ap.add_argument("--stats-reps", type=int, default=3, help="runs per configuration, BPF time pass")
    ap.add_argument("--no-bpf-stats", dest="bpf_stats", action="store_false",
                    help="skip the BPF program run-time pass (BPF_ENABLE_STATS)")
    ap.add_argument("--vs", metavar="BINARY",
                    help="another ltrace-ebpf (an older commit's build): its rows right after this "
                         "build's, round by round, and their ratios; peers are skipped")
    ap.add_argument("--only", metavar="KEYS",
                    help="comma-separated configurations: floor_read, floor_raw_syscalls, floor_raw_tp, "
                         "floor_tp_btf, bound_hist, lt_hist, lt_syslat, lt_syscount, bt_raw, bt_read, "
                         "libbpf_syscount, bcc_syscount")
    a = ap.parse_args()
    a.src_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.geteuid() != 0:
        sys.exit("bench: needs root (BPF)")
    b = SysBench(a)
    if not os.access(b.workload, os.X_OK):
        sys.exit(f"bench: {b.workload} missing: cmake --build {a.build_dir} --target bench")
    common.RUSAGE = [b.workload, "rusage", os.path.join(b.tmp, "rusage.out")]
    t0 = time.time()
    try:
        cfgs = b.configs()
        b.overhead(cfgs)
        if a.bpf_stats:
            b.bpf_stats(cfgs)
        print(b.report(cfgs, time.time() - t0))
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"overhead": {k: {"rep": v["rep"], "rss": v["rss"], "notes": sorted(v["notes"])}
                                        for k, v in b.res.items()},
                           "bpf_stats": b.stats, "n": a.n, "load": b.load}, f, indent=1)
    finally:
        shutil.rmtree(b.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
