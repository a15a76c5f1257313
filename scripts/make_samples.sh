#!/bin/sh
# Regenerates samples/ (CSV files and world/) and samples/accounts.xlsx.
# The generated files are committed; run this only to change them.
set -eu
cd "$(dirname "$0")/.."
python3 scripts/make_samples.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -std=c11 -O1 -o "$tmp/make_samples_xlsx" scripts/make_samples_xlsx.c \
    $(pkg-config --cflags --libs xlsxwriter)
"$tmp/make_samples_xlsx" samples/accounts.xlsx
echo "samples/accounts.xlsx written"
