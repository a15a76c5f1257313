#!/bin/sh
# Every configuration key in src/base/config_keys.c is documented in
# docs/config.md and the man page; every command has --help and a man entry.
set -eu
cd "${HCS_TOP:-.}"
BINDIR=${BINDIR:-bin}
fail=0
for key in $(sed -n 's/^ *{ "\([a-z_]*\.[A-Za-z_]*\)".*/\1/p' src/base/config_keys.c); do
    sec=${key%%.*}; name=${key#*.}
    if ! grep -q "^## \[$sec\]" docs/config.md || ! grep -q "\`$name\`" docs/config.md; then
        echo "undocumented key in docs/config.md: $key"; fail=1
    fi
    if ! grep -qF "$key" docs/hcsbatch.1; then
        echo "key missing from docs/hcsbatch.1: $key"; fail=1
    fi
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
