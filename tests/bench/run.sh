#!/bin/sh
# make bench: every tests/bench/bench_*.sh in turn (each prints its own
# rows/s and peak RSS lines).  BUILD, BINDIR, SCHEMAS_DIR come from make.
set -u
status=0
for b in tests/bench/bench_*.sh; do
    [ -f "$b" ] || continue
    echo "### $(basename "$b" .sh)"
    sh "$b" || status=1
done
exit $status
