#!/bin/bash
# SPDX-License-Identifier: MIT
# d_config.sh -- the settings file: errors with FILE:LINE:COL and exit 2,
# --check-config, the command line beats the file, and every option is
# documented in conf/dropzoned.yaml and man/dropzoned.8.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/d_lib.sh"
need dig

m="$tmp/manifests"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" conf.test
c="$tmp/dz.yaml"

check() { "$DROPZONED" --config "$c" --check-config "$@" 2>&1; }

# A bad key, with its line and column; the exit status is 2.
printf 'manifests: %s\n# comment\n  \nlisten_addr: 127.0.0.1:53\n' "$m" >"$c"
rc=0; out=$(check) || rc=$?
expect_eq "$rc" 2 "exit status for an unknown key"
expect_match "$out" "^$c:4:1: key 'listen_addr': unknown setting; did you mean 'listen'\\?$" \
	"unknown key not reported with its line"

# A wrong type, and a key that only the command line takes.
printf 'threads: lots\nhelp: true\n' >"$c"
rc=0; out=$(check --manifests "$m") || rc=$?
expect_eq "$rc" 2 "exit status for a bad value"
expect_match "$out" "^$c:1:10: key 'threads': 'lots': not a number" \
	"bad number not reported"
expect_match "$out" "^$c:2:1: key 'help': only on the command line" \
	"command-line-only key not reported"

# A YAML syntax error.
printf 'listen: [127.0.0.1:53\n' >"$c"
rc=0; out=$(check --manifests "$m") || rc=$?
expect_eq "$rc" 2 "exit status for a syntax error"
expect_match "$out" "^$c:[0-9]+:[0-9]+: yaml syntax error" \
	"syntax error not reported"

# --config with a missing file is an error; a good file checks out.
rc=0; out=$("$DROPZONED" --config "$tmp/none.yaml" --check-config 2>&1) ||
	rc=$?
expect_eq "$rc" 2 "exit status for a missing --config file"
expect_match "$out" "none.yaml': No such file" "missing file not reported"
printf 'manifests: %s\nthreads: 2\nlisten:\n  - 127.0.0.1:53\n  - "[::1]:53"\n' \
	"$m" >"$c"
out=$(check) || fail "a good file fails --check-config: $out"
expect_match "$out" "settings ok \\(config file '$c'\\)" "no ok message"
# --check-config sees the command line too.
rc=0; out=$(check --manifests "$tmp/none") || rc=$?
expect_eq "$rc" 2 "--check-config ignores a bad --manifests"

# The shipped sample is valid (every key commented out).
out=$("$DROPZONED" --config "$top_srcdir/conf/dropzoned.yaml" \
	--manifests "$m" --check-config 2>&1) ||
	fail "conf/dropzoned.yaml fails --check-config: $out"

# The file's settings apply; the command line beats them: the file asks
# for debug logs and another port, the command line for info logs.
d_free_port
other=$PORT
printf 'manifests: /nonexistent\nlog-level: debug\nlisten: 127.0.0.1:%s\nthreads: 1\n' \
	"$other" >"$c"
start_server "$m" --config "$c" --allow-root
wait_up conf.test
expect_match "$(cat "$SERVER_LOG")" "debug: " "log-level from the file ignored"
expect_match "$(cat "$SERVER_LOG")" "serving on 127.0.0.1:$PORT( |\$)" \
	"not serving on the command line's address"
expect_no_match "$(cat "$SERVER_LOG")" "127.0.0.1:$other" \
	"the file's listen was not replaced by the command line's"
stop_server
start_server "$m" --config "$c" --allow-root --log-level info
wait_up conf.test
expect_no_match "$(cat "$SERVER_LOG")" "debug: " \
	"--log-level on the command line did not beat the file"
stop_server

# Every option: a key in conf/dropzoned.yaml (command-line-only ones
# excepted) and an entry in man/dropzoned.8.
opts=$("$DROPZONED" --help | sed -n 's/^ *\(-., \)\{0,1\}--\([a-z0-9-]*\).*/\2/p')
[ "$(wc -l <<<"$opts")" -gt 20 ] || fail "cannot read the options: $opts"
missing=""
for o in $opts; do
	case $o in config | check-config | help | version) ;;
	*) grep -Eq "^#?$o:" "$top_srcdir/conf/dropzoned.yaml" ||
		missing="$missing $o" ;;
	esac
done
[ -z "$missing" ] || fail "not in conf/dropzoned.yaml:$missing"
for o in $opts; do
	# roff: every "-" of the name is written "\-".
	grep -Fq -- "\\-\\-${o//-/\\-}" "$top_srcdir/man/dropzoned.8" ||
		missing="$missing $o"
done
[ -z "$missing" ] || fail "not in man/dropzoned.8:$missing"
