#!/usr/bin/env bash
# --otlp when the receiver misbehaves: down (connection refused), answering 503 or 429
# (retried with backoff), always 503 (dropped after the retries), slow (the end's flush
# gives up after its deadline; a full queue drops). In every case the traced program's
# exit status is its own, the session ends (no hang), and the summary line counts what was
# sent, dropped and retried.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/otlp_lib.sh"

# summary KEY: a number of the summary line (spans, sent, requests, dropped, full,
# undeliverable, retries).
summary() {
	sed -nE 's/.*otlp: ([0-9]+) spans, ([0-9]+) sent to .* in ([0-9]+) requests, ([0-9]+) dropped \(([0-9]+) queue full, ([0-9]+) undeliverable\), ([0-9]+) retries$/spans=\1 sent=\2 requests=\3 dropped=\4 full=\5 undeliverable=\6 retries=\7/p' \
		"$ERR" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
SCRIPT="probe('call:$LIB:ltfix_sleep_us')"

case_ "receiver down: the program's status, its spans counted as undeliverable after retries"
DEAD=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
lt --otlp "http://127.0.0.1:$DEAD" -E "$SCRIPT" -- "$RUN" -n 5 -x 3 sleep 10000
assert_rc 3 "the program's own exit status"
assert_contains "$(cat "$OUT")" "total 5" "the program made its calls"
assert_eq 5 "$(summary spans)" "5 spans made"
assert_eq 0 "$(summary sent)" "none sent"
assert_eq 5 "$(summary undeliverable)" "all 5 undeliverable"
# Up to 4 retries (100, 200, 400, 800 ms and a jitter): as many as the end's 2 s flush
# leaves time for.
assert_between 1 4 "$(summary retries)" "retried"
assert_eq "$(($(summary retries) + 1))" "$(summary requests)" "a request per try"

case_ "503 twice, then 200: retried, nothing lost"
receiver_start r503 --status 503 --fail-first 2
lt --otlp "http://127.0.0.1:$RPORT" -E "$SCRIPT" -- "$RUN" -n 5 -x 4 sleep 10000
assert_rc 4 "the program's own exit status"
facts r503
assert_eq 5 "$(fact spans)" "all 5 spans arrived"
assert_eq "503 5,503 5,200 5" "$(paste -sd, "$TMP/r503.log")" "the same batch after each 503"
assert_eq 2 "$(summary retries)" "2 retries"
assert_eq 0 "$(summary dropped)" "nothing dropped"
no_violations r503
receiver_stop r503

case_ "429 once: retried"
receiver_start r429 --status 429 --fail-first 1
lt --otlp "http://127.0.0.1:$RPORT" -E "$SCRIPT" -- "$RUN" -n 2 sleep 1000
assert_rc 0 "the session"
facts r429
assert_eq 2 "$(fact spans)" "both spans arrived"
assert_eq 1 "$(summary retries)" "1 retry"
receiver_stop r429

case_ "always 503: dropped after the retries, counted"
receiver_start rfail --status 503 --fail-first -1
lt --otlp "http://127.0.0.1:$RPORT" -E "$SCRIPT" -- "$RUN" -n 3 sleep 1000
assert_rc 0 "the session"
assert_eq 3 "$(summary undeliverable)" "3 spans undeliverable"
assert_between 1 4 "$(summary retries)" "retried"
assert_eq "$(($(summary retries) + 1))" "$(wc -l <"$TMP/rfail.log")" "every try reached the receiver"
receiver_stop rfail

case_ "slow receiver: the end's flush gives up, a full queue drops, all counted"
receiver_start slow --delay 6
t0=$(date +%s)
lt -t 60 --otlp "http://127.0.0.1:$RPORT" -E "probe('call:$LIB:ltfix_add')" -- "$RUN" -n 20000 -x 5 add 1 2
t1=$(date +%s)
assert_rc 5 "the program's own exit status"
assert_contains "$(cat "$OUT")" "total 20000" "the program made its calls"
made=$(summary spans)
assert_eq "$made" "$(($(summary sent) + $(summary dropped)))" "every span made was sent or dropped"
assert_between 1 20000 "$(summary full)" "the queue (8192) was full while the receiver slept"
assert_eq 0 "$(summary sent)" "nothing sent: every request outlasted the flush"
# The flush's deadline is 2 s; the bound is generous (a loaded machine), far below the
# receiver's 6 s per request times the batches queued.
assert_between 0 20 "$((t1 - t0))" "the session ended soon after the program (s)"
receiver_stop slow

finish
