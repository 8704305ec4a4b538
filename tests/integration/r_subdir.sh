#!/bin/bash
# SPDX-License-Identifier: MIT
# r_subdir.sh -- new subdirectories (made in place or moved in whole,
# nested) are watched and their files served; a removed one leaves.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" r.test
start_server "$m"
wait_up r.test

# Made in place, files written right after.
mkdir -p "$m/team/a"
a_record "$m/team/a/one.yaml" one 192.0.2.1
wait_answer one.r.test A 192.0.2.1
# A file written later into the new directory: it is watched.
a_record "$m/team/a/two.yaml" two 192.0.2.2
wait_answer two.r.test A 192.0.2.2
# A tree prepared elsewhere and moved in: files already inside count.
mkdir -p "$tmp/stage/x/y"
a_record "$tmp/stage/x/three.yaml" three 192.0.2.3
a_record "$tmp/stage/x/y/four.yaml" four 192.0.2.4
mv "$tmp/stage/x" "$m/x"
wait_answer three.r.test A 192.0.2.3
wait_answer four.r.test A 192.0.2.4
# And a file in a moved-in subdirectory is watched as well.
a_record "$m/x/y/five.yaml" five 192.0.2.5
wait_answer five.r.test A 192.0.2.5
# Moved out: its files leave.
mv "$m/x" "$tmp/gone"
wait_for -t 10 eval '[ "$(dig_status "$(q four.r.test A)")" = NXDOMAIN ]' ||
	fail "files of a directory moved away still served"
# The moved-away directory is no longer watched.
a_record "$tmp/gone/six.yaml" six 192.0.2.6
rm -rf "$m/team"
wait_for -t 10 eval '[ "$(dig_status "$(q one.r.test A)")" = NXDOMAIN ]' ||
	fail "files of a removed directory still served"
expect_eq "$(dig_status "$(q six.r.test A)")" NXDOMAIN "served from outside"
stop_server
