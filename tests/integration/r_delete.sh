#!/bin/bash
# SPDX-License-Identifier: MIT
# r_delete.sh -- a deleted (or renamed away) file stops being served;
# deleting the zone takes its records with it.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" r.test
a_record "$m/www.yaml" www 192.0.2.1
a_record "$m/ftp.yaml" ftp 192.0.2.2
a_record "$m/mail.yaml" mail 192.0.2.3
start_server "$m"
wait_answer mail.r.test A 192.0.2.3

rm "$m/www.yaml"
wait_for -t 10 eval '[ "$(dig_status "$(q www.r.test A)")" = NXDOMAIN ]' ||
	fail "deleted www.yaml still served"
# Renamed to a name that is not a manifest: gone too.
mv "$m/ftp.yaml" "$m/ftp.yaml.off"
wait_for -t 10 eval '[ "$(dig_status "$(q ftp.r.test A)")" = NXDOMAIN ]' ||
	fail "ftp.yaml renamed away still served"
# Renamed back: served again.
mv "$m/ftp.yaml.off" "$m/ftp.yaml"
wait_answer ftp.r.test A 192.0.2.2
rm "$m/zone.yaml"
wait_for -t 10 eval '[ "$(dig_status "$(q mail.r.test A)")" = REFUSED ]' ||
	fail "zone still served after its DNSZone was deleted"
stop_server
