#!/bin/bash
# SPDX-License-Identifier: MIT
# r_storm.sh -- a client queries through a storm of reloads: every
# answer is from an old or a new version, none fails.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" r.test
a_record "$m/www.yaml" www 192.0.2.1
a_record "$m/other.yaml" other 192.0.2.100
start_server "$m" --reload-delay 1
wait_answer www.r.test A 192.0.2.1

# The writer: 300 versions of www.yaml (editor saves, 192.0.2.1..),
# plus churn in an unrelated file.
(
	for i in $(seq 1 300); do
		a_record /dev/stdout www "192.0.2.$((i % 250 + 1))" |
			put "$m/www.yaml"
		if [ $((i % 10)) = 0 ]; then
			a_record "$m/churn.yaml" "c$i" 198.51.100.1
		fi
	done
	touch "$tmp/writer.done"
) &
writer=$!
# The reader: queries until the writer is done (at least 100 queries).
n=0 bad=0
while [ ! -e "$tmp/writer.done" ] || [ "$n" -lt 100 ]; do
	out=$(q +nocookie www.r.test A)
	n=$((n + 1))
	st=$(dig_status "$out")
	ip=$(printf '%s\n' "$out" | awk '$4 == "A" {print $5}')
	if [ "$st" != NOERROR ] || ! [[ "$ip" =~ ^192\.0\.2\.[0-9]+$ ]]; then
		echo "bad answer #$n: status '$st' address '$ip'" >&2
		bad=$((bad + 1))
	fi
	out=$(q +short other.r.test A)
	[ "$out" = 192.0.2.100 ] || {
		echo "other.r.test: '$out'" >&2
		bad=$((bad + 1))
	}
done
wait "$writer"
[ "$bad" = 0 ] || fail "$bad bad answers out of $n"
wait_answer www.r.test A 192.0.2.51
echo "$n queries, $(reload_lines | wc -l) reloads" >&2
stop_server
