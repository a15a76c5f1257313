#!/bin/sh
# Every configuration key in src/base/config_keys.c is documented in
# docs/config.md, the man pages hcsbatch(1) and hcsbatch.ini(5) and the
# example configuration; every command has --help and a man entry; every
# hcs-sim option is in hcs-sim(1); the man pages render without warnings.
set -eu
cd "${HCS_TOP:-.}"
BINDIR=${BINDIR:-bin}
fail=0
for key in $(sed -n 's/^ *{ "\([a-z_]*\.[A-Za-z0-9_]*\)".*/\1/p' src/base/config_keys.c); do
    sec=${key%%.*}; name=${key#*.}
    if ! grep -q "^## \[$sec\]" docs/config.md || ! grep -q "\`$name\`" docs/config.md; then
        echo "undocumented key in docs/config.md: $key"; fail=1
    fi
    if ! grep -qF "$key" docs/hcsbatch.1; then
        echo "key missing from docs/hcsbatch.1: $key"; fail=1
    fi
    # hcsbatch.ini(5) and the example list keys under their section.
    in_section() {  # file, section line, key line prefix
        S=$2 K=$3 awk '$0 == ENVIRON["S"] { in_s = 1; next } /^(\[|\.SS )/ { in_s = 0 }
            in_s && index($0, ENVIRON["K"]) == 1 { found = 1 } END { exit !found }' "$1"
    }
    in_section docs/hcsbatch.ini.5 ".SS [$sec]" "\\fB$name\\fR" ||
        { echo "key missing from docs/hcsbatch.ini.5: $key (scripts/gen_man.py --ini)"; fail=1; }
    in_section docs/hcsbatch.ini.example "[$sec]" ";$name =" ||
        { echo "key missing from docs/hcsbatch.ini.example: $key (scripts/gen_ini.py)"; fail=1; }
done
for opt in $("$BINDIR/hcs-sim" --help 2>&1 | sed -n 's/^  \(--[a-z-]*\).*/\1/p'); do
    grep -qF -e "$opt" -e "$(echo "$opt" | sed 's/-/\\-/g')" docs/hcs-sim.1 || { echo "hcs-sim option missing from docs/hcs-sim.1: $opt"; fail=1; }
done
for page in docs/hcsbatch.1 docs/hcsbatch.ini.5 docs/hcs-sim.1; do
    w=$(groff -man -ww -z -Tutf8 -K utf8 "$page" 2>&1)
    [ -z "$w" ] || { echo "$page: groff warnings: $w"; fail=1; }
done
for cmd in $(sed -n 's/^ *{ "\([a-z]*\)", cmd_.*/\1/p' src/cli/main.c); do
    if ! "$BINDIR/hcsbatch" "$cmd" --help >/dev/null 2>&1; then
        echo "hcsbatch $cmd --help failed"; fail=1
    fi
    grep -q "^\.SS $cmd" docs/hcsbatch.1 || { echo "command missing from man page: $cmd"; fail=1; }
done
"$BINDIR/hcsbatch" --help | grep -q 'Commands:' || { echo "hcsbatch --help broken"; fail=1; }
"$BINDIR/hcsbatch" nosuch >/dev/null 2>&1 && { echo "unknown command accepted"; fail=1; }
[ $fail = 0 ] && echo "docs ok"
exit $fail
