#!/bin/sh
# Runs every suite and ends with the line "N passed, N failed, N skipped".
. "$(dirname "$0")/lib.sh"
COUNTS=$(mktemp "${TMPDIR:-/tmp}/tmplkit-counts.XXXXXX")
export COUNTS B CONFORMANCE
trap 'rm -f "$COUNTS"' EXIT
sh "$TOP/tests/check-layers.sh"
sh "$TOP/tests/check-build-rules.sh"
sh "$TOP/tests/run-unit.sh"
sh "$TOP/tests/run-golden.sh"
# Once more with every array and object of scalars packed (make check builds PACKED_B for it).
if [ -n "${PACKED_B:-}" ] && [ -d "$TOP/$PACKED_B/bin" ]; then
    BIN="$TOP/$PACKED_B/bin" GOLDEN_LABEL="golden, scalars packed" sh "$TOP/tests/run-golden.sh"
fi
sh "$TOP/tests/run-conformance.sh"
sh "$TOP/tests/check-shell.sh"
sh "$TOP/tests/check-completion.sh"
sh "$TOP/tests/check-leaks.sh"
sh "$TOP/tests/check-hostile.sh"
sh "$TOP/tests/check-deb.sh"
sh "$TOP/tests/check-pre-commit.sh"
sh "$TOP/tests/check-sarif.sh"
sh "$TOP/tests/check-rule-descriptions.sh"
sh "$TOP/tests/mender-module/unit.sh"
sh "$TOP/tests/mender-module/client.sh"
sh "$TOP/tests/mender-oracle.sh"
# A smoke of the differential test (make differential runs thousands of cases).
sh "$TOP/tests/differential/run.sh" "${DIFF_N:-300}"
print_total
