#!/bin/sh
# A worker whose lease runs out while its send is on the way (issue 17).
# The simulator records the first importAccountData and then holds its answer
# back for 8 s (stall fault); the lease is 1 s, so a second worker takes the
# packet over, sends it again under the same MessageGUID (GIS answers a
# repeat with the first ack) and records the ack.  When the first worker's
# late answer arrives the packet is no longer unsent: that worker must leave
# it to the other (not stop with an internal error), and both end well.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=${KEEP:-$(mktemp -d)}
WPIDS=""
cleanup() {
    for p in $WPIDS; do kill -9 "$p" 2>/dev/null || true; done
    xl_stop_sims
    [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
xl_key "$T/keys"
W=$T/w
xl_work "$W" "http://127.0.0.1:9/" "$T/keys" "[limits]
importAccountData = 1
[worker]
lease_seconds = 1
claim_limit = 5
idle_ms = 100"
rm -f "$W"/inbox/*/*
head -n 2 "$HCS_TOP/samples/accounts.csv" >"$W/inbox/accounts/one.csv"
(cd "$W" && "$HCSBATCH" -q -c hcsbatch.ini run >prep.out 2>&1) || true
n=$(sqlite3 "$W/state.db" "SELECT count(*) FROM packets WHERE state IN ('prepared', 'deferred')")
[ "$n" = 1 ] || { cat "$W/prep.out"; xl_fail "$n packets prepared, wanted 1"; }
a0=$(sqlite3 "$W/state.db" "SELECT attempts FROM packets")

xl_sim "$T/sim" "$T/sim.log" --processing-ms 100 --faults "stall/importAccountData@1-1:8s"
sed -i "s|^base_url = .*|base_url = $SIM_URL|; s|^timeout = .*|timeout = 30|" "$W/hcsbatch.ini"
(cd "$W" && exec "$HCSBATCH" -c hcsbatch.ini worker --until-done >a.out 2>a.err) &
A=$!; WPIDS=$A
i=0
until [ "$(sqlite3 "$W/state.db" "SELECT attempts FROM packets" 2>/dev/null || echo "$a0")" -gt "$a0" ]; do
    i=$((i + 1)); [ $i -lt 200 ] || xl_fail "worker A sent nothing in 10 s"
    sleep 0.05
done
sleep 2                                     # A's lease has run out; its answer is still held back
(cd "$W" && exec "$HCSBATCH" -c hcsbatch.ini worker --until-done >b.out 2>b.err) &
B=$!; WPIDS="$A $B"
sa=0; wait "$A" || sa=$?
sb=0; wait "$B" || sb=$?
WPIDS=""
[ "$sa" = 0 ] && [ "$sb" = 0 ] || { tail -n 5 "$W/a.err" "$W/b.err"; xl_fail "workers ended with $sa and $sb, wanted 0 and 0"; }
grep -q 'taken over by another worker' "$W/a.err" || { cat "$W/a.err"; xl_fail "worker A did not say that the packet was taken over"; }
st=$(sqlite3 "$W/state.db" "SELECT state FROM packets")
[ "$st" = done ] || xl_fail "packet ended $st, wanted done"
n=$(sqlite3 "$W/state.db" "SELECT count(*) FROM elements WHERE state = 'accepted' AND gis_guid IS NOT NULL")
[ "$n" = 1 ] || xl_fail "$n elements accepted with a GUID, wanted 1"
python3 - "$T/sim.log" <<'PY' || xl_fail "request log check failed"
import json, sys
e = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
imp = [x for x in e if x.get("action") == "importAccountData"]
guids = {x.get("message_guid") for x in imp}
first = [x for x in imp if not x.get("duplicate")]
assert len(imp) == 2, "importAccountData requests: %d, wanted 2 (A's and B's)" % len(imp)
assert len(guids) == 1, "sent under %d MessageGUIDs, wanted one" % len(guids)
assert len(first) == 1, "accepted %d times, wanted once" % len(first)
PY
echo "PASS test_worker_takeover"
