#!/bin/sh
# Converter benchmark: `hcsbatch convert --op importAccountData` on generated
# accounts exports (gen_inputs, the same data bench_read uses) — 1,000,000
# rows as CSV and as XLSX, and 100,000 rows as CSV to show that peak memory
# does not grow with the file.  Every packet is XSD-validated, as always.
# Prints rows/s by wall clock and by CPU time (user+sys: the machine may be
# shared) and peak RSS.  Targets: >= 30,000 rows/s for CSV, RSS <= 64 MB.
set -eu
BUILD=${BUILD:-build}
BINDIR=${BINDIR:-bin}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
ROWS=${BENCH_ROWS:-1000000}
SMALL=${BENCH_SMALL_ROWS:-100000}
GEN="$BUILD/bench/gen_inputs"
HCS="$BINDIR/hcsbatch"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench_convert: /usr/bin/time missing (apt-get install time)"; exit 1; }
data="$BUILD/bench/data"
mkdir -p "$data"
gen() {  # rows format
    out="$data/accounts-$1.$2"
    if [ ! -s "$out" ]; then
        "$GEN" --rows "$1" --format "$2" --out "$out.tmp"
        mv "$out.tmp" "$out"
    fi
}
gen "$ROWS" csv
gen "$ROWS" xlsx
gen "$SMALL" csv
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-convert-XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "== convert importAccountData (XSD validation of every packet)"
run() {  # file rows label
    out="$work/out"
    rm -rf "$out"
    "$TIME" -f "%e %U %S %M" -o "$work/time" "$HCS" -q -o gis.org_ppa_guid=c8f1d2e3-a4b5-4c6d-8e7f-9a0b1c2d3e4f -o paths.nsi_dir=samples/world/nsi \
        --schemas "$SCHEMAS_DIR" convert --op importAccountData --out "$out" "$1" || [ $? = 65 ]
    packets=$(ls "$out" | grep -c '\.xml$' || true)
    rejected=$(($(wc -l <"$out/errors.csv") - 1))
    rm -rf "$out"
    read -r wall user sys rss <"$work/time"
    awk -v rows="$2" -v wall="$wall" -v user="$user" -v sys="$sys" -v rss="$rss" -v label="$3" \
        -v packets="$packets" -v rej="$rejected" 'BEGIN {
        cpu = user + sys
        printf "%-22s %8d rows  %6.1f s wall  %8.0f rows/s wall  %8.0f rows/s cpu  peak RSS %5.1f MB  %d packets, %d rejected\n",
            label, rows, wall, rows / (wall > 0 ? wall : 1e-9), rows / (cpu > 0 ? cpu : 1e-9), rss / 1024, packets, rej
    }'
}
run "$data/accounts-$SMALL.csv" "$SMALL" "csv $SMALL"
run "$data/accounts-$ROWS.csv" "$ROWS" "csv $ROWS"
run "$data/accounts-$ROWS.xlsx" "$ROWS" "xlsx $ROWS"
