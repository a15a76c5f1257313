#!/bin/sh
# Registry benchmark (issue 11): resolving ROWS rows through a registry of
# ROWS objects must cost under 20 % of the unsigned conversion, with flat
# memory.  One run: a state store with ROWS registry objects (the premises
# of the rows, filled in one transaction), then importAccountData of the
# same accounts export twice — GUID form (`Идентификатор помещения ГИС`, no
# registry) and local-key form (`Номер помещения` resolved through the
# store) — at ROWS/10 and ROWS rows.  Prints CPU time of each (user+sys: the
# machine may be shared; each form runs twice, alternately, and the lower
# time counts), the resolution's share of it — end to end, and the time
# spent inside the resolver (wall clock around every lookup: conservative,
# it counts a preemption too) — and peak RSS; fails when the share inside
# the resolver at ROWS rows is 20 % or more, when a local-key row is
# rejected, or when peak RSS at ROWS rows exceeds that at ROWS/10 by more
# than 16 MB.
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
    # GUID form and local keys alternately, twice: the lower CPU time of
    # each counts (a shared machine slows single runs by 10-20 %)
    : >"$work/guid"
    : >"$work/local"
    for rep in 1 2; do
        "$BR" convert "$data/accounts-$n.csv" >>"$work/guid"
        "$BR" convert --store "$work/state.db" "$data/accounts-local-$n.csv" >>"$work/local"
    done
    # rows R rejected J packets P cpu S wall W rss_kb K lookups L in_resolver T
    read -r _ rows _ rej_g _ pk_g _ cpu_g _ wall_g _ rss_g _ <"$work/guid"
    read -r _ _ _ rej_l _ pk_l _ cpu_l _ wall_l _ rss_l _ lookups _ inres <"$work/local"
    cpu_g=$(awk 'NR == 1 || $8 < m { m = $8 } END { print m }' "$work/guid")
    cpu_l=$(awk 'NR == 1 || $8 < m { m = $8 } END { print m }' "$work/local")
    inres=$(awk 'NR == 1 || $16 < m { m = $16 } END { print m }' "$work/local")
    rss_l=$(awk '$12 > m { m = $12 } END { print m }' "$work/local")
    echo "$n $rss_l" >>"$work/rss"
    awk -v n="$rows" -v cg="$cpu_g" -v cl="$cpu_l" -v rg="$rss_g" -v rl="$rss_l" -v jg="$rej_g" -v jl="$rej_l" \
        -v pg="$pk_g" -v pl="$pk_l" -v lk="$lookups" -v ir="$inres" -v full="$([ "$n" = "$ROWS" ] && echo 1)" 'BEGIN {
        share = (cl - cg) / (cg > 0 ? cg : 1e-9) * 100
        inside = ir / (cg > 0 ? cg : 1e-9) * 100
        printf "%8d rows  GUID form  %6.1f s cpu  RSS %5.1f MB  %d packets, %d rejected\n", n, cg, rg / 1024, pg, jg
        printf "%8s       local keys %6.1f s cpu  RSS %5.1f MB  %d packets, %d rejected\n", "", cl, rl / 1024, pl, jl
        printf "%8s       resolution: %+.1f %% of the GUID form by CPU time; %d lookups took %.2f s = %.1f %% (%.1f us each)\n",
            "", share, lk, ir, inside, lk ? ir / lk * 1e6 : 0
        # rows must all resolve; the 20 % target holds at full size (small runs
        # are mostly start-up), judged by the time inside the resolver: the
        # end-to-end difference of two runs moves by 10 % on a shared machine
        exit (jl > jg || pl != pg || (full && inside >= 20)) ? 1 : 0
    }' || status=1
done
awk 'NR == 1 { small = $2 } NR == 2 { big = $2 } END {
    printf "peak RSS with the registry: %.1f MB at %d%% of the rows, %.1f MB at all of them\n", small / 1024, 10, big / 1024
    exit big - small > 16384 ? 1 : 0
}' "$work/rss" || status=1
[ $status = 0 ] || echo "bench_resolve: target missed (resolution >= 20 %, rows lost or memory growing)"
exit $status
