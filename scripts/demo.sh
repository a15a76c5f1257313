#!/bin/sh
# make demo — a full nightly batch over samples/ against the bundled GIS
# simulator: fresh work directory, a GOST R 34.10-2012 test key made now,
# hcs-sim on a free loopback port, the sample exports dropped into the inbox
# folders, `hcsbatch run --wait`, then the status, `hcsbatch health` and
# the reports on disk.
set -eu
BINDIR=${BINDIR:-bin}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
DEMO=${DEMO_DIR:-work/demo}
TOP=$(pwd)

rm -rf "$DEMO"
mkdir -p "$DEMO/keys" "$DEMO/inbox/accounts" "$DEMO/inbox/readings" "$DEMO/inbox/meters" \
         "$DEMO/inbox/bills" "$DEMO/inbox/bills-withdraw" "$DEMO/inbox/debt-responses" \
         "$DEMO/inbox/payments" "$DEMO/inbox/payments-cancel"
DEMO=$(cd "$DEMO" && pwd)

echo "== test signing key (GOST R 34.10-2012 256, made now with the OpenSSL gost engine)"
openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A \
    -out "$DEMO/keys/key.pem" 2>/dev/null
chmod 600 "$DEMO/keys/key.pem"
openssl req -engine gost -new -x509 -days 365 -key "$DEMO/keys/key.pem" \
    -subj "/CN=Demo signer/O=UK Demo/C=RU" -out "$DEMO/keys/cert.pem" 2>/dev/null

echo "== starting the GIS simulator"
"$BINDIR/hcs-sim" --world samples/world --state "$DEMO/sim-state" --port 0 \
    --log "$DEMO/sim-requests.log" --processing-ms 1500 >"$DEMO/sim.out" 2>"$DEMO/sim.err" &
SIM_PID=$!
trap 'kill $SIM_PID 2>/dev/null; wait $SIM_PID 2>/dev/null || true' EXIT INT TERM
i=0
while ! grep -q '^listening on ' "$DEMO/sim.out" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 $SIM_PID 2>/dev/null; then
        echo "demo: the simulator did not start:" >&2
        cat "$DEMO/sim.err" >&2
        exit 1
    fi
    sleep 0.1
done
URL=$(sed -n 's/^listening on //p' "$DEMO/sim.out" | head -n 1)
echo "   $URL"

ORG=$(sed -n 's/^ *org_ppa_guid *= *//p' samples/world/provider.ini | head -n 1)
cat >"$DEMO/hcsbatch.ini" <<INI
; written by scripts/demo.sh
[gis]
base_url = $URL
org_ppa_guid = $ORG

[sign]
key = keys/key.pem
cert = keys/cert.pem
alg = gost2012

[paths]
work_dir = $DEMO
schemas_dir = $(cd "$SCHEMAS_DIR" && pwd)
templates_dir = $TOP/templates
nsi_dir = $TOP/samples/world/nsi
hints_file = $TOP/templates/hints.csv

[input]
settle_seconds = 0

[exchange]
; the regulation's cadence is 10,60,300,900,1800 s; the demo polls faster
poll_schedule = 1,1,2

[transport]
rate = 50

[debt]
; ask for the debt subrequests of the last 30 days and write the workbook
lookback_days = 30
executor_guid = 0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0
INI

echo "== dropping the sample exports into the inbox folders"
for f in samples/*.csv samples/*.xlsx; do
    [ -f "$f" ] || continue
    b=$(basename "$f")
    case "$b" in
        *withdraw*) cp "$f" "$DEMO/inbox/bills-withdraw/" ;;
        payments-cancel*) cp "$f" "$DEMO/inbox/payments-cancel/" ;;   # waits for the payments
        payments*)  cp "$f" "$DEMO/inbox/payments/" ;;
        accounts*)  cp "$f" "$DEMO/inbox/accounts/" ;;
        house-list*|premises*)      # the two-file form: taken together, house by house
                    mkdir -p "$DEMO/inbox/houses" && cp "$f" "$DEMO/inbox/houses/" ;;
        meters-update*|meters-archive*|meters-replace*)   # changes of devices GIS has
                    mkdir -p "$DEMO/inbox/${b%.csv}" && cp "$f" "$DEMO/inbox/${b%.csv}/" ;;
        meters*)    cp "$f" "$DEMO/inbox/meters/" ;;
        readings*)  cp "$f" "$DEMO/inbox/readings/" ;;
        bills*)     cp "$f" "$DEMO/inbox/bills/" ;;
    esac
done
# Documents named in rows (verification certificates) travel with their file.
cp -r samples/attachments "$DEMO/inbox/meters/attachments"
find "$DEMO/inbox" -type f | sed "s|$DEMO/|   |"

echo "== hcsbatch run --wait"
set +e
"$BINDIR/hcsbatch" -c "$DEMO/hcsbatch.ini" run --wait
rc=$?
set -e
echo "   exit code $rc (0 all accepted, 65 some rows rejected — the samples hold bad rows on purpose)"

echo "== debt requests: the accountant answers one subrequest of the workbook"
BOOK=$(ls "$DEMO"/debt/debt-requests-*.xlsx 2>/dev/null | head -n 1)
[ -n "$BOOK" ] || { echo "demo: no debt-request workbook written" >&2; exit 1; }
echo "   workbook: $BOOK"
# The accountant's part: «нет задолженности» in the first row not overdue.
# With openpyxl (python3-openpyxl) the workbook itself is filled and sent
# back; without it, the same answer as a CSV in the workbook's layout.
if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
    /usr/bin/python3 - "$BOOK" "$DEMO/inbox/debt-responses/answers.xlsx" <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1]); ws = wb.active
head = [c.value for c in ws[1]]
state, debt = head.index("Состояние") + 1, head.index("Задолженность") + 1
answer = head.index("Ответ (комментарий)") + 1
for r in range(2, ws.max_row + 1):
    if ws.cell(r, 1).value and ws.cell(r, state).value != "ПРОСРОЧЕН":
        ws.cell(r, debt, "нет задолженности"); ws.cell(r, answer, "Задолженности нет")
        print("   answered:", ws.cell(r, 1).value, ws.cell(r, 2).value)
        break
for r in range(ws.max_row, 1, -1):          # rows left unanswered stay for later
    if ws.cell(r, 1).value and not ws.cell(r, debt).value:
        ws.delete_rows(r)
wb.save(sys.argv[2])
PY
else
    SUB=$("$BINDIR/hcsbatch" -c "$DEMO/hcsbatch.ini" registry --kind debt_subrequest \
          | awk -F'\t' 'index($0, "status=Sent") && index($0, "response=NotSent") { print $2; exit }')
    printf 'Идентификатор подзапроса;Задолженность;Ответ (комментарий)\n%s;нет задолженности;Задолженности нет\n' \
        "$SUB" >"$DEMO/inbox/debt-responses/answers.csv"
    echo "   answered: $SUB"
fi
"$BINDIR/hcsbatch" -c "$DEMO/hcsbatch.ini" run --wait || true
accepted=$(sqlite3 "$DEMO/state.db" "SELECT count(*) FROM elements e JOIN packets p ON p.id = e.packet_id
                                      WHERE p.operation = 'importResponses' AND e.state = 'accepted'" 2>/dev/null || echo 0)
echo "   debt-request answers accepted by GIS: $accepted"
[ "$accepted" -ge 1 ] || { echo "demo: the debt-request answer was not accepted" >&2; exit 1; }

echo "== hcsbatch status"
"$BINDIR/hcsbatch" -c "$DEMO/hcsbatch.ini" status || true

echo "== hcsbatch health (what the daily hcsbatch-health.timer runs)"
"$BINDIR/hcsbatch" -c "$DEMO/hcsbatch.ini" health --prometheus "$DEMO/health.prom" || true

echo "== reports"
find "$DEMO/reports" -type f 2>/dev/null | sed 's/^/   /'
[ -n "$(find "$DEMO/reports" -name '*.xlsx' 2>/dev/null)" ] || { echo "demo: no report written" >&2; exit 1; }
case $rc in 0|65) exit 0 ;; *) exit $rc ;; esac
