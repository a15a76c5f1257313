#!/bin/sh
# bench_exchange — PACKETS packets (default 10000) through hcs-sim with
# LATENCY_MS (default 50) added to every request, at IN_FLIGHT (default 32)
# requests at once.  Prints the wall time of the exchange (first request to
# last, from the simulator's request log) against the ideal for that
# concurrency: requests × latency / in_flight (target ≤ 1.2×), and the time of
# an idle `hcsbatch run` (target < 100 ms).
# The world is the sample world plus HOUSES houses with generated meters;
# every reading is its own packet (limits.importMeteringDeviceValues = 1), the
# packets of one house go in order (one lane per house).
set -eu
PACKETS=${PACKETS:-10000}
LATENCY_MS=${LATENCY_MS:-50}
IN_FLIGHT=${IN_FLIGHT:-32}
HOUSES=${HOUSES:-200}
TOP=${HCS_TOP:-$(pwd)}
HCS_TOP=$TOP
. "$TOP/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_stop_sims; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
echo "bench dir: $T" >&2
xl_key "$T/keys"

cp -r "$TOP/samples/world" "$T/world"
python3 - "$T/world" "$T/readings.csv" "$PACKETS" "$HOUSES" <<'PY'
import sys, uuid
world, out, n, houses = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
ns = uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
hs = [str(uuid.uuid5(ns, "bench-house-%d" % h)) for h in range(houses)]
with open(world + "/houses.csv", "a", encoding="utf-8") as f:
    for i, h in enumerate(hs):
        f.write("%s;г. Бенч, ул. Тестовая, д. %d;apartment;99-%06d\n" % (h, i + 1, i + 1))
with open(world + "/meters.csv", "a", encoding="utf-8") as f, open(out, "w", encoding="utf-8") as r:
    r.write("ФИАС дома,Заводской номер ПУ,Идентификатор ПУ ГИС,Ресурс,Показание,Дата снятия\n")
    for i in range(n):
        h = hs[i % houses]
        root = str(uuid.uuid5(ns, "bench-meter-%d" % i))
        ver = str(uuid.uuid5(ns, "bench-meter-v-%d" % i))
        f.write("%s;Б-%06d;%s;%s;onerate;1;;\n" % (h, i, root, ver))
        r.write('%s,Б-%06d,%s,Холодная вода,"%d,5",25.10.2026\n' % (h, i, root, 100 + i % 900))
PY

xl_sim "$T/sim" "$T/sim.log" --world "$T/world" --processing-ms 1 --no-verify --faults "stall=1:${LATENCY_MS}ms"
xl_work "$T/w" "$SIM_URL" "$T/keys" "in_flight = $IN_FLIGHT
rate = 100000
burst = 1000
[limits]
importMeteringDeviceValues = 1"
rm -f "$T/w/inbox/"*/*
cp "$T/readings.csv" "$T/w/inbox/readings/"
cd "$T/w"
sed -i 's/^poll_schedule = .*/poll_schedule = 0,1/' hcsbatch.ini

start=$(date +%s.%N)
set +e
"$HCSBATCH" -q -c hcsbatch.ini run --wait >run.out 2>run.err
rc=$?
set -e
end=$(date +%s.%N)
[ $rc = 0 ] || { tail -5 run.err; echo "bench_exchange: run exit $rc" >&2; exit 1; }
python3 - "$T/sim.log" "$LATENCY_MS" "$IN_FLIGHT" "$start" "$end" "$PACKETS" <<'PY'
import json, math, sys
log, lat, c, start, end, packets = sys.argv[1], float(sys.argv[2]) / 1000, int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
reqs = [json.loads(l) for l in open(log, encoding="utf-8")]
sends = sum(1 for r in reqs if r.get("action") not in ("getState", ""))
polls = sum(1 for r in reqs if r.get("action") == "getState")
first = min(r["ts"] for r in reqs)
last = max(r["ts"] + r.get("duration_ms", 0) / 1000 for r in reqs)
wall = last - first
ideal = math.ceil(len(reqs) / c) * lat
print("bench_exchange: %d packets, %d sends + %d getState, latency %.0f ms, in_flight %d" % (packets, sends, polls, lat * 1000, c))
served = sum(r.get("duration_ms", 0) for r in reqs) / 1000 / c
print("bench_exchange: exchange wall %.2f s, ideal %.2f s, ratio %.2f (target <= 1.20); whole run incl. conversion %.2f s"
      % (wall, ideal, wall / ideal, end - start))
print("bench_exchange: the simulator's own time per request averages %.1f ms (latency %.0f ms included);"
      " against that service time the ideal is %.2f s, ratio %.2f" % (sum(r.get("duration_ms", 0) for r in reqs) / len(reqs), lat * 1000, served, wall / served))
PY
# idle run: nothing in the inbox, nothing due
best=999999
for i in 1 2 3 4 5; do
    s=$(date +%s%N)
    "$HCSBATCH" -q -c hcsbatch.ini run
    ms=$(( ($(date +%s%N) - s) / 1000000 ))
    [ $ms -lt $best ] && best=$ms
done
echo "bench_exchange: idle run ${best} ms (best of 5; target < 100 ms)"
