#!/bin/sh
# hcsbatch sync against the simulator: each export is a stored, signed
# packet sent and polled through the exchange; its result fills the
# registry.  houses (one FIAS house) → its premises; accounts and meters
# default to every house the registry knows; nsi fills the registries the
# templates use; an empty answer (INT002012) ends done; a result-level
# error fails the packet (exit 65) and stores nothing.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
H1=cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f
xl_key "$T/keys"
xl_sim "$T/sim" "$T/sim.log" --processing-ms 50
xl_work "$T/w" "$SIM_URL" "$T/keys"
cd "$T/w"
rm -f inbox/*/*
hb() { timeout 120 "$HCSBATCH" -c hcsbatch.ini "$@"; }

"$HCSBATCH" sync --help | grep -q "usage: hcsbatch sync" || xl_fail "sync --help"
set +e
hb sync >/dev/null 2>&1; rc=$?
set -e
[ $rc = 64 ] || xl_fail "sync without a kind: exit $rc, expected 64"
set +e
hb sync houses >/dev/null 2>"$T/nohouse.err"; rc=$?
set -e
[ $rc = 64 ] || xl_fail "sync houses on an empty registry: exit $rc, expected 64"

hb sync houses --house "$H1" --wait >"$T/houses.out" 2>"$T/houses.err" || { cat "$T/houses.err"; xl_fail "sync houses"; }
grep -q "registry: [1-9][0-9]* entries stored" "$T/houses.out" || { cat "$T/houses.out"; xl_fail "no registry count printed"; }
hb registry --kind premises >"$T/premises.out"
want=$(grep -c "^$H1;" "$HCS_TOP/samples/world/premises.csv")
got=$(grep -c "$H1" "$T/premises.out")
[ "$got" = "$want" ] || { cat "$T/premises.out"; xl_fail "premises of the house: $got, expected $want"; }
grep -q "47565e3b-ccd9-5157-b375-d7b337a56213" "$T/premises.out" || xl_fail "premises 1 missing"
# the request went through the exchange: a stored packet, done, archived signed
[ "$(sqlite3 state.db "SELECT state FROM packets WHERE operation = 'exportHouseData'")" = done ] \
    || xl_fail "exportHouseData packet not done"
ls archive/packets/exportHouseData-*.xml >/dev/null || xl_fail "export envelope not archived"
grep -q "Signature" archive/packets/exportHouseData-*.xml || xl_fail "export envelope not signed"

# accounts and meters: every house the registry knows (H1 from the premises)
hb sync accounts --wait >/dev/null 2>"$T/acc.err" || { cat "$T/acc.err"; xl_fail "sync accounts"; }
want=$(grep -c ";$H1;" "$HCS_TOP/samples/world/accounts.csv")
got=$(hb registry --kind account | wc -l)
[ "$got" = "$want" ] || xl_fail "accounts: $got, expected $want"
hb registry --kind account 00010010 | grep -q 923f2d37-bb17-5ecf-a189-fbf4bdd603fa || xl_fail "account 00010010"
hb sync meters --wait >/dev/null 2>"$T/met.err" || { cat "$T/met.err"; xl_fail "sync meters"; }
hb registry --kind meter_kind "Э-31002" | grep -q electric || xl_fail "meter kind of Э-31002"
hb registry --kind meter "$H1|ХВ-31000" | grep -q 0fde6df3-12db-5803-82f5-8d0cace211f2 || xl_fail "meter ХВ-31000"

# nsi: at least the registries the templates name
hb sync nsi --wait >/dev/null 2>"$T/nsi.err" || { cat "$T/nsi.err"; xl_fail "sync nsi"; }
grep -q "\"action\":\"exportNsiPagingItem\"" "$T/sim.log" || xl_fail "no exportNsiPagingItem sent"
for reg in 2 22 50 95; do
    hb registry --kind nsi | grep -q "^nsi  *$reg|" || xl_fail "nothing of НСИ $reg in the registry"
done
n=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation LIKE 'export%Nsi%' AND state <> 'done'")
[ "$n" = 0 ] || xl_fail "$n НСИ export packets not done (an empty answer is done)"

# orgs by OGRN (one the simulator's world knows)
OGRN=$(sed -n '2s/;.*//p' "$HCS_TOP/samples/world/orgs.csv")
hb sync orgs --ogrn "$OGRN" --wait >/dev/null 2>"$T/org.err" || { cat "$T/org.err"; xl_fail "sync orgs"; }
hb registry --kind org "$OGRN" >/dev/null || xl_fail "org $OGRN not in the registry"
xl_stop_sims

# paging: GIS answers НСИ two elements a page; every page is asked for
# (page + 1 while CurrentPage < TotalPages) and lands in the registry
xl_sim "$T/simp" "$T/simp.log" --processing-ms 50 --nsi-page-size 2
xl_work "$T/wp" "$SIM_URL" "$T/keys"
cd "$T/wp"
rm -f inbox/*/*
hb sync nsi --wait >/dev/null 2>"$T/nsip.err" || { cat "$T/nsip.err"; xl_fail "sync nsi by pages"; }
for reg in 2 51; do     # common (exportNsiPagingItem) and the organisation's own
    for code in $(sed '1d; s/;.*//' "$HCS_TOP/samples/world/nsi/$reg.csv"); do
        hb registry --kind nsi "$reg|$code" >/dev/null || xl_fail "НСИ $reg code $code (a later page) not in the registry"
    done
done
pages=$(grep -c "\"action\":\"exportNsiPagingItem\"" "$T/simp.log" || true)
# (the WSDL names the provider one's soapAction exportDataProviderPagingNsiItem)
ppages=$(grep -c "\"action\":\"exportDataProviderPagingNsiItem\"" "$T/simp.log" || true)
[ "$pages" -ge 8 ] && [ "$ppages" -ge 4 ] || { grep -o "\"action\":\"[A-Za-z]*\"" "$T/simp.log" | sort | uniq -c; xl_fail "pages asked: $pages common, $ppages provider"; }
n=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE operation LIKE 'export%Nsi%' AND state <> 'done'")
[ "$n" = 0 ] || xl_fail "$n НСИ page packets not done"
xl_stop_sims

# a result-level error: the policy's outcome (failed), exit 65, nothing stored
xl_sim "$T/sim2" "$T/sim2.log" --processing-ms 50 --faults "result/exportHouseData@1:FMT001300"
xl_work "$T/w2" "$SIM_URL" "$T/keys"
cd "$T/w2"
rm -f inbox/*/*
set +e
hb sync houses --house "$H1" --wait >"$T/fail.out" 2>"$T/fail.err"; rc=$?
set -e
[ $rc = 65 ] || { cat "$T/fail.err"; xl_fail "failed export: exit $rc, expected 65"; }
[ "$(sqlite3 state.db "SELECT state || ' ' || error_code FROM packets")" = "failed FMT001300" ] \
    || xl_fail "failed export packet: $(sqlite3 state.db 'SELECT state, error_code FROM packets')"
[ -z "$(hb registry --kind premises)" ] || xl_fail "a failed export stored registry entries"
echo "sync ok"
