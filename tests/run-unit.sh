#!/bin/sh
# Runs the C unit tests (under valgrind when VALGRIND=1).
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1   # unit tests read rules/ and tests/ from the source tree
passed=0 failed=0
for t in "$TOP/$B"/tests/test_*; do
    [ -x "$t" ] || continue
    if [ "${VALGRIND:-}" = 1 ]; then
        line=$(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$t")
    else
        line=$("$t")
    fi
    rc=$?
    echo "$line"
    p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
    [ -n "$p" ] || { p=0; f=1; echo "$t: no summary (exit $rc)"; }
    [ "$rc" = 0 ] || [ "$f" != 0 ] || { f=1; echo "$t: exit $rc"; }
    passed=$((passed + p)) failed=$((failed + f))
done
record "$passed" "$failed" 0
[ "$failed" = 0 ]
