#!/bin/sh
# A billing centre signs for the management company: the operator of the
# information system signs with its own certificate, the RequestHeader names
# the management company (orgPPAGUID) and must say IsOperatorSignature
# (gis.operator_signature = yes).  The simulator's world knows both
# certificates ([provider] certificate, [operator] certificate):
#  - the operator's key without gis.operator_signature: every packet fails
#    with AUT011007 and no row is imported;
#  - with it: the rows end exactly as when the management company signs
#    with its own key (and the requests carry IsOperatorSignature).
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
T=$(mktemp -d)
trap 'xl_cleanup rm -rf "$T"' EXIT
xl_key "$T/provider"
xl_key "$T/operator"
XL_WORLD="$T/world"
cp -r "$HCS_TOP/samples/world" "$XL_WORLD"
sed -i "s|^certificate *=.*|certificate = $T/provider/cert.pem|" "$XL_WORLD/provider.ini"
printf '[operator]\norg_ppa_guid = 3b8f2a61-7c4d-4e9a-9f15-2d6c8e0a4b73\nname = МУП «Расчётный центр»\ncertificate = %s\n' \
    "$T/operator/cert.pem" >>"$XL_WORLD/provider.ini"

run_as() {  # tag, key dir, extra hcsbatch options... → outcomes in $T/tag.out
    tag=$1; keys=$2; shift 2
    xl_sim "$T/sim-$tag" "$T/sim-$tag.log" --processing-ms 100
    xl_work "$T/$tag" "$SIM_URL" "$keys"
    rm -f "$T/$tag"/inbox/readings/* "$T/$tag"/inbox/bills/* "$T/$tag"/inbox/bills-withdraw/*
    rc=0
    (cd "$T/$tag" && timeout 120 "$HCSBATCH" -q -c hcsbatch.ini "$@" run --wait >run.out 2>run.err) || rc=$?
    xl_stop_sims
    xl_outcomes "$T/$tag/state.db" >"$T/$tag.out"
}

run_as own "$T/provider"
[ $rc = 0 ] || [ $rc = 65 ] || { cat "$T/own/run.err"; xl_fail "own key: exit $rc"; }
grep -q '|accepted|' "$T/own.out" || xl_fail "own key: nothing accepted: $(cat "$T/own.out")"
ls "$T/own"/archive/packets/*.xml >/dev/null || xl_fail "own key: no archived packets"
grep -q 'IsOperatorSignature' "$T/own"/archive/packets/*.xml && xl_fail "own key: IsOperatorSignature sent"

run_as unflagged "$T/operator"
n=$(sqlite3 "$T/unflagged/state.db" "SELECT count(*) FROM packets")
bad=$(sqlite3 "$T/unflagged/state.db" "SELECT count(*) FROM packets WHERE state <> 'failed' OR error_code IS NOT 'AUT011007'")
[ "$n" -gt 0 ] && [ "$bad" = 0 ] || xl_fail "operator key without IsOperatorSignature: $(sqlite3 "$T/unflagged/state.db" "SELECT id, state, error_code FROM packets")"
grep -q '|accepted|' "$T/unflagged.out" && xl_fail "operator key without IsOperatorSignature: rows accepted"
echo "ok   the operator's key without gis.operator_signature: $n packet(s) failed with AUT011007, nothing imported"

run_as flagged "$T/operator" -o gis.operator_signature=yes
[ $rc = 0 ] || [ $rc = 65 ] || { cat "$T/flagged/run.err"; xl_fail "operator key with IsOperatorSignature: exit $rc"; }
grep -q '<base:IsOperatorSignature>true</base:IsOperatorSignature>' "$T/flagged"/archive/packets/*.xml \
    || xl_fail "gis.operator_signature = yes: no IsOperatorSignature in the packets"
cmp -s "$T/own.out" "$T/flagged.out" || { diff "$T/own.out" "$T/flagged.out"; xl_fail "outcomes differ from the provider's own signature"; }
echo "ok   the operator's key with gis.operator_signature = yes: $(grep -c '|accepted|' "$T/flagged.out") rows accepted, the same outcomes as with the provider's key"
echo "all operator signature checks passed"
