#!/bin/sh
# Changes to metering devices already in GIS, against hcs-sim over real
# HTTP (importMeteringDeviceData: DeviceDataToUpdate).  One nightly run
# takes accounts, readings, new devices (samples/meters.csv) and the three
# change forms — samples/meters-update.csv (UpdateAfterDevicesValues),
# samples/meters-archive.csv (ArchiveDevice, НСИ 21) and
# samples/meters-replace.csv (ReplaceDevice: НСИ 224 or a planned
# verification, final readings, a device registered in the same run) —
# every device named by serial number within its house only.  The run
# exports the houses' devices to resolve them (the chain), sends each form
# after the one it waits for, and must leave: the simulator's world changed
# exactly as the rows say (new model and serial, archived with the reason
# code, replaced by the new device with the final reading stored), the
# registry holding each changed device's new version GUID under its
# (new) serial and each archived device as meter_archived, no longer as
# meter; the bad rows rejected as samples/README.md says.  A second run
# naming an archived device in a readings file gets the row rejected by the
# registry, not sent.  Last, `hcsbatch sync history --wait` for house 1
# (exportMeteringDeviceHistory, archived devices included) writes the
# accountant's workbook: one row per reading GIS holds, the device by its
# serial number, archived ones marked, values as numbers.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms 100
xl_work "$T/w" "$SIM_URL" "$T/keys"
cd "$T/w"
rm -f inbox/bills/* inbox/bills-withdraw/*
mkdir -p inbox/meters inbox/meters-update inbox/meters-archive inbox/meters-replace
cp "$HCS_TOP/samples/meters.csv" inbox/meters/
cp -r "$HCS_TOP/samples/attachments" inbox/meters/
cp "$HCS_TOP/samples/meters-update.csv" inbox/meters-update/
cp "$HCS_TOP/samples/meters-archive.csv" inbox/meters-archive/
cp "$HCS_TOP/samples/meters-replace.csv" inbox/meters-replace/

# `hcsbatch ops` names the three folders and templates that feed importMeteringDeviceData
"$HCSBATCH" -c hcsbatch.ini ops --json | python3 -c '
import json, sys
op = {o["operation"]: o for o in json.load(sys.stdin)}["importMeteringDeviceData"]
for form in ("update", "archive", "replace"):
    assert "inbox/meters-" + form in op["inbox"].split(","), op
    assert "importMeteringDeviceData-" + form in op["templates"].split(","), op
assert op["element_limit"] == 100, op' || xl_fail "ops: importMeteringDeviceData"

set +e
timeout 180 "$HCSBATCH" -c hcsbatch.ini run --wait >run1.out 2>run1.err
rc=$?
set -e
[ $rc = 65 ] || { cat run1.out run1.err; xl_fail "run 1 exit $rc, expected 65 (rejected rows)"; }
xl_check_accounted state.db
xl_check_log "$T/sim.log" state.db
xl_integrity state.db

python3 - state.db "$T/sim/sim-state.sqlite" "$HCS_TOP/samples/world/nsi" <<'PY' || xl_fail "device changes check failed"
import csv, sqlite3, sys
st, sim, nsi = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2]), sys.argv[3]
H1, H2, H3 = ("cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f", "6f8d3564-dfbe-5f16-b850-12db2f5cdcbe",
              "058783d5-0260-579e-b3c8-e9fdeed3330f")
bad = []

def device(house, serial):
    return sim.execute("""SELECT root_guid, version_guid, model, coalesce(archived, ''), coalesce(replaced_by, '')
                          FROM meters WHERE fias_house_guid = ? AND serial_number = ?""", (house, serial)).fetchone()

def element(fname, row):
    return st.execute("""SELECT e.state, coalesce(e.error_code, ''), coalesce(e.error_text, '') FROM elements e
                         JOIN element_rows r ON r.element_id = e.id JOIN files f ON f.id = r.file_id
                         WHERE f.name = ? AND r.row = ? AND e.state <> 'retried'""", (fname, row)).fetchone()

def rejects(fname, row):
    return " / ".join("%s: %s" % r for r in st.execute("""SELECT coalesce(j.col, ''), j.reason FROM rejects j
                                                          JOIN files f ON f.id = j.file_id
                                                          WHERE f.name = ? AND j.row = ?""", (fname, row)))

def registry(kind, house, serial):
    from_key = "%s|%s" % (house, serial.lower())
    return st.execute("SELECT guid, coalesce(version, '') FROM registry WHERE kind = ? AND local_key = ?",
                      (kind, from_key)).fetchone()

def accepted(fname, row):
    el = element(fname, row)
    if not el or el[0] != "accepted":
        bad.append("%s row %d: %r (rejects: %s)" % (fname, row, el, rejects(fname, row)))
        return False
    return True

def rejected(fname, row, words):
    r = rejects(fname, row)
    if words not in r:
        bad.append("%s row %d: expected rejection with %r, got %r / element %r" % (fname, row, words, r,
                                                                                element(fname, row)))

def code(reg, name):
    with open("%s/%s.csv" % (nsi, reg), encoding="utf-8") as f:
        return [r["code"] for r in csv.DictReader(f, delimiter=";") if r["name"] == name][0]

world = {}
with open(sys.argv[3] + "/../meters.csv", encoding="utf-8") as f:
    for r in csv.DictReader(f, delimiter=";"):
        world[r["serial_number"]] = r

# update: the world changed, the registry holds the new version under the (new) serial
for row, house, serial, now_serial, model in ((2, H1, "ХВ-31000", "ХВ-31000", "Пульсар-15М"),
                                              (3, H2, "Э-31014", "Э-31014", None),
                                              (4, H3, "ГВ-31007", "ГВ-31007-1", None)):
    if not accepted("meters-update.csv", row):
        continue
    d = device(house, now_serial)
    if not d:
        bad.append("update row %d: no device %s in the house after the change" % (row, now_serial)); continue
    if d[0] != world[serial]["root_guid"] or d[1] == world[serial]["version_guid"]:
        bad.append("update row %d: root %s version %s (world root %s version %s)" % (
            row, d[0], d[1], world[serial]["root_guid"], world[serial]["version_guid"]))
    if model and d[2] != model:
        bad.append("update row %d: model %r, expected %r" % (row, d[2], model))
    reg = registry("meter", house, now_serial)
    if not reg or reg[0] != d[0] or reg[1] != d[1]:
        bad.append("update row %d: registry meter %s has %r, GIS has root %s version %s" % (row, now_serial, reg, d[0], d[1]))
    print("update row %d: %s -> version %s, registry %s" % (row, now_serial, d[1], reg and reg[1]))
rejected("meters-update.csv", 5, "ХВ-99999 не найден")
rejected("meters-update.csv", 6, "неверная дата")
rejected("meters-update.csv", 7, "Система дистанционного съема")

# archive: archived in GIS with the НСИ 21 code, meter_archived in the registry, no longer meter
for row, house, serial, reason in ((2, H1, "ХВ-31009", "Демонтаж прибора учета"),
                                   (3, H2, "ГВ-31013", "Выход прибора учета из строя")):
    if not accepted("meters-archive.csv", row):
        continue
    d = device(house, serial)
    if d[3] != code(21, reason):
        bad.append("archive row %d: archived %r in GIS, expected НСИ 21 code %s" % (row, d[3], code(21, reason)))
    if not registry("meter_archived", house, serial) or \
            st.execute("SELECT count(*) FROM registry WHERE kind = 'meter' AND guid = ?", (d[0],)).fetchone()[0]:
        bad.append("archive row %d: registry still names %s as meter, or not as meter_archived" % (row, serial))
    print("archive row %d: %s archived (%s)" % (row, serial, d[3]))
rejected("meters-archive.csv", 4, "НСИ 21")
if device(H3, "Э-31017")[3]:
    bad.append("Э-31017 archived although its row was rejected")

# replace: the old device replaced by the new one, its final reading stored
for row, house, old, new, value in ((2, H1, "ГВ-31001", "ГВ-41001", "45.120"),
                                    (3, H3, "ХВ-31006", "ХВ-41005", "301.5"),
                                    (4, H2, "Э-31005", "Э-41002", "15320.5")):
    if not accepted("meters-replace.csv", row):
        continue
    d, n = device(house, old), device(house, new)
    if not n or d[3] != "replaced" or d[4] != n[0]:
        bad.append("replace row %d: %s archived %r replaced by %r, new device %r" % (row, old, d[3], d[4], n))
    vals = [r[0] for r in sim.execute("SELECT value FROM readings WHERE meter_root_guid = ? AND date_value = '2026-10-28'",
                                      (d[0],))]
    if vals != [value]:
        bad.append("replace row %d: final readings %r, expected [%r]" % (row, vals, value))
    if not registry("meter_archived", house, old):
        bad.append("replace row %d: %s not meter_archived in the registry" % (row, old))
    print("replace row %d: %s -> %s, final reading %s" % (row, old, new, vals))
rejected("meters-replace.csv", 5, "ГВ-77777 не найден")

for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY

# run 2: a reading for an archived device is refused by the registry, not sent
printf '%s\n' 'ФИАС дома;Заводской номер ПУ;Ресурс;Показание;Дата снятия' \
    'cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f;ХВ-31009;Холодная вода;150,5;25.11.2026' \
    'cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f;ХВ-31000;Холодная вода;151,5;25.11.2026' >inbox/readings/after.csv
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >run2.out 2>run2.err
rc=$?
set -e
[ $rc = 65 ] || { cat run2.out run2.err; xl_fail "run 2 exit $rc, expected 65 (the archived device's row)"; }
r=$(sqlite3 state.db "SELECT j.reason FROM rejects j JOIN files f ON f.id = j.file_id WHERE f.name = 'after.csv' AND j.row = 2")
case $r in *ХВ-31009*"не найден"*) ;; *) xl_fail "after.csv row 2 (archived device): rejection '$r'" ;; esac
s=$(sqlite3 state.db "SELECT e.state FROM elements e JOIN element_rows r ON r.element_id = e.id JOIN files f
                       ON f.id = r.file_id WHERE f.name = 'after.csv' AND r.row = 3")
[ "$s" = accepted ] || xl_fail "after.csv row 3 (a changed, active device): $s"

# the history of house 1 as GIS holds it, as the accountant's workbook
H1=cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f
timeout 120 "$HCSBATCH" -c hcsbatch.ini sync history --house $H1 --wait >hist.out 2>hist.err \
    || { cat hist.out hist.err; xl_fail "sync history failed"; }
cat hist.out
book=$(sed -n 's/^meter history: [0-9]* readings: //p' hist.out)
[ -f "$book" ] || xl_fail "no history workbook in: $(cat hist.out)"
/usr/bin/python3 - "$book" "$T/sim/sim-state.sqlite" $H1 <<'PY' || xl_fail "history workbook check failed"
import sqlite3, sys
import openpyxl
book, sim, house = sys.argv[1], sqlite3.connect(sys.argv[2]), sys.argv[3]
ws = openpyxl.load_workbook(book)["Показания"]
rows = list(ws.iter_rows(values_only=True))
head, body = rows[0], rows[1:]
bad = []
want = ("ФИАС дома", "Заводской номер ПУ", "Состояние ПУ", "Дата снятия", "Вид показания", "Ресурс",
        "Показание (Т1)", "Показание Т2", "Показание Т3", "Внесено в ГИС", "Идентификатор ПУ ГИС")
if tuple(head) != want:
    bad.append("header %r" % (head,))
col = {h: i for i, h in enumerate(head)}
# every reading GIS holds for the house's devices, archived ones included, is a row
gis = sim.execute("""SELECT m.serial_number, r.date_value, r.value, coalesce(m.archived, '') FROM readings r
                     JOIN meters m ON m.root_guid = r.meter_root_guid WHERE m.fias_house_guid = ?""",
                  (house,)).fetchall()
got = {(r[col["Заводской номер ПУ"]], r[col["Дата снятия"]]): r for r in body}
if len(body) != len(gis):
    bad.append("%d rows, GIS holds %d readings of the house" % (len(body), len(gis)))
for serial, date, value, archived in gis:
    y, m, d = date[:10].split("-")
    r = got.get((serial, "%s.%s.%s" % (d, m, y)))
    if not r:
        bad.append("no row for %s %s" % (serial, date)); continue
    v = r[col["Показание (Т1)"]]
    if not isinstance(v, (int, float)) or abs(v - float(value)) > 1e-9:
        bad.append("%s %s: value %r, GIS %s" % (serial, date, r[col["Показание (Т1)"]], value))
    if r[col["Состояние ПУ"]] != ("в архиве" if archived else "действует") or r[0] != house:
        bad.append("%s: state %r house %r (archived in GIS: %r)" % (serial, r[col["Состояние ПУ"]], r[0], archived))
# the replaced device's final reading, its resource by НСИ 2 name
r = got.get(("ГВ-31001", "28.10.2026"))
if not r or r[col["Ресурс"]] != "Горячая вода" or r[col["Состояние ПУ"]] != "в архиве":
    bad.append("ГВ-31001 final reading row: %r" % (r,))
if ("ХВ-31000", "25.11.2026") not in got:
    bad.append("run 2's reading of ХВ-31000 missing")
for b in bad:
    print("FAIL:", b)
print("history workbook: %d rows, %d readings in GIS" % (len(body), len(gis)))
sys.exit(1 if bad else 0)
PY
echo "PASS"
