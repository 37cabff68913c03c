#!/bin/sh
# The build refuses a broken rule file: in a scratch copy of the tree (with its build
# directory, so only what depends on rules/ is redone), one select of a rule file is
# broken and `make build` must fail, naming the file, line and column, and link no tool.
# (testdata/golden/rulecheck/ covers each kind of breakage with the checker itself.)
. "$(dirname "$0")/lib.sh"
if [ "$B" != build ]; then
    # Other builds (sanitizers) set compiler flags on make's command line that a rebuild
    # here would not repeat; the default build covers the Makefile's wiring.
    echo "build-rules: 0 passed, 0 failed, 1 skipped (runs with the default build)"
    record 0 0 1
    exit 0
fi
scratch=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-buildrules.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
cd "$TOP" || exit 1
cp -pR Makefile lib tools rules "$scratch"/
mkdir -p "$scratch/$B" && cp -pR "$B"/. "$scratch/$B"/
rm -f "$scratch/$B"/bin/*
sleep 1   # the edit must be newer than the copied stamp, whatever the file system's clock grain
sed -i 's/select: "\$\[?lower(key()) == .servers. && key() != .Servers.\]"/select: "$[?lower(key() == '"'"'servers'"'"')]"/' \
    "$scratch/rules/menderconf-dual.yaml"
out=$(cd "$scratch" && make --no-print-directory B="$B" build 2>&1)
rc=$?
ok=1
[ $rc != 0 ] || { ok=0; echo "FAIL build-rules: make succeeded with a broken rule file"; }
line=$(grep -n "select: \"\$\[?lower(key() == 'servers')\]\"" "$scratch/rules/menderconf-dual.yaml" | cut -d: -f1)
echo "$out" | grep -q "rules/menderconf-dual.yaml:$line:23: error: JSONPath" ||
    { ok=0; echo "FAIL build-rules: no FILE:LINE:COL error in make's output:"; echo "$out" | tail -5 | sed 's/^/    /'; }
[ -z "$(ls "$scratch/$B/bin" 2>/dev/null)" ] || { ok=0; echo "FAIL build-rules: tools were linked"; }
if [ $ok = 1 ]; then
    echo "build-rules: 1 passed, 0 failed"
    record 1 0 0
else
    echo "build-rules: 0 passed, 1 failed"
    record 0 1 0
    exit 1
fi
