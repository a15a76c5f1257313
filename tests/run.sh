#!/bin/sh
# The test runner: every cmocka unit test binary, then every integration
# script (tests/integration/*.sh).  Prints one line per test program and the
# closing summary "N passed, N failed".
#   --unit-only     skip integration scripts (the sanitizer pass uses this)
# Environment: BUILD (object dir), BINDIR, SCHEMAS_DIR; TESTS=pattern runs a subset.
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
passed=0; failed=0; failures=""
logdir="$BUILD/test-logs"
mkdir -p "$logdir"

run_one() {  # name, command...
    name=$1; shift
    case "$name" in *"$pattern"*) ;; *) return ;; esac
    start=$(date +%s)
    if "$@" >"$logdir/$name.log" 2>&1; then
        passed=$((passed + 1)); status=PASS
    else
        failed=$((failed + 1)); status=FAIL; failures="$failures $name"
    fi
    printf '%-4s %-40s %ss\n' "$status" "$name" "$(( $(date +%s) - start ))"
    if [ "$status" = FAIL ]; then
        tail -n 30 "$logdir/$name.log" | sed 's/^/     | /'
    fi
}

for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    # shellcheck disable=SC2086
    run_one "$(basename "$t")" ${UNIT_WRAPPER:-} "$t"
done
if [ $unit_only = 0 ]; then
    for t in tests/integration/test_*.sh; do
        [ -f "$t" ] || continue
        run_one "$(basename "$t" .sh)" sh "$t"
    done
fi
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
