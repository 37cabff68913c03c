#!/bin/sh
# make valgrind: make check's unit tests, golden tests and conformance suites under
# valgrind's memcheck (the dynamically linked build: build-valgrind), ending with the plain
# total line every test run ends with. A memcheck error makes the program exit 99, which
# fails its test. The golden tests run the tools through wrappers that start each under
# memcheck (valgrind named by its full path: some goldens run with a PATH of their own).
. "$(dirname "$0")/lib.sh"
COUNTS=$(mktemp "${TMPDIR:-/tmp}/tmplkit-counts.XXXXXX") || exit 1
WRAP=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-valgrind.XXXXXX") || exit 1
export COUNTS VALGRIND=1
trap 'rm -rf "$COUNTS" "$WRAP"' EXIT
chmod 755 "$WRAP"   # the permission goldens run the wrappers as nobody
vg=$(command -v valgrind)
for tool in "$TOP/$B"/bin/*; do
    printf '#!/bin/sh\nexec "%s" -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite "%s" "$@"\n' \
        "$vg" "$tool" > "$WRAP/$(basename "$tool")"
    chmod +x "$WRAP/$(basename "$tool")"
done
sh "$TOP/tests/run-unit.sh"
BIN="$WRAP" sh "$TOP/tests/run-golden.sh"
sh "$TOP/tests/run-conformance.sh"
print_total
