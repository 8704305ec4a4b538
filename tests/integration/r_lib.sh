# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# r_lib.sh -- shared by the reload tests (r_*.sh), after common.sh.
#
#   a_record FILE NAME IP [ZONE]  write a v1beta1 ARecord NAME -> IP, in
#                                 namespace test, labelled for ZONE
#                                 [r.test]
#   put FILE                      stdin to FILE the way an editor saves:
#                                 a temporary file renamed over FILE
#   answer NAME [TYPE]            dig +short NAME TYPE (A), one line
#   wait_answer NAME TYPE WANT    wait (10 s) until answer = WANT
#   serial ZONE                   the SOA serial served for ZONE
#   reload_lines                  the "reload:" lines logged so far

a_record()
{
	local file=$1 name=$2 ip=$3 zone=${4:-r.test}
	cat >"$file" <<EOF2
apiVersion: bindy.firestoned.io/v1beta1
kind: ARecord
metadata:
  name: a-${name//./-}-${zone//./-}
  namespace: test
  labels:
    bindy.firestoned.io/zone: $zone
spec:
  name: $name
  ipv4Addresses: ["$ip"]
EOF2
}

put()
{
	local t
	t="$(dirname "$1")/.$(basename "$1").tmp$$"
	cat >"$t" && mv -f "$t" "$1"
}

answer()
{
	q +short "$1" "${2:-A}" 2>/dev/null | sort | tr '\n' ' ' |
		sed 's/ $//'
}

_r_is()
{
	[ "$(answer "$1" "$2")" = "$3" ]
}

wait_answer()
{
	wait_for -t 10 _r_is "$1" "$2" "$3" ||
		fail "$1 $2: want '$3', still '$(answer "$1" "$2")' after 10 s"
}

serial()
{
	q +short SOA "$1" 2>/dev/null | awk '{print $3}'
}

reload_lines()
{
	grep 'reload: ' "$SERVER_LOG"
}
