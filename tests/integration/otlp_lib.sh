# The OTLP receiver of the tests (otlp_receiver.py) for test_otlp*.sh; sourced after lib.sh.
#
#   receiver_start NAME [RECEIVER ARGS]   in the background; RPORT once it listens
#   receiver_clear NAME                   forgets the spans and requests recorded so far
#   receiver_stop NAME                    ends it (before finish)
#   facts NAME [SPAN NAME]                otlp_facts.py of its spans into $TMP/facts; fact KEY
#   no_violations NAME                    asserts no body broke the OTLP JSON mapping

receiver_start() {
	local name=$1
	shift
	rm -f "$TMP/$name.port"
	: >"$TMP/$name.spans"
	: >"$TMP/$name.violations"
	: >"$TMP/$name.log"
	python3 "$SRC_DIR/tests/integration/otlp_receiver.py" --port-file "$TMP/$name.port" \
		--spans "$TMP/$name.spans" --violations "$TMP/$name.violations" \
		--log "$TMP/$name.log" "$@" &
	eval "RPID_$name=$!"
	wait_file "$TMP/$name.port"
	RPORT=$(cat "$TMP/$name.port")
}

receiver_clear() {
	: >"$TMP/$1.spans"
	: >"$TMP/$1.log"
}

receiver_stop() {
	local var="RPID_$1"
	kill "${!var}" 2>/dev/null || true
	wait "${!var}" 2>/dev/null || true
}

facts() {
	python3 "$SRC_DIR/tests/integration/otlp_facts.py" "$TMP/$1.spans" ${2:+"$2"} >"$TMP/facts"
}

fact() {
	val "$1" "$TMP/facts"
}

no_violations() {
	assert_eq "" "$(head -3 "$TMP/$1.violations")" "bodies that break the OTLP JSON mapping"
}
