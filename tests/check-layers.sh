#!/bin/sh
# The layering rule of lib/ (README.md, "Layout and design"), checked two ways:
#   1. #include lines: a file in lib/L/ includes only headers of L and of the layers below
#      it; lib/ never includes from tools/ or tests/.
#   2. the object files (nm): an object of layer L uses only symbols defined in L or below,
#      no group of lib objects uses each other in a cycle, and no layer below app/ calls a
#      printing function (lib/app/ prints; lower layers return findings; base/oom is the
#      one place that gives up, after saying so).
# Prints one line per violation and a count line; exits 1 when there is any.
. "$(dirname "$0")/lib.sh"
LAYERS="base json query rules domain app"
cd "$TOP" || exit 1
problems=$(mktemp "${TMPDIR:-/tmp}/tmplkit-layers.XXXXXX")
trap 'rm -f "$problems" "$problems.nm"' EXIT

rank() {  # rank LAYER -> its position in LAYERS (1-based), 0 when unknown
    i=1
    for l in $LAYERS; do
        [ "$l" = "$1" ] && { echo $i; return; }
        i=$((i + 1))
    done
    echo 0
}

# ---- 1. include lines
for f in lib/*/*.c lib/*/*.h; do
    layer=${f#lib/}; layer=${layer%%/*}
    r=$(rank "$layer")
    [ "$r" = 0 ] && { echo "$f: folder '$layer' is not a layer ($LAYERS)" >> "$problems"; continue; }
    grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | while IFS= read -r line; do
        n=${line%%:*}
        inc=$(echo "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
        case "$inc" in
        */*) tl=${inc%%/*} ;;
        *) echo "$f:$n: includes \"$inc\" without its layer folder" >> "$problems"; continue ;;
        esac
        tr=$(rank "$tl")
        if [ "$tr" = 0 ]; then
            echo "$f:$n: includes \"$inc\", which is not under lib/" >> "$problems"
        elif [ "$tr" -gt "$r" ]; then
            echo "$f:$n: $layer/ includes \"$inc\" from $tl/, a layer above it" >> "$problems"
        fi
    done
done

# ---- 2. objects
objs=$(ls "$B"/lib/*/*.o 2>/dev/null)
if [ -z "$objs" ]; then
    echo "no objects under $B/lib: build first" >> "$problems"
else
    # one line per symbol: OBJECT LAYER KIND NAME (KIND D: defined, U: used)
    for o in $objs; do
        layer=${o#"$B"/lib/}; layer=${layer%%/*}
        nm -g "$o" | awk -v o="${o#"$B"/}" -v l="$layer" \
            '$1 == "U" { print o, l, "U", $2; next } NF == 3 { print o, l, "D", $3 }'
    done > "$problems.nm"
    awk -v layers="$LAYERS" '
        BEGIN { n = split(layers, L, " "); for (i = 1; i <= n; i++) rank[L[i]] = i }
        $3 == "D" { def[$4] = $1; deflayer[$4] = $2; next }
        { use[++nu] = $0 }
        END {
            for (i = 1; i <= nu; i++) {
                split(use[i], f, " ")
                o = f[1]; l = f[2]; s = f[4]
                if (s ~ /^(printf|fprintf|vfprintf|puts|fputs|putchar|perror|fwrite|dprintf)$/ && l != "app" && o !~ /base\/oom\.o$/)
                    print o ": calls " s " below lib/app/ (lower layers return findings instead of printing)"
                if (!(s in def)) continue
                t = def[s]
                if (t == o) continue
                if (rank[deflayer[s]] > rank[l])
                    print o ": uses " s " from " t ", a layer above it"
                if (!((o, t) in edge)) { edge[o, t] = s; nodes[o] = 1; nodes[t] = 1 }
            }
            # reach[a,b]: b is reachable from a (transitive closure over a few dozen objects)
            for (e in edge) reach[e] = 1
            for (k in nodes) for (a in nodes) if ((a, k) in reach) for (b in nodes) if ((k, b) in reach) reach[a, b] = 1
            for (a in nodes) for (b in nodes)
                if (a < b && ((a, b) in reach) && ((b, a) in reach))
                    print "cycle: " a " and " b " use each other (through the objects between them)"
        }' "$problems.nm" | sort -u >> "$problems"
fi

count=$(wc -l < "$problems")
cat "$problems"
if [ "$count" = 0 ]; then
    echo "layers: 1 passed, 0 failed"
    record 1 0 0
else
    echo "layers: 0 passed, 1 failed ($count violations)"
    record 0 1 0
    exit 1
fi
