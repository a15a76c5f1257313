#!/bin/sh
# test_debt_requests — the debt-request round trip through the simulator
# over real HTTP (docs/debt-requests.md): the run asks for the subrequests
# (exportDebtSubrequests, 14.5.0.1 package) and writes the accountant's
# workbook (open ones only, sorted by deadline, overdue marked, drop-down
# lists); the test fills it with openpyxl and puts it into the inbox; the
# next run sends the answers (importResponses, a court decision uploaded
# through the file store): two accepted, an overdue subrequest and an
# unknown one refused by GIS, an answer outside the allowed values rejected
# on its row with a clear reason; the run after shows the answered ones gone.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
PY=/usr/bin/python3
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
EXECUTOR=0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0
# the world's subrequests (samples/world/subrequests.csv) by request number
sub_of() { awk -F';' -v n="$1" '$3 == n { print $1 }' "$HCS_TOP/samples/world/subrequests.csv"; }
S1=$(sub_of ДЗ-2026-00017)   # due in 2 days
S2=$(sub_of ДЗ-2026-00018)   # due in 9 days
S3=$(sub_of ДЗ-2026-00011)   # overdue (deadline yesterday)
S4=$(sub_of ДЗ-2026-00009)   # processed: closed
[ -n "$S1" ] && [ -n "$S2" ] && [ -n "$S3" ] && [ -n "$S4" ] || xl_fail "world subrequests missing"
UNKNOWN=9e5a3c64-7f1b-4da5-9a6e-5c2b1f0d4e15
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms 50
xl_work "$T/w" "$SIM_URL" "$T/keys" "[report]
metrics_file = metrics.prom
[debt]
lookback_days = 30
fetch_interval_hours = 0
executor_guid = $EXECUTOR"
cd "$T/w"
rm -f inbox/*/*
hb() { timeout 120 "$HCSBATCH" -c hcsbatch.ini "$@"; }

"$HCSBATCH" ops | grep -q '^exportDebtSubrequests .*debt-requests .*14\.5\.0\.1' || xl_fail "ops: exportDebtSubrequests"
"$HCSBATCH" -c hcsbatch.ini ops | grep -q '^importResponses .*100 .*14\.5\.0\.1 .*inbox/debt-responses .*importResponses' \
    || { "$HCSBATCH" -c hcsbatch.ini ops; xl_fail "ops: importResponses"; }
"$HCSBATCH" -c hcsbatch.ini ops --json | $PY -c '
import json, sys
ops = {o["operation"]: o for o in json.load(sys.stdin)}
assert ops["importAccountData"]["package"] == "12.2.2.15" and ops["importAccountData"]["element_limit"] == 100
assert ops["importResponses"]["package"] == "14.5.0.1" and ops["importResponses"]["limited_element"] == "action"
assert ops["importResponses"]["inbox"] == "inbox/debt-responses"
assert len(ops) >= 24' || xl_fail "ops --json"

# НСИ 358 for the document type drop-down and the converter
hb sync nsi --wait >/dev/null 2>"$T/nsi.err" || { cat "$T/nsi.err"; xl_fail "sync nsi"; }

# 1. the nightly run fetches the subrequests and writes the workbook
hb run --wait >"$T/run1.out" 2>"$T/run1.err" || { cat "$T/run1.out" "$T/run1.err"; xl_fail "run 1"; }
grep -q "debt requests: 3 open, 2 due within 2 working days, 1 overdue; workbook: " "$T/run1.out" \
    || { cat "$T/run1.out" "$T/run1.err"; xl_fail "run 1: debt counts"; }
[ "$(sqlite3 state.db "SELECT state FROM packets WHERE operation = 'exportDebtSubrequests'")" = done ] \
    || xl_fail "exportDebtSubrequests packet not done"
grep -q '<s:exportDSRsRequest[^>]*base:version="14.0.0.0"' archive/packets/exportDebtSubrequests-*.xml \
    || xl_fail "export request element/version"
[ "$(sqlite3 state.db "SELECT count(*) FROM registry WHERE kind = 'debt_subrequest'")" = 4 ] \
    || xl_fail "4 subrequests in the registry"
REPORT=$(sed -n 's/^report: //p' "$T/run1.out")
$PY - "$REPORT" <<'PY' || xl_fail "the run's report: debt-request counts on «Сводка»"
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])["Сводка"]
got = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r and r[0]}
assert got.get("Запросов о задолженности без ответа") == 3, got
assert got.get("из них срок ответа ≤ 2 рабочих дней") == 2, got
assert got.get("из них просрочено") == 1, got
PY
grep -q '^hcsbatch_debt_requests{due="within_2_working_days"} 2$' metrics.prom \
    && grep -q '^hcsbatch_debt_requests{due="overdue"} 1$' metrics.prom || { cat metrics.prom; xl_fail "metrics: debt requests"; }
BOOK=$(ls debt/debt-requests-*.xlsx)
mkdir -p inbox/debt-responses/court
printf '%%PDF-1.4 решение суда по делу 2-123/2026\n' >inbox/debt-responses/court/reshenie-2-123.pdf

$PY - "$BOOK" "$T/answers.xlsx" "$S1" "$S2" "$S3" "$S4" "$UNKNOWN" <<'PY' || xl_fail "workbook check/fill"
import sys, openpyxl
book, out, s1, s2, s3, s4, unknown = sys.argv[1:]
wb = openpyxl.load_workbook(book)
ws = wb["Подзапросы"]
head = [c.value for c in ws[1]]
for h in ("Идентификатор подзапроса", "Номер запроса", "Заявитель", "Адрес", "Период", "Срок ответа",
          "Задолженность", "Ответ (комментарий)", "Файл судебного акта", "Документ о задолженности"):
    assert h in head, (h, head)
col = {h: i for i, h in enumerate(head)}
rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2) if r[0].value]
guids = [r[0] for r in rows]
assert guids == [s3, s1, s2], guids                      # by deadline; the processed one absent
assert s4 not in guids
assert rows[0][col["Состояние"]] == "ПРОСРОЧЕН", rows[0]
assert rows[1][col["Состояние"]].startswith("срок"), rows[1]
assert rows[2][col["Состояние"]] == "открыт", rows[2]
assert "Свободы, д. 12, кв. 5" in rows[1][col["Адрес"]]
assert "социальной защиты" in rows[1][col["Заявитель"]]
lists = {}
for dv in ws.data_validations.dataValidation:
    lists[str(dv.sqref).split(":")[0]] = dv.formula1
debt_cell = openpyxl.utils.get_column_letter(col["Задолженность"] + 1) + "2"
doc_cell = openpyxl.utils.get_column_letter(col["Документ о задолженности"] + 1) + "2"
assert lists.get(debt_cell) == '"нет задолженности,есть задолженность"', lists
assert "Решение суда" in (lists.get(doc_cell) or ""), lists
def fill(r, **kv):
    for k, v in kv.items():
        ws.cell(row=r, column=col[k] + 1, value=v)
fill(2, **{"Задолженность": "нет задолженности"})                     # overdue: GIS refuses
fill(3, **{"Задолженность": "нет задолженности", "Ответ (комментарий)": "Задолженности нет"})
fill(4, **{"Задолженность": "есть задолженность", "Фамилия должника": "Петров", "Имя должника": "Иван",
           "Отчество должника": "Сергеевич", "Документ о задолженности": "Решение суда",
           "Файл судебного акта": "court/reshenie-2-123.pdf"})
ws.cell(row=5, column=1, value=unknown)
fill(5, **{"Номер запроса": "ДЗ-2026-99999", "Задолженность": "нет задолженности"})
ws.cell(row=6, column=1, value=s2)
fill(6, **{"Номер запроса": "ДЗ-2026-00018", "Задолженность": "может быть"})
wb.save(out)
PY
cp "$T/answers.xlsx" inbox/debt-responses/answers.xlsx

# 2. the answers go out
set +e
hb run --wait >"$T/run2.out" 2>"$T/run2.err"; rc=$?
set -e
[ $rc = 65 ] || { cat "$T/run2.out" "$T/run2.err"; xl_fail "run 2: exit $rc, expected 65 (rows refused)"; }
# accepted answers leave the workbook at once (registry kind debt_answer)
grep -q "debt requests: 1 open, 1 due within 2 working days, 1 overdue" "$T/run2.out" \
    || { cat "$T/run2.out"; xl_fail "run 2: answered subrequests still in the workbook"; }
xl_outcomes state.db >"$T/outcomes"
grep -q '^answers.xlsx|2|error|INT002018$' "$T/outcomes" || { cat "$T/outcomes"; xl_fail "overdue answer not refused"; }
grep -q '^answers.xlsx|3|accepted|$' "$T/outcomes" || { cat "$T/outcomes"; xl_fail "answer 1 not accepted"; }
grep -q '^answers.xlsx|4|accepted|$' "$T/outcomes" || { cat "$T/outcomes"; xl_fail "answer with a court decision not accepted"; }
grep -q '^answers.xlsx|5|error|INT002000$' "$T/outcomes" || { cat "$T/outcomes"; xl_fail "unknown subrequest not refused"; }
grep -q '^answers.xlsx|6|rejected|недопустимое значение; ожидается одно из: нет задолженности, .*есть задолженность' "$T/outcomes" \
    || { cat "$T/outcomes"; xl_fail "invalid value not rejected on its row"; }
ERRS=$(sed -n 's/^errors: //p' "$T/run2.out")
grep -q '^answers.xlsx;6;Задолженность;может быть;' "$ERRS" || { cat "$ERRS"; xl_fail "errors.csv: the invalid answer's row, column and value"; }
P=$(ls archive/packets/importResponses-*.xml)
grep -q 'base:version="14.0.0.0"' "$P" || xl_fail "importResponses version"
grep -q "<drs:hasDebt>true</drs:hasDebt><drs:executorGUID>$EXECUTOR</drs:executorGUID><drs:debtInfo><drs:person><drs:firstName>Иван</drs:firstName><drs:lastName>Петров</drs:lastName>" "$P" \
    || xl_fail "the answer with a debt: debtor not sent"
grep -q "<drs:type><nsi-base:Code>2</nsi-base:Code>" "$P" || xl_fail "НСИ 358 document type not sent"
grep -q '<base:Name>reshenie-2-123.pdf</base:Name>' "$P" || xl_fail "court decision not attached"
SIMDB="$T/sim/sim-state.sqlite"
[ "$(sqlite3 "$SIMDB" "SELECT response_status || '/' || has_debt FROM subrequests WHERE subrequest_guid = '$S1'")" = "Sent/false" ] \
    || xl_fail "simulator: S1 not answered"
[ "$(sqlite3 "$SIMDB" "SELECT response_status || '/' || has_debt FROM subrequests WHERE subrequest_guid = '$S2'")" = "Sent/true" ] \
    || xl_fail "simulator: S2 not answered"
[ "$(sqlite3 "$SIMDB" "SELECT response_status FROM subrequests WHERE subrequest_guid = '$S3'")" = NotSent ] \
    || xl_fail "simulator: overdue S3 changed"

# 3. the next run: GIS's own answer (responseStatus Sent) keeps them out
hb run --wait >"$T/run3.out" 2>"$T/run3.err" || { cat "$T/run3.out" "$T/run3.err"; xl_fail "run 3"; }
grep -q "debt requests: 1 open, 1 due within 2 working days, 1 overdue" "$T/run3.out" \
    || { cat "$T/run3.out"; xl_fail "run 3: answered subrequests still open"; }
# 4. runs every few minutes ask once: within debt.fetch_interval_hours no new export
n=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation = 'exportDebtSubrequests'")
[ "$n" = 3 ] || xl_fail "one export per run expected with fetch_interval_hours = 0, got $n"
hb -o debt.fetch_interval_hours=20 run --wait >"$T/run4.out" 2>&1 || { cat "$T/run4.out"; xl_fail "run 4"; }
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation = 'exportDebtSubrequests'")" = 3 ] \
    || xl_fail "run 4 asked again within fetch_interval_hours"
# 5. sync debt: a chosen sending period, checked like the schema says
set +e
hb sync debt >/dev/null 2>&1; rc1=$?
hb sync debt --from 2026-01-01 --to 2026-07-02 >/dev/null 2>"$T/sync6.err"; rc2=$?
set -e
[ $rc1 = 64 ] && [ $rc2 = 64 ] && grep -q "6 months" "$T/sync6.err" || xl_fail "sync debt usage: $rc1 $rc2"
hb sync debt --from "$(date -u -d '-60 days' +%Y-%m-%d)" --to "$(date -u +%Y-%m-%d)" --wait >"$T/sync.out" 2>&1 \
    || { cat "$T/sync.out"; xl_fail "sync debt"; }
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation = 'exportDebtSubrequests' AND state = 'done'")" = 4 ] \
    || xl_fail "sync debt: the export not done"
echo "debt requests round trip: ok"
