#!/bin/bash
# Cost of stacks: per probe hit (frame-pointer stack id, frames in a record, DWARF stack
# copy, DWARF unwinding in user space) and per profile sample, against bpftrace's ustack
# and kstack. Two measures per configuration:
#   bpf ns/event  the BPF program's own run time per run (kernel.bpf_stats_enabled),
#                 which isolates the stack capture from the uprobe trap both tools pay;
#   wall us/call  (traced run - untraced run) / calls, the whole cost the target sees.
# Needs root, a build (BUILD_DIR, default build/) and bpftrace. Prints a Markdown table.
#   bench/stacks_capture.sh [CALLS]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
lt=$build/ltrace-ebpf
fix=$build/tests/fixtures
calls=${1:-1000000}
bin=$fix/stk_fp
hot=$fix/stk_hot
tmp=$(mktemp -d)
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
trap 'sysctl -qw kernel.bpf_stats_enabled=$old_stats; rm -rf "$tmp"' EXIT
sysctl -qw kernel.bpf_stats_enabled=1

max_prog_id() { bpftool prog show -j | python3 -c 'import json,sys; print(max([p["id"] for p in json.load(sys.stdin)] or [0]))'; }

# prog_ns SINCE_ID: ns per run of the busiest program created after SINCE_ID.
prog_ns() {
	bpftool prog show -j | python3 -c '
import json, sys
since = int(sys.argv[1])
progs = [p for p in json.load(sys.stdin) if p["id"] > since and p.get("run_cnt", 0) > 0]
p = max(progs, key=lambda p: p["run_cnt"], default=None)
print("%.0f %d" % (p["run_time_ns"] / p["run_cnt"], p["run_cnt"]) if p else "- 0")' "$1"
}

# measure NAME CMD...: wall seconds of CMD, BPF ns per run sampled 1 s in, CPU of CMD.
measure() {
	local name=$1 since start end ns
	shift
	since=$(max_prog_id)
	start=$(date +%s%N)
	/usr/bin/time -f "%U %S" -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" &
	local pid=$!
	sleep 1.5
	ns=$(prog_ns "$since")
	wait "$pid" || { echo "$name failed:" >&2; tail -5 "$tmp/err" >&2; }
	end=$(date +%s%N)
	echo "$name|$(( (end - start) / 1000 ))|$ns|$(cat "$tmp/time")"
}

base_us=$( { /usr/bin/time -f "%e" "$bin" leaf "$calls" >/dev/null; } 2>&1 | awk '{ print $1 * 1e6 }')
probe="$bin:stk_leaf"
results=()
results+=("$(measure "ltrace-ebpf count, no stack" "$lt" -E "probe('$probe', {print=false})" -- "$bin" leaf "$calls")")
results+=("$(measure "bpftrace count, no stack" bpftrace -e "uprobe:$probe { @ = count(); }" -c "$bin leaf $calls")")
results+=("$(measure "ltrace-ebpf by=ustack (fp, sleepable: frames hashed into lt_stack_frames)" "$lt" -E "probe('$probe', {by='ustack', print=false})" -- "$bin" leaf "$calls")")
results+=("$(measure "ltrace-ebpf by=ustack (fp, non-sleepable: bpf_get_stackid)" env LTRACE_EBPF_NO_SLEEPABLE=1 "$lt" -E "probe('$probe', {by='ustack', print=false})" -- "$bin" leaf "$calls")")
results+=("$(measure "bpftrace @[ustack] = count()" bpftrace -e "uprobe:$probe { @[ustack] = count(); }" -c "$bin leaf $calls")")
results+=("$(measure "bpftrace @[kstack] = count()" bpftrace -e "uprobe:$probe { @[kstack] = count(); }" -c "$bin leaf $calls")")
results+=("$(measure "ltrace-ebpf record, fp frames" "$lt" -E "probe('$probe', {stack='user', unwind='fp'}, function(e) end)" -- "$bin" leaf "$calls")")
results+=("$(measure "ltrace-ebpf record, DWARF copy" "$lt" -E "probe('$probe', {stack='user', unwind='dwarf'}, function(e) end)" -- "$bin" leaf "$calls")")
results+=("$(measure "ltrace-ebpf record, DWARF copy + unwind" "$lt" -E "probe('$probe', {stack='user', unwind='dwarf'}, function(e) local s = e.ustack end)" -- "$bin" leaf "$calls")")
results+=("$(measure "ltrace-ebpf record, fp frames + decode" "$lt" -E "probe('$probe', {stack='user', unwind='fp'}, function(e) local s = e.ustack end)" -- "$bin" leaf "$calls")")

echo "### Stack capture per probe hit ($calls calls of stk_leaf, 5 frames deep; untraced run $(( ${base_us%.*} / 1000 )) ms)"
echo
echo "| configuration | bpf ns/event | wall us/call over untraced | CPU us/call, tool + target (user+sys) |"
echo "|---|---:|---:|---:|"
for r in "${results[@]}"; do
	IFS='|' read -r name wall ns tm <<<"$r"
	read -r bns cnt <<<"$ns"
	read -r u s <<<"$tm"
	awk -v n="$name" -v w="$wall" -v b="$base_us" -v c="$calls" -v bns="$bns" -v u="$u" -v s="$s" \
		'BEGIN { printf "| %s | %s | %.2f | %.2f |\n", n, bns, (w - b) / c, (u + s) * 1e6 / c }'
done

# Profiling: ns per sample at 4999 Hz on every CPU, every CPU busy (one stk_hot per CPU),
# system-wide, so every run of either tool's program is a sample with a user stack. Three
# alternating runs each; the median is shown (single runs vary by 2x on this VM).
profile_run() {	# lt|bt -> "ns samples"
	local hots=() since pid out
	for _ in $(seq "$(nproc)"); do "$hot" 4000 & hots+=($!); done
	since=$(max_prog_id)
	if [ "$1" == lt ]; then
		"$lt" -E "probe('profile:hz:4999', {print=false}); after('2s', exit)" >/dev/null 2>&1 &
	else
		bpftrace -e 'profile:hz:4999 { @[ustack, kstack] = count(); } interval:s:2 { exit(); }' \
			>/dev/null 2>&1 &
	fi
	pid=$!
	sleep 1.8
	out=$(prog_ns "$since")
	wait "$pid" || true
	kill "${hots[@]}" 2>/dev/null || true
	wait "${hots[@]}" 2>/dev/null || true
	echo "$out"
}
declare -A runs
for i in 1 2 3; do
	for cfg in lt bt; do runs[$cfg]+="$(profile_run $cfg | awk '{ print $1 }') "; done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | sed -n 2p; }
echo
echo "### Per profile sample (4999 Hz on every CPU, all CPUs busy, user + kernel stack ids counted)"
echo
echo "| configuration | bpf ns/sample, median of 3 | runs |"
echo "|---|---:|---|"
echo "| ltrace-ebpf profile:hz:4999 (by stack) | $(median "${runs[lt]}") | ${runs[lt]}|"
echo "| bpftrace profile:hz:4999 { @[ustack, kstack] = count() } | $(median "${runs[bt]}") | ${runs[bt]}|"
