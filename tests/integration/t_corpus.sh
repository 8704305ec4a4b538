#!/bin/bash
# SPDX-License-Identifier: MIT
# t_corpus.sh -- every file of the bindy examples corpus through
# dropzonectl check, alone; then the whole corpus served by one dropzoned.
. "$(dirname "$0")/common.sh"

corpus="${DZ_SHARED:-$top_srcdir/../shared}/corpus/bindy-examples"
[ -d "$corpus" ] || skip "corpus not found at $corpus (set DZ_SHARED)"
[ -x "$DROPZONECTL" ] || fail "$DROPZONECTL was not built"

# check_alone FILE: copy FILE alone into a fresh dir, run check; sets
# $out (stdout), $err (stderr) and $rc.
check_alone()
{
	local d="$tmp/alone/${1%.yaml}"
	mkdir -p "$d"
	cp "$corpus/$1" "$d/"
	rc=0
	out=$("$DROPZONECTL" check "$d" 2>"$tmp/stderr") || rc=$?
	err=$(cat "$tmp/stderr")
}

n=0
for path in "$corpus"/*.yaml "$corpus"/*.yml; do
	[ -f "$path" ] || continue
	f=$(basename "$path")
	n=$((n + 1))
	check_alone "$f"
	case "$f" in
	invalid-mx-mailserver-with-space.yaml)
		expect_eq "$rc" 1 "$f: exit status"
		expect_match "$out" "^${f//./\\.}:14:[0-9]+: error: .*mailServer" \
			"$f: no error naming mailServer at line 14"
		;;
	invalid-dnszone-zonename-bare-ip.yaml)
		expect_eq "$rc" 1 "$f: exit status"
		expect_match "$out" "^${f//./\\.}:[0-9]+:[0-9]+: error: .*zoneName" \
			"$f: no error naming zoneName"
		;;
	invalid-cname-target-no-trailing-dot.yaml)
		# Served with a warning naming the field, the value and the
		# line: the target has no trailing dot (MANIFESTS.md).
		expect_eq "$rc" 0 "$f: exit status (warnings only)"
		expect_no_match "$out" ': error: ' "$f: unexpected error"
		expect_match "$out" \
			"^${f//./\\.}:13:[0-9]+: warning: target 'example\\.github\\.io' has no trailing dot" \
			"$f: no trailing-dot warning for target at line 13"
		;;
	*)
		[ "$rc" -eq 0 ] ||
			fail "$f: check exited $rc"$'\n'"$out"$'\n'"$err"
		expect_no_match "$out" ': error: ' "$f: unexpected error"
		;;
	esac
	# The summary line goes to stderr, the diagnostics to stdout.
	expect_match "$err" '^[0-9]+ errors?, [0-9]+ warnings? in 1 file' \
		"$f: no summary line on stderr"
done
[ "$n" -gt 0 ] || skip "no YAML files in $corpus"
echo "checked $n corpus files"

# The whole corpus at once: invalid files and duplicate zones do not keep
# the daemon from serving the rest.
need dig
mkdir -p "$tmp/all"
cp "$corpus"/*.yaml "$tmp/all/"
start_server "$tmp/all"
wait_up internal.local
expect_match "$(q SOA internal.local)" 'status: NOERROR' \
	"corpus: SOA internal.local"
expect_match "$(q SOA example.com)" 'status: NOERROR' "corpus: SOA example.com"
expect_match "$(q SOA 0.168.192.in-addr.arpa)" 'status: NOERROR' \
	"corpus: SOA of the reverse zone"
stop_server
