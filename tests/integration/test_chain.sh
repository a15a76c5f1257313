#!/bin/sh
# The chain in the nightly run: on an empty registry, an accounts file with
# premises numbers (samples/local-keys/accounts.csv, no GUIDs) makes the run
# export the houses it names (exportHouseData) before it converts; the
# simulator's request log shows every exportHouseData before
# importAccountData.  Rows whose keys stay unknown after the export are
# rejected one by one with the key named.  A second file of the same houses
# exports nothing again.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_stop_sims; rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms 50
xl_work "$T/w" "$SIM_URL" "$T/keys"
cd "$T/w"
rm -f inbox/*/*
cp "$HCS_TOP/samples/local-keys/accounts.csv" inbox/accounts/
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >run.out 2>run.err
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 65 ] || { tail -20 run.err; xl_fail "run exit $rc"; }
actions=$(sed -n 's/.*"action":"\([A-Za-z]*\)".*/\1/p' "$T/sim.log" | grep -v getState)
first_import=$(echo "$actions" | grep -n importAccountData | head -n 1 | cut -d: -f1)
last_export=$(echo "$actions" | grep -n exportHouseData | tail -n 1 | cut -d: -f1)
[ -n "$first_import" ] || { echo "$actions"; xl_fail "importAccountData never sent"; }
[ -n "$last_export" ] || { echo "$actions"; xl_fail "exportHouseData never sent"; }
[ "$last_export" -lt "$first_import" ] || { echo "$actions"; xl_fail "exportHouseData not before importAccountData"; }
[ "$(echo "$actions" | grep -c exportHouseData)" = 3 ] || { echo "$actions"; xl_fail "expected one export per house"; }
org_export=$(echo "$actions" | grep -n exportOrgRegistry | tail -n 1 | cut -d: -f1)
[ -n "$org_export" ] && [ "$org_export" -lt "$first_import" ] || { echo "$actions"; xl_fail "exportOrgRegistry not before importAccountData"; }

# the premises rows converted (an element each), the unknown keys rejected by name
xl_outcomes state.db >outcomes
for row in 2 3 4 5; do
    grep -q "^accounts.csv|$row|\(accepted\|error\)|" outcomes || { cat outcomes; xl_fail "row $row not imported"; }
done
grep -q "^accounts.csv|6|rejected|.*помещение 999 не найдено в доме" outcomes \
    || { cat outcomes; xl_fail "unknown premises not rejected by name"; }
grep -q "^accounts.csv|7|rejected|.*комната 7 помещения 4 не найдена" outcomes \
    || { cat outcomes; xl_fail "unknown room not rejected by name"; }
grep -q "^accounts.csv|8|rejected|.*организация с ОГРН [0-9]* не найдена" outcomes \
    || { cat outcomes; xl_fail "unknown OGRN not rejected by name"; }
xl_check_accounted state.db
# the conversion rolled back for the chain left no envelope behind
[ "$(ls archive/packets | wc -l)" = "$(sqlite3 state.db 'SELECT count(*) FROM packets')" ] \
    || xl_fail "archive/packets holds envelopes no packet points at"
grep -q "registry: [1-9][0-9]* entries stored" run.out || { cat run.out; xl_fail "registry count not printed"; }

# the houses are known now: another file of them converts without an export
sed 's/^00010010;/00010099;/' "$HCS_TOP/samples/local-keys/accounts.csv" >inbox/accounts/more.csv
n_before=$(grep -c '"action":"exportHouseData"' "$T/sim.log")
set +e
timeout 120 "$HCSBATCH" -q -c hcsbatch.ini run --wait >run2.out 2>run2.err
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 65 ] || { tail -20 run2.err; xl_fail "second run exit $rc"; }
[ "$(grep -c '"action":"exportHouseData"' "$T/sim.log")" = "$n_before" ] || xl_fail "known houses exported again"

# readings by serial number: the houses' devices are exported first
cp "$HCS_TOP/samples/local-keys/readings.csv" inbox/readings/
set +e
timeout 120 "$HCSBATCH" -q -c hcsbatch.ini run --wait >run3.out 2>run3.err
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 65 ] || { tail -20 run3.err; xl_fail "readings run exit $rc"; }
actions=$(sed -n 's/.*"action":"\([A-Za-z]*\)".*/\1/p' "$T/sim.log" | grep -v getState)
first_values=$(echo "$actions" | grep -n importMeteringDeviceValues | head -n 1 | cut -d: -f1)
last_meters=$(echo "$actions" | grep -n exportMeteringDeviceData | tail -n 1 | cut -d: -f1)
[ -n "$first_values" ] && [ -n "$last_meters" ] && [ "$last_meters" -lt "$first_values" ] \
    || { echo "$actions"; xl_fail "exportMeteringDeviceData not before importMeteringDeviceValues"; }
xl_outcomes state.db | grep "^readings.csv|" >readings.outcomes
grep -q "^readings.csv|2|accepted|" readings.outcomes || { cat readings.outcomes; xl_fail "reading of хв-31000 not imported"; }
xl_check_accounted state.db
xl_stop_sims

# GIS in maintenance: the chain's exports are deferred and the run does not
# wait for them; the file converts with what the registry knows
xl_sim "$T/sim2" "$T/sim2.log" --processing-ms 50 --faults maintenance=1
xl_work "$T/m" "$SIM_URL" "$T/keys"
cd "$T/m"
sed -i 's/^maintenance_delay = 1$/maintenance_delay = 3600/' hcsbatch.ini
rm -f inbox/*/*
cp "$HCS_TOP/samples/local-keys/accounts.csv" inbox/accounts/
set +e
timeout 60 "$HCSBATCH" -q -c hcsbatch.ini run >run.out 2>run.err
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 65 ] || { tail -5 run.err; xl_fail "run under maintenance: exit $rc (124: it waited)"; }
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation = 'exportHouseData' AND state = 'deferred'")" = 3 ] \
    || xl_fail "the chain's exports not deferred under maintenance"
[ "$(sqlite3 state.db "SELECT count(*) FROM files WHERE state IN ('converted', 'done')")" = 1 ] || xl_fail "the file was not converted: $(sqlite3 state.db "SELECT state FROM files")"
echo "chain ok"
