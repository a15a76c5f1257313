#!/bin/sh
# `make install` into a DESTDIR with PREFIX=/usr, then the installed tree
# used as an administrator would, away from the source tree: --version,
# `health` against the simulator (every check ok, the daily health units
# installed and naming the installed binary), `convert` of a sample copied to a temporary directory with a configuration
# that names nothing but org_ppa_guid and schemas_dir (templates, hints and
# НСИ come from the installed data directory), a clear error when the schema
# package is missing, the example configuration loads and lists every key,
# cron/systemd paths follow PREFIX, the cron wrapper's exit codes and TMPDIR,
# man pages render without warnings, and
# `make uninstall` removes everything but an edited configuration.
# The build happens in a copy of the object tree (only the data directory's
# object is rebuilt), so bin/ of the working tree is not touched.
set -u
BUILD=${BUILD:-build}
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
cd "$HCS_TOP"
ORG=$(sed -n 's/^org_ppa_guid *= *//p' samples/world/provider.ini)
tmp=$(mktemp -d)
trap 'xl_cleanup rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
root=$tmp/root

mkdir -p "$tmp/build"
if [ -d "$BUILD/src" ]; then
    cp -a "$BUILD/src" "$tmp/build/"
    for f in .cflags .deps-ok libhcs.a; do [ -e "$BUILD/$f" ] && cp -a "$BUILD/$f" "$tmp/build/"; done
fi
inst() {  # make target with the test's layout
    env -u MAKEFLAGS -u MAKELEVEL make -s -j2 BUILD="$tmp/build" BINDIR="$tmp/bin" \
        PREFIX=/usr DESTDIR="$root" "$@"
}
inst install >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; echo "FAIL: make install"; exit 1; }

for f in usr/bin/hcsbatch usr/bin/hcs-sim usr/share/hcsbatch/templates/hints.csv \
         usr/share/hcsbatch/templates/importAccountData/map.ini usr/share/hcsbatch/nsi/95.csv \
         usr/share/man/man1/hcsbatch.1 usr/share/man/man1/hcs-sim.1 usr/share/man/man5/hcsbatch.ini.5 \
         etc/hcsbatch/hcsbatch.ini etc/logrotate.d/hcsbatch usr/lib/hcsbatch/hcsbatch-cron.sh \
         usr/lib/systemd/system/hcsbatch.service usr/lib/systemd/system/hcsbatch.timer \
         usr/lib/systemd/system/hcsbatch-health.service usr/lib/systemd/system/hcsbatch-health.timer \
         usr/share/doc/hcsbatch/examples/hcsbatch.cron usr/share/doc/hcsbatch/schemas.md; do
    [ -f "$root/$f" ] || fail "not installed: /$f"
done
[ -x "$root/usr/lib/hcsbatch/hcsbatch-cron.sh" ] || fail "cron wrapper not executable"
HCS=$root/usr/bin/hcsbatch

"$HCS" --version | grep -q '^hcsbatch ' || fail "installed hcsbatch --version"
"$root/usr/bin/hcs-sim" --help 2>&1 | grep -q -- '--world' || fail "installed hcs-sim --help"
grep -q '/usr/share/hcsbatch' "$HCS" || fail "PREFIX=/usr not compiled in as the data directory"

# Cron and systemd files name the installed wrapper, not /usr/local.
for f in usr/lib/systemd/system/hcsbatch.service usr/share/doc/hcsbatch/examples/hcsbatch.cron; do
    grep -q '/usr/lib/hcsbatch/hcsbatch-cron.sh' "$root/$f" || fail "$f does not run /usr/lib/hcsbatch/hcsbatch-cron.sh"
    grep -q '/usr/local' "$root/$f" && fail "$f still names /usr/local"
done
grep -q '^ExecStart=/usr/bin/hcsbatch -c /etc/hcsbatch/hcsbatch.ini health --prometheus ' \
    "$root/usr/lib/systemd/system/hcsbatch-health.service" || fail "hcsbatch-health.service does not run the installed hcsbatch health"
grep -q '^OnCalendar=' "$root/usr/lib/systemd/system/hcsbatch-health.timer" || fail "hcsbatch-health.timer has no schedule"
grep -q '/usr/local' "$root/usr/lib/systemd/system/hcsbatch-health.service" && fail "hcsbatch-health.service still names /usr/local"
grep -q 'HCSBATCH:-/usr/bin/hcsbatch}' "$root/usr/lib/hcsbatch/hcsbatch-cron.sh" || fail "wrapper does not default to /usr/bin/hcsbatch"

# The example configuration: loads, changes nothing, lists every key.
"$HCS" -c "$root/etc/hcsbatch/hcsbatch.ini" config >"$tmp/config.out" 2>&1 || { cat "$tmp/config.out"; fail "example configuration does not load"; }
for key in $(sed -n 's/^ *{ "\([a-z_]*\.[A-Za-z0-9_]*\)".*/\1/p' src/base/config_keys.c); do
    sec=${key%%.*}; name=${key#*.}
    awk -v s="[$sec]" -v k=";$name =" '$0 == s { in_s = 1; next } /^\[/ { in_s = 0 } in_s && index($0, k) == 1 { found = 1 } END { exit !found }' \
        "$root/etc/hcsbatch/hcsbatch.ini" || fail "example configuration lacks [$sec] $name"
done

# convert away from the source tree: the site names only the provider and the schemas.
site=$tmp/site
mkdir -p "$site"
cp samples/accounts.csv "$site/"
printf '[gis]\norg_ppa_guid = %s\n[paths]\nschemas_dir = %s\n' "$ORG" "$SCHEMAS_DIR" >"$site/hcsbatch.ini"
(cd "$site" && "$HCS" -q -c hcsbatch.ini convert --op importAccountData --out out accounts.csv) 2>"$tmp/convert.err"
rc=$?
"$HCSBATCH" -q -o gis.org_ppa_guid="$ORG" -o paths.nsi_dir=samples/world/nsi --schemas "$SCHEMAS_DIR" \
    convert --op importAccountData --out "$tmp/ref" samples/accounts.csv 2>/dev/null
ref=$?
[ $rc = $ref ] || { cat "$tmp/convert.err"; fail "installed convert exit $rc, in the source tree $ref"; }
ls "$site/out"/importAccountData-*.xml >/dev/null 2>&1 || fail "installed convert wrote no packet"
[ "$(wc -l <"$site/out/errors.csv" 2>/dev/null)" = "$(wc -l <"$tmp/ref/errors.csv")" ] ||
    fail "installed convert rejects other rows than the source tree (templates or НСИ not found?)"

# health of the installed binary against the (installed) simulator: every
# check ok, templates found in the installed data directory.
xl_key "$tmp/keys"
SIM=$root/usr/bin/hcs-sim xl_sim "$tmp/sim" "$tmp/sim.log"
mkdir -p "$site/work"
printf '[gis]\nbase_url = %s\norg_ppa_guid = %s\n[sign]\nkey = %s\ncert = %s\n[paths]\nschemas_dir = %s\nwork_dir = work\n[health]\ncert_warn_days = 7\n' \
    "$SIM_URL" "$ORG" "$tmp/keys/key.pem" "$tmp/keys/cert.pem" "$SCHEMAS_DIR" >"$site/health.ini"
(cd "$site" && "$HCS" -c health.ini health --prometheus work/health.prom) >"$tmp/health.out" 2>&1
rc=$?
[ $rc = 0 ] && [ "$(grep -c '^ok ' "$tmp/health.out")" = 7 ] || { cat "$tmp/health.out"; fail "installed health: exit $rc"; }
grep -q '^hcsbatch_health_check_status{check="gis"} 0$' "$site/work/health.prom" || fail "installed health wrote no textfile"
xl_stop_sims

# Without the schema package: exit 78 and the reason, not a crash.
printf '[gis]\norg_ppa_guid = %s\n' "$ORG" >"$site/noschemas.ini"
(cd "$site" && "$HCS" -q -c noschemas.ini convert --op importAccountData --out out2 accounts.csv) 2>"$tmp/noschemas.err"
rc=$?
[ $rc = 78 ] || fail "missing schema package: exit $rc, want 78"
grep -q 'not shipped with hcsbatch' "$tmp/noschemas.err" || { cat "$tmp/noschemas.err"; fail "missing schema package not explained"; }

# The installed cron wrapper: hcsbatch's exit code and its meaning in the
# day's log; an unset TMPDIR becomes a 0700 directory beside the logs (the
# XLSX spool holds personal data), a set one is kept.
cat >"$tmp/fake-hcsbatch" <<'FAKE'
#!/bin/sh
echo "TMPDIR=$TMPDIR args=$*"
exit 65
FAKE
chmod +x "$tmp/fake-hcsbatch"
wrap() { env -u TMPDIR HCSBATCH="$tmp/fake-hcsbatch" HCSBATCH_LOG_DIR="$tmp/cronhome/logs" "$@" \
    "$root/usr/lib/hcsbatch/hcsbatch-cron.sh" run; }
wrap; rc=$?
log=$(cat "$tmp"/cronhome/logs/hcsbatch-*.log 2>/dev/null)
[ $rc = 65 ] || fail "cron wrapper exit $rc, want hcsbatch's 65"
echo "$log" | grep -q "^TMPDIR=$tmp/cronhome/tmp args=-c /etc/hcsbatch/hcsbatch.ini run$" \
    || fail "cron wrapper: TMPDIR not its own directory: $log"
[ "$(stat -c %a "$tmp/cronhome/tmp" 2>/dev/null)" = 700 ] || fail "cron wrapper's TMPDIR is not 0700"
echo "$log" | grep -q 'exit 65: some rows or packets were rejected' || fail "cron wrapper: no exit line: $log"
wrap TMPDIR="$tmp" >/dev/null
grep -q "^TMPDIR=$tmp args=" "$tmp"/cronhome/logs/hcsbatch-*.log || fail "cron wrapper replaced a TMPDIR that was set"

# Man pages render without warnings.
for page in man1/hcsbatch.1 man1/hcs-sim.1 man5/hcsbatch.ini.5; do
    w=$(groff -man -ww -z -Tutf8 -K utf8 "$root/usr/share/man/$page" 2>&1)
    [ -z "$w" ] || fail "$page: groff warnings: $w"
    if command -v man >/dev/null; then
        lines=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$root/usr/share/man/$page" 2>"$tmp/man.err" | wc -l)
        [ "$lines" -gt 10 ] && [ ! -s "$tmp/man.err" ] || { cat "$tmp/man.err"; fail "man -l $page"; }
    fi
done

# A second install keeps an edited configuration; uninstall leaves only it.
echo '; edited' >>"$root/etc/hcsbatch/hcsbatch.ini"
inst install >"$tmp/install2.log" 2>&1 || { cat "$tmp/install2.log"; fail "second make install"; }
grep -q '^; edited' "$root/etc/hcsbatch/hcsbatch.ini" || fail "make install overwrote an edited configuration"
inst uninstall >"$tmp/uninstall.log" 2>&1 || { cat "$tmp/uninstall.log"; fail "make uninstall"; }
left=$(cd "$root" && find . -type f | sort)
[ "$left" = "./etc/hcsbatch/hcsbatch.ini" ] || fail "after make uninstall: $left"

[ $fails = 0 ] && echo "install ok"
exit $((fails > 0))
