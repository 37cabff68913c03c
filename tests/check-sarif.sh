#!/bin/sh
# Every tool's SARIF, checked by Microsoft's SARIF Multitool (npm package
# @microsoft/sarif-multitool, a test-only dependency installed on first use under
# build/.test-deps): the OASIS SARIF 2.1.0 schema and its rules, and GitHub code scanning's
# ingestion rules (--rule-kind "Gh;Sarif"). Skipped, with a message, when it cannot be had.
. "$(dirname "$0")/lib.sh"
SUITE="sarif"
deps="$TOP/build/.test-deps/sarif"
mt="$deps/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
if [ ! -f "$mt" ] && command -v npm >/dev/null 2>&1; then
    echo "sarif: installing @microsoft/sarif-multitool@5.7.0 (test dependency) under build/.test-deps"
    mkdir -p "$deps"
    timeout 600 npm install --no-audit --no-fund --silent --prefix "$deps" @microsoft/sarif-multitool@5.7.0 \
        >/dev/null 2>&1
fi
[ -f "$mt" ] && chmod u+x "$mt" 2>/dev/null
if [ ! -x "$mt" ] || ! "$mt" --version >/dev/null 2>&1; then
    skip_suite "the SARIF Multitool is not available (npm install @microsoft/sarif-multitool)"
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-sarif.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1
S="$TOP/testdata/samples"
G="$TOP/testdata/golden"
# One SARIF log per tool and input: with findings of every severity, and clean.
"$BIN/config-validate" --format sarif -o cv-mender.sarif "$G/config-validate/p09-client-generations/numbers.json" \
    "$G/config-validate/p03-urls-the-cpp-client-cannot-use/port.json"
"$BIN/config-validate" --format sarif -o cv-arm.sarif "$G/config-validate/arm-problems/"*.json
"$BIN/config-validate" --format sarif -o cv-clean.sarif "$S/mender-yocto.conf"
"$BIN/config-validate" --format sarif --stage deploy -o cv-samples.sarif "$S/template.json" "$S/mender-debian.conf"
"$BIN/tmpl-apply" -n --format sarif -r "$S/review-scrub.yaml" "$S/template.json" > apply.sarif 2>/dev/null
"$BIN/endpoint-audit" --format sarif "$TOP/testdata/templates/export-routing.json" > audit.sarif 2>/dev/null
"$BIN/menderconf-dual" -n --format sarif --new https://eu.hosted.mender.io \
    "$G/menderconf-dual/p01-serverurl-beside-one-server/mender.conf" > dual.sarif 2>/dev/null
"$BIN/menderconf-final" -n --format sarif --new https://eu.hosted.mender.io "$S/mender-yocto.conf" > final.sarif 2>/dev/null
"$BIN/menderconf-artifact" --format sarif --config "$G/menderconf-artifact/config-refused/mender.conf" -t d -N n \
    -o x.mender > /dev/null 2> artifact.sarif
passed=0 failed=0
for f in *.sarif; do
    if [ ! -s "$f" ]; then
        failed=$((failed + 1))
        echo "FAIL sarif: $f is empty"
        continue
    fi
    "$mt" validate "$f" --rule-kind "Gh;Sarif" -o "$f.check" --log ForceOverwrite > "$f.out" 2>&1
    if grep -q ': error ' "$f.out" || ! grep -q 'Analysis completed successfully' "$f.out"; then
        failed=$((failed + 1))
        echo "FAIL sarif: $f"
        grep ': error \|ERR' "$f.out" | head -5 | sed 's/^/    /'
    else
        passed=$((passed + 1))
    fi
done
echo "sarif: $passed passed, $failed failed"
record "$passed" "$failed" 0
[ "$failed" = 0 ]
