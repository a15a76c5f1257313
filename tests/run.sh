#!/bin/sh
# The test runner: every cmocka unit test binary, then every integration
# script (tests/integration/*.sh).  Prints one line per test program and the
# closing summary "N passed, N failed, N skipped" (a skipped check is a
# line starting with "SKIP" in a test's output: the test still passes or
# fails on the rest, and the skip is counted and shown).
#   --unit-only     skip integration scripts (the sanitizer pass uses this)
# Environment: BUILD (object dir), BINDIR, SCHEMAS_DIR; TESTS=pattern runs a subset.
#   UNIT_TIMEOUT, INTEGRATION_TIMEOUT: seconds one unit test binary / one
#   integration script may take (120 / 300); past it the test is killed,
#   shown as TIMEOUT and counted as failed, so a hang cannot stall `make check`.
# A run that executes no test at all (a TESTS pattern matching nothing, an
# unbuilt tree) fails: "0 passed, 0 failed" must not read as green.
set -u
BUILD=${BUILD:-build}
BINDIR=${BINDIR:-bin}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
export BUILD BINDIR SCHEMAS_DIR
TOP=$(pwd)
export HCS_TOP="$TOP"
unit_only=0
[ "${1:-}" = "--unit-only" ] && unit_only=1
pattern=${TESTS:-}
UNIT_TIMEOUT=${UNIT_TIMEOUT:-120}
INTEGRATION_TIMEOUT=${INTEGRATION_TIMEOUT:-300}
passed=0; failed=0; skipped=0; failures=""
logdir="$BUILD/test-logs"
mkdir -p "$logdir"

run_one() {  # name, time limit in seconds, command...
    name=$1; limit=$2; shift 2
    case "$name" in *"$pattern"*) ;; *) return ;; esac
    start=$(date +%s)
    # timeout signals its whole process group: servers a script started die too
    timeout -k 10 "$limit" "$@" >"$logdir/$name.log" 2>&1
    rc=$?
    took=$(( $(date +%s) - start ))
    if [ $rc = 0 ]; then
        passed=$((passed + 1)); status=PASS
    elif [ $rc = 124 ] || { [ $rc = 137 ] && [ "$took" -ge "$limit" ]; }; then
        failed=$((failed + 1)); status=TIMEOUT; failures="$failures $name"
        echo "$name: killed after ${limit}s (raise UNIT_TIMEOUT / INTEGRATION_TIMEOUT if it is only slow)" \
            >>"$logdir/$name.log"
    else
        failed=$((failed + 1)); status=FAIL; failures="$failures $name"
    fi
    skips=$(grep -c '^SKIP' "$logdir/$name.log")
    skipped=$((skipped + skips))
    printf '%-4s %-40s %ss\n' "$status" "$name" "$took"
    [ "$skips" = 0 ] || grep '^SKIP' "$logdir/$name.log" | sed 's/^/     | /'
    if [ "$status" != PASS ]; then
        tail -n 30 "$logdir/$name.log" | sed 's/^/     | /'
    fi
}

# The binaries of the sources that exist: a stale one of a removed test
# does not run, a missing one fails.
for src in tests/unit/test_*.c; do
    t="$BUILD/tests/$(basename "$src" .c)"
    # shellcheck disable=SC2086
    run_one "$(basename "$t")" "$UNIT_TIMEOUT" ${UNIT_WRAPPER:-} "$t"
done
if [ $unit_only = 0 ]; then
    for t in tests/integration/test_*.sh; do
        [ -f "$t" ] || continue
        run_one "$(basename "$t" .sh)" "$INTEGRATION_TIMEOUT" sh "$t"
    done
fi
[ -n "$failures" ] && echo "failed:$failures"
if [ $((passed + failed)) = 0 ]; then
    echo "no test ran: TESTS='$pattern' matched none in $BUILD/tests and tests/integration (built?)"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
