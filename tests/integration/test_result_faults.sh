#!/bin/sh
# Result-level faults: GIS acknowledges a message and later answers its
# getState with an ErrorMessage (RequestState 3).  hcs-sim injects that with
# `--faults result/OP@N[:CODE]`.  The error policy says EXP001000 there means
# "rebuild with a new MessageGUID and send again": every packet so answered
# must end as in a clean run, with the first MessageGUID recorded as
# abandoned and exactly one further send.  A handler that failed the packet
# instead would change the outcome of its rows.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_clean_outcomes "$T" "$T/clean.txt" --processing-ms 100

# Every import sent among the first 40 requests gets an EXP001000 result:
# each packet is rebuilt once (its second message comes later than that).
xl_sim "$T/f-sim" "$T/faults.log" --processing-ms 100 \
    --faults "result/importAccountData@1-40,result/importPaymentDocumentData@1-40"
xl_work "$T/f" "$SIM_URL" "$T/keys"
cd "$T/f"
set +e
timeout 180 "$HCSBATCH" -c hcsbatch.ini run --wait >run.out 2>run.err
rc=$?
set -e
[ $rc = 65 ] || { tail -20 run.err; xl_fail "run exit $rc, expected 65 (the samples hold bad rows)"; }
xl_integrity state.db
xl_check_accounted state.db
xl_outcomes state.db >"$T/faults.txt"
if ! cmp -s "$T/clean.txt" "$T/faults.txt"; then
    diff "$T/clean.txt" "$T/faults.txt" | head -20 >&2
    xl_fail "outcomes with EXP001000 results differ from the clean run"
fi

python3 - "$T/faults.log" state.db <<'PY' || xl_fail "rebuild check failed"
import json, sqlite3, sys
log, dbpath = sys.argv[1], sys.argv[2]
db = sqlite3.connect(dbpath)
entries = [json.loads(l) for l in open(log, encoding="utf-8")]
injected = {e["message_guid"] for e in entries if e.get("fault") == "result" and e.get("message_guid")}
assert injected, "no result fault was injected: the test proves nothing"
abandoned = {m: p for p, m in db.execute("SELECT packet_id, message_guid FROM packet_messages")}
missing = injected - set(abandoned)
assert not missing, "answered EXP001000 but not rebuilt: %s" % sorted(missing)
for m in injected:
    p = abandoned[m]
    state, current = db.execute("SELECT state, message_guid FROM packets WHERE id=?", (p,)).fetchone()
    assert state in ("done", "done-with-warnings"), "packet %s ended %s" % (p, state)
    assert current != m, "packet %s kept the MessageGUID GIS failed" % p
    sends = [e for e in entries if e.get("message_guid") == current and e.get("action") != "getState"]
    assert sends, "packet %s: its new MessageGUID was never sent" % p
print("result faults: %d messages answered EXP001000, each packet rebuilt once and done" % len(injected))
PY
echo "ok"
