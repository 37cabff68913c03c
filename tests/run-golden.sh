#!/bin/sh
# Runs the golden tests: each directory testdata/golden/TOOL/CASE holds
#   cmd             the command line, run by sh in a scratch copy of the case (TOP is the
#                   source tree; PATH has the tools and the build helpers of $B/gen)
#   stdin           optional standard input (else /dev/null)
#   expected.out    expected stdout (missing means empty)
#   expected.err    expected stderr (missing means empty)
#   expected.rc     expected exit status (missing means 0)
#   after/          optional: files that must exist, byte for byte, in the scratch dir after
# Everything else in the case is input, copied into the scratch directory.
# UPDATE=1 rewrites expected.* from what the tools do now (read the diff before committing).
. "$(dirname "$0")/lib.sh"
passed=0 failed=0
scratch_root=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-golden.XXXXXX")
trap 'rm -rf "$scratch_root"' EXIT
# Open to other users: the permission goldens run tools as nobody when the tests run as root.
chmod 755 "$scratch_root"
for case in "$TOP"/testdata/golden/*/*/; do
    [ -d "$case" ] || continue
    case=${case%/}
    name=${case#"$TOP"/testdata/golden/}
    work="$scratch_root/$name/work"
    mkdir -p "$work"
    for f in "$case"/* "$case"/.[!.]*; do
        [ -e "$f" ] || continue
        b=$(basename "$f")
        case "$b" in cmd|stdin|expected.*|after) continue ;; esac
        cp -R "$f" "$work/"
    done
    input=/dev/null
    [ -f "$case/stdin" ] && input="$case/stdin"
    (cd "$work" && TOP="$TOP" PATH="$BIN:$TOP/$B/gen:$PATH" sh "$case/cmd" < "$input" > ../out 2> ../err; echo $? > ../rc)
    got_rc=$(cat "$scratch_root/$name/rc")
    want_rc=0
    [ -f "$case/expected.rc" ] && want_rc=$(cat "$case/expected.rc")
    if [ "${UPDATE:-}" = 1 ]; then
        for k in out err; do
            if [ -s "$scratch_root/$name/$k" ]; then cp "$scratch_root/$name/$k" "$case/expected.$k"
            else rm -f "$case/expected.$k"; fi
        done
        if [ "$got_rc" != 0 ]; then echo "$got_rc" > "$case/expected.rc"; else rm -f "$case/expected.rc"; fi
        want_rc=$got_rc
    fi
    ok=1 why=""
    [ "$got_rc" = "$want_rc" ] || { ok=0; why="exit $got_rc, want $want_rc"; }
    for k in out err; do
        want="$case/expected.$k"
        [ -f "$want" ] || want=/dev/null
        if ! cmp -s "$want" "$scratch_root/$name/$k"; then
            ok=0
            why="$why${why:+; }std$k differs"
            diff -u "$want" "$scratch_root/$name/$k" | sed 's/^/    /' | head -20
        fi
    done
    if [ -d "$case/after" ]; then
        for f in $(cd "$case/after" && find . -type f); do
            if ! cmp -s "$case/after/$f" "$work/$f"; then
                ok=0
                why="$why${why:+; }file $f differs"
            fi
        done
    fi
    if [ $ok = 1 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL ${GOLDEN_LABEL:-golden} $name: $why"
    fi
done
echo "${GOLDEN_LABEL:-golden}: $passed passed, $failed failed"
record "$passed" "$failed" 0
[ "$failed" = 0 ]
