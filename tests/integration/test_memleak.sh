#!/usr/bin/env bash
# scripts/memleak.lua: the stk_leak fixture's deliberate leak (N blocks of SIZE bytes from
# leak_alloc) is reported with its exact count and size and its allocation stack; balanced
# malloc/calloc/realloc/free work is never reported.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

LEAK="$FIXTURE_DIR/stk_leak"

# The final report's lines: "BYTES ALLOCS FRAME1,FRAME2,..." per stack.
final_report() {
	awk '/\(at exit\)/ { on = 1; next }
	     on && /bytes in/ { if (line) print line; line = $1 " " $4 " "; next }
	     on && /^\t\t/ { sub(/^\t\t/, ""); sub(/ \[.*$/, ""); sub(/\+[0-9]+$/, "");
			       line = line $0 "," }
	     END { if (line) print line }' "$OUT"
}

case_ "a leak of 7 x 1000 bytes from leak_alloc"
lt "$SRC_DIR/scripts/memleak.lua" -i 60 -- "$LEAK" leak 7 1000
assert_rc 0
assert_file_contains "$OUT" "(at exit)" "final report"
assert_match "$(final_report | grep leak_alloc)" "^7000 7 leak_alloc,main," \
	"7000 bytes in 7 allocations from leak_alloc <- main"
assert_eq "" "$(final_report | grep balanced_work || true)" "no balanced stack"

case_ "balanced allocations are not reported"
lt "$SRC_DIR/scripts/memleak.lua" -i 60 -- "$LEAK" balanced
assert_rc 0
assert_file_contains "$OUT" "(at exit)" "final report"
assert_eq "" "$(final_report | grep -E 'balanced_work|leak_alloc' || true)" "fixture stacks"

case_ "periodic reports while the target runs"
lt "$SRC_DIR/scripts/memleak.lua" -i 0.2 -- sh -c "$LEAK leak 3 64; sleep 0.7"
assert_rc 0
assert_between 2 10 "$(count_lines 'Top [0-9]+ stacks with outstanding allocations:$')" \
	"reports before the end"

case_ "usage"
lt "$SRC_DIR/scripts/memleak.lua" -h
assert_rc 0
assert_contains "$(cat "$OUT")" "usage: ltrace-ebpf scripts/memleak.lua" "usage line"
lt "$SRC_DIR/scripts/memleak.lua" --bogus
assert_rc 1
assert_contains "$(cat "$ERR")" "unknown option '--bogus'" "bad option named"

finish
