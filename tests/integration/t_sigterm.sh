#!/bin/bash
# SPDX-License-Identifier: MIT
# t_sigterm.sh -- SIGTERM: exit status 0 and the port is released.
. "$(dirname "$0")/common.sh"
need dig

m="$tmp/manifests"
mkdir -p "$m"
zone_manifest "$m/zone.yaml" sig.test
start_server "$m"
wait_up sig.test
port=$PORT

# Leave a TCP connection open across the shutdown: it must not hold the
# daemon up.
exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect over TCP"
stop_server
exec 3>&-

port_unused() { ! port_in_use "$port"; }
wait_for -t 5 port_unused || fail "port $port still bound after exit"
out=$(dig +time=1 +tries=1 @127.0.0.1 -p "$port" SOA sig.test 2>&1)
expect_no_match "$out" 'status: ' "something still answers on port $port"

# The same port can be bound again at once.
start_server "$m"
wait_up sig.test
stop_server
