# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# common.sh -- shared set-up of dev/run and dev/test (sourced, not run).
#
# Provides:
#   DZ_SRC                 absolute path of the source tree
#   dz_install_packages    apt-get install the build packages that are
#                          missing (root only; no-op when all are present)
#   dz_bootstrap           autoreconf -fi when there is no configure yet
#   dz_configure DIR ARGS  configure out-of-tree in DIR (once per ARGS)
#   dz_step MSG            print a step heading

set -eu

DZ_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Build: the toolchain and libraries. Tests: dig/drill, python3 for small
# test clients, NSD/Knot/BIND as real secondaries (zone transfers),
# promtool (package prometheus) to check /metrics, clang for the fuzzers.
DZ_PACKAGES="build-essential autoconf automake libtool pkg-config
libevent-dev libldns-dev libyaml-dev libcmocka-dev liburcu-dev libjson-c-dev
libsystemd-dev dnsutils ldnsutils iproute2 python3 nsd knot bind9 valgrind
prometheus clang libclang-rt-14-dev"

dz_step()
{
	printf '\n==> %s\n' "$*"
}

dz_install_packages()
{
	local missing="" p status

	for p in $DZ_PACKAGES; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" \
			2>/dev/null || true)
		if [ "$status" != "installed" ]; then
			missing="$missing $p"
		fi
	done
	if [ -z "$missing" ]; then
		return 0
	fi
	dz_step "installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing packages:$missing (run as root, or install" \
			"them with apt-get)" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086 # word splitting is intended
	apt-get install -y -q --no-install-recommends $missing
}

dz_bootstrap()
{
	if [ ! -x "$DZ_SRC/configure" ]; then
		dz_step "autoreconf -fi"
		(cd "$DZ_SRC" && autoreconf -fi)
	fi
}

# Configure in DIR unless it is already configured with the same arguments
# (config.status remembers them) and configure is not newer.
dz_configure()
{
	local dir=$1 stamp
	shift
	mkdir -p "$dir"
	stamp="$dir/.dz-configure-args"
	if [ -f "$dir/config.status" ] && [ -f "$stamp" ] &&
	   [ "$(cat "$stamp")" = "$*" ] &&
	   [ "$dir/config.status" -nt "$DZ_SRC/configure" ]; then
		return 0
	fi
	dz_step "configure $* (in ${dir#"$DZ_SRC"/})"
	(cd "$dir" && "$DZ_SRC/configure" -q "$@")
	printf '%s' "$*" >"$stamp"
}

dz_jobs()
{
	nproc 2>/dev/null || echo 2
}
