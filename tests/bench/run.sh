#!/bin/sh
# make bench: throughput and memory of the JSON core and the tools, side by side with jq
# and gojq (when installed) in the same run. Each figure is the best of RUNS runs after a
# warm-up, so page-cache and first-touch effects do not decide the result.
. "$(dirname "$0")/../lib.sh"
set -e
: "${BENCH_MB:=150}" "${RUNS:=3}"
W=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
CFLAGS_B="-O2 -std=c11 -D_DEFAULT_SOURCE"
cc $CFLAGS_B -o "$W/gen_arm" "$TOP/tests/bench/gen_arm.c"
cc $CFLAGS_B -o "$W/measure" "$TOP/tests/bench/measure.c"
cc $CFLAGS_B -o "$W/roundtrip" "$TOP/tests/bench/roundtrip.c" "$TOP/$B/libtmplkit.a" $(pkg-config --libs yaml-0.1 libpcre2-8) -lm

echo "generating a ${BENCH_MB} MB ARM-template-shaped document..."
"$W/gen_arm" "$BENCH_MB" > "$W/big.json"
size=$(wc -c < "$W/big.json")
mb=$(awk -v s="$size" 'BEGIN {printf "%.1f", s / 1e6}')
echo "input: $size bytes ($mb MB)"

# best IN OUT CMD...: prints "seconds rss_kb" of the fastest of RUNS runs (after one warm-up).
best() {
    in=$1 out=$2
    shift 2
    "$W/measure" "$in" "$out" "$@" > /dev/null
    i=0 bt="" br=""
    while [ $i -lt "$RUNS" ]; do
        set -- "$@"
        r=$("$W/measure" "$in" "$out" "$@")
        t=${r%% *} rest=${r#* } rss=${rest%% *} rc=${rest#* }
        [ "$rc" = 0 ] || { echo "bench: '$*' exited $rc" >&2; exit 1; }
        if [ -z "$bt" ] || awk -v a="$t" -v b="$bt" 'BEGIN {exit !(a < b)}'; then bt=$t br=$rss; fi
        i=$((i + 1))
    done
    echo "$bt $br"
}
row() {  # row LABEL "seconds rss_kb"
    set -- "$1" $2
    awk -v l="$1" -v t="$2" -v r="$3" -v s="$size" 'BEGIN {
        printf "  %-44s %8.3f s %9.1f MB/s %8.1f MB RSS  (%.2fx input)\n", l, t, s / 1e6 / t, r / 1024, r * 1024 / s }'
}

echo
echo "(a) validation (syntax, duplicate names): target >= 300 MB/s"
a=$(best "$W/big.json" /dev/null "$BIN/config-validate" --kind json "$W/big.json"); row "config-validate --kind json" "$a"
command -v jq >/dev/null && row "jq empty" "$(best "$W/big.json" /dev/null jq empty)"
command -v gojq >/dev/null && row "gojq empty" "$(best "$W/big.json" /dev/null gojq empty)"

echo
echo "(b) parse + write round trip: target peak RSS <= 2.5x input"
b=$(best "$W/big.json" "$W/rt.json" "$W/roundtrip" "$W/big.json"); row "JSON core, input style (copies untouched text)" "$b"
cmp -s "$W/rt.json" "$W/big.json" && echo "  (output byte-identical to the input)"
row "JSON core, re-laid out (--indent 2)" "$(best "$W/big.json" "$W/rt2.json" "$W/roundtrip" --indent 2 "$W/big.json")"
command -v jq >/dev/null && row "jq ." "$(best "$W/big.json" "$W/jq.json" jq .)"
command -v gojq >/dev/null && row "gojq ." "$(best "$W/big.json" "$W/gojq.json" gojq .)"

echo
echo "(c) per-process time on a 300-byte config: target within 1.5x of cat"
printf '{\n    "ClientProtocol": "https",\n    "HttpsClient": {},\n    "InventoryPollIntervalSeconds": 28800,\n    "RetryPollIntervalSeconds": 300,\n    "ServerURL": "https://hosted.mender.io",\n    "TenantToken": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJtZW5kZXIudGVuYW50Ijo",\n    "UpdatePollIntervalSeconds": 1800\n}' > "$W/small.json"
n=500
tc=$("$W/measure" -n $n "$W/small.json" /dev/null cat); tc=${tc%% *}
tv=$("$W/measure" -n $n "$W/small.json" /dev/null "$BIN/config-validate"); tv=${tv%% *}
awk -v c="$tc" -v v="$tv" -v n=$n 'BEGIN {
    printf "  %-44s %8.1f us\n  %-44s %8.1f us  (%.2fx cat)\n", "cat (mean of " n ")", c * 1e6, "config-validate (mean of " n ")", v * 1e6, v / c }'
if command -v jq >/dev/null; then
    tj=$("$W/measure" -n 100 "$W/small.json" /dev/null jq empty); tj=${tj%% *}
    awk -v j="$tj" 'BEGIN {printf "  %-44s %8.1f us\n", "jq empty (mean of 100)", j * 1e6}'
fi
