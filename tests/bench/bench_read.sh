#!/bin/sh
# Reader benchmark: generates a BENCH_ROWS-row (default 1,000,000) accounts
# export as CSV (Windows-1251, ';') and as XLSX (once, kept in
# $BUILD/bench/data) and prints rows/s and peak RSS of reading each.
set -eu
BUILD=${BUILD:-build}
ROWS=${BENCH_ROWS:-1000000}
GEN="$BUILD/bench/gen_inputs"
READ="$BUILD/bench/bench_read"
data="$BUILD/bench/data"
mkdir -p "$data"
for f in csv xlsx; do
    out="$data/accounts-$ROWS.$f"
    if [ ! -s "$out" ]; then
        start=$(date +%s)
        "$GEN" --rows "$ROWS" --format $f --out "$out.tmp"
        mv "$out.tmp" "$out"
        echo "generated $out ($(du -h "$out" | cut -f1), $(( $(date +%s) - start )) s)"
    fi
done
echo "== reader: $ROWS rows"
"$READ" "$data/accounts-$ROWS.csv"
"$READ" "$data/accounts-$ROWS.xlsx"
