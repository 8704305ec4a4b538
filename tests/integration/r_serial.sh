#!/bin/bash
# SPDX-License-Identifier: MIT
# r_serial.sh -- serials (MANIFESTS.md): a zone whose content changes
# serves max(spec serial, last + 1); kept in --state-dir across restarts;
# an unrelated change leaves other zones' serials alone.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" r.test
zone_manifest "$m/zone2.yaml" s.test
a_record "$m/www.yaml" www 192.0.2.1
start_server "$m"
wait_answer www.r.test A 192.0.2.1
expect_eq "$(serial r.test)" 1 "first serial is the spec's"
a_record "$m/www.yaml" www 192.0.2.2
wait_answer www.r.test A 192.0.2.2
expect_eq "$(serial r.test)" 2 "serial after a change"
expect_eq "$(serial s.test)" 1 "unchanged zone's serial moved"
a_record "$m/ftp.yaml" ftp 192.0.2.3
wait_answer ftp.r.test A 192.0.2.3
expect_eq "$(serial r.test)" 3 "serial after a second change"
# Rewriting a file with the same content changes nothing.
a_record "$m/ftp.yaml" ftp 192.0.2.3
a_record "$m/x.yaml" x 192.0.2.4 s.test
wait_answer x.s.test A 192.0.2.4
expect_eq "$(serial r.test)" 3 "serial moved without a change"
expect_eq "$(serial s.test)" 2 "s.test serial after its change"
stop_server
[ -s "$tmp/state/serials" ] || fail "no serials file in the state dir"

# Across a restart: the same content keeps its serial...
start_server "$m"
wait_answer www.r.test A 192.0.2.2
expect_eq "$(serial r.test)" 3 "serial went back across a restart"
stop_server
# ... and content changed while we were down gets last + 1.
a_record "$m/www.yaml" www 192.0.2.5
start_server "$m"
wait_answer www.r.test A 192.0.2.5
expect_eq "$(serial r.test)" 4 "change while down"
# A spec serial above the last served one wins.
sed 's/serial: 1$/serial: 2026112601/' "$m/zone.yaml" | put "$m/zone.yaml"
wait_for -t 10 eval '[ "$(serial r.test)" = 2026112601 ]' ||
	fail "spec serial not taken: $(serial r.test)"
a_record "$m/www.yaml" www 192.0.2.6
wait_answer www.r.test A 192.0.2.6
expect_eq "$(serial r.test)" 2026112602 "serial after the spec's"
stop_server
