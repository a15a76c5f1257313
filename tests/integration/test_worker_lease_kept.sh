#!/bin/sh
# A worker keeps the claim of an inbox file while its work outlasts the
# lease.  The accounts file names houses the registry does not know: the
# worker exports them first (the chain) and waits for GIS, which takes 6 s
# to answer exportHouseData; the lease is 2 s.  A second worker started
# meanwhile must pass the file by.  Checked: both end well, the file is
# converted once by the first worker (no "took it over"), each house is
# exported once.  On SQLite and, when tests/lib/pg_throwaway.sh started a
# server, on PostgreSQL (the renewal then goes through a connection of its
# own).  And a file that leaves the inbox during that wait (`run`).
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
WPIDS=""
cleanup() {
    for p in $WPIDS; do kill -9 "$p" 2>/dev/null || :; done
    xl_cleanup rm -rf "$T"
}
trap cleanup EXIT
xl_key "$T/keys"

wait_chain() {  # SIM_LOG STDERR: until the chain's first exportHouseData reached the simulator
    _i=0
    until grep -q '"action":"exportHouseData"' "$1" 2>/dev/null; do
        _i=$((_i + 1)); [ $_i -lt 200 ] || { cat "$2"; xl_fail "no exportHouseData in 10 s"; }
        sleep 0.05
    done
}

one_driver() {
    DRIVER=$1
    W=$T/w-$DRIVER
    extra="[worker]
lease_seconds = 2
idle_ms = 100"
    if [ "$DRIVER" = postgres ]; then
        psql -X -q "$HCS_TEST_PG_CONNINFO" -c "DROP SCHEMA IF EXISTS kept CASCADE" -c "CREATE SCHEMA kept" \
            >/dev/null 2>&1 || xl_fail "postgres: cannot make the schema"
        extra="$extra
[store]
driver = postgres
conninfo = $HCS_TEST_PG_CONNINFO options='-c search_path=kept'"
    fi
    xl_sim "$T/sim-$DRIVER" "$T/sim-$DRIVER.log" --processing-ms "default=100,exportHouseData=6000"
    xl_work "$W" "$SIM_URL" "$T/keys" "$extra"
    rm -f "$W"/inbox/*/*
    cp "$HCS_TOP/samples/local-keys/accounts.csv" "$W/inbox/accounts/"
    (cd "$W" && exec "$HCSBATCH" -c hcsbatch.ini worker --until-done >a.out 2>a.err) &
    A=$!; WPIDS=$A
    wait_chain "$T/sim-$DRIVER.log" "$W/a.err"
    (cd "$W" && exec "$HCSBATCH" -c hcsbatch.ini worker --until-done >b.out 2>b.err) &
    B=$!; WPIDS="$A $B"
    sa=0; wait "$A" || sa=$?
    sb=0; wait "$B" || sb=$?
    WPIDS=""
    [ "$sa" = 0 ] || [ "$sa" = 65 ] || { tail -n 5 "$W/a.err"; xl_fail "$DRIVER: worker A ended with $sa"; }
    [ "$sb" = 0 ] || [ "$sb" = 65 ] || { tail -n 5 "$W/b.err"; xl_fail "$DRIVER: worker B ended with $sb"; }
    if grep -h 'took it over' "$W/a.err" "$W/b.err"; then
        xl_fail "$DRIVER: the file was taken over while its first worker waited for the chain"
    fi
    n=$(grep -c '"action":"exportHouseData"' "$T/sim-$DRIVER.log")
    [ "$n" = 3 ] || xl_fail "$DRIVER: $n exportHouseData requests (3 houses: each once)"
    grep -q 'taking .*accounts.csv' "$W/a.err" || { cat "$W/a.err"; xl_fail "$DRIVER: worker A did not take the file"; }
    ! grep -q 'taking .*accounts.csv' "$W/b.err" || xl_fail "$DRIVER: worker B took the file too"
    [ -z "$(ls "$W/inbox/accounts")" ] || xl_fail "$DRIVER: the file is still in the inbox"
    echo "ok: $DRIVER: the claim was kept through a 6 s chain wait with a 2 s lease"
    xl_stop_sims
}

# A file that leaves the inbox while it is being taken (the worker that took
# it over moved it, or somebody did): the run that waited for the chain
# finds it gone, stores nothing of it and ends well (it used to record the
# file as rejected, "cannot open", and fail moving it: exit 73).
xl_sim "$T/sim-gone" "$T/sim-gone.log" --processing-ms "default=100,exportHouseData=3000"
W=$T/gone
xl_work "$W" "$SIM_URL" "$T/keys"
rm -f "$W"/inbox/*/*
cp "$HCS_TOP/samples/local-keys/accounts.csv" "$W/inbox/accounts/"
(cd "$W" && exec "$HCSBATCH" -c hcsbatch.ini run --wait >run.out 2>run.err) &
R=$!; WPIDS=$R
wait_chain "$T/sim-gone.log" "$W/run.err"
mv "$W/inbox/accounts/accounts.csv" "$T/moved.csv"
st=0; wait "$R" || st=$?
WPIDS=""
[ "$st" = 0 ] || [ "$st" = 65 ] || { tail -n 5 "$W/run.err"; xl_fail "gone: the run ended with $st"; }
grep -q 'accounts.csv: gone from the inbox while it was being taken; nothing stored' "$W/run.err" \
    || { cat "$W/run.err"; xl_fail "gone: the run did not say the file left"; }
n=$(sqlite3 "$W/state.db" "SELECT count(*) FROM files")
[ "$n" = 0 ] || xl_fail "gone: $n files rows stored for a file that left the inbox"
[ -z "$(ls "$W/rejected" 2>/dev/null)" ] || xl_fail "gone: something was rejected: $(ls "$W/rejected")"
echo "ok: a file gone from the inbox during its chain wait: nothing stored, exit $st"
xl_stop_sims

one_driver sqlite
if [ -n "${HCS_TEST_PG_CONNINFO:-}" ]; then
    one_driver postgres
else
    echo "SKIP test_worker_lease_kept on PostgreSQL: no server (tests/lib/pg_throwaway.sh starts one)"
fi
echo "PASS test_worker_lease_kept"
