#!/bin/sh
# A stale registry in the nightly run (run/refresh.h): GIS answers that
# mean the registry is stale get one re-export of the objects concerned and
# one retry, recorded in the report.
#  1. INT002034: the registry holds a premises GUID GIS replaced (hcs-sim
#     --renew-guid): the request log shows the import, one exportHouseData,
#     one retried import (new MessageGUID and TransportGUID, signed); the
#     row ends accepted with the new GUID, the XLSX report says it was
#     retried after a registry refresh; the other row of the packet is not
#     sent again; the run exits 0.
#  2. INT002006: accounts the client never imported exist in GIS: one
#     exportAccountData; the rows end accepted with the GUIDs GIS has,
#     reconciled, not imported again.  An account number GIS has in another
#     house is not in that export: retried once, refused again (final
#     error, noted), never a third time.  A metering device GIS has is
#     reconciled the same way through exportMeteringDeviceData.
#  3. Nothing is refreshed twice: another run sends nothing.  A row that
#     names the stale GUID itself (no local key an export fills) is not
#     refreshed: GIS's answer is final, noted.
#  4. A run that ended between GIS's answer and the refresh (the answer
#     taken by `hcsbatch poll`): the next run, with no file in the inbox
#     and nothing to send or poll, still refreshes and retries.
#     kill -9 at random moments of case 1 (KILLS, default 4): the same
#     outcomes, no element imported twice, the refresh ran once.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
HOUSE=cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f
P3=188af943-359e-52bc-ac67-c73df143ce1e        # premises 3 of HOUSE in samples/world

actions() { sed -n 's/.*"action":"\([A-Za-z]*\)".*/\1/p' "$1" | grep -v getState | tr '\n' ' '; }

stale_file() {
    printf 'Номер ЛС;Тип ЛС;ФИАС дома;Номер помещения;Доля, %%;Общая площадь;Фамилия;Имя\n' >"$1"
    printf '00030001;УО;%s;3;100;59,9;Петров;Иван\n' $HOUSE >>"$1"
    printf '00030002;УО;%s;4;100;67,2;Сидоров;Пётр\n' $HOUSE >>"$1"
}

# A work dir whose registry knows HOUSE (synced from the simulator in
# state dir $2), then the simulator restarted with premises 3 renewed
# (answering after $3 ms, default 50).
stale_setup() {
    _w=$1; _s=$2
    xl_sim "$_s" "$_s.log" --processing-ms 50
    xl_work "$_w" "$SIM_URL" "$T/keys"
    rm -f "$_w"/inbox/*/*
    (cd "$_w" && "$HCSBATCH" -q -c hcsbatch.ini sync houses --wait --house $HOUSE >sync.out 2>&1) \
        || { cat "$_w/sync.out"; xl_fail "sync houses"; }
    sqlite3 "$_w/state.db" "SELECT guid FROM registry WHERE kind='premises' AND local_key LIKE '%|3'" \
        | grep -qi $P3 || xl_fail "the registry does not hold premises 3"
    xl_stop_sims
    : >"$_s.log"
    xl_sim "$_s" "$_s.log" --processing-ms "${3:-50}" --renew-guid $P3
    NEW_P3=$(sed -n "s/^hcs-sim: $P3 renewed as //p" "$_s.err")
    [ -n "$NEW_P3" ] || xl_fail "hcs-sim did not renew $P3"
    sed -i "s|^base_url = .*|base_url = $SIM_URL|" "$_w/hcsbatch.ini"
    stale_file "$_w/inbox/accounts/stale.csv"
}

# ---- 1. INT002034: one re-export, one retry
W=$T/w1
stale_setup "$W" "$T/sim1"
set +e
(cd "$W" && timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >run.out 2>run.err)
rc=$?
set -e
[ $rc = 0 ] || { tail -20 "$W/run.err"; cat "$W/run.out"; xl_fail "stale run exit $rc (expected 0: the retry succeeded)"; }
[ "$(actions "$T/sim1.log")" = "importAccountData exportHouseData importAccountData " ] \
    || xl_fail "request order: $(actions "$T/sim1.log") (expected import, one exportHouseData, one retried import)"
$PY - "$T/sim1.log" "$W/state.db" "$NEW_P3" "$W" <<'EOF' || xl_fail "retry"
import json, os, sqlite3, sys
log, dbpath, new_p3, work = sys.argv[1:5]
db = sqlite3.connect(dbpath)
imports = [json.loads(l) for l in open(log, encoding="utf-8")]
imports = [e for e in imports if e.get("action") == "importAccountData"]
assert len(imports) == 2, imports
first, retry = imports
assert first["message_guid"] != retry["message_guid"], "the retry reused the MessageGUID"
assert len(first["transport_guids"]) == 2 and len(retry["transport_guids"]) == 1, (first, retry)
assert not set(first["transport_guids"]) & set(retry["transport_guids"]), "the retry reused a TransportGUID"
# the retry's packet carries the refreshed GUID; the stale element is superseded
(path,) = db.execute("SELECT archive_path FROM packets WHERE message_guid=?", (retry["message_guid"],)).fetchone()
body = open(os.path.join(work, path), encoding="utf-8").read()
assert new_p3.lower() in body.lower(), "the retry does not name the renewed premises GUID"
assert "ds:Signature" in body or "Signature" in body, "the retry is not signed"
rows = db.execute("SELECT e.state, e.error_code, e.note FROM elements e JOIN element_rows r ON r.element_id=e.id"
                  " WHERE r.row=2 ORDER BY e.id").fetchall()
assert [r[0] for r in rows] == ["retried", "accepted"], rows
assert rows[0][1] == "INT002034" and "повторено" in rows[1][2], rows
assert db.execute("SELECT state FROM refreshes").fetchall() == [("retried",)]
print("retry ok")
EOF
XLSX=$(ls "$W"/reports/*.xlsx | tail -n 1)
$PY - "$XLSX" <<'EOF' || xl_fail "report"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["stale.csv"]
head = [c.value for c in ws[1]]
col = {h: i for i, h in enumerate(head)}
rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
assert sorted(rows) == [2, 3], rows             # each row once: the superseded element is not shown
r2, r3 = rows[2], rows[3]
assert r2[col["Результат"]] == "принято", r2
assert "повторено один раз после обновления реестра" in (r2[col["Причина или примечание"]] or ""), r2
assert "INT002034" in r2[col["Причина или примечание"]], r2
assert r2[col["Идентификатор ГИС"]], r2
assert r3[col["Результат"]] == "принято" and not r3[col["Причина или примечание"]], r3
print("report ok")
EOF
xl_check_accounted "$W/state.db"
xl_check_log "$T/sim1.log" "$W/state.db"

# ---- 3. nothing is refreshed twice: a later run sends nothing
n=$(grep -c . "$T/sim1.log")
(cd "$W" && "$HCSBATCH" -q -c hcsbatch.ini run --wait >run2.out 2>&1) || { cat "$W/run2.out"; xl_fail "second run"; }
[ "$(grep -c . "$T/sim1.log")" = "$n" ] || xl_fail "a second run sent something: $(actions "$T/sim1.log")"

# ---- 1b. a row naming the stale GUID itself (no local key): nothing to
# export from, no retry; GIS's answer is final, noted
printf 'Номер ЛС;Тип ЛС;Идентификатор помещения ГИС;Доля, %%;Общая площадь;Фамилия;Имя\n' >"$W/inbox/accounts/guid.csv"
printf '00030003;УО;%s;100;59,9;Орлова;Анна\n' $P3 >>"$W/inbox/accounts/guid.csv"
(cd "$W" && "$HCSBATCH" -q -c hcsbatch.ini run --wait >run3.out 2>&1) && xl_fail "a refused row exits 0" || true
a=$(actions "$T/sim1.log")
[ "${a#importAccountData exportHouseData importAccountData }" = "importAccountData " ] \
    || xl_fail "a GUID-only row: $a (expected one import, no export, no retry)"
got=$(sqlite3 "$W/state.db" "SELECT e.state || '|' || e.error_code || '|' || e.note FROM elements e
                             WHERE e.local_key='00030003'")
case "$got" in "error|INT002034|реестр не обновлялся"*) ;; *) xl_fail "GUID-only row: $got" ;; esac
xl_stop_sims

# ---- 2. INT002006: objects GIS already has are reconciled, not imported twice
xl_sim "$T/sim2" "$T/sim2.log" --processing-ms 50
W=$T/w2
xl_work "$W" "$SIM_URL" "$T/keys"
rm -f "$W"/inbox/*/*
cp "$HCS_TOP/samples/local-keys/accounts.csv" "$W/inbox/accounts/"
# row 9: 00010011 is an account of another house in samples/world
printf '00010011;УО;%s;5;;100;74,5;Зайцев;Олег;;\n' $HOUSE >>"$W/inbox/accounts/accounts.csv"
set +e
(cd "$W" && timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >run.out 2>run.err)
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 65 ] || { tail -20 "$W/run.err"; xl_fail "exists run exit $rc"; }
a=$(actions "$T/sim2.log")
case "$a" in *"importAccountData exportAccountData "*) ;; *) xl_fail "no exportAccountData after the import: $a" ;; esac
[ "$(echo "$a" | tr ' ' '\n' | grep -c '^importAccountData$')" = 2 ] \
    || xl_fail "expected the import and one retry (row 9): $a"
[ "$(echo "$a" | tr ' ' '\n' | grep -c '^exportAccountData$')" = 1 ] || xl_fail "more than one exportAccountData: $a"
[ "$(sqlite3 "$W/state.db" "SELECT count(*) FROM elements WHERE error_code='INT002006'")" = 4 ] \
    || xl_fail "GIS did not answer INT002006 for the accounts it has (and row 9 twice)"
# 00010010 and 00010013 are accounts of samples/world: accepted with the GUIDs GIS has
for pair in 2:923f2d37-bb17-5ecf-a189-fbf4bdd603fa 3:9950a531-2957-559d-9f32-bccd72dc1452; do
    row=${pair%%:*}; guid=${pair#*:}
    got=$(sqlite3 "$W/state.db" "SELECT e.state || '|' || e.gis_guid FROM elements e JOIN element_rows r
                                  ON r.element_id=e.id WHERE r.row=$row")
    [ "$got" = "accepted|$guid" ] || xl_fail "row $row: $got (expected reconciled with $guid)"
done
sqlite3 "$W/state.db" "SELECT note FROM elements e JOIN element_rows r ON r.element_id=e.id WHERE r.row=2" \
    | grep -q "объект уже есть в ГИС ЖКХ (INT002006)" || xl_fail "reconciliation not noted"
got=$(sqlite3 "$W/state.db" "SELECT e.state || '|' || e.error_code || '|' || e.note FROM elements e
                             JOIN element_rows r ON r.element_id=e.id WHERE r.row=9 AND e.state<>'retried'")
case "$got" in "error|INT002006|повторено один раз после обновления реестра"*) ;;
    *) xl_fail "row 9: $got (expected a final error after one retry)" ;; esac
xl_check_accounted "$W/state.db"
n=$(grep -c . "$T/sim2.log")
(cd "$W" && "$HCSBATCH" -q -c hcsbatch.ini run --wait >run2.out 2>&1) || [ $? = 65 ] || xl_fail "second run"
[ "$(grep -c . "$T/sim2.log")" = "$n" ] || xl_fail "a refused retry was refreshed again: $(actions "$T/sim2.log")"

# ---- 2b. a metering device GIS has (ХВ-31000 of samples/world): one
# exportMeteringDeviceData of its house, reconciled with its root GUID
mkdir -p "$W/inbox/meters"
head -n 1 "$HCS_TOP/samples/local-keys/meters.csv" >"$W/inbox/meters/m.csv"
printf '%s;ХВ-31000;Пульсар;Пульсар-15;индивидуальный;Холодная вода;№ 1;00010010;01.11.2026;05.11.2026;0\n' \
    $HOUSE >>"$W/inbox/meters/m.csv"
(cd "$W" && timeout 120 "$HCSBATCH" -q -c hcsbatch.ini run --wait >run3.out 2>&1) || { cat "$W/run3.out"; xl_fail "meters run"; }
a=$(actions "$T/sim2.log")
case "$a" in *"importMeteringDeviceData exportMeteringDeviceData ") ;; *) xl_fail "meters: $a" ;; esac
got=$(sqlite3 "$W/state.db" "SELECT state || '|' || gis_guid || '|' || error_code FROM elements WHERE local_key='ХВ-31000'")
[ "$got" = "accepted|0fde6df3-12db-5803-82f5-8d0cace211f2|INT002006" ] || xl_fail "meter ХВ-31000: $got"
xl_stop_sims

# ---- 4. the answer stored, the refresh not begun: the next run refreshes
W=$T/k0
stale_setup "$W" "$T/ks0" 3000
(cd "$W" && "$HCSBATCH" -q -c hcsbatch.ini run >run.out 2>&1) || xl_fail "the run that sends"
(cd "$W" && timeout 60 "$HCSBATCH" -q -c hcsbatch.ini poll --wait >>run.out 2>&1) || [ $? = 65 ] \
    || { cat "$W/run.out"; xl_fail "poll --wait"; }
got=$(sqlite3 "$W/state.db" "SELECT e.state || '|' || e.error_code || '|' || (SELECT count(*) FROM refreshes)
                             FROM elements e JOIN element_rows r ON r.element_id=e.id WHERE r.row=2")
[ "$got" = "error|INT002034|0" ] || xl_fail "after poll: row 2 $got (expected GIS's refusal, no refresh yet)"
[ "$(ls "$W"/inbox/accounts)" = "" ] || xl_fail "the inbox is not empty"
(cd "$W" && timeout 120 "$HCSBATCH" -q -c hcsbatch.ini run --wait >>run.out 2>&1) \
    || { cat "$W/run.out"; xl_fail "the run after poll"; }
xl_outcomes "$W/state.db" | grep "^stale.csv" >"$W/outcomes"
printf 'stale.csv|2|accepted|\nstale.csv|3|accepted|\n' | cmp -s - "$W/outcomes" \
    || { cat "$W/outcomes"; xl_fail "the run after poll did not refresh: $(actions "$T/ks0.log")"; }
[ "$(actions "$T/ks0.log")" = "importAccountData exportHouseData importAccountData " ] \
    || xl_fail "after poll: $(actions "$T/ks0.log")"
xl_stop_sims

# ---- 4b. kill -9 during case 1
KILLS=${KILLS:-4}
round=0
while [ $round -lt "$KILLS" ]; do
    round=$((round + 1))
    W=$T/k$round
    stale_setup "$W" "$T/ks$round"
    delay=$(awk -v r="$(od -An -N2 -tu2 /dev/urandom)" 'BEGIN { printf "%.3f", (r % 1500) / 1000 }')
    (cd "$W" && exec "$HCSBATCH" -c hcsbatch.ini run --wait >>run.out 2>>run.err) &
    pid=$!
    sleep "$delay"
    kill -9 $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    (cd "$W" && timeout 120 "$HCSBATCH" -q -c hcsbatch.ini run --wait >>run.out 2>>run.err) \
        || { tail "$W/run.err"; xl_fail "round $round: the run after the kill (at ${delay}s) failed"; }
    xl_outcomes "$W/state.db" | grep "^stale.csv" >"$W/outcomes"
    printf 'stale.csv|2|accepted|\nstale.csv|3|accepted|\n' | cmp -s - "$W/outcomes" \
        || { cat "$W/outcomes"; sqlite3 "$W/state.db" "SELECT * FROM refreshes" | sed 's/^/refresh: /'
             sqlite3 "$W/state.db" "SELECT id, operation, state, lane FROM packets" | sed 's/^/packet: /'
             tail -n 15 "$W/run.err"; xl_fail "round $round (kill at ${delay}s): outcomes differ"; }
    xl_check_log "$T/ks$round.log" "$W/state.db" >/dev/null
    [ "$(sqlite3 "$W/state.db" "SELECT count(*) FROM refreshes")" -le 1 ] || xl_fail "round $round: refreshed twice"
    [ "$(actions "$T/ks$round.log" | tr ' ' '\n' | grep -c '^exportHouseData$')" -le 1 ] \
        || xl_fail "round $round: $(actions "$T/ks$round.log")"
    xl_integrity "$W/state.db"
    xl_stop_sims
done
echo "refresh ok: INT002034 retried once, INT002006 reconciled, $KILLS kills"
