#!/bin/bash
# SPDX-License-Identifier: MIT
# o_promtool.sh -- /metrics passes `promtool check metrics` (format and
# lint) with every series family filled: UDP, TCP, NOERROR, NXDOMAIN,
# REFUSED, CH, a type without a name of its own, a failed manifest.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
. "$(dirname "$0")/o_lib.sh"
need dig
command -v promtool >/dev/null ||
	skip "promtool is not installed (Debian package prometheus)"

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" o.test
a_record "$m/www.yaml" www 192.0.2.1 o.test
start_http "$m" --identity node
wait_answer www.o.test A 192.0.2.1
q www.o.test A >/dev/null
q +tcp nope.o.test AAAA >/dev/null
q nope.invalid TXT >/dev/null
q CH TXT id.server >/dev/null
q o.test TYPE65 >/dev/null
printf 'kind: ARecord\nspec: [\n' >"$m/bad.yaml"
_errors() { [ "$(metric "$(scrape)" 'dropzone_manifest_errors')" -ge 1 ]; }
wait_for -t 10 _errors || fail "manifest error not counted"
scrape >"$tmp/metrics"
promtool check metrics <"$tmp/metrics" >"$tmp/promtool.out" 2>&1 ||
	fail "promtool check metrics: $(cat "$tmp/promtool.out")"$'\n'"$(cat "$tmp/metrics")"
stop_server
exit 0
