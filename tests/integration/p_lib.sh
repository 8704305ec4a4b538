# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# p_lib.sh -- shared by the packet-level tests (p_*.sh): a small zone,
# hex message builders and checks on the lines dzsend prints.
#
# Source it first thing from a p_*.sh test (it sources common.sh):
#     . "$(dirname "$0")/p_lib.sh"
# Then: p_start; hostile DESC ERE DZSEND-ARGS...; ...; p_finish.
# Checks do not stop at the first failure: every wrong answer is printed
# with the exact dzsend output, and p_finish fails the test if any was.

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DZSEND="$top_builddir/tests/integration/dzsend"
[ -x "$DZSEND" ] || skip "$DZSEND was not built"
_p_failed=0

# The zone every p_ test serves: example.com with
#   www   A 127.0.0.1                      (the "still alive" probe)
#   multi A 127.0.0.2, AAAA ::1, MX 10 www (ANY)
#   a40   A 127.0.1.1 .. 127.0.1.40        (fits 1232, not 512)
#   a100  A 127.0.1.1 .. 127.0.1.100       (fits only TCP)
p_zone()
{
	local dir=$1 i
	mkdir -p "$dir"
	zone_manifest "$dir/zone.yaml" example.com
	_p_rec ARecord www www ipv4Addresses '"127.0.0.1"' >"$dir/www.yaml"
	_p_rec ARecord multi-a multi ipv4Addresses '"127.0.0.2"' \
		>"$dir/multi-a.yaml"
	_p_rec AAAARecord multi-aaaa multi ipv6Addresses '"::1"' \
		>"$dir/multi-aaaa.yaml"
	{
		_p_rec MXRecord multi-mx multi
		echo "  priority: 10"
		echo "  mailServer: www.example.com."
	} >"$dir/multi-mx.yaml"
	for i in 40 100; do
		_p_rec ARecord "a$i" "a$i" ipv4Addresses
		seq 1 "$i" | sed 's/.*/    - "127.0.1.&"/'
	done >"$dir/big.yaml"
}

# _p_rec KIND OBJNAME OWNER [FIELD [VALUE]]: a record document on stdout.
_p_rec()
{
	cat <<EOT
---
apiVersion: bindy.firestoned.io/v1beta1
kind: $1
metadata:
  name: $2
  namespace: test
  labels:
    bindy.firestoned.io/zone: example.com
spec:
  name: $3
EOT
	if [ $# -ge 5 ]; then
		printf '  %s:\n    - %s\n' "$4" "$5"
	elif [ $# -ge 4 ]; then
		printf '  %s:\n' "$4"
	fi
}

# Start dropzoned on the p_ zone and wait for it to serve.
p_start()
{
	need dig
	p_zone "$tmp/manifests"
	start_server "$tmp/manifests" "$@"
	wait_up example.com
}

# dz [OPTS] [HEX...]: dzsend to the server (options before the address).
dz()
{
	local opts=()
	while [ $# -gt 0 ]; do
		case $1 in
		-q) opts+=("$1" "$2" "$3"); shift 3 ;;
		-[nswcebFP]) opts+=("$1" "$2"); shift 2 ;;
		-*) opts+=("$1"); shift ;;
		*) break ;;
		esac
	done
	"$DZSEND" "${opts[@]}" 127.0.0.1 "$PORT" "$@"
}

# p_check DESC ERE DZ-ARGS...: every line dzsend prints must match ERE.
p_check()
{
	local desc=$1 ere=$2 out
	shift 2
	out=$(dz "$@" 2>&1)
	if [ -z "$out" ] || printf '%s\n' "$out" | grep -Evq -- "$ere"; then
		echo "FAIL: $desc: want /$ere/, dzsend $*:" >&2
		printf '  %s\n' "$out" >&2
		_p_failed=$((_p_failed + 1))
		return 1
	fi
	echo "ok: $desc: $out"
}

# The server is still up and answers a good query.
p_alive()
{
	if ! kill -0 "$SERVER_PID" 2>/dev/null; then
		fail "dropzoned died after: $1"
	fi
	p_check "alive after $1" \
		'^rcode=NOERROR .*flags=qr,aa qd=1 an=1 ' -q www.example.com A
}

# hostile DESC ERE DZ-ARGS...: p_check, then p_alive.
hostile()
{
	p_check "$@"
	p_alive "$1"
}

p_finish()
{
	[ "$_p_failed" -eq 0 ] || fail "$_p_failed check(s) failed (see above)"
	stop_server
	echo "PASS"
}

# Message builders, all in hex.
# hdr ID FLAGS QD AN NS AR (numbers; FLAGS as 0x....)
hdr()
{
	printf '%04x%04x%04x%04x%04x%04x' "$1" "$2" "$3" "$4" "$5" "$6"
}

# wname NAME: the uncompressed wire form of a dotted name.
wname()
{
	local l IFS=.
	for l in $1; do
		printf '%02x' "${#l}"
		printf '%s' "$l" | od -An -tx1 | tr -d ' \n'
	done
	printf '00'
}

# quest NAME TYPE [CLASS]: one question entry.
quest()
{
	printf '%s%04x%04x' "$(wname "$1")" "$2" "${3:-1}"
}

# opt [SIZE [VERSION [FLAGS [RDATA-HEX]]]]: an OPT RR with a root owner.
opt()
{
	local rd=${4:-}
	printf '00%04x%04x00%02x%04x%04x%s' 41 "${1:-1232}" "${2:-0}" \
		"${3:-0}" $((${#rd} / 2)) "$rd"
}

# rep COUNT HEX: HEX repeated.
rep()
{
	local i
	for ((i = 0; i < $1; i++)); do
		printf '%s' "$2"
	done
}
