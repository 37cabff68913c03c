#!/bin/sh
# The real Go Mender client as an oracle for every Mender tool: each config a golden test
# of menderconf-dual, menderconf-final or the round trip writes (expected.out, after/) must
# load in it (mender ... show-provides exits 0). The Go client is older and more lenient
# than the C++ one, so this is a floor, not the rule. Skipped without the client.
. "$(dirname "$0")/lib.sh"
SUITE="mender-oracle"
if ! command -v mender >/dev/null 2>&1; then
    skip_suite "the mender client is not installed (Debian package mender-client)"
fi
data=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-oracle.XXXXXX")
trap 'rm -rf "$data"' EXIT
passed=0 failed=0
for f in "$TOP"/testdata/golden/menderconf-*/*/expected.out "$TOP"/testdata/golden/mender-roundtrip/*/after/*; do
    [ -f "$f" ] || continue
    head -c 1 "$f" | grep -q '{' || continue      # od dumps and messages are not configs
    if mender --no-syslog --config "$f" --fallback-config /nonexistent --data "$data" show-provides \
        >/dev/null 2>"$data/err"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL mender-oracle: ${f#"$TOP"/}: $(grep -o 'level=error msg="[^"]*' "$data/err" | head -1)"
    fi
done
echo "mender-oracle: $passed passed, $failed failed"
record "$passed" "$failed" 0
[ "$failed" = 0 ]
