#!/bin/sh
# importHouseUOData against hcs-sim over real HTTP.  Run 1 takes
# samples/houses.csv from inbox/houses: house 4 is new (created with its
# entrances, premises and the rooms of a communal flat), house 3 is in GIS
# (the run's chain exports it first, so the house and its known flats are
# updates and flats 5, 6 are added), house 5 goes whole for one bad row, a
# row without ФИАС дома goes alone.  One house per request.  Every part GIS
# accepted is in the registry under the GUID GIS gave it, so run 2 imports
# accounts that name premises and rooms of house 4 by number only.  Run 3
# sends house 4 again: everything is an update now and GIS accepts it.
# Then a premises the registry forgot is created again: GIS refuses it
# (INT002006) and the house element is refused naming that premises.
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
col() { awk -F';' -v r="$1" -v c="$2" 'NR == r { print $c }' "$HCS_TOP/samples/houses.csv"; }
H4=$(col 2 1)
H3=$(col 9 1)
H5=$(col 12 1)
[ -n "$H4" ] && [ -n "$H3" ] && [ -n "$H5" ] || xl_fail "samples/houses.csv has not the rows this test reads"
grep -q "^$H3;" "$HCS_TOP/samples/world/houses.csv" || xl_fail "house 3 of the sample is not in the world"
if grep -q "^$H4;" "$HCS_TOP/samples/world/houses.csv"; then xl_fail "house 4 of the sample is in the world"; fi

hb ops | grep -q "^importHouseUOData .* 1 .*inbox/houses *importHouseUOData" \
    || { hb ops; xl_fail "ops does not show importHouseUOData's limit, inbox and template"; }

# ---- run 1: the sample ---------------------------------------------------
mkdir -p inbox/houses
cp "$HCS_TOP/samples/houses.csv" inbox/houses/
set +e
hb run --wait >run1.out 2>run1.err
rc=$?
set -e
[ $rc = 65 ] || { cat run1.out run1.err; xl_fail "run 1 exit $rc, expected 65 (bad rows)"; }
xl_check_accounted state.db
xl_check_log "$T/sim.log" state.db
xl_integrity state.db

rej=$(sqlite3 state.db "SELECT row FROM rejects ORDER BY row" | tr '\n' ' ')
[ "$rej" = "12 13 14 " ] || xl_fail "rejected rows: $rej (expected house 5: 12 13, no FIAS: 14)"
n=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation = 'importHouseUOData'")
[ "$n" = 2 ] || xl_fail "$n importHouseUOData packets, expected 2 (one per house)"
[ "$(sqlite3 state.db "SELECT count(*) FROM elements e JOIN packets p ON p.id = e.packet_id
      WHERE p.operation = 'importHouseUOData' AND e.state = 'accepted'")" = 2 ] || xl_fail "houses not accepted"
# house 3 was exported first (the chain), so it went as an update
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation = 'exportHouseData' AND state = 'done'")" -ge 1 ] \
    || xl_fail "the chain did not export house 3 first"
grep -l "$H3" archive/packets/importHouseUOData-*.xml | xargs grep -q "ApartmentHouseToUpdate" \
    || xl_fail "house 3 (known to GIS) was not sent as an update"
grep -l "$H3" archive/packets/importHouseUOData-*.xml | xargs grep -q "ResidentialPremisesToUpdate" \
    || xl_fail "flat 2 of house 3 (known) was not sent as an update"

# GIS's housing stock now
[ "$(sim_q "SELECT count(*) FROM houses WHERE fias_house_guid='$H4'")" = 1 ] || xl_fail "house 4 not created in GIS"
[ "$(sim_q "SELECT count(*) FROM houses WHERE fias_house_guid='$H5'")" = 0 ] || xl_fail "house 5 (bad row) reached GIS"
[ "$(sim_q "SELECT group_concat(premises_number || ':' || residential, ' ') FROM (SELECT * FROM premises
      WHERE fias_house_guid='$H4' ORDER BY premises_number)")" = "1:true 2:true 3:true 4:true Н1:false" ] \
    || xl_fail "premises of house 4 in GIS: $(sim_q "SELECT group_concat(premises_number) FROM premises WHERE fias_house_guid='$H4'")"
[ "$(sim_q "SELECT group_concat(entrance_number, ' ') FROM (SELECT entrance_number FROM entrances
      WHERE fias_house_guid='$H4' ORDER BY 1)")" = "1 2" ] || xl_fail "entrances of house 4 in GIS"
P3=$(sim_q "SELECT premises_guid FROM premises WHERE fias_house_guid='$H4' AND premises_number='3'")
[ "$(sim_q "SELECT group_concat(room_number, ' ') FROM (SELECT room_number FROM rooms WHERE premises_guid='$P3' ORDER BY 1)")" = "1 2" ] \
    || xl_fail "rooms of the communal flat 3 in GIS"
[ "$(sim_q "SELECT count(*) FROM premises WHERE fias_house_guid='$H3' AND premises_number IN ('5', '6')")" = 2 ] \
    || xl_fail "flats 5, 6 not added to house 3"
[ "$(sim_q "SELECT total_area FROM premises WHERE fias_house_guid='$H3' AND premises_number='2'")" = 52.7 ] \
    || xl_fail "flat 2 of house 3 not updated"

# the registry holds what GIS answered for every part
for num in 1 2 3 4 Н1; do
    want=$(sim_q "SELECT premises_guid FROM premises WHERE fias_house_guid='$H4' AND premises_number='$num'")
    hb registry --kind premises "$H4|$num" | grep -q "$want" || xl_fail "premises $num of house 4 not in the registry as $want"
done
want=$(sim_q "SELECT living_room_guid FROM rooms WHERE premises_guid='$P3' AND room_number='2'")
hb registry --kind room "$H4|3|2" | grep -q "$want" || xl_fail "room 2 of flat 3 not in the registry"
want=$(sim_q "SELECT entrance_guid FROM entrances WHERE fias_house_guid='$H4' AND entrance_number='2'")
hb registry --kind entrance "$H4|2" | grep -q "$want" || xl_fail "entrance 2 not in the registry"
hb registry --kind house "$H4" >/dev/null || xl_fail "house 4 not in the registry"

# ---- run 2: accounts naming house 4's premises and rooms by number ----
mkdir -p inbox/accounts
printf '%s\n' 'Номер ЛС;ФИАС дома;Номер помещения;Номер комнаты;Доля, %;Фамилия;Имя;Отчество' \
    "00040001;$H4;1;;100;Орлов;Павел;Ильич" \
    "00040003;$H4;3;2;100;Жукова;Вера;Андреевна" \
    "00040005;$H4;Н1;;100;Белов;Олег;Петрович" >inbox/accounts/house4.csv
hb run --wait >run2.out 2>run2.err || { cat run2.out run2.err; xl_fail "run 2 (accounts by premises number)"; }
for pair in 00040001:1 00040005:Н1; do
    acc=${pair%%:*} num=${pair#*:}
    got=$(sim_q "SELECT p.premises_number FROM accounts a JOIN premises p ON p.premises_guid = a.premises_guid
                 WHERE a.account_number = '$acc' AND p.fias_house_guid = '$H4'")
    [ "$got" = "$num" ] || xl_fail "account $acc not in premises $num of house 4 (got '$got')"
done
got=$(sim_q "SELECT r.room_number FROM accounts a JOIN rooms r ON r.living_room_guid = a.living_room_guid
             WHERE a.account_number = '00040003' AND r.premises_guid = '$P3'")
[ "$got" = 2 ] || xl_fail "account 00040003 not in room 2 of flat 3 (got '$got')"

# ---- run 3: house 4 again — all updates now ---------------------------
head -n 8 "$HCS_TOP/samples/houses.csv" >inbox/houses/again.csv
hb run --wait >run3.out 2>run3.err || { cat run3.out run3.err; xl_fail "run 3 (house 4 again)"; }
last=$(ls -t archive/packets/importHouseUOData-*.xml | head -n 1)
grep -q "ApartmentHouseToUpdate" "$last" || xl_fail "house 4 again: not an update"
if grep -q "ToCreate" "$last"; then xl_fail "house 4 again: something created twice"; fi
[ "$(sim_q "SELECT count(*) FROM premises WHERE fias_house_guid='$H4'")" = 5 ] || xl_fail "house 4 again: premises duplicated"

# ---- run 4: a premises the registry forgot: GIS refuses the duplicate -
sqlite3 state.db "DELETE FROM registry WHERE kind = 'premises' AND local_key LIKE '%|4'"
printf '%s\n' 'ФИАС дома;Номер помещения;Подъезд;Общая площадь помещения' "$H4;4;2;45,3" >inbox/houses/forgot.csv
set +e
hb run --wait >run4.out 2>run4.err
rc=$?
set -e
[ $rc = 65 ] || { cat run4.out run4.err; xl_fail "run 4 exit $rc, expected 65 (GIS refused a premises)"; }
got=$(sqlite3 state.db "SELECT e.state || '|' || e.error_code || '|' || e.error_text FROM elements e
      JOIN files f ON f.id = e.file_id WHERE f.name = 'forgot.csv'")
case "$got" in
error\|INT002006\|*"помещение 4: INT002006"*) ;;
*) xl_fail "a refused premises did not refuse its house naming it: $got" ;;
esac
# the run's own count agrees: the house is not "accepted" beside its refusal
grep -q "^elements: 0 accepted, 1 rejected by GIS$" run4.out \
    || { cat run4.out; xl_fail "run 4 counts the refused house as accepted"; }
# ---- run 5: one file that lists a communal flat's rooms before the flat's
# own row: the flat is still read from its own row (area, entrance)
H9=$(python3 -c 'import uuid; print(uuid.uuid4())')
{
    echo 'ФИАС дома;Общая площадь дома;Состояние дома;Год ввода в эксплуатацию;Количество этажей;ОКТМО;Часовая зона;Номер помещения;Подъезд;Этажей в подъезде;Общая площадь помещения;Жилая площадь помещения;Характеристика помещения;Номер комнаты;Площадь комнаты'
    echo "$H9;900;Исправный;1970;5;78701000;Europe/Moscow;1;1;5;40;28;Отдельная квартира;;"
    echo "$H9;;;;;;;3;;;;;;1;18,2"
    echo "$H9;;;;;;;3;;;;;;2;16,4"
    echo "$H9;;;;;;;3;2;5;72,8;55;Квартира коммунального заселения;;"
} >inbox/houses/rooms-first.csv
set +e
hb run --wait >run5.out 2>run5.err
rc=$?
set -e
[ $rc = 0 ] || { cat run5.out run5.err; xl_fail "run 5 exit $rc, expected 0"; }
P93=$(sim_q "SELECT premises_guid FROM premises WHERE fias_house_guid='$H9' AND premises_number='3'")
[ -n "$P93" ] || xl_fail "flat 3 of the rooms-first house not in GIS"
[ "$(sim_q "SELECT total_area FROM premises WHERE premises_guid='$P93'")" = 72.8 ] \
    || xl_fail "flat 3 listed after its rooms not read from its own row: area '$(sim_q "SELECT total_area FROM premises WHERE premises_guid='$P93'")'"
[ "$(sim_q "SELECT group_concat(room_number, ' ') FROM (SELECT room_number FROM rooms WHERE premises_guid='$P93' ORDER BY 1)")" = "1 2" ] \
    || xl_fail "rooms of flat 3 listed first not in GIS"
echo "ok: houses with premises, entrances and rooms imported; the registry names them for accounts"
