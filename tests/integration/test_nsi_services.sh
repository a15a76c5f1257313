#!/bin/sh
# The organisation's own dictionaries against hcs-sim over real HTTP:
# НСИ 1 (importAdditionalServices) and НСИ 51 (importMunicipalServices),
# read from their inbox folders.  Run 1 takes samples/additional-services.csv
# and samples/municipal-services.csv: new elements, an update and a deletion
# named by name through the registry's copy (hcsbatch sync nsi), a deletion
# by GIS id, and the bad rows samples/README.md lists.  Every import is
# followed by an export of its dictionary that replaces the registry's copy:
# new elements appear with the code GIS gave them, deleted ones move to
# nsi_deleted.  Run 2 recovers a deleted element by its name (nsi_deleted)
# and deletes one added in run 1; GIS refuses the recovery of an element
# that is not deleted (INT002000).
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms 50
xl_work "$T/w" "$SIM_URL" "$T/keys"
cd "$T/w"
rm -f inbox/*/*
hb() { timeout 120 "$HCSBATCH" -c hcsbatch.ini "$@"; }
SIMDB="$T/sim/sim-state.sqlite"
sim_q() { sqlite3 "$SIMDB" "$1"; }
# GIS ids of the world's НСИ 1 / 51 by name
wguid() { awk -F';' -v n="$2" '$3 == n { print $2 }' "$HCS_TOP/samples/world/nsi/$1.csv"; }
ANTENNA=$(wguid 1 Антенна)
GUARD=$(wguid 1 Охрана)
VIDEO=$(wguid 1 Видеонаблюдение)
GAS=$(wguid 51 Газоснабжение)
[ -n "$ANTENNA" ] && [ -n "$GUARD" ] && [ -n "$VIDEO" ] && [ -n "$GAS" ] || xl_fail "world НСИ 1/51 lacks a sample element"

hb ops | grep -q "^importAdditionalServices .*inbox/additional-services *importAdditionalServices" \
    || { hb ops; xl_fail "ops does not show the НСИ 1 inbox and template"; }
hb ops | grep -q "^importMunicipalServices .*1000 .*inbox/municipal-services *importMunicipalServices" \
    || { hb ops; xl_fail "ops does not show the НСИ 51 limit, inbox and template"; }

hb sync nsi --wait >/dev/null 2>"$T/nsi.err" || { cat "$T/nsi.err"; xl_fail "sync nsi"; }
hb registry --kind nsi "1|Антенна" | grep -q "$ANTENNA" || xl_fail "НСИ 1 not in the registry after sync"

# ---- run 1: the samples -------------------------------------------------
mkdir -p inbox/additional-services inbox/municipal-services
cp "$HCS_TOP/samples/additional-services.csv" inbox/additional-services/
cp "$HCS_TOP/samples/municipal-services.csv" inbox/municipal-services/
set +e
hb run --wait >run1.out 2>run1.err
rc=$?
set -e
[ $rc = 65 ] || { cat run1.out run1.err; xl_fail "run 1 exit $rc, expected 65 (bad rows)"; }
xl_check_accounted state.db
xl_check_log "$T/sim.log" state.db
xl_integrity state.db

# the bad rows, by file and row
rej=$(sqlite3 state.db "SELECT f.name || ':' || r.row FROM rejects r JOIN files f ON f.id = r.file_id
                        ORDER BY f.name, r.row" | tr '\n' ' ')
[ "$rej" = "additional-services.csv:7 additional-services.csv:8 additional-services.csv:9 municipal-services.csv:5 municipal-services.csv:6 " ] \
    || xl_fail "rejected rows: $rej"

# what GIS holds now
[ "$(sim_q "SELECT actual FROM nsi WHERE registry='1' AND guid='$ANTENNA'")" = 0 ] || xl_fail "Антенна (by name) not deleted in GIS"
[ "$(sim_q "SELECT actual FROM nsi WHERE registry='1' AND guid='$GUARD'")" = 0 ] || xl_fail "Охрана (by GIS id) not deleted in GIS"
[ "$(sim_q "SELECT actual FROM nsi WHERE registry='51' AND guid='$GAS'")" = 0 ] || xl_fail "Газоснабжение not deleted in GIS"
[ "$(sim_q "SELECT count(*) FROM nsi WHERE registry='1' AND guid='$VIDEO' AND actual=1")" = 1 ] || xl_fail "Видеонаблюдение lost"
[ "$(sim_q "SELECT count(*) FROM nsi WHERE registry='1' AND name='Видеонаблюдение'")" = 1 ] \
    || xl_fail "Видеонаблюдение added twice: the update did not name the element"
LOCK=$(sim_q "SELECT guid FROM nsi WHERE registry='1' AND name='Запирающее устройство' AND actual=1")
LOCK_CODE=$(sim_q "SELECT code FROM nsi WHERE guid='$LOCK'")
HEAT=$(sim_q "SELECT guid FROM nsi WHERE registry='51' AND name='Подогрев воды' AND actual=1")
[ -n "$LOCK" ] && [ -n "$HEAT" ] || xl_fail "new elements not in GIS"
# the update carried the element's GIS id (the registry's answer for its name)
grep -l "ImportAdditionalServiceType" archive/packets/importAdditionalServices-*.xml | xargs grep -q "<nsi:ElementGuid>$VIDEO<" \
    || xl_fail "the update of Видеонаблюдение did not carry its ElementGuid"

# each import was followed by an export of its dictionary, done after it
for pair in importAdditionalServices:1 importMunicipalServices:51; do
    op=${pair%%:*} reg=${pair#*:}
    last_import=$(sqlite3 state.db "SELECT max(id) FROM packets WHERE operation = '$op'")
    n=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation = 'exportDataProviderNsiPagingItem'
                          AND split_value = '$reg' AND id > $last_import AND state = 'done'")
    [ "$n" -ge 1 ] || xl_fail "no refresh of НСИ $reg after $op"
done

# the registry's copy is what GIS holds
hb registry --kind nsi "1|Запирающее устройство" | grep -q "$LOCK" || xl_fail "new НСИ 1 element not in the registry"
hb registry --kind nsi "1|$LOCK_CODE" | grep -q "$LOCK" || xl_fail "new НСИ 1 element not under its code $LOCK_CODE"
hb registry --kind nsi "51|Подогрев воды" | grep -q "$HEAT" || xl_fail "new НСИ 51 element not in the registry"
if hb registry --kind nsi "1|Антенна" >/dev/null 2>&1; then xl_fail "deleted Антенна still an actual НСИ 1 element"; fi
if hb registry --kind nsi "51|Газоснабжение" >/dev/null 2>&1; then xl_fail "deleted Газоснабжение still in НСИ 51"; fi
hb registry --kind nsi_deleted "1|Антенна" | grep -q "$ANTENNA" || xl_fail "deleted Антенна not kept as nsi_deleted"
hb registry --kind nsi "1|Домофон" >/dev/null || xl_fail "Домофон (untouched) lost by the refresh"

# ---- run 2: recover by name, delete an element of run 1, a refused recovery
DOOR=$(wguid 1 Домофон)
printf '%s\n' 'Действие;Наименование услуги;Идентификатор элемента ГИС' \
    'восстановить;Антенна;' \
    'удалить;Запирающее устройство;' \
    "восстановить;;$DOOR" >inbox/additional-services/run2.csv
set +e
hb run --wait >run2.out 2>run2.err
rc=$?
set -e
[ $rc = 65 ] || { cat run2.out run2.err; xl_fail "run 2 exit $rc, expected 65 (GIS refused an element)"; }
xl_check_accounted state.db
[ "$(sim_q "SELECT actual FROM nsi WHERE guid='$ANTENNA'")" = 1 ] || xl_fail "Антенна not recovered by name"
[ "$(sim_q "SELECT actual FROM nsi WHERE guid='$LOCK'")" = 0 ] || xl_fail "Запирающее устройство not deleted by name"
code=$(sqlite3 state.db "SELECT e.error_code FROM elements e JOIN element_rows r ON r.element_id = e.id
                         JOIN files f ON f.id = r.file_id WHERE f.name = 'run2.csv' AND r.row = 4")
[ "$code" = INT002000 ] || xl_fail "recovering an actual element: '$code', expected INT002000"
hb registry --kind nsi "1|Антенна" | grep -q "$ANTENNA" || xl_fail "recovered Антенна not back in the registry"
if hb registry --kind nsi_deleted "1|Антенна" >/dev/null 2>&1; then xl_fail "recovered Антенна still nsi_deleted"; fi
hb registry --kind nsi_deleted "1|Запирающее устройство" | grep -q "$LOCK" || xl_fail "deleted element of run 1 not nsi_deleted"
echo "ok: НСИ 1 and 51 imported, deleted, recovered; the registry follows GIS"
