#!/bin/sh
# Payments received and their cancellation, against hcs-sim over real HTTP
# (importNotificationsOfOrderExecution, importNotificationsOfOrderExecutionCancellation).
# Run 1 imports accounts and bills; run 2 takes samples/payments.csv from
# inbox/payments: each notification must carry the amount in kopecks and the
# payer as the row names it — the GIS id of a document, Номер ЛС + Номер ПД +
# Период looked up in the registry (the PaymentDocumentID the bills import
# got), ЕЛС, Номер ЛС — and the bad rows of the sample behave as
# samples/README.md says.  The registry keeps each accepted notification's
# GUID under its OrderID.  Run 3 takes samples/payments-cancel.csv: the
# cancellation names the notification by OrderID and GIS cancels exactly it;
# an OrderID the registry never saw is refused before sending.  Run 4
# cancels the same payment again: GIS refuses (INT002006).  `hcsbatch ops`
# shows both inbox folders.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms 100
xl_work "$T/w" "$SIM_URL" "$T/keys"
cd "$T/w"
rm -f inbox/readings/* inbox/bills-withdraw/*
mkdir -p inbox/payments inbox/payments-cancel

"$HCSBATCH" -c hcsbatch.ini ops >ops.out
grep -Eq '^importNotificationsOfOrderExecution +payment +500 .*inbox/payments +importNotificationsOfOrderExecution$' ops.out \
    || { cat ops.out; xl_fail "ops: no inbox/template for importNotificationsOfOrderExecution"; }
grep -Eq '^importNotificationsOfOrderExecutionCancellation +payment +500 .*inbox/payments-cancel +importNotificationsOfOrderExecutionCancellation$' ops.out \
    || { cat ops.out; xl_fail "ops: no inbox/template for the cancellation"; }

run() {
    set +e
    timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >"$1.out" 2>"$1.err"
    rc=$?
    set -e
    [ "$rc" = "$2" ] || { cat "$1.out" "$1.err"; xl_fail "$1 exit $rc, expected $2"; }
}

run run1 65          # the account and bill samples hold bad rows
cp "$HCS_TOP/samples/payments.csv" inbox/payments/
run run2 65
cat run2.out
cp "$HCS_TOP/samples/payments-cancel.csv" inbox/payments-cancel/
run run3 65
printf '%s\r\n' 'Идентификатор платежа;Дата аннулирования' \
    '10470000202610060000000000000003;11.10.2026' | iconv -f utf-8 -t cp1251 >inbox/payments-cancel/again.csv
run run4 65
xl_check_accounted state.db
xl_check_log "$T/sim.log" state.db
xl_integrity state.db

python3 - state.db "$T/sim/sim-state.sqlite" archive/packets <<'PY' || xl_fail "payments check failed"
import glob, sqlite3, sys
import xml.etree.ElementTree as ET
st, sim, pdir = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2]), sys.argv[3]
PM = "{http://dom.gosuslugi.ru/schema/integration/payment/}"
PB = "{http://dom.gosuslugi.ru/schema/integration/payments-base/}"
BASE = "{http://dom.gosuslugi.ru/schema/integration/base/}"
BB = "{http://dom.gosuslugi.ru/schema/integration/bills-base/}"
AB = "{http://dom.gosuslugi.ru/schema/integration/account-base/}"
bad = []
oid = lambda day, seq: "10470000%s%016d" % (day, seq)

# what the packets carried: TransportGUID -> the notification's fields
sent, cancels = {}, {}
for path in glob.glob(pdir + "/importNotificationsOfOrderExecution-*.xml"):
    for n in ET.parse(path).getroot().iter(PM + "NotificationOfOrderExecutionType"):
        o = n.find(PB + "OrderInfo")
        sent[n.findtext(BASE + "TransportGUID")] = {
            "order": o.findtext(PB + "OrderID"), "amount": o.findtext(PB + "Amount"),
            "date": o.findtext(PB + "OrderDate"), "pd": o.findtext(BB + "PaymentDocumentID"),
            "year": o.findtext(BASE + "Year"), "month": o.findtext(BASE + "Month"),
            "els": o.findtext(AB + "UnifiedAccountNumber"), "ls": o.findtext(AB + "AccountNumber"),
            "payer": n.findtext(PB + "SupplierInfo/" + PB + "SupplierName")}
for path in glob.glob(pdir + "/importNotificationsOfOrderExecutionCancellation-*.xml"):
    for n in ET.parse(path).getroot().iter(PM + "NotificationOfOrderExecutionCancellation"):
        cancels[n.findtext(BASE + "TransportGUID")] = (n.findtext(PB + "OrderID"), n.findtext(PB + "CancellationDate"))

def element(fname, row):
    return st.execute("""SELECT e.transport_guid, e.state, coalesce(e.error_code, ''), coalesce(e.gis_guid, '')
                         FROM elements e JOIN element_rows r ON r.element_id = e.id JOIN files f ON f.id = r.file_id
                         WHERE f.name = ? AND r.row = ? AND e.state <> 'retried'""", (fname, row)).fetchone()

def reject(fname, row):
    r = st.execute("""SELECT coalesce(j.col, '') || ': ' || j.reason FROM rejects j JOIN files f ON f.id = j.file_id
                      WHERE f.name = ? AND j.row = ?""", (fname, row)).fetchone()
    return r[0] if r else None

pd12 = sim.execute("""SELECT payment_document_id FROM payment_documents WHERE account_number = '00010012'
                      AND payment_document_number = 'ПД-2026-10-0012' AND period = '2026-10'""").fetchone()
if not pd12 or len(pd12[0]) != 18:
    bad.append("the bills run left no document ПД-2026-10-0012 in GIS: %r" % (pd12,))
want = {2: dict(order=oid("20261005", 1), amount="126465", date="2026-10-05", pd="76АБ00010009000001",
                ls="00010010", payer="Соколов Иван Петрович"),
        3: dict(order=oid("20261006", 2), amount="3500", pd=pd12 and pd12[0], year="2026", month="10",
                ls="00010012"),
        4: dict(order=oid("20261006", 3), amount="35050", els="76АБ000103", pd=None, ls=None),
        5: dict(order=oid("20261007", 4), amount="150000", ls="00010011", pd=None)}
for row, w in want.items():
    el = element("payments.csv", row)
    if not el or el[1] != "accepted":
        bad.append("payments.csv row %d: %r, expected accepted" % (row, el)); continue
    got = sent.get(el[0], {})
    for k, v in w.items():
        if got.get(k) != v:
            bad.append("payments.csv row %d: sent %s %r, expected %r" % (row, k, got.get(k), v))
    obj = sim.execute("SELECT guid FROM objects WHERE kind = 'payment-notification' AND natural_key = ?",
                      (w["order"],)).fetchone()
    reg = st.execute("SELECT guid FROM registry WHERE kind = 'payment_notification' AND local_key = ?",
                     (w["order"],)).fetchone()
    if not obj or not reg or reg[0] != obj[0] or el[3] != obj[0]:
        bad.append("payments.csv row %d: registry %r, element %r, GIS %r" % (row, reg, el[3], obj))
    print("payments.csv row %d: %s %s kopecks -> %s" % (row, w["order"], got.get("amount"), el[1]))
for row, part in ((6, "схемы"), (7, "знаков после запятой"), (8, "не найден"), (9, "Идентификатор ПД ГИС")):
    r = reject("payments.csv", row)
    if not r or part not in r:
        bad.append("payments.csv row %d: reject %r, expected one naming %r" % (row, r, part))
el = element("payments.csv", 10)
if not el or el[1] != "error" or el[2] != "INT002000":
    bad.append("payments.csv row 10 (account GIS lacks): %r" % (el,))
n = sim.execute("SELECT count(*) FROM objects WHERE kind = 'payment-notification'").fetchone()[0]
if n != 4:
    bad.append("GIS holds %d notifications, expected 4" % n)

# the cancellation: the right OrderID went out, GIS cancelled exactly it
el = element("payments-cancel.csv", 2)
c = sent and el and cancels.get(el[0])
if not el or el[1] != "accepted" or c != (oid("20261006", 3), "2026-10-10"):
    bad.append("payments-cancel.csv row 2: element %r, sent %r" % (el, c))
r = reject("payments-cancel.csv", 3)
if not r or "извещение об оплате %s не найдено" % oid("20261001", 99) not in r:
    bad.append("payments-cancel.csv row 3 (never sent): %r" % r)
got = [k for (k,) in sim.execute("SELECT natural_key FROM objects WHERE kind = 'payment-cancellation'")]
if got != [oid("20261006", 3)]:
    bad.append("GIS cancelled %r" % got)
el = element("again.csv", 2)
if not el or el[1] != "error" or el[2] != "INT002006":
    bad.append("again.csv row 2 (cancelled twice): %r" % (el,))
reg = st.execute("""SELECT count(*) FROM registry WHERE kind = 'payment_notification_cancellation'
                    AND local_key = ? AND guid IS NOT NULL""", (oid("20261006", 3),)).fetchone()[0]
if reg != 1:
    bad.append("the registry keeps %d cancellations of the payment" % reg)

for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
echo "PASS"
