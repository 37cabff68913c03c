#!/bin/sh
# The unit tests under valgrind's memcheck (make valgrind), ending with the plain total line
# every test run ends with.
COUNTS=$(mktemp) || exit 1
export COUNTS VALGRIND=1
sh "$(dirname "$0")/run-unit.sh"
rc=$?
awk '{ p += $1; f += $2 } END { printf "%d passed, %d failed\n", p, f }' "$COUNTS"
rm -f "$COUNTS"
exit $rc
