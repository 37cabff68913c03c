#!/bin/sh
# Runs the public conformance suites from $CONFORMANCE (default ../shared/conformance);
# a missing suite is skipped with a message, not failed.
. "$(dirname "$0")/lib.sh"
: "${CONFORMANCE:=../shared/conformance}"
case "$CONFORMANCE" in /*) ;; *) CONFORMANCE="$TOP/$CONFORMANCE" ;; esac
status=0
run_suite() {  # run_suite NAME PATH COMMAND...
    name=$1 path=$2
    shift 2
    if [ ! -e "$path" ]; then
        echo "conformance $name: skipped ($path not found)"
        record 0 0 1
        return
    fi
    if [ "${VALGRIND:-}" = 1 ]; then
        out=$(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "$@" "$path")
    else
        out=$("$@" "$path")
    fi
    rc=$?
    echo "$out"
    line=$(echo "$out" | tail -n 1)
    p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
    k=$(echo "$line" | sed -n 's/.*, \([0-9]*\) skipped.*/\1/p')
    [ -n "$p" ] || { p=0; f=1; }
    [ "$rc" = 0 ] || [ "$f" != 0 ] || f=1
    record "$p" "$f" "${k:-0}"
    [ "$f" = 0 ] || status=1
}
run_suite jsontestsuite "$CONFORMANCE/JSONTestSuite/test_parsing" "$TOP/$B/tests/conf_jsontestsuite"
run_suite jsonpath "$CONFORMANCE/jsonpath-compliance-test-suite/cts.json" "$TOP/$B/tests/conf_jsonpath"
run_suite jsonpatch "$CONFORMANCE/json-patch-tests" "$TOP/$B/tests/conf_jsonpatch"
run_suite jsonschema "$CONFORMANCE/JSON-Schema-Test-Suite/tests/draft2020-12" "$TOP/$B/tests/conf_jsonschema"
exit $status
