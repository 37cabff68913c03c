# Shared by the test runners: where things are and how results are counted.
# Each runner appends "PASSED FAILED SKIPPED" lines to $COUNTS when it is set.
: "${B:=build}"
TOP=$(cd "$(dirname "$0")" && while [ ! -f Makefile ] && [ "$(pwd)" != / ]; do cd ..; done && pwd)
: "${BIN:=$TOP/$B/bin}"    # a caller may give other binaries (run-valgrind.sh: wrapped ones)
record() {  # record PASSED FAILED SKIPPED
    [ -n "${COUNTS:-}" ] && echo "$1 $2 $3" >> "$COUNTS"
    return 0
}

# print_total: the plain line a test run ends with, summed from $COUNTS; fails when
# anything failed.
print_total() {
    awk '{p += $1; f += $2; s += $3} END {printf "%d passed, %d failed, %d skipped\n", p, f, s; exit f > 0}' "$COUNTS"
}

# The runners below count assertions in $passed and $failed and name themselves in $SUITE.
passed=0 failed=0

# skip_suite REASON: the whole suite cannot run here; says why and counts one skip.
skip_suite() {
    echo "$SUITE: skipped: $1"
    echo "$SUITE: 0 passed, 0 failed, 1 skipped"
    record 0 0 1
    exit 0
}

# check NAME COMMAND...: one assertion, passed when COMMAND succeeds.
check() {
    check_name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $SUITE: $check_name"
    fi
}

# finish: the suite's count line; exits 1 when anything failed.
finish() {
    echo "$SUITE: $passed passed, $failed failed"
    record "$passed" "$failed" 0
    [ "$failed" = 0 ]
    exit
}
