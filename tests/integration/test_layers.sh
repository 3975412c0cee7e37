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

case_ "no probe kind named outside its provider and its Lua table in l_probe.c, l_stack_opts.c, probe.c"
found=$(grep -nE '\bSPEC_[A-Z]+\b' "$SRC_DIR/src/lua/l_probe.c" "$SRC_DIR/src/lua/l_stack_opts.c" \
	"$SRC_DIR/src/core/probe.c" || true)
assert_eq "" "$found" "kind checks outside the providers"

finish
