#!/bin/sh
# Unit tests of the menderconf update module (rules/modules/menderconf), state by state,
# under every POSIX shell given (default: dash and busybox sh, each when installed):
#   sh tests/mender-module/unit.sh [SHELL...]
# The module's paths are redirected with MENDERCONF_TARGET (tests only). Ends with
# "mender-module unit: P passed, F failed, S skipped".
. "$(dirname "$0")/../lib.sh"
MODULE="$TOP/rules/modules/menderconf"
W=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-module.XXXXXX")
trap 'rm -rf "$W"' EXIT
passed=0 failed=0 skipped=0

shells=${*:-"dash busybox"}
check() {  # check NAME CONDITION...: counts one assertion
    name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL mender-module ($sh): $name"
    fi
}

# setup CURRENT NEW [EXPECTED...]: a payload directory for NEW and a target holding CURRENT
# ("-" for none), with expected configs' checksums in the manifest.
setup() {
    rm -rf "$W/case" && mkdir -p "$W/case/files" "$W/case/etc"
    printf '%s' "$2" > "$W/case/files/mender.conf"
    target="$W/case/etc/mender.conf"
    [ "$1" = - ] || { printf '%s' "$1" > "$target"; chmod 640 "$target"; }
    {
        echo "target /etc/mender/mender.conf"
        echo "sha256 $(sha256sum "$W/case/files/mender.conf" | cut -d' ' -f1)"
        shift 2
        for e in "$@"; do echo "expect $(printf '%s' "$e" | sha256sum | cut -d' ' -f1)"; done
    } > "$W/case/files/manifest"
}
state() {  # state NAME: runs the module in that state; its stdout in $W/out, status returned
    MENDERCONF_TARGET="$target" $run "$MODULE" "$1" "$W/case" > "$W/out" 2> "$W/err"
}
is() { [ "$(cat "$target")" = "$1" ]; }
mode_of() { stat -c %a "$1"; }

for sh in $shells; do
    case $sh in
    busybox) command -v busybox >/dev/null 2>&1 && run="busybox sh" || run="" ;;
    *) command -v "$sh" >/dev/null 2>&1 && run=$sh || run="" ;;
    esac
    if [ -z "$run" ]; then
        echo "mender-module unit: $sh not installed: skipped"
        skipped=$((skipped + 1))
        continue
    fi

    setup OLD NEW
    check "NeedsArtifactReboot is Automatic" state NeedsArtifactReboot
    check "NeedsArtifactReboot prints Automatic" [ "$(cat "$W/out")" = Automatic ]
    state SupportsRollback
    check "SupportsRollback prints Yes" [ "$(cat "$W/out")" = Yes ]

    setup OLD NEW OLD
    check "install over an expected config" state ArtifactInstall
    check "  the new config is in place" is NEW
    check "  its mode is kept" [ "$(mode_of "$target")" = 640 ]
    check "  a backup is kept" [ -f "$W/case/tmp/menderconf.backup" ]
    check "  no temporary file is left" [ ! -e "$target.menderconf-new" ]
    check "install again (a power cut): same end" state ArtifactInstall
    check "  still the new config" is NEW
    check "verify after reboot" state ArtifactVerifyReboot
    check "rollback restores the old bytes" state ArtifactRollback
    check "  old config back" is OLD
    check "  mode kept" [ "$(mode_of "$target")" = 640 ]
    check "rollback again: nothing left to do, still the old config" state ArtifactRollback
    check "  old config" is OLD
    check "verify fails on the old config" eval '! state ArtifactVerifyReboot'

    setup OLD NEW OLD
    state ArtifactInstall
    check "commit" state ArtifactCommit
    check "  backup removed" [ ! -e "$W/case/tmp/menderconf.backup" ]
    check "  new config stays" is NEW
    check "commit again" state ArtifactCommit

    setup OTHER NEW OLD
    check "install over an unexpected config fails" eval '! state ArtifactInstall'
    check "  the config is left as it was" is OTHER
    check "  the log says why" grep -q "none of the configs" "$W/err"
    check "  failure afterwards changes nothing" state ArtifactFailure
    check "  still the unexpected config" is OTHER

    setup OLD NEW
    printf 'tampered' > "$W/case/files/mender.conf"
    check "a payload with the wrong checksum is not installed" eval '! state ArtifactInstall'
    check "  config as it was" is OLD

    setup - NEW
    check "install where there was no config" state ArtifactInstall
    check "  new config in place" is NEW
    check "  rollback removes it again" state ArtifactRollback
    check "  no config" [ ! -e "$target" ]

    setup OLD NEW OLD
    check "cleanup without an install" state Cleanup
    check "unknown states are ignored" state SomeFutureState
done

echo "mender-module unit: $passed passed, $failed failed, $skipped skipped"
record "$passed" "$failed" "$skipped"
[ "$failed" = 0 ]
