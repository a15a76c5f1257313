#!/bin/sh
# A GIS outage longer than the old 30-attempt cap: nothing listens on the
# port while 'run --wait' keeps trying with short, capped back-off; status
# says since when GIS is unreachable; then the simulator starts on the same
# port.  Every packet is answered, each import accepted once, no packet
# failed for the outage, and the run exits by its outcome (0 or 65).
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
RUN_PID=""
trap '[ -z "$RUN_PID" ] || kill "$RUN_PID" 2>/dev/null || :; xl_cleanup rm -rf "$T"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
xl_key "$T/keys"
xl_work "$T/w" "http://127.0.0.1:$PORT/" "$T/keys" "retries = 1
[exchange]
max_backoff = 1"
# xl_work wrote [exchange] already: the second section's keys add to it.
cd "$T/w"
umask 022
chmod 644 inbox/*/*

timeout 300 "$HCSBATCH" -c hcsbatch.ini run --wait >run.out 2>run.err &
RUN_PID=$!
# GIS down for more than 30 send attempts of one packet.
i=0
while :; do
    n=0    # (the sqlite3 shell would create state.db itself, with its own mode)
    [ ! -s state.db ] || n=$(sqlite3 state.db "SELECT coalesce(max(attempts), 0) FROM packets" 2>/dev/null || echo 0)
    [ "$n" -gt 31 ] && break
    i=$((i + 1))
    [ $i -le 900 ] || xl_fail "attempts did not pass 31 in 90 s ($n)"
    kill -0 $RUN_PID 2>/dev/null || { cat run.err; xl_fail "the run ended while GIS was down"; }
    sleep 0.1
done
n=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state IN ('failed', 'done', 'done-with-warnings')")
[ "$n" = 0 ] || xl_fail "$n packets finished while GIS was down"
n=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state = 'deferred' AND unreachable_since > 0")
[ "$n" -gt 0 ] || xl_fail "no packet deferred with the outage's start"
"$HCSBATCH" -c hcsbatch.ini status >status.out
grep -q "^GIS unreachable since " status.out || { cat status.out; xl_fail "status does not say since when GIS is down"; }

# GIS is back on the same port.
mkdir -p "$T/sim"
"$SIM" --world "$HCS_TOP/samples/world" --state "$T/sim" --port "$PORT" --schemas "$SCHEMAS_DIR" \
    --log "$T/sim.log" --processing-ms 100 >"$T/sim.out" 2>"$T/sim.err" &
SIM_PID=$!
XL_SIMS="$SIM_PID"
listening_url "$T/sim.out" $SIM_PID >/dev/null || { cat "$T/sim.err"; xl_fail "the simulator did not start"; }
set +e
wait $RUN_PID
rc=$?
set -e
RUN_PID=""
[ $rc = 0 ] || [ $rc = 65 ] || { cat run.out run.err; xl_fail "run exit $rc, expected 0 or 65 (everything answered)"; }
n=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE error_code IN ('HCS-SEND', 'HCS-NET', 'HCS-PROTOCOL')")
[ "$n" = 0 ] || xl_fail "$n packets ended by the outage"
n=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE unreachable_since <> 0")
[ "$n" = 0 ] || xl_fail "$n packets still marked unreachable"
xl_check_accounted state.db
xl_check_log "$T/sim.log" state.db
"$HCSBATCH" -c hcsbatch.ini status >status.out
! grep -q "GIS unreachable" status.out || xl_fail "status still reports the outage"
# Personal data: the run (umask 027) leaves nothing readable by others
# although this shell's umask lets everyone read.
[ "$(umask)" = 0022 ] || [ "$(umask)" = 022 ] || echo "note: umask $(umask)"
open=$(find state.db* reports archive -perm /o=rwx 2>/dev/null | head -5)
[ -z "$open" ] || xl_fail "readable by others: $open $(ls -l $open)"
[ -n "$(find archive -type f -name '*.xml' | head -1)" ] || xl_fail "no archived envelope to check"
[ -n "$(find archive -type f -name '*.csv' | head -1)" ] || xl_fail "no archived input to check"
[ -n "$(find reports -type f -name '*.xlsx' | head -1)" ] || xl_fail "no report to check"

# Malformed SOAP answers (garbled, truncated): libxml2 says nothing raw on
# stderr; every line there is the logger's.
xl_stop_sims
xl_sim "$T/sim2" "$T/sim2.log" --processing-ms 100 --faults garbled=0.4,truncated=0.3 --seed 7
xl_work "$T/w2" "$SIM_URL" "$T/keys" "retries = 8"
cd "$T/w2"
set +e
timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >run.out 2>run.err
rc=$?
set -e
[ $rc = 0 ] || [ $rc = 65 ] || { cat run.err; xl_fail "run with malformed answers: exit $rc"; }
raw=$(grep -v '^[0-9][0-9-]* [0-9:]* hcsbatch [a-z]*: ' run.err | head -5)
[ -z "$raw" ] || xl_fail "raw lines on stderr: $raw"
echo PASS
