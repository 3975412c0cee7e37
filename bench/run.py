#!/usr/bin/python3
"""ltrace-ebpf benchmark driver: per-call overhead against empty-uprobe floors, bpftrace and
ltrace; start-up time, peak RSS, exec-to-probes-attached latency, glob attach+detach.

Run through bench/run.sh (builds first). Prints a Markdown report on stdout, progress on
stderr. A peer that is missing (bpftrace, ltrace, the floor loader) is skipped with a note.
"""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import bpf_stats_on, parser, prog_stats, report_tail  # noqa: E402

LIBC = "/lib/x86_64-linux-gnu/libc.so.6"
# Counters that mean an event was lost (counters() in the Lua API).
DROP_COUNTERS = ("ringbuf_full", "inflight_full", "unmatched_return", "lost_detached",
                 "agg_full", "pids_full")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


RUSAGE = None  # [workload, "rusage", FILE]: see workload.c


def run(cmd, timeout=180, env=None):
    """Runs cmd under the workload's small rusage launcher; returns (wall seconds, exit
    status or -1 on timeout, output text, peak RSS in KiB of cmd and the descendants it
    waited for)."""
    rss_file = RUSAGE[2]
    if os.path.exists(rss_file):
        os.unlink(rss_file)
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        p = subprocess.Popen(RUSAGE + cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                             start_new_session=True)
        try:
            status = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.wait()
            status = -1
        wall = time.perf_counter() - t0
        out.seek(0)
        text = out.read().decode(errors="replace")
    try:
        with open(rss_file) as f:
            rss = int(re.search(r"maxrss_kb=(\d+)", f.read()).group(1))
    except (OSError, AttributeError):
        rss = 0
    return wall, status, text, rss


def fmt(v, d=0):
    return "-" if v is None else f"{v:,.{d}f}"


def median(xs):
    return statistics.median(xs) if xs else None


class Bench:
    def __init__(self, a):
        self.a = a
        self.bdir = a.bench_dir
        self.workload = os.path.join(self.bdir, "workload")
        self.floor = os.path.join(self.bdir, "floor")
        self.fixlib = os.path.join(self.bdir, "libbenchfix.so")
        self.lt = a.ltrace_ebpf
        self.tmp = tempfile.mkdtemp(prefix="ltb.", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
        self.notes = []
        self.res, self.stats, self.start, self.globres = {}, {}, [], []
        self.load0 = f"{os.getloadavg()[0]:.2f}"
        self.have = {
            "floor": os.access(self.floor, os.X_OK),
            "ltrace-ebpf": os.access(self.lt, os.X_OK),
            "bpftrace": shutil.which("bpftrace") is not None,
            "ltrace": shutil.which("ltrace") is not None,
        }
        for k, v in self.have.items():
            if not v:
                self.notes.append(f"{k} not found: its rows are skipped.")
        # (function key, library path, symbol, short lib name for ltrace-ebpf)
        self.funcs = [("fix", self.fixlib, "bench_fn", self.fixlib), ("abs", LIBC, "abs", "libc")]

    # ---- per-call overhead ----------------------------------------------------------
    def configs(self):
        """(key, label, group, tool, kind, builder, check); kind: 'up' (one uprobe per call)
        or 'pair' (entry+return per call); builder(fn, lib, sym, ltlib, n, out) -> argv."""
        W = self.workload
        c = []

        def wl(fn, n, out):
            return [W, fn, str(n), out]

        c.append(("untraced", "untraced", "base", None, None,
                  lambda fn, lib, sym, ltlib, n, out: wl(fn, n, out), None))
        c.append(("floor", "empty uprobe (libbpf, uprobe_multi link)", "floor", "floor", "up",
                  lambda fn, lib, sym, ltlib, n, out: [self.floor, lib, sym, "--"] + wl(fn, n, out), None))
        c.append(("pair", "empty uprobe+uretprobe (libbpf, uprobe_multi)", "floor", "floor", "pair",
                  lambda fn, lib, sym, ltlib, n, out: [self.floor, "-r", lib, sym, "--"] + wl(fn, n, out), None))
        if self.a.classic:
            c.append(("floor_c", "empty uprobe (libbpf, classic perf link)", "floor", "floor", "up",
                      lambda fn, lib, sym, ltlib, n, out: [self.floor, "-c", lib, sym, "--"] + wl(fn, n, out), None))
            c.append(("pair_c", "empty uprobe+uretprobe (classic perf links)", "floor", "floor", "pair",
                      lambda fn, lib, sym, ltlib, n, out: [self.floor, "-c", "-r", lib, sym, "--"] + wl(fn, n, out), None))

        def lt(script, exe):
            return lambda fn, lib, sym, ltlib, n, out: (
                [exe, "-E", script.replace("LIB", ltlib).replace("SYM", sym), "--"] + wl(fn, n, out))

        stream = ('local n = 0 probe("KIND:LIB:SYM", function(e) n = n + 1 end) '
                  'on("end", function() local t = {} for k, v in pairs(counters()) do '
                  't[#t + 1] = k .. "=" .. tostring(v) end '
                  'print("LTB n=" .. n .. " " .. table.concat(t, " ")) end)')
        lt_cfgs = [
            ("lt_count", "ltrace-ebpf uprobe, in-kernel count", "up",
             'probe("uprobe:LIB:SYM", {agg = "count"})', "count"),
            ("lt_hist", "ltrace-ebpf call, in-kernel duration hist", "pair",
             'probe("call:LIB:SYM", {agg = "hist", of = "duration"})', "hist"),
            ("lt_up_lua", "ltrace-ebpf uprobe -> Lua callback", "up", stream.replace("KIND", "uprobe"), "lua"),
            ("lt_call_lua", "ltrace-ebpf call -> Lua callback", "pair", stream.replace("KIND", "call"), "lua"),
        ]
        # --vs: another build's binary runs each configuration right after this one's, in
        # the same rounds, so a before/after of two commits shares the machine's drift.
        for key, label, kind, script, chk in lt_cfgs:
            c.append((key, label, "ltrace-ebpf", "ltrace-ebpf", kind, lt(script, self.lt), chk))
            if self.a.vs:
                c.append((key + "_vs", label + " (--vs)", "ltrace-ebpf", "ltrace-ebpf", kind,
                          lt(script, self.a.vs), chk))

        def bt(prog, outfile=None):
            def build(fn, lib, sym, ltlib, n, out):
                argv = ["bpftrace"]
                if outfile:
                    argv += ["-o", os.path.join(self.tmp, "bt_printf.txt")]
                return argv + ["-e", prog.format(lib=lib, sym=sym),
                               "-c", " ".join(wl(fn, n, out))]
            return build
        # bpftrace 0.17 attaches uprobes system-wide even with -c: /pid == cpid/ keeps
        # other processes out of the counts, as ltrace-ebpf's pid filter does.
        c.append(("bt_count", "bpftrace count()", "bpftrace", "bpftrace", "up",
                  bt("uprobe:{lib}:{sym} /pid == cpid/ {{ @c = count(); }}"), "btcount"))
        c.append(("bt_hist", "bpftrace uprobe+uretprobe hist(nsecs - @start[tid])", "bpftrace", "bpftrace", "pair",
                  bt("uprobe:{lib}:{sym} /pid == cpid/ {{ @start[tid] = nsecs; }} "
                     "uretprobe:{lib}:{sym} /@start[tid]/ {{ @h = hist(nsecs - @start[tid]); "
                     "delete(@start[tid]); }}"), "hist"))
        c.append(("bt_printf", "bpftrace printf per event", "bpftrace", "bpftrace", "up",
                  bt('uprobe:{lib}:{sym} /pid == cpid/ {{ printf("%d\\n", arg0); }}', outfile=True),
                  "btprintf"))
        return [x for x in c if (x[3] is None or self.have[x[3]]) and self.wanted(x[0])]

    def wanted(self, key):
        """--only: the configurations asked for (the untraced baselines always run)."""
        return (not self.a.only or key.removesuffix("_vs") in self.a.only or
                key.endswith("untraced"))

    def wanted_tool(self, prefix):
        return not self.a.only or any(k.startswith(prefix) for k in self.a.only)

    def ltrace_configs(self):
        if not self.have["ltrace"] or (self.a.only and not any(k.startswith("ltrace") for k in self.a.only)):
            return []
        W = self.workload
        return [
            ("lt_untraced", "untraced (ltrace N)", "base", None, None,
             lambda fn, lib, sym, ltlib, n, out: [W, fn, str(n), out], None),
            ("ltrace_e", "ltrace -e FUNC", "ltrace", "ltrace", "pair",
             lambda fn, lib, sym, ltlib, n, out: ["ltrace", "-o", "/dev/null", "-e", sym, W, fn, str(n), out], None),
            ("ltrace_c", "ltrace -c", "ltrace", "ltrace", "pair",
             lambda fn, lib, sym, ltlib, n, out: ["ltrace", "-c", "-o", "/dev/null", W, fn, str(n), out], None),
        ]

    def check(self, kind, text, n):
        """Verifies the tracer saw every call; returns a note or ''."""
        if kind == "count":
            m = re.search(r"^@uprobe:\S+: (\d+)$", text, re.M)
            got = int(m.group(1)) if m else None
        elif kind == "btcount":
            m = re.search(r"^@c: (\d+)$", text, re.M)
            got = int(m.group(1)) if m else None
        elif kind == "hist":
            got = sum(int(x) for x in re.findall(r"^\[[^)]*\)\s+(\d+) \|", text, re.M)) or None
        elif kind == "lua":
            m = re.search(r"^LTB n=(\d+)(.*)$", text, re.M)
            if not m:
                return "no result line"
            got = int(m.group(1))
            ctr = dict(kv.split("=", 1) for kv in m.group(2).split())
            drops = {k: int(ctr.get(k, 0)) for k in DROP_COUNTERS if int(ctr.get(k, 0))}
            if drops:
                return f"drops {drops}" + ("" if got == n else f", saw {got}/{n}")
        elif kind == "btprintf":
            path = os.path.join(self.tmp, "bt_printf.txt")
            try:
                with open(path) as f:
                    body = f.read()
                os.unlink(path)
            except OSError:
                return "no output file"
            got = len(re.findall(r"^-?\d+$", body, re.M))
            lost = sum(int(x) for x in re.findall(r"Lost (\d+) events", body))
            if lost:
                return f"lost {lost} events" + ("" if got == n else f", saw {got}/{n}")
        else:
            return ""
        if got != n:
            return f"saw {got}/{n}"
        return ""

    def overhead(self):
        res = {}  # (cfg key, fn) -> dict
        plans = [(self.configs(), self.a.n), (self.ltrace_configs(), self.a.n_ltrace)]
        out = os.path.join(self.tmp, "workload.out")
        for rep in range(self.a.reps):
            for cfgs, n in plans:
                for key, label, group, tool, kind, build, chk in cfgs:
                    for fn, lib, sym, ltlib in self.funcs:
                        r = res.setdefault((key, fn), {"ns": [], "cpu": [], "rss": [], "notes": set(), "n": n})
                        argv = build(fn, lib, sym, ltlib, n, out)
                        log(f"[{rep + 1}/{self.a.reps}] {key} {fn}")
                        if os.path.exists(out):
                            os.unlink(out)
                        wall, st, text, rss = run(argv, timeout=self.a.timeout)
                        try:
                            with open(out) as f:
                                line = f.read()
                            ns = int(re.search(r"\bns=(\d+)", line).group(1))
                            cpu = int(re.search(r"\bcpu_ns=(\d+)", line).group(1))
                        except (OSError, AttributeError):
                            r["notes"].add(f"failed (exit {st}): " + text.strip().splitlines()[-1][:120]
                                           if text.strip() else f"failed (exit {st})")
                            continue
                        r["ns"].append(ns)
                        r["cpu"].append(cpu)
                        r.setdefault("rep", {})[rep] = {"ns": ns, "cpu": cpu}
                        r["rss"].append(rss)
                        note = self.check(chk, text, n) if chk else ""
                        if note:
                            r["notes"].add(note)
        self.res = res
        return plans

    # ---- time spent in the BPF programs themselves (BPF run-time statistics) ------------
    def bpf_stats(self):
        """Runs each BPF configuration once with the workload held after its loop, and reads
        run_cnt/run_time_ns of the tracer's programs from /proc/TRACER/fdinfo while they are
        still loaded. Run-time statistics are on for the duration (benchlib.bpf_stats_on)."""
        self.stats = {}
        if not self.a.bpf_stats:
            return
        with bpf_stats_on(self.notes) as on:
            n = self.a.n_stats
            out = os.path.join(self.tmp, "hold.out")
            for key, label, group, tool, kind, build, chk in self.configs() if on else []:
                if group == "base":
                    continue
                for fn, lib, sym, ltlib in self.funcs:
                    log(f"bpf_stats {key} {fn}")
                    self.stats[(key, fn)] = self.run_hold(build(fn, lib, sym, ltlib, n, out), out, n)

    def run_hold(self, argv, out, n):
        if os.path.exists(out):
            os.unlink(out)
        env = dict(os.environ, LTB_HOLD="1")
        p = subprocess.Popen(RUSAGE + argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env=env, start_new_session=True)
        progs, pid = {}, None
        try:
            deadline = time.time() + self.a.timeout
            while not os.path.exists(out) and p.poll() is None and time.time() < deadline:
                time.sleep(0.01)
            with open(out) as f:
                line = f.read()
            pid = int(re.search(r"\bpid=(\d+)", line).group(1))
            ppid = int(re.search(r"\bppid=(\d+)", line).group(1))
            for prog, (cnt, rt) in prog_stats(ppid).items():
                if cnt >= n * 0.9:  # the probe's programs, not fork/exit hooks and the like
                    progs[prog] = [cnt, rt, str(prog)]
            if progs and shutil.which("bpftool"):
                r = subprocess.run(["bpftool", "prog", "show", "-j"], capture_output=True, text=True)
                try:
                    for pr in json.loads(r.stdout):
                        if pr.get("id") in progs:
                            progs[pr["id"]][2] = pr.get("name", progs[pr["id"]][2])
                except ValueError:
                    pass
        except (OSError, AttributeError, ValueError) as e:
            log(f"bpf_stats: {e}")
        finally:
            if pid:
                try:
                    os.kill(pid, 10)  # SIGUSR1: let the workload finish
                except OSError:
                    pass
            try:
                p.wait(timeout=self.a.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, 9)
                p.wait()
        return {"n": n, "progs": [progs[k] for k in sorted(progs)]}

    # ---- start-up, RSS, exec-to-attached, glob --------------------------------------
    def startup(self):
        reps = self.a.startup_reps
        one_lt = [self.lt, os.path.join(self.a.src_dir, "bench", "one_probe.lua"), "--"]
        one_bt = ["bpftrace", "-e", f"uprobe:{LIBC}:abs /pid == cpid/ {{ @c = count(); }}", "-c"]
        one_fl = [self.floor, LIBC, "abs", "--"]
        rows = [("no tracer", "none", [], False, None)]
        if self.have["floor"] and self.wanted("floor"):
            rows.append(("minimal libbpf loader (floor)", "floor", one_fl, False, None))
        if self.have["ltrace-ebpf"] and self.wanted_tool("lt_"):
            rows.append(("ltrace-ebpf one_probe.lua", "ltrace-ebpf", one_lt, False, None))
            if self.a.vs:
                rows.append(("ltrace-ebpf one_probe.lua (--vs)", "ltrace-ebpf --vs",
                             [self.a.vs] + one_lt[1:], False, None))
        if self.have["bpftrace"] and self.wanted_tool("bt_"):
            rows.append(("bpftrace one probe", "bpftrace", one_bt, True, None))
        got = {label: ([], [], []) for label, *_ in rows}
        for rep in range(reps):  # rows interleaved round by round, as the overhead runs are
            for label, tool, pre, single, env in rows:
                walls, rsss, stamps = got[label]
                log(f"[{rep + 1}/{reps}] startup {tool}")
                wall, st, text, rss = run(pre + ["/bin/true"], timeout=self.a.timeout, env=env)
                if st != 0:
                    self.notes.append(f"start-up run of {tool} exited {st}: {text.strip()[-200:]}")
                walls.append(wall)
                rsss.append(rss)
                stamp_out = os.path.join(self.tmp, "stamp.out")
                tail = [f"{self.workload} stamp {stamp_out}"] if single else [self.workload, "stamp", stamp_out]
                wall, st, text, rss = run([self.workload, "launch"] + pre + tail, timeout=self.a.timeout,
                                          env=env)
                try:
                    with open(stamp_out) as f:
                        stamps.append(int(re.search(r"stamp_ns=(\d+)", f.read()).group(1)))
                    os.unlink(stamp_out)
                except (OSError, AttributeError):
                    pass
                if tool not in ("none", "floor") and not re.search(r"(: |@c: )[1-9]\d*$", text, re.M):
                    self.notes.append(f"exec-to-attached: {tool} did not count the call made "
                                      "first thing in main()")
        out = []
        for label, tool, *_ in rows:
            walls, rsss, stamps = got[label]
            out.append({"label": label, "tool": tool, "wall": median(walls), "rss": max(rsss),
                        "rss_med": median(rsss), "stamp": median(stamps)})
        self.start = out

    def glob(self):
        """Whole runs around /bin/true: no probe, then every str* function of libc with an
        in-kernel count. The difference is what loading, attaching and detaching the glob
        costs (bpftrace's "no probe" is an empty BEGIN)."""
        res = []
        reps = 5

        def walls(argv, k, timeout, env=None):
            w, notes, text = [], set(), ""
            for _ in range(k):
                wall, st, text, rss = run(argv, timeout=timeout, env=env)
                w.append(wall)
                if st:
                    notes.add("timed out" if st == -1 else f"exit {st}")
            return median(w), notes, text

        if self.have["ltrace-ebpf"] and self.wanted_tool("lt_"):
            _, _, text, _ = run([self.lt, "-l", "libc:str*"])
            nsites = len([l for l in text.splitlines() if ":" in l and not l.startswith("ltrace-ebpf")])
            log("glob ltrace-ebpf")
            base, _, _ = walls([self.lt, "-E", "local x = 1", "--", "/bin/true"], reps, self.a.timeout)
            wall, notes, _ = walls([self.lt, "-E", 'probe("libc:str*")', "--", "/bin/true"], reps,
                                   self.a.timeout)
            res.append({"tool": "ltrace-ebpf", "cmd": "ltrace-ebpf -E 'probe(\"libc:str*\")' -- /bin/true",
                        "wall": wall, "base": base, "probes": nsites, "runs": reps, "notes": notes})
        if self.have["bpftrace"] and not self.a.no_bpftrace_glob and self.wanted_tool("bt_"):
            log(f"glob bpftrace (timeout {self.a.glob_timeout}s)")
            base, _, _ = walls(["bpftrace", "-e", "BEGIN { }", "-c", "/bin/true"], 3, self.a.timeout)
            prog = f"uprobe:{LIBC}:str* /pid == cpid/ {{ @[probe] = count(); }}"
            wall, notes, text = walls(["bpftrace", "-e", prog, "-c", "/bin/true"], 1, self.a.glob_timeout)
            m = re.search(r"Attaching (\d+) probes", text)
            res.append({"tool": "bpftrace", "cmd": f"bpftrace -e '{prog}' -c /bin/true", "wall": wall,
                        "base": base, "probes": int(m.group(1)) if m else None, "runs": 1,
                        "notes": notes})
        self.globres = res

    # ---- report ------------------------------------------------------------------------
    def machine(self):
        def sh(cmd):
            try:
                return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
            except (OSError, subprocess.TimeoutExpired):
                return ""
        cpu = "?"
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            cpu = m.group(1) if m else cpu
        src = self.a.src_dir  # the tree the build directory was configured from
        try:
            with open(os.path.join(self.a.build_dir, "CMakeCache.txt")) as f:
                m = re.search(r"^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$", f.read(), re.M)
                src = m.group(1) if m else src
        except OSError:
            pass
        head = sh(["git", "-C", src, "rev-parse", "--short", "HEAD"]) or f"the source tree {src}"
        dirty = sh(["git", "-C", src, "status", "--porcelain", "--", "src", "bpf-templates", "lua"])
        bt = sh(["bpftrace", "--version"]) if self.have["bpftrace"] else "bpftrace absent"
        lt = sh(["ltrace", "-V"]).splitlines()[0].rstrip(".") if self.have["ltrace"] else "ltrace absent"
        env = " ".join(f"{k}={v}" for k, v in os.environ.items() if k.startswith("LTRACE_EBPF"))
        return (f"Machine: {os.cpu_count()} CPUs, {cpu}, kernel {os.uname().release}. "
                f"ltrace-ebpf at {head}{' with uncommitted changes in src/, bpf-templates/ or lua/' if dirty else ''}"
                f"{', environment ' + env if env else ''}"
                f"{'; the (--vs) rows run ' + self.a.vs if self.a.vs else ''}; {bt}; {lt}. "
                f"Run {time.strftime('%Y-%m-%d %H:%M %Z')}; load average at start {self.load0}, "
                f"at end {os.getloadavg()[0]:.2f} (other work on the machine adds noise).")

    def report(self, plans, elapsed):
        L = []
        p = L.append
        p(self.machine())
        if plans:
            self.report_overhead(plans, p)
        self.report_rest(p, elapsed)
        return "\n".join(L)

    def report_overhead(self, plans, p):
        a, r = self.a, self.res

        def per_call(key, fn, what="ns"):
            base = "lt_untraced" if key.startswith("ltrace") else "untraced"
            x, b = r.get((key, fn)), r.get((base, fn))
            if not x or not x[what] or not b or not b[what]:
                return None
            return (median(x[what]) - median(b[what])) / x["n"]

        def ratio(key, fn, w, floor_key):
            """Median over runs of this run's added cost / the floor's added cost in the same
            run (they ran seconds apart), which cancels slow drift of the machine's speed."""
            base = "lt_untraced" if key.startswith("ltrace") else "untraced"
            x, f, b = (r.get((k, fn), {}).get("rep", {}) for k in (key, floor_key, base))
            fb = r.get(("untraced", fn), {}).get("rep", {})
            qs = []
            for i in x:
                if i in f and i in b and i in fb:
                    n_x, n_f = r[(key, fn)]["n"], r[(floor_key, fn)]["n"]
                    add_f = (f[i][w] - fb[i][w]) / n_f
                    if add_f > 0:
                        qs.append(((x[i][w] - b[i][w]) / n_x) / add_f)
            return f"{median(qs):.2f}x" if qs else "-"

        p("")
        p(f"N = {a.n:,} calls per run for BPF tracers, {a.n_ltrace:,} for ltrace; "
          f"median of {a.reps} runs, configurations interleaved run by run.")
        p("ns/call = (median traced loop time - median untraced loop time) / N, the loop timed "
          "inside the workload (tracer start-up and exit excluded): *wall* with CLOCK_MONOTONIC, "
          "*CPU* with CLOCK_THREAD_CPUTIME_ID (the traced thread's own time, trap and BPF "
          "included, not time lost to other processes, nor work done in the tracer's process). "
          "x floor: added ns/call over the floor's added ns/call for the same function and clock "
          "in the same round of runs (seconds apart), median over rounds; the floor is the empty "
          "uprobe for entry-only configurations, the empty uprobe+uretprobe pair for paired ones "
          "(ltrace too). Spread: (max - min) / median of the traced wall times, worse function.")
        p("")
        p("| configuration | bench_fn wall | x floor | bench_fn CPU | x floor | abs wall | x floor "
          "| abs CPU | x floor | spread | peak RSS (MiB) | notes |")
        p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for cfgs, n in plans:
            for key, label, group, tool, kind, build, chk in cfgs:
                cells, rss, notes, spread = [], [], [], []
                for fn, *_ in self.funcs:
                    x = r.get((key, fn))
                    for w in ("ns", "cpu"):
                        if not x or not x[w]:
                            cells += ["-", "-"]
                        elif group == "base":
                            cells += [f"loop {median(x[w]) / x['n']:.1f}", ""]
                        elif tool == "ltrace" and w == "cpu":
                            cells += ["n/a", ""]
                        else:
                            v = per_call(key, fn, w)
                            cells += [fmt(v), "" if key in ("floor", "pair", "floor_c", "pair_c")
                                      else ratio(key, fn, w, "floor" if kind == "up" else "pair")]
                    if x:
                        rss += x["rss"]
                        notes += [f"{fn}: {s}" for s in sorted(x["notes"])]
                        if x["ns"] and group != "base":
                            spread.append((max(x["ns"]) - min(x["ns"])) / median(x["ns"]))
                nlabel = label if n == a.n else f"{label} (N={n:,})"
                sp = f"{max(spread) * 100:.0f}%" if spread else ""
                p(f"| {nlabel} | {' | '.join(cells)} | {sp} | {max(rss) / 1024 if rss else 0:.1f} | "
                  f"{'; '.join(notes)} |")

    def report_rest(self, p, elapsed):
        a = self.a
        if self.stats:
            p("")
            p(f"Time inside the BPF programs (BPF run-time statistics: run_time_ns / N, all of the "
              f"configuration's programs, one run of N = {a.n_stats:,}): what each tracer's "
              "programs add over the kernel's uprobe machinery, which the floor's empty programs "
              "measure (their own run time is the cost of an empty program and of the stats clock).")
            p("")
            p("| configuration | bench_fn ns/call in BPF | abs ns/call in BPF | programs: ns per run |")
            p("|---|---:|---:|---|")
            for key, label, group, tool, kind, build, chk in self.configs():
                if group == "base":
                    continue
                cells, progs = [], []
                for fn, *_ in self.funcs:
                    st = self.stats.get((key, fn))
                    if not st or not st["progs"]:
                        cells.append("-")
                        continue
                    cells.append(fmt(sum(pr[1] for pr in st["progs"]) / st["n"]))
                    progs.append(f"{fn}: " + ", ".join(f"{name} {rt / cnt:,.0f}"
                                                       for cnt, rt, name in st["progs"]))
                plist = "; ".join(progs)
                p(f"| {label} | {' | '.join(cells)} | {plist} |")
        if self.start:
            self.report_startup(p)
        if self.globres:
            self.report_glob(p)
        report_tail(p, self.notes, elapsed)

    def report_startup(self, p):
        p("")
        p("Start-up: whole run of `TRACER -- /bin/true` with one probe (`uprobe:libc:abs`, "
          "in-kernel count), and exec-to-probes-attached: time from the tracer's exec to the "
          "traced program's main(), with the probe already counting the call main() makes first "
          "(an upper bound on attach latency: it includes fork, exec and dynamic loading of the "
          "target, shown by the no-tracer row). Median of "
          f"{self.a.startup_reps} runs; RSS is the largest ru_maxrss of the run (tracer and target).")
        p("")
        p("| tracer | whole run /bin/true (ms) | exec-to-main with probes attached (ms) | minus no-tracer (ms) | peak RSS (MiB) |")
        p("|---|---:|---:|---:|---:|")
        base = next((s["stamp"] for s in self.start if s["tool"] == "none"), None) or 0
        for s in self.start:
            st = s["stamp"]
            p(f"| {s['label']} | {s['wall'] * 1000:.1f} | {fmt(st / 1e6 if st else None, 2)} | "
              f"{fmt((st - base) / 1e6 if st and s['tool'] != 'none' else None, 2)} | {s['rss'] / 1024:.1f} |")
        lt = next((s for s in self.start if s["tool"] == "ltrace-ebpf"), None)
        bt = next((s for s in self.start if s["tool"] == "bpftrace"), None)
        if lt and bt:
            p("")
            p(f"Whole run around /bin/true: bpftrace / ltrace-ebpf = {bt['wall'] / lt['wall']:.1f}x.")

    def report_glob(self, p):
        p("")
        p("Glob attach+detach: whole runs around /bin/true with every `str*` function of libc "
          "counted in the kernel, against the same tracer with no probe (ltrace-ebpf: a script "
          "without probes; bpftrace: an empty BEGIN) and with the one probe above.")
        p("")
        p("| tracer | probes attached | glob run (ms) | no-probe run (ms) | glob - no probe (ms) | glob - one probe (ms) | notes |")
        p("|---|---:|---:|---:|---:|---:|---|")
        for g in self.globres:
            one = next((s["wall"] for s in self.start if s["tool"] == g["tool"]), None)
            p(f"| {g['tool']} (`{g['cmd']}`, {g['runs']} run{'s' if g['runs'] > 1 else ''}) | "
              f"{fmt(g['probes'])} | {g['wall'] * 1000:,.0f} | {g['base'] * 1000:,.0f} | "
              f"{(g['wall'] - g['base']) * 1000:,.0f} | "
              f"{fmt((g['wall'] - one) * 1000 if one else None)} | {'; '.join(sorted(g['notes']))} |")


def main():
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = parser(__doc__)
    ap.add_argument("-n", type=int, default=100000, help="calls per run, BPF tracers")
    ap.add_argument("--n-ltrace", type=int, default=10000, help="calls per run under ltrace")
    ap.add_argument("-r", "--reps", type=int, default=7)
    ap.add_argument("--timeout", type=int, default=120, help="seconds per run")
    ap.add_argument("--glob-timeout", type=int, default=60, help="seconds for bpftrace's glob run")
    ap.add_argument("--classic", action="store_true", help="also classic-link floors")
    ap.add_argument("--no-bpftrace-glob", action="store_true",
                    help="skip bpftrace's libc:str* run (it attaches system-wide)")
    ap.add_argument("--n-stats", type=int, default=100000,
                    help="calls for the BPF program run-time pass")
    ap.add_argument("--no-bpf-stats", dest="bpf_stats", action="store_false",
                    help="skip the BPF program run-time pass (BPF_ENABLE_STATS)")
    ap.add_argument("--only", type=lambda v: v.split(","), default=[],
                    help="comma-separated configuration keys (floor,pair,lt_count,lt_hist,"
                    "lt_up_lua,lt_call_lua,bt_count,bt_hist,bt_printf,ltrace_e,ltrace_c); "
                    "default: all")
    ap.add_argument("--parts", type=lambda v: set(v.split(",")),
                    default={"overhead", "stats", "startup", "glob"},
                    help="comma-separated subset of overhead,stats,startup,glob (default: all)")
    ap.add_argument("--startup-reps", type=int, default=5, help="runs per start-up row")
    ap.add_argument("--vs", metavar="BINARY",
                    help="another ltrace-ebpf (an older commit's build): its rows run beside "
                         "each ltrace-ebpf row, in the same rounds")
    a = ap.parse_args()
    a.src_dir = src
    a.bench_dir = os.path.join(a.build_dir, "bench")
    a.ltrace_ebpf = os.path.join(a.build_dir, "ltrace-ebpf")
    if os.geteuid() != 0:
        sys.exit("bench: needs root (BPF)")
    b = Bench(a)
    if not os.access(b.workload, os.X_OK):
        sys.exit(f"bench: {b.workload} missing: cmake --build {a.build_dir} --target bench")
    global RUSAGE
    RUSAGE = [b.workload, "rusage", os.path.join(b.tmp, "rusage.out")]
    t0 = time.time()
    try:
        plans = b.overhead() if "overhead" in a.parts else []
        if "stats" in a.parts:
            b.bpf_stats()
        if "startup" in a.parts:
            b.startup()
        if "glob" in a.parts:
            b.glob()
        print(b.report(plans, time.time() - t0))
        if a.json:
            with open(a.json, "w") as f:
                json.dump({"overhead": {f"{k}/{fn}": {"ns": v["ns"], "rss": v["rss"], "n": v["n"],
                                                     "notes": sorted(v["notes"])}
                                        for (k, fn), v in b.res.items()},
                           "startup": b.start,
                           "bpf_stats": {f"{k}/{fn}": v for (k, fn), v in b.stats.items()},
                           "glob": [dict(g, notes=sorted(g["notes"])) for g in b.globres]},
                          f, indent=1)
    finally:
        shutil.rmtree(b.tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
