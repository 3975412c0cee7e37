"""What the benchmark drivers (run.py, syscalls.py, startup.py) share: the command line
they all take, the machine line and the end of the report."""
import argparse
import contextlib
import ctypes
import os
import re
import subprocess
import time

# A BPF probe is live once its attachment exists, and every tracer compared here holds each
# attachment as a file descriptor: a BPF link or a perf event with a program set on it.
ATTACH_FDS = ("anon_inode:bpf_link", "anon_inode:[perf_event]")
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parser(doc):
    """The argument parser with the options every driver has: --build-dir, --json."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(SRC, "build"))
    ap.add_argument("--json", help="also write raw numbers here")
    return ap


def sh(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine(src):
    """One line naming the machine, the ltrace-ebpf commit and the peers' versions."""
    with open("/proc/cpuinfo") as f:
        m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
    head = sh(["git", "-C", src, "rev-parse", "--short", "HEAD"]) or src
    dirty = sh(["git", "-C", src, "status", "--porcelain", "--", "src", "bpf-templates", "lua", "scripts"])
    peers = [sh(["bpftrace", "--version"]) or "bpftrace absent"]
    for pkg in ("libbpf-tools", "bpfcc-tools"):
        v = sh(["dpkg-query", "-W", "-f", "${Version}", pkg])
        peers.append(f"{pkg} {v}" if v else f"{pkg} absent")
    return (f"Machine: {os.cpu_count()} CPUs, {m.group(1) if m else '?'}, kernel {os.uname().release}. "
            f"ltrace-ebpf at {head}{' (uncommitted changes)' if dirty else ''}; {'; '.join(peers)}.")


NR_BPF = 321            # x86_64
BPF_ENABLE_STATS = 32   # union bpf_attr: enable_stats.type, 0 = BPF_STATS_RUN_TIME


@contextlib.contextmanager
def bpf_stats_on(notes):
    """BPF program run-time statistics on for the block, held through BPF_ENABLE_STATS: on
    while its fd is open, whatever another process writes to kernel.bpf_stats_enabled
    meanwhile (a concurrent benchmark restoring 0 stopped the counters mid-run). Yields
    False (with a note) when the kernel refuses."""
    libc = ctypes.CDLL(None, use_errno=True)
    attr = ctypes.create_string_buffer(16)
    fd = libc.syscall(NR_BPF, BPF_ENABLE_STATS, attr, ctypes.sizeof(attr))
    if fd < 0:
        notes.append(f"BPF program run times not measured: BPF_ENABLE_STATS: "
                     f"{os.strerror(ctypes.get_errno())}")
        yield False
        return
    try:
        yield True
    finally:
        os.close(fd)


def prog_stats(pid):
    """{program id: (run_cnt, run_time_ns)} of the BPF programs process PID holds (the
    counters need bpf_stats_on)."""
    progs = {}
    fddir = f"/proc/{pid}/fdinfo"
    try:
        fds = os.listdir(fddir)
    except OSError:
        return progs
    for fd in fds:
        try:
            with open(os.path.join(fddir, fd)) as f:
                info = f.read()
        except OSError:
            continue
        m = re.search(r"^prog_id:\s*(\d+)", info, re.M)
        c = re.search(r"^run_cnt:\s*(\d+)", info, re.M)
        t = re.search(r"^run_time_ns:\s*(\d+)", info, re.M)
        if m and c and t:  # links name their program but carry no counters
            progs[int(m.group(1))] = (int(c.group(1)), int(t.group(1)))
    return progs


def attach_fds(pid):
    """Number of BPF links and perf events process PID holds, or None once it is gone."""
    n = 0
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") in ATTACH_FDS:
                n += 1
        except OSError:
            pass
    return n


def first_child(pid):
    """The first child process of PID, or None."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = f.read().split()
        return int(kids[0]) if kids else None
    except (OSError, ValueError):
        return None


def wait_attached(pid, settle, timeout):
    """Waits until process PID holds attachments and their number has not changed for
    SETTLE seconds; False if it exits or TIMEOUT passes first."""
    best, last, deadline = 0, time.perf_counter(), time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        n = attach_fds(pid)
        now = time.perf_counter()
        if n is None:
            return False
        if n != best:
            best, last = n, now
        elif best and now - last >= settle:
            return True
        time.sleep(0.002)
    return False


def report_tail(p, notes, elapsed):
    """The notes as a list, then the total run time."""
    if notes:
        p("")
        for n in dict.fromkeys(notes):
            p(f"- {n}")
    p("")
    p(f"Total benchmark time: {elapsed:.0f} s.")
