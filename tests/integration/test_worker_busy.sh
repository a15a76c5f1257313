#!/bin/sh
# A worker and a busy SQLite state database.  Another process holds the
# write lock (as a worker converting a big file does for the whole
# conversion) longer than store.busy_timeout_ms:
#  1. for less than the lease: the worker says so once, tries again at each
#     pass and ends well, every packet answered;
#  2. for longer than the lease: the worker gives up with exit 75 (what it
#     claimed may be another's by then; systemd starts it again).
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
WPID=""
cleanup() {
    [ -z "$WPID" ] || kill -9 "$WPID" 2>/dev/null || :
    xl_cleanup rm -rf "$T"
}
trap cleanup EXIT
xl_key "$T/keys"
W=$T/w
xl_work "$W" "http://127.0.0.1:9/" "$T/keys" "[limits]
importAccountData = 1
[worker]
idle_ms = 100"
rm -f "$W"/inbox/*/*

# hold_lock SECONDS: the write lock on the state database, from when
# $T/locked appears until SECONDS later
hold_lock() {
    rm -f "$T/locked"
    python3 - "$W/state.db" "$T/locked" "$1" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
time.sleep(float(sys.argv[3]))
db.execute("ROLLBACK")
PY
    i=0
    until [ -e "$T/locked" ]; do
        i=$((i + 1)); [ $i -lt 200 ] || xl_fail "the lock was not taken in 10 s"
        sleep 0.05
    done
}

# packets prepared while GIS is unreachable; a worker started against the
# simulator (answers after 2 s), once it has sent them
start_worker() {  # LEASE_SECONDS
    sed -i "s|^base_url = .*|base_url = http://127.0.0.1:9/|" "$W/hcsbatch.ini"
    (cd "$W" && "$HCSBATCH" -q -c hcsbatch.ini run >prep.out 2>&1) || true
    sed -i "s|^base_url = .*|base_url = $SIM_URL|" "$W/hcsbatch.ini"
    (cd "$W" && exec "$HCSBATCH" -c hcsbatch.ini -o store.busy_timeout_ms=200 worker --until-done --lease "$1" \
        >worker.out 2>worker.err) &
    WPID=$!
    i=0
    until [ "$(sqlite3 "$W/state.db" "SELECT count(*) FROM packets WHERE state IN ('sent', 'processing')")" -gt 0 ]; do
        i=$((i + 1)); [ $i -lt 200 ] || { cat "$W/worker.err"; xl_fail "the worker sent nothing in 10 s"; }
        sleep 0.05
    done
}

xl_sim "$T/sim" "$T/sim.log" --processing-ms 2000
head -n 4 "$HCS_TOP/samples/accounts.csv" >"$W/inbox/accounts/three.csv"
start_worker 30
hold_lock 3
st=0; wait "$WPID" || st=$?
WPID=""
[ "$st" = 0 ] || { tail -n 5 "$W/worker.err"; xl_fail "1: the worker ended with $st while the database was busy for 3 s"; }
[ "$(grep -c 'trying again at each pass' "$W/worker.err")" = 1 ] \
    || { cat "$W/worker.err"; xl_fail "1: the worker did not say once that it waits for the busy database"; }
n=$(sqlite3 "$W/state.db" "SELECT count(*) FROM packets WHERE state NOT IN ('done', 'done-with-warnings')")
[ "$n" = 0 ] || xl_fail "1: $n packets not answered"
echo "ok: a database busy for 3 s is waited out"

sed -n 1p "$HCS_TOP/samples/accounts.csv" >"$W/inbox/accounts/more.csv"
sed -n 5,6p "$HCS_TOP/samples/accounts.csv" >>"$W/inbox/accounts/more.csv"
start_worker 2
hold_lock 6
st=0; wait "$WPID" || st=$?
WPID=""
[ "$st" = 75 ] || { tail -n 5 "$W/worker.err"; xl_fail "2: the worker ended with $st, wanted 75 after its 2 s lease"; }
grep -q 'database is locked' "$W/worker.err" || { cat "$W/worker.err"; xl_fail "2: no 'database is locked' message"; }
echo "ok: a database busy past the lease ends the worker with 75"
echo "PASS test_worker_busy"
