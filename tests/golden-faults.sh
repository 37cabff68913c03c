# Fault helpers the goldens source (. "$TOP/tests/golden-faults.sh"), so every tool's
# permission and changing-input cases run the same way (issue 14, fault injection).
#
# The golden cmd writes the script run-tool (sh run-tool IN OUT: the tool reading IN and
# writing its document, report or Artifact to OUT, as a user would run it) and, for tools
# with -i, in-place (sh in-place FILE); these helpers run them.

# unprivileged CMD...: runs CMD as a user whom file permissions bind. Root ignores them, and
# CI runs as root, so there CMD runs as nobody; anyone else runs it as themselves.
unprivileged() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
    else
        "$@"
    fi
}

# hand_over DIR: gives DIR and what is in it to the user unprivileged runs as.
hand_over() {
    if [ "$(id -u)" = 0 ]; then
        chown -R 65534:65534 "$1"
    fi
}

# permission_faults IN [-i]: the permission cases for a tool whose run-tool reads IN.
#   an unreadable input; the output in a directory nobody may write; with -i also
#   in-place on a read-only file (replaced as sed -i does, the mode kept) and in-place in a
#   read-only directory (refused, the file intact). Each prints its exit code, the error
#   line, and what the directory holds afterwards.
permission_faults() {
    mkdir perm
    cp "$1" perm/in.json
    cp "$1" perm/orig.json
    hand_over perm
    chmod 000 perm/in.json
    unprivileged sh ./run-tool perm/in.json perm/out.json > err 2>&1
    echo "unreadable input: exit $?"
    grep "error:" err
    chmod 644 perm/in.json
    chmod 555 perm
    unprivileged sh ./run-tool perm/in.json perm/out.json > err 2>&1
    echo "output in a read-only directory: exit $?"
    grep "error:" err
    if [ "${2:-}" = -i ]; then
        unprivileged sh ./in-place perm/in.json > err 2>&1
        echo "-i in a read-only directory: exit $?"
        grep "error:" err
        cmp -s perm/in.json perm/orig.json && echo "the file is intact"
        chmod 755 perm
        chmod 444 perm/in.json
        unprivileged sh ./in-place perm/in.json > err 2>&1
        echo "-i on a read-only file: exit $?, mode $(stat -c %a perm/in.json)"
        cmp -s perm/in.json perm/orig.json && echo "the file was not replaced" || echo "the file was replaced"
    fi
    chmod 755 perm
    ls -A perm
    rm -rf perm err
}

# input_rewritten IN RUNS ALLOWED: runs run-tool RUNS times on a copy of IN while a
# background writer truncates it, writes it again, and breaks it in place for a moment (the
# quote after RACEMARK0, which big_template and big_mender_conf put in, becomes X: the
# document is no longer JSON). Every run must end with a documented exit code (ALLOWED,
# space-separated; never a signal), write nothing unless it exits 0, and when it exits 0
# write exactly its result for the whole unbroken input: a tool that checked one version
# and wrote another would show here.
input_rewritten() {
    # Without trailing white space no prefix short of the whole file is a whole document
    # (the root is an object), so a reader that stops early can only fail.
    printf '%s' "$(cat "$1")" > race-a.json
    size=$(wc -c < race-a.json)
    at=$(grep -abo 'RACEMARK0"' race-a.json | head -1 | cut -d: -f1)
    at=$((at + 9))
    cp race-a.json race-b.json
    printf X | dd of=race-b.json bs=1 seek="$at" conv=notrunc status=none
    sh ./run-tool race-a.json want-a.json > /dev/null 2>&1 || echo "the whole input fails: exit $?"
    sh ./run-tool race-b.json want-b.json > /dev/null 2>&1 && echo "the broken input passes"
    rm -f want-b.json
    cp race-a.json live.json
    touch writing
    (
        while [ -e writing ]; do
            : > live.json
            cat race-a.json > live.json
            truncate -s $((size / 2)) live.json
            cat race-a.json > live.json
            printf X | dd of=live.json bs=1 seek="$at" conv=notrunc status=none
            printf '"' | dd of=live.json bs=1 seek="$at" conv=notrunc status=none
        done
    ) &
    writer=$!
    signals=0 undocumented=0 wrong=0 leftover=0 i=0
    while [ $i -lt "$2" ]; do
        rm -f got.json
        sh ./run-tool live.json got.json > /dev/null 2>&1
        rc=$?
        if [ $rc -ge 128 ]; then
            signals=$((signals + 1))
        else
            case " $3 " in *" $rc "*) ;; *) undocumented=$((undocumented + 1)) ;; esac
        fi
        if [ $rc = 0 ]; then
            cmp -s got.json want-a.json || wrong=$((wrong + 1))
        elif [ -e got.json ]; then
            leftover=$((leftover + 1))
        fi
        i=$((i + 1))
    done
    rm writing
    wait "$writer"
    echo "runs killed by a signal: $signals"
    echo "runs ending with an undocumented exit code: $undocumented"
    echo "runs that exited 0 writing anything but the whole input's result: $wrong"
    echo "runs that failed and left output: $leftover"
    rm -f race-a.json race-b.json live.json got.json want-a.json
}

# big_template IN OUT: IN (an ARM template whose first line is "{") with a metadata member
# of about 600 KB added first, holding the mark RACEMARK0" for input_rewritten: large enough
# that a tool is still reading or working while the writer changes the file.
big_template() {
    awk 'NR == 1 {
             print
             printf "  \"metadata\": {\"race\": \"RACEMARK0\", \"filler\": ["
             for (i = 0; i < 30000; i++) printf "%s\"filler-%06d\"", i ? ", " : "", i
             print "]},"
             next
         }
         { print }' "$1" > "$2"
}

# big_mender_conf OUT [NEW]: a mender.conf of about 600 KB (a long TenantToken ending in
# the mark RACEMARK0"), for input_rewritten; with NEW, in the two-server form.
big_mender_conf() {
    awk -v new="${2:-}" 'BEGIN {
             if (new != "")
                 printf "{\n    \"Servers\": [{\"ServerURL\": \"https://hosted.mender.io\"}, {\"ServerURL\": \"%s\"}],", new
             else
                 printf "{\n    \"ServerURL\": \"https://hosted.mender.io\","
             printf "\n    \"TenantToken\": \""
             for (i = 0; i < 60000; i++) printf "tenant%04d", i % 10000
             printf "RACEMARK0\"\n}\n"
         }' > "$1"
}

# full_disk IN [-i]: run-tool (and with -i, in-place) with IN on a file system that is full:
# a 2 MiB tmpfs filled up when root may mount one, else (as in CI without that right, or
# for other users) a file size limit of one block. Each exits 5, writes nothing, leaves no
# temporary file, and in place keeps the file as it was.
full_disk() {
    mkdir disk
    limit=unlimited
    if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=2m tmpfs disk 2> /dev/null; then
        cp "$1" disk/in.json
        cp "$1" disk/orig.json
        dd if=/dev/zero of=disk/fill bs=4096 status=none 2> /dev/null
    else
        cp "$1" disk/in.json
        cp "$1" disk/orig.json
        : > disk/fill
        limit=1
    fi
    (ulimit -f $limit; sh ./run-tool disk/in.json disk/out.json > /dev/null 2>&1); echo "output on a full disk: exit $?"
    if [ "${2:-}" = -i ]; then
        (ulimit -f $limit; sh ./in-place disk/in.json > /dev/null 2>&1); echo "-i on a full disk: exit $?"
        cmp -s disk/in.json disk/orig.json && echo "the file is intact"
    fi
    ls -A disk
    umount disk 2> /dev/null
    rm -rf disk
}
