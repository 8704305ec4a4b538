#!/bin/bash
# SPDX-License-Identifier: MIT
# x_bind.sh -- dropzoned as the hidden primary of a real BIND 9 secondary:
# first transfer, NOTIFY on a change, a refused transfer.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
. "$(dirname "$0")/x_lib.sh"
need dig
secondary_test bind
stop_server
