#!/usr/bin/env python3
"""Drives the ltrace-ebpf REPL through a pseudo-terminal (test_repl.sh runs it).

    repl_pty.py session LTRACE_EBPF LIB SERVE_PID SERVE_FIFO SERVE_OUT
    repl_pty.py ctrlc LTRACE_EBPF

session: starts `ltrace-ebpf --repl -p SERVE_PID` (the REPL attached) on a pty, types into it,
and checks what it prints. The server (ltfix_serve, started by the caller) is fed through
SERVE_FIFO and answers in SERVE_OUT, so each call happens exactly when the test says.
ctrlc: a bug reproducer (a race, so not run by ctest): Ctrl-C typed right after a
command's output must act at once, every time.
Prints one "FAIL: ..." line per failed check and "checks=N failures=M" at the end; exits 1
when anything failed.
"""
import os
import pty
import re
import select
import sys
import time

MODE, LT = sys.argv[1:3]
LIB, SERVE_PID, SERVE_FIFO, SERVE_OUT = (sys.argv[3:7] + [None] * 4)[:4]
PROMPT = b"ltrace> "
MORE = b">> "
TIMEOUT = 15

checks = 0
failures = 0
transcript = b""   # everything the REPL printed
pending = b""      # printed but not yet consumed by expect()


def fail(msg):
    global failures
    failures += 1
    print("FAIL: " + msg)
    tail = transcript[-1500:].decode(errors="replace")
    print("    transcript tail:\n" + "\n".join("    | " + l for l in tail.splitlines()))


def check(cond, msg):
    global checks
    if cond:
        checks += 1
    else:
        fail(msg)
    return cond


def pump(fd, until):
    """Reads from the pty until until() is true or the timeout passes."""
    global transcript, pending
    end = time.time() + TIMEOUT
    while not until():
        left = end - time.time()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            return until()
        if not data:
            return until()
        transcript += data
        pending += data
    return True


def drain_to_eof(fd):
    """Reads until the REPL closes the terminal (it exited) or the timeout passes."""
    global transcript
    end = time.time() + TIMEOUT
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], end - time.time())
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            return
        if not data:
            return
        transcript += data


def expect(fd, pat, what):
    """Waits for bytes pat in the output; returns what came before it (consumed)."""
    global pending
    ok = pump(fd, lambda: pat in pending)
    if not check(ok, "timed out waiting for %r (%s)" % (pat, what)):
        return None
    i = pending.index(pat)
    before, pending = pending[:i], pending[i + len(pat):]
    return before


def wait_idle(pid):
    """Returns once the tool sleeps in its event loop (not inside readline)."""
    end = time.time() + TIMEOUT
    while time.time() < end:
        try:
            with open("/proc/%d/wchan" % pid) as f:
                if f.read().strip() == "do_epoll_wait":
                    return True
        except OSError:
            return False
        time.sleep(0.002)
    fail("the REPL never went idle")
    return False


def send(fd, line):
    os.write(fd, line.encode() + b"\n")


def settle(fd, pid):
    """Waits until the REPL is idle and forgets what it printed so far (events stream at any
    time and redraw the prompt: an old prompt must not pass for the next command's)."""
    global transcript, pending
    wait_idle(pid)
    while select.select([fd], [], [], 0)[0]:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        transcript += data
    pending = b""


def run(fd, line, what):
    """Types a line, returns its output up to the next prompt (echo removed)."""
    settle(fd, TOOL_PID)
    send(fd, line)
    out = expect(fd, PROMPT, what)
    if out is None:
        return ""
    # The terminal echoes the line (scrolled horizontally when long) up to the newline.
    text = out.decode(errors="replace").replace("\r", "")
    return text.split("\n", 1)[1].strip("\n") if "\n" in text else ""


acks = 0


def serve(cmd):
    """One command to the server; returns when it has made the calls."""
    global acks
    with open(SERVE_FIFO, "w") as f:
        f.write(cmd + "\n")
    acks += 1
    end = time.time() + TIMEOUT
    while time.time() < end:
        with open(SERVE_OUT) as f:
            if sum(1 for l in f if l.startswith("ok ")) >= acks:
                return True
        time.sleep(0.01)
    fail("server did not answer %r" % cmd)
    return False


def links_held(pid):
    n = 0
    for fd in os.listdir("/proc/%d/fdinfo" % pid):
        try:
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                if any(l.startswith("link_id:") for l in f):
                    n += 1
        except OSError:
            pass
    return n


TOOL_PID = 0


def main():
    global TOOL_PID
    env = dict(os.environ, TERM="dumb", INPUTRC="/dev/null")
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(LT, [LT, "--repl", "-p", SERVE_PID], env)
    TOOL_PID = pid

    banner = expect(fd, PROMPT, "first prompt")
    check(banner is not None and b"REPL" in banner, "banner before the first prompt")

    # Expressions print their value; statements run; state persists.
    check(run(fd, "1+1", "expression") == "2", "1+1 prints 2")
    check(run(fd, "x = 40", "statement") == "", "a statement prints nothing")
    check(run(fd, "x + 2", "expression using state") == "42", "x + 2 prints 42")
    check(run(fd, "'a', 'b'", "two values") == "a\tb", "several values are printed tab-separated")

    # An incomplete statement continues on a ">> " prompt.
    send(fd, "for i = 1, 2 do")
    check(expect(fd, MORE, "continuation prompt") is not None, "continuation prompt after 'for ... do'")
    out = run(fd, "print('line', i) end", "end of the loop")
    check(out == "line\t1\nline\t2", "two-line statement ran: %r" % out)
    send(fd, "function f(a)")
    expect(fd, MORE, "continuation 1")
    send(fd, "  return a * 2")
    expect(fd, MORE, "continuation 2")
    check(run(fd, "end", "end of function") == "", "three-line function definition")
    check(run(fd, "f(21)", "call it") == "42", "function defined over three lines works")

    # Errors are reported and the REPL goes on.
    out = run(fd, "1 + + 2", "syntax error")
    check("stdin:1:" in out, "syntax error reported with its position: %r" % out)
    out = run(fd, "error('oops')", "runtime error")
    check("oops" in out, "runtime error reported: %r" % out)
    check(run(fd, "3 * 3", "after errors") == "9", "REPL works after errors")

    # Ctrl-C clears the line and keeps the REPL (typed while the REPL is idle).
    os.write(fd, b"1 +")
    expect(fd, b"1 +", "echo of the partial line")
    wait_idle(pid)
    os.write(fd, b"\x03")
    check(expect(fd, b"Ctrl-C again", "Ctrl-C notice") is not None, "Ctrl-C notice")
    expect(fd, PROMPT, "prompt after Ctrl-C")
    check(run(fd, "2 + 3", "after Ctrl-C") == "5", "REPL works after Ctrl-C (the partial line is gone)")

    # target() is the -p process.
    check(run(fd, "target()", "target()") == SERVE_PID, "target() is the -p pid")

    # A probe attached from the prompt streams events while the REPL waits for input.
    tool = pid
    links0 = links_held(tool)
    out = run(fd, 'p = probe("call:%s:ltfix_add", {args={"i32","i32"}, ret="i32"}, '
                  'function(c) print("ev", c.args[1], c.args[2], c.ret) end)' % LIB, "attach")
    check(out == "", "attaching prints nothing: %r" % out)
    check(links_held(tool) > links0, "the tool holds BPF links after the attach")
    serve("add 2 7 1")
    for k in (1, 2):
        check(expect(fd, b"ev\t7\t1\t8\r\n", "event %d" % k) is not None,
              "event %d for add(7, 1) streamed to the terminal" % k)

    # disable / enable: no events while disabled, events again after.
    run(fd, "p:disable()", "disable")
    serve("add 1 99 0")
    run(fd, "p:enable()", "enable")
    serve("add 1 100 0")
    check(expect(fd, b"ev\t100\t0\t100\r\n", "event after enable") is not None,
          "event after p:enable()")
    check(b"ev\t99\t" not in transcript, "no event while disabled")

    # detach: the links are gone, no more events.
    links_before = links_held(tool)
    run(fd, "p:detach()", "detach")
    check(links_held(tool) < links_before, "p:detach() closes the probe's BPF links (%d -> %d)"
          % (links_before, links_held(tool)))
    check("detached" in run(fd, "print(p)", "print detached"), "print(p) says detached")
    serve("add 1 101 0")
    run(fd, 'q = probe("%s:ltfix_greet", {args={"str"}}, '
            'function(e) print("sentinel", e.args[1]) end)' % LIB, "sentinel probe")
    serve("greet 1 done")
    check(expect(fd, b"sentinel\tdone\r\n", "sentinel") is not None, "sentinel event")
    check(b"ev\t101\t" not in transcript, "no event after p:detach()")
    out = run(fd, 'print("hits=" .. p:stats().hits .. ",q=" .. q:stats().hits)', "stats")
    m = re.search(r"hits=(\d+),q=(\d+)", out)
    check(m is not None and m.group(2) == "1", "q:stats().hits is 1: %r" % out)

    # exit() leaves with status 0; the traced process lives on.
    send(fd, "exit()")
    drain_to_eof(fd)
    _, status = os.waitpid(pid, 0)
    check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
          "exit() leaves the REPL with status 0 (status %r)" % status)
    try:
        os.kill(int(SERVE_PID), 0)
        alive = True
    except ProcessLookupError:
        alive = False
    check(alive, "the traced process is still running after the REPL left")


def ctrlc():
    """Bug reproducer, not a ctest (it is a race): Ctrl-C typed right after the first
    command's output, in 30 fresh REPLs. When the loop wakes for the typed "1 +" and the
    Ctrl-C then flushes it from the terminal before readline reads it, readline blocks in
    its own read and the whole loop (the notice, events, timers) waits for the next key."""
    global pending, transcript
    env = dict(os.environ, TERM="dumb", INPUTRC="/dev/null")
    lost = 0
    for i in range(30):
        pending = transcript = b""
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(LT, [LT], env)
        expect(fd, PROMPT, "first prompt")
        send(fd, "3 * 3")
        # Byte by byte, so the Ctrl-C follows the prompt as closely as possible.
        while not transcript.endswith(b"9\r\nltrace> "):
            transcript += os.read(fd, 1)
        pending = b""
        os.write(fd, b"1 +")
        os.write(fd, b"\x03")
        if not pump(fd, lambda: b"Ctrl-C again" in pending):
            lost += 1
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)
    check(lost == 0, "Ctrl-C acted on at once: %d of 30 waited for the next key press" % lost)


if __name__ == "__main__":
    if MODE == "ctrlc":
        TIMEOUT = 2
        ctrlc()
    else:
        main()
    print("checks=%d failures=%d" % (checks, failures))
    sys.exit(1 if failures else 0)
