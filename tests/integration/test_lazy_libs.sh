#!/usr/bin/env bash
# Libraries loaded by the options that need them (src/base/dl_lib.c), not at every start:
# libcurl (--otlp), libmicrohttpd and GnuTLS (--metrics, --http), libjwt and OpenSSL
# (--http-jwt-key). A session without those options maps none of them; an option whose
# library is missing says so in one line and does not start.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

case_ "a session without --otlp, --metrics, --http maps none of their libraries"
lt -E 'local m = io.open("/proc/self/maps"):read("a")
for _, l in ipairs({ "libcurl", "libmicrohttpd", "libgnutls", "libjwt", "libcrypto" }) do
  if m:find(l, 1, true) then print("mapped " .. l) end
end
print("done")'
assert_rc 0 "exit status"
assert_eq "done" "$(cat "$OUT")" "none of them mapped"

# without SONAME ARGS...: the tool with SONAME's file replaced by /dev/null (no ELF) in a
# mount namespace of its own; RC, $OUT, $ERR as lt's.
without() {
	local so
	so=$(readlink -f "$(ldconfig -p | awk -v n="$1" '$1 == n && /x86-64/ { print $NF; exit }')")
	shift
	LAST_CMD="($so hidden) ltrace-ebpf $*"
	RC=0
	timeout -k 5 30 unshare -m sh -c 'mount --bind /dev/null "$1" && shift && exec "$@"' \
		sh "$so" "$LTRACE_EBPF" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}

case_ "a library missing: one line naming the option and the library, no start"
head -c 48 /dev/urandom >"$TMP/jwt.key"
while read -r so flag args; do
	# shellcheck disable=SC2086 # the options are words
	without "$so" $args -E 'x = 1'
	assert_ne 0 "$RC" "$flag without $so: exit status"
	assert_eq 1 "$(grep -c . "$ERR" || true)" "$flag without $so: one line on stderr"
	assert_file_contains "$ERR" "ltrace-ebpf: $flag: cannot load $so: " \
		"$flag without $so: the line names both"
done <<EOF_CASES
libcurl.so.4 --otlp --otlp http://127.0.0.1:9/
libmicrohttpd.so.12 --metrics --metrics 127.0.0.1:0
libmicrohttpd.so.12 --http --http 127.0.0.1:0
libjwt.so.0 --http-jwt-key --http 127.0.0.1:0 --http-jwt-key $TMP/jwt.key
EOF_CASES

finish
