#!/bin/bash
# SPDX-License-Identifier: MIT
# r_broken.sh -- a file that turns bad keeps its last good records in
# service (YAML syntax error, then a validation error); the fix is served.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" r.test
a_record "$m/www.yaml" www 192.0.2.1
start_server "$m"
wait_answer www.r.test A 192.0.2.1

# A YAML syntax error: rejected, the old answer stays.
printf 'apiVersion: [\n' | put "$m/www.yaml"
wait_for -t 10 grep -q 'www.yaml:.*yaml syntax error' "$SERVER_LOG" ||
	fail "syntax error not reported"
expect_eq "$(answer www.r.test)" 192.0.2.1 "good record lost on a syntax error"
# Fixed: served.
a_record /dev/stdout www 192.0.2.2 | put "$m/www.yaml"
wait_answer www.r.test A 192.0.2.2
# A validation error (bad address): the old version stays in service.
a_record /dev/stdout www 192.0.2.300 | put "$m/www.yaml"
wait_for -t 10 grep -q "192.0.2.300" "$SERVER_LOG" ||
	fail "validation error not reported"
expect_eq "$(answer www.r.test)" 192.0.2.2 "good record lost on a bad address"
# A broken zone file keeps the zone.
printf 'kind: DNSZone\n  bad indent: [\n' | put "$m/zone.yaml"
a_record "$m/new.yaml" new 192.0.2.7
wait_answer new.r.test A 192.0.2.7
expect_eq "$(answer www.r.test)" 192.0.2.2 "zone lost with its broken file"
# Fixed again.
a_record /dev/stdout www 192.0.2.3 | put "$m/www.yaml"
wait_answer www.r.test A 192.0.2.3
# A file that was never good is simply not served.
printf 'apiVersion: [\n' >"$m/bad.yaml"
a_record "$m/after.yaml" after 192.0.2.8
wait_answer after.r.test A 192.0.2.8
kill -0 "$SERVER_PID" || fail "dropzoned died"
stop_server
