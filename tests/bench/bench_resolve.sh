#!/bin/sh
# Registry benchmark (issue 11): resolving ROWS rows through a registry of
# ROWS objects must cost under 20 % of the unsigned conversion, with flat
# memory.  One run: a state store with ROWS registry objects (the premises
# of the rows, filled in one transaction), then importAccountData of the
# same accounts export twice — GUID form (`Идентификатор помещения ГИС`, no
# registry) and local-key form (`Номер помещения` resolved through the
# store) — at ROWS/10 and ROWS rows.  Prints CPU time of each (user+sys: the
# machine may be shared), the resolution's share and peak RSS; fails when
# the share is 20 % or more, when a local-key row is rejected, or when peak
# RSS at ROWS rows exceeds that at ROWS/10 by more than 16 MB.
#   sh tests/bench/bench_resolve.sh [ROWS]     (default BENCH_ROWS or 1000000)
set -eu
BUILD=${BUILD:-build}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
export SCHEMAS_DIR
ROWS=${1:-${BENCH_ROWS:-1000000}}
SMALL=$((ROWS / 10))
GEN="$BUILD/bench/gen_inputs"
BR="$BUILD/bench/bench_resolve"
data="$BUILD/bench/data"
mkdir -p "$data"
gen() {  # rows [local]: the GUID form (shared with bench_convert) or the local-key form
    if [ "${2:-}" = local ]; then
        out="$data/accounts-local-$1.csv"
        [ -s "$out" ] && [ -s "$data/registry-$1.tsv" ] && return 0
        "$GEN" --rows "$1" --format csv --out "$out.tmp" --local-keys "$data/registry-$1.tsv"
    else
        out="$data/accounts-$1.csv"
        [ -s "$out" ] && return 0
        "$GEN" --rows "$1" --format csv --out "$out.tmp"
    fi
    mv "$out.tmp" "$out"
}
gen "$ROWS"
gen "$SMALL"
gen "$ROWS" local
gen "$SMALL" local
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-resolve-XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "== registry resolution: importAccountData, unsigned, XSD-validated"
"$BR" fill "$work/state.db" "$data/registry-$ROWS.tsv" "$ROWS"
status=0
for n in "$SMALL" "$ROWS"; do
    "$BR" convert "$data/accounts-$n.csv" >"$work/guid"
    "$BR" convert --store "$work/state.db" "$data/accounts-local-$n.csv" >"$work/local"
    # rows R rejected J packets P cpu S wall W rss_kb K
    read -r _ rows _ rej_g _ pk_g _ cpu_g _ wall_g _ rss_g <"$work/guid"
    read -r _ _ _ rej_l _ pk_l _ cpu_l _ wall_l _ rss_l <"$work/local"
    echo "$n $rss_l" >>"$work/rss"
    awk -v n="$rows" -v cg="$cpu_g" -v cl="$cpu_l" -v wg="$wall_g" -v wl="$wall_l" -v rg="$rss_g" -v rl="$rss_l" \
        -v jg="$rej_g" -v jl="$rej_l" -v pg="$pk_g" -v pl="$pk_l" 'BEGIN {
        share = (cl - cg) / (cg > 0 ? cg : 1e-9) * 100
        printf "%8d rows  GUID form %6.1f s cpu (%5.1f wall, RSS %5.1f MB, %d packets, %d rejected)\n", n, cg, wg, rg / 1024, pg, jg
        printf "%8s       local keys %6.1f s cpu (%5.1f wall, RSS %5.1f MB, %d packets, %d rejected)  resolution %+.1f %% of convert\n",
            "", cl, wl, rl / 1024, pl, jl, share
        exit (share >= 20 || jl > jg || pl != pg) ? 1 : 0
    }' || status=1
done
awk 'NR == 1 { small = $2 } NR == 2 { big = $2 } END {
    printf "peak RSS with the registry: %.1f MB at %d%% of the rows, %.1f MB at all of them\n", small / 1024, 10, big / 1024
    exit big - small > 16384 ? 1 : 0
}' "$work/rss" || status=1
[ $status = 0 ] || echo "bench_resolve: target missed (resolution >= 20 %, rows lost or memory growing)"
exit $status
