#!/bin/sh
# Files of one night that depend on each other through GIS, dropped
# together: a new house (samples/house-list.csv with samples/premises.csv),
# accounts naming its premises by number, a device registered in one of
# them under one of those accounts, and its first reading.  Each must wait
# in its inbox until GIS has answered the import it names (the GUIDs are
# then in the registry), not convert at once and be refused for objects
# nobody knows yet: a run that ends before GIS answers leaves them there
# (and `status` says what they wait for), the next one takes them in order.
# Then a new house with a collective device and no accounts: the device
# waits for the house itself.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms default=50,importHouseUOData=3000
xl_work "$T/w" "$SIM_URL" "$T/keys"
cd "$T/w"
rm -f inbox/*/*
db() { sqlite3 state.db "$1"; }
sim_q() { sqlite3 "$T/sim/sim-state.sqlite" "$1"; }
H6=$(awk -F';' 'NR == 2 { print $1 }' "$HCS_TOP/samples/premises.csv")
grep -q "^$H6;" "$HCS_TOP/samples/house-list.csv" || xl_fail "samples/premises.csv row 2 is not a house of samples/house-list.csv"
mkdir -p inbox/houses inbox/accounts inbox/meters inbox/readings
cp "$HCS_TOP/samples/house-list.csv" "$HCS_TOP/samples/premises.csv" inbox/houses/
printf '%s\n' 'Номер ЛС;ФИАС дома;Номер помещения;Номер комнаты;Доля, %;Фамилия;Имя;Отчество' \
    "00060001;$H6;1;;100;Орлов;Павел;Ильич" \
    "00060005;$H6;Н1;;100;Белов;Олег;Петрович" >inbox/accounts/h6-accounts.csv
printf '%s\n' 'ФИАС дома;Заводской номер ПУ;Марка ПУ;Тип ПУ;Ресурс;Номер помещения;Номер ЛС;Дата ввода в эксплуатацию;Начальное показание' \
    "$H6;ХВ-60001;Пульсар;индивидуальный;Холодная вода;1;00060001;01.11.2026;0" >inbox/meters/h6-meters.csv
printf '%s\n' 'ФИАС дома;Заводской номер ПУ;Ресурс;Показание;Дата снятия' \
    "$H6;ХВ-60001;Холодная вода;12,5;25.11.2026" >inbox/readings/h6-readings.csv
# The first run sends the houses and ends before GIS has answered them.
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run >run1.out 2>run1.err
rc=$?
set -e
# 65: the samples' premises file holds rows of a house in neither file nor GIS
[ $rc = 65 ] || { cat run1.out run1.err; xl_fail "first run exit $rc, expected 65"; }
[ "$(db "SELECT count(*) FROM packets WHERE operation = 'importHouseUOData' AND state IN ('sent', 'processing')")" -gt 0 ] \
    || { cat run1.err; xl_fail "no house packet waits for GIS after the first run"; }
[ -f inbox/accounts/h6-accounts.csv ] || xl_fail "the accounts file left its inbox while the houses wait"
"$HCSBATCH" -c hcsbatch.ini status >status.out 2>&1
grep -q "1 file(s) in .*accounts wait for [0-9]* importHouseUOData packet(s)" status.out \
    || { cat status.out; xl_fail "status does not say the accounts wait for the houses"; }
# the readings wait for devices whose file waits itself: not "ready"
grep -q "1 file(s) in .*readings wait for the importMeteringDeviceData files that wait themselves" status.out \
    || { cat status.out; xl_fail "status does not say the readings wait behind the devices"; }
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >run.out 2>run.err
rc=$?
set -e
cat run1.err >>run.err
[ $rc = 0 ] || { cat run.out run.err; xl_fail "second run exit $rc, expected 0"; }
grep -q "h6-accounts.csv waits for importHouseUOData" run.err \
    || { cat run.err; xl_fail "the accounts file did not wait for the house import"; }
[ "$(db "SELECT count(*) FROM rejects j JOIN files f ON f.id = j.file_id WHERE f.name LIKE 'h6-%'")" = 0 ] \
    || xl_fail "rows refused: $(db "SELECT f.name, j.row, j.reason FROM rejects j JOIN files f ON f.id = j.file_id WHERE f.name LIKE 'h6-%'")"
[ "$(db "SELECT count(*) FROM files WHERE name LIKE 'h6-%' AND state <> 'rejected'")" = 3 ] \
    || xl_fail "files taken: $(db "SELECT name, state FROM files WHERE name LIKE 'h6-%'")"
for pair in 00060001:1 00060005:Н1; do
    acc=${pair%%:*} num=${pair#*:}
    got=$(sim_q "SELECT p.premises_number FROM accounts a JOIN premises p ON p.premises_guid = a.premises_guid
                 WHERE a.account_number = '$acc' AND p.fias_house_guid = '$H6'")
    [ "$got" = "$num" ] || xl_fail "account $acc not in premises $num of the new house (got '$got')"
done
# the device: in flat 1 under account 00060001, its reading in GIS
got=$(sim_q "SELECT p.premises_number || ':' || a.account_number FROM meters m
             JOIN premises p ON p.premises_guid = m.premises_guid JOIN accounts a ON a.account_guid = m.account_guid
             WHERE m.serial_number = 'ХВ-60001' AND m.fias_house_guid = '$H6'")
[ "$got" = "1:00060001" ] || xl_fail "device ХВ-60001 not in flat 1 under account 00060001 (got '$got')"
got=$(sim_q "SELECT r.value || ' ' || r.date_value FROM readings r JOIN meters m ON m.root_guid = r.meter_root_guid
             WHERE m.serial_number = 'ХВ-60001'")
case $got in 12.5*' 2026-11-25') ;; *) xl_fail "the reading of ХВ-60001 in GIS: '$got'" ;; esac
grep -q "h6-meters.csv waits for importHouseUOData" run.err || xl_fail "the devices did not wait for the house import"
grep -q "h6-readings.csv waits for importMeteringDeviceData" run.err \
    || xl_fail "the readings did not wait for the device registration"
# the registry shows the serial as written, finds it however it is spelt
"$HCSBATCH" -c hcsbatch.ini registry --kind meter "хв-60001" >reg.out
grep -q "^meter  *ХВ-60001	" reg.out || { cat reg.out; xl_fail "the registry does not show the serial as written"; }
xl_check_accounted state.db
echo "ok: accounts, devices and readings waited for what they name and went into the new house"

# ---- a new house and a collective device on it, no accounts that night:
# the device waits for the house import itself (GIS refuses a device of a
# house it does not hold yet: INT002034)
HN=$(python3 -c 'import uuid; print(uuid.uuid4())')
printf '%s\n' 'ФИАС дома;Общая площадь дома;Состояние дома;Год ввода в эксплуатацию;Количество этажей;ОКТМО;Часовая зона;Номер помещения;Подъезд;Этажей в подъезде;Общая площадь помещения;Жилая площадь помещения;Характеристика помещения;Номер комнаты;Площадь комнаты' \
    "$HN;900;Исправный;1970;5;78701000;Europe/Moscow;1;1;5;40;28;Отдельная квартира;;" >inbox/houses/hn-house.csv
printf '%s\n' 'ФИАС дома;Заводской номер ПУ;Марка ПУ;Модель ПУ;Тип ПУ;Ресурс;Дата ввода в эксплуатацию;Дата последней поверки;Межповерочный интервал;Начальное показание' \
    "$HN;ТЭ-70001;Логика;СПТ-961;общедомовой;Тепловая энергия;01.09.2026;15.08.2026;4 года;0" >inbox/meters/hn-meters.csv
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run >hn1.out 2>hn1.err
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >hn2.out 2>hn2.err
rc=$?
set -e
[ $rc = 0 ] || { cat hn1.err hn2.err; xl_fail "new house + device: exit $rc, expected 0"; }
grep -q "hn-meters.csv waits for importHouseUOData" hn1.err \
    || { cat hn1.err; xl_fail "the device did not wait for its house's import"; }
[ "$(sim_q "SELECT count(*) FROM meters WHERE serial_number = 'ТЭ-70001' AND fias_house_guid = '$HN'")" = 1 ] \
    || xl_fail "the collective device is not in GIS: $(db "SELECT state, error_code, error_text FROM elements WHERE local_key LIKE '%70001%'")"
[ "$(db "SELECT count(*) FROM elements WHERE local_key LIKE '%70001%'")" = 1 ] \
    || xl_fail "the device was sent more than once: $(db "SELECT state, error_code FROM elements WHERE local_key LIKE '%70001%'")"
echo "ok: a device of a new house waited for the house import, without accounts"
