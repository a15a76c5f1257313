# exchange_lib.sh — shared by the exchange integration tests (sourced, not
# run): a test key, the simulator on a free loopback port, a work directory
# with the sample exports in its inbox, and the outcome of every source row.
# Needs: BINDIR, SCHEMAS_DIR, HCS_TOP (tests/run.sh exports them).
HCS_TOP=${HCS_TOP:-$(pwd)}
. "$HCS_TOP/tests/integration/lib.sh"
XL_SIMS=""

xl_fail() { echo "FAIL: $*" >&2; exit 1; }

# xl_key DIR: a GOST R 34.10-2012 test key and certificate, made now.
xl_key() {
    mkdir -p "$1"
    openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A -out "$1/key.pem" 2>/dev/null \
        || xl_fail "cannot make a GOST key (openssl gost engine)"
    chmod 600 "$1/key.pem"
    openssl req -engine gost -new -x509 -days 30 -key "$1/key.pem" -subj "/CN=Test signer/O=Test/C=RU" \
        -out "$1/cert.pem" 2>/dev/null || xl_fail "cannot make a certificate"
}

# xl_sim STATE_DIR LOG [sim options...]: starts the simulator (on the world XL_WORLD,
# default samples/world); sets SIM_PID and SIM_URL.  Its stderr is STATE_DIR.err.
xl_sim() {
    _state=$1; _log=$2; shift 2
    mkdir -p "$_state"
    # A restart on the same state dir must not read the last run's listening
    # line: the shell truncates the file only once the child has forked.
    rm -f "$_state.out"
    "$SIM" --world "${XL_WORLD:-$HCS_TOP/samples/world}" --state "$_state" --port 0 --schemas "$SCHEMAS_DIR" \
        --log "$_log" "$@" >"$_state.out" 2>"$_state.err" &
    SIM_PID=$!
    XL_SIMS="$XL_SIMS $SIM_PID:$_state.err"
    SIM_URL=$(listening_url "$_state.out" $SIM_PID) || { cat "$_state.err" >&2; xl_fail "the simulator did not start"; }
}

# xl_stop_sims: stops the simulators of XL_SIMS (entries PID or PID:STDERR)
# and fails (returns 1, with its stderr) when one had ended other than by
# this SIGTERM: a simulator that crashed, or a sanitizer's report at its
# exit, must not pass as a test's clean-up.  127: already waited for.
xl_stop_sims() {
    _xs_bad=""
    for _xs in $XL_SIMS; do kill "${_xs%%:*}" 2>/dev/null || :; done
    for _xs in $XL_SIMS; do
        _xs_rc=0
        wait "${_xs%%:*}" 2>/dev/null || _xs_rc=$?
        case $_xs_rc in 0 | 127 | 143) continue ;; esac
        _xs_bad=1
        echo "FAIL: hcs-sim ${_xs%%:*} exited with status $_xs_rc" >&2
        case $_xs in *:*) tail -n 20 "${_xs#*:}" >&2 ;; esac
    done
    XL_SIMS=""
    [ -z "$_xs_bad" ]
}

# xl_cleanup [COMMAND...]: an EXIT trap's end: stops the simulators, runs
# COMMAND (removing the test's directory; not when KEEP is set, to look at
# it) whatever they did, then exits 1 when one had ended badly.
xl_cleanup() {
    _xc=0
    xl_stop_sims || _xc=1
    [ $# = 0 ] || [ -n "${KEEP:-}" ] || "$@" || :
    [ $_xc = 0 ] || exit 1
}

# xl_work DIR URL KEYDIR [extra ini lines]: hcsbatch.ini + inbox with the samples.
xl_work() {
    _w=$1; _url=$2; _keys=$3; _extra=${4:-}
    mkdir -p "$_w/inbox/accounts" "$_w/inbox/readings" "$_w/inbox/bills" "$_w/inbox/bills-withdraw"
    _org=$(sed -n 's/^ *org_ppa_guid *= *//p' "$HCS_TOP/samples/world/provider.ini" | head -n 1)
    cat >"$_w/hcsbatch.ini" <<INI
[gis]
base_url = $_url
org_ppa_guid = $_org
[sign]
key = $_keys/key.pem
cert = $_keys/cert.pem
alg = gost2012
[paths]
work_dir = .
schemas_dir = $SCHEMAS_DIR
templates_dir = $HCS_TOP/templates
nsi_dir = $HCS_TOP/samples/world/nsi
hints_file = $HCS_TOP/templates/hints.csv
[input]
settle_seconds = 0
[exchange]
poll_schedule = 0,1
transient_delay = 1
maintenance_delay = 1
[transport]
rate = 200
burst = 20
backoff_ms = 50
backoff_max_ms = 400
connect_timeout = 2
timeout = 5
$_extra
INI
    cp "$HCS_TOP/samples/accounts.csv" "$_w/inbox/accounts/"
    cp "$HCS_TOP/samples/readings.csv" "$_w/inbox/readings/"
    cp "$HCS_TOP/samples/bills.csv" "$_w/inbox/bills/"
    cp "$HCS_TOP/samples/bills-withdraw.csv" "$_w/inbox/bills-withdraw/"
}

# xl_outcomes DB: one line per source row: file|row|outcome|GIS code or reason.
xl_outcomes() {
    sqlite3 "$1" "SELECT f.name, r.row, e.state, coalesce(e.error_code, '')
                    FROM element_rows r JOIN elements e ON e.id = r.element_id JOIN files f ON f.id = r.file_id
                   WHERE e.state <> 'retried'
                  UNION ALL
                  SELECT f.name, j.row, 'rejected', j.reason FROM rejects j JOIN files f ON f.id = j.file_id
                  ORDER BY 1, 2, 3, 4"
}

# xl_clean_outcomes DIR OUT [sim options...]: the samples through a
# simulator without faults (signed with the key in DIR/keys, made here):
# the outcome of every row, to compare a faulty run's with.
xl_clean_outcomes() {
    _d=$1; _out=$2; shift 2
    xl_key "$_d/keys"
    xl_sim "$_d/clean-sim" "$_d/clean.log" "$@"
    xl_work "$_d/clean" "$SIM_URL" "$_d/keys"
    (cd "$_d/clean" && timeout 120 "$HCSBATCH" -q -c hcsbatch.ini run --wait) || [ $? = 65 ] \
        || xl_fail "clean run failed"
    xl_outcomes "$_d/clean/state.db" >"$_out"
    xl_stop_sims
}

# xl_check_accounted DB: every row of every file has an outcome: accepted
# with a GIS GUID, or an error / rejection with a code or reason.
xl_check_accounted() {
    _db=$1
    _bad=$(sqlite3 "$_db" "SELECT f.name, f.rows, (SELECT count(DISTINCT row) FROM (
              SELECT row FROM element_rows WHERE file_id = f.id UNION SELECT row FROM rejects WHERE file_id = f.id))
            FROM files f WHERE f.state <> 'rejected'" | awk -F'|' '$2 != $3')
    [ -z "$_bad" ] || xl_fail "rows without an outcome (file|rows|rows with outcome): $_bad"
    _n=$(sqlite3 "$_db" "SELECT count(*) FROM elements WHERE NOT ((state = 'accepted' AND gis_guid IS NOT NULL)
            OR (state IN ('error', 'failed', 'retried') AND error_code IS NOT NULL AND error_text IS NOT NULL))")
    [ "$_n" = 0 ] || xl_fail "$_n elements neither accepted with a GUID nor rejected with a reason"
    _n=$(sqlite3 "$_db" "SELECT count(*) FROM rejects WHERE reason IS NULL OR reason = ''")
    [ "$_n" = 0 ] || xl_fail "$_n rejected rows without a reason"
    _n=$(sqlite3 "$_db" "SELECT count(*) FROM packets WHERE state NOT IN ('done', 'done-with-warnings', 'failed')")
    [ "$_n" = 0 ] || xl_fail "$_n packets not final"
}

# xl_check_log LOG DB: from the simulator's request log and the client's
# state: no element imported twice (a TransportGUID acked under two
# MessageGUIDs); every MessageGUID GIS saw belongs to a packet (current or
# recorded as abandoned); each packet acked under one MessageGUID at most;
# every abandoned MessageGUID was answered with a rebuild code (EXP001000;
# the list in XL_REBUILD_CODES), on the call or in its getState result.
xl_check_log() {
    python3 - "$1" "$2" "${XL_REBUILD_CODES:-EXP001000}" <<'PY' || xl_fail "request log check failed"
import json, sqlite3, sys
log, dbpath, rebuild_codes = sys.argv[1], sys.argv[2], set(sys.argv[3].split(","))
db = sqlite3.connect(dbpath)
packet_of = {m: p for p, m in db.execute("SELECT id, message_guid FROM packets")}
abandoned = {}
for p, m in db.execute("SELECT packet_id, message_guid FROM packet_messages"):
    packet_of[m] = p
    abandoned[m] = p
acked_t, acked_p, codes, gis_to_ours = {}, {}, {}, {}
entries = [json.loads(l) for l in open(log, encoding="utf-8")]
for e in entries:
    if e.get("action") in ("getState", "") or not e.get("message_guid"):
        continue
    m = e["message_guid"]
    if m not in packet_of:
        print("GIS saw MessageGUID %s that no packet of ours has" % m); sys.exit(1)
    if e.get("gis_message_guid"):
        gis_to_ours[e["gis_message_guid"]] = m
    if e.get("code"):
        codes.setdefault(m, set()).add(e["code"])
    if e.get("status") == 200 and not e.get("duplicate") and not e.get("code"):
        acked_p.setdefault(packet_of[m], set()).add(m)
        for t in e.get("transport_guids") or []:
            acked_t.setdefault(t, set()).add(m)
for e in entries:       # result-level codes (getState answers)
    if e.get("action") == "getState" and e.get("code") and e.get("gis_message_guid") in gis_to_ours:
        codes.setdefault(gis_to_ours[e["gis_message_guid"]], set()).add(e["code"])
twice = {t: g for t, g in acked_t.items() if len(g) > 1}
if twice:
    print("elements imported under more than one MessageGUID:", list(twice.items())[:5]); sys.exit(1)
for p, g in acked_p.items():
    live = [m for m in g if m not in abandoned]
    if len(live) > 1:
        print("packet %s acked under several MessageGUIDs: %s" % (p, g)); sys.exit(1)
for m, p in abandoned.items():
    if not (codes.get(m, set()) & rebuild_codes):
        print("packet %s abandoned MessageGUID %s without a rebuild code (answers: %s)" % (p, m, codes.get(m))); sys.exit(1)
print("log ok: %d elements, each imported once; %d MessageGUIDs abandoned, each answered %s"
      % (len(acked_t), len(abandoned), "/".join(sorted(rebuild_codes))))
PY
}

xl_integrity() {
    _r=$(sqlite3 "$1" "PRAGMA integrity_check")
    [ "$_r" = ok ] || xl_fail "integrity_check: $_r"
}
