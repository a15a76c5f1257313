#!/bin/sh
# Resends (issue 12): the client is killed (kill -9) after GIS took an
# import and before its ack reached the client; the next run sends the same
# MessageGUID again.  GIS promises no deduplication, so hcs-sim answers per
# --resend:
#   again  the resend is processed a second time (its own ack): the second
#          processing refuses every account (INT002006, the first made them);
#   busy   INT003001 while the first is being processed, then processed again.
# In both the run ends with every account imported once in GIS and in the
# registry: the double import is detected (INT002006) and reconciled through
# one exportAccountData (run/refresh.h); the rows are accepted with the
# GUIDs the first processing gave, and GIS holds each account once.
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/keys"
HOUSE=cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f

actions() { sed -n 's/.*"action":"\([A-Za-z]*\)".*/\1/p' "$1" | grep -v getState | tr '\n' ' '; }

one_mode() {
    mode=$1; S=$T/sim-$mode; W=$T/w-$mode
    # the registry knows the house: the run's first request is the import
    xl_sim "$S" "$S.log" --processing-ms 50
    xl_work "$W" "$SIM_URL" "$T/keys"
    rm -f "$W"/inbox/*/*
    (cd "$W" && "$HCSBATCH" -q -c hcsbatch.ini sync houses --wait --house $HOUSE >sync.out 2>&1) \
        || { cat "$W/sync.out"; xl_fail "$mode: sync houses"; }
    xl_stop_sims
    : >"$S.log"
    # GIS takes the import (processed in 2 s) and holds its ack back for 20 s
    xl_sim "$S" "$S.log" --processing-ms default=50,importAccountData=2000 --resend "$mode" \
        --faults "stall/importAccountData@1:20s"
    sed -i "s|^base_url = .*|base_url = $SIM_URL|" "$W/hcsbatch.ini"
    printf 'Номер ЛС;Тип ЛС;ФИАС дома;Номер помещения;Доля, %%;Общая площадь;Фамилия;Имя\n' >"$W/inbox/accounts/new.csv"
    printf '00040001;УО;%s;5;100;74,5;Никитин;Олег\n' $HOUSE >>"$W/inbox/accounts/new.csv"
    printf '00040002;УО;%s;6;100;81,8;Фролова;Анна\n' $HOUSE >>"$W/inbox/accounts/new.csv"
    (cd "$W" && exec "$HCSBATCH" -c hcsbatch.ini run --wait >run1.out 2>run1.err) &
    pid=$!
    # kill -9 once GIS has the message and the client has no ack
    i=0
    until [ "$(sqlite3 "$S/sim-state.sqlite" "SELECT count(*) FROM messages WHERE operation='importAccountData'" \
               2>/dev/null)" = 1 ]; do
        i=$((i + 1)); [ $i -lt 100 ] || { kill -9 $pid; xl_fail "$mode: GIS never got the import"; }
        sleep 0.1
    done
    kill -9 $pid
    wait $pid 2>/dev/null || true
    [ "$(sqlite3 "$W/state.db" "SELECT attempts || '|' || coalesce(gis_message_guid, '') FROM packets
                                 WHERE operation='importAccountData'")" = "1|" ] \
        || xl_fail "$mode: the kill did not land between send and ack"
    set +e
    (cd "$W" && timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >run2.out 2>run2.err)
    rc=$?
    set -e
    [ $rc = 0 ] || { tail -20 "$W/run2.err"; xl_fail "$mode: run after the kill exit $rc"; }
    a=$(actions "$S.log")
    # the resend went out under the same MessageGUID
    mg=$(sqlite3 "$W/state.db" "SELECT message_guid FROM packets WHERE operation='importAccountData'")
    # (the first request's log line waits for its stalled ack: GIS's own table tells)
    [ "$(sqlite3 "$S/sim-state.sqlite" "SELECT count(*) FROM messages WHERE operation='importAccountData'
                                         AND (requester_guid='$mg' OR requester_guid LIKE '$mg/%')")" = 2 ] \
        || { cat "$S.log"; xl_fail "$mode: the MessageGUID was not resent"; }
    case $mode in
    busy) grep -q '"code":"INT003001"' "$S.log" || xl_fail "busy: no INT003001 while the first ran" ;;
    esac
    # GIS processed it twice; the second time refused both accounts
    [ "$(sqlite3 "$W/state.db" "SELECT count(*) FROM elements WHERE error_code='INT002006'")" = 2 ] \
        || xl_fail "$mode: the second processing did not refuse the accounts (INT002006)"
    case "$a" in *"exportAccountData"*) ;; *) xl_fail "$mode: no exportAccountData: $a" ;; esac
    [ "$(echo "$a" | tr ' ' '\n' | grep -c '^exportAccountData$')" = 1 ] || xl_fail "$mode: $a"
    # every account once in GIS, once in the registry, the rows accepted with its GUID
    for n in 00040001 00040002; do
        sim_guid=$(sqlite3 "$S/sim-state.sqlite" "SELECT group_concat(account_guid) FROM accounts WHERE account_number='$n'")
        case "$sim_guid" in *,*|"") xl_fail "$mode: GIS holds account $n as '$sim_guid'" ;; esac
        reg=$(sqlite3 "$W/state.db" "SELECT group_concat(guid) FROM registry WHERE kind='account' AND local_key='$n'")
        [ "$reg" = "$sim_guid" ] || xl_fail "$mode: registry $n = '$reg', GIS has $sim_guid"
        row=$(sqlite3 "$W/state.db" "SELECT e.state || '|' || e.gis_guid || '|' || coalesce(e.note, '') FROM elements e
                                      WHERE e.local_key='$n'")
        case "$row" in "accepted|$sim_guid|объект уже есть в ГИС ЖКХ (INT002006)"*) ;;
            *) xl_fail "$mode: account $n: $row (expected reconciled with $sim_guid)" ;; esac
    done
    xl_check_accounted "$W/state.db"
    xl_integrity "$W/state.db"
    xl_stop_sims
    echo "$mode ok: $a"
}

one_mode again
one_mode busy
