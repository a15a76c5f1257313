#!/bin/sh
# Operator actions against hcs-sim: a wrong orgPPAGUID makes GIS refuse every
# packet (AUT…) — the packets fail and are reported (exit 65, not retried);
# after fixing the configuration `hcsbatch retry --failed` rebuilds them with
# new MessageGUIDs (old ones recorded as abandoned) and the next run gets
# them accepted.  With GIS in maintenance (INT002029) packets are deferred;
# `hcsbatch cancel` takes one out for good; an acknowledged packet cannot be
# cancelled.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms 100
xl_work "$T/w" "$SIM_URL" "$T/keys"
cd "$T/w"
rm -f inbox/bills/* inbox/bills-withdraw/*
ORG=$(sed -n 's/^org_ppa_guid = //p' hcsbatch.ini)
WRONG=0c0ffee0-0000-4000-8000-000000000000

set +e
timeout 120 "$HCSBATCH" -q -c hcsbatch.ini -o gis.org_ppa_guid=$WRONG run --wait
rc=$?
set -e
[ $rc = 65 ] || xl_fail "run with a wrong provider: exit $rc, expected 65"
failed=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state='failed'")
all=$(sqlite3 state.db "SELECT count(*) FROM packets")
[ "$failed" = "$all" ] && [ "$all" -gt 0 ] || xl_fail "$failed of $all packets failed"
codes=$(sqlite3 state.db "SELECT DISTINCT error_code FROM packets")
echo "failed with: $codes"
case $codes in AUT*|INT*) ;; *) xl_fail "unexpected codes: $codes" ;; esac
[ "$(sqlite3 state.db "SELECT count(*) FROM elements WHERE state='failed' AND error_text IS NOT NULL")" -gt 0 ] \
    || xl_fail "elements of failed packets not marked failed with the GIS text"
"$HCSBATCH" -c hcsbatch.ini status | grep -q "Failed packets" || xl_fail "status does not list failed packets"

# cancel refuses a packet GIS has answered
set +e
"$HCSBATCH" -q -c hcsbatch.ini cancel 1 2>cancel.err
rc=$?
set -e
[ $rc = 65 ] || xl_fail "cancel of a failed packet: exit $rc"

old=$(sqlite3 state.db "SELECT message_guid FROM packets WHERE id=1")
"$HCSBATCH" -q -c hcsbatch.ini retry --failed
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state='prepared'")" = "$all" ] || xl_fail "retry did not queue"
new=$(sqlite3 state.db "SELECT message_guid FROM packets WHERE id=1")
[ "$old" != "$new" ] || xl_fail "retry kept the MessageGUID"
[ "$(sqlite3 state.db "SELECT reason FROM packet_messages WHERE message_guid='$old'")" = "operator retry" ] \
    || xl_fail "old MessageGUID not recorded as abandoned"
set +e
timeout 120 "$HCSBATCH" -q -c hcsbatch.ini run --wait
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 65 ] || xl_fail "run after retry: exit $rc"
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state IN ('done','done-with-warnings')")" = "$all" ] \
    || xl_fail "retried packets not done"
xl_check_accounted state.db
XL_REBUILD_CODES=EXP001000,AUT001102 xl_check_log "$T/sim.log" state.db

# maintenance: everything deferred; cancel one; the rest stays queued
xl_stop_sims
xl_sim "$T/sim2" "$T/sim2.log" --processing-ms 100 --faults maintenance=1
xl_work "$T/m" "$SIM_URL" "$T/keys"
cd "$T/m"
sed -i 's/^maintenance_delay = 1$/maintenance_delay = 3600/' hcsbatch.ini
rm -f inbox/bills/* inbox/bills-withdraw/*
set +e
"$HCSBATCH" -q -c hcsbatch.ini run
rc=$?
set -e
# deferred packets are not a failure of the run: 0, or 65 for the samples' rejected rows
[ $rc = 0 ] || [ $rc = 65 ] || xl_fail "run under maintenance: exit $rc"
deferred=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state='deferred'")
[ "$deferred" -ge 1 ] || xl_fail "no packet deferred under maintenance"
[ "$(sqlite3 state.db "SELECT error_code FROM packets WHERE state='deferred' LIMIT 1")" = INT002029 ] \
    || xl_fail "deferred without INT002029"
id=$(sqlite3 state.db "SELECT id FROM packets WHERE state='deferred' LIMIT 1")
"$HCSBATCH" -q -c hcsbatch.ini cancel "$id"
[ "$(sqlite3 state.db "SELECT state FROM packets WHERE id=$id")" = cancelled ] || xl_fail "not cancelled"
[ "$(sqlite3 state.db "SELECT count(*) FROM elements WHERE packet_id=$id AND state<>'cancelled'")" = 0 ] \
    || xl_fail "elements of the cancelled packet not cancelled"
"$HCSBATCH" -c hcsbatch.ini status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["packets"].get("cancelled") == 1, d["packets"]'
echo PASS
