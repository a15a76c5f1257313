#!/bin/sh
# Several workers (issue 17): PACKETS one-account packets are prepared by
# `hcsbatch run` while GIS is unreachable, then 4 `hcsbatch worker`
# processes send and poll them against the simulator, on SQLite and — when
# tests/lib/pg_throwaway.sh started a server (HCS_TEST_PG_CONNINFO) — on
# PostgreSQL.  One worker is killed (kill -9) mid-run.  Checked: every
# packet is final and every element has its result; the simulator acked
# each packet once, under its one MessageGUID (request log), and no
# MessageGUID twice; in no second did the simulator see more requests than
# transport.rate; no lease is left.
#   WORKERS_PACKETS (default 2000), WORKERS_RATE (requests/s, default 150)
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
PACKETS=${WORKERS_PACKETS:-2000}
RATE=${WORKERS_RATE:-150}
T=$(mktemp -d)
WPIDS=""
cleanup() {
    for p in $WPIDS; do kill -9 "$p" 2>/dev/null || true; done
    xl_stop_sims
    [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
xl_key "$T/keys"

# the accounts file: PACKETS new accounts over the sample houses' premises
gen_accounts() {
    python3 - "$HCS_TOP/samples/accounts.csv" "$PACKETS" >"$1" <<'PY'
import sys
rows = open(sys.argv[1], encoding="cp1251").read().splitlines()
head, body = rows[0], [r.split(";") for r in rows[1:] if r.strip()]
body = [r for k, r in enumerate(body) if k not in (7, 8, 9, 11, 15)]   # the samples' deliberately bad rows
out = [head]
for i in range(int(sys.argv[2])):
    r = list(body[i % len(body)])
    r[0] = "%08d" % (60000000 + i)
    r[1] = ""                      # a new account: no GIS id yet
    r[14] = ""                     # no СНИЛС (unique per person)
    out.append(";".join(r))
sys.stdout.write("\r\n".join(out) + "\r\n")
PY
}

q() {  # SQL on the state database of the driver under test
    if [ "$DRIVER" = sqlite ]; then
        sqlite3 -cmd ".timeout 10000" "$W/state.db" "$1"
    else
        psql -X -q -At "$CONNINFO" -c "SET search_path = workers" -c "$1"
    fi
}

FINAL="('done', 'done-with-warnings', 'failed')"

one_driver() {
    DRIVER=$1
    W=$T/w-$DRIVER; S=$T/sim-$DRIVER
    extra="[limits]
importAccountData = 1
[worker]
lease_seconds = 3
claim_limit = 25
idle_ms = 100"
    if [ "$DRIVER" = postgres ]; then
        CONNINFO="$HCS_TEST_PG_CONNINFO"
        psql -X -q "$CONNINFO" -c "DROP SCHEMA IF EXISTS workers CASCADE" -c "CREATE SCHEMA workers" \
            >/dev/null 2>&1 || xl_fail "postgres: cannot make the schema"
        extra="$extra
[store]
driver = postgres
conninfo = $CONNINFO options='-c search_path=workers'"
    fi
    # GIS unreachable (nothing listens there): the run prepares the packets and sends none
    xl_work "$W" "http://127.0.0.1:9/" "$T/keys" "$extra"
    sed -i "s/^rate = 200/rate = $RATE/; s/^burst = 20/burst = 1/" "$W/hcsbatch.ini"
    rm -f "$W"/inbox/*/*
    gen_accounts "$W/inbox/accounts/many.csv"
    (cd "$W" && "$HCSBATCH" -q -c hcsbatch.ini run >prep.out 2>&1) || true
    n=$(q "SELECT count(*) FROM packets WHERE state IN ('prepared', 'deferred')")
    [ "$n" = "$PACKETS" ] || { tail -5 "$W/prep.out"; xl_fail "$DRIVER: $n packets prepared, wanted $PACKETS"; }

    xl_sim "$S" "$S.log" --processing-ms 300
    sed -i "s|^base_url = .*|base_url = $SIM_URL|" "$W/hcsbatch.ini"
    start=$(date +%s)
    WPIDS=""
    for i in 1 2 3 4; do
        (cd "$W" && exec "$HCSBATCH" -q -c hcsbatch.ini worker --until-done >"worker$i.out" 2>"worker$i.err") &
        WPIDS="$WPIDS $!"
    done
    # once a quarter of the packets are sent, kill -9 a worker while it holds
    # leases on unfinished packets.  Which worker holds them is up to the
    # claims (a lane goes to one worker at a time), so the victim is picked
    # then: the holder is stopped (SIGSTOP) before its leases are read, so
    # that they cannot be released between the look and the kill.
    victim=""; i=0
    while [ -z "$victim" ]; do
        i=$((i + 1)); [ $i -lt 2400 ] || xl_fail "$DRIVER: no moment with a quarter sent and a worker holding leases in 120 s"
        sleep 0.05
        [ "$(grep -c '"action":"importAccountData"' "$S.log" 2>/dev/null || true)" -ge $((PACKETS / 4)) ] || continue
        holder=$(q "SELECT lease_owner FROM packets WHERE lease_owner IS NOT NULL AND state NOT IN $FINAL
                    GROUP BY lease_owner ORDER BY count(*) DESC LIMIT 1")
        pid=${holder##*:}
        case " $WPIDS " in *" $pid "*) ;; *)
            [ "$(q "SELECT count(*) FROM packets WHERE state NOT IN $FINAL")" -gt 0 ] \
                || xl_fail "$DRIVER: every packet final before a worker could be killed holding leases"
            continue ;; esac
        kill -STOP "$pid"
        if [ "$(q "SELECT count(*) FROM packets WHERE lease_owner = '$holder' AND state NOT IN $FINAL")" -gt 0 ]; then
            victim=$pid
        else
            kill -CONT "$pid"
        fi
    done
    kill -9 "$victim"
    q "SELECT id FROM packets WHERE lease_owner LIKE '%:$victim'" >"$W/orphans.txt"
    echo "$DRIVER: worker $victim killed holding $(wc -l <"$W/orphans.txt") lease(s)"
    for p in $WPIDS; do
        [ "$p" = "$victim" ] && { wait "$p" 2>/dev/null || true; continue; }
        wait "$p" || { cat "$W"/worker*.err | tail -20; xl_fail "$DRIVER: worker $p failed"; }
    done
    WPIDS=""
    took=$(( $(date +%s) - start ))

    n=$(q "SELECT count(*) FROM packets WHERE state NOT IN $FINAL")
    [ "$n" = 0 ] || xl_fail "$DRIVER: $n packets not final"
    n=$(q "SELECT count(*) FROM elements WHERE state = 'pending'")
    [ "$n" = 0 ] || xl_fail "$DRIVER: $n elements without a result"
    n=$(q "SELECT count(*) FROM elements WHERE state = 'accepted' AND gis_guid IS NOT NULL")
    [ "$n" -gt 0 ] || xl_fail "$DRIVER: no element accepted"
    # the live workers released theirs; the dead one's stay on the packets it finished (harmless)
    n=$(q "SELECT count(*) FROM packets WHERE lease_owner IS NOT NULL AND lease_owner NOT LIKE '%:$victim'")
    [ "$n" = 0 ] || xl_fail "$DRIVER: $n leases of live workers left"
    n=$(q "SELECT count(*) FROM packets WHERE lease_owner LIKE '%:$victim' AND state NOT IN $FINAL")
    [ "$n" = 0 ] || xl_fail "$DRIVER: $n unfinished packets still leased by the dead worker"
    # the dead worker's packets were taken over and finished
    [ -s "$W/orphans.txt" ] || xl_fail "$DRIVER: the killed worker held no lease"
    ids=$(tr '\n' ',' <"$W/orphans.txt" | sed 's/,$//')
    n=$(q "SELECT count(*) FROM packets WHERE id IN ($ids) AND state IN ('done', 'done-with-warnings')")
    [ "$n" = "$(wc -l <"$W/orphans.txt")" ] || xl_fail "$DRIVER: of the killed worker's packets $n done"
    q "SELECT message_guid || ' ' || id FROM packets" >"$W/guids.txt"
    python3 - "$S.log" "$W/guids.txt" "$PACKETS" "$RATE" <<'PY' || xl_fail "$DRIVER: request log check failed"
import json, sys
from collections import Counter
log, guids, packets, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
ours = dict(l.split() for l in open(guids) if l.strip())
entries = [json.loads(l) for l in open(log, encoding="utf-8")]
acks, resends = Counter(), 0
for e in entries:
    if e.get("action") != "importAccountData":
        continue
    m = e.get("message_guid")
    if m not in ours:
        print("the simulator saw MessageGUID %s that no packet has" % m); sys.exit(1)
    if e.get("duplicate"):
        resends += 1               # the same MessageGUID again: answered with its first ack
    elif e.get("status") == 200 and not e.get("code"):
        acks[m] += 1
twice = [m for m, n in acks.items() if n > 1]
if twice:
    print("%d packets accepted more than once, e.g. %s" % (len(twice), twice[:3])); sys.exit(1)
if len(acks) != packets:
    print("%d packets accepted, wanted %d" % (len(acks), packets)); sys.exit(1)
# the shared rate: one request per 1/rate s whoever sends it; in no window
# of one second more than rate (+1: a window holds both its ends)
ts = sorted(e["ts"] for e in entries)
worst, j = 0, 0
for i in range(len(ts)):
    while ts[i] - ts[j] >= 1.0:
        j += 1
    worst = max(worst, i - j + 1)
if worst > rate + 1:
    print("the simulator saw %d requests within one second; the rate is %g/s" % (worst, rate)); sys.exit(1)
print("log ok: %d packets, each accepted once (%d resent under the same MessageGUID); %d requests,"
      " at most %d in one second (rate %g)" % (len(acks), resends, len(ts), worst, rate))
PY
    echo "$DRIVER: $PACKETS packets through 4 workers (one killed) in ${took}s"
    xl_stop_sims
}

one_driver sqlite
if [ -n "${HCS_TEST_PG_CONNINFO:-}" ]; then
    one_driver postgres
else
    echo "SKIP test_workers on PostgreSQL: no server (tests/lib/pg_throwaway.sh starts one)"
fi
echo "PASS test_workers"
