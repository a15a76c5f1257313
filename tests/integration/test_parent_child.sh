#!/bin/sh
# A file split into several packets: the first is the parent, the others
# record it (packets.parent_id).  GIS processes each packet as a message of
# its own, so when the parent fails as a whole (here: its getStateResult is
# an FMT001300 ErrorMessage) its children are still sent, answered and
# stored, and only the parent's rows end failed with the GIS code.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
# Only the accounts file: request 1 is its first packet (the packets of
# one lane go in order).
xl_sim "$T/sim" "$T/sim.log" --processing-ms 50 --faults "result/importAccountData@1:FMT001300"
xl_work "$T/w" "$SIM_URL" "$T/keys" "[limits]
importAccountData = 3"
cd "$T/w"
rm -f inbox/readings/* inbox/bills/* inbox/bills-withdraw/*
set +e
timeout 120 "$HCSBATCH" -q -c hcsbatch.ini run --wait >run.out 2>run.err
rc=$?
set -e
[ $rc = 65 ] || { tail -20 run.err; xl_fail "run exit $rc, expected 65"; }
xl_check_accounted state.db

q() { sqlite3 state.db "$1"; }
parent=$(q "SELECT p.id FROM packets p JOIN files f ON f.id = p.file_id
            WHERE f.name = 'accounts.csv' AND coalesce(p.parent_id, 0) = 0")
[ -n "$parent" ] || xl_fail "no parent packet for accounts.csv"
[ "$(q "SELECT state || ' ' || error_code FROM packets WHERE id = $parent")" = "failed FMT001300" ] \
    || xl_fail "parent: $(q "SELECT state, error_code FROM packets WHERE id = $parent")"
children=$(q "SELECT count(*) FROM packets WHERE parent_id = $parent")
[ "$children" -ge 2 ] || xl_fail "expected at least two child packets, got $children"
unfinished=$(q "SELECT count(*) FROM packets WHERE parent_id = $parent AND state NOT IN ('done', 'done-with-warnings')")
[ "$unfinished" = 0 ] || xl_fail "$unfinished children of the failed parent did not finish"
accepted=$(q "SELECT count(*) FROM elements e JOIN packets p ON p.id = e.packet_id
              WHERE p.parent_id = $parent AND e.state = 'accepted' AND e.gis_guid IS NOT NULL")
[ "$accepted" -ge 1 ] || xl_fail "no element of a child packet was accepted"
wrong=$(q "SELECT count(*) FROM elements WHERE packet_id = $parent AND NOT (state = 'failed' AND error_code = 'FMT001300')")
[ "$wrong" = 0 ] || xl_fail "$wrong elements of the failed parent not failed with its code"
echo "ok: parent $parent failed FMT001300; its $children children done, $accepted of their elements accepted"
