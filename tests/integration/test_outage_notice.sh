#!/bin/sh
# Outage notices: GIS unreachable (nothing listens on its port) through
# several cron-style runs, then back.  A local HTTP sink (notify.urls)
# counts what arrives: exactly one "outage_began" and one "outage_ended"
# notice, the runs in between send nothing (the run notification does not
# repeat the outage either), and the mark in the store says which notice
# went out; a notice no destination accepted is tried again by the next run.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
SINK_PID=""
trap '[ -z "$SINK_PID" ] || kill "$SINK_PID" 2>/dev/null || :; xl_cleanup rm -rf "$T"' EXIT
python3 "$HCS_TOP/tests/integration/http_sink.py" "$T/sink.log" >"$T/sink.out" 2>"$T/sink.err" &
SINK_PID=$!
i=0
until grep -q "listening on" "$T/sink.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -le 100 ] || xl_fail "the sink did not start"; sleep 0.1
done
SINK=$(sed -n 's/^listening on //p' "$T/sink.out")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
xl_key "$T/keys"
xl_work "$T/w" "http://127.0.0.1:$PORT/" "$T/keys" "retries = 1
[exchange]
max_backoff = 1
[notify]
urls = http://127.0.0.1:$SINK/hook
attempts = 3
delay_ms = 10"
cd "$T/w"
rm -f inbox/bills/* inbox/bills-withdraw/*

events() {  # how many notices of an event the sink accepted (HTTP 200)
    python3 - "$T/sink.log" "$1" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8") if __import__("os").path.exists(sys.argv[1]) else []:
    r = json.loads(line)
    if r["status"] == 200 and json.loads(r["body"]).get("event") == sys.argv[2]:
        n += 1
print(n)
PY
}
lines() { [ -f "$T/sink.log" ] && wc -l <"$T/sink.log" || echo 0; }

# Four cron runs while GIS is down.  In the first, the notification
# endpoint is down too: the notice is not delivered, nothing is marked, and
# the second run announces the outage; the third and fourth say nothing.
CLOSED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -i "s|^urls = .*|urls = http://127.0.0.1:$CLOSED/hook|" hcsbatch.ini
for r in 1 2 3 4; do
    set +e
    timeout 60 "$HCSBATCH" -c hcsbatch.ini run >run$r.out 2>run$r.err
    rc=$?
    set -e
    [ $rc = 69 ] || { cat run$r.err; xl_fail "run $r while GIS is down: exit $rc, expected 69"; }
    if [ $r = 1 ]; then
        grep -q "outage notice: notify http://127.0.0.1:$CLOSED" run1.err || { cat run1.err; xl_fail "no warning for the undelivered notice"; }
        [ -z "$(sqlite3 state.db "SELECT value FROM marks WHERE name = 'outage_notice' AND value <> 0")" ] \
            || xl_fail "an undelivered notice was marked as sent"
        sed -i "s|^urls = .*|urls = http://127.0.0.1:$SINK/hook|" hcsbatch.ini
    fi
    [ $r != 2 ] || after_first=$(lines)
    sleep 1.2     # the packets are due again (capped back-off of 1 s)
done
[ "$(sqlite3 state.db "SELECT count(*) FROM runs")" = 4 ] || xl_fail "the runs while GIS was down did not all run"
[ "$(events outage_began)" = 1 ] || { cat "$T/sink.log"; xl_fail "outage_began notices: $(events outage_began), want 1"; }
[ "$(lines)" = "$after_first" ] || { cat "$T/sink.log"; xl_fail "runs 3 and 4 of the outage notified again"; }
since=$(sqlite3 state.db "SELECT min(unreachable_since) FROM packets WHERE unreachable_since > 0")
[ "$(sqlite3 state.db "SELECT value FROM marks WHERE name = 'outage_notice'")" = "$since" ] \
    || xl_fail "the mark does not hold the outage's start"
python3 - "$T/sink.log" "$since" <<'PY' || xl_fail "the began notice"
import json, sys, time
b = [json.loads(json.loads(l)["body"]) for l in open(sys.argv[1], encoding="utf-8")]
b = [x for x in b if x.get("event") == "outage_began"][0]
assert b["since"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(sys.argv[2]))), b
assert b["ended"] is None and b["packets_waiting"] > 0, b
PY

# GIS is back on the same port: the run that sends announces the end, once.
mkdir -p "$T/sim"
"$SIM" --world "$HCS_TOP/samples/world" --state "$T/sim" --port "$PORT" --schemas "$SCHEMAS_DIR" \
    --log "$T/sim.log" --processing-ms 100 >"$T/sim.out" 2>"$T/sim.err" &
SIM_PID=$!
XL_SIMS="$SIM_PID"
listening_url "$T/sim.out" $SIM_PID >/dev/null || { cat "$T/sim.err"; xl_fail "the simulator did not start"; }
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >back.out 2>back.err
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 65 ] || { cat back.err; xl_fail "run after the outage: exit $rc"; }
for r in 1 2; do
    set +e
    "$HCSBATCH" -c hcsbatch.ini run >after$r.out 2>&1
    "$HCSBATCH" -c hcsbatch.ini send >>after$r.out 2>&1
    set -e
done
[ "$(events outage_began)" = 1 ] || xl_fail "outage_began notices: $(events outage_began), want 1"
[ "$(events outage_ended)" = 1 ] || { cat "$T/sink.log"; xl_fail "outage_ended notices: $(events outage_ended), want 1"; }
[ "$(sqlite3 state.db "SELECT value FROM marks WHERE name = 'outage_notice'")" = 0 ] || xl_fail "the mark was not cleared"
python3 - "$T/sink.log" "$since" <<'PY' || xl_fail "the ended notice"
import json, sys, time
b = [json.loads(json.loads(l)["body"]) for l in open(sys.argv[1], encoding="utf-8")]
e = [x for x in b if x.get("event") == "outage_ended"][0]
assert e["since"] == time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(sys.argv[2]))), e
assert e["ended"] and e["ended"] >= e["since"], e
PY
xl_check_accounted state.db
# A second outage, seen only through polls: the packets are sent and
# acknowledged, GIS goes away while they are processed.  The poll runs
# announce it once; the run after GIS is back announces the end.
xl_work "$T/w2" "http://127.0.0.1:$PORT/" "$T/keys" "retries = 1
[exchange]
max_backoff = 1
[notify]
urls = http://127.0.0.1:$SINK/hook
attempts = 3
delay_ms = 10"
cd "$T/w2"
rm -f inbox/bills/* inbox/bills-withdraw/*
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true
"$SIM" --world "$HCS_TOP/samples/world" --state "$T/sim" --port "$PORT" --schemas "$SCHEMAS_DIR" \
    --log "$T/sim2.log" --processing-ms 600000 >"$T/sim2.out" 2>"$T/sim.err" &
SIM_PID=$!
XL_SIMS="$SIM_PID"
listening_url "$T/sim2.out" $SIM_PID >/dev/null || { cat "$T/sim.err"; xl_fail "the simulator did not start again"; }
set +e
timeout 60 "$HCSBATCH" -c hcsbatch.ini run >p0.out 2>p0.err
set -e
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state IN ('sent', 'processing')")" -gt 0 ] \
    || { cat p0.err; xl_fail "no packet waits for its answer"; }
kill "$SIM_PID"; wait "$SIM_PID" 2>/dev/null || true
for r in 1 2 3; do
    sqlite3 state.db "UPDATE packets SET next_at = 0 WHERE state IN ('sent', 'processing')"
    set +e
    timeout 60 "$HCSBATCH" -c hcsbatch.ini poll >poll$r.out 2>poll$r.err
    set -e
done
[ "$(events outage_began)" = 2 ] || { cat "$T/sink.log"; xl_fail "an outage seen through polls: outage_began notices $(events outage_began), want 2"; }
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE unreachable_since > 0")" -gt 0 ] \
    || xl_fail "polls that GIS did not answer left no unreachable_since"
"$SIM" --world "$HCS_TOP/samples/world" --state "$T/sim" --port "$PORT" --schemas "$SCHEMAS_DIR" \
    --log "$T/sim3.log" --processing-ms 100 >"$T/sim3.out" 2>"$T/sim.err" &
SIM_PID=$!
XL_SIMS="$SIM_PID"
listening_url "$T/sim3.out" $SIM_PID >/dev/null || { cat "$T/sim.err"; xl_fail "the simulator did not start a third time"; }
sqlite3 state.db "UPDATE packets SET next_at = 0 WHERE state IN ('sent', 'processing')"
set +e
timeout 60 "$HCSBATCH" -c hcsbatch.ini poll >pback.out 2>pback.err
set -e
[ "$(events outage_ended)" = 2 ] || { cat pback.err; cat "$T/sink.log"; xl_fail "the end of the poll outage: outage_ended notices $(events outage_ended), want 2"; }
[ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE unreachable_since > 0")" = 0 ] \
    || xl_fail "GIS answered the polls but unreachable_since stayed"
echo PASS
