# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# x_lib.sh -- shared by the transfer tests (x_*.sh), after common.sh and
# r_lib.sh: real NSD, Knot DNS and BIND 9 secondaries on loopback, each
# on a free port with its own temporary directory, run as the current
# user in the foreground and killed at the end.
#
#   free_port                     print a port no one listens on
#   start_secondary KIND ZONE...  start KIND (nsd, knot, bind) as a
#                                 secondary of dropzoned ($PORT) for the
#                                 zones, on $SEC_PORT when set (else a
#                                 free port); skips (77) when missing.
#                                 Sets SEC_PORT, SEC_PID, SEC_LOG, SEC_DIR.
#                                 SEC_TSIG="name:secret" signs transfers;
#                                 SEC_CATALOG=NAME (knot) adds a catalog
#   stop_secondary                kill it and wait
#   sq ARGS...                    dig at the secondary
#   sec_answer NAME [TYPE]        its +short answer, sorted, one line
#   wait_sec NAME TYPE WANT       wait (10 s) until sec_answer = WANT
#   sec_log                       its log so far

SEC_PORT=""
SEC_PID=""
SEC_LOG=""
SEC_DIR=""
: "${SEC_TSIG:=}"
: "${SEC_CATALOG:=}"

_x_cleanup()
{
	if [ -n "$SEC_PID" ]; then
		kill -KILL "$SEC_PID" 2>/dev/null
		wait "$SEC_PID" 2>/dev/null
	fi
}
trap '_dz_rc=$?; _x_cleanup; _dz_cleanup; exit $_dz_rc' EXIT

free_port()
{
	local p
	while :; do
		p=$((10000 + RANDOM % 22000))
		port_in_use "$p" || break
	done
	echo "$p"
}

_x_tsig_name() { echo "${SEC_TSIG%%:*}"; }
_x_tsig_secret() { echo "${SEC_TSIG#*:}"; }

_x_nsd_conf()
{
	local z key=NOKEY
	if [ -n "$SEC_TSIG" ]; then
		key=$(_x_tsig_name)
		printf 'key:\n  name: "%s"\n  algorithm: hmac-sha256\n' "$key"
		printf '  secret: "%s"\n' "$(_x_tsig_secret)"
	fi
	cat <<EOF
server:
  ip-address: 127.0.0.1@$SEC_PORT
  port: $SEC_PORT
  do-ip6: no
  username: ""
  chroot: ""
  zonesdir: "$SEC_DIR"
  database: ""
  pidfile: "$SEC_DIR/nsd.pid"
  xfrdfile: "$SEC_DIR/xfrd.state"
  xfrdir: "$SEC_DIR"
  zonelistfile: "$SEC_DIR/zone.list"
  verbosity: 2
  server-count: 1
remote-control:
  control-enable: no
EOF
	for z in "$@"; do
		cat <<EOF
zone:
  name: "$z"
  zonefile: "$z.zone"
  allow-notify: 127.0.0.1 $key
  request-xfr: 127.0.0.1@$PORT $key
EOF
	done
}

_x_knot_conf()
{
	local z
	cat <<EOF
server:
  rundir: "$SEC_DIR"
  listen: 127.0.0.1@$SEC_PORT
database:
  storage: "$SEC_DIR/db"
control:
  listen: "$SEC_DIR/knot.sock"
log:
  - target: stderr
    any: debug
EOF
	if [ -n "$SEC_TSIG" ]; then
		printf 'key:\n  - id: %s\n    algorithm: hmac-sha256\n' \
			"$(_x_tsig_name)"
		printf '    secret: %s\n' "$(_x_tsig_secret)"
	fi
	cat <<EOF
remote:
  - id: primary
    address: 127.0.0.1@$PORT
EOF
	[ -n "$SEC_TSIG" ] && echo "    key: $(_x_tsig_name)"
	cat <<EOF
acl:
  - id: from_primary
    address: 127.0.0.1
    action: notify
EOF
	[ -n "$SEC_TSIG" ] && echo "    key: $(_x_tsig_name)"
	cat <<EOF
template:
  - id: default
    storage: "$SEC_DIR"
  - id: member
    storage: "$SEC_DIR"
    master: primary
    acl: from_primary
zone:
EOF
	for z in "$@"; do
		printf '  - domain: %s\n    master: primary\n' "$z"
		printf '    acl: from_primary\n'
	done
	if [ -n "$SEC_CATALOG" ]; then
		printf '  - domain: %s\n    master: primary\n' "$SEC_CATALOG"
		printf '    acl: from_primary\n    catalog-role: interpret\n'
		printf '    catalog-template: member\n'
	fi
}

_x_bind_conf()
{
	local z key=""
	if [ -n "$SEC_TSIG" ]; then
		printf 'key "%s" { algorithm hmac-sha256; secret "%s"; };\n' \
			"$(_x_tsig_name)" "$(_x_tsig_secret)"
		key=" key \"$(_x_tsig_name)\""
	fi
	cat <<EOF
options {
	directory "$SEC_DIR";
	listen-on port $SEC_PORT { 127.0.0.1; };
	listen-on-v6 { none; };
	pid-file "$SEC_DIR/named.pid";
	session-keyfile "$SEC_DIR/session.key";
	managed-keys-directory "$SEC_DIR";
	recursion no;
	dnssec-validation no;
	notify no;
	allow-query { any; };
};
controls { };
logging {
	channel all { file "$SEC_DIR/named.log"; severity debug 1;
		print-time yes; print-category yes; };
	category default { all; };
};
EOF
	for z in "$@"; do
		cat <<EOF
zone "$z" {
	type secondary;
	primaries { 127.0.0.1 port $PORT$key; };
	file "$SEC_DIR/$z.db";
	allow-notify { 127.0.0.1; };
};
EOF
	done
}

_x_sec_alive()
{
	[ -n "$SEC_PID" ] && kill -0 "$SEC_PID" 2>/dev/null
}

_x_sec_up()
{
	_x_sec_alive || return 0
	dig +time=1 +tries=1 @127.0.0.1 -p "$SEC_PORT" SOA . >/dev/null 2>&1
}

start_secondary()
{
	local kind=$1 conf
	shift
	case $kind in
	nsd) [ -x /usr/sbin/nsd ] || skip "nsd is not installed (apt-get install nsd)" ;;
	knot) [ -x /usr/sbin/knotd ] || skip "knotd is not installed (apt-get install knot)" ;;
	bind) [ -x /usr/sbin/named ] || skip "named is not installed (apt-get install bind9)" ;;
	esac
	SEC_DIR="$tmp/$kind"
	mkdir -p "$SEC_DIR"
	[ -n "$SEC_PORT" ] || SEC_PORT=$(free_port)
	SEC_LOG="$SEC_DIR/out.log"
	conf="$SEC_DIR/$kind.conf"
	case $kind in
	nsd)
		_x_nsd_conf "$@" >"$conf"
		/usr/sbin/nsd -d -c "$conf" -l "$SEC_LOG" >>"$SEC_LOG" 2>&1 &
		;;
	knot)
		mkdir -p "$SEC_DIR/db"
		_x_knot_conf "$@" >"$conf"
		/usr/sbin/knotd -c "$conf" >"$SEC_LOG" 2>&1 &
		;;
	bind)
		_x_bind_conf "$@" >"$conf"
		: >"$SEC_DIR/named.log"
		/usr/sbin/named -f -c "$conf" >"$SEC_LOG" 2>&1 &
		;;
	esac
	SEC_PID=$!
	wait_for -t 10 _x_sec_up ||
		fail "$kind gives no answer on port $SEC_PORT within 10 s"
	_x_sec_alive || fail "$kind exited at start-up:"$'\n'"$(sec_log)"
}

stop_secondary()
{
	_x_cleanup
	SEC_PID=""
}

sec_log()
{
	cat "$SEC_LOG" "$SEC_DIR/named.log" 2>/dev/null | tail -n 40
}

sq()
{
	dig @127.0.0.1 -p "$SEC_PORT" +time=2 +tries=2 "$@"
}

sec_answer()
{
	sq +short "$1" "${2:-A}" 2>/dev/null | sort | tr '\n' ' ' |
		sed 's/ $//'
}

_x_sec_is()
{
	[ "$(sec_answer "$1" "$2")" = "$3" ]
}

wait_sec()
{
	wait_for -t 10 _x_sec_is "$1" "$2" "$3" ||
		fail "secondary: $1 $2: want '$3', still" \
		     "'$(sec_answer "$1" "$2")' after 10 s"$'\n'"$(sec_log)"
}

# The same story for every secondary: the first transfer, changes that
# reach it by NOTIFY and IXFR, a refused transfer from an address not
# listed.
secondary_test()
{
	local kind=$1 m="$tmp/m" out
	mkdir -p "$m"
	zone_manifest "$m/zone.yaml" x.test
	a_record "$m/www.yaml" www 192.0.2.1 x.test
	SEC_PORT=$(free_port)
	start_server "$m" --allow-transfer 127.0.0.1 \
		--notify "127.0.0.1:$SEC_PORT"
	wait_up x.test
	start_secondary "$kind" x.test
	wait_sec www.x.test A 192.0.2.1

	# A change: NOTIFY, the secondary pulls it.
	a_record "$m/www.yaml" www 192.0.2.2 x.test
	wait_sec www.x.test A 192.0.2.2
	a_record "$m/ftp.yaml" ftp 192.0.2.3 x.test
	wait_sec ftp.x.test A 192.0.2.3
	expect_eq "$(sq +short SOA x.test | awk '{print $3}')" \
		"$(serial x.test)" "the secondary's serial"
	wait_for -t 10 grep -q "notify: 127.0.0.1:$SEC_PORT acknowledged" \
		"$SERVER_LOG" || fail "no NOTIFY acknowledged by $kind"
	# The changes went as IXFR differences, not the whole zone.
	grep -q "transfer: IXFR x.test. serial [0-9]* to .*: [0-9]* records" \
		"$SERVER_LOG" || fail "$kind got no incremental transfer"

	# Not on the list: REFUSED, and one log line.
	out=$(dig -b 127.0.0.2 @127.0.0.1 -p "$PORT" +time=2 +tries=1 \
		AXFR x.test 2>&1)
	expect_match "$out" "Transfer failed" "AXFR from 127.0.0.2 not refused"
	wait_for -t 5 grep -q "x.test.' to 127.0.0.2#[0-9]* refused" \
		"$SERVER_LOG" || fail "no log line for the refused transfer"
}
