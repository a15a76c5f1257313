#!/bin/sh
# Crash test: `hcsbatch run --wait` over the samples is killed with SIGKILL
# at random moments (KILLS in all, default 50; SOAK=1 → 300), restarted
# until it finishes; every other round the simulator injects EXP001000,
# resets and 503s as well.  Then: the simulator's request log shows no element
# imported twice and no packet acked under two MessageGUIDs; PRAGMA
# integrity_check is ok; every row is accounted for; the outcome of every
# source row equals that of an uninterrupted run.  Before the kills, on the
# uninterrupted run's state: what a kill after the last answer leaves (files
# not marked done, runs without their report) is done by the next run.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
KILLS=${KILLS:-50}
[ "${SOAK:-0}" = 1 ] && KILLS=${SOAK_KILLS:-300}
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
echo "crash test dir: $T"
xl_key "$T/keys"

# reference: one uninterrupted run
xl_sim "$T/ref-sim" "$T/ref-sim.log" --processing-ms 200
xl_work "$T/ref" "$SIM_URL" "$T/keys"
(cd "$T/ref" && timeout 120 "$HCSBATCH" -q -c hcsbatch.ini run --wait) || [ $? = 65 ] || xl_fail "reference run failed"
xl_outcomes "$T/ref/state.db" >"$T/ref.txt"
[ -s "$T/ref.txt" ] || xl_fail "reference run produced no outcomes"
# a kill after the last answer, before the files were marked done: the
# next run, with nothing to take, send or poll, still marks them
sqlite3 "$T/ref/state.db" "UPDATE files SET state='converted' WHERE state='done'"
n=$(grep -c . "$T/ref-sim.log")
(cd "$T/ref" && "$HCSBATCH" -q -c hcsbatch.ini run) || [ $? = 65 ] || xl_fail "the run after the answers failed"
left=$(sqlite3 "$T/ref/state.db" "SELECT count(*) FROM files WHERE state <> 'done'")
[ "$left" = 0 ] || xl_fail "$left file(s) left unfinished by a run with nothing else to do"
[ "$(grep -c . "$T/ref-sim.log")" = "$n" ] || xl_fail "the run that only finished files sent something"
# every run killed before its report: the next run reports what they took
# and GIS answered, every row of every file; the one after has nothing new
rm -f "$T/ref/reports/"*
sqlite3 "$T/ref/state.db" "UPDATE runs SET finished_at = NULL, exit_code = NULL, summary = NULL"
(cd "$T/ref" && "$HCSBATCH" -q -c hcsbatch.ini run) || [ $? = 65 ] || xl_fail "the run after the killed ones failed"
xlsx=$(ls "$T/ref/reports/"*.xlsx 2>/dev/null) || xl_fail "no report of the killed runs' answers"
/usr/bin/python3 - "$xlsx" "$T/ref.txt" <<'PY' || xl_fail "the report lacks rows the killed runs took"
import collections, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
want = collections.Counter(l.split("|")[0] for l in open(sys.argv[2], encoding="utf-8") if l.strip())
for name, n in want.items():
    assert name in wb.sheetnames, (name, wb.sheetnames)
    got = sum(1 for r in wb[name].iter_rows(min_row=2, values_only=True) if r[0] is not None)
    assert got == n, (name, got, n)
summary = [r for r in wb["Сводка"].iter_rows(values_only=True)]
assert any(r[0] == "Включены результаты прерванного запуска от" and r[1] for r in summary), summary[:12]
print("report of the killed runs: %s" % dict(want))
PY
rm -f "$T/ref/reports/"*
(cd "$T/ref" && "$HCSBATCH" -q -c hcsbatch.ini run) || [ $? = 65 ] || xl_fail "the run after the report failed"
[ -z "$(ls "$T/ref/reports/")" ] || xl_fail "a run with nothing new wrote a report: $(ls "$T/ref/reports/")"
xl_stop_sims

rand_delay() {   # seconds, 0 … 0.9, from the shell's PRNG (seeded by the round)
    awk -v r="$(od -An -N2 -tu2 /dev/urandom)" 'BEGIN { printf "%.3f", (r % 900) / 1000 }'
}

kills=0; round=0
while [ $kills -lt "$KILLS" ]; do
    round=$((round + 1))
    R=$T/round$round
    # every other round the simulator also injects EXP001000 (rebuilds),
    # resets and 503s, so kills land inside rebuilds and retries too.
    # EXP001000 at random on any request, resends included: hcs-sim answers
    # a MessageGUID it already acknowledged with that ack again, never an
    # injected EXP001000 (c9b6b8d), so a resend after a kill or a reset does
    # not make the client rebuild, and import, an accepted message twice.
    if [ $((round % 2)) = 0 ]; then
        xl_sim "$R-sim" "$R-sim.log" --processing-ms 200 --faults "exp001000=0.1,reset=0.05,http503=0.05" --seed $round
    else
        xl_sim "$R-sim" "$R-sim.log" --processing-ms 200
    fi
    xl_work "$R" "$SIM_URL" "$T/keys"
    finished=0; tries=0
    while [ $finished = 0 ] && [ $tries -lt 200 ]; do
        tries=$((tries + 1))
        (cd "$R" && exec "$HCSBATCH" -c hcsbatch.ini run --wait >>run.out 2>>run.err) &
        pid=$!
        if [ $kills -lt "$KILLS" ]; then
            sleep "$(rand_delay)"
            if kill -9 $pid 2>/dev/null; then
                kills=$((kills + 1))
                wait $pid 2>/dev/null || true
                continue
            fi
        fi
        # a run that does not finish within 90 s is a hang: fail, do not wait forever
        (sleep 90; kill -9 $pid 2>/dev/null) &
        watchdog=$!
        set +e
        wait $pid
        rc=$?
        set -e
        kill $watchdog 2>/dev/null || true
        [ $rc != 137 ] || { tail -20 "$R/run.err" >&2; xl_fail "round $round: the run hung (killed after 90 s)"; }
        case $rc in
            0|65) finished=1 ;;
            75) sleep 0.1 ;;       # the killed run's lock not released yet: impossible with flock, tolerated
            *) tail -20 "$R/run.err" >&2; xl_fail "round $round: run exit $rc" ;;
        esac
    done
    [ $finished = 1 ] || xl_fail "round $round did not finish"
    xl_stop_sims
    xl_integrity "$R/state.db"
    xl_check_accounted "$R/state.db"
    xl_check_log "$R-sim.log" "$R/state.db"
    xl_outcomes "$R/state.db" >"$R.txt"
    if ! cmp -s "$T/ref.txt" "$R.txt"; then
        diff "$T/ref.txt" "$R.txt" | head -20 >&2
        xl_fail "round $round: outcomes differ from the uninterrupted run"
    fi
    [ -z "$(ls "$R/rejected" 2>/dev/null)" ] || xl_fail "round $round: a file was rejected: $(ls "$R/rejected")"
    n=$(sqlite3 "$R/state.db" "SELECT count(*) FROM files")
    [ "$n" = 4 ] || xl_fail "round $round: $n files recorded, expected 4"
    n=$(sqlite3 "$R/state.db" "SELECT count(*) FROM files WHERE state <> 'done'")
    [ "$n" = 0 ] || xl_fail "round $round: $n file(s) not done"
    echo "round $round: ok after $tries start(s); $kills kill(s) so far"
done
echo "PASS: $kills kills in $round rounds, outcomes equal the uninterrupted run's"
