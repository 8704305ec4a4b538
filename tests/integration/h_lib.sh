# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# h_lib.sh -- shared by the hostile-input tests (h_*.sh), after common.sh
# and r_lib.sh: generators of hostile manifest files and a prober that
# keeps asking a good name while the daemon chews on them.
#
#   gen_big FILE MB          MB mebibytes of YAML comments
#   gen_laughs FILE          "billion laughs": 9 levels of 9 aliases
#   gen_deep FILE N          N nested flow sequences
#   gen_docs FILE N          N tiny documents
#   as_nobody                when root: the daemon runs as nobody (so
#                            that file modes mean something); returns 1
#                            when that is impossible
#   probe_start NAME WANT    dig NAME A in a loop until probe_stop
#   probe_stop               stop it; fail unless every answer was WANT
#   log_has ERE              the server log matches ERE (grep -E)
#   wait_log ERE MSG         wait (10 s) until log_has ERE, else fail MSG

gen_big()
{
	yes '# hostile padding: a comment line that says nothing at all' |
		head -c "$(($2 * 1024 * 1024))" >"$1"
}

gen_laughs()
{
	python3 - "$1" <<'EOF2'
import sys
with open(sys.argv[1], "w") as f:
    f.write("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
    for i in range(1, 10):
        p = "*a%d" % (i - 1)
        f.write("a%d: &a%d [%s]\n" % (i, i, ", ".join([p] * 9)))
EOF2
}

gen_deep()
{
	awk -v n="$2" 'BEGIN {
		printf "spec: "
		for (i = 0; i < n; i++) printf "["
		for (i = 0; i < n; i++) printf "]"
		print ""
	}' >"$1"
}

gen_docs()
{
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) print "--- {d: " i "}" }' \
		>"$1"
}

# A wrapper that starts dropzoned as nobody: start_server runs $DROPZONED.
as_nobody()
{
	local real=$DROPZONED
	[ "$(id -u)" = 0 ] || return 0
	command -v setpriv >/dev/null 2>&1 || return 1
	id nobody >/dev/null 2>&1 || return 1
	local group
	group=$(id -gn nobody)
	chmod 711 "$tmp"
	mkdir -p "$tmp/state"
	chown nobody:"$group" "$tmp/state"
	cat >"$tmp/dropzoned-nobody" <<EOF2
#!/bin/sh
exec setpriv --reuid=nobody --regid=$group --clear-groups \\
	"$real" "\$@"
EOF2
	chmod 755 "$tmp/dropzoned-nobody"
	DROPZONED=$tmp/dropzoned-nobody
}

# Stops on probe_stop, or when the test is over ($tmp removed at exit).
_h_probe()
{
	while [ -d "$tmp" ] && [ ! -e "$tmp/probe.stop" ]; do
		{
			q +tries=3 +short "$1" A 2>&1 | tr '\n' ' '
			echo
		} >>"$tmp/probe.out" 2>/dev/null
	done
}

probe_start()
{
	PROBE_WANT=$2
	rm -f "$tmp/probe.stop" "$tmp/probe.out"
	_h_probe "$1" &
	PROBE_PID=$!
	# stop it before common.sh removes $tmp, also when a check fails
	# shellcheck disable=SC2154
	trap '_dz_rc=$?; _h_probe_kill; _dz_cleanup; exit $_dz_rc' EXIT
}

_h_probe_kill()
{
	if [ -n "${PROBE_PID:-}" ]; then
		kill "$PROBE_PID" 2>/dev/null
		wait "$PROBE_PID" 2>/dev/null
		PROBE_PID=""
	fi
}

probe_stop()
{
	local bad
	touch "$tmp/probe.stop"
	wait "$PROBE_PID"
	PROBE_PID=""
	bad=$(grep -cvx "$PROBE_WANT " "$tmp/probe.out")
	[ "$bad" = 0 ] || fail "$bad of $(wc -l <"$tmp/probe.out") answers" \
		"were not '$PROBE_WANT' while the hostile files were read:" \
		"$(grep -vx "$PROBE_WANT " "$tmp/probe.out" | sort | uniq -c)"
	echo "prober: $(wc -l <"$tmp/probe.out") answers, all $PROBE_WANT"
}

log_has()
{
	grep -Eq -- "$1" "$SERVER_LOG"
}

wait_log()
{
	wait_for -t 10 log_has "$1" || fail "$2 (no /$1/ in the log)"
}
