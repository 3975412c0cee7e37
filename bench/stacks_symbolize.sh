#!/bin/bash
# Symbolization throughput and memory: random addresses in the text of a large binary
# (/usr/bin/python3.11, .dynsym only; and libc with its debug file for file:line) of a
# running process, symbolized by ltrace-ebpf's symbolizer (src/stacks/symbolize*.c) cold (first
# use: maps, symbol tables, debug files) and warm (tables cached), against eu-addr2line on
# the same addresses. Needs a build (BUILD_DIR, default build/) and elfutils. Prints a
# Markdown table.   bench/stacks_symbolize.sh [WARM_ADDRESSES]
# PYTHON_DBG=PATH adds rows for a large binary with full DWARF: python3.11d, the debug build
# in Debian's python3.11-dbg (24 MB; `apt-get download python3.11-dbg && dpkg -x` it into a
# directory, nothing installed), run as a second target.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$src/build}
n=${1:-2000000}
tmp=$(mktemp -d)
target2=
trap 'kill $target $target2 2>/dev/null || true; rm -rf "$tmp"' EXIT

cat >"$tmp/symbench.c" <<'C'
/* symbench PID PATH COUNT FLAGS OUT [DISTINCT]: COUNT random addresses in PATH's executable
 * mapping of PID (drawn from DISTINCT ones when given: a profile's stacks repeat); prints
 * cold/warm timings, RSS and cache hits, writes the module vaddrs (for eu-addr2line). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "symbolize.h"

/* CPU time, not wall time: the machine is shared, and a lookup never sleeps. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long rss_kb(void)
{
	char line[256];
	long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb;
}

int main(int argc, char **argv)
{
	int pid = atoi(argv[1]), flags = atoi(argv[4]);
	const char *path = argv[2];
	size_t n = strtoul(argv[3], NULL, 0), found = 0, cold_n = n < 100000 ? n : 100000;
	size_t distinct = argc > 6 ? strtoul(argv[6], NULL, 0) : 0, hits, misses;
	unsigned long long start = 0, end = 0, lo, hi;
	char line[4096], perms[8], file[4096];
	uint64_t *addr = malloc(n * sizeof(*addr)), x = 88172645463325252ULL;
	FILE *maps, *out = fopen(argv[5], "w");
	struct symbolizer *sy;
	struct sym_info si;
	double t0, t1, t2;
	long rss0;

	snprintf(line, sizeof(line), "/proc/%d/maps", pid);
	maps = fopen(line, "r");
	while (maps && fgets(line, sizeof(line), maps))
		if (sscanf(line, "%llx-%llx %7s %*s %*s %*s %4095s", &lo, &hi, perms, file) == 4 &&
		    perms[2] == 'x' && !strcmp(file, path) && !start)
			start = lo, end = hi;
	if (!start) {
		fprintf(stderr, "%s not mapped in %d\n", path, pid);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		addr[i] = distinct && i >= distinct ? addr[x % distinct] : start + x % (end - start);
	}
	rss0 = rss_kb();
	sy = symbolizer_new();
	t0 = now();
	symbolize_user(sy, pid, addr[0], flags, &si);	/* the first: maps and tables load */
	t1 = now();
	for (size_t i = 1; i < cold_n; i++)
		symbolize_user(sy, pid, addr[i], flags, &si);
	t2 = now();
	printf("first_ms=%.1f\ncold_rate=%.0f\n", (t1 - t0) * 1e3, (cold_n - 1) / (t2 - t1));
	t0 = now();
	for (size_t i = 0; i < n; i++)
		found += !symbolize_user(sy, pid, addr[i], flags, &si);
	t1 = now();
	symbolizer_cache_stats(sy, &hits, &misses);
	printf("warm_rate=%.0f\nfound_pct=%.1f\nrss_kb=%ld\nhit_pct=%.1f\n", n / (t1 - t0),
	       100.0 * found / n, rss_kb() - rss0, 100.0 * hits / (hits + misses));
	for (size_t i = 0; i < cold_n && out; i++) {
		symbolize_user(sy, pid, addr[i], 0, &si);
		fprintf(out, "0x%llx\n", (unsigned long long)si.module_off);
	}
	if (out)
		fclose(out);
	symbolizer_free(sy);
	free(addr);
	return 0;
}
C
libs=$(pkg-config --libs libelf libdw)
cc -O2 -I"$src/src/stacks" -I"$src/bpf-templates" "$tmp/symbench.c" "$build/libltcore.a" $libs \
	-llzma -liberty -lz -o "$tmp/symbench"

/usr/bin/python3.11 -c 'import time; time.sleep(600)' &
target=$!
sleep 0.5
libc=$(awk '$2 ~ /x/ && $6 ~ /libc\.so/ { print $6; exit }' "/proc/$target/maps")

row() {	# NAME PATH FLAGS (0 = symbols, 1 = symbols + file:line) [DISTINCT [PID]]
	local name=$1 path=$2 flags=$3 out e2l
	out=$("$tmp/symbench" "${5:-$target}" "$path" "$n" "$flags" "$tmp/vaddrs" "${4:-0}")
	local first cold warm found rss hit
	first=$(grep first_ms <<<"$out" | cut -d= -f2)
	cold=$(grep cold_rate <<<"$out" | cut -d= -f2)
	warm=$(grep warm_rate <<<"$out" | cut -d= -f2)
	found=$(grep found_pct <<<"$out" | cut -d= -f2)
	rss=$(grep rss_kb <<<"$out" | cut -d= -f2)
	hit=$(grep hit_pct <<<"$out" | cut -d= -f2)
	# eu-addr2line on the same addresses (module vaddrs), one process, addresses on stdin.
	local cnt t0 t1 opts=(-S)	# symbol+offset; file:line is printed anyway
	cnt=$(wc -l <"$tmp/vaddrs")
	t0=$(date +%s%N)
	eu-addr2line -e "$path" "${opts[@]}" <"$tmp/vaddrs" >/dev/null
	t1=$(date +%s%N)
	e2l=$(awk -v c="$cnt" -v d="$(( t1 - t0 ))" 'BEGIN { printf "%.0f", c / (d / 1e9) }')
	echo "| $name | $first | $cold | $warm | $hit% | $found% | $(( rss / 1024 )) MiB | $e2l |"
}

echo "### Symbolization ($n warm lookups of random text addresses; cold = the first 100000 after a fresh start; rates per CPU second)"
echo
echo "| binary, what | first address (ms: maps + tables) | cold addr/s | warm addr/s | cache hits | named | RSS growth | eu-addr2line addr/s |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
row "python3.11 (6.8 MB, .dynsym), symbol+offset" /usr/bin/python3.11 0
row "libc.so.6 + debug file, symbol+offset" "$libc" 0
row "libc.so.6 + debug file, symbol + file:line" "$libc" 1
row "python3.11, symbol+offset, 2,000 distinct addresses (a profile's stacks)" /usr/bin/python3.11 0 2000
row "libc.so.6 + debug file, symbol + file:line, 2,000 distinct addresses" "$libc" 1 2000
if [ -n "${PYTHON_DBG:-}" ]; then
	"$PYTHON_DBG" -c 'import time; time.sleep(600)' &
	target2=$!
	sleep 0.5
	row "python3.11d (24 MB, full DWARF), symbol+offset" "$PYTHON_DBG" 0 0 "$target2"
	row "python3.11d, symbol + file:line" "$PYTHON_DBG" 1 0 "$target2"
fi
