#!/bin/sh
# The pre-commit hooks with the real pre-commit (a test dependency), from the repository
# alone: a scratch copy of this tree becomes the hook repository, a scratch user
# repository pins it, and `pre-commit run` must build the tools on first use and pass or
# fail each file as expected: a bad mender.conf and a template with a plaintext key fail,
# clean files pass. Skipped without pre-commit or git.
. "$(dirname "$0")/lib.sh"
SUITE=pre-commit
[ "$B" = build ] || skip_suite "runs with the default build (it builds its own copy)"
command -v pre-commit >/dev/null 2>&1 || skip_suite "pre-commit is not installed (Debian package pre-commit)"
command -v git >/dev/null 2>&1 || skip_suite "git is not installed"
W=$(mktemp -d "${TMPDIR:-/tmp}/tmplkit-precommit.XXXXXX")
trap 'rm -rf "$W"' EXIT
git_quiet() { git -c user.name=test -c user.email=test@example.invalid -c init.defaultBranch=main "$@" >/dev/null 2>&1; }

# The hook repository: this tree as committed work would hold it.
mkdir "$W/hooks"
(cd "$TOP" && cp -R Makefile lib tools rules tests .pre-commit-hooks.yaml "$W/hooks/")
(cd "$W/hooks" && git_quiet init && git_quiet add -A && git_quiet commit -m hooks)
rev=$(cd "$W/hooks" && git rev-parse HEAD)

mkdir "$W/user"
cd "$W/user" || exit 1
git_quiet init
cat > .pre-commit-config.yaml <<YAML
repos:
  - repo: $W/hooks
    rev: $rev
    hooks:
      - id: mender-conf
      - id: arm-template
      - id: arm-secret-guard
YAML
mkdir -p device bad
printf '{\n  "ServerURL": "https://hosted.mender.io",\n  "TenantToken": "abc"\n}\n' > device/mender.conf
printf '{\n  "ServerURL": "https://hosted.mender.io",\n  "Servers": [{"ServerURL": "https://eu.hosted.mender.io"}]\n}\n' > bad/mender.conf
# a template as it goes to review: the export scrubbed
"$BIN/tmpl-scrub" "$TOP/testdata/samples/template.json" > clean.arm.json 2>/dev/null
sed 's/"\*\*\*\*"/"REPLACE"/' clean.arm.json > secret.arm.json
key=$(printf 'k%.0s' $(seq 1 43))
sed -i "s|SharedAccessKey=\\*\\*\\*\\*|SharedAccessKey=$key=|" secret.arm.json
git_quiet add -A
export PRE_COMMIT_HOME="$W/cache"
pre-commit run --all-files > "$W/run1" 2>&1
rc=$?
check "a bad mender.conf and a plaintext key fail the run" [ $rc = 1 ]
check "  the mender.conf hook fails, naming the file" grep -q "bad/mender.conf:.*mender-serverurl-with-servers" "$W/run1"
check "  the arm-template hook reports the plaintext key" grep -q "secret.arm.json:.*arm-plaintext-key" "$W/run1"
check "  the secret guard (tmpl-scrub --check) names where it would mask" \
    grep -q "secret.arm.json:[0-9]*:[0-9]*: note: would replace text in .*connectionString.*mask-shared-access-key" "$W/run1"
check "  the key itself is not shown" eval '! grep -q "$key" "$W/run1"'
check "  no error about the clean files" eval '! grep -q "clean.arm.json:[0-9:]*: error\|device/mender.conf:[0-9:]*: error" "$W/run1"'
git_quiet rm -qf bad/mender.conf secret.arm.json
pre-commit run --all-files > "$W/run2" 2>&1
check "clean files pass" [ $? = 0 ]
check "  every hook passed" sh -c "grep -c 'Passed' '$W/run2' | grep -q 3"
[ "$failed" = 0 ] || { echo "--- first run"; tail -20 "$W/run1"; echo "--- second run"; tail -10 "$W/run2"; }
finish
