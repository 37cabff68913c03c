#!/bin/sh
# The Debian package: `make deb` builds it, lintian (a test dependency) reports no error or
# warning, and unpacked into a scratch root (dpkg-deb -x, no chroot) every tool runs and
# says its version, with man pages, completion, the update module and the package docs
# in place. Runs with the default build only (the sanitizer build is not what ships).
. "$(dirname "$0")/lib.sh"
SUITE=deb
[ "$B" = build ] || skip_suite "runs with the default build"
command -v dpkg-deb >/dev/null 2>&1 || skip_suite "dpkg-deb is not installed"
cd "$TOP" || exit 1
W=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-deb.XXXXXX")
trap 'rm -rf "$W"' EXIT
make --no-print-directory -s deb > "$W/make.log" 2>&1
check "make deb" [ $? = 0 ]
deb=$(ls -t "$B"/tmplkit_*_*.deb 2>/dev/null | head -1)
check "a package named tmplkit_VERSION_ARCH.deb" [ -n "$deb" ]
[ -n "$deb" ] || { tail -5 "$W/make.log"; deb=/nonexistent; }
if command -v lintian >/dev/null 2>&1; then
    lintian --display-level ">=warning" "$deb" > "$W/lintian" 2>&1
    grep -v 'root privileges' "$W/lintian" > "$W/lintian.tags"
    check "lintian reports no error or warning" [ ! -s "$W/lintian.tags" ]
    sed 's/^/    /' "$W/lintian.tags" | head -10
else
    echo "deb: lintian is not installed: not run"
fi
dpkg-deb -x "$deb" "$W/root"
version=$(dpkg-deb -f "$deb" Version)
for t in config-validate tmpl-apply menderconf-dual menderconf-final menderconf-artifact; do
    check "$t --version from the package" sh -c "'$W/root/usr/bin/$t' --version | grep -q ' $version\$'"
    check "$t(1) gzipped" [ -f "$W/root/usr/share/man/man1/$t.1.gz" ]
    check "$t completion" [ -f "$W/root/usr/share/bash-completion/completions/$t" ]
done
check "the update module where the module Artifact puts it" [ -x "$W/root/usr/share/mender/modules/v3/menderconf" ]
check "copyright" [ -f "$W/root/usr/share/doc/tmplkit/copyright" ]
check "changelog" [ -f "$W/root/usr/share/doc/tmplkit/changelog.gz" ]
check "the rules for reference" [ -f "$W/root/usr/share/tmplkit/config-validate.yaml" ]
finish
