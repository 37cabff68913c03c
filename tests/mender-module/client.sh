#!/bin/sh
# menderconf-artifact and its update module with the real Mender tools: every Artifact is
# read back with mender-artifact, and the Debian mender-client (the Go client) installs
# them for real, standalone, in a private mount namespace where scratch directories are
# bind-mounted over /etc/mender and /usr/share/mender/modules/v3. Needs root, unshare,
# mender and mender-artifact; skips with a message otherwise. Ends with
# "mender-module client: P passed, F failed, S skipped".
. "$(dirname "$0")/../lib.sh"
SUITE="mender-module client"
[ "$(id -u)" = 0 ] || skip_suite "needs root (mount namespaces)"
for t in unshare mender mender-artifact; do
    command -v "$t" >/dev/null 2>&1 || skip_suite "$t is not installed"
done
unshare -m --propagation private true 2>/dev/null || skip_suite "unshare -m is not permitted here"

W=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-client.XXXXXX")
trap 'rm -rf "$W"' EXIT
# check_logged NAME COMMAND...: check, showing the end of the last run's log on failure.
check_logged() {
    before=$failed
    check "$@"
    [ "$failed" = "$before" ] || { [ -f "$W/log" ] && tail -5 "$W/log" | sed 's/^/    /'; }
}

printf '{\n  "ServerURL": "https://hosted.mender.io",\n  "TenantToken": "abc"\n}\n' > "$W/current.conf"
"$BIN/menderconf-dual" --new https://eu.hosted.mender.io "$W/current.conf" > "$W/dual.conf"
printf '{\n  "ServerURL": "https://other.example.com"\n}\n' > "$W/other.conf"

# ---- the Artifacts, read back
"$BIN/menderconf-artifact" --config "$W/dual.conf" -t testdev -t otherdev -N dual-1 \
    --expect-current "$W/current.conf" -o "$W/dual.mender" 2> "$W/log"
check_logged "menderconf-artifact writes the Artifact" [ -s "$W/dual.mender" ]
mender-artifact read "$W/dual.mender" > "$W/read" 2>&1
check_logged "  its name" grep -q "Name: dual-1" "$W/read"
check_logged "  its device types" grep -q "Compatible devices: '\[testdev otherdev\]'" "$W/read"
check_logged "  its payload type" grep -q "Type: *menderconf" "$W/read"
check_logged "  the config's checksum" grep -q "checksum: $(sha256sum "$W/dual.conf" | cut -d' ' -f1)" "$W/read"
"$BIN/menderconf-artifact" --config "$W/dual.conf" -t testdev -N dual-any -o "$W/any.mender" 2> "$W/log"
if command -v openssl >/dev/null 2>&1 && openssl ecparam -name prime256v1 -genkey -noout -out "$W/key.pem" 2>/dev/null &&
    openssl ec -in "$W/key.pem" -pubout -out "$W/pub.pem" 2>/dev/null; then
    "$BIN/menderconf-artifact" --config "$W/dual.conf" -t testdev -N signed -k "$W/key.pem" -o "$W/signed.mender" 2>"$W/log"
    mender-artifact read -k "$W/pub.pem" "$W/signed.mender" > "$W/read" 2>&1
    check "--signing-key: the signature verifies" grep -q "Signature: signed and verified correctly" "$W/read"
fi
"$BIN/menderconf-artifact" --module-artifact -t testdev -o "$W/module.mender" 2> "$W/log"
mender-artifact read "$W/module.mender" > "$W/read" 2>&1
check_logged "the module Artifact is a single-file payload" grep -q "Type: *single-file" "$W/read"
"$BIN/menderconf-artifact" --module -o "$W" 2> "$W/log"

# run SCRIPT: runs sh SCRIPT in a private mount namespace with the scratch /etc/mender and
# modules directory mounted; its output goes to $W/log.
setup_device() {
    rm -rf "$W/etc" "$W/modules" "$W/data"
    mkdir -p "$W/etc" "$W/modules" "$W/data"
    cp "$W/current.conf" "$W/etc/mender.conf"
    chmod 600 "$W/etc/mender.conf"
    echo "artifact_name=original" > "$W/etc/artifact_info"
    echo "device_type=testdev" > "$W/data/device_type"
    cp -p /usr/share/mender/modules/v3/single-file "$W/modules/" 2>/dev/null
    cp -p "$W/menderconf" "$W/modules/"
}
run() {
    unshare -m --propagation private sh -c "
        mount --bind '$W/etc' /etc/mender && mount --bind '$W/modules' /usr/share/mender/modules/v3 || exit 99
        $1" > "$W/log" 2>&1
}
client="mender --no-syslog --config /etc/mender/mender.conf --fallback-config /nonexistent --data $W/data"

setup_device
run "$client install $W/dual.mender && $client commit"
check_logged "install + commit: exit 0" [ $? = 0 ]
check_logged "  the config is replaced" cmp -s "$W/etc/mender.conf" "$W/dual.conf"
check_logged "  its mode is kept" [ "$(stat -c %a "$W/etc/mender.conf")" = 600 ]
check_logged "  no backup or temporary file is left" [ -z "$(find "$W/data" "$W/etc" -name '*menderconf*' 2>/dev/null)" ]

setup_device
run "$client install $W/dual.mender && $client rollback"
check_logged "install + rollback: exit 0" [ $? = 0 ]
check_logged "  the original bytes are back" cmp -s "$W/etc/mender.conf" "$W/current.conf"

setup_device
cp "$W/other.conf" "$W/etc/mender.conf"
run "$client install $W/dual.mender"
check_logged "a config not among --expect-current: install fails" [ $? != 0 ]
check_logged "  the config is byte-identical" cmp -s "$W/etc/mender.conf" "$W/other.conf"
check_logged "  the deployment log says why" grep -q "none of the configs" "$W/log"

setup_device
run "mount -o remount,ro,bind /etc/mender && $client install $W/any.mender"
check_logged "a read-only target directory: install fails" [ $? != 0 ]
check_logged "  the config is intact" cmp -s "$W/etc/mender.conf" "$W/current.conf"

setup_device
run "$client install $W/dual.mender && MENDERCONF_TARGET=/etc/mender/mender.conf \
     /usr/share/mender/modules/v3/menderconf ArtifactInstall $W/data/modules/v3/payloads/0000/tree && $client commit"
check_logged "ArtifactInstall run twice (after a power cut) ends the same" [ $? = 0 ]
check_logged "  the config is the new one" cmp -s "$W/etc/mender.conf" "$W/dual.conf"

setup_device
rm -f "$W/modules/menderconf"
run "$client install $W/module.mender && $client commit"
check_logged "the module Artifact installs the module" cmp -s "$W/modules/menderconf" "$TOP/rules/modules/menderconf"
check_logged "  executable" [ -x "$W/modules/menderconf" ]

finish
