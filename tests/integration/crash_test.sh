#!/bin/sh
# make soak: the crash test with many more kills (SOAK=1 → 300 by default,
# SOAK_KILLS=N to choose).  The regular suite runs test_crash.sh with 50.
HCS_TOP=${HCS_TOP:-$(pwd)}
export HCS_TOP
SOAK=${SOAK:-1} exec sh "$HCS_TOP/tests/integration/test_crash.sh"
