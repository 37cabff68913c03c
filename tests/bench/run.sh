#!/bin/sh
# make bench: throughput and memory of the JSON core and the tools, side by side with jq
# and gojq (when installed) in the same run. Each figure is the best of RUNS runs after a
# warm-up, so page-cache and first-touch effects do not decide the result.
. "$(dirname "$0")/../lib.sh"
set -e
: "${BENCH_MB:=150}" "${RUNS:=3}"
W=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
CFLAGS_B="-O2 -std=c11 -D_DEFAULT_SOURCE -I$TOP/lib"
cc $CFLAGS_B -o "$W/gen_arm" "$TOP/tests/bench/gen_arm.c"
cc $CFLAGS_B -o "$W/gen_collide" "$TOP/tests/bench/gen_collide.c"
cc $CFLAGS_B -o "$W/measure" "$TOP/tests/bench/measure.c"
cc $CFLAGS_B -static -o "$W/roundtrip" "$TOP/tests/bench/roundtrip.c" "$TOP/$B/libtmplkit.a" $(pkg-config --libs yaml-0.1 libpcre2-8) -lm
cc $CFLAGS_B -o "$W/readloop" "$TOP/tests/bench/readloop.c"

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
        t=$(echo "$r" | cut -d' ' -f1) rss=$(echo "$r" | cut -d' ' -f2) rc=$(echo "$r" | cut -d' ' -f3)
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
echo "(d) rules on the same document: a scrub-like file (remove by filter + regex replace) adds <= 50% to parse + write"
rt=$(best "$W/big.json" "$W/rt.json" "$W/roundtrip" "$W/big.json")
rr=$(best "$W/big.json" "$W/rr.json" "$W/roundtrip" --read "$W/big.json")
em=$(best "$W/big.json" "$W/em.json" "$BIN/tmpl-apply" -r "$TOP/tests/bench/empty.yaml" "$W/big.json")
sc=$(best "$W/big.json" "$W/sc.json" "$BIN/tmpl-apply" -r "$TOP/tests/bench/scrub.yaml" "$W/big.json")
sr=$(best "$W/big.json" "$W/sr.json" "$BIN/tmpl-apply" -r "$TOP/tests/bench/scrub-rewrite.yaml" "$W/big.json")
row "parse + write (JSON core, input mapped)" "$rt"
row "parse + write (JSON core, input read)" "$rr"
row "tmpl-apply, no rules (parse, validate, write)" "$em"
row "tmpl-apply, scrub-like rules (keys masked)" "$sc"
row "tmpl-apply, scrub-like rules, every key rewritten" "$sr"
# The filters read their input rather than map it (a file changed while being written
# from must not reach the output); the target is held against the faster mapped round trip.
awk -v m="${rt%% *}" -v a="${rr%% *}" -v b="${em%% *}" -v c="${sc%% *}" -v r="${sr%% *}" 'BEGIN {
    printf "  reading instead of mapping costs the round trip %.0f ms (fresh pages faulted in and filled)\n", (a - m) * 1000
    printf "  scrub-like rules add %.0f%% to the mapped JSON core round trip (%.0f%% to the tool without rules);\n", (c / m - 1) * 100, (c / b - 1) * 100
    printf "  rewriting every key adds %.0f%% (%.0f%%)\n", (r / m - 1) * 100, (r / b - 1) * 100 }'

echo
echo "(e) \$..name is linear: MB/s on a third of the document and on all of it"
"$W/gen_arm" $((BENCH_MB / 3)) > "$W/third.json"
third=$(wc -c < "$W/third.json")
t1=$(best "$W/third.json" /dev/null "$BIN/tmpl-apply" -r "$TOP/tests/bench/names.yaml" "$W/third.json")
t3=$(best "$W/big.json" /dev/null "$BIN/tmpl-apply" -r "$TOP/tests/bench/names.yaml" "$W/big.json")
awk -v a="${t1%% *}" -v b="${t3%% *}" -v s1="$third" -v s3="$size" 'BEGIN {
    printf "  %-44s %8.3f s %9.1f MB/s\n  %-44s %8.3f s %9.1f MB/s  (time ratio %.2f for size ratio %.2f)\n",
        "$..name, " s1 / 1e6 " MB", a, s1 / 1e6 / a, "$..name, " s3 / 1e6 " MB", b, s3 / 1e6 / b, b / a, s3 / s1 }'

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

echo
echo "(f) menderconf-dual on a real-size mender.conf: within 1.5x of cat; >= 20x faster than the jq recipe"
echo "    (wall: fork to exit, as a shell sees it; cpu: the process's own user + system time)"
MC="$TOP/testdata/samples/mender-yocto.conf"
NEWS=https://eu.hosted.mender.io
# per LABEL CMD...: mean wall and CPU microseconds over $n runs, as "WALL CPU".
per() {
    label=$1
    shift
    r=$("$W/measure" -n $n "$MC" /dev/null "$@")
    w=$(echo "$r" | cut -d' ' -f1) c=$(echo "$r" | cut -d' ' -f4)
    awk -v l="$label" -v w="$w" -v c="$c" 'BEGIN {printf "  %-44s %8.1f us wall %8.1f us cpu\n", l, w * 1e6, c * 1e6}' >&2
    echo "$w $c"
}
tt=$(per "true (starting a process at all)" true)
tc=$(per "cat" cat)
td=$(per "menderconf-dual" "$BIN/menderconf-dual" --new $NEWS)
tf=$(per "menderconf-final" "$BIN/menderconf-final" --force --new $NEWS)
ts=""
tq=""
if command -v jq >/dev/null; then
    n_saved=$n
    n=100
    tq=$(per "the jq recipe (.ServerURL = \"\" | .Servers = [...])" jq ".ServerURL = \"\" | .Servers = [{\"ServerURL\": \"https://hosted.mender.io\"}, {\"ServerURL\": \"$NEWS\"}]")
    n=$n_saved
fi
awk -v c="$tc" -v d="$td" -v f="$tf" -v s="$ts" -v q="$tq" 'BEGIN {
    split(c, C, " "); split(d, D, " "); split(f, F, " "); split(s, S, " "); split(q, Q, " ")
    printf "  menderconf-dual: %.2fx cat (wall), %.2fx cat (cpu); menderconf-final: %.2fx / %.2fx\n", D[1] / C[1], D[2] / C[2], F[1] / C[1], F[2] / C[2]
    if (q != "") {
        printf "  the jq recipe takes %.1fx as long as menderconf-dual (wall), %.1fx (cpu)\n", Q[1] / D[1], Q[2] / D[2]
    } }'

echo
echo "(g) 10,000 small mender.conf files in one config-validate process vs a Python loop of json.load: >= 30x"
mkdir -p "$W/many"
i=0
while [ $i -lt 10000 ]; do cp "$TOP/testdata/samples/mender-debian.conf" "$W/many/m$i.conf"; i=$((i + 1)); done
cat > "$W/loop.py" <<'PY'
import json, sys
for name in sys.argv[1:]:
    with open(name) as f:
        json.load(f)
PY
cat > "$W/files.sh" <<SH
#!/bin/sh
exec "\$@" $W/many/*.conf
SH
chmod +x "$W/files.sh"
# best_of CMD...: the fastest of RUNS runs, after a warm-up that also settles the files'
# access times (the first read of a new file writes its inode).
best_of() {
    "$W/measure" /dev/null /dev/null "$W/files.sh" "$@" > /dev/null
    b=""
    i=0
    while [ $i -lt "$RUNS" ]; do
        t=$("$W/measure" /dev/null /dev/null "$W/files.sh" "$@" | cut -d' ' -f1)
        if [ -z "$b" ] || awk -v a="$t" -v c="$b" 'BEGIN {exit !(a < c)}'; then b=$t; fi
        i=$((i + 1))
    done
    echo "$b"
}
tr=$(best_of "$W/readloop")
tv=$(best_of "$BIN/config-validate" --kind mender-conf -q)
tj=$(best_of "$BIN/config-validate" --kind json -q)
if command -v python3 >/dev/null; then
    tp=$(best_of python3 "$W/loop.py")
    awk -v v="$tv" -v j="$tj" -v p="$tp" -v r="$tr" 'BEGIN {
        printf "  %-44s %8.3f s\n", "python3: json.load each file", p
        printf "  %-44s %8.3f s  (%.1fx faster)\n", "config-validate --kind mender-conf (all checks)", v, p / v
        printf "  %-44s %8.3f s  (%.1fx faster)\n", "config-validate --kind json (syntax only)", j, p / j
        printf "  %-44s %8.3f s  (the floor: open, read, close)\n", "C loop that only reads each file", r }'
fi

echo
echo "(h) complexity guards: time for n and 2n in the same run (fastest of RUNS); the ratio stays <= 2.5"
# gen SHAPE N FILE: an input of the shape with n parts (awk only, no other tool needed).
gen() {
    case $1 in
    dups) awk -v n="$2" 'BEGIN { printf "{"; for (i = 0; i < n; i++) printf "%s\"k\": %d", i ? ", " : "", i; print "}" }' ;;
    mender-dups) awk -v n="$2" 'BEGIN { printf "{\"ServerURL\": \"https://a.example.com\""; for (i = 0; i < n; i++) printf ", \"Tenanttoken\": \"%d\"", i; print "}" }' ;;
    array) awk -v n="$2" 'BEGIN { printf "["; for (i = 0; i < n; i++) printf "%s%d", i ? ", " : "", i; print "]" }' ;;
    endpoints) awk -v n="$2" 'BEGIN {
        printf "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\", \"contentVersion\": \"1.0.0.0\", \"resources\": [{\"type\": \"Microsoft.Devices/IotHubs\", \"apiVersion\": \"2023-06-30\", \"name\": \"hubx\", \"location\": \"westeurope\", \"sku\": {\"name\": \"S1\", \"capacity\": 1}, \"properties\": {\"routing\": {\"endpoints\": {\"serviceBusQueues\": ["
        for (i = 0; i < n; i++) printf "%s{\"name\": \"ep%d\", \"connectionString\": \"Endpoint=sb://x/;SharedAccessKeyName=p;SharedAccessKey=****;EntityPath=q\"}", i ? ", " : "", i
        printf "]}, \"routes\": ["
        for (i = 0; i < n; i++) printf "%s{\"name\": \"r%d\", \"source\": \"DeviceMessages\", \"endpointNames\": [\"ep%d\"], \"isEnabled\": true}", i ? ", " : "", i, i
        print "]}}}]}" }' ;;
    yaml-flow) awk -v n="$2" 'BEGIN { printf "tool: any\nversion: 1\nvars:\n  v: {default: \"x\", description: ["; for (i = 0; i < n; i++) printf "%s%d", i ? ", " : "", i; print "]}\nrules: []" }' ;;
    yaml-keys) awk -v n="$2" 'BEGIN { print "tool: any\nversion: 1\nrules:\n  - id: r\n    select: \"$.none\"\n    do:\n      set:"; for (i = 0; i < n; i++) printf "        k%d: %d\n", i, i }' ;;
    rules) awk -v n="$2" 'BEGIN { print "tool: any\nversion: 1\nrules:"; for (i = 0; i < n; i++) printf "  - id: r%d\n    select: \"$.a\"\n    do: remove\n", i }' ;;
    findings) awk -v n="$2" 'BEGIN { printf "{\"ServerURL\": \"https://a.example.com\""; for (i = 0; i < n; i++) printf ", \"Unknown%d\": %d", i, i; print "}" }' ;;
    ints) awk -v n="$2" 'BEGIN { printf "["; for (i = 0; i < n; i++) printf "%s[%d, [%d]]", i ? ", " : "", i, i; print "]" }' ;;
    copies) awk -v n="$2" 'BEGIN { print "tool: any\nversion: 1\nrules:\n  - id: c\n    select: \"$\"\n    do:\n      patch:"; for (i = 0; i < n; i++) printf "        - {op: copy, from: /a, path: /c%d}\n", i }' ;;
    hubs) "$W/gen_arm" 0 "$2" ;;
    collide) "$W/gen_collide" "$2" ;;
    random-names) awk -v n="$2" 'BEGIN { srand(7); printf "{"; for (i = 0; i < n; i++) { s = ""; for (j = 0; j < 60; j++) s = s sprintf("%c", 97 + int(rand() * 26)); printf "%s\"%s\": %d", i ? ", " : "", s, i } print "}" }' ;;
    deep) awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "["; for (i = 0; i < n; i++) printf "]"; print "" }' ;;
    doubling) awk -v n="$2" 'BEGIN { print "tool: any\nversion: 1\nrules:\n  - id: d\n    select: \"$\"\n    do:\n      patch:"; for (i = 0; i < n; i++) printf "        - {op: copy, from: \"\", path: /x%d}\n", i }' ;;
    groups) awk -v n="$2" 'BEGIN {
        printf "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\", \"contentVersion\": \"1.0.0.0\", \"resources\": ["
        for (i = 0; i < n; i++) {
            printf "%s{\"type\": \"Microsoft.Devices/IotHubs\", \"apiVersion\": \"2023-06-30\", \"name\": \"hub%d\", \"location\": \"westeurope\", \"sku\": {\"name\": \"S1\"}}", i ? ", " : "", i
            for (g = 0; g < 3; g++) printf ", {\"type\": \"Microsoft.Devices/IotHubs/eventHubEndpoints/ConsumerGroups\", \"apiVersion\": \"2023-06-30\", \"name\": \"hub%d/events/cg%d\", \"properties\": {\"name\": \"cg%d\"}}", i, g, g
        }
        print "]}" }' ;;
    esac > "$3"
}
# A schema that refers to itself: each item is an integer or, again, an array of them.
printf '{"$defs": {"x": {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"$ref": "#/$defs/x"}}]}}, "$ref": "#/$defs/x"}\n' > "$W/self.json"
printf '{"a": {"k": [1, 2, 3]}}\n' > "$W/a.json"
printf '{"a": 1}\n' > "$W/one.json"
printf 'tool: any\nversion: 1\nrules:\n  - id: s\n    select: "$..*..*..*"\n    do: {report: {severity: note, message: x}}\n' > "$W/stars.yaml"
printf 'tool: any\nversion: 1\nrules:\n  - id: s\n    select: "$[*]"\n    do: {set: 0}\n' > "$W/setall.yaml"
# shape_time SHAPE N CMD...: the fastest of RUNS runs of CMD with {} replaced by an input
# of the shape with n parts (a guard is about growth, not about a noisy neighbour).
shape_time() {
    shape=$1 size=$2
    shift 2
    gen "$shape" "$size" "$W/c-$shape-$size"
    cmd=$(printf '%s\n' "$*" | sed "s|{}|$W/c-$shape-$size|g")
    best /dev/null /dev/null sh -c "$cmd >/dev/null 2>&1; true" | cut -d' ' -f1
}
# ratio LABEL SHAPE N CMD...: CMD runs with {} replaced by the input of size n, then 2n.
ratio() {
    label=$1 shape=$2 n=$3
    shift 3
    a=$(shape_time "$shape" "$n" "$@")
    b=$(shape_time "$shape" $((2 * n)) "$@")
    awk -v l="$label" -v n="$n" -v a="$a" -v b="$b" 'BEGIN {
        r = a > 0.0005 ? b / a : 0
        printf "  %-44s n=%-7d %7.3f s  2n %7.3f s  ratio %s\n", l, n, a, b, (a > 0.0005 ? sprintf("%.2f", r) : "(too fast to tell)") }'
}
# versus LABEL SHAPE_A SHAPE_B N CMD...: CMD on shape A and on shape B, both of size n.
versus() {
    label=$1 sa=$2 sb=$3 n=$4
    shift 4
    a=$(shape_time "$sa" "$n" "$@")
    b=$(shape_time "$sb" "$n" "$@")
    awk -v l="$label" -v a="$a" -v b="$b" 'BEGIN {
        printf "  %-44s %7.3f s  against %7.3f s  ratio %.2f\n", l, a, b, a / b }'
}
ratio "duplicate names in one object (json)" dups 80000 "$BIN/config-validate --kind json -q {}"
ratio "duplicate options, any case (mender-conf)" mender-dups 80000 "$BIN/config-validate --kind mender-conf -q {}"
ratio "tmpl-apply -n, \$[*] set on a long array" array 80000 "$BIN/tmpl-apply -n -r $W/setall.yaml {}"
ratio "IoT hub with n endpoints and routes" endpoints 20000 "$BIN/config-validate -q {}"
ratio "YAML flow sequence on one line" yaml-flow 80000 "$BIN/tmpl-apply -r {} $W/one.json"
ratio "YAML mapping with n keys" yaml-keys 80000 "$BIN/tmpl-apply -r {} $W/one.json"
ratio "n rules in one file" rules 20000 "$BIN/tmpl-apply -r {} $W/one.json"
ratio "n findings in one file (text report)" findings 40000 "$BIN/config-validate --kind mender-conf {}"
# Names whose FNV-1a hashes share their low 20 bits: one bucket for an unseeded hash with a
# power-of-two mask (131,072 such names took 37 s when the tables used one); SipHash with a
# key per process spreads them.
ratio "n names crafted to collide in one hash class" collide 131072 "$BIN/config-validate --kind json -q {}"
ratio "n names crafted to collide, through the tree" collide 131072 "$BIN/tmpl-apply -r $TOP/tests/bench/empty.yaml {}"
# The same at a size where the tables outgrow the caches, against as many random names of
# the same length: flooding would show as a ratio far above 1 here; past 32 MiB each
# doubling of any names costs 2.3 to 2.8 (cache misses), crafted or not.
versus "262,144 crafted names against random ones" collide random-names 262144 "$BIN/config-validate --kind json -q {}"
versus "the same through the tree" collide random-names 262144 "$BIN/tmpl-apply -r $TOP/tests/bench/empty.yaml {}"
# Both sizes reach the 16 Mi node cap of a query step and stop there (exit 4): bounded,
# where each deeper level once multiplied the work (2.35 GB on a 1000-deep input).
ratio "\$..*..*..* on n-deep input (to the node cap)" deep 480 "$BIN/tmpl-apply -r $W/stars.yaml {}"
# n copies of the whole document into itself would double it n times; both sizes stop at
# the growth cap (16 times the input and 256 MiB more, exit 4).
ratio "n doubling patch copies (to the growth cap)" doubling 30 "$BIN/tmpl-apply -r {} $W/one.json"
ratio "a self-referencing schema on n nested items" ints 400000 "$BIN/config-validate --schema $W/self.json {}"
# Was quadratic (ratio 3.4 to 4.7: each add scanned the object for its name); a patch now
# indexes the names of a large object it edits (lib/query/jsonpatch.c, member_index).
ratio "a patch of n copy operations into one object" copies 40000 "$BIN/tmpl-apply -r {} $W/a.json"
# Were quadratic in the number of hubs (every parameter reference scanned the parameters;
# lower(key()) in "$..[?...]" kept a string per node): now an index, and freed values.
ratio "a template with n hubs (config-validate)" hubs 2000 "$BIN/config-validate -q {}"
ratio "a template with n hubs (endpoint-audit)" hubs 2000 "$BIN/endpoint-audit -q {}"
ratio "a template with n hubs (tmpl-scrub)" hubs 2000 "$BIN/tmpl-scrub {}"
# Was quadratic (each consumer group looked for its hub, and for a repeat, in lists):
# 3,000 and 6,000 hubs of 3 groups took 0.59 and 2.41 s; sorted lookups now.
ratio "n hubs with 3 consumer groups each (config-validate)" groups 6000 "$BIN/config-validate -q {}"

echo
echo "(i) the IoT Hub template tools on the same document: >= 30x the jq program doing the same, within 3x of cat; peak RSS <= 2.5x input"
# What each tool does, written as jq (without the validation the tools also do): the audit
# lists every endpoint with its authentication and key state; the scrub masks the keys of
# every string that is not an expression and drops the export's file upload settings.
size=$(wc -c < "$W/big.json")   # (ratio above used the name)
AUDIT_JQ='[.. | objects | select((.type? // "" | ascii_downcase) == "microsoft.devices/iothubs") | .properties.routing.endpoints // {} | to_entries[] | .key as $t | .value[] | {type: $t, name, auth: (if (.authenticationType // "keybased" | ascii_downcase) == "identitybased" then (if (.identity // {}) == {} then "system" else "user" end) else "key" end), key: (if (.connectionString // "" | test("Key=[*]{4}")) then "masked" else "present" end)}]'
SCRUB_JQ='walk(if type == "string" and (test("^\\[[^\\[]") | not) then gsub("(?<k>(SharedAccessKey|AccountKey)=)[^;]+"; "\(.k)****") else . end) | del(.parameters[]? | select(.type == "SecureString")) | del(.resources[]?.properties.storageEndpoints?)'
ct=$(best "$W/big.json" "$W/cat.json" cat "$W/big.json")
row "cat" "$ct"
au=$(best "$W/big.json" /dev/null "$BIN/endpoint-audit" -q "$W/big.json")
row "endpoint-audit (table to /dev/null)" "$au"
su=$(best "$W/big.json" "$W/scrubbed.json" "$BIN/tmpl-scrub" "$W/big.json")
row "tmpl-scrub" "$su"
cv=$(best "$W/big.json" /dev/null "$BIN/config-validate" -q "$W/big.json")
row "config-validate (arm-template, review)" "$cv"
if command -v jq >/dev/null; then
    ja=$(best "$W/big.json" /dev/null jq -c "$AUDIT_JQ")
    row "jq: the audit's listing" "$ja"
    js=$(best "$W/big.json" "$W/jqs.json" jq "$SCRUB_JQ")
    row "jq: the scrub's masks and deletions" "$js"
    awk -v a="${au%% *}" -v s="${su%% *}" -v ja="${ja%% *}" -v js="${js%% *}" -v c="${ct%% *}" 'BEGIN {
        printf "  endpoint-audit: %.1fx faster than jq, %.0fx cat;  tmpl-scrub: %.1fx faster than jq, %.0fx cat\n", ja / a, a / c, js / s, s / c }'
fi
if command -v gojq >/dev/null; then
    row "gojq: the audit's listing" "$(best "$W/big.json" /dev/null gojq -c "$AUDIT_JQ")"
fi
# tmpl-relocate and tmpl-inject-keys on every hub of the document, against jq doing the
# edit alone (no validation, no parameter defaults followed).
printf 'unused: a2V5\n' > "$W/keys.yaml"
chmod 600 "$W/keys.yaml"
rl=$(best "$W/big.json" "$W/rl.json" "$BIN/tmpl-relocate" -q --location northeurope --partitions 8 "$W/big.json")
row "tmpl-relocate --location --partitions" "$rl"
ik=$(best "$W/big.json" "$W/ik.json" "$BIN/tmpl-inject-keys" -q --allow-missing --keys "$W/keys.yaml" "$W/big.json")
row "tmpl-inject-keys (every endpoint looked at)" "$ik"
if command -v jq >/dev/null; then
    jr=$(best "$W/big.json" "$W/jr.json" jq '(.resources[] | select(.type == "Microsoft.Devices/IotHubs") | .location) = "northeurope" | (.resources[] | select(.type == "Microsoft.Devices/IotHubs") | .properties.eventHubEndpoints.events.partitionCount) = 8')
    row "jq: the relocation's edits" "$jr"
    ji=$(best "$W/big.json" "$W/ji.json" jq 'walk(if type == "string" then sub("(?<k>(SharedAccessKey|AccountKey)=)[*]{4}"; "\(.k)a2V5") else . end)')
    row "jq: the key injection's edits" "$ji"
    awk -v a="${rl%% *}" -v b="${ik%% *}" -v ja="${jr%% *}" -v jb="${ji%% *}" -v c="${ct%% *}" 'BEGIN {
        printf "  tmpl-relocate: %.1fx faster than jq, %.0fx cat;  tmpl-inject-keys: %.1fx faster than jq, %.0fx cat\n", ja / a, a / c, jb / b, b / c }'
fi

echo
echo "(j) peak RSS against input size: small members, members holding small objects or objects of objects, an array"
echo "    of zeros, the ARM document (target <= 2.5x); then one level deeper (four levels: not packed, a node each)"
# rss LABEL FILE CMD...: the fastest run's peak RSS as a ratio to FILE's size.
rss() {
    label=$1 file=$2
    shift 2
    r=$(best "$file" /dev/null "$@")
    awk -v l="$label" -v r="${r#* }" -v s="$(wc -c < "$file")" 'BEGIN {
        printf "  %-52s %8.1f MB input %8.1f MB RSS  (%.2fx input)\n", l, s / 1e6, r / 1024, r * 1024 / s }'
}
members=$((BENCH_MB * 1000000 / 15))
awk -v n="$members" 'BEGIN { printf "{"; for (i = 0; i < n; i++) printf "%s\"m%d\": %d", i ? ", " : "", i, i % 10; print "}" }' > "$W/members.json"
awk -v n="$((BENCH_MB * 1000000 / 3))" 'BEGIN { printf "["; for (i = 0; i < n; i++) printf "%s0", i ? ", " : ""; print "]" }' > "$W/zeros.json"
awk -v n="$((BENCH_MB * 1000000 / 22))" 'BEGIN { printf "{"; for (i = 0; i < n; i++) printf "%s\"m%d\": {\"v\": %d}", i ? ", " : "", i, i % 10; print "}" }' > "$W/nested.json"
awk -v n="$((BENCH_MB * 1000000 / 29))" 'BEGIN { printf "{"; for (i = 0; i < n; i++) printf "%s\"m%d\": {\"v\": {\"w\": %d}}", i ? ", " : "", i, i % 10; print "}" }' > "$W/deep.json"
awk -v n="$((BENCH_MB * 1000000 / 36))" 'BEGIN { printf "{"; for (i = 0; i < n; i++) printf "%s\"m%d\": {\"v\": {\"w\": {\"x\": %d}}}", i ? ", " : "", i, i % 10; print "}" }' > "$W/deeper.json"
for f in members nested deep zeros big deeper; do
    rss "config-validate --kind json, $f" "$W/$f.json" "$BIN/config-validate" --kind json -q "$W/$f.json"
    rss "tmpl-apply, no rules (parse, validate, write), $f" "$W/$f.json" "$BIN/tmpl-apply" -r "$TOP/tests/bench/empty.yaml" "$W/$f.json"
done
rss "config-validate (arm-template), big" "$W/big.json" "$BIN/config-validate" -q "$W/big.json"
