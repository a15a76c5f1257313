#!/bin/sh
# Reports, metrics and notifications checked by independent readers:
#  1. the report unit tests' outputs (HCS_REPORT_OUT): the XLSX read by
#     openpyxl (tests/integration/check_report_xlsx.py), errors.csv read by
#     Python's csv module, the metrics textfile parsed by prometheus_client;
#  2. end to end: `hcsbatch run --wait` over samples/ against hcs-sim, with
#     notifications going to a loopback sink that answers 500 first — the
#     webhook and the Telegram message must arrive anyway; the run's XLSX,
#     errors.csv and metrics are read back; `hcsbatch report FILE` works;
#     no secret reaches the logs.
set -eu
BINDIR=${BINDIR:-bin}
BUILD=${BUILD:-build}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
TOP=${HCS_TOP:-$(pwd)}
cd "$TOP"
. "$TOP/tests/integration/lib.sh"
PY=/usr/bin/python3
T=$(mktemp -d)
SIM_PID=""; SINK_PID=""
cleanup() {
    for p in $SIM_PID $SINK_PID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
echo "== 1. unit outputs through independent readers"
for t in test_report test_report_out; do
    [ -x "$BUILD/tests/$t" ] || fail "$BUILD/tests/$t not built (make BUILD=$BUILD $BUILD/tests/$t)"
    HCS_REPORT_OUT="$T/unit" "$BUILD/tests/$t" >"$T/$t.log" 2>&1 || { cat "$T/$t.log"; fail "$t"; }
done
$PY tests/integration/check_report_xlsx.py "$T/unit/report.xlsx" || fail "XLSX content"

$PY - "$T/unit/errors.csv" <<'EOF' || fail "errors.csv"
import csv, io, sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM"
body = raw[3:]
assert body.count(b"\r\n") == 6, "CRLF line ends"
assert body.count(b"\n") == 6 + 1, "the only bare LF is the one inside the quoted GIS text"
rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
assert rows[0] == ["Файл", "Строка", "Колонка", "Значение", "Код", "Причина"], rows[0]
assert len(rows) == 6, len(rows)
assert all(len(r) == 6 for r in rows), [len(r) for r in rows]
formula = [r for r in rows if r[3].endswith("=1+1")]
assert formula and formula[0][3] == "'=1+1", formula
quoted = [r for r in rows if r[4] == "XYZ999999"][0]
assert quoted[5] == 'Текст "в кавычках"; с точкой с запятой\nи новой строкой', quoted
print("errors.csv ok")
EOF

$PY - "$T/unit/hcsbatch.prom" <<'EOF' || fail "metrics textfile"
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1], encoding="utf-8").read()
fams = {f.name: f for f in text_string_to_metric_families(text)}
# prometheus_client strips _total from counter family names
for name in ("hcsbatch_runs", "hcsbatch_last_success_timestamp_seconds", "hcsbatch_last_run_rows",
             "hcsbatch_packets", "hcsbatch_oldest_pending_packet_age_seconds", "hcsbatch_last_run_retries",
             "hcsbatch_certificate_expiry_days"):
    assert name in fams, (name, sorted(fams))
assert fams["hcsbatch_runs"].type == "counter"
rows = {s.labels["outcome"]: s.value for s in fams["hcsbatch_last_run_rows"].samples}
assert rows == {"accepted": 5, "failed": 2, "pending": 1, "deferred": 0, "rejected": 2, "sent": 0}, rows
print("metrics ok:", len(fams), "families")
EOF

echo "== 2. hcsbatch run end to end, notifications through a failing sink"
W="$T/work"
mkdir -p "$W/keys" "$W/inbox/accounts" "$W/inbox/readings" "$W/inbox/bills" "$W/inbox/bills-withdraw"
openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A -out "$W/keys/key.pem" 2>/dev/null
chmod 600 "$W/keys/key.pem"
openssl req -engine gost -new -x509 -days 100 -key "$W/keys/key.pem" -subj "/CN=Report test" \
    -out "$W/keys/cert.pem" 2>/dev/null

"$BINDIR/hcs-sim" --world samples/world --state "$W/sim-state" --port 0 --processing-ms 300 \
    >"$T/sim.out" 2>"$T/sim.err" &
SIM_PID=$!
URL=$(listening_url "$T/sim.out" $SIM_PID) || { cat "$T/sim.err"; fail "simulator did not start"; }

$PY tests/integration/http_sink.py "$T/sink.jsonl" >"$T/sink.out" 2>"$T/sink.err" &
SINK_PID=$!
SINK_PORT=$(listening_url "$T/sink.out" $SINK_PID) || { cat "$T/sink.err"; fail "sink did not start"; }

ORG=$(sed -n 's/^ *org_ppa_guid *= *//p' samples/world/provider.ini | head -n 1)
cat >"$W/hcsbatch.ini" <<INI
[gis]
base_url = $URL
org_ppa_guid = $ORG
[sign]
key = keys/key.pem
cert = keys/cert.pem
alg = gost2012
[paths]
work_dir = .
schemas_dir = $(cd "$SCHEMAS_DIR" && pwd)
templates_dir = $TOP/templates
nsi_dir = $TOP/samples/world/nsi
hints_file = $TOP/templates/hints.csv
[input]
settle_seconds = 0
[exchange]
poll_schedule = 1,1,2
[transport]
rate = 50
[report]
metrics_file = hcsbatch.prom
[notify]
when = errors
urls = http://127.0.0.1:$SINK_PORT/hook?sig=urlsecret
api_key_env = HCS_T_API_KEY
attempts = 3
delay_ms = 50
telegram_api = http://127.0.0.1:$SINK_PORT
telegram_token_env = HCS_T_TG_TOKEN
telegram_chat = -1001
INI
cp samples/accounts.csv "$W/inbox/accounts/"
cp samples/readings.csv "$W/inbox/readings/"
cp samples/bills.csv "$W/inbox/bills/"
cp samples/bills-withdraw.csv "$W/inbox/bills-withdraw/"

set +e
HCS_T_API_KEY=apikey-s3cret HCS_T_TG_TOKEN=777:tg-s3cret timeout 180 \
    "$BINDIR/hcsbatch" -c "$W/hcsbatch.ini" -v run --wait >"$T/run.out" 2>"$T/run.err"
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 65 ] || { cat "$T/run.err"; fail "hcsbatch run exited $rc"; }
if grep -q 's3cret\|urlsecret' "$T/run.out" "$T/run.err"; then fail "a secret reached the run's output"; fi

XLSX=$(ls "$W"/reports/*.xlsx | head -n 1)
CSV=$(ls "$W"/reports/*-errors.csv | head -n 1)
[ -f "$XLSX" ] || fail "no XLSX report"
$PY - "$XLSX" "$CSV" "$W/hcsbatch.prom" "$T/sink.jsonl" <<'EOF' || fail "run outputs"
import csv, io, json, sys
import openpyxl
from prometheus_client.parser import text_string_to_metric_families
xlsx, errors, prom, sink = sys.argv[1:5]
wb = openpyxl.load_workbook(xlsx)
names = wb.sheetnames
assert names[0] == "Сводка" and names[-1] == "Ошибки", names
assert {"accounts.csv", "readings.csv", "bills.csv", "bills-withdraw.csv"} <= set(names), names
labels = {"принято", "ошибка", "ожидает ответа ГИС", "отложено", "отклонено до отправки", "отправлено"}
total = 0
for n in names[1:-1]:
    ws = wb[n]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref, n
    for r in ws.iter_rows(min_row=2, values_only=True):
        assert r[2] in labels, (n, r)
        total += 1
assert total >= 70, total
err_rows = list(wb["Ошибки"].iter_rows(min_row=2, values_only=True))
assert err_rows and all(r[3] in ("ошибка", "отклонено до отправки") for r in err_rows)
assert [(r[0], r[1]) for r in err_rows] == sorted((r[0], r[1]) for r in err_rows)
lines = list(csv.reader(io.StringIO(open(errors, encoding="utf-8-sig").read(), newline=""), delimiter=";"))
assert len(lines) - 1 == len(err_rows), (len(lines), len(err_rows))
fams = {f.name: f for f in text_string_to_metric_families(open(prom, encoding="utf-8").read())}
days = fams["hcsbatch_certificate_expiry_days"].samples[0].value
assert 98 <= days <= 100, days
reqs = [json.loads(l) for l in open(sink, encoding="utf-8")]
hook = [r for r in reqs if r["path"].startswith("/hook")]
tg = [r for r in reqs if r["path"].startswith("/bot")]
assert [r["status"] for r in hook] == [500, 200], hook
assert [r["status"] for r in tg] == [500, 200], tg
assert all(r["key"] == "apikey-s3cret" for r in hook)
assert tg[0]["path"] == "/bot777:tg-s3cret/sendMessage" and tg[0]["key"] is None
summary = json.loads(hook[-1]["body"])
assert summary["status"] == "errors" and summary["need_action"] == len(err_rows), summary
assert summary["report"].endswith(".xlsx")
msg = json.loads(tg[-1]["body"])
assert msg["chat_id"] == "-1001" and "требуют исправления" in msg["text"], msg
print("run outputs ok:", len(names), "sheets,", total, "rows,", len(err_rows), "to fix, notified")
EOF

"$BINDIR/hcsbatch" -c "$W/hcsbatch.ini" report --out "$T/accounts.xlsx" accounts.csv >"$T/rep.out" 2>&1 \
    || { cat "$T/rep.out"; fail "hcsbatch report"; }
$PY -c "
import openpyxl, sys
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ['Сводка', 'accounts.csv', 'Ошибки'], wb.sheetnames
assert wb['accounts.csv'].max_row >= 17, wb['accounts.csv'].max_row
" "$T/accounts.xlsx" || fail "hcsbatch report FILE output"

# report's output is readable by nobody else, whatever the caller's umask.
(umask 022; "$BINDIR/hcsbatch" -c "$W/hcsbatch.ini" report --out "$T/modes.xlsx" accounts.csv >/dev/null 2>&1) \
    || fail "hcsbatch report (modes)"
[ -z "$(find "$T/modes.xlsx" -perm /o=rwx)" ] || fail "report output readable by others: $(ls -l "$T/modes.xlsx")"

# status FILE and report FILE count the same packets (the file's, not the store's).
"$BINDIR/hcsbatch" -c "$W/hcsbatch.ini" status --json accounts.csv >"$T/status-file.json" 2>&1 \
    || { cat "$T/status-file.json"; fail "hcsbatch status FILE"; }
"$BINDIR/hcsbatch" -c "$W/hcsbatch.ini" status --json >"$T/status-all.json" 2>&1 \
    || { cat "$T/status-all.json"; fail "hcsbatch status"; }
$PY - "$T/accounts.xlsx" "$T/status-file.json" "$T/status-all.json" <<'EOF' || fail "status FILE and report FILE disagree"
import json, sys
import openpyxl
xlsx, file_json, all_json = sys.argv[1:4]
one, every = json.load(open(file_json)), json.load(open(all_json))
assert [f["name"] for f in one["files"]] == ["accounts.csv"], one["files"]
rows = list(openpyxl.load_workbook(xlsx)["Сводка"].iter_rows(values_only=True))
start = next(i for i, r in enumerate(rows) if r[0] == "Пакеты по состояниям") + 2
summary = []
for r in rows[start:]:
    if r[0] is None or r[1] is None:
        break
    summary.append(int(r[1]))
status = sorted(one["packets"].values())
assert sorted(summary) == status and status, (summary, one["packets"])
assert sum(every["packets"].values()) > sum(status), (every["packets"], one["packets"])
print("status and report agree:", one["packets"])
EOF
set +e
"$BINDIR/hcsbatch" -c "$W/hcsbatch.ini" report no-such-file.csv >/dev/null 2>&1
rc=$?
set -e
[ $rc = 66 ] || fail "report of an unknown file exited $rc, want 66"
echo "report ok"
