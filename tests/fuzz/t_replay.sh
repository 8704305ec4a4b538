#!/bin/sh
# SPDX-License-Identifier: MIT
# t_replay.sh -- replay every fuzz corpus through its target (no libFuzzer):
# seeds and past findings must neither crash nor trip a sanitizer.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${top_builddir:-.}/tests/fuzz
corpus=$srcdir/tests/fuzz/corpus
rc=0

# replay NAME BINARY: one corpus directory through one binary
replay()
{
	if ! "$2" "$corpus/$1" >/dev/null; then
		echo "FAIL: replay of corpus/$1" >&2
		rc=1
	else
		echo "ok: corpus/$1 ($(ls "$corpus/$1" | wc -l) inputs)"
	fi
}

replay query "$bin/replay-query"
replay manifest "$bin/replay-manifest"
replay yfast "$bin/replay-yfast"
for dir in "$corpus"/kind-*; do
	name=${dir##*/}
	FUZZ_KIND=${name#kind-} replay "$name" "$bin/replay-kind"
done
exit $rc
