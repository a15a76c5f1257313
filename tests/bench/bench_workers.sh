#!/bin/sh
# bench_workers — several `hcsbatch worker` processes (docs/postgres.md):
#  1. packets/s through the simulator with 1, 2 and 4 workers, every answer
#     held back 50 ms (hcs-sim --latency-ms 50, processing 0 ms,
#     poll_schedule 0,1, transport.rate unlimited), one-account packets:
#     - LANES (default 100) lanes: the packets' lane column spread after
#       the conversion, as packets split by house (readings, meters) or by
#       period (bills) are; PACKETS (default 600) packets;
#     - 1 lane: importAccountData has no split, so all its packets are one
#       lane, sent one after the other whatever the number of workers;
#       PACKETS1 (default 150) packets.
#     Per run: wall time until nothing is pending, sends/s (acks, from the
#     simulator's request log, first to last), requests in flight at the
#     simulator on average, CPU seconds of the workers and the simulator,
#     and the ratio to 1 worker.
#  2. claim latency with QUEUED packets to send (default 100000, filled by
#     SQL from one converted packet, spread over 1000 lanes, not due):
#     build/bench/bench_claim times the claim a worker pass makes (one
#     transaction, claim_limit 50) and prints its plan.  No ANALYZE on
#     SQLite (hcsbatch never runs it); ANALYZE on PostgreSQL (autovacuum
#     would).
# Drivers: SQLite, then PostgreSQL under tests/lib/pg_throwaway.sh when
# the postgresql package is installed (DRIVERS=sqlite or =postgres for one;
# the throw-away server runs with fsync=off, SQLite with synchronous=FULL).
# Needs BINDIR, BUILD, SCHEMAS_DIR, HCS_TOP.
#   PACKETS=200 PACKETS1=50 QUEUED=10000 sh tests/bench/bench_workers.sh   (small)
set -eu
HCS_TOP=${HCS_TOP:-$(pwd)}
BINDIR=${BINDIR:-bin}
BUILD=${BUILD:-build}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
export HCS_TOP BINDIR BUILD SCHEMAS_DIR

if [ -z "${BENCH_WORKERS_DRIVER:-}" ]; then
    rc=0
    for d in ${DRIVERS:-sqlite postgres}; do
        if [ "$d" = postgres ]; then
            BENCH_WORKERS_DRIVER=postgres sh "$HCS_TOP/tests/lib/pg_throwaway.sh" sh "$0" || rc=1
        else
            BENCH_WORKERS_DRIVER=sqlite HCS_TEST_PG_CONNINFO="" sh "$0" || rc=1
        fi
    done
    exit $rc
fi
DRIVER=$BENCH_WORKERS_DRIVER
if [ $DRIVER = postgres ] && [ -z "${HCS_TEST_PG_CONNINFO:-}" ]; then
    echo "bench_workers: SKIP PostgreSQL (no server: the postgresql package is not installed)"
    exit 0
fi

. "$HCS_TOP/tests/integration/exchange_lib.sh"
PACKETS=${PACKETS:-600}
PACKETS1=${PACKETS1:-150}
LANES=${LANES:-100}
QUEUED=${QUEUED:-100000}
BENCH_CLAIM=$HCS_TOP/$BUILD/bench/bench_claim
[ -x "$BENCH_CLAIM" ] || BENCH_CLAIM=$BUILD/bench/bench_claim
T=$(mktemp -d)
trap 'xl_stop_sims; rm -rf "$T"' EXIT
xl_key "$T/keys"

q() {
    if [ $DRIVER = sqlite ]; then sqlite3 "$W/state.db" "$1"
    else psql -X -q -At "$HCS_TEST_PG_CONNINFO" -c "SET search_path = bench" -c "$1"; fi
}

# setup NAME ROWS LANES: a work dir whose state holds ROWS prepared
# one-account packets in LANES lanes
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
    [ "$3" -le 1 ] || q "UPDATE packets SET lane = lane || (id % $3)" >/dev/null
}

# CPU seconds (user + system) of a live process
cpu_of() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$1/stat"
}

# children's CPU seconds so far: the shell's `times` (second line), run
# in this shell (a $(...) subshell has children of its own)
children_cpu() {
    times >"$T/times"
    sed -n 2p "$T/times" | awk '{ s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } printf "%.1f", s }'
}

# run_workers N PACKETS LANES: one line of figures
run_workers() {
    n=$1
    setup "w$3-$n" "$2" "$3"
    xl_sim "$T/sim$3-$n" "$T/sim$3-$n.log" --processing-ms 0 --latency-ms 50
    sed -i "s|^base_url = .*|base_url = $SIM_URL|" "$W/hcsbatch.ini"
    children_cpu >"$T/cpu0"
    start=$(date +%s.%N)
    pids=""
    for i in $(seq "$n"); do
        (cd "$W" && exec "$HCSBATCH" -q -c hcsbatch.ini worker --until-done >"w$i.out" 2>&1) &
        pids="$pids $!"
    done
    for p in $pids; do wait "$p" || echo "  (a worker exited $?: $(cat "$W"/w*.out | head -n 3))"; done
    end=$(date +%s.%N)
    children_cpu >"$T/cpu1"
    simcpu=$(cpu_of "$SIM_PID")
    left=$(q "SELECT count(*) FROM packets WHERE state NOT IN ('done', 'done-with-warnings', 'failed')")
    xl_stop_sims
    python3 - "$n" "$2" "$3" "$start" "$end" "$(cat "$T/cpu0")" "$(cat "$T/cpu1")" "$simcpu" "$T/sim$3-$n.log" "$T/base$3" <<'PY'
import json, os, sys
n, p, lanes = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
s, e, c0, c1, simcpu = (float(x) for x in sys.argv[4:9])
log = [json.loads(l) for l in open(sys.argv[9])]
sends = [r for r in log if r["operation"] == "importAccountData"]
t0 = min(r["ts"] - r["duration_ms"] / 1000 for r in log)
busy = sum(r["duration_ms"] / 1000 for r in log)
span = max(r["ts"] for r in log) - t0
send_span = max(r["ts"] for r in sends) - t0
rate = p / (e - s)
base = sys.argv[10]
if n == 1:
    open(base, "w").write(str(rate))
ratio = rate / float(open(base).read())
print("%3d lane(s) %d worker(s): %4d packets in %5.1f s = %5.1f packets/s (x%.2f of 1 worker); sends %5.1f/s;"
      " in flight at the sim %.1f; CPU workers %.1f s, sim %.1f s"
      % (lanes, n, p, e - s, rate, ratio, len(sends) / send_span, busy / span, c1 - c0, simcpu))
PY
    [ "$left" = 0 ] || echo "  ($left packets not final)"
}

echo "bench_workers: driver $DRIVER, answers held 50 ms, transport.in_flight 4 per worker, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in 1 2 4; do run_workers "$n" "$PACKETS" "$LANES"; done
for n in 1 2 4; do run_workers "$n" "$PACKETS1" 1; done

# claim latency: QUEUED packets copied from one prepared packet, not due
setup claim 1 1
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
    q "ANALYZE packets"
fi
q "UPDATE packets SET next_at = 4000000000" >/dev/null
(cd "$W" && "$BENCH_CLAIM" hcsbatch.ini 15)
