#!/bin/bash
# SPDX-License-Identifier: MIT
# t_ferret_daemon.sh -- a sample of the Ferret conformance cases through the
# real dropzoned: every 240th case (about 40, deterministic) is written to
# its own manifest directory, served by a fresh daemon (zone names repeat
# across cases) and asked over UDP by ferret --server, which compares the
# response the same way as the in-process run (tests/conformance/README.md).
# Passes when every sampled case that is not skipped (a kind without a
# plugin) and not listed in known-failures.txt matches.
. "$(dirname "$0")/common.sh"

FERRET="$top_builddir/tests/conformance/ferret"
KNOWN="$top_srcdir/tests/conformance/known-failures.txt"
STEP=${FERRET_STEP:-240}
[ -x "$FERRET" ] || skip "$FERRET was not built (json-c missing?)"
need dig

ids=$("$FERRET" --sample "$STEP")
rc=$?
[ "$rc" -eq 77 ] && skip "no Ferret corpus under DZ_SHARED='${DZ_SHARED:-}'"
if [ "$rc" -ne 0 ] || [ -z "$ids" ]; then
	fail "ferret --sample $STEP failed ($rc)"
fi

npass=0 nskip=0 nknown=0 failed=()
for id in $ids; do
	dir="$tmp/case-$id"
	mkdir -p "$dir"
	# In-process first: a skipped case needs no daemon.
	rc=0
	"$FERRET" --case "$id" --known "$KNOWN" --log "$dir/inproc.log" \
		>"$dir/inproc.out" 2>&1 || rc=$?
	if [ "$rc" -eq 77 ]; then
		nskip=$((nskip + 1))
		continue
	fi
	query=$("$FERRET" --emit "$id" "$dir") ||
		fail "ferret --emit $id failed"
	start_server "$dir"
	rc=0
	"$FERRET" --case "$id" --known "$KNOWN" --log "$dir/daemon.log" \
		--server 127.0.0.1 "$PORT" >"$dir/daemon.out" 2>&1 || rc=$?
	stop_server
	case $rc in
	0)
		if grep -q "^$id " "$dir/daemon.log" &&
		   ! grep -q "^$id .*\[pass, authority differs\]" \
			"$dir/daemon.log"; then
			nknown=$((nknown + 1))
		else
			npass=$((npass + 1))
		fi
		;;
	*)
		echo "---- case $id ($query): ferret --server exit $rc"
		cat "$dir/daemon.log" "$dir/daemon.out"
		failed+=("$id")
		;;
	esac
done

echo "ferret through dropzoned: $npass pass, $nknown known failures," \
     "$nskip skipped, ${#failed[@]} failed (every ${STEP}th case)"
[ "${#failed[@]}" -eq 0 ] ||
	fail "cases failing through the daemon: ${failed[*]}" \
	     "(details: ferret -v ID)"
exit 0
