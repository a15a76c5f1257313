#!/bin/sh
# Runs every libFuzzer harness built into FUZZDIR/bin for SECONDS each and
# prints, per harness, executions, final coverage (cov: / ft:) and crashes.
# The growing corpus stays in FUZZDIR/corpus/<harness> (seeded from
# tests/fuzz/corpus/<name>); a crash, leak or timeout leaves its input in
# FUZZDIR/crashes/ and makes the run fail.
# Usage: tests/fuzz/run.sh FUZZDIR SECONDS [harness …]
# FUZZ_JOBS=2 runs two harnesses at a time (default 1: the machine is shared).
set -u
FUZZDIR=${1:?usage: run.sh FUZZDIR SECONDS [harness ...]}
SECONDS_EACH=${2:-60}
shift 2 2>/dev/null || shift $#
HERE=$(dirname "$0")
mkdir -p "$FUZZDIR/crashes" "$FUZZDIR/logs"

# Largest input per harness: a few times the biggest seed.
max_len() {
    case $1 in
        fuzz_xlsx) echo 65536 ;;
        fuzz_template) echo 16384 ;;
        fuzz_soap_result) echo 16384 ;;
        fuzz_csv) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

run_one() {
    h=$1
    name=${h#fuzz_}
    corpus="$FUZZDIR/corpus/$name"
    mkdir -p "$corpus"
    dict=""
    [ -f "$HERE/$name.dict" ] && dict="-dict=$HERE/$name.dict"
    seeds=""
    [ -d "$HERE/corpus/$name" ] && seeds="$HERE/corpus/$name"
    # shellcheck disable=SC2086
    "$FUZZDIR/bin/$h" -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$h")" -timeout=20 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$FUZZDIR/crashes/$name-" \
        $dict "$corpus" $seeds >"$FUZZDIR/logs/$name.log" 2>&1
    echo $? >"$FUZZDIR/logs/$name.rc"
}

summary() {
    h=$1
    name=${h#fuzz_}
    log="$FUZZDIR/logs/$name.log"
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    crashes=$(find "$FUZZDIR/crashes" -name "$name-*" -newer "$FUZZDIR/logs/$name.start" | wc -l)
    rc=$(cat "$FUZZDIR/logs/$name.rc" 2>/dev/null || echo 1)
    printf '%-14s %6ss  execs %-9s cov %-6s ft %-6s crashes %s\n' "$name" "$SECONDS_EACH" \
        "${execs:-?}" "${cov:-?}" "${ft:-?}" "$crashes"
    if [ "$rc" != 0 ] || [ "$crashes" != 0 ]; then
        echo "  FAIL $name (exit $rc): see $log" >&2
        grep -E 'ERROR: |runtime error|SUMMARY' "$log" | head -n 5 >&2
        find "$FUZZDIR/crashes" -name "$name-*" -newer "$FUZZDIR/logs/$name.start" | sed 's/^/  reproducer: /' >&2
        return 1
    fi
    return 0
}

if [ $# -gt 0 ]; then
    HARNESSES=$*
else
    HARNESSES=$(cd "$FUZZDIR/bin" && ls fuzz_* 2>/dev/null | grep -v '\.')   # not the .d files
fi
[ -n "$HARNESSES" ] || { echo "run.sh: no harnesses in $FUZZDIR/bin" >&2; exit 1; }

jobs=${FUZZ_JOBS:-1}
running=0
for h in $HARNESSES; do
    touch "$FUZZDIR/logs/${h#fuzz_}.start"
    echo "fuzzing ${h#fuzz_} for ${SECONDS_EACH}s" >&2
    run_one "$h" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait

failed=0
for h in $HARNESSES; do
    summary "$h" || failed=1
done
exit $failed
