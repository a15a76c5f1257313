#!/bin/sh
# Packets whose prerequisites are not done wait for them (run/prereq.h,
# inbox.h): accounts and bills in the inbox while GIS is down.
#  A. The accounts wait (deferred); the bills file waits in its inbox, is
#     not even converted.  GIS back: the simulator's request log shows
#     every account packet answered "done" before the first bills request.
#  B. The same start, then the account packets end failed (the outage made
#     older than [exchange] give_up_after): the bills of those accounts are
#     not sent — although their rows give the account's GIS id — and each
#     is rejected with a Russian reason naming the account, the packet and
#     the file (HCS-PREREQUISITE in errors.csv); bills of other accounts go.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
xl_key "$T/keys"
xl_work "$T/w" "http://127.0.0.1:$PORT/" "$T/keys" "retries = 1
[exchange]
max_backoff = 1"
cd "$T/w"
rm -f inbox/readings/* inbox/bills-withdraw/*
# Account 00010012 is not in this accounts file: its bills (which give its
# GIS id, known to GIS) depend on no packet of ours and go out in B.
grep -a -v '^00010012;' "$HCS_TOP/samples/accounts.csv" >inbox/accounts/accounts.csv

# GIS down: accounts deferred, bills left in the inbox.
set +e
timeout 60 "$HCSBATCH" -c hcsbatch.ini run >down.out 2>down.err
rc=$?
set -e
[ $rc = 69 ] || { cat down.err; xl_fail "run while GIS is down: exit $rc, expected 69"; }
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation = 'importAccountData' AND state = 'deferred'")" -gt 0 ] \
    || xl_fail "no account packet waits for GIS"
[ "$(sqlite3 state.db "SELECT count(*) FROM files WHERE template = 'importPaymentDocumentData'")" = 0 ] \
    || xl_fail "the bills file was taken while its accounts wait"
[ -f inbox/bills/bills.csv ] || xl_fail "the bills file left its inbox"
grep -q "bills.csv waits for importAccountData" down.err || xl_fail "the run does not say the bills wait"
cp -r "$T/w" "$T/b"

xl_sim_on_port() {  # STATE LOG: the simulator on $PORT
    mkdir -p "$1"
    "$SIM" --world "$HCS_TOP/samples/world" --state "$1" --port "$PORT" --schemas "$SCHEMAS_DIR" \
        --log "$2" --processing-ms 300 >"$1.out" 2>"$1.err" &
    SIM_PID=$!
    XL_SIMS="$XL_SIMS $SIM_PID"
    listening_url "$1.out" $SIM_PID >/dev/null || { cat "$1.err"; xl_fail "the simulator did not start"; }
}

# --- A: GIS back, accounts answered first -----------------------------------
xl_sim_on_port "$T/simA" "$T/simA.log"
sleep 1.2
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >a.out 2>a.err
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 65 ] || { cat a.err; xl_fail "A: exit $rc"; }
# the bills wait through several scans of the run, and are said to once
[ "$(grep -c 'bills.csv waits for' a.err)" -le 1 ] || xl_fail "A: the wait was said at every scan: $(grep -c 'bills.csv waits for' a.err)"
sqlite3 state.db "SELECT gis_message_guid FROM packets WHERE operation = 'importAccountData'" >acc.txt
[ -s acc.txt ] || xl_fail "A: no account packet"
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation = 'importPaymentDocumentData' AND state IN ('done', 'done-with-warnings')")" -gt 0 ] \
    || xl_fail "A: no bills packet was answered"
python3 - "$T/simA.log" acc.txt <<'PY' || xl_fail "A: a bills request came before the accounts were done"
import json, sys
log = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
acc = set(open(sys.argv[2]).read().split())
done = [e["n"] for e in log if e.get("gis_message_guid") in acc and "getState" in (e.get("action") or "")
        and e.get("request_state") == 3]
bills = [e["n"] for e in log if e.get("operation") == "importPaymentDocumentData"
         and "getState" not in (e.get("action") or "")]
assert len(done) >= len(acc), ("accounts not all answered done", done, acc)
assert bills, "no bills request"
assert min(bills) > max(done), ("first bills request", min(bills), "last account done", max(done))
print("order ok: accounts done by request", max(done), "; first bills request", min(bills))
PY
xl_check_accounted state.db
xl_stop_sims

# --- B: the account packets fail; their bills are held back -----------------
cd "$T/b"
printf '[exchange]\ngive_up_after = 600\n' >>hcsbatch.ini
sqlite3 state.db "UPDATE packets SET unreachable_since = strftime('%s','now') - 3600, next_at = 0 WHERE unreachable_since > 0"
xl_sim_on_port "$T/simB" "$T/simB.log"
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >b.out 2>b.err
rc=$?
set -e
[ $rc = 65 ] || { cat b.err; xl_fail "B: exit $rc, expected 65"; }
failed=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation = 'importAccountData' AND state = 'failed'")
[ "$failed" -gt 0 ] || xl_fail "B: no account packet failed"
# accounts of the failed packets that bills.csv names
sqlite3 state.db "SELECT DISTINCT e.local_key FROM elements e JOIN packets p ON p.id = e.packet_id
                  WHERE p.operation = 'importAccountData' AND p.state = 'failed'" >failed_accounts.txt
named=$(cut -d';' -f2 "$HCS_TOP/samples/bills.csv" | grep -x -F -f failed_accounts.txt | sort -u | wc -l)
[ "$named" -gt 0 ] || xl_fail "B: bills.csv names none of the failed accounts (test data)"
sent=$(sqlite3 state.db "SELECT count(*) FROM elements e JOIN packets p ON p.id = e.packet_id
                         WHERE p.operation = 'importPaymentDocumentData'
                           AND substr(e.local_key, 1, instr(e.local_key, '|') - 1) IN (
                               SELECT e2.local_key FROM elements e2 JOIN packets p2 ON p2.id = e2.packet_id
                               WHERE p2.operation = 'importAccountData' AND p2.state = 'failed')")
[ "$sent" = 0 ] || xl_fail "B: $sent bills of failed accounts were put in packets"
other=$(sqlite3 state.db "SELECT count(*) FROM elements e JOIN packets p ON p.id = e.packet_id
                          WHERE p.operation = 'importPaymentDocumentData' AND e.local_key LIKE '00010012|%'
                            AND e.state = 'accepted'")
[ "$other" -gt 0 ] || xl_fail "B: the bills of an account no failed packet holds were not sent"
held=$(sqlite3 state.db "SELECT count(*) FROM rejects j JOIN files f ON f.id = j.file_id
                         WHERE f.name = 'bills.csv' AND j.reason LIKE 'лицевой счёт % не загружен в ГИС — его загрузка не удалась%пакет № %файл «accounts.csv»%HCS-SEND%'")
[ "$held" -gt 0 ] || { sqlite3 state.db "SELECT row, reason FROM rejects"; xl_fail "B: no bill held with the reason naming the account packet"; }
err=$(ls reports/*-errors.csv | tail -1)
grep -q ';HCS-PREREQUISITE;"\?лицевой счёт ' "$err" || { cat "$err"; xl_fail "B: errors.csv does not carry HCS-PREREQUISITE"; }
xl_check_log "$T/simB.log" state.db
echo "PASS ($held bill rows held, $failed account packets failed)"
