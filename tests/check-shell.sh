#!/bin/sh
# shellcheck on the update module (POSIX sh) and the project's shell scripts; skipped when
# shellcheck is not installed.
. "$(dirname "$0")/lib.sh"
SUITE="shellcheck"
if ! command -v shellcheck >/dev/null 2>&1; then
    skip_suite "not installed"
fi
cd "$TOP" || exit 1
passed=0 failed=0
for f in rules/modules/menderconf tools/pre-commit-run tools/completion.sh tests/golden-faults.sh; do
    if shellcheck -s sh "$f"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL shellcheck: $f"; fi
done
echo "shellcheck: $passed passed, $failed failed"
record "$passed" "$failed" 0
[ "$failed" = 0 ]
