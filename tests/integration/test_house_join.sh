#!/bin/sh
# importHouseUOData in its two-file form against hcs-sim over real HTTP:
# samples/house-list.csv (one row per house) and samples/premises.csv (one
# row per premises or room, houses interleaved, a room before its flat)
# dropped together into inbox/houses.  Every house goes as one request with
# its premises, entrances and rooms as parts; house 2, in GIS but not in
# the houses file, is exported by the run and its premises join it; the
# rows of house 9 (in neither file nor GIS) are refused one by one, naming
# the premises file, the row and the house.  The registry then holds the
# premises GUIDs, so an accounts file names premises by number.  Then the
# premises file alone (a new flat of house 6) joins the registry's house;
# last, a pair refused for a stale premises GUID is retried after the
# registry's refresh from both files again.
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
db() { sqlite3 state.db "$1"; }
P="$HCS_TOP/samples/premises.csv"
pcol() { awk -F';' -v r="$1" -v c="$2" 'NR == r { print $c }' "$P"; }
H6=$(pcol 2 1)
H1=$(pcol 3 1)
H9=$(pcol 5 1)
H2=$(pcol 7 1)
[ -n "$H6" ] && [ -n "$H1" ] && [ -n "$H9" ] && [ -n "$H2" ] || xl_fail "samples/premises.csv has not the rows this test reads"
grep -q "^$H6;" "$HCS_TOP/samples/house-list.csv" || xl_fail "house 6 is not in samples/house-list.csv"
if grep -q "^$H2;" "$HCS_TOP/samples/house-list.csv"; then xl_fail "house 2 is in samples/house-list.csv"; fi
grep -q "^$H2;" "$HCS_TOP/samples/world/houses.csv" || xl_fail "house 2 is not in the world"
for h in $H6 $H9; do
    if grep -q "^$h;" "$HCS_TOP/samples/world/houses.csv"; then xl_fail "house $h is in the world"; fi
done

# ---- hcsbatch convert pairs them too (no registry: houses 1, 2 unknown) -
set +e
hb convert --op importHouseUOData --out conv "$P" "$HCS_TOP/samples/house-list.csv" >conv.out 2>conv.err
rc=$?
set -e
[ $rc = 65 ] || { cat conv.err; xl_fail "convert exit $rc, expected 65"; }
grep -q "house-list.csv + .*premises.csv: 12 rows" conv.err || { cat conv.err; xl_fail "convert did not join the pair"; }
# house 1 (a create without its values: no registry here) fails the schema with
# its flat 50, each row under its own file; houses 2 and 9 are in neither file
got=$(tail -n +2 conv/errors.csv | cut -d';' -f1,2 | sort -u | tr -d '\r' | tr '\n' ' ')
[ "$got" = "house-list.csv;3 premises.csv;10 premises.csv;3 premises.csv;5 premises.csv;7 " ] \
    || { cat conv/errors.csv; xl_fail "convert's errors.csv rows: $got"; }
grep -q "$H6" conv/importHouseUOData-0001.xml || xl_fail "convert did not write house 6"
[ "$(grep -o '<hm:PremisesNum>' conv/importHouseUOData-0001.xml | wc -l)" = 4 ] \
    || xl_fail "convert: house 6 not with its 4 premises"

# ---- run 1: both files together --------------------------------------
mkdir -p inbox/houses
cp "$HCS_TOP/samples/house-list.csv" "$P" inbox/houses/
set +e
hb run --wait >run1.out 2>run1.err
rc=$?
set -e
[ $rc = 65 ] || { cat run1.out run1.err; xl_fail "run 1 exit $rc, expected 65 (house 9 refused)"; }
xl_check_accounted state.db
xl_integrity state.db
grep -q "taking .*house-list.csv with .*premises.csv" run1.err run1.out \
    || { cat run1.err; xl_fail "the two files were not taken together"; }

# the refused rows: the premises file's rows 5 and 10, naming house 9
got=$(db "SELECT f.name || ':' || j.row FROM rejects j JOIN files f ON f.id = j.file_id ORDER BY j.row" | tr '\n' ' ')
[ "$got" = "premises.csv:5 premises.csv:10 " ] || xl_fail "refused rows: '$got' (expected premises.csv rows 5 and 10)"
[ "$(db "SELECT count(*) FROM rejects WHERE reason LIKE '%$H9%' AND reason LIKE '%ни в файле домов, ни в реестре%'")" = 2 ] \
    || xl_fail "the refusal does not name house 9: $(db 'SELECT reason FROM rejects')"
[ "$(db "SELECT count(*) FROM rejects WHERE col = 'ФИАС дома' AND value = '$H9'")" = 2 ] \
    || xl_fail "the refusal's column and value: $(db 'SELECT col, value FROM rejects')"
# one request per house: 6, 1 and 2
[ "$(db "SELECT count(*) FROM packets WHERE operation = 'importHouseUOData'")" = 3 ] \
    || xl_fail "$(db "SELECT count(*) FROM packets WHERE operation = 'importHouseUOData'") packets, expected 3"
[ "$(db "SELECT count(*) FROM elements e JOIN packets p ON p.id = e.packet_id
      WHERE p.operation = 'importHouseUOData' AND e.state = 'accepted'")" = 3 ] \
    || xl_fail "houses not accepted: $(db "SELECT local_key, state, error_text FROM elements")"
# rows are the files' own: the houses file's row 2 and the premises rows of house 6
[ "$(db "SELECT group_concat(f.name || ':' || r.row, ' ') FROM (SELECT * FROM element_rows ORDER BY file_id, row) r
      JOIN files f ON f.id = r.file_id JOIN elements e ON e.id = r.element_id WHERE e.local_key = '$H6'")" \
    = "house-list.csv:2 premises.csv:2 premises.csv:4 premises.csv:6 premises.csv:8 premises.csv:9 premises.csv:11" ] \
    || xl_fail "rows of house 6: $(db "SELECT file_id, row FROM element_rows r JOIN elements e ON e.id = r.element_id WHERE e.local_key = '$H6'")"
[ "$(db "SELECT group_concat(name || ':' || rows || ':' || rows_rejected, ' ') FROM (SELECT * FROM files ORDER BY name)")" \
    = "house-list.csv:2:0 premises.csv:10:2" ] || xl_fail "file rows: $(db 'SELECT name, rows, rows_rejected FROM files')"

# GIS's housing stock now
[ "$(sim_q "SELECT group_concat(premises_number || ':' || residential, ' ') FROM (SELECT * FROM premises
      WHERE fias_house_guid='$H6' ORDER BY premises_number)")" = "1:true 2:true 3:true Н1:false" ] \
    || xl_fail "premises of house 6 in GIS: $(sim_q "SELECT group_concat(premises_number) FROM premises WHERE fias_house_guid='$H6'")"
P3=$(sim_q "SELECT premises_guid FROM premises WHERE fias_house_guid='$H6' AND premises_number='3'")
[ "$(sim_q "SELECT group_concat(room_number, ' ') FROM (SELECT room_number FROM rooms WHERE premises_guid='$P3' ORDER BY 1)")" = "1 2" ] \
    || xl_fail "rooms of the communal flat 3 of house 6 in GIS"
# flat 3's own row comes after its first room's row in the file: it is still read from its own row
[ "$(sim_q "SELECT total_area FROM premises WHERE premises_guid='$P3'")" = 65.0 ] \
    || xl_fail "flat 3 of house 6 not read from its own row: area '$(sim_q "SELECT total_area FROM premises WHERE premises_guid='$P3'")'"
grep -l "$H6" archive/packets/importHouseUOData-*.xml | xargs grep -q "<hm:PremisesNum>3</hm:PremisesNum><hm:EntranceNum>2</hm:EntranceNum>" \
    || xl_fail "flat 3 of house 6 not sent in entrance 2"
[ "$(sim_q "SELECT group_concat(entrance_number, ' ') FROM (SELECT entrance_number FROM entrances
      WHERE fias_house_guid='$H6' ORDER BY 1)")" = "1 2" ] || xl_fail "entrances of house 6 in GIS"
[ "$(sim_q "SELECT count(*) FROM houses WHERE fias_house_guid='$H6'")" = 1 ] || xl_fail "house 6 not created in GIS"
grep -l "$H6" archive/packets/importHouseUOData-*.xml | xargs grep -q "<hm:TotalSquare>2140.6</hm:TotalSquare>" \
    || xl_fail "house 6 was not sent with the houses file's values"
[ "$(sim_q "SELECT count(*) FROM premises WHERE fias_house_guid='$H1' AND premises_number='50'")" = 1 ] \
    || xl_fail "flat 50 not added to house 1"
[ "$(sim_q "SELECT count(*) FROM premises WHERE fias_house_guid='$H2' AND premises_number='51'")" = 1 ] \
    || xl_fail "flat 51 not added to house 2 (in GIS, not in the houses file)"
[ "$(sim_q "SELECT count(*) FROM houses WHERE fias_house_guid='$H9'")" = 0 ] || xl_fail "house 9 reached GIS"

# the registry holds what GIS answered for every part
for num in 1 2 3 Н1; do
    want=$(sim_q "SELECT premises_guid FROM premises WHERE fias_house_guid='$H6' AND premises_number='$num'")
    hb registry --kind premises "$H6|$num" | grep -q "$want" || xl_fail "premises $num of house 6 not in the registry as $want"
done
want=$(sim_q "SELECT living_room_guid FROM rooms WHERE premises_guid='$P3' AND room_number='2'")
hb registry --kind room "$H6|3|2" | grep -q "$want" || xl_fail "room 2 of flat 3 not in the registry"

# ---- run 2: accounts naming house 6's premises by number -------------
mkdir -p inbox/accounts
printf '%s\n' 'Номер ЛС;ФИАС дома;Номер помещения;Номер комнаты;Доля, %;Фамилия;Имя;Отчество' \
    "00060001;$H6;1;;100;Орлов;Павел;Ильич" \
    "00060003;$H6;3;2;100;Жукова;Вера;Андреевна" \
    "00060005;$H6;Н1;;100;Белов;Олег;Петрович" >inbox/accounts/house6.csv
hb run --wait >run2.out 2>run2.err || { cat run2.out run2.err; xl_fail "run 2 (accounts by premises number)"; }
for pair in 00060001:1 00060005:Н1; do
    acc=${pair%%:*} num=${pair#*:}
    got=$(sim_q "SELECT p.premises_number FROM accounts a JOIN premises p ON p.premises_guid = a.premises_guid
                 WHERE a.account_number = '$acc' AND p.fias_house_guid = '$H6'")
    [ "$got" = "$num" ] || xl_fail "account $acc not in premises $num of house 6 (got '$got')"
done
got=$(sim_q "SELECT r.room_number FROM accounts a JOIN rooms r ON r.living_room_guid = a.living_room_guid
             WHERE a.account_number = '00060003' AND r.premises_guid = '$P3'")
[ "$got" = 2 ] || xl_fail "account 00060003 not in room 2 of flat 3 (got '$got')"

# ---- run 3: a premises file alone joins the registry's house 6 ---------
printf '%s\n' 'ФИАС дома;Номер помещения;Подъезд;Общая площадь помещения' "$H6;4;2;51,5" >inbox/houses/more.csv
hb run --wait >run3.out 2>run3.err || { cat run3.out run3.err; xl_fail "run 3 (a premises file alone)"; }
last=$(ls -t archive/packets/importHouseUOData-*.xml | head -n 1)
grep -q "ApartmentHouseToUpdate" "$last" || xl_fail "premises file alone: house 6 not sent as an update"
[ "$(sim_q "SELECT count(*) FROM premises WHERE fias_house_guid='$H6' AND premises_number='4'")" = 1 ] \
    || xl_fail "flat 4 of house 6 not created"
# ---- run 4: a stale premises GUID: the refresh retries the house from both files
# (the premises file's name sorts first: the pair is still the houses file's)
sqlite3 state.db "UPDATE registry SET guid = '0badc0de-0000-4000-8000-000000000001'
                  WHERE kind = 'premises' AND local_key LIKE '%|1' AND local_key LIKE '$H6|%'"
printf '%s\n' 'ФИАС дома;Общая площадь дома;Количество этажей' "$H6;2140,6;9" >inbox/houses/r4-houses.csv
printf '%s\n' 'ФИАС дома;Номер помещения;Подъезд;Общая площадь помещения' "$H6;1;1;37,0" >inbox/houses/p4-flats.csv
hb run --wait >run4.out 2>run4.err || { cat run4.out run4.err; xl_fail "run 4 (stale premises GUID)"; }
grep -q "refresh: r4-houses.csv: 1 element(s) retried" run4.err \
    || { cat run4.err; xl_fail "run 4: the refused house was not retried after the refresh"; }
[ "$(sim_q "SELECT total_area FROM premises WHERE fias_house_guid='$H6' AND premises_number='1'")" = 37.0 ] \
    || xl_fail "run 4: the retry did not carry flat 1 from the premises file"
[ "$(db "SELECT e.state FROM elements e JOIN packets p ON p.id = e.packet_id JOIN files f ON f.id = e.file_id
      WHERE f.name = 'r4-houses.csv' ORDER BY e.id DESC LIMIT 1")" = accepted ] || xl_fail "run 4: the retry not accepted"
[ "$(db "SELECT group_concat(f.name || ':' || r.row, ' ') FROM (SELECT * FROM element_rows
      WHERE element_id = (SELECT max(id) FROM elements WHERE local_key = '$H6') ORDER BY file_id, row) r
      JOIN files f ON f.id = r.file_id")" = "r4-houses.csv:2 p4-flats.csv:2" ] \
    || xl_fail "run 4: the retry's rows: $(db "SELECT file_id, row FROM element_rows WHERE element_id = (SELECT max(id) FROM elements)")"
echo "ok: a houses file and a premises file joined house by house; unknown houses refused by row"
