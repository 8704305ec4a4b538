#!/bin/bash
# SPDX-License-Identifier: MIT
# h_manifests.sh -- hostile manifest files, dropped into the live directory
# one by one and then present at a cold start: a 100 MB file, billion
# laughs, 10,000-deep nesting, a million tiny documents, invalid UTF-8,
# NUL bytes, a symlink loop, a symlink leading outside the directory, a
# file the daemon cannot read. Each is logged with its file name; a good
# name keeps answering throughout (a prober asks it in a loop); no good
# record is lost, and the outside target is never served.
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

start_server "$m"
wait_answer www.h.test A 192.0.2.1
wait_answer mail.h.test A 192.0.2.2
probe_start www.h.test 192.0.2.1

gen_big "$gen/big.yaml" 100
drop big.yaml
wait_log 'big\.yaml: error: file is 104857600 bytes, larger than the' \
	"100 MB file not refused"

gen_laughs "$gen/laughs.yaml"
drop laughs.yaml
wait_log 'laughs\.yaml:[0-9]+:[0-9]+: error: aliases expand to more than' \
	"billion laughs not refused"

gen_deep "$gen/deep.yaml" 10000
drop deep.yaml
wait_log 'deep\.yaml:1:[0-9]+: error: nesting deeper than 64 levels' \
	"10,000-deep nesting not refused"

gen_docs "$gen/docs.yaml" 1000000
drop docs.yaml
wait_log 'docs\.yaml:100001:1: error: more than 100000 documents' \
	"a million documents not refused"

# A good file turned bad keeps its last good records, and says why.
{ a_record /dev/stdout mail 192.0.2.2 h.test; printf 'x: "\xff\xfe"\n'; } |
	put "$m/mail.yaml"
wait_log 'mail\.yaml:[0-9]+:[0-9]+: error: yaml syntax error: invalid .*UTF-8' \
	"invalid UTF-8 not reported"
expect_eq "$(answer mail.h.test)" 192.0.2.2 "record lost to invalid UTF-8"
{ a_record /dev/stdout mail 192.0.2.2 h.test; printf 'x: a\0b\n'; } |
	put "$m/mail.yaml"
wait_log 'mail\.yaml:[0-9]+:[0-9]+: error: yaml syntax error: control char' \
	"NUL byte not reported"
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

ln -s "$tmp/outside/secret.yaml" "$m/secret.yaml"
wait_log 'secret\.yaml: symlink leads outside the manifest directory' \
	"symlink out of the directory not reported"
expect_eq "$(dig_status "$(q secret.h.test A)")" NXDOMAIN \
	"a record behind an outside symlink is served"

if [ "$unreadable" = yes ]; then
	a_record "$gen/hidden.yaml" hidden 192.0.2.5 h.test
	chmod 000 "$gen/hidden.yaml"
	drop hidden.yaml
	wait_log 'hidden\.yaml: error: cannot open file: Permission denied' \
		"unreadable file not reported"
else
	echo "note: unreadable file not tried (root without setpriv)" >&2
fi

# Everything good still served, the daemon alive, no answer missed.
kill -0 "$SERVER_PID" || fail "dropzoned died"
expect_eq "$(answer www.h.test)" 192.0.2.1 "www lost"
expect_eq "$(answer mail.h.test)" 192.0.2.2 "mail lost"
probe_stop
a_record /dev/stdout mail 192.0.2.22 h.test | put "$m/mail.yaml"
wait_answer mail.h.test A 192.0.2.22

# Cold start with every hostile file in place.
stop_server
start_server "$m"
wait_answer www.h.test A 192.0.2.1
wait_answer mail.h.test A 192.0.2.22
for f in big laughs deep docs loop1 loop2 secret; do
	log_has "$f\.yaml[:0-9]*: " || fail "$f.yaml not reported at start-up"
done
if [ "$unreadable" = yes ]; then
	log_has 'hidden\.yaml: error: cannot open file' ||
		fail "hidden.yaml not reported at start-up"
fi
expect_eq "$(dig_status "$(q secret.h.test A)")" NXDOMAIN \
	"outside symlink followed at start-up"
out=$(ctl status) || fail "status: $out"
expect_match "$out" 'ARecord +test +a-mail-h-test +h\.test +True' "mail row"
stop_server
