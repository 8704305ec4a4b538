#!/bin/bash
# SPDX-License-Identifier: MIT
# o_metrics.sh -- /metrics counts exactly the queries sent (UDP and TCP,
# IPv4 and IPv6, NOERROR, NXDOMAIN and REFUSED), the zone gauges follow
# the served zones, reloads and manifest errors are counted (a skipped
# symlink: one each); /health, /ready, /status, 404, 405; a second
# daemon on the same HTTP port fails with the reason.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
. "$(dirname "$0")/o_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" o.test
a_record "$m/www.yaml" www 192.0.2.1 o.test
start_http "$m" --allow-transfer 127.0.0.1
wait_answer www.o.test A 192.0.2.1

# One query each, no retry: a retry would be counted too.
q1() { dig @127.0.0.1 -p "$PORT" +time=5 +tries=1 "$@"; }
q16() { dig @::1 -p "$PORT" +time=5 +tries=1 "$@"; }

before=$(scrape)
for _ in 1 2 3 4 5; do
	out=$(q1 www.o.test A) || fail "no answer: $out"
	expect_eq "$(dig_status "$out")" NOERROR "www.o.test A"
done
for _ in 1 2 3; do
	out=$(q1 +tcp nope.o.test A) || fail "no answer: $out"
	expect_eq "$(dig_status "$out")" NXDOMAIN "nope.o.test A over TCP"
done
for _ in 1 2 3 4; do
	out=$(q1 other.invalid TXT) || fail "no answer: $out"
	expect_eq "$(dig_status "$out")" REFUSED "other.invalid TXT"
done
# Zone transfers bypass the query path and are counted all the same.
for _ in 1 2; do
	out=$(q1 o.test AXFR) || fail "AXFR failed: $out"
	expect_match "$out" 'XFR size: [0-9]+ records' "AXFR o.test"
done
n6=0
if [ "$HAVE_IPV6" = 1 ]; then
	n6=2
	for _ in 1 2; do
		out=$(q16 o.test MX) || fail "no answer over IPv6: $out"
		expect_eq "$(dig_status "$out")" NOERROR "o.test MX"
	done
	out=$(q16 o.test AXFR)
	expect_match "$out" 'Transfer failed' "AXFR over ::1 refused"
fi
after=$(scrape)

# delta SERIES WANT
delta()
{
	local b a
	b=$(metric "$before" "$1")
	a=$(metric "$after" "$1")
	expect_eq "$((a - b))" "$2" "change of $1"
}
R=dropzone_dns_requests_total
delta "$R{zone=\"o.test.\",proto=\"udp\",family=\"1\",type=\"A\"}" 5
delta "$R{zone=\"o.test.\",proto=\"tcp\",family=\"1\",type=\"A\"}" 3
delta "$R{zone=\"dropped\",proto=\"udp\",family=\"1\",type=\"TXT\"}" 4
delta "$R{zone=\"o.test.\",proto=\"udp\",family=\"2\",type=\"MX\"}" "$n6"
delta "$R{zone=\"o.test.\",proto=\"tcp\",family=\"1\",type=\"MX\"}" 0
delta "$R{zone=\"o.test.\",proto=\"tcp\",family=\"1\",type=\"AXFR\"}" 2
delta "$R{zone=\"dropped\",proto=\"tcp\",family=\"2\",type=\"AXFR\"}" \
	$((n6 / 2))
S=dropzone_dns_responses_total
delta "$S{zone=\"o.test.\",rcode=\"NOERROR\"}" $((5 + n6 + 2))
delta "$S{zone=\"o.test.\",rcode=\"NXDOMAIN\"}" 3
delta "$S{zone=\"dropped\",rcode=\"REFUSED\"}" $((4 + n6 / 2))
# The server label: "dns://:PORT" when the daemon passes its addresses.
expect_match "$after" "^$R\\{server=\"dns://(:$PORT)?\",zone=" "server label"
# Durations are sampled: at least the first query of a worker is timed.
n=$(printf '%s\n' "$after" |
	awk '/^dropzone_dns_request_duration_seconds_count/ { n += $2 }
	     END { print n + 0 }')
[ "$n" -ge 1 ] || fail "no request duration observed"$'\n'"$after"

# Zone gauges and reloads.
expect_eq "$(metric "$after" 'dropzone_records{zone="o.test."}')" 4 \
	"records of o.test (SOA, NS, glue A, www A)"
expect_eq "$(metric "$after" 'dropzone_zone_serial{zone="o.test."}')" \
	"$(serial o.test)" "serial gauge"
expect_eq "$(metric "$after" 'dropzone_zones')" 1 "zones gauge"
expect_eq "$(metric "$after" 'dropzone_manifest_errors')" 0 "no errors"
ok=$(metric "$after" 'dropzone_reload_total{result="success"}')
[ "$ok" -ge 1 ] || fail "no successful reload counted"
a_record "$m/two.yaml" two 192.0.2.2 o.test
wait_answer two.o.test A 192.0.2.2
_reloaded() {
	[ "$(metric "$(scrape)" 'dropzone_reload_total{result="success"}')" \
	  -gt "$ok" ]
}
wait_for -t 10 _reloaded || fail "reload not counted"
expect_eq "$(metric "$(scrape)" 'dropzone_records{zone="o.test."}')" 5 \
	"records after adding one"
# Skipped files count one each: a dangling symlink, a loop (two files),
# a symlink leading outside the directory.
errors() { metric "$(scrape)" 'dropzone_manifest_errors'; }
_errors() { [ "$(errors)" -eq "$1" ]; }
_errors_over() { [ "$(errors)" -gt "$1" ]; }
a_record "$tmp/outside.yaml" out 192.0.2.9 o.test
ln -s nowhere.yaml "$m/dangling.yaml"
ln -s loop2.yaml "$m/loop1.yaml"
ln -s loop1.yaml "$m/loop2.yaml"
ln -s "$tmp/outside.yaml" "$m/outside.yaml"
wait_for -t 10 _errors 4 || fail "4 skipped files counted as $(errors)"
rm "$m/dangling.yaml"
wait_for -t 10 _errors 3 || fail "3 skipped files counted as $(errors)"
printf 'kind: ARecord\nspec: [\n' >"$m/bad.yaml"
wait_for -t 10 _errors_over 3 || fail "manifest error not counted"

# The other routes.
expect_eq "$(get /health)" 200 "/health"
expect_eq "$(cat "$tmp/body")" ok "/health body"
expect_eq "$(get /ready)" 200 "/ready"
out=$(q1 www.o.test A)
expect_eq "$(dig_status "$out")" NOERROR "answered while ready"
expect_eq "$(get /status)" 200 "/status"
if command -v python3 >/dev/null; then
	kinds=$(python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["kind"] == "List", doc["kind"]
for o in doc["items"]:
    print(o["kind"], o["metadata"]["name"])
' "$tmp/body") || fail "/status is not a JSON List: $(cat "$tmp/body")"
	expect_match "$kinds" '^DNSZone zone-o-test$' "/status lists the zone"
	expect_match "$kinds" '^ARecord a-www-o-test$' "/status lists www"
	expect_match "$kinds" '^ARecord a-two-o-test$' "/status lists two"
fi
expect_eq "$(get /nope)" 404 "unknown path"
expect_eq "$(get /metrics POST)" 405 "POST"
expect_eq "$(get /metrics HEAD)" 200 "HEAD"

# A second daemon on the same HTTP port gives up with the reason.
port2=$((10000 + RANDOM % 22000))
while port_in_use "$port2"; do
	port2=$((10000 + RANDOM % 22000))
done
rc=0
timeout 20 "$DROPZONED" --foreground --manifests "$m" \
	--listen "127.0.0.1:$port2" --state-dir "$tmp/state2" \
	--http "127.0.0.1:$HPORT" >"$tmp/second.log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] ||
	fail "second daemon on HTTP port $HPORT: status $rc"
expect_match "$(cat "$tmp/second.log")" \
	"http 127\\.0\\.0\\.1:$HPORT: cannot listen: Address already in use" \
	"bind failure reason"
stop_server
exit 0
