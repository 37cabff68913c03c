#!/bin/sh
# Secret sentinels and terminal safety, swept over every tool, every --format and every
# mode that prints something (issue 14; the single cases are goldens p10-05 and p10-09).
#
# Sentinels: distinct secret values planted where real ones sit (a URL password, a
# TenantToken, endpoint SharedAccessKey= and AccountKey=, a SAS sig=, a Cosmos key, a key
# pasted as a member name, an unquoted token that breaks the JSON) must never reach
# stderr, a report or a dry run. Each carries the marker ZZLEAK past its first characters,
# since a name too long to show is shortened to its first four.
#
# Terminal safety: documents, file names and rule files holding ESC, BEL, CR, U+009B and
# invalid UTF-8 must leave stderr and text reports free of raw control characters, and
# JSON and SARIF reports valid UTF-8.
. "$(dirname "$0")/lib.sh"
SUITE=leaks
W=$(mktemp -d) || exit 1
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1

# ------------------------------------------------------------------ the inputs
printf '{"Servers": [{"ServerURL": "https://admin:pwZZLEAK01@mender.example.com"}],\r\n "TenantToken": "ttZZLEAK02",\r\n "HttpsClient": {"Key": "/etc/k.pem"}}' > url-pass.conf
printf '{"ServerURL": "https://mender.example.com", "TenantToken": ttZZLEAK03unquoted}\n' > unquoted.conf
printf '{"Servers": [{"ServerURL": "https://mender.example.com"}], "keyZZLEAK04abcdefghijklmnopqrstuvwxyz": 1, "keyZZLEAK04abcdefghijklmnopqrstuvwxyz": 2}\n' > keyname.conf
printf '{"ServerURL": "https://u:pwZZLEAK05@mender.example.com", "Servers": [{"ServerURL": "https://u:pwZZLEAK05@mender.example.com"}],' > cut.conf
cat > template.json <<'EOF'
{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "variables": {
    "sas": "https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=sigZZLEAK06",
    "cosmos": "AccountEndpoint=https://db.documents.azure.com:443/;AccountKey=akZZLEAK07;"
  },
  "resources": [
    {
      "type": "Microsoft.Devices/IotHubs",
      "apiVersion": "2023-06-30",
      "name": "hub",
      "location": "westeurope",
      "sku": {"name": "S1", "capacity": 1},
      "properties": {
        "routing": {
          "endpoints": {
            "eventHubs": [
              {"name": "eh", "connectionString": "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=sakZZLEAK08;EntityPath=eh"}
            ],
            "storageContainers": [
              {"name": "st", "containerName": "c", "connectionString": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=akZZLEAK09"}
            ]
          },
          "routes": [{"name": "r", "source": "DeviceMessages", "endpointNames": ["eh"], "isEnabled": true}]
        }
      }
    }
  ]
}
EOF
# The same template broken right after a key.
sed 's/SharedAccessKey=sakZZLEAK08;EntityPath=eh"/SharedAccessKey=sakZZLEAK10 EntityPath/' template.json > broken.json
cat > seturl.yaml <<'EOF'
tool: any
version: 1
rules:
  - id: url
    select: "$.u"
    do: { set: "https://user:pwZZLEAK11@example.com/x" }
EOF
printf '{"u": "x"}\n' > in.json

# ------------------------------------------------------------------ the sweep
# run NAME COMMAND...: runs it with stdout and stderr kept apart.
run() {
    run_name=$1
    shift
    "$@" > out 2> err < /dev/null
    echo $? > rc
}

# no_controls FILE: the file holds no raw C0 control character but tab and line feed,
# no DEL and no C1 control character (U+0080 to U+009F, as UTF-8).
no_controls() {
    ! LC_ALL=C grep -a -q -P '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1"
}

# no_leak WHERE FILE: the file holds no sentinel.
no_leak() {
    check "$run_name: no secret on $1" no_sentinel "$2"
}
no_sentinel() {
    ! grep -a -q ZZLEAK "$1"
}

# stdout of a report or a dry run and stderr both stay clean; a document on stdout may
# carry the secrets it was given (that is its job).
for f in url-pass.conf unquoted.conf keyname.conf cut.conf template.json broken.json; do
    for fmt in text json sarif github; do
        for kind in auto json mender-conf arm-template; do
            run "config-validate --kind $kind --format $fmt $f" "$BIN/config-validate" --kind "$kind" --format "$fmt" -v "$f"
            no_leak stderr err
            no_leak stdout out
        done
        run "config-validate --stage deploy --format $fmt $f" "$BIN/config-validate" --stage deploy --format "$fmt" "$f"
        no_leak stderr err
        no_leak stdout out
    done
done
for f in url-pass.conf unquoted.conf keyname.conf cut.conf; do
    for tool in menderconf-dual menderconf-final; do
        for fmt in text json sarif github; do
            run "$tool --format $fmt $f" "$BIN/$tool" --new https://new:pwZZLEAK12@mender.example.net --format "$fmt" "$f"
            no_leak stderr err
            run "$tool -n --format $fmt $f" "$BIN/$tool" -n --new https://new.example.net --format "$fmt" "$f"
            no_leak stderr err
            no_leak "dry-run stdout" out
        done
    done
    run "menderconf-artifact $f" "$BIN/menderconf-artifact" --config "$f" -t dev -N n -o "$W/a.mender"
    no_leak stderr err
    no_leak stdout out
done
for f in template.json broken.json in.json; do
    for fmt in text json sarif github; do
        run "tmpl-apply -n --format $fmt $f" "$BIN/tmpl-apply" -n --format "$fmt" -r seturl.yaml -r "$TOP/tests/bench/scrub.yaml" "$f"
        no_leak stderr err
        no_leak "dry-run stdout" out
        run "tmpl-apply --check --format $fmt $f" "$BIN/tmpl-apply" --check --format "$fmt" -r seturl.yaml "$f"
        no_leak stderr err
        no_leak stdout out
    done
done
for f in template.json broken.json in.json; do
    for fmt in text json sarif github; do
        run "endpoint-audit --format $fmt $f" "$BIN/endpoint-audit" --format "$fmt" --notes "$W/notes.md" "$f"
        no_leak stderr err
        no_leak stdout out
        [ -f "$W/notes.md" ] && no_leak "notes" "$W/notes.md"
        run "endpoint-audit --fix -n --format $fmt $f" "$BIN/endpoint-audit" --fix -n --format "$fmt" "$f"
        no_leak stderr err
        no_leak "dry-run stdout" out
    done
done
for f in template.json broken.json; do
    for fmt in text json sarif github; do
        run "tmpl-scrub --format $fmt $f" "$BIN/tmpl-scrub" -o "$W/scrubbed-$fmt.json" --format "$fmt" "$f"
        no_leak stderr err
        no_leak stdout out
        [ -f "$W/scrubbed-$fmt.json" ] && no_leak "the scrubbed template" "$W/scrubbed-$fmt.json"
        run "tmpl-scrub --check --format $fmt $f" "$BIN/tmpl-scrub" --check --format "$fmt" "$f"
        no_leak stderr err
        no_leak stdout out
        run "tmpl-relocate -n --format $fmt $f" "$BIN/tmpl-relocate" -n --format "$fmt" --location northeurope \
            --name hub-moved --rename-resource ns=ns2 --add-consumer-group asa "$f"
        no_leak stderr err
        no_leak "dry-run stdout" out
    done
done
# tmpl-inject-keys holds keys by design: none may reach a message, a report or a dry run.
"$BIN/tmpl-scrub" template.json > scrubbed.json 2>/dev/null
printf 'eh: kZZLEAK13abc\nst: "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=kZZLEAK14"\nunknown: kZZLEAK15\n' > keys.yaml
printf 'eh: "Endpoint=sb://elsewhere.servicebus.windows.net/;SharedAccessKeyName=s;SharedAccessKey=kZZLEAK16;EntityPath=eh"\nst: "a;kZZLEAK17"\n' > badkeys.yaml
chmod 600 keys.yaml badkeys.yaml
for keys in keys.yaml badkeys.yaml; do
    for fmt in text json sarif github; do
        run "tmpl-inject-keys -n --format $fmt --keys $keys" "$BIN/tmpl-inject-keys" -n --format "$fmt" --keys "$keys" scrubbed.json
        no_leak stderr err
        no_leak "dry-run stdout" out
        run "tmpl-inject-keys -o --format $fmt --keys $keys" "$BIN/tmpl-inject-keys" -o "$W/deploy.json" --format "$fmt" --keys "$keys" scrubbed.json
        no_leak stderr err
        no_leak stdout out
    done
done

# ------------------------------------------------------------------ terminal safety
ESC=$(printf '\033') BEL=$(printf '\007') CR=$(printf '\r') CSI=$(printf '\302\233') BAD=$(printf '\377\376')
for name in "esc${ESC}[31mred" "bel${BEL}" "cr${CR}over" "csi${CSI}2J" "bad${BAD}"; do
    printf '{"Servers": [{"ServerURL": "https://m.example.com/%s"}], "x%s": "%s", "TenantToken": 7}\n' "$name" "$name" "$name" > "$name.conf"
    printf 'tool: any\nversion: 1\nrules:\n  - id: "r%s"\n    select: "$..x%s"\n    do: { report: { message: "m%s" } }\n' "$name" "$name" "$name" > "$name.yaml"
    for fmt in text json sarif github; do
        run "config-validate --format $fmt (control characters)" "$BIN/config-validate" --format "$fmt" "$name.conf" "missing-$name.json"
        check "$run_name: stderr without control characters" no_controls err
        case $fmt in
        json | sarif)
            check "$run_name: report is UTF-8" sh -c 'iconv -f UTF-8 -t UTF-8 out > /dev/null 2>&1' ;;
        *)
            check "$run_name: report without control characters" no_controls out ;;
        esac
        # the template tools: a hub, an endpoint and a route named with the character
        printf '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "resources": [{"type": "Microsoft.Devices/IotHubs", "apiVersion": "2023-06-30", "name": "h%s", "location": "l%s", "sku": {"name": "S1"}, "properties": {"routing": {"endpoints": {"eventHubs": [{"name": "e%s", "resourceGroup": "g%s", "connectionString": "Endpoint=sb://n%s/;SharedAccessKey=****"}]}, "routes": [{"name": "r", "source": "DeviceMessages", "endpointNames": ["x%s"], "isEnabled": true}]}}}]}\n' \
            "$name" "$name" "$name" "$name" "$name" "$name" > "$name.t.json"
        for tool in endpoint-audit tmpl-scrub tmpl-relocate tmpl-inject-keys; do
            case $tool in
            tmpl-relocate) set -- -n --name "n$name" --location "l$name" ;;
            tmpl-inject-keys) set -- -n --keys-env "K" ;;
            tmpl-scrub) set -- -n ;;
            *) set -- ;;
            esac
            run "$tool --format $fmt (control characters)" "$BIN/$tool" "$@" --format "$fmt" "$name.t.json"
            check "$run_name: stderr without control characters" no_controls err
            [ "$fmt" = text ] && [ "$tool" = endpoint-audit ] && check "$run_name: table without control characters" no_controls out
        done
        for tool in menderconf-dual tmpl-apply; do
            if [ "$tool" = tmpl-apply ]; then
                set -- -r "$name.yaml" -n
            else
                set -- --new "https://n.example.net/$name" -n
            fi
            run "$tool --format $fmt (control characters)" "$BIN/$tool" "$@" --format "$fmt" "$name.conf"
            check "$run_name: stderr without control characters" no_controls err
        done
    done
done

# The sweep must have seen what it guards: a tool that printed nothing would pass it.
run "config-validate finds the keys" "$BIN/config-validate" template.json
check "$run_name" grep -q "arm-plaintext-key" err
run "the dry run names the URL it sets" "$BIN/tmpl-apply" -n -r seturl.yaml in.json
check "$run_name" grep -q "https://\*\*\*@example.com/x" err
run "a control character reaches the check" "$BIN/config-validate" "esc${ESC}[31mred.conf"
check "$run_name" grep -q "esc" err
finish
