#!/bin/sh
# hcsbatch run --wait over samples/ against hcs-sim over real HTTP: every row
# ends accepted with its GIS GUID or rejected with a reason; files move to
# archive/; a second run takes nothing again (same content) and is idle;
# a concurrent run exits 75; status --json parses.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms 300
xl_work "$T/w" "$SIM_URL" "$T/keys"
cd "$T/w"

set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >run.out 2>run.err
rc=$?
set -e
cat run.out
[ $rc = 65 ] || { cat run.err; xl_fail "run exit $rc, expected 65 (the samples hold bad rows)"; }
xl_check_accounted state.db
xl_check_log "$T/sim.log" state.db
xl_integrity state.db
[ "$(find inbox -type f | wc -l)" = 0 ] || xl_fail "files left in the inbox"
[ "$(ls archive/inputs | wc -l)" = 4 ] || xl_fail "expected 4 archived inputs"
ls archive/packets/*.xml >/dev/null || xl_fail "no signed packets archived"
ls reports/*.xlsx >/dev/null || xl_fail "no report"
acc=$(sqlite3 state.db "SELECT count(*) FROM elements WHERE state='accepted'")
[ "$acc" -gt 0 ] || xl_fail "nothing accepted"
reg=$(sqlite3 state.db "SELECT count(*) FROM registry WHERE kind='account' AND guid IS NOT NULL")
[ "$reg" -gt 0 ] || xl_fail "no account GUID in the registry"

# same content again: not sent, moved to rejected/ with a reason
cp "$HCS_TOP/samples/accounts.csv" inbox/accounts/again.csv
set +e
"$HCSBATCH" -c hcsbatch.ini run >run2.out 2>run2.err
rc=$?
set -e
[ $rc = 0 ] || { cat run2.out run2.err; xl_fail "second run exit $rc"; }
grep -q "уже обработан" rejected/*again.csv.error.txt || xl_fail "duplicate not explained"
n=$(sqlite3 state.db "SELECT count(*) FROM files")
[ "$n" = 4 ] || xl_fail "duplicate file was taken ($n files)"

# idle run: nothing to do, fast
start=$(date +%s%N)
"$HCSBATCH" -c hcsbatch.ini -q run
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "idle run: ${ms} ms"
[ $ms -lt 1000 ] || xl_fail "idle run took ${ms} ms"

# a second concurrent run exits 75 at once
flock run.lock sh -c "\"$HCSBATCH\" -c hcsbatch.ini run >lock.out 2>lock.err; echo \$? >lock.rc"
[ "$(cat lock.rc)" = 75 ] || xl_fail "concurrent run exit $(cat lock.rc), expected 75"
grep -q "another hcsbatch run" lock.err || xl_fail "no lock message"

"$HCSBATCH" -c hcsbatch.ini status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["packets"], d'
"$HCSBATCH" -c hcsbatch.ini status | grep -q "Packets by state"
echo "PASS"
