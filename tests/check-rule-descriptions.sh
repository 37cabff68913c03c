#!/bin/sh
# Every rule id a tool can report has a SARIF shortDescription that is a sentence, not the
# id again: the schemas' x-rule ids (x-rules), the rule files' rules (summary) and the
# built-ins' ids (their catalog). Checked on the SARIF of every golden input of
# config-validate and of the filters' own samples, with jq (a test dependency).
. "$(dirname "$0")/lib.sh"
SUITE="rule-descriptions"
command -v jq >/dev/null 2>&1 || skip_suite "jq is not installed (apt-get install jq)"
W=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-rules.XXXXXX")
trap 'rm -rf "$W"' EXIT
passed=0 failed=0
G="$TOP/testdata/golden"
n=0
for f in "$G"/config-validate/*/*.json "$G"/config-validate/*/*.conf "$G"/config-validate/*/mender.conf; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    for stage in review deploy; do
        "$BIN/config-validate" --stage "$stage" --format sarif -o "$W/$n-$stage.sarif" "$f" >/dev/null 2>&1
    done
done
"$BIN/menderconf-dual" -n --format sarif --new https://eu.hosted.mender.io \
    "$G/menderconf-dual/p01-serverurl-beside-one-server/mender.conf" > "$W/dual.sarif" 2>/dev/null
for f in "$TOP"/testdata/templates/*.json; do
    "$BIN/endpoint-audit" --format sarif "$f" > "$W/audit-$(basename "$f").sarif" 2>/dev/null
    "$BIN/endpoint-audit" --fix -n --format sarif "$f" > "$W/audit-fix-$(basename "$f").sarif" 2>/dev/null
done
for s in "$W"/*.sarif; do
    [ -s "$s" ] || continue
    jq -r '.runs[0].tool.driver.rules[] | "\(.id)\t\(.shortDescription.text)"' "$s"
done | sort -u > "$W/rules.tsv"
ids=$(cut -f1 "$W/rules.tsv" | sort -u | wc -l)
check "the golden inputs report at least 60 distinct rule ids ($ids)" test "$ids" -ge 60
bare=$(awk -F '\t' '$1 == $2 { print $1 }' "$W/rules.tsv" | sort -u | tr '\n' ' ')
check "every rule id has a shortDescription of its own (none: ${bare:-none})" test -z "$bare"
short=$(awk -F '\t' 'length($2) < 12 { print $1 }' "$W/rules.tsv" | sort -u | tr '\n' ' ')
check "every shortDescription is a sentence (short ones: ${short:-none})" test -z "$short"
finish
