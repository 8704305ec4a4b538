# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# o_lib.sh -- shared by the observability tests (o_*.sh), after common.sh
# and r_lib.sh.
#
#   start_http DIR [ARGS]   start_server DIR --http 127.0.0.1:$HPORT ARGS
#                           on a free HTTP port
#   get PATH [METHOD]       fetch http://127.0.0.1:$HPORT/PATH: the body in
#                           $tmp/body, the status code on stdout (curl, or
#                           python3 when curl is missing)
#   metric TEXT SERIES      the value of SERIES (name{labels} without the
#                           server label) in TEXT, 0 when absent
#   scrape                  GET /metrics, fail unless 200; the body

HPORT=""

start_http()
{
	local dir=$1
	shift
	command -v curl >/dev/null || need python3
	HPORT=$((10000 + RANDOM % 22000))
	while port_in_use "$HPORT"; do
		HPORT=$((10000 + RANDOM % 22000))
	done
	start_server "$dir" --http "127.0.0.1:$HPORT" "$@"
}

get()
{
	local url="http://127.0.0.1:$HPORT$1" method=${2:-GET}
	if command -v curl >/dev/null; then
		local how=(-X "$method")
		[ "$method" = HEAD ] && how=(-I)
		curl -s -o "$tmp/body" -w '%{http_code}' "${how[@]}" \
			--max-time 10 "$url"
		return
	fi
	python3 - "$url" "$method" "$tmp/body" <<'PY'
import sys, urllib.request, urllib.error
url, method, out = sys.argv[1:]
req = urllib.request.Request(url, method=method)
try:
    r = urllib.request.urlopen(req, timeout=10)
    code, body = r.status, r.read()
except urllib.error.HTTPError as e:
    code, body = e.code, e.read()
open(out, "wb").write(body)
print(code, end="")
PY
}

metric()
{
	printf '%s\n' "$1" | sed 's/server="[^"]*",//' |
		awk -v s="$2" 'index($0, s " ") == 1 { v = $2 } END { print v + 0 }'
}

scrape()
{
	local code
	code=$(get /metrics) || fail "GET /metrics failed"
	[ "$code" = 200 ] || fail "GET /metrics: status $code"
	cat "$tmp/body"
}
