#!/bin/bash
# SPDX-License-Identifier: MIT
# run-ferret.sh -- make check wrapper: every Ferret case in-process.
# The failures go to ferret-failures.log in the build dir; the summary to
# the test log. Exit status: ferret's (0 pass, 1 fail, 77 no corpus).
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
ferret="$top_builddir/tests/conformance/ferret"
[ -x "$ferret" ] || { echo "FAIL: $ferret was not built" >&2; exit 1; }
exec "$ferret" --known "$top_srcdir/tests/conformance/known-failures.txt" \
	--log "$top_builddir/ferret-failures.log"
