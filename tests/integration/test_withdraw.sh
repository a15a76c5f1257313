#!/bin/sh
# Withdrawing payment documents through the registry, against hcs-sim over
# real HTTP: a run imports accounts and bills; a second run takes a withdraw
# file that names documents only by Номер ЛС / Номер ПД / Период.  Each
# WithdrawPaymentDocument must carry the document's 18-character
# PaymentDocumentID — the UniqueNumber GIS gave it on import, looked up under
# the same key the bills' element was stored with — and the simulator must
# withdraw exactly those documents.  The registry keeps GIS's GUID as the
# GUID.  samples/bills-withdraw.csv goes through the same run and behaves as
# samples/README.md says.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms 100
xl_work "$T/w" "$SIM_URL" "$T/keys"
cd "$T/w"
rm -f inbox/readings/* inbox/bills-withdraw/*

# run 1: accounts and bills (the samples hold bad rows: exit 65)
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >run1.out 2>run1.err
rc=$?
set -e
[ $rc = 65 ] || { cat run1.out run1.err; xl_fail "run 1 exit $rc, expected 65"; }
n=$(sqlite3 state.db "SELECT count(*) FROM registry WHERE kind = 'payment_document' AND unique_number IS NOT NULL")
[ "$n" -ge 3 ] || xl_fail "only $n payment documents in the registry after the bills run"

# run 2: withdraw by Номер ЛС / Номер ПД / Период only, plus the sample
printf '%s\n' 'Номер ЛС;Номер ПД;Период' \
    '00010010;ПД-2026-10-0010;10.2026' \
    '00010012;ПД-2026-10-0012;10.2026' \
    '00010010;ПД-2026-11-0010;11.2026' \
    '00010011;ПД-2026-10-9999;10.2026' >inbox/bills-withdraw/by-number.csv
cp "$HCS_TOP/samples/bills-withdraw.csv" inbox/bills-withdraw/
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >run2.out 2>run2.err
rc=$?
set -e
cat run2.out
[ $rc = 65 ] || { cat run2.err; xl_fail "run 2 exit $rc, expected 65 (rejected rows)"; }
xl_check_accounted state.db
xl_check_log "$T/sim.log" state.db
xl_integrity state.db

python3 - state.db "$T/sim/sim-state.sqlite" archive/packets <<'PY' || xl_fail "withdrawal check failed"
import glob, re, sqlite3, sys
import xml.etree.ElementTree as ET
st, sim, pdir = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2]), sys.argv[3]
B = "{http://dom.gosuslugi.ru/schema/integration/bills/}"
BASE = "{http://dom.gosuslugi.ru/schema/integration/base/}"
BB = "{http://dom.gosuslugi.ru/schema/integration/bills-base/}"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
bad = []

# what the packets carried: TransportGUID -> PaymentDocumentID
sent = {}
for path in glob.glob(pdir + "/importPaymentDocumentData-*.xml"):
    for w in ET.parse(path).getroot().iter(B + "WithdrawPaymentDocument"):
        sent[w.findtext(BASE + "TransportGUID")] = w.findtext(BB + "PaymentDocumentID")

def element(fname, row):
    return st.execute("""SELECT e.transport_guid, e.state, coalesce(e.error_code, '') FROM elements e
                         JOIN element_rows r ON r.element_id = e.id JOIN files f ON f.id = r.file_id
                         WHERE f.name = ? AND r.row = ?""", (fname, row)).fetchone()

def reject(fname, row):
    r = st.execute("""SELECT j.reason FROM rejects j JOIN files f ON f.id = j.file_id
                      WHERE f.name = ? AND j.row = ?""", (fname, row)).fetchone()
    return r[0] if r else None

def sim_doc(account, number, period):   # SQLite's lower() knows no Cyrillic
    for doc in sim.execute("""SELECT payment_document_id, payment_document_guid, withdrawn,
                                     payment_document_number FROM payment_documents
                              WHERE account_number = ? AND period = ?""", (account, period)):
        if doc[3].lower() == number.lower():
            return doc
    return None

# the registry (keys in their comparison form: "пд-…"): GUID is GIS's
# GUID, unique number is the PaymentDocumentID
for key, guid, un in st.execute("SELECT local_key, guid, unique_number FROM registry WHERE kind = 'payment_document'"):
    acc, num, per = key.split("|")
    doc = sim_doc(acc, num, per)
    if not doc:
        bad.append("registry key %r: no such document in GIS" % key); continue
    if guid != doc[1] or not GUID.match(guid or ""):
        bad.append("registry %r: guid %r, GIS has %r" % (key, guid, doc[1]))
    if un != doc[0] or len(un) != 18:
        bad.append("registry %r: unique_number %r, GIS PaymentDocumentID %r" % (key, un, doc[0]))

# rows named only by number: the right id went out and GIS withdrew it
for row, acc, num, per in ((2, "00010010", "ПД-2026-10-0010", "2026-10"),
                           (3, "00010012", "ПД-2026-10-0012", "2026-10"),
                           (4, "00010010", "ПД-2026-11-0010", "2026-11")):
    doc, el = sim_doc(acc, num, per), element("by-number.csv", row)
    if not doc or not el:
        bad.append("by-number.csv row %d: document %r, element %r" % (row, doc, el)); continue
    if sent.get(el[0]) != doc[0]:
        bad.append("by-number.csv row %d: sent PaymentDocumentID %r, expected %r" % (row, sent.get(el[0]), doc[0]))
    if el[1] != "accepted" or doc[2] != "1":
        bad.append("by-number.csv row %d: element %s %s, withdrawn in GIS: %r" % (row, el[1], el[2], doc[2]))
    print("by-number.csv row %d: %s/%s/%s -> %s %s" % (row, acc, num, per, sent.get(el[0]), el[1]))
r = reject("by-number.csv", 5)
if not r or "нет идентификатора ГИС" not in r:
    bad.append("by-number.csv row 5 (unknown document): %r" % r)
for acc, num, per in (("00010011", "ПД-2026-10-0011", "2026-10"), ("00010013", "ПД-2026-10-0013", "2026-10")):
    if sim_doc(acc, num, per)[2]:
        bad.append("%s %s withdrawn but never named" % (acc, num))

# samples/bills-withdraw.csv as samples/README.md says
for row, pd in ((2, "76АБ00010009000001"), (3, "76АБ00010109000002"), (4, "76АБ00010209000003"),
                (5, "76АБ00010309000004")):
    el = element("bills-withdraw.csv", row)
    w = sim.execute("SELECT withdrawn FROM payment_documents WHERE payment_document_id = ?", (pd,)).fetchone()
    if not el or el[1] != "accepted" or sent.get(el[0]) != pd or not w or w[0] != "1":
        bad.append("bills-withdraw.csv row %d: element %r, sent %r, withdrawn %r" % (row, el, el and sent.get(el[0]), w))
r = reject("bills-withdraw.csv", 6)
if not r or "нет идентификатора ГИС" not in r:
    bad.append("bills-withdraw.csv row 6: %r" % r)
r = reject("bills-withdraw.csv", 7)
if not r or "схемы" not in r:
    bad.append("bills-withdraw.csv row 7: %r" % r)

for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
echo "PASS"
