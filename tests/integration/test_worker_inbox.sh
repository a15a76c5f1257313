#!/bin/sh
# Workers take the inbox (issue 17): two `hcsbatch worker` processes share
# one work directory (as hosts share it over NFS) and one state database —
# SQLite, and PostgreSQL when tests/lib/pg_throwaway.sh started a server
# (HCS_TEST_PG_CONNINFO).  The inbox holds 3 account files and 2 meter
# files whose rows name the same 30 MB certificate (6 file store parts;
# filestore.rate = 2 makes its upload take seconds).  The worker holding
# the upload's claim is killed (kill -9) once GIS confirmed a part of it,
# in the middle of that meter file's intake.  The other worker takes the
# file and the upload over when the leases end.  Checked:
#  - the simulator began one upload (one POST ?upload), saw at most 7 part
#    PUTs for 6 parts and a HEAD: the upload was resumed from the parts GIS
#    had, not started again (on PostgreSQL the client kept no upload memory);
#  - every inbox file was converted once (one files row per content, all
#    moved out of the inbox) and every packet accepted once (request log);
#  - no claim is left (work_claims), every packet is final, and the
#    survivor never converted a file whose claim it did not hold.
# Then the fences: a third worker's inbox and upload claims are taken from
# it by hand during its upload (as when its lease ends and another worker
# takes the work over): it sends no more parts and waits; once the upload
# claim is free it resumes the upload (not begun again); it stores nothing
# of the file whose claim it lost and leaves it; once that claim is free it
# converts it.  Last, an upload whose claim another worker holds from the
# start is waited for (no upload begun while it is held) and made once when
# the claim is free.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
WPIDS=""
cleanup() {
    for p in $WPIDS; do kill -9 "$p" 2>/dev/null || true; done
    xl_stop_sims
    [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
xl_key "$T/keys"
FS='/ext-bus-file-store-service/rest/homemanagement'

# three account files of 4 new accounts each, distinct contents
gen_accounts() {  # OUT FIRST
    python3 - "$HCS_TOP/samples/accounts.csv" "$2" >"$1" <<'PY'
import sys
rows = open(sys.argv[1], encoding="cp1251").read().splitlines()
head, body = rows[0], [r.split(";") for r in rows[1:] if r.strip()]
body = [r for k, r in enumerate(body) if k not in (7, 8, 9, 11, 15)]   # the samples' deliberately bad rows
out = [head]
for i in range(4):
    r = list(body[i % len(body)])
    r[0] = "%08d" % (70000000 + int(sys.argv[2]) + i)
    r[1] = ""
    r[14] = ""
    out.append(";".join(r))
sys.stdout.write("\r\n".join(out) + "\r\n")
PY
}

q() {
    if [ "$DRIVER" = sqlite ]; then
        sqlite3 -cmd ".timeout 10000" "$W/state.db" "$1"
    else
        psql -X -q -At "$CONNINFO" -c "SET search_path = winbox" -c "$1"
    fi
}

begun() {  # upload sessions the simulator began (POSTs to the file store)
    python3 - "$S.log" "$FS" <<'PY'
import json, sys
fs = sys.argv[2]
print(sum(1 for e in map(json.loads, open(sys.argv[1], encoding="utf-8"))
          if e.get("endpoint", "").rstrip("/") == fs and e["method"] == "POST" and e.get("status") == 200))
PY
}

# Waits up to 30 s for the running worker ($WPIDS) to write PATTERN to LOG;
# fails with ENDED if the worker exits first, with LATE after 30 s.
await_log() {  # PATTERN LOG ENDED LATE
    deadline=$(( $(date +%s) + 30 ))
    until grep -q "$1" "$2"; do
        kill -0 "$WPIDS" 2>/dev/null || xl_fail "$DRIVER: $3: $(tail -3 "$2")"
        [ "$(date +%s)" -lt "$deadline" ] || xl_fail "$DRIVER: $4"
        sleep 0.05
    done
}

one_driver() {
    DRIVER=$1
    W=$T/w-$DRIVER; S=$T/sim-$DRIVER
    extra="[worker]
lease_seconds = 3
idle_ms = 100
[filestore]
rate = 2"
    if [ "$DRIVER" = postgres ]; then
        CONNINFO="$HCS_TEST_PG_CONNINFO"
        psql -X -q "$CONNINFO" -c "DROP SCHEMA IF EXISTS winbox CASCADE" -c "CREATE SCHEMA winbox" \
            >/dev/null 2>&1 || xl_fail "postgres: cannot make the schema"
        extra="$extra
[store]
driver = postgres
conninfo = $CONNINFO options='-c search_path=winbox'"
    fi
    xl_sim "$S" "$S.log" --processing-ms 200
    xl_work "$W" "$SIM_URL" "$T/keys" "$extra"
    rm -f "$W"/inbox/*/*
    mkdir -p "$W/inbox/meters/attachments"
    for i in 1 2 3; do gen_accounts "$W/inbox/accounts/acc$i.csv" $((i * 10)); done
    head -c 30000000 /dev/urandom >"$W/inbox/meters/attachments/big.pdf"
    head -n 1 "$HCS_TOP/samples/meters.csv" >"$W/inbox/meters/a.csv"
    cp "$W/inbox/meters/a.csv" "$W/inbox/meters/b.csv"
    sed -n 2p "$HCS_TOP/samples/meters.csv" | sed 's#;[^;]*$#;attachments/big.pdf#' >>"$W/inbox/meters/a.csv"
    sed -n 4p "$HCS_TOP/samples/meters.csv" | sed 's#;[^;]*$#;attachments/big.pdf#' >>"$W/inbox/meters/b.csv"

    WPIDS=""
    for i in 1 2; do
        (cd "$W" && exec "$HCSBATCH" -c hcsbatch.ini worker --until-done >"worker$i.out" 2>"worker$i.err") &
        WPIDS="$WPIDS $!"
    done
    # the victim: the worker holding the upload's claim once GIS has a part of it
    victim=""; deadline=$(( $(date +%s) + 60 ))
    while [ -z "$victim" ]; do
        owner=$(q "SELECT owner FROM work_claims WHERE kind = 'upload'" 2>/dev/null || true)
        parts=$(q "SELECT count(*) FROM filestore_parts" 2>/dev/null || echo 0)
        [ -n "$owner" ] && [ "$parts" -ge 1 ] && [ "$parts" -le 4 ] && victim=${owner##*:}
        [ "$(date +%s)" -lt "$deadline" ] || { cat "$W"/worker*.err | tail; xl_fail "$DRIVER: no claimed upload under way in 60 s"; }
        [ -n "$victim" ] || sleep 0.05
    done
    kill -9 "$victim"
    inbox_claim=$(q "SELECT count(*) FROM work_claims WHERE kind = 'inbox' AND owner = '$owner'")
    echo "$DRIVER: worker $victim killed mid-upload ($parts of 6 parts confirmed), holding $inbox_claim inbox claim(s)"
    [ "$inbox_claim" -ge 1 ] || xl_fail "$DRIVER: the killed worker held no inbox file's claim: not mid-intake"
    for p in $WPIDS; do
        [ "$p" = "$victim" ] && { wait "$p" 2>/dev/null || true; continue; }
        wait "$p" || { for e in "$W"/worker*.err; do echo "== $e"; tail -8 "$e"; done; xl_fail "$DRIVER: worker $p failed"; }
    done
    WPIDS=""
    # the survivor never lost a claim: a file another worker held was passed by, not converted
    ! grep -q 'another worker took it over' "$W"/worker*.err \
        || xl_fail "$DRIVER: a worker converted a file whose claim it did not hold: $(grep -h 'took it over' "$W"/worker*.err)"

    left=$(find "$W/inbox" -name '*.csv' | wc -l)
    [ "$left" = 0 ] || xl_fail "$DRIVER: $left inbox files not taken"
    n=$(q "SELECT count(*) FROM files")
    [ "$n" = 5 ] || xl_fail "$DRIVER: $n files rows, wanted 5 (each inbox file converted once)"
    n=$(q "SELECT count(*) FROM (SELECT sha256 FROM files GROUP BY sha256 HAVING count(*) > 1) d")
    [ "$n" = 0 ] || xl_fail "$DRIVER: $n contents converted more than once"
    n=$(q "SELECT count(*) FROM packets WHERE state NOT IN ('done', 'done-with-warnings', 'failed')")
    [ "$n" = 0 ] || xl_fail "$DRIVER: $n packets not final"
    n=$(q "SELECT count(*) FROM elements WHERE state = 'accepted' AND gis_guid IS NOT NULL")
    [ "$n" -ge 12 ] || xl_fail "$DRIVER: $n elements accepted, wanted the 12 accounts and more"
    n=$(q "SELECT count(*) FROM work_claims")
    [ "$n" = 0 ] || xl_fail "$DRIVER: $n claims left: $(q "SELECT kind || ' ' || owner FROM work_claims")"
    n=$(q "SELECT count(*) FROM filestore_attachments")
    [ "$n" = 1 ] || xl_fail "$DRIVER: $n attachments remembered, wanted 1"
    q "SELECT message_guid FROM packets" >"$W/guids.txt"
    python3 - "$S.log" "$W/guids.txt" "$FS" <<'PY' || xl_fail "$DRIVER: request log check failed"
import json, sys
from collections import Counter
log, guids, fs = sys.argv[1], sys.argv[2], sys.argv[3]
ours = set(l.strip() for l in open(guids) if l.strip())
entries = [json.loads(l) for l in open(log, encoding="utf-8")]
acks = Counter()
for e in entries:
    m = e.get("message_guid")
    if e.get("action", "").startswith("import") and m and not e.get("duplicate") \
            and e.get("status") == 200 and not e.get("code"):
        if m not in ours:
            print("the simulator acked MessageGUID %s that no packet has" % m); sys.exit(1)
        acks[m] += 1
twice = [m for m, n in acks.items() if n > 1]
if twice or len(acks) != len(ours):
    print("%d packets, %d acked, %d more than once" % (len(ours), len(acks), len(twice))); sys.exit(1)
fse = [e for e in entries if e.get("endpoint", "").startswith(fs)]
begun = [e for e in fse if e["method"] == "POST" and e.get("status") == 200 and e["endpoint"].rstrip("/") == fs]
puts = [e for e in fse if e["method"] == "PUT" and e.get("status") == 200]
heads = [e for e in fse if e["method"] == "HEAD"]
print("file store: %d uploads begun, %d part PUTs, %d HEADs" % (len(begun), len(puts), len(heads)))
if len(begun) != 1:
    print("the upload was begun %d times: not resumed" % len(begun)); sys.exit(1)
if not 6 <= len(puts) <= 7 or not heads:
    print("%d part PUTs (6 parts; one may be repeated, the one in flight at the kill), %d HEADs"
          % (len(puts), len(heads))); sys.exit(1)
print("log ok: %d packets each accepted once" % len(acks))
PY
    echo "$DRIVER: 5 inbox files by 2 workers (one killed mid-upload), each converted once, the upload resumed"

    # the fences: a worker whose claims another took over (its leases
    # ended during the upload; here they are taken by hand) sends no more
    # parts and waits, resumes the upload once its claim is free, stores
    # nothing of the file and leaves it; once that claim is free it converts it
    head -c 25000000 /dev/urandom >"$W/inbox/meters/attachments/big2.pdf"
    head -n 1 "$HCS_TOP/samples/meters.csv" >"$W/inbox/meters/c.csv"
    sed -n 5p "$HCS_TOP/samples/meters.csv" | sed 's#;[^;]*$#;attachments/big2.pdf#' >>"$W/inbox/meters/c.csv"
    (cd "$W" && exec "$HCSBATCH" -c hcsbatch.ini worker --until-done >worker3.out 2>worker3.err) &
    WPIDS=$!
    deadline=$(( $(date +%s) + 30 ))
    until [ -n "$(q "SELECT owner FROM work_claims WHERE kind = 'upload'")" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || xl_fail "$DRIVER: no upload of c.csv's file under way"
        sleep 0.05
    done
    ukey=$(q "SELECT key FROM work_claims WHERE kind = 'upload'")
    q "UPDATE work_claims SET owner = 'elsewhere:1', lease_until = lease_until + 3600" >/dev/null
    # the upload's claim lost too: the worker stops sending parts and waits for the holder
    await_log 'waiting for that worker' "$W/worker3.err" \
        "the worker ended when its upload's claim was taken" "the worker did not give the upload up in 30 s"
    sleep 1
    [ "$(q "SELECT count(*) FROM filestore_attachments")" = 1 ] || xl_fail "$DRIVER: the upload finished by a worker that had lost its claim"
    q "DELETE FROM work_claims WHERE owner = 'elsewhere:1' AND kind = 'upload'" >/dev/null
    await_log 'another worker took it over' "$W/worker3.err" \
        "the worker ended without giving up c.csv, whose claim it lost" "the worker did not give c.csv up in 30 s"
    sleep 2                     # a worker that went on anyway has converted and moved the file by now
    [ -f "$W/inbox/meters/c.csv" ] && [ "$(q "SELECT count(*) FROM files")" = 5 ] \
        || xl_fail "$DRIVER: c.csv converted by a worker that had lost its claim"
    q "DELETE FROM work_claims WHERE owner = 'elsewhere:1'" >/dev/null
    wait "$WPIDS" || xl_fail "$DRIVER: worker 3 failed: $(tail -5 "$W/worker3.err")"
    WPIDS=""
    [ ! -f "$W/inbox/meters/c.csv" ] && [ "$(q "SELECT count(*) FROM files")" = 6 ] \
        || xl_fail "$DRIVER: c.csv not converted once its claim was free"
    [ "$(q "SELECT count(*) FROM filestore_attachments")" = 2 ] || xl_fail "$DRIVER: big2.pdf not remembered"
    n=$(begun)
    echo "file store: $n uploads begun in all"
    [ "$n" = 2 ] || xl_fail "$DRIVER: big2.pdf's upload was begun again"
    echo "$DRIVER: a worker that lost c.csv's claims sent no more parts and stored nothing; the upload resumed, the file converted once when free"

    # an upload another worker holds from the start (its claim, by content:
    # context/scope/SHA-256 as in the claim above) is waited for, not made
    # a second time beside it
    head -c 12000000 /dev/urandom >"$W/inbox/meters/attachments/big3.pdf"
    head -n 1 "$HCS_TOP/samples/meters.csv" >"$W/inbox/meters/d.csv"
    sed -n 6p "$HCS_TOP/samples/meters.csv" | sed 's#;[^;]*$#;attachments/big3.pdf#' >>"$W/inbox/meters/d.csv"
    sha3=$(sha256sum "$W/inbox/meters/attachments/big3.pdf" | cut -d' ' -f1)
    q "INSERT INTO work_claims(kind, key, owner, lease_until)
       VALUES ('upload', '${ukey%/*}/$sha3', 'elsewhere:1', $(( $(date +%s) + 3600 )))" >/dev/null
    before=$(begun)
    (cd "$W" && exec "$HCSBATCH" -c hcsbatch.ini worker --until-done >worker4.out 2>worker4.err) &
    WPIDS=$!
    await_log 'another worker is uploading the same content' "$W/worker4.err" \
        "the worker ended instead of waiting for the upload another held" \
        "the worker did not wait for the upload another worker held"
    sleep 1
    [ "$(begun)" = "$before" ] || xl_fail "$DRIVER: big3.pdf uploaded while another worker held its upload's claim"
    q "DELETE FROM work_claims WHERE owner = 'elsewhere:1'" >/dev/null
    wait "$WPIDS" || xl_fail "$DRIVER: worker 4 failed: $(tail -5 "$W/worker4.err")"
    WPIDS=""
    [ "$(begun)" = $((before + 1)) ] || xl_fail "$DRIVER: big3.pdf: $(( $(begun) - before )) uploads begun, wanted 1"
    [ ! -f "$W/inbox/meters/d.csv" ] && [ "$(q "SELECT count(*) FROM filestore_attachments")" = 3 ] \
        || xl_fail "$DRIVER: d.csv not converted with big3.pdf once the claim was free"
    echo "$DRIVER: a worker waited for an upload another worker held, then made it once"
    xl_stop_sims
}

one_driver sqlite
if [ -n "${HCS_TEST_PG_CONNINFO:-}" ]; then
    one_driver postgres
else
    echo "SKIP test_worker_inbox on PostgreSQL: no server (tests/lib/pg_throwaway.sh starts one)"
fi
echo "PASS test_worker_inbox"
