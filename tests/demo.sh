#!/bin/sh
# make demo: the toolkit's main jobs on the bundled sample data in testdata/samples.
. "$(dirname "$0")/lib.sh"
export PATH="$BIN:$PATH"
W=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-demo.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$TOP/testdata/samples" || exit 1
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
NEW=https://eu.hosted.mender.io

step "config-validate -v template.json mender-yocto.conf mender-debian.conf"
config-validate -v template.json mender-yocto.conf mender-debian.conf && echo "(all valid)"

step "config-validate broken/mender.conf"
config-validate broken/mender.conf || echo "(exit $?: this config would have stopped the Mender client)"

step "menderconf-dual --new $NEW mender-yocto.conf"
menderconf-dual --new $NEW mender-yocto.conf > "$W/dual.conf" && cat "$W/dual.conf"
echo

step "menderconf-final --new $NEW dual.conf"
menderconf-final --new $NEW "$W/dual.conf" | tee "$W/final.conf"
echo

step "config-validate --kind mender-conf dual.conf final.conf"
config-validate --kind mender-conf "$W/dual.conf" "$W/final.conf" && echo "(both valid)"

step "tmpl-apply -n -r review-scrub.yaml template.json   # what review scrubbing would change"
tmpl-apply -n -r review-scrub.yaml template.json

step "tmpl-apply -r review-scrub.yaml template.json | diff template.json -"
tmpl-apply -r review-scrub.yaml template.json | diff template.json - || true

step "endpoint-audit template.json   # what blocks the migration"
endpoint-audit template.json || echo "(exit $?: an endpoint cannot be migrated as it is)"

step "endpoint-audit --fix -o fixed.json --notes after-migration.md template.json"
endpoint-audit -q --fix -o "$W/fixed.json" --notes "$W/after-migration.md" template.json > /dev/null &&
    cat "$W/after-migration.md"

step "tmpl-scrub < fixed.json > review.json   # safe to commit and share"
tmpl-scrub < "$W/fixed.json" > "$W/review.json"

step "diff template.json review.json   # the export against the review copy"
diff template.json "$W/review.json" || true

step "tmpl-relocate --location northeurope --name fleet-hub-ne --add-consumer-group asa < fixed.json > relocated.json"
tmpl-relocate --location northeurope --name fleet-hub-ne --add-consumer-group asa < "$W/fixed.json" > "$W/relocated.json"

step "tmpl-inject-keys --keys keys.yaml < relocated.json | config-validate --stage deploy - > deploy.json"
cp keys.yaml "$W/keys.yaml" && chmod 600 "$W/keys.yaml"
tmpl-inject-keys --keys "$W/keys.yaml" < "$W/relocated.json" | config-validate --stage deploy - > "$W/deploy.json" &&
    echo "(deploy.json passes config-validate --stage deploy)"

step "diff template.json deploy.json   # the export against the deployable template (keys shown as ****)"
sed 's/\(SharedAccessKey=\|AccountKey=\)[^;"]*/\1****/; s/"\(primaryKey\|secondaryKey\)": "[^"]*"/"\1": "****"/' "$W/deploy.json" |
    diff template.json - || true

step "config-validate --stage deploy template.json   # the export itself: keys still masked"
config-validate --stage deploy template.json || echo "(exit $?: not deployable yet)"
exit 0
