#!/bin/bash
# SPDX-License-Identifier: MIT
# t_plugin.sh -- a record kind from a shared object in --plugin-dir.
. "$(dirname "$0")/common.sh"
need dig

libs="$top_builddir/tests/plugin/.libs"
[ -f "$libs/hinfo.so" ] || skip "$libs/hinfo.so not built"

m="$tmp/manifests"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" plugin.test
cat >"$m/hinfo.yaml" <<'YAML'
apiVersion: bindy.firestoned.io/v1beta1
kind: HINFORecord
metadata:
  name: host
  namespace: test
  labels:
    bindy.firestoned.io/zone: plugin.test
spec:
  name: host
  cpu: "RISC-V"
  os: "Linux"
YAML

# Without the plugin the kind is unknown: a warning, not an error.
rc=0
out=$("$DROPZONECTL" check "$m" 2>/dev/null) || rc=$?
expect_eq "$rc" 0 "check without the plugin: exit status"
expect_match "$out" '^hinfo\.yaml:[0-9]+:[0-9]+: warning: .*unsupported kind' \
	"check without the plugin: no 'unsupported kind' warning"
# With it, the file is clean.
rc=0
out=$("$DROPZONECTL" check --plugin-dir "$libs" "$m" 2>/dev/null) || rc=$?
expect_eq "$rc" 0 "check with the plugin: exit status"
expect_no_match "$out" 'hinfo\.yaml' "check with the plugin: diagnostics"

start_server "$m" --plugin-dir "$libs"
wait_up plugin.test
out=$(q HINFO host.plugin.test)
expect_eq "$(dig_status "$out")" NOERROR "HINFO host.plugin.test: status"
expect_eq "$(q +short HINFO host.plugin.test)" '"RISC-V" "Linux"' \
	"HINFO host.plugin.test"
stop_server
