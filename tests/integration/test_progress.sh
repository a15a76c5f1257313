#!/bin/sh
# The progress line on a terminal: `script` (util-linux) gives hcsbatch a
# pseudo-terminal, and the typescript must hold the \r-updated line with a
# rate and an estimate — for convert (rows/s), a multipart upload to the
# simulator's file store (MB/s) and run --wait (packets GIS answered) — and
# end with the line erased.  Without a terminal (stderr a file, as in cron)
# and with -q on a terminal, not a trace of it.
set -u
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
tmp=$(mktemp -d)
trap 'xl_cleanup rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
if ! command -v script >/dev/null || ! script -q -c true /dev/null >/dev/null 2>&1; then
    echo "SKIP: no util-linux script (cannot get a pseudo-terminal)"
    exit 0
fi
ORG=$(sed -n 's/^ *org_ppa_guid *= *//p' "$HCS_TOP/samples/world/provider.ini" | head -n 1)

# big.csv: the sample readings N times over.  The line is redrawn every
# 0.2 s, so the conversion must last longer than that to show a rate and an
# estimate: 24 000 rows first, four times more while it finishes too soon
# (a fast machine converts 24 000 unsigned rows in less).
big_csv() {
    awk -v times="$1" 'NR == 1 { print; next } { rows[++n] = $0 } END { for (i = 0; i < times; i++) for (k = 1; k <= n; k++) print rows[k] }' \
        "$HCS_TOP/samples/readings.csv" >"$tmp/big.csv"
    ROWS=$(($(wc -l <"$tmp/big.csv") - 1))
}
convert_cmd="$HCSBATCH -o gis.org_ppa_guid=$ORG -o paths.nsi_dir=$HCS_TOP/samples/world/nsi -o paths.templates_dir=$HCS_TOP/templates --schemas $SCHEMAS_DIR \
convert --op importMeteringDeviceValues --out $tmp/out big.csv"
cr=$(printf '\r')

# on_tty FILE COMMAND: runs COMMAND on a pseudo-terminal, the session in FILE.
on_tty() { _t0=$(date +%s); (cd "$tmp" && script -q -e -c "$2" "$1" >/dev/null 2>&1); echo "   ($(( $(date +%s) - _t0 )) s)"; }

progress_line="${cr}converting big.csv: [0-9]* rows ([0-9]*%), [0-9.]* rows/s, ~[0-9:]* left"
for times in 1000 4000 16000; do
    big_csv $times
    rm -rf "$tmp/out"
    on_tty "$tmp/convert.ts" "$convert_cmd"
    grep -q "$progress_line" "$tmp/convert.ts" && break
done
if grep -q "$progress_line" "$tmp/convert.ts"; then
    ok "convert on a terminal: rows, percentage, rows/s and an estimate on an updating line ($ROWS rows)"
else
    fail "convert on a terminal shows no progress line:"; cat -v "$tmp/convert.ts" | head -c 2000
fi
printf '\r\033[K' >"$tmp/erase"
grep -qF "$(cat "$tmp/erase")big.csv: $ROWS rows" "$tmp/convert.ts" ||
    fail "the progress line is not erased before the summary"

(cd "$tmp" && eval "$convert_cmd") >"$tmp/plain.out" 2>"$tmp/plain.err"
grep -q "big.csv: $ROWS rows" "$tmp/plain.err" || fail "the run without a terminal did not convert: $(cat "$tmp/plain.err")"
if grep -q 'converting big.csv\|rows/s' "$tmp/plain.err" || grep -q "$cr" "$tmp/plain.err"; then
    fail "progress written although stderr is not a terminal:"; cat -v "$tmp/plain.err" | head -c 1000
else
    ok "stderr not a terminal (cron): no progress"
fi
rm -rf "$tmp/out"
on_tty "$tmp/quiet.ts" "$HCSBATCH -q ${convert_cmd#"$HCSBATCH"}"
grep -q 'converting big.csv' "$tmp/quiet.ts" && fail "progress shown with -q" || ok "-q on a terminal: no progress"
ls "$tmp/out"/importMeteringDeviceValues-*.xml >/dev/null 2>&1 || fail "the -q run did not convert: $(cat -v "$tmp/quiet.ts")"

# A 12 MB upload in 5 MB parts to the simulator's file store: MB/s.
xl_key "$tmp/keys"
xl_sim "$tmp/sim" "$tmp/sim.log" --processing-ms 1000
xl_work "$tmp/w" "$SIM_URL" "$tmp/keys"
head -c 12582912 /dev/urandom >"$tmp/w/scan.pdf"
# The simulator answers a 5 MB part in milliseconds: at 4 file store
# requests a second the upload lasts long enough (about a second) for the
# line to be redrawn with a rate after the first part, on any machine.
printf '[filestore]\nrate = 4\n' >>"$tmp/w/hcsbatch.ini"
on_tty "$tmp/upload.ts" "cd $tmp/w && $HCSBATCH -c hcsbatch.ini upload --context homemanagement scan.pdf"
if grep -q "${cr}uploading scan.pdf: [0-9.]* MB ([0-9]*%), [0-9.]* MB/s" "$tmp/upload.ts"; then
    ok "multipart upload on a terminal: MB and MB/s"
else
    fail "upload on a terminal shows no progress line:"; cat -v "$tmp/upload.ts" | head -c 2000
fi

# run --wait: the packets GIS has answered, while it processes them.
on_tty "$tmp/run.ts" "cd $tmp/w && $HCSBATCH -c hcsbatch.ini run --wait"
if grep -q "${cr}waiting for GIS, answered: [0-9]* packets ([0-9]*%)" "$tmp/run.ts"; then
    ok "run --wait on a terminal: packets answered while waiting for GIS"
else
    fail "run --wait on a terminal shows no waiting line:"; cat -v "$tmp/run.ts" | head -c 2000
fi
grep -q "${cr}converting " "$tmp/run.ts" || fail "the run's intake shows no conversion line"

[ $fails = 0 ] && echo "progress ok"
exit $((fails > 0))
