#!/usr/bin/env bash
# The outputs of stacks: folded lines, the self-contained SVG flame graph (well-formed XML,
# the expected frames with widths in the profile's ratio, its script runs in a browser when
# chromium is installed; skipped otherwise) and the Perfetto / Chrome trace-event JSON of
# paired calls (one track per thread, calls nested by depth).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

HOT="$FIXTURE_DIR/stk_hot"
PY=$(command -v python3)

case_ "profile -f: folded lines 'comm;...;frame count'"
lt "$SRC_DIR/scripts/profile.lua" -F 499 -f -- "$HOT" 600
assert_rc 0
assert_match "$(grep -m1 'hot_three [0-9]' "$OUT")" "^stk_hot;.*hot_three [0-9]+$" \
	"a folded line ending in hot_three"
assert_eq 0 "$(grep -cvE '^[^ ]+ [0-9]+$' "$OUT" || true)" "lines that are not 'stack count'"

case_ "profile -o FILE.svg: well-formed SVG with the hot frames in ratio"
lt "$SRC_DIR/scripts/profile.lua" -F 499 -o "$TMP/cpu.svg" -- "$HOT" 1000
assert_rc 0
assert_contains "$(cat "$ERR")" "wrote $TMP/cpu.svg" "says where it wrote"
"$PY" - "$TMP/cpu.svg" >"$TMP/svg.out" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
frames = {}
for g in root.iter("{http://www.w3.org/2000/svg}g"):
    if g.get("class") != "f":
        continue
    name = g.get("data-name")
    rect = g.find("s:rect", ns)
    title = g.find("s:title", ns).text
    frames.setdefault(name, 0.0)
    frames[name] += float(rect.get("width"))
print("root=%s" % root.tag.split("}")[1])
print("script=%d" % len(root.findall("s:script", ns)))
print("has_all=%d" % ("all" in frames))
for n in ("hot_three", "hot_one", "stk_hot"):
    print("%s=%d" % (n, n in frames))
if frames.get("hot_one"):
    print("pct=%d" % round(100 * frames["hot_three"] / (frames["hot_three"] + frames["hot_one"])))
PY
assert_eq svg "$(val root "$TMP/svg.out")" "document element"
assert_eq 1 "$(val script "$TMP/svg.out")" "embedded script (zoom, search)"
assert_eq 1 "$(val has_all "$TMP/svg.out")" "root frame"
assert_eq 1 "$(val hot_three "$TMP/svg.out")" "hot_three frame"
assert_eq 1 "$(val hot_one "$TMP/svg.out")" "hot_one frame"
assert_eq 1 "$(val stk_hot "$TMP/svg.out")" "process frame (comm)"
assert_between 65 85 "$(val pct "$TMP/svg.out")" "hot_three's share of hot width"

case_ "the SVG's script runs in a headless browser and labels the frames (optional)"
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	echo "    skipped: chromium not installed (apt install chromium)"
else
	timeout 60 "$CHROME" --headless --no-sandbox --disable-gpu --virtual-time-budget=2000 --dump-dom \
		"file://$TMP/cpu.svg" >"$TMP/dom.txt" 2>/dev/null || true
	assert_match "$(cat "$TMP/dom.txt")" 'data-ready="[1-9][0-9]*"' "script initialised"
	assert_file_contains "$TMP/dom.txt" ">hot_three<" "hot_three label rendered"
fi

case_ "a Perfetto trace of paired calls: one track per thread, nested by depth"
cat >"$TMP/trace.lua" <<LUA
local trace = require("perfetto").new(arg[1])
probe("call:$FIXTURE_DIR/stk_fp:stk_*", function(e) trace:call(e) end)
on("end", function() print("events=" .. trace:close()) end)
LUA
lt "$TMP/trace.lua" "$TMP/trace.json" -- "$FIXTURE_DIR/stk_fp" leaf 3
assert_rc 0
assert_eq 12 "$(val events)" "calls written (4 functions x 3)"
"$PY" - "$TMP/trace.json" >"$TMP/json.out" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
evs = doc["traceEvents"]
calls = [e for e in evs if e["ph"] == "X"]
meta = [e for e in evs if e["ph"] == "M"]
ok = all(isinstance(e["ts"], (int, float)) and e["dur"] >= 0 and "pid" in e and "tid" in e
         for e in calls)
print("format=%s" % ok)
print("unit=%s" % doc.get("displayTimeUnit"))
print("threads=%d" % len({e["tid"] for e in calls}))
print("thread_names=%d" % len([m for m in meta if m["name"] == "thread_name"]))
# each stk_a contains a stk_b that contains a stk_c that contains a stk_leaf
def inside(a, b):
    return b["ts"] >= a["ts"] and b["ts"] + b["dur"] <= a["ts"] + a["dur"] + 0.001
nested = 0
for a in (e for e in calls if e["name"] == "stk_a"):
    chain, cur = 1, a
    for name in ("stk_b", "stk_c", "stk_leaf"):
        nxt = [e for e in calls if e["name"] == name and inside(cur, e)]
        if not nxt:
            break
        chain, cur = chain + 1, nxt[0]
    nested += chain == 4
print("nested=%d" % nested)
print("args=%s" % ("arg1" in calls[0].get("args", {})))
PY
assert_eq True "$(val format "$TMP/json.out")" "trace-event fields of every X event"
assert_eq ns "$(val unit "$TMP/json.out")" "displayTimeUnit"
assert_eq 1 "$(val threads "$TMP/json.out")" "one thread track"
assert_eq 1 "$(val thread_names "$TMP/json.out")" "the track is named"
assert_eq 3 "$(val nested "$TMP/json.out")" "stk_a > stk_b > stk_c > stk_leaf, three times"
assert_eq True "$(val args "$TMP/json.out")" "arguments kept"

finish
