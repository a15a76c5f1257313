#!/bin/sh
# Proof that the check-asan tree (BUILD, the first argument) is built with
# -fsanitize=address,undefined: every unit test binary must call into both
# runtimes (__asan_report_* from instrumented memory accesses, __ubsan_handle_*
# from instrumented arithmetic), and the planted bugs of
# tests/asan/planted_bug.c must be reported.  Fails on the first miss, so a
# lost SAN/CFLAGS can no longer pass as a sanitized run.
set -u
BUILD=${1:?usage: sanitizers_on.sh BUILD}
fail=0
n=0
for src in tests/unit/test_*.c; do
    t="$BUILD/tests/$(basename "$src" .c)"
    n=$((n + 1))
    syms=$(nm "$t" 2>/dev/null)
    for want in __asan_report_ __ubsan_handle_; do
        if ! printf '%s\n' "$syms" | grep -q " $want"; then
            echo "sanitizers_on: $t has no $want* symbol: not built with -fsanitize=address,undefined"
            fail=1
        fi
    done
done
if [ "$n" = 0 ]; then
    echo "sanitizers_on: no unit test binary in $BUILD/tests"
    exit 1
fi

expect_report() {  # mode, what the report must say
    out=$("$BUILD/tests/asan/planted_bug" "$1" 2>&1)
    rc=$?
    if [ $rc = 0 ] || ! printf '%s\n' "$out" | grep -q "$2"; then
        echo "sanitizers_on: planted $1 bug not reported (exit $rc, no \"$2\"):"
        printf '%s\n' "$out" | sed 's/^/     | /'
        fail=1
    fi
}
expect_report heap "AddressSanitizer: heap-buffer-overflow"
expect_report signed "runtime error: signed integer overflow"

[ $fail = 0 ] && echo "sanitizers_on: $n unit test binaries instrumented by ASan+UBSan; planted heap overflow and signed overflow reported"
exit $fail
