#!/bin/sh
# make demo: the toolkit's main job on the bundled sample data in testdata/samples.
. "$(dirname "$0")/lib.sh"
S="$TOP/testdata/samples"
export PATH="$BIN:$PATH"
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step config-validate testdata/samples/template.json testdata/samples/mender-*.conf
(cd "$TOP" && config-validate testdata/samples/template.json testdata/samples/mender-*.conf) && echo "all valid"

step config-validate testdata/samples/broken/mender.conf
(cd "$TOP" && config-validate testdata/samples/broken/mender.conf) || echo "(exit $?: the config would have stopped the Mender client)"

step config-validate --format sarif testdata/samples/broken/mender.conf
(cd "$TOP" && config-validate --format sarif testdata/samples/broken/mender.conf) || true
exit 0
