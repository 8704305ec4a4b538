#!/bin/bash
# SPDX-License-Identifier: MIT
# r_many.sh -- 1,000 files changed at once become one batch, all served.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m" "$tmp/stage"
zone_manifest "$m/zone.yaml" r.test
for i in $(seq 1 1000); do
	a_record "$tmp/stage/h$i.yaml" "h$i" "192.0.2.$((i % 250 + 1))"
done
# A generous quiet period: the 1,000 renames of one mv are one burst
# even on a loaded machine.
start_server "$m" --reload-delay 300
wait_up r.test
n=$(reload_lines | wc -l)
mv "$tmp/stage/"*.yaml "$m/"
wait_answer h1000.r.test A 192.0.2.1
wait_for -t 10 eval '[ "$(reload_lines | wc -l)" -gt "$n" ]' ||
	fail "no reload logged"
lines=$(reload_lines | tail -n +"$((n + 1))")
expect_eq "$(printf '%s\n' "$lines" | wc -l)" 1 "not one batch"
expect_match "$lines" 'reload: 1000 files \(1000 loaded' "batch size"
for i in 1 2 17 500 999 1000; do
	expect_eq "$(answer "h$i.r.test")" "192.0.2.$((i % 250 + 1))" \
		"h$i not served"
done
# ... and 1,000 changed at once in place.
for i in $(seq 1 1000); do
	a_record "$tmp/stage/h$i.yaml" "h$i" "198.51.100.$((i % 250 + 1))"
done
n=$(reload_lines | wc -l)
mv "$tmp/stage/"*.yaml "$m/"
wait_answer h999.r.test A 198.51.100.250
wait_answer h1.r.test A 198.51.100.2
expect_eq "$(reload_lines | tail -n +"$((n + 1))" | wc -l)" 1 "not one batch"
stop_server
