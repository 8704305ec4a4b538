#!/bin/bash
# SPDX-License-Identifier: MIT
# r_configmap.sh -- a Kubernetes ConfigMap mount: visible files are
# symlinks through ..data to a timestamped directory; an update writes a
# new directory and renames ..data_tmp over ..data. The new content is
# served, each object once (no DuplicateObject), the old one gone.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
need dig

m="$tmp/m"
cm="$m/cm"
mkdir -p "$cm"
zone_manifest "$m/zone.yaml" r.test

# $1: timestamp directory, $2: IP of www, $3: extra file name (or "")
cm_version()
{
	local ts="..2026_11_26_$1" f
	mkdir "$cm/$ts"
	a_record "$cm/$ts/www.yaml" www "$2"
	[ -z "$3" ] || a_record "$cm/$ts/$3.yaml" "$3" "$2"
	ln -s "$ts" "$cm/..data_tmp"
	mv -T "$cm/..data_tmp" "$cm/..data"
	for f in "$cm/..data/"*.yaml; do
		f=$(basename "$f")
		[ -L "$cm/$f" ] || ln -s "..data/$f" "$cm/$f"
	done
}

cm_version 1 192.0.2.1 ""
start_server "$m"
wait_answer www.r.test A 192.0.2.1
cm_version 2 192.0.2.2 extra
rm -rf "$cm/..2026_11_26_1"
wait_answer www.r.test A 192.0.2.2
wait_answer extra.r.test A 192.0.2.2
# Served once: no duplicate object was ever reported.
grep -q DuplicateObject "$SERVER_LOG" && fail "an object was loaded twice"
# An update that only swaps ..data (no new visible symlink).
cm_version 3 192.0.2.3 extra
rm -rf "$cm/..2026_11_26_2"
wait_answer www.r.test A 192.0.2.3
wait_answer extra.r.test A 192.0.2.3
grep -q DuplicateObject "$SERVER_LOG" && fail "an object was loaded twice"
stop_server
