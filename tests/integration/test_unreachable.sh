#!/bin/sh
# GIS unreachable: nothing listens at gis.base_url.  The run converts and
# prepares the packets, retries with back-off, gives up with exit 69 and
# keeps every packet (deferred, none failed); status shows them waiting; a later run against the
# simulator sends them under the same MessageGUIDs ('hcsbatch send'), and
# 'hcsbatch poll --wait' collects the results.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
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
n=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state IN ('prepared', 'deferred')")
[ "$n" -gt 0 ] || xl_fail "packets not kept"
# the packets GIS did not answer wait, deferred, with the outage's start
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state='deferred' AND unreachable_since > 0")" -gt 0 ] ||
    xl_fail "no packet deferred for the outage"
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state NOT IN ('prepared', 'deferred')")" = 0 ] ||
    xl_fail "a packet was finished although GIS never answered"
sqlite3 state.db "SELECT message_guid FROM packets ORDER BY id" >before.txt
"$HCSBATCH" -c hcsbatch.ini status >status.out
grep -q "waits for send" status.out || xl_fail "status does not show waiting packets"
grep -q "^GIS unreachable since " status.out || xl_fail "status does not say since when GIS is unreachable"
# the report says it too
python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); sys.exit(not any("ГИС ЖКХ недоступна с " in z.read(n).decode("utf-8", "replace") for n in z.namelist()))' reports/*.xlsx || xl_fail "the report does not say since when GIS is unreachable"

# [exchange] give_up_after: in a copy, the outage made an hour old ends the
# packets GIS never answered, with the reason; the others are not touched.
cp -r "$T/w" "$T/giveup"
printf '[exchange]\ngive_up_after = 600\n' >>"$T/giveup/hcsbatch.ini"
(cd "$T/giveup" &&
    sqlite3 state.db "UPDATE packets SET unreachable_since = strftime('%s','now') - 3600, next_at = 0 WHERE unreachable_since > 0" &&
    sqlite3 state.db "SELECT id FROM packets WHERE unreachable_since > 0 ORDER BY id" >old.txt)
set +e
(cd "$T/giveup" && "$HCSBATCH" -q -c hcsbatch.ini send >/dev/null 2>&1)
set -e
given=$(sqlite3 "$T/giveup/state.db" "SELECT id FROM packets WHERE state='failed' AND error_code='HCS-SEND' AND error_text LIKE '%не отвечает с%give_up_after%' ORDER BY id")
[ -n "$given" ] && [ "$given" = "$(cat "$T/giveup/old.txt")" ] || xl_fail "give_up_after did not end exactly the old packets: $given"

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
