# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# l_lib.sh -- shared by the limit tests (l_*.sh): the p_ zone and dzsend
# (p_lib.sh), plus counts of the server's connections and descriptors.
#
# Source it first thing from an l_*.sh test:
#     . "$(dirname "$0")/l_lib.sh"

. "$(dirname "${BASH_SOURCE[0]}")/p_lib.sh"

# Raise this shell's soft open-file limit to at least $1 (children
# inherit it); skip the test when the hard limit does not allow it.
l_need_fds()
{
	local hard
	hard=$(ulimit -Hn)
	if [ "$hard" != unlimited ] && [ "$hard" -lt "$1" ]; then
		skip "needs $1 open files, the hard limit is $hard"
	fi
	ulimit -n "$1" 2>/dev/null || skip "cannot raise ulimit -n to $1"
}

# Descriptors the server has open.
l_server_fds()
{
	find "/proc/$SERVER_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null |
		wc -l
}

# True when the server holds at least $1 descriptors.
l_fds_at_least()
{
	[ "$(l_server_fds)" -ge "$1" ]
}

# TCP connections the server side has established on its port.
l_conns()
{
	ss -Htn state established "( sport = :$PORT )" | wc -l
}

l_conns_at_least()
{
	[ "$(l_conns)" -ge "$1" ]
}

l_conns_at_most()
{
	[ "$(l_conns)" -le "$1" ]
}

# True when file $1 has a line matching ERE $2.
l_has_line()
{
	grep -Eq -- "$2" "$1" 2>/dev/null
}
