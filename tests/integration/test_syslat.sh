#!/usr/bin/env bash
# syslat against lt_kread, whose reads are known: the read hotspot, its category, the
# categories' shares summing to the whole, and the JSON report's shape.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

KREAD="$FIXTURE_DIR/lt_kread"
JROWS="$(dirname "$0")/json_rows.py"

case_ "syslat: 300 reads more than 100 reads, in the file category"
lt "$SRC_DIR/scripts/syslat.lua" -j -- "$KREAD" 100
assert_rc 0
few=$("$JROWS" "$OUT" type=record tool=syslat)
lt "$SRC_DIR/scripts/syslat.lua" -j -- "$KREAD" 300
assert_rc 0
many=$("$JROWS" "$OUT" type=record tool=syslat)
check=$(/usr/bin/python3 - "$few" "$many" <<'PY'
import json, sys
few, many = (json.loads(a) for a in sys.argv[1:3])
def read(r):
    return next(h for h in r["hotspots"] if h["syscall"] == "read")
ok = [read(many)["count"] - read(few)["count"] == 200,
      read(many)["category"] == "file",
      sum(c["total_ns"] for c in many["categories"]) == many["total_ns"],
      abs(sum(c["share"] for c in many["categories"]) - 1) < 0.01,
      all(h["p50_ns"] <= h["p99_ns"] for h in many["hotspots"])]
print(" ".join("ok" if o else "bad" for o in ok))
PY
)
assert_eq "ok ok ok ok ok" "$check" "read count difference, category, totals, shares, percentiles"

case_ "syslat: text report names categories and hotspots"
lt "$SRC_DIR/scripts/syslat.lua" -T 3 -- "$KREAD" 50
assert_rc 0
assert_match "$(cat "$OUT")" "CATEGORY +CALLS +TIME +SHARE" "category header"
assert_match "$(cat "$OUT")" "hotspots \\(by total time\\)" "hotspot header"
assert_match "$(cat "$OUT")" "(^|
)file +[0-9]+ " "the file category"
assert_eq "3" "$(sed -n '/^SYSCALL/,$p' "$OUT" | tail -n +2 | grep -c .)" "-T 3 shows three hotspots"

case_ "syslat: usage and bad options"
lt "$SRC_DIR/scripts/syslat.lua" -h
assert_contains "$(cat "$OUT" "$ERR")" "usage" "usage line"
lt "$SRC_DIR/scripts/syslat.lua" --bogus
assert_rc 1

finish
