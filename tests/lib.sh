# Shared by the test runners: where things are and how results are counted.
# Each runner appends "PASSED FAILED SKIPPED" lines to $COUNTS when it is set.
: "${B:=build}"
TOP=$(cd "$(dirname "$0")" && while [ ! -f Makefile ] && [ "$(pwd)" != / ]; do cd ..; done && pwd)
BIN="$TOP/$B/bin"
record() {  # record PASSED FAILED SKIPPED
    [ -n "${COUNTS:-}" ] && echo "$1 $2 $3" >> "$COUNTS"
    return 0
}
