#!/bin/bash
# SPDX-License-Identifier: MIT
# t_badinput.sh -- hostile and broken files beside a good zone: each gets
# a diagnostic naming its file, and the good zone is still served.
. "$(dirname "$0")/common.sh"
[ -x "$DROPZONECTL" ] || fail "$DROPZONECTL was not built"

m="$tmp/manifests"
mkdir -p "$m"
zone_manifest "$m/good-zone.yaml" good.test
cat >"$m/good-records.yaml" <<'YAML'
apiVersion: bindy.firestoned.io/v1beta1
kind: ARecord
metadata:
  name: www
  namespace: test
  labels:
    bindy.firestoned.io/zone: good.test
spec:
  name: www
  ipv4Addresses: ["192.0.2.80"]
YAML

# A YAML syntax error (an unclosed flow mapping) at line 4.
cat >"$m/syntax.yaml" <<'YAML'
apiVersion: bindy.firestoned.io/v1beta1
kind: ARecord
metadata:
  name: {broken
spec:
  name: x
YAML

# A wrong type: priority is a string (line 10).
cat >"$m/wrongtype.yaml" <<'YAML'
apiVersion: bindy.firestoned.io/v1beta1
kind: MXRecord
metadata:
  name: mx-wrong
  namespace: test
  labels:
    bindy.firestoned.io/zone: good.test
spec:
  name: "@"
  priority: "abc"
  mailServer: mail.good.test.
YAML

# A missing required field: no mailServer.
cat >"$m/missing.yaml" <<'YAML'
apiVersion: bindy.firestoned.io/v1beta1
kind: MXRecord
metadata:
  name: mx-missing
  namespace: test
  labels:
    bindy.firestoned.io/zone: good.test
spec:
  name: "@"
  priority: 10
YAML

# An unknown field (line 10): reported, the record itself is fine.
cat >"$m/unknown.yaml" <<'YAML'
apiVersion: bindy.firestoned.io/v1beta1
kind: ARecord
metadata:
  name: extra
  namespace: test
  labels:
    bindy.firestoned.io/zone: good.test
spec:
  name: extra
  bogusField: 42
  ipv4Addresses: ["192.0.2.81"]
YAML

# 50 MB: larger than any limit.
{
	echo "apiVersion: bindy.firestoned.io/v1beta1"
	echo "kind: ARecord"
	yes '# padding padding padding padding padding padding padding pad' |
		head -c 52428800
} >"$m/big.yaml"

# 10,000 levels of nesting.
{
	printf 'apiVersion: bindy.firestoned.io/v1beta1\nkind: ARecord\nspec: '
	printf '%.0s[' $(seq 10000)
	printf '%.0s]' $(seq 10000)
	printf '\n'
} >"$m/deep.yaml"

# Billion laughs: 9^9 nodes from a few lines of aliases.
cat >"$m/bomb.yaml" <<'YAML'
apiVersion: bindy.firestoned.io/v1beta1
kind: ARecord
metadata:
  name: bomb
spec:
  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
  e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
  g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
  i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
YAML

rc=0
out=$("$DROPZONECTL" check "$m" 2>"$tmp/stderr") || rc=$?
err=$(cat "$tmp/stderr")
echo "$out"
echo "$err"
expect_eq "$rc" 1 "check: exit status with broken files"
expect_match "$out" '^syntax\.yaml:[0-9]+:[0-9]+: error: ' \
	"syntax.yaml: no error with a position"
expect_match "$out" '^wrongtype\.yaml:10:[0-9]+: error: .*priority' \
	"wrongtype.yaml: no error about priority at line 10"
expect_match "$out" '^missing\.yaml:[0-9]+:[0-9]+: error: .*mailServer' \
	"missing.yaml: no error naming mailServer"
expect_match "$out" '^unknown\.yaml:10:[0-9]+: (warning|error): .*bogusField' \
	"unknown.yaml: no diagnostic naming bogusField at line 10"
expect_match "$out" '^big\.yaml(:[0-9]+:[0-9]+)?: error: ' \
	"big.yaml: no error"
expect_match "$out" '^deep\.yaml(:[0-9]+:[0-9]+)?: error: ' \
	"deep.yaml: no error"
expect_match "$out" '^bomb\.yaml(:[0-9]+:[0-9]+)?: error: ' \
	"bomb.yaml: no error"
expect_no_match "$out" '^good-(zone|records)\.yaml:[0-9:]* error: ' \
	"the good files draw errors"
expect_match "$err" '^[0-9]+ errors?, [0-9]+ warnings? in 9 files$' \
	"summary line on stderr"

# The daemon on the same directory: starts, serves the good data.
need dig
start_server "$m"
wait_up good.test
expect_eq "$(q +short A www.good.test)" "192.0.2.80" "A www.good.test"
expect_eq "$(q +short A extra.good.test)" "192.0.2.81" \
	"A extra.good.test (unknown field is only a warning)"
expect_match "$(q SOA good.test)" 'status: NOERROR' "SOA good.test"
stop_server
