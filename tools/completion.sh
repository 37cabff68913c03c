#!/bin/sh
# completion: the build-time generator of bash completion (not installed itself). For each
# tool it reads the options from the tool's own --help, which the tool prints from the
# same option tables it parses with, so completion cannot drift from the options:
#   sh tools/completion.sh BINDIR OUTDIR TOOL...
# writes OUTDIR/TOOL, a bash completion file (bash-completion loads it by the command's
# name; zsh can use it through bashcompinit).
# shellcheck disable=SC2016  # it writes bash code: the single quotes are meant
set -e
bindir=$1 outdir=$2
shift 2
mkdir -p "$outdir"
for tool in "$@"; do
    help=$("$bindir/$tool" --help)
    # "  -o, --output FILE   text" and "      --kind KIND   text": the long name, the
    # argument (or "-"), the short name (or "-").
    opts=$(printf '%s\n' "$help" |
        sed -n 's/^ *\(-[A-Za-z], \)\{0,1\}\(--[a-z][a-z0-9-]*\)\( \([A-Z][A-Z.|=0-9]*\)\)\{0,1\}  .*/\2 \4 \1/p' |
        sed 's/, *$//' | awk '{ print $1, ($2 == "" ? "-" : $2), ($3 == "" ? "-" : $3) }' |
        awk '{ if ($2 ~ /^-[A-Za-z],?$/) { print $1, "-", $2 } else print }' | sed 's/,$//')
    fn=_tmplkit_$(printf '%s' "$tool" | tr -c 'a-z0-9\n' '_')
    {
        echo "# bash completion for $tool, generated from '$tool --help' by tools/completion.sh"
        echo "$fn() {"
        echo '    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}'
        echo '    case $prev in'
        printf '%s\n' "$opts" | while read -r name arg short; do
            [ "$arg" != - ] || continue
            [ "$short" = - ] || name="$short|$name"
            case $arg in
            FMT) values="text json sarif github" ;;
            KIND) values="auto json arm-template mender-conf" ;;
            STAGE) values="review deploy" ;;
            GEN) values="4 3" ;;
            FILE | DIR | PATH | KEY | RULES | FILE.mender) values="" ;;
            *) values="-" ;;
            esac
            if [ -z "$values" ]; then
                echo "    $name) COMPREPLY=(\$(compgen -f -- \"\$cur\")); return ;;"
            elif [ "$values" = - ]; then
                echo "    $name) COMPREPLY=(); return ;;"
            else
                echo "    $name) COMPREPLY=(\$(compgen -W '$values' -- \"\$cur\")); return ;;"
            fi
        done
        echo '    esac'
        echo '    if [[ $cur == -* ]]; then'
        echo "        COMPREPLY=(\$(compgen -W '$(printf '%s\n' "$opts" | awk '{ printf "%s ", $1; if ($3 != "-") printf "%s ", $3 }')' -- \"\$cur\"))"
        echo '    else'
        echo '        COMPREPLY=($(compgen -f -- "$cur"))'
        echo '    fi'
        echo '}'
        echo "complete -o filenames -F $fn $tool"
    } > "$outdir/$tool"
done
