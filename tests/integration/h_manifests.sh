#!/bin/bash
# SPDX-License-Identifier: MIT
# h_manifests.sh -- hostile manifest files, dropped into the live directory
# one by one and then present at a cold start: a 100 MB file, billion
# laughs, 10,000-deep nesting, a million tiny documents, invalid UTF-8,
# NUL bytes, a symlink loop, a symlink leading outside the directory, a
# file the daemon cannot read. Each is logged with its file name and
# listed in `dropzonectl status` (the file table, and the JSON List as a
# ManifestFile) until it is fixed or removed; a good name keeps answering
# throughout (a prober asks it in a loop); no good record is lost, and
# the outside target is never served.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
. "$(dirname "$0")/h_lib.sh"
need dig python3 awk

m="$tmp/m"
gen="$tmp/gen"
mkdir -p "$m" "$gen" "$tmp/outside"
zone_manifest "$m/zone.yaml" h.test
a_record "$m/www.yaml" www 192.0.2.1 h.test
a_record "$m/mail.yaml" mail 192.0.2.2 h.test
a_record "$tmp/outside/secret.yaml" secret 192.0.2.66 h.test
unreadable=yes
as_nobody || unreadable=no
ctl() { "$DROPZONECTL" --state-dir "$tmp/state" "$@"; }

# drop NAME: move $gen/NAME into the manifest directory in one step
drop() { mv "$gen/$1" "$m/$1"; }

# The file table of `ctl status`: "FILE READY REASON MESSAGE" rows.
_file_row() { ctl status 2>/dev/null | grep -Eq -- "^$1 +False +$2 +$3"; }
# file_row FILE_ERE REASON MESSAGE_ERE: wait (10 s) for that row
file_row()
{
	wait_for -t 10 _file_row "$@" ||
		fail "no status row /$1 False $2 $3/ in:"$'\n'"$(ctl status)"
}
_no_file_row() { ! ctl status 2>/dev/null | grep -Eq -- "^$1 +False "; }
# file_gone FILE_ERE: wait (10 s) until FILE has left the file table
file_gone()
{
	wait_for -t 10 _no_file_row "$1" ||
		fail "$1 still in the file table:"$'\n'"$(ctl status)"
}

start_server "$m"
wait_answer www.h.test A 192.0.2.1
wait_answer mail.h.test A 192.0.2.2
probe_start www.h.test 192.0.2.1

gen_big "$gen/big.yaml" 100
drop big.yaml
wait_log 'big\.yaml: error: file is 104857600 bytes, larger than the' \
	"100 MB file not refused"
file_row 'big\.yaml' LoadFailed 'big\.yaml: file is 104857600 bytes, larger'
out=$(ctl status)
expect_match "$out" '^FILE +READY +REASON +MESSAGE$' "file table header"
expect_match "$out" 'ARecord +test +a-www-h-test +h\.test +True' \
	"object table before the file table"

gen_laughs "$gen/laughs.yaml"
drop laughs.yaml
wait_log 'laughs\.yaml:[0-9]+:[0-9]+: error: aliases expand to more than' \
	"billion laughs not refused"
file_row 'laughs\.yaml' LoadFailed 'laughs\.yaml:[0-9]+:[0-9]+: aliases expand'

gen_deep "$gen/deep.yaml" 10000
drop deep.yaml
wait_log 'deep\.yaml:1:[0-9]+: error: nesting deeper than 64 levels' \
	"10,000-deep nesting not refused"
file_row 'deep\.yaml' LoadFailed 'deep\.yaml:1:[0-9]+: nesting deeper than 64'

gen_docs "$gen/docs.yaml" 1000000
drop docs.yaml
wait_log 'docs\.yaml:100001:1: error: more than 100000 documents' \
	"a million documents not refused"
file_row 'docs\.yaml' LoadFailed 'docs\.yaml:100001:1: more than 100000'

# A good file turned bad keeps its last good records, and says why.
{ a_record /dev/stdout mail 192.0.2.2 h.test; printf 'x: "\xff\xfe"\n'; } |
	put "$m/mail.yaml"
wait_log 'mail\.yaml:[0-9]+:[0-9]+: error: yaml syntax error: invalid .*UTF-8' \
	"invalid UTF-8 not reported"
file_row 'mail\.yaml' LoadFailed \
	'mail\.yaml:[0-9]+:[0-9]+: .*UTF-8.*\(last good version still served\)$'
expect_eq "$(answer mail.h.test)" 192.0.2.2 "record lost to invalid UTF-8"
{ a_record /dev/stdout mail 192.0.2.2 h.test; printf 'x: a\0b\n'; } |
	put "$m/mail.yaml"
wait_log 'mail\.yaml:[0-9]+:[0-9]+: error: yaml syntax error: control char' \
	"NUL byte not reported"
file_row 'mail\.yaml' LoadFailed 'mail\.yaml:[0-9]+:[0-9]+: .*control char.*last good'
expect_eq "$(answer mail.h.test)" 192.0.2.2 "record lost to a NUL byte"
y=$(ctl status ARecord/a-mail-h-test -n test) || fail "status: $y"
expect_match "$y" 'reason: ReconcileFailed' "mail status after a NUL byte"
expect_match "$y" \
	'message: "mail\.yaml:[0-9]+:[0-9]+: .*control char.*last good' \
	"mail status message after a NUL byte"

ln -s loop2.yaml "$m/loop1.yaml"
ln -s loop1.yaml "$m/loop2.yaml"
wait_log "loop[12]\.yaml: cannot follow symlink: Too many levels" \
	"symlink loop not reported"
# loop1 dangled for a moment: its row follows its target.
file_row 'loop1\.yaml' Skipped 'loop1\.yaml: cannot follow symlink: Too many'
file_row 'loop2\.yaml' Skipped 'loop2\.yaml: cannot follow symlink: Too many'

ln -s "$tmp/outside/secret.yaml" "$m/secret.yaml"
wait_log 'secret\.yaml: symlink leads outside the manifest directory' \
	"symlink out of the directory not reported"
file_row 'secret\.yaml' Skipped \
	"secret\.yaml: symlink leads outside the manifest directory, to '.*secret\.yaml': not followed"
expect_eq "$(dig_status "$(q secret.h.test A)")" NXDOMAIN \
	"a record behind an outside symlink is served"

if [ "$unreadable" = yes ]; then
	a_record "$gen/hidden.yaml" hidden 192.0.2.5 h.test
	chmod 000 "$gen/hidden.yaml"
	drop hidden.yaml
	wait_log 'hidden\.yaml: error: cannot open file: Permission denied' \
		"unreadable file not reported"
	file_row 'hidden\.yaml' LoadFailed \
		'hidden\.yaml: cannot open file: Permission denied'
else
	echo "note: unreadable file not tried (root without setpriv)" >&2
fi

# Everything good still served, the daemon alive, no answer missed.
kill -0 "$SERVER_PID" || fail "dropzoned died"
expect_eq "$(answer www.h.test)" 192.0.2.1 "www lost"
expect_eq "$(answer mail.h.test)" 192.0.2.2 "mail lost"
probe_stop

# The JSON List: the objects as before, then one ManifestFile per file.
j=$(ctl status -o json) || fail "status -o json: $j"
expect_match "$j" '"kind": "ARecord"' "objects left out of the JSON list"
if command -v python3 >/dev/null; then
	got=$(printf '%s\n' "$j" | python3 -c '
import json, sys
for it in json.load(sys.stdin)["items"]:
    if it["kind"] != "ManifestFile":
        continue
    c = it["status"]["conditions"][0]
    assert it["apiVersion"] == "dropzone.io/v1", it
    assert c["type"] == "Ready" and c["status"] == "False", it
    assert c["message"].startswith(it["metadata"]["name"] + ":"), it
    assert c["lastTransitionTime"].endswith("Z"), it
    print(it["metadata"]["name"], c["reason"])
') || fail "status -o json: not the List expected: $j"
	want="big.yaml LoadFailed
deep.yaml LoadFailed
docs.yaml LoadFailed"
	[ "$unreadable" = yes ] && want="$want
hidden.yaml LoadFailed"
	want="$want
laughs.yaml LoadFailed
loop1.yaml Skipped
loop2.yaml Skipped
mail.yaml LoadFailed
secret.yaml Skipped"
	expect_eq "$got" "$want" "ManifestFile items"
fi
y=$(ctl status ManifestFile/secret.yaml) || fail "status one file: $y"
expect_match "$y" '^kind: ManifestFile$' "one file: kind"
expect_match "$y" '^    reason: Skipped$' "one file: reason"

# Fixed or removed: the file leaves the table, the others stay.
a_record /dev/stdout mail 192.0.2.22 h.test | put "$m/mail.yaml"
wait_answer mail.h.test A 192.0.2.22
file_gone 'mail\.yaml'
a_record /dev/stdout big 192.0.2.7 h.test | put "$m/big.yaml"
wait_answer big.h.test A 192.0.2.7
file_gone 'big\.yaml'
rm "$m/loop2.yaml"
file_row 'loop1\.yaml' Skipped \
	'loop1\.yaml: cannot follow symlink: No such file or directory'
file_gone 'loop2\.yaml'
# The dangling symlink is read once its target is there.
a_record "$gen/loop2.yaml" loop 192.0.2.9 h.test
drop loop2.yaml
wait_answer loop.h.test A 192.0.2.9
file_gone 'loop1\.yaml'
rm "$m/loop1.yaml" "$m/loop2.yaml"
ln -s loop2.yaml "$m/loop1.yaml"
ln -s loop1.yaml "$m/loop2.yaml"
file_row 'loop2\.yaml' Skipped 'loop2\.yaml: cannot follow symlink: Too many'
file_row 'deep\.yaml' LoadFailed 'deep'

# Cold start with every hostile file in place.
stop_server
start_server "$m"
wait_answer www.h.test A 192.0.2.1
wait_answer mail.h.test A 192.0.2.22
for f in laughs deep docs loop1 loop2 secret; do
	log_has "$f\.yaml[:0-9]*: " || fail "$f.yaml not reported at start-up"
done
if [ "$unreadable" = yes ]; then
	log_has 'hidden\.yaml: error: cannot open file' ||
		fail "hidden.yaml not reported at start-up"
	file_row 'hidden\.yaml' LoadFailed 'hidden\.yaml: cannot open file'
fi
file_row 'laughs\.yaml' LoadFailed 'laughs\.yaml:[0-9]+:[0-9]+: aliases'
file_row 'deep\.yaml' LoadFailed 'deep\.yaml:1:[0-9]+: nesting'
file_row 'docs\.yaml' LoadFailed 'docs\.yaml:100001:1: more than'
file_row 'loop1\.yaml' Skipped 'loop1\.yaml: cannot follow symlink: Too many'
file_row 'loop2\.yaml' Skipped 'loop2\.yaml: cannot follow symlink: Too many'
file_row 'secret\.yaml' Skipped 'secret\.yaml: symlink leads outside'
out=$(ctl status)
expect_no_match "$out" '^(big|mail)\.yaml ' "a fixed file listed at start-up"
# Each skipped symlink logged once: by the scan, not again by the apply.
expect_eq "$(grep -c 'secret\.yaml: .*symlink leads outside' "$SERVER_LOG")" \
	1 "the outside symlink logged more than once at start-up"
expect_eq "$(dig_status "$(q secret.h.test A)")" NXDOMAIN \
	"outside symlink followed at start-up"
out=$(ctl status) || fail "status: $out"
expect_match "$out" 'ARecord +test +a-mail-h-test +h\.test +True' "mail row"
stop_server
