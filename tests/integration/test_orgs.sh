#!/bin/sh
# Several organisations in one state database (issue 17), on SQLite and —
# when tests/lib/pg_throwaway.sh started a server (HCS_TEST_PG_CONNINFO) —
# on PostgreSQL.  Organisations a and b ([org:a], [org:b]; b signs with a
# key of its own) both manage the same new house and import premises 5 in
# it; the simulator knows both (provider.ini [org:b]) and gives each its own
# premises.  Checked: each organisation's registry resolves <house>|5 to its
# own GUID (the simulator's premises of that organisation); the accounts
# each imports by premises number land in its own premises; a worker
# limited to a (`worker --org a`) sends a's packets and leaves b's alone,
# then a worker for all sends b's; each organisation's inbox, reports and
# status are its own.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
xl_key "$T/keys-b"
GA=$(sed -n 's/^ *org_ppa_guid *= *//p' "$HCS_TOP/samples/world/provider.ini" | head -n 1)
GB=6d1c0b3e-8a53-4f0e-9c55-2b7e1f0a4c19
cp -r "$HCS_TOP/samples/world" "$T/world"
printf '\n[org:b]\norg_ppa_guid = %s\n' "$GB" >>"$T/world/provider.ini"
export XL_WORLD="$T/world"
H=$(awk -F';' 'NR == 2 { print $1 }' "$HCS_TOP/samples/houses.csv")
if grep -q "^$H;" "$HCS_TOP/samples/world/houses.csv"; then xl_fail "house $H of the sample is in the world"; fi
HEAD=$(head -n 1 "$HCS_TOP/samples/houses.csv")

q() {  # SQL on the state database of the driver under test
    if [ "$DRIVER" = sqlite ]; then
        sqlite3 "$W/state.db" "$1"
    else
        psql -X -q -At "$CONNINFO" -c "SET search_path = orgs" -c "$1"
    fi
}
sim_q() { sqlite3 "$S/sim-state.sqlite" "$1"; }
hb() { (cd "$W" && timeout 120 "$HCSBATCH" -c hcsbatch.ini "$@"); }
reg() {  # reg ORG: the GUID org's registry holds for premises 5 of the house
    hb -q --org "$1" registry --kind premises "$H|5" | awk -F'\t' '{ print $2 }'
}

one_driver() {
    DRIVER=$1
    W=$T/w-$DRIVER; S=$T/sim-$DRIVER
    extra=""
    if [ "$DRIVER" = postgres ]; then
        CONNINFO="$HCS_TEST_PG_CONNINFO"
        psql -X -q "$CONNINFO" -c "DROP SCHEMA IF EXISTS orgs CASCADE" -c "CREATE SCHEMA orgs" \
            >/dev/null 2>&1 || xl_fail "postgres: cannot make the schema"
        extra="[store]
driver = postgres
conninfo = $CONNINFO options='-c search_path=orgs'"
    fi
    xl_sim "$S" "$S.log" --processing-ms 50
    xl_work "$W" "$SIM_URL" "$T/keys" "$extra"
    rm -f "$W"/inbox/*/*
    # two organisations and no default one ([gis] org_ppa_guid removed)
    sed -i '/^org_ppa_guid = /d' "$W/hcsbatch.ini"
    cat >>"$W/hcsbatch.ini" <<INI
[org:a]
org_ppa_guid = $GA
[org:b]
org_ppa_guid = $GB
sign_key = $T/keys-b/key.pem
sign_cert = $T/keys-b/cert.pem
[report]
metrics_file = $W/hcsbatch.prom
INI
    for o in a b; do
        mkdir -p "$W/orgs/$o/inbox/houses" "$W/orgs/$o/inbox/accounts"
        printf '%s\n%s\n' "$HEAD" "$H;г. Ярославль, ул. Некрасова, д. 7;;1250,4;Исправный;1968;5;1;78701000;Europe/Moscow;нет;5;жилое;1;5;45,3;30,1;Отдельная квартира;;" \
            >"$W/orgs/$o/inbox/houses/$o-house.csv"
    done

    # ---- both organisations import the house with premises 5 ----------------
    hb run --wait >"$W/run1.out" 2>&1 || { cat "$W/run1.out"; xl_fail "$DRIVER: run 1 (houses of a and b)"; }
    grep -q "^organisation a:" "$W/run1.out" && grep -q "^organisation b:" "$W/run1.out" \
        || { cat "$W/run1.out"; xl_fail "$DRIVER: run 1 did not go through both organisations"; }
    pa=$(reg a) pb=$(reg b)
    [ -n "$pa" ] && [ -n "$pb" ] || xl_fail "$DRIVER: premises 5 not in the registries (a '$pa', b '$pb')"
    [ "$pa" != "$pb" ] || xl_fail "$DRIVER: a and b resolve premises 5 to the same GUID $pa"
    [ "$(sim_q "SELECT premises_guid FROM premises WHERE fias_house_guid='$H' AND premises_number='5' AND org=''")" = "$pa" ] \
        || xl_fail "$DRIVER: a's registry holds $pa, not a's premises 5 in GIS"
    [ "$(sim_q "SELECT premises_guid FROM premises WHERE fias_house_guid='$H' AND premises_number='5' AND org='$GB'")" = "$pb" ] \
        || xl_fail "$DRIVER: b's registry holds $pb, not b's premises 5 in GIS"
    n=$(hb -q registry --kind premises | grep -c "	$pa\|	$pb" || true)
    [ "$n" = 2 ] || xl_fail "$DRIVER: the registry of all organisations lists $n of the two premises"
    hb -q registry --kind premises | grep -q "^b  *premises .*	$pb" || xl_fail "$DRIVER: the listing does not name b's entry"

    # ---- accounts of both prepared while GIS is unreachable ----------------
    for o in a b; do
        printf '%s\n%s\n' 'Номер ЛС;ФИАС дома;Номер помещения;Номер комнаты;Доля, %;Фамилия;Имя;Отчество' \
            "00050001;$H;5;;100;Орлов;Павел;Ильич" >"$W/orgs/$o/inbox/accounts/$o-accounts.csv"
    done
    hb -o gis.base_url=http://127.0.0.1:9/ run >"$W/run2.out" 2>&1 || true
    for o in a b; do
        n=$(q "SELECT count(*) FROM packets WHERE org = '$o' AND operation = 'importAccountData' AND state IN ('prepared', 'deferred')")
        [ "$n" = 1 ] || { cat "$W/run2.out"; xl_fail "$DRIVER: $o has $n account packets waiting, wanted 1"; }
    done
    grep -l "$pa" "$W"/orgs/a/archive/packets/importAccountData-*.xml >/dev/null \
        || xl_fail "$DRIVER: a's account packet does not name a's premises"
    grep -l "$pb" "$W"/orgs/b/archive/packets/importAccountData-*.xml >/dev/null \
        || xl_fail "$DRIVER: b's account packet does not name b's premises"
    # each under its own orgPPAGUID, b's signed with b's own certificate
    grep -q "orgPPAGUID>$GA<" "$W"/orgs/a/archive/packets/importAccountData-*.xml || xl_fail "$DRIVER: a's packet not under $GA"
    grep -q "orgPPAGUID>$GB<" "$W"/orgs/b/archive/packets/importAccountData-*.xml || xl_fail "$DRIVER: b's packet not under $GB"
    cb=$(sed '/-----/d' "$T/keys-b/cert.pem" | tr -d '\n')
    ca=$(sed '/-----/d' "$T/keys/cert.pem" | tr -d '\n')
    tr -d '\n\r' <"$(ls "$W"/orgs/b/archive/packets/importAccountData-*.xml | head -n 1)" | grep -qF "$cb" \
        || xl_fail "$DRIVER: b's packet is not signed with b's certificate"
    tr -d '\n\r' <"$(ls "$W"/orgs/a/archive/packets/importAccountData-*.xml | head -n 1)" | grep -qF "$ca" \
        || xl_fail "$DRIVER: a's packet is not signed with the common certificate"

    # ---- a worker for a only ------------------------------------------------
    hb worker --org a --until-done >"$W/worker-a.out" 2>&1 || { cat "$W/worker-a.out"; xl_fail "$DRIVER: worker --org a"; }
    n=$(q "SELECT count(*) FROM packets WHERE org = 'a' AND operation = 'importAccountData' AND state = 'done'")
    [ "$n" = 1 ] || xl_fail "$DRIVER: worker --org a left a's account packet unfinished"
    n=$(q "SELECT count(*) FROM packets WHERE org = 'b' AND operation = 'importAccountData' AND state IN ('prepared', 'deferred')")
    [ "$n" = 1 ] || xl_fail "$DRIVER: worker --org a touched b's packet"
    [ "$(sim_q "SELECT count(*) FROM accounts WHERE account_number = '00050001'")" = 1 ] \
        || xl_fail "$DRIVER: GIS has not exactly a's account after worker --org a"
    # ---- then one for every organisation ------------------------------------
    hb worker --until-done >"$W/worker-all.out" 2>&1 || { cat "$W/worker-all.out"; xl_fail "$DRIVER: worker"; }
    n=$(q "SELECT count(*) FROM elements e JOIN packets p ON p.id = e.packet_id
           WHERE p.operation = 'importAccountData' AND e.state = 'accepted'")
    [ "$n" = 2 ] || xl_fail "$DRIVER: $n accounts accepted, wanted a's and b's"
    got=$(sim_q "SELECT group_concat(premises_guid, ' ') FROM (SELECT premises_guid FROM accounts
                 WHERE account_number = '00050001' ORDER BY premises_guid = '$pb')")
    [ "$got" = "$pa $pb" ] || xl_fail "$DRIVER: accounts 00050001 in premises '$got', wanted a's $pa and b's $pb"
    n=$(grep -c '"action":"importAccountData"' "$S.log" || true)
    [ "$n" -ge 2 ] || xl_fail "$DRIVER: the simulator saw $n account imports"

    # ---- reports and status are each organisation's -----------------------
    hb run >"$W/run3.out" 2>&1 || { cat "$W/run3.out"; xl_fail "$DRIVER: run 3"; }
    for o in a b; do
        ls "$W/orgs/$o/reports/"*.xlsx >/dev/null 2>&1 || xl_fail "$DRIVER: no report in $o's reports/"
        [ -f "$W/orgs/$o/archive/inputs/$o-accounts.csv" ] || ls "$W/orgs/$o/archive/inputs/"*"$o-accounts"* >/dev/null 2>&1 \
            || xl_fail "$DRIVER: $o's accounts file not archived in its own archive/"
    done
    [ ! -d "$W/reports" ] || [ -z "$(ls "$W/reports")" ] || xl_fail "$DRIVER: reports written outside the organisations' folders"
    # one Prometheus textfile each, every sample labelled with its organisation
    [ ! -e "$W/hcsbatch.prom" ] || xl_fail "$DRIVER: one metrics file shared by the organisations"
    for o in a b; do
        grep -q "^hcsbatch_last_run_success{org=\"$o\"} [01]\$" "$W/hcsbatch-$o.prom" 2>/dev/null \
            || xl_fail "$DRIVER: hcsbatch-$o.prom lacks $o's last_run_success"
        if grep '^hcsbatch' "$W/hcsbatch-$o.prom" | grep -vq "org=\"$o\""; then
            xl_fail "$DRIVER: a sample in hcsbatch-$o.prom without org=\"$o\""
        fi
    done
    hb -q --org a status >"$W/status-a.out"
    grep -q "a-accounts.csv" "$W/status-a.out" || xl_fail "$DRIVER: status --org a does not list a's file"
    if grep -q "b-accounts.csv\|b-house.csv" "$W/status-a.out"; then xl_fail "$DRIVER: status --org a lists b's files"; fi
    hb -q status >"$W/status-all.out"
    grep -q "== organisation b ==" "$W/status-all.out" || xl_fail "$DRIVER: status does not show b"
    xl_stop_sims
    echo "$DRIVER: premises 5 of a $pa, of b $pb; worker --org a left b's packet; reports per organisation"
}

one_driver sqlite
if [ -n "${HCS_TEST_PG_CONNINFO:-}" ]; then
    one_driver postgres
else
    echo "SKIP test_orgs on PostgreSQL: no server (tests/lib/pg_throwaway.sh starts one)"
fi
echo "PASS test_orgs"
