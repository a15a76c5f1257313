#!/bin/sh
# The chain in the nightly run: on an empty registry, an accounts file with
# premises numbers (samples/local-keys/accounts.csv, no GUIDs) makes the run
# export the houses it names (exportHouseData) before it converts; the
# simulator's request log shows every exportHouseData before
# importAccountData.  Rows whose keys stay unknown after the export are
# rejected one by one with the key named.  Every file converts (and signs)
# once: a keys-only pass finds what to export.  An OGRN GIS does not know
# is asked once per run, not once per file.  A second file of the same
# houses exports nothing again.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms 50
xl_work "$T/w" "$SIM_URL" "$T/keys"
cd "$T/w"
rm -f inbox/*/*
cp "$HCS_TOP/samples/local-keys/accounts.csv" inbox/accounts/
# another file of the run naming the same unknown OGRN (other account numbers)
sed 's/^0002/0003/' "$HCS_TOP/samples/local-keys/accounts.csv" >inbox/accounts/other.csv
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
[ "$(echo "$actions" | grep -c exportOrgRegistry)" = 1 ] \
    || { echo "$actions"; xl_fail "the unknown OGRN was asked from GIS once per file, not once per run"; }
# converted once: the packets the run prepared are the packets it stored
prepared=$(sed -n 's/^packets: \([0-9]*\) prepared.*/\1/p' run.out)
stored=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation = 'importAccountData'")
[ -n "$prepared" ] && [ "$prepared" = "$stored" ] \
    || { cat run.out; xl_fail "$prepared packets prepared for $stored stored: a file was converted twice"; }

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

# known houses and one row in a house never exported: the chain exports that
# house, and the file converts (and signs) once — not once to find the key
# and again after the export
{ head -n 3 "$HCS_TOP/samples/local-keys/accounts.csv" | sed 's/^0001/0004/'
  printf '00040099;УО;5a0e8b53-1c2d-4e3f-8a4b-5c6d7e8f9a0b;1;;100;30,0;Новиков;Пётр;;\r\n'; } >inbox/accounts/newhouse.csv
n_before=$(grep -c '"action":"exportHouseData"' "$T/sim.log")
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >run4.out 2>run4.err
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 65 ] || { tail -20 run4.err; xl_fail "new-house run exit $rc"; }
[ "$(grep -c '"action":"exportHouseData"' "$T/sim.log")" = $((n_before + 1)) ] || xl_fail "the new house was not exported (once)"
prepared=$(sed -n 's/^packets: \([0-9]*\) prepared.*/\1/p' run4.out)
stored=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation = 'importAccountData'
                           AND run_id = (SELECT max(id) FROM runs)")
[ -n "$prepared" ] && [ "$stored" -ge 1 ] && [ "$prepared" = "$stored" ] \
    || { cat run4.out; xl_fail "$prepared packets prepared for $stored stored: the file was converted twice"; }
xl_outcomes state.db | grep -q "^newhouse.csv|4|rejected|.*помещение 1 не найдено в доме" \
    || { xl_outcomes state.db | grep newhouse; xl_fail "the unknown house's row not rejected by name"; }
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
