#!/bin/sh
# Report benchmark: the XLSX report (constant-memory libxlsxwriter) and
# errors.csv over BENCH_REPORT_ROWS generated rows (default 300,000) in 3
# files; prints rows/s and peak RSS, which must not grow with the rows.
set -eu
BUILD=${BUILD:-build}
ROWS=${BENCH_REPORT_ROWS:-300000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== report: $ROWS rows"
"$BUILD/bench/bench_report" "$ROWS" 3 "$out"
echo "xlsx size: $(du -h "$out/bench.xlsx" | cut -f1)"
