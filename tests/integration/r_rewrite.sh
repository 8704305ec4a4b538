#!/bin/bash
# SPDX-License-Identifier: MIT
# r_rewrite.sh -- a file rewritten in place, then saved the way editors
# do (temporary file renamed over it): each version is served.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" r.test
a_record "$m/www.yaml" www 192.0.2.1
start_server "$m"
wait_answer www.r.test A 192.0.2.1

# In place: truncate and write.
a_record "$m/www.yaml" www 192.0.2.2
wait_answer www.r.test A 192.0.2.2
# Editor save: .www.yaml.tmpNNN renamed over www.yaml.
a_record /dev/stdout www 192.0.2.3 | put "$m/www.yaml"
wait_answer www.r.test A 192.0.2.3
# vim's way: write a backup, the probe file 4913, then the file.
echo probe >"$m/4913" && rm -f "$m/4913"
cp "$m/www.yaml" "$m/www.yaml~"
a_record "$m/www.yaml" www 192.0.2.4
rm -f "$m/www.yaml~"
wait_answer www.r.test A 192.0.2.4
# The zone file itself: a new TTL shows in the answer.
zone_manifest /dev/stdout r.test 120 | put "$m/zone.yaml"
wait_for -t 10 eval '[ "$(q +noall +answer SOA r.test | awk "{print \$2}")" = 120 ]' ||
	fail "zone TTL change not served"
expect_eq "$(answer www.r.test)" 192.0.2.4 "record lost with the zone change"
stop_server
