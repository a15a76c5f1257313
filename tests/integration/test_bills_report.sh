#!/bin/sh
# exportPaymentDocumentData as the accountant's report, against hcs-sim over
# real HTTP: a run imports accounts and bills; `hcsbatch sync bills --period
# 2026-10 --wait --xlsx` asks GIS for the month's documents of every known
# account (the request and its parse are sync's own) and writes a workbook
# with Russian headers: one row per document GIS holds — Номер ЛС, the GIS ids,
# the total GIS computed, withdrawn ones marked — and nothing GIS does not
# hold.  --account by Номер ЛС narrows the request and the workbook to that
# account (the withdrawn September document of the world shows as отозван).
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms 100
xl_work "$T/w" "$SIM_URL" "$T/keys"
cd "$T/w"
rm -f inbox/readings/*
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >run1.out 2>run1.err
rc=$?
set -e
[ $rc = 65 ] || { cat run1.out run1.err; xl_fail "run 1 exit $rc, expected 65"; }

"$HCSBATCH" -c hcsbatch.ini sync bills --period 2026-10 --xlsx oct.xlsx >sync.err 2>&1 \
    && xl_fail "--xlsx without --wait accepted"
timeout 120 "$HCSBATCH" -c hcsbatch.ini sync bills --period 2026-10 --wait --xlsx oct.xlsx >sync1.out 2>sync1.err \
    || { cat sync1.out sync1.err; xl_fail "sync bills 2026-10 failed"; }
cat sync1.out
timeout 120 "$HCSBATCH" -c hcsbatch.ini sync bills --period 2026-09 --account 00010010 --wait --xlsx sep.xlsx \
    >sync2.out 2>sync2.err || { cat sync2.out sync2.err; xl_fail "sync bills 2026-09 --account failed"; }
grep -q 'sep.xlsx: 1 payment documents' sync2.out || { cat sync2.out; xl_fail "sep.xlsx: not one document"; }

python3 - oct.xlsx sep.xlsx "$T/sim/sim-state.sqlite" archive/packets <<'PY' || xl_fail "bills report check failed"
import glob, re, sqlite3, sys, zipfile
import xml.etree.ElementTree as ET
M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

def sheet(path):
    z = zipfile.ZipFile(path)
    shared = []
    if "xl/sharedStrings.xml" in z.namelist():
        for si in ET.fromstring(z.read("xl/sharedStrings.xml")).iter(M + "si"):
            shared.append("".join(t.text or "" for t in si.iter(M + "t")))
    rows = []
    for r in ET.fromstring(z.read("xl/worksheets/sheet1.xml")).iter(M + "row"):
        cells = {}
        for c in r.iter(M + "c"):
            col = re.match(r"[A-Z]+", c.get("r")).group()
            v = c.findtext(M + "v")
            if c.get("t") == "s":
                v = shared[int(v)]
            elif c.findtext(M + "f") is not None:
                v = "=" + c.findtext(M + "f")
            cells[col] = v
        rows.append(cells)
    return rows

sim = sqlite3.connect(sys.argv[3])
bad = []
oct_rows = sheet(sys.argv[1])
head = [oct_rows[0].get(c) for c in "ABCDEFGHIJ"]
if head != ["Номер ЛС", "Идентификатор ЛС ГИС", "Номер ПД", "Идентификатор ПД ГИС", "Период", "Состояние",
            "Задолженность", "Аванс", "Итого к оплате", "Оплачено"]:
    bad.append("headers %r" % head)
body = [r for r in oct_rows[1:] if r.get("A") != "Итого (размещённые)"]
if not oct_rows[-1].get("A", "").startswith("Итого") or not (oct_rows[-1].get("I") or "").startswith("=SUMIF"):
    bad.append("no totals row: %r" % oct_rows[-1])
got = {r.get("D"): r for r in body}
# every October document GIS holds for an account the registry knows, and no other
want = sim.execute("""SELECT p.payment_document_id, p.account_number, p.payment_document_number, p.total,
                             p.withdrawn, p.account_guid FROM payment_documents p WHERE p.period = '2026-10'""").fetchall()
if not want:
    bad.append("the bills run left no October documents in GIS")
for pid, acc, num, total, withdrawn, ag in want:
    r = got.pop(pid, None)
    if not r:
        bad.append("document %s (%s %s) missing" % (pid, acc, num)); continue
    exp = {"A": acc, "B": ag, "C": num, "E": "10.2026", "F": "отозван" if withdrawn else "размещён"}
    for col, v in exp.items():
        if (r.get(col) or "").lower() != (v or "").lower():
            bad.append("document %s column %s: %r, GIS has %r" % (pid, col, r.get(col), v))
    if total and abs(float(r.get("I") or "nan") - float(total)) > 0.001:
        bad.append("document %s total %r, GIS %r" % (pid, r.get("I"), total))
    print("oct.xlsx: %s %s %s total %s" % (acc, num, pid, r.get("I")))
for pid in got:
    bad.append("document %r in the workbook but not in GIS for October" % pid)
if not any(r.get("I") for r in body):
    bad.append("no document shows a total")

sep_rows = [r for r in sheet(sys.argv[2])[1:] if not (r.get("A") or "").startswith("Итого")]
if len(sep_rows) != 1 or sep_rows[0].get("A") != "00010010" or sep_rows[0].get("D") != "76АБ00010009000001" \
        or sep_rows[0].get("F") != "отозван":
    bad.append("sep.xlsx rows %r (the withdraw sample withdrew 76АБ00010009000001)" % sep_rows)
# --account narrowed the request itself: the last export named one account
last = sorted(glob.glob(sys.argv[4] + "/exportPaymentDocumentData-*.xml"))
asked = [len(re.findall(r"AccountGUID>", open(p, encoding="utf-8").read())) // 2 for p in last]
if 1 not in asked:
    bad.append("no export asked for one account: %r" % asked)
for b in bad:
    print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
echo "PASS"
