#!/bin/sh
# The unit tests under valgrind's memcheck (make valgrind), ending with the plain total line
# every test run ends with.
. "$(dirname "$0")/lib.sh"
COUNTS=$(mktemp "${TMPDIR:-/tmp}/tmplkit-counts.XXXXXX") || exit 1
export COUNTS VALGRIND=1
trap 'rm -f "$COUNTS"' EXIT
sh "$TOP/tests/run-unit.sh"
print_total
