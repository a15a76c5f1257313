#!/bin/sh
# hcsbatch health against the simulator over real HTTP: every check ok
# (exit 0), then one failing check at a time — a key that does not match
# its certificate, an unreadable key, an expired certificate, one expiring
# within health.cert_warn_days (a warning: exit 1), a missing schema
# package, a state database whose index points at another table's pages
# (integrity check), the simulator stopped (GIS unreachable), a provider
# GIS does not know (answered, but not INT002013), disk thresholds above
# the free space.  --json is parsed by python3; the Prometheus textfile is
# checked line by line against the exposition format; an encrypted key's
# passphrase never appears in any output.
set -u
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
tmp=$(mktemp -d)
trap 'xl_cleanup rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

# A key whose certificate is valid for a year (xl_key's 30 days would warn).
mkdir -p "$tmp/keys"
openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A -out "$tmp/keys/key.pem" 2>/dev/null &&
    chmod 600 "$tmp/keys/key.pem" &&
    openssl req -engine gost -new -x509 -days 365 -key "$tmp/keys/key.pem" -subj "/CN=Health/O=Test/C=RU" \
        -out "$tmp/keys/cert.pem" 2>/dev/null || xl_fail "cannot make a GOST key and certificate"
xl_sim "$tmp/sim" "$tmp/sim.log"
W=$tmp/work
xl_work "$W" "$SIM_URL" "$tmp/keys"

# health [-o ...] [--json]: runs in the work directory; output in $tmp/out, exit code in $rc.
health() {
    (cd "$W" && "$HCSBATCH" -c hcsbatch.ini "$@" health ${HEALTH_ARGS:-}) >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
# check_is NAME STATUS: the text line of check NAME says STATUS.
check_is() {
    awk -v n="$1" -v s="$2" '$2 == n && $1 == s { found = 1 } END { exit !found }' "$tmp/out"
}
expect() {  # what, exit code wanted, check, status wanted
    if [ "$rc" = "$2" ] && check_is "$3" "$4"; then
        ok "$1: $3 $4, exit $rc"
    else
        fail "$1: want $3 $4 and exit $2, got exit $rc:"; cat "$tmp/out" "$tmp/err"
    fi
}

# ---- everything in order ----
health
if [ $rc = 0 ] && [ "$(grep -c '^ok ' "$tmp/out")" = 7 ] && grep -q '^health: ok$' "$tmp/out"; then
    ok "all seven checks ok, exit 0"
else
    fail "healthy installation: exit $rc"; cat "$tmp/out" "$tmp/err"
fi
grep -q 'INT002013' "$tmp/out" || fail "gis check does not name the INT002013 answer"
grep -q 'schema package 12\.2\.2\.15 (from changelog.txt; hcs-base.xsd 12\.2\.0\.1)' "$tmp/out" ||
    fail "schema package version not read from the package: $(grep schemas "$tmp/out")"
python3 - "$tmp/sim.log" <<'PY' || fail "the simulator's log shows no getState answered INT002013"
import json, sys
seen = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert any(e.get("operation") == "getState" and e.get("code") == "INT002013" and e.get("status") == 200
           for e in seen), seen
PY

HEALTH_ARGS=--json health
python3 - "$tmp/out" <<'PY' || fail "--json"
import json, sys
r = json.load(open(sys.argv[1]))
names = [c["name"] for c in r["checks"]]
assert names == ["config", "key", "cert_expiry", "schemas", "store", "gis", "disk"], names
assert r["status"] == "ok" and r["exit_code"] == 0, r
assert all(c["status"] == "ok" and c["message"] for c in r["checks"]), r
days = [c for c in r["checks"] if c["name"] == "cert_expiry"][0]["value"]
assert 360 <= days <= 365, days
PY
[ $rc = 0 ] && ok "--json parses: seven checks, status ok, cert_expiry value in days"

# ---- the Prometheus textfile ----
prom=$tmp/metrics/health.prom
mkdir -p "$tmp/metrics"
HEALTH_ARGS="--prometheus $prom" health
python3 - "$prom" <<'PY' || fail "Prometheus textfile format"
import re, sys, time
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "", "no trailing newline"
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{check="([a-z_]+)"\})? (-?[0-9.eE+-]+)$')
typed, statuses, stamp = set(), {}, None
for l in lines[:-1]:
    if l.startswith("# HELP "):
        continue
    if l.startswith("# TYPE "):
        name, kind = l.split()[2:4]
        assert kind == "gauge", l
        typed.add(name)
        continue
    m = sample.match(l)
    assert m, "not a sample line: %r" % l
    assert m.group(1) in typed, "sample before its TYPE: %r" % l
    if m.group(1) == "hcsbatch_health_check_status":
        statuses[m.group(3)] = float(m.group(4))
    if m.group(1) == "hcsbatch_health_timestamp_seconds":
        stamp = float(m.group(4))
assert sorted(statuses) == sorted(["config", "key", "cert_expiry", "schemas", "store", "gis", "disk"]), statuses
assert set(statuses.values()) == {0.0}, statuses
assert stamp and abs(stamp - time.time()) < 120, stamp
PY
[ "$(ls -A "$tmp/metrics")" = health.prom ] || fail "temporary files left next to the textfile: $(ls -A "$tmp/metrics")"
ok "Prometheus textfile: one status gauge per check, a timestamp, nothing else left behind"
HEALTH_ARGS="--prometheus $tmp/nosuch/health.prom" health
[ $rc = 73 ] || [ $rc = 74 ] || fail "unwritable Prometheus textfile: exit $rc, want 73 or 74"

# ---- failing checks, one at a time ----
openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A -out "$tmp/keys/other.pem" 2>/dev/null
chmod 600 "$tmp/keys/other.pem"
health -o sign.key="$tmp/keys/other.pem"
expect "key of another certificate" 2 key critical
grep -q 'does not match' "$tmp/out" || fail "mismatch not named"

health -o sign.key="$tmp/keys/nosuch.pem"
expect "unreadable key" 2 key critical

openssl req -engine gost -new -key "$tmp/keys/key.pem" -subj "/CN=Expired" -out "$tmp/keys/req.csr" 2>/dev/null
openssl x509 -engine gost -req -in "$tmp/keys/req.csr" -signkey "$tmp/keys/key.pem" -days -1 \
    -out "$tmp/keys/expired.pem" 2>/dev/null || xl_fail "cannot make an expired certificate"
health -o sign.cert="$tmp/keys/expired.pem"
expect "expired certificate" 2 cert_expiry critical
grep -q 'expired on' "$tmp/out" || fail "expiry not explained"

openssl x509 -engine gost -req -in "$tmp/keys/req.csr" -signkey "$tmp/keys/key.pem" -days 10 \
    -out "$tmp/keys/soon.pem" 2>/dev/null
health -o sign.cert="$tmp/keys/soon.pem"
expect "certificate expiring in 10 days" 1 cert_expiry warning
health -o sign.cert="$tmp/keys/soon.pem" -o health.cert_warn_days=5
expect "certificate expiring in 10 days, threshold 5" 0 cert_expiry ok

health -o paths.schemas_dir="$tmp/nosuch"
expect "no schema package" 2 schemas critical

df_mb=$(df -Pm "$W" | awk 'NR == 2 { print $4 }')
health -o health.disk_warn_mb=$((df_mb * 4 + 1000))
expect "less free space than the warning threshold" 1 disk warning
health -o health.disk_warn_mb=$((df_mb * 4 + 1000)) -o health.disk_critical_mb=$((df_mb * 2 + 1000))
expect "less free space than the critical threshold" 2 disk critical

other=$(python3 -c 'import uuid; print(uuid.uuid4())')
health -o gis.org_ppa_guid="$other"
expect "a provider GIS does not know" 2 gis critical
grep -q 'AUT001102' "$tmp/out" || fail "GIS's refusal not quoted: $(grep gis "$tmp/out")"

# The passphrase of an encrypted key stays out of every output.
openssl pkey -engine gost -in "$tmp/keys/key.pem" -aes256 -passout pass:Sekret-Pass-42 \
    -out "$tmp/keys/enc.pem" 2>/dev/null && chmod 600 "$tmp/keys/enc.pem"
HCS_TEST_PASS=Sekret-Pass-42 health -o sign.key="$tmp/keys/enc.pem" -o sign.pass_env=HCS_TEST_PASS
expect "encrypted key with its passphrase" 0 key ok
HCS_TEST_PASS=Sekret-Pass-42 HEALTH_ARGS=--json health -o sign.key="$tmp/keys/enc.pem" -o sign.pass_env=HCS_TEST_PASS
cat "$tmp/out" "$tmp/err" | grep -q 'Sekret-Pass-42' && fail "the passphrase was printed"
HCS_TEST_PASS=wrong health -o sign.key="$tmp/keys/enc.pem" -o sign.pass_env=HCS_TEST_PASS
expect "encrypted key, wrong passphrase" 2 key critical

# A damaged state database: an index whose root page is another table's.
# (health itself never creates the database: `status` does, as a run would.)
(cd "$W" && "$HCSBATCH" -q -c hcsbatch.ini status >/dev/null) || fail "status could not create the state database"
health
expect "state database created" 0 store ok
grep -q 'store .*integrity ok' "$tmp/out" || fail "the integrity check did not run: $(grep store "$tmp/out")"
sqlite3 "$W/state.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
sqlite3 "$W/state.db" "PRAGMA writable_schema=ON;
    UPDATE sqlite_master SET rootpage=(SELECT rootpage FROM sqlite_master WHERE type='index' AND tbl_name='files' LIMIT 1)
     WHERE name=(SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='packets' LIMIT 1);" ||
    xl_fail "cannot damage the state database"
health
expect "damaged state database" 2 store critical
grep -q 'store .*damaged' "$tmp/out" || fail "integrity problem not reported as such: $(grep store "$tmp/out")"

# GIS gone.
xl_stop_sims
mkdir -p "$tmp/fresh"
health -o paths.work_dir="$tmp/fresh"
expect "simulator stopped" 2 gis critical
grep -q 'not reachable' "$tmp/out" || fail "unreachable not said"
check_is store ok && grep -q 'no state database yet' "$tmp/out" || fail "a work directory before the first run: $(grep store "$tmp/out")"
[ ! -e "$tmp/fresh/state.db" ] || fail "health created a state database"

[ $fails = 0 ] && echo "health ok"
exit $((fails > 0))
