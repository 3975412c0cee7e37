#!/usr/bin/env bash
# The REPL, driven through a pseudo-terminal (repl_pty.py): expressions print, statements
# continue over several lines, errors do not end it; a probe attached at the prompt streams
# events from a -p process, and disable/enable/detach take effect; exit() leaves.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case_ "REPL on a pty, attached with -p to a running server"
serve_start srv
timeout -k 5 120 /usr/bin/python3 "$(dirname "$0")/repl_pty.py" session \
	"$LTRACE_EBPF" "$LIB" "$SERVE_PID" "$TMP/srv.in" "$TMP/srv.out" >"$TMP/repl.log" 2>&1 || RC=$?
sed 's/^/    /' "$TMP/repl.log"
while read -r line; do
	fail "${line#FAIL: }"
done < <(grep '^FAIL: ' "$TMP/repl.log")
assert_match "$(tail -n 1 "$TMP/repl.log")" '^checks=[0-9]+ failures=0$' "the pty driver finished"
CHECKS=$((CHECKS + $(sed -n 's/^checks=\([0-9]*\).*/\1/p' "$TMP/repl.log" | tail -n 1)))
assert_alive "$SERVE_PID" "the traced server after the REPL left"
serve_stop 0
assert_eq 0 "$WAIT_RC" "the server's exit status"

finish
