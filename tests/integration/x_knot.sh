#!/bin/bash
# SPDX-License-Identifier: MIT
# x_knot.sh -- dropzoned as the hidden primary of a real Knot DNS secondary:
# first transfer, NOTIFY on a change, a refused transfer.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/r_lib.sh"
. "$(dirname "$0")/x_lib.sh"
need dig
secondary_test knot
stop_server
