#!/usr/bin/env bash
# Calls go down the layers (docs/architecture.md, "Direction of calls"): the core and the
# probe kinds know no scripting language, and the core names no probe kind's template. A provider's options and fields reach Lua through
# its kind's table in src/lua/kinds/, never through a lua_State in struct provider.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# Headers of the Lua layer: Lua's own and every header in src/lua/.
lua_headers() {
	printf '%s\n' lua.h lauxlib.h lualib.h
	find "$SRC_DIR/src/lua" -name '*.h' -printf '%f\n'
}

case_ "src/core and src/probes include no Lua header and nothing from src/lua"
pattern=$(lua_headers | sed 's/\./\\./g' | paste -sd'|')
found=$(grep -rnE "^#include [<\"]($pattern)[>\"]" "$SRC_DIR/src/core" "$SRC_DIR/src/probes" || true)
assert_eq "" "$found" "includes of the Lua layer below it"

case_ "no lua_State in the providers nor in the core: the script's state is the Lua layer's"
found=$(grep -rn 'lua_State' "$SRC_DIR/src/probes" "$SRC_DIR/src/core" || true)
assert_eq "" "$found" "lua_State below the Lua layer"

# The owner of the shared maps is a template of maps alone (bpf-templates/shared_maps.bpf.c);
# -f's follow.bpf.c is the session's, not a probe kind's.
case_ "src/core includes no probe kind's template skeleton"
found=$(grep -rnE '^#include [<"][a-z_]+\.skel\.h[>"]' "$SRC_DIR/src/core" |
	grep -vE '[<"](shared_maps|follow)\.skel\.h[>"]' || true)
assert_eq "" "$found" "a kind's skeleton in the core"

# A kind is spelled by its provider (struct spec_kind in src/probes/<kind>/provider_*.c):
# spec strings, the kinds table and the probe lifecycle name none, so a new kind is its
# folder and one line in provider.c.
kinds='uprobe|uretprobe|call|usdt|tracepoint|syscall|kprobe|kretprobe|kcall|profile|offcpu|rawtracepoint|tp_btf'
case_ "no probe kind spelled in spec.c, provider.c, probe.c, l_probe.c, l_stack_opts.c"
found=$(grep -nE "\"($kinds)\"|\\bSPEC_(UPROBE|CALL|USDT|TRACEPOINT|SYSCALL|KPROBE|PROFILE|OFFCPU|RAWTP)\\b" \
	"$SRC_DIR/src/core/spec.c" "$SRC_DIR/src/core/provider.c" "$SRC_DIR/src/core/probe.c" \
	"$SRC_DIR/src/lua/l_probe.c" "$SRC_DIR/src/lua/l_stack_opts.c" || true)
assert_eq "" "$found" "kind names outside the providers"

case_ "each kind is spelled once, in its provider's folder"
for k in ${kinds//|/ }; do
	where=$(grep -rlE "\.(name|alias) = [^;]*\"$k\"" "$SRC_DIR/src" | sed "s|$SRC_DIR/||" || true)
	case "$where" in
	src/probes/*/provider_*.c) assert_eq 1 "$(printf '%s\n' "$where" | wc -l)" "$k spelled in: $where" ;;
	*) assert_eq "src/probes/<kind>/provider_*.c" "$where" "where $k is spelled" ;;
	esac
done

finish
