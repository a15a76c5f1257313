#!/bin/sh
# bench_workers — several `hcsbatch worker` processes (docs/postgres.md):
#  1. packets/s through the simulator with 1, 2 and 4 workers, every answer
#     held back 50 ms (hcs-sim --faults stall=1:50ms), PACKETS one-account
#     packets (default 2000), transport.rate unlimited;
#  2. claim latency with QUEUED packets queued (default 100000): the wall
#     time of `hcsbatch worker --once` over a queue whose packets are not
#     due (it opens the store, claims claim_limit packets, walks them,
#     releases them; nothing is sent), best of 3.
# Driver: SQLite, or PostgreSQL when HCS_TEST_PG_CONNINFO is set (run it
# under tests/lib/pg_throwaway.sh).  Needs BINDIR, SCHEMAS_DIR, HCS_TOP.
#   sh tests/lib/pg_throwaway.sh sh tests/bench/bench_workers.sh
#   PACKETS=200 QUEUED=10000 sh tests/bench/bench_workers.sh      (small)
set -eu
HCS_TOP=${HCS_TOP:-$(pwd)}
BINDIR=${BINDIR:-bin}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
export HCS_TOP BINDIR SCHEMAS_DIR
. "$HCS_TOP/tests/integration/exchange_lib.sh"
PACKETS=${PACKETS:-2000}
QUEUED=${QUEUED:-100000}
DRIVER=sqlite
[ -n "${HCS_TEST_PG_CONNINFO:-}" ] && DRIVER=postgres
T=$(mktemp -d)
trap 'xl_stop_sims; rm -rf "$T"' EXIT
xl_key "$T/keys"

q() {
    if [ $DRIVER = sqlite ]; then sqlite3 "$W/state.db" "$1"
    else psql -X -q -At "$HCS_TEST_PG_CONNINFO" -c "SET search_path = bench" -c "$1"; fi
}

# setup NAME ROWS: a work dir whose state holds ROWS prepared packets
setup() {
    W=$T/$1
    extra="[limits]
importAccountData = 1
[worker]
idle_ms = 50"
    if [ $DRIVER = postgres ]; then
        psql -X -q "$HCS_TEST_PG_CONNINFO" -c "DROP SCHEMA IF EXISTS bench CASCADE" -c "CREATE SCHEMA bench" >/dev/null 2>&1
        extra="$extra
[store]
driver = postgres
conninfo = $HCS_TEST_PG_CONNINFO options='-c search_path=bench'"
    fi
    xl_work "$W" "http://127.0.0.1:9/" "$T/keys" "$extra"
    sed -i 's/^rate = 200/rate = 0/' "$W/hcsbatch.ini"
    rm -f "$W"/inbox/*/*
    python3 - "$HCS_TOP/samples/accounts.csv" "$2" >"$W/inbox/accounts/many.csv" <<'PY'
import sys
rows = open(sys.argv[1], encoding="cp1251").read().splitlines()
body = [r.split(";") for k, r in enumerate(rows[1:]) if r.strip() and k not in (7, 8, 9, 11, 15)]
out = [rows[0]]
for i in range(int(sys.argv[2])):
    r = list(body[i % len(body)]); r[0] = "%08d" % (70000000 + i); r[1] = ""; r[14] = ""
    out.append(";".join(r))
sys.stdout.write("\r\n".join(out) + "\r\n")
PY
    (cd "$W" && "$HCSBATCH" -q -c hcsbatch.ini run >prep.out 2>&1) || true
}

echo "bench_workers: driver $DRIVER, $PACKETS packets, answers held 50 ms"
for n in 1 2 4; do
    setup "w$n" "$PACKETS"
    xl_sim "$T/sim$n" "$T/sim$n.log" --processing-ms 0 --faults stall=1:50ms
    sed -i "s|^base_url = .*|base_url = $SIM_URL|" "$W/hcsbatch.ini"
    start=$(date +%s.%N)
    pids=""
    for i in $(seq "$n"); do
        (cd "$W" && exec "$HCSBATCH" -q -c hcsbatch.ini worker --until-done >"w$i.out" 2>&1) &
        pids="$pids $!"
    done
    for p in $pids; do wait "$p"; done
    end=$(date +%s.%N)
    left=$(q "SELECT count(*) FROM packets WHERE state NOT IN ('done', 'done-with-warnings', 'failed')")
    python3 -c "import sys; n,p,s,e=int(sys.argv[1]),int(sys.argv[2]),float(sys.argv[3]),float(sys.argv[4]);
print('%d worker(s): %d packets in %.1f s = %.1f packets/s' % (n, p, e - s, p / (e - s)))" "$n" "$PACKETS" "$start" "$end"
    [ "$left" = 0 ] || echo "  ($left packets not final)"
    xl_stop_sims
done

# claim latency: QUEUED packets copied from one prepared packet, not due
setup claim 1
if [ $DRIVER = sqlite ]; then
    q "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $QUEUED - 1)
       INSERT INTO packets(file_id, run_id, operation, template, seq, lane, state, message_guid, next_at, archive_path,
                           nelements, updated_at)
       SELECT file_id, run_id, operation, template, seq + i, lane || (i % 1000), 'prepared',
              printf('%08x-0000-4000-8000-000000000000', i), 4000000000, archive_path, 0, updated_at
         FROM packets, n WHERE packets.id = (SELECT min(id) FROM packets)"
else
    q "INSERT INTO packets(file_id, run_id, operation, template, seq, lane, state, message_guid, next_at, archive_path,
                           nelements, updated_at)
       SELECT file_id, run_id, operation, template, seq + i, lane || (i % 1000), 'prepared',
              lpad(to_hex(i), 8, '0') || '-0000-4000-8000-000000000000', 4000000000, archive_path, 0, updated_at
         FROM packets, generate_series(1, $QUEUED - 1) i WHERE packets.id = (SELECT min(id) FROM packets)"
fi
q "UPDATE packets SET next_at = 4000000000" >/dev/null
best=""
for i in 1 2 3; do
    s=$(date +%s%N)
    (cd "$W" && "$HCSBATCH" -q -c hcsbatch.ini worker --once >/dev/null 2>&1) || true
    e=$(date +%s%N)
    ms=$(( (e - s) / 1000000 ))
    [ -z "$best" ] || [ "$ms" -lt "$best" ] && best=$ms
done
echo "claim latency at $(q "SELECT count(*) FROM packets") queued packets: worker --once (open, claim 50, walk, release) ${best} ms"
