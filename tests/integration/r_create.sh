#!/bin/bash
# SPDX-License-Identifier: MIT
# r_create.sh -- a new file is served without a restart or signal.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" r.test
start_server "$m"
wait_up r.test
expect_eq "$(answer www.r.test)" "" "www served before it exists"

# Written in place (open, write, close): read at IN_CLOSE_WRITE.
a_record "$m/www.yaml" www 192.0.2.1
wait_answer www.r.test A 192.0.2.1
# A second file in the same zone joins it.
a_record "$m/ftp.yml" ftp 192.0.2.2
wait_answer ftp.r.test A 192.0.2.2
expect_eq "$(answer www.r.test)" 192.0.2.1 "www lost when ftp came"
# A new zone too.
zone_manifest "$m/zone2.yaml" s.test
a_record "$m/s.yaml" host 192.0.2.3 s.test
wait_answer host.s.test A 192.0.2.3
# Names that are not manifests are ignored (no reload for them).
n=$(reload_lines | wc -l)
echo junk >"$m/notes.txt"
echo junk >"$m/.hidden.yaml"
echo junk >"$m/www.yaml~"
a_record "$m/last.yaml" last 192.0.2.4
wait_answer last.r.test A 192.0.2.4
expect_eq "$(reload_lines | wc -l)" "$((n + 1))" "ignored names caused reloads"
# SIGHUP: a full rescan of every file, nothing lost.
kill -HUP "$SERVER_PID"
_r_rescanned() { [ "$(reload_lines | wc -l)" -gt "$((n + 1))" ]; }
wait_for -t 10 _r_rescanned || fail "no reload after SIGHUP"
expect_match "$(reload_lines | tail -n 1)" 'reload: 6 files \(6 loaded' \
	"SIGHUP did not re-read every file"
expect_eq "$(answer www.r.test)" 192.0.2.1 "www lost on SIGHUP"
expect_eq "$(answer last.r.test)" 192.0.2.4 "last lost on SIGHUP"
stop_server
