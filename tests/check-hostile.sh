#!/bin/sh
# Hostile rule files and schemas (tests/hostile/ and generated ones): every one ends in an
# exit code of the documented table (0, 1, 2, 4; never a signal), within 20 seconds, and a
# rule file or schema that is refused is refused at FILE:LINE:COL (or for a file that is
# not UTF-8 or not YAML at all, with the file named).
. "$(dirname "$0")/lib.sh"
SUITE=hostile
W=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-hostile.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
H="$TOP/tests/hostile"
cp "$H"/*.yaml "$W/"
cd "$W" || exit 1
printf '{"a": {"k": "x"}, "k": "xyz", "b": [1, 2, 3]}\n' > doc.json
# generated: not UTF-8, a huge flow sequence, 10,000 rules, a deep value
printf 'tool: any\nversion: 1\nrules:\n  - id: r\n    select: "$.a"\n    do: {report: {message: "\377\376"}}\n' > not-utf8.yaml
awk 'BEGIN { printf "tool: any\nversion: 1\nvars:\n  v: {default: x, description: ["; for (i = 0; i < 200000; i++) printf "%s%d", i ? ", " : "", i; print "]}\nrules: []" }' > huge-flow.yaml
awk 'BEGIN { print "tool: any\nversion: 1\nrules:"; for (i = 0; i < 10000; i++) printf "  - id: r%d\n    select: \"$.b[%d]\"\n    do: {set: %d}\n", i, i % 3, i }' > many-rules.yaml
awk 'BEGIN { printf "tool: any\nversion: 1\nrules:\n  - id: r\n    select: \"$.a\"\n    do: {set: "; for (i = 0; i < 2000; i++) printf "["; for (i = 0; i < 2000; i++) printf "]"; print "}" }' > deep-value.yaml
# run NAME EXPECTED-CODES COMMAND...: the exit code is one of EXPECTED-CODES.
run() {
    name=$1 codes=$2
    shift 2
    timeout 20 "$@" > out 2> err < /dev/null
    rc=$?
    case " $codes " in
    *" $rc "*) passed=$((passed + 1)) ;;
    *) failed=$((failed + 1)); echo "FAIL hostile: $name: exit $rc (want one of $codes)"; head -3 err ;;
    esac
}
# placed NAME FILE: every error about FILE names a position in it.
placed() {
    if grep -q ": $2: error" err; then
        failed=$((failed + 1)); echo "FAIL hostile: $1: no FILE:LINE:COL for $2"; head -3 err
    else
        passed=$((passed + 1))
    fi
}
for f in *.yaml; do
    case $f in *schema*) continue ;; esac
    run "tmpl-apply -r $f" "0 1 2 4" "$BIN/tmpl-apply" -r "$f" doc.json
    case $f in not-utf8.yaml) ;; *) placed "tmpl-apply -r $f" "$f" ;; esac
    run "tmpl-apply -n -r $f" "0 1 2 4" "$BIN/tmpl-apply" -n -r "$f" doc.json
done
# the injection file: a value made of JSONPath and regex syntax is a literal, never code
run "injection, value as literal" "0 1" "$BIN/tmpl-apply" -r injection.yaml -D "name=x'] || \$[?@ || '(" doc.json
check "injection: the document is unchanged (nothing matched the literal)" cmp -s out doc.json
run "catastrophic regex" "4" "$BIN/tmpl-apply" -r bad-regex.yaml doc.json
check "catastrophic regex: named" grep -q "(a+)+\$\|match limit\|does not compile\|missing" err
for f in bad-schema.yaml self-schema.yaml; do
    run "config-validate --schema $f" "0 1 4" "$BIN/config-validate" --schema "$f" doc.json
    placed "config-validate --schema $f" "$f"
done
check "the hostile files were all run" test "$(ls "$H"/*.yaml | wc -l)" -ge 10
finish
