#!/bin/bash
# SPDX-License-Identifier: MIT
# r_rootdir.sh -- the manifest directory itself removed and made again,
# or replaced by a rename: the watch is re-armed, the new files served.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" r.test
a_record "$m/www.yaml" www 192.0.2.1
start_server "$m"
wait_answer www.r.test A 192.0.2.1

rm -rf "$m"
wait_for -t 10 eval '[ "$(dig_status "$(q www.r.test A)")" = REFUSED ]' ||
	fail "files of the removed directory still served"
mkdir "$m"
zone_manifest "$m/zone.yaml" r.test
a_record "$m/www.yaml" www 192.0.2.2
wait_answer www.r.test A 192.0.2.2
# Replaced by a rename (a deploy that swaps directories).
mkdir "$tmp/new"
zone_manifest "$tmp/new/zone.yaml" r.test
a_record "$tmp/new/www.yaml" www 192.0.2.3
mv "$m" "$tmp/old"
mv "$tmp/new" "$m"
wait_answer www.r.test A 192.0.2.3
# The new directory is watched, the old one is not.
a_record "$tmp/old/www.yaml" www 192.0.2.9
a_record "$m/www.yaml" www 192.0.2.4
wait_answer www.r.test A 192.0.2.4
kill -0 "$SERVER_PID" || fail "dropzoned died"
stop_server
