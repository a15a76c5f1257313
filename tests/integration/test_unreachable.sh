#!/bin/sh
# GIS unreachable: nothing listens at gis.base_url.  The run converts and
# prepares the packets, retries with back-off, gives up with exit 69 and
# keeps every packet; status shows them waiting; a later run against the
# simulator sends them under the same MessageGUIDs ('hcsbatch send'), and
# 'hcsbatch poll --wait' collects the results.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_stop_sims; rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_work "$T/w" "http://127.0.0.1:1/" "$T/keys" "retries = 3"
cd "$T/w"
rm -f inbox/bills/* inbox/bills-withdraw/*
set +e
timeout 60 "$HCSBATCH" -c hcsbatch.ini run >run.out 2>run.err
rc=$?
set -e
cat run.out
[ $rc = 69 ] || { cat run.err; xl_fail "exit $rc, expected 69"; }
grep -q "GIS unreachable" run.out || xl_fail "no unreachable message"
n=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state='prepared'")
[ "$n" -gt 0 ] || xl_fail "packets not kept"
sqlite3 state.db "SELECT message_guid FROM packets ORDER BY id" >before.txt
"$HCSBATCH" -c hcsbatch.ini status | grep -q "waits for send" || xl_fail "status does not show waiting packets"

xl_sim "$T/sim" "$T/sim.log" --processing-ms 100
sed -i "s|^base_url = .*|base_url = $SIM_URL|" hcsbatch.ini
# send only (after exchange.transient_delay), then poll only
sleep 2
# prepared "an hour ago": sent with a fresh Date, same MessageGUID, signature still valid
touch -d "1 hour ago" archive/packets/*.xml
"$HCSBATCH" -q -c hcsbatch.ini send || xl_fail "send failed"
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state='sent'")" = "$n" ] || xl_fail "send did not send all: $(sqlite3 state.db "SELECT id, state, next_at, attempts, error_code FROM packets")"
[ "$(sqlite3 state.db "SELECT count(*) FROM files")" = 2 ] || xl_fail "send took files"
set +e
timeout 120 "$HCSBATCH" -q -c hcsbatch.ini poll --wait
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 65 ] || xl_fail "poll exit $rc"
sqlite3 state.db "SELECT message_guid FROM packets ORDER BY id" >after.txt
cmp -s before.txt after.txt || xl_fail "MessageGUIDs changed although GIS never saw them"
xl_check_accounted state.db
xl_check_log "$T/sim.log" state.db
echo PASS
