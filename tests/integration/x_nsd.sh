#!/bin/bash
# SPDX-License-Identifier: MIT
# x_nsd.sh -- dropzoned as the hidden primary of a real NSD secondary:
# first transfer, NOTIFY on a change, a refused transfer.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
. "$(dirname "$0")/x_lib.sh"
need dig
secondary_test nsd
stop_server
