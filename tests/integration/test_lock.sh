#!/bin/sh
# Every command that changes the state store takes the run lock (upload:
# its resumable sessions and remembered attachments are state too, and so
# is a convert that uploads the files its rows name)
# (<work_dir>/run.lock): while another process holds it, the command exits
# 75 (try again later) and says why, without touching anything; with the
# lock free, the same command line gets past the lock (any other outcome).
# A command that skipped the lock would pass the first check only by luck
# and fails here.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
command -v flock >/dev/null || xl_fail "flock(1) (util-linux) is needed"
T=$(mktemp -d)
HOLDER=""
# (under set -e a failed kill in the trap would end it before xl_cleanup)
trap '[ -z "$HOLDER" ] || { pkill -P "$HOLDER"; kill "$HOLDER"; } 2>/dev/null || :; xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms 50
xl_work "$T/w" "$SIM_URL" "$T/keys"
cd "$T/w"
# A real state to act on: one run, so that retry/cancel have packets.
timeout 120 "$HCSBATCH" -q -c hcsbatch.ini run --wait || [ $? = 65 ] || xl_fail "first run failed"
PACKET=$(sqlite3 state.db "SELECT min(id) FROM packets")
[ -n "$PACKET" ] || xl_fail "no packet after the first run"

# Each state-changing command, as a user would type it.
COMMANDS="run
send
poll
retry --failed
retry $PACKET
cancel $PACKET
upload --context homemanagement $HCS_TOP/samples/attachments/poverka-xv-41000.pdf
sync houses --wait
convert --op importMeteringDeviceData --out conv $HCS_TOP/samples/meters.csv"

# -o: the sleeping child does not inherit the lock; killing flock frees it.
flock -o run.lock sleep 120 &
HOLDER=$!
i=0
while flock -n run.lock true 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || xl_fail "the lock holder did not take the lock"; sleep 0.05
done
before=$(sqlite3 state.db "SELECT group_concat(id || state || message_guid) FROM packets")
echo "$COMMANDS" | while read -r cmd; do
    set +e
    # shellcheck disable=SC2086
    "$HCSBATCH" -c hcsbatch.ini $cmd >out.txt 2>err.txt
    rc=$?
    set -e
    [ $rc = 75 ] || { cat err.txt >&2; xl_fail "'hcsbatch $cmd' with the lock held: exit $rc, expected 75"; }
    grep -q 'another hcsbatch run holds' err.txt || { cat err.txt >&2; xl_fail "'hcsbatch $cmd': no word of the lock"; }
    echo "locked out: hcsbatch $cmd"
done
after=$(sqlite3 state.db "SELECT group_concat(id || state || message_guid) FROM packets")
[ "$before" = "$after" ] || xl_fail "a locked-out command changed packets"
pkill -P "$HOLDER" sleep 2>/dev/null || true   # its sleeping child, which holds no lock
kill "$HOLDER" 2>/dev/null || true     # it may have ended with its child
wait "$HOLDER" 2>/dev/null || true    # killed on purpose: its status is ours
HOLDER=""

echo "$COMMANDS" | while read -r cmd; do
    set +e
    # shellcheck disable=SC2086
    timeout 60 "$HCSBATCH" -q -c hcsbatch.ini $cmd >out.txt 2>err.txt
    rc=$?
    set -e
    [ $rc != 75 ] || { cat err.txt >&2; xl_fail "'hcsbatch $cmd' with the lock free: exit 75"; }
    echo "lock free: hcsbatch $cmd → exit $rc"
done
echo "ok"
