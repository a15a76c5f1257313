#!/bin/sh
# Two official schema packages: 12.2.2.15 (full) and 14.5.0.1 (six services,
# the format a production client used in 2025).  paths.schemas_dir may name
# either:
#  - the house-management and device-metering templates (accounts, meters,
#    readings) convert under each package, and every packet's header and
#    body validate with xmllint against BOTH packages;
#  - a template whose operation the package lacks (bills: no bills service
#    in 14.5.0.1) stops with exit 78 naming the file, the template, the
#    operation and the package, before any packet is written;
#  - the simulator validates against the package it is started with: a
#    readings packet with the 14.5-only CurrentValue/Period is acked by a
#    14.5 simulator and refused (FMT001300) by a 12.2 one, a bills packet the
#    other way round; its getStateResult carries the version its package
#    fixes (house-management 11.0.0.1 in both; a temp copy of 14.5.0.1 that
#    fixes another shows it is read from the package) and validates;
#  - a package fixing another base:version on a template's request than
#    hcsbatch writes (that temp copy) stops convert with exit 78 saying so;
#  - `hcsbatch verify` checks a packet against the package when it has the
#    service and says "schema not checked" when it has not;
#  - a whole run (accounts, readings) with hcsbatch and the simulator on
#    14.5.0.1 ends row for row as on 12.2.2.15.
set -u
HCS_TOP=${HCS_TOP:-$(pwd)}
. "$HCS_TOP/tests/integration/lib.sh"
P12=$(cd "$SCHEMAS_DIR/../hcs-wsdl-12.2.2.15" && pwd)
P14=$(cd "$SCHEMAS_DIR/../hcs-wsdl-14.5.0.1" 2>/dev/null && pwd) || { echo "FAIL no hcs-wsdl-14.5.0.1 beside $SCHEMAS_DIR"; exit 1; }
PX=""
ORG=$(sed -n 's/^org_ppa_guid *= *//p' "$HCS_TOP/samples/world/provider.ini")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/schema-pkgs-XXXXXX")
SIMS=""
# (XL_SIMS entries are PID:STDERR, exchange_lib.sh)
trap 'for p in $SIMS ${XL_SIMS:-}; do kill ${p%%:*} 2>/dev/null; done; for p in $SIMS ${XL_SIMS:-}; do wait ${p%%:*} 2>/dev/null; done; rm -rf "$tmp"' EXIT INT TERM
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

conv() {  # out-dir, package, op, sample, extra...
    out=$1; pkg=$2; op=$3; sample=$4; shift 4
    rc=0
    "$HCSBATCH" -q -o gis.org_ppa_guid="$ORG" -o paths.templates_dir="$HCS_TOP/templates" \
        -o paths.nsi_dir="$HCS_TOP/samples/world/nsi" --schemas "$pkg" \
        convert --op "$op" --out "$out" "$@" "$HCS_TOP/samples/$sample" >"$out.err" 2>&1 || rc=$?
}

# soap_part FILE Header|Body: the first child of soap:Header or soap:Body as a
# document of its own, its namespace declarations included (xmllint --xpath
# would drop those declared on the envelope).
soap_part() {
    python3 - "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
part = ET.parse(sys.argv[1]).getroot().find('{http://schemas.xmlsoap.org/soap/envelope/}' + sys.argv[2])
sys.stdout.write(ET.tostring(list(part)[0], encoding='unicode') if part is not None and len(part) else '')
PY
}

validate_both() {  # packet, service types xsd (relative)
    f=$1; xsd=$2; name=$(basename "$(dirname "$f")")/$(basename "$f")
    soap_part "$f" Body >"$f.body"
    soap_part "$f" Header >"$f.head"
    for vpkg in "$P12" "$P14"; do
        if xmllint --noout --schema "$vpkg/$xsd" "$f.body" >"$f.log" 2>&1 &&
           xmllint --noout --schema "$vpkg/lib/hcs-base.xsd" "$f.head" >>"$f.log" 2>&1; then
            valid=$((valid + 1))
        else
            bad "$name does not validate against $(basename "$vpkg"):"; head -5 "$f.log" | sed 's/^/     /'
        fi
    done
}

for pkg in "$P12" "$P14"; do
    v=$(basename "$pkg")
    for spec in "accounts importAccountData accounts.csv house-management/hcs-house-management-types.xsd 65" \
                "meters importMeteringDeviceData meters.csv house-management/hcs-house-management-types.xsd 65" \
                "readings importMeteringDeviceValues readings.csv device-metering/hcs-device-metering-types.xsd 65"; do
        set -- $spec
        out="$tmp/$v-$1"
        conv "$out" "$pkg" "$2" "$3" --no-upload
        n=$(ls "$out"/*.xml 2>/dev/null | wc -l)
        if [ "$rc" != "$5" ] || [ "$n" = 0 ]; then
            bad "$v $2: exit $rc (want $5), $n packets:"; sed 's/^/     /' "$out.err"; continue
        fi
        # the rows refused are the same whichever package validates
        cut -d';' -f2,5 "$out/errors.csv" | sort >"$out.rows"
        valid=0
        for f in "$out"/*.xml; do validate_both "$f" "$4"; done
        [ $valid = $((n * 2)) ] && ok "$v $2: $n packets, each valid against 12.2.2.15 and 14.5.0.1"
    done
done
for t in accounts meters readings; do
    if cmp -s "$tmp/hcs-wsdl-12.2.2.15-$t.rows" "$tmp/hcs-wsdl-14.5.0.1-$t.rows"; then
        ok "$t: the same rows refused under both packages"
    else
        bad "$t: refused rows differ between the packages"
    fi
done

# --- an operation the package lacks ---------------------------------------------
conv "$tmp/bills14" "$P14" importPaymentDocumentData bills.csv
if [ $rc = 78 ] && grep -q "bills.csv: template importPaymentDocumentData: operation importPaymentDocumentData is not in the schema package $P14: it has no service bills" "$tmp/bills14.err"; then
    ok "bills under 14.5.0.1: exit 78: $(cat "$tmp/bills14.err")"
else
    bad "bills under 14.5.0.1: exit $rc:"; sed 's/^/     /' "$tmp/bills14.err"
fi
ls "$tmp/bills14"/*.xml >/dev/null 2>&1 && bad "bills under 14.5.0.1: packets written anyway"
conv "$tmp/bills12" "$P12" importPaymentDocumentData bills.csv
[ $rc = 65 ] && ls "$tmp/bills12"/*.xml >/dev/null 2>&1 && ok "bills under 12.2.2.15 converts" \
    || { bad "bills under 12.2.2.15: exit $rc"; sed 's/^/     /' "$tmp/bills12.err"; }

# --- hcsbatch verify under either package -----------------------------------------
# a signed packet of a service the package has is schema-checked; one of a
# service it lacks is verified with "schema not checked", not refused
openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A -out "$tmp/k.pem" >/dev/null 2>&1
chmod 600 "$tmp/k.pem"
openssl req -engine gost -new -x509 -key "$tmp/k.pem" -out "$tmp/c.pem" -days 30 -subj "/CN=pkg test" >/dev/null 2>&1
conv "$tmp/signed-bills" "$P12" importPaymentDocumentData bills.csv --sign --key "$tmp/k.pem" --cert "$tmp/c.pem"
conv "$tmp/signed-accounts" "$P12" importAccountData accounts.csv --sign --key "$tmp/k.pem" --cert "$tmp/c.pem"
sb=$(ls "$tmp/signed-bills"/*.xml | head -n 1); sa=$(ls "$tmp/signed-accounts"/*.xml | head -n 1)
out=$("$HCSBATCH" --schemas "$P14" verify "$sb" 2>&1) && printf '%s' "$out" | grep -q 'schema not checked: namespace http://dom.gosuslugi.ru/schema/integration/bills/' \
    && ok "verify under 14.5.0.1, a bills packet: $out" || bad "verify under 14.5.0.1, a bills packet: $out"
out=$("$HCSBATCH" --schemas "$P12" verify "$sb" 2>&1) && ! printf '%s' "$out" | grep -q 'not checked' \
    && ok "verify under 12.2.2.15, the same packet, schema checked: $out" || bad "verify under 12.2.2.15: $out"
out=$("$HCSBATCH" --schemas "$P14" verify "$sa" 2>&1) && ! printf '%s' "$out" | grep -q 'not checked' \
    && ok "verify under 14.5.0.1, an accounts packet, schema checked: $out" || bad "verify under 14.5.0.1, accounts: $out"

# --- the simulator validates against its own package -----------------------------
start_sim() {  # tag, package → URL in $url
    mkdir -p "$tmp/sim-$1"
    "$SIM" --world "$HCS_TOP/samples/world" --state "$tmp/sim-$1" --port 0 --schemas "$2" --no-verify \
        >"$tmp/sim-$1.out" 2>"$tmp/sim-$1.err" &
    SIMS="$SIMS $!"
    url=$(listening_url "$tmp/sim-$1.out" $!) || { cat "$tmp/sim-$1.err"; bad "simulator $1 did not start"; exit 1; }
}
start_sim 12 "$P12"; url12=$url
start_sim 14 "$P14"; url14=$url

post() {  # url, path, action, file → HTTP status in $code, body in $tmp/answer.xml
    code=$(curl -s -o "$tmp/answer.xml" -w '%{http_code}' -H 'Content-Type: text/xml; charset=utf-8' \
        -H "SOAPAction: \"urn:$3\"" --data-binary @"$4" "$1$2")
}
DM=ext-bus-device-metering-service/services/DeviceMeteringAsync
HM=ext-bus-home-management-service/services/HomeManagementAsync
BILLS=ext-bus-bills-service/services/BillsAsync/

# a readings packet with the period of its value: 14.5.0.1 only
src=$(ls "$tmp/hcs-wsdl-12.2.2.15-readings"/*.xml | head -n 1)
sed '0,/<\/dm:CurrentValue>/s||<dm:Period><base:Year>2026</base:Year><base:Month>10</base:Month></dm:Period></dm:CurrentValue>|' \
    "$src" >"$tmp/period.xml"
soap_part "$tmp/period.xml" Body >"$tmp/period.body"
xmllint --noout --schema "$P14/device-metering/hcs-device-metering-types.xsd" "$tmp/period.body" 2>/dev/null \
    && ! xmllint --noout --schema "$P12/device-metering/hcs-device-metering-types.xsd" "$tmp/period.body" 2>/dev/null \
    || bad "the Period packet is not valid in 14.5.0.1 only (test broken)"
post "$url14" $DM importMeteringDeviceValues "$tmp/period.xml"
[ "$code" = 200 ] && grep -q 'RequesterMessageGUID' "$tmp/answer.xml" \
    && ok "simulator on 14.5.0.1 acks a readings packet with CurrentValue/Period" \
    || { bad "simulator on 14.5.0.1: HTTP $code for the Period packet"; head -c 600 "$tmp/answer.xml"; echo; }
post "$url12" $DM importMeteringDeviceValues "$tmp/period.xml"
[ "$code" = 500 ] && grep -q 'FMT001300' "$tmp/answer.xml" \
    && ok "simulator on 12.2.2.15 refuses it: FMT001300" \
    || { bad "simulator on 12.2.2.15: HTTP $code for the Period packet"; head -c 600 "$tmp/answer.xml"; echo; }

bill=$(ls "$tmp/bills12"/*.xml | head -n 1)
post "$url14" $BILLS importPaymentDocumentData "$bill"
[ "$code" = 500 ] && grep -q 'FMT001300' "$tmp/answer.xml" \
    && ok "simulator on 14.5.0.1 refuses a bills packet: FMT001300" \
    || { bad "simulator on 14.5.0.1: HTTP $code for a bills packet"; head -c 600 "$tmp/answer.xml"; echo; }
post "$url12" $BILLS importPaymentDocumentData "$bill"
[ "$code" = 200 ] && ok "simulator on 12.2.2.15 acks it" || bad "simulator on 12.2.2.15: HTTP $code for a bills packet"

# getStateResult: the version the simulator's package fixes, valid against it
cat >"$tmp/getstate.xml" <<XML
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:base="http://dom.gosuslugi.ru/schema/integration/base/"><soap:Header><base:RequestHeader><base:Date>2026-12-06T10:00:00.000+03:00</base:Date><base:MessageGUID>6f1c1f3e-2b9a-4d5e-8f70-0a1b2c3d4e5f</base:MessageGUID><base:orgPPAGUID>$ORG</base:orgPPAGUID></base:RequestHeader></soap:Header><soap:Body><base:getStateRequest><base:MessageGUID>0d4f3b7a-1c2e-4f5a-9b8c-7d6e5f4a3b2c</base:MessageGUID></base:getStateRequest></soap:Body></soap:Envelope>
XML
# a package of our own making (a temp copy of 14.5.0.1): getStateResult of
# house-management fixed at 11.0.0.9, importAccountRequest at 10.0.1.9
PX="$tmp/hcs-wsdl-edited"
cp -r "$P14" "$PX"
chmod -R u+w "$PX"
python3 - "$PX/house-management/hcs-house-management-types.xsd" <<'PY'
import sys
p = sys.argv[1]; lines = open(p, encoding='utf-8').read().split('\n')
def refix(element, old, new):
    # the element's own attribute: the first one five tabs deep after its start
    start = lines.index('\t<xs:element name="%s">' % element)
    own = '\t' * 5 + '<xs:attribute ref="base:version" use="required" fixed="%s"/>'
    k = lines.index(own % old, start)
    lines[k] = own % new
refix('getStateResult', '11.0.0.1', '11.0.0.9')
refix('importAccountRequest', '10.0.1.1', '10.0.1.9')
open(p, 'w', encoding='utf-8').write('\n'.join(lines))
PY
start_sim x "$PX"; urlx=$url
for v in 12 14 x; do
    case $v in 12) u=$url12; pkg=$P12 ;; 14) u=$url14; pkg=$P14 ;; x) u=$urlx; pkg=$PX ;; esac
    post "$u" $HM getState "$tmp/getstate.xml"
    soap_part "$tmp/answer.xml" Body >"$tmp/state$v.xml"
    # the attribute of getStateResult itself (element/complexType/complexContent/extension),
    # not the one of the ImportResult nested in it
    fixed=$(xmllint --xpath "string(/*/*[local-name()='element'][@name='getStateResult']/*/*/*/*[local-name()='attribute'][@ref='base:version']/@fixed)" \
        "$pkg/house-management/hcs-house-management-types.xsd")
    got=$(xmllint --xpath "string(/*/@*[local-name()='version'])" "$tmp/state$v.xml" 2>/dev/null)
    if [ "$code" = 200 ] && [ -n "$fixed" ] && [ "$got" = "$fixed" ] &&
       xmllint --noout --schema "$pkg/house-management/hcs-house-management-types.xsd" "$tmp/state$v.xml" 2>"$tmp/state.log"; then
        ok "simulator on $(basename "$pkg"): getStateResult version $got, valid against its package"
    else
        bad "simulator on $(basename "$pkg"): HTTP $code, version '$got' (package fixes '$fixed')"; head -3 "$tmp/state.log"
    fi
done

[ "$got" = 11.0.0.9 ] || bad "the simulator did not take the getStateResult version from its package"

conv "$tmp/accounts-x" "$PX" importAccountData accounts.csv
if [ $rc = 78 ] && grep -q "operation importAccountData: the schema package $PX fixes base:version=\"10.0.1.9\" for importAccountRequest, hcsbatch writes \"10.0.1.1\"" "$tmp/accounts-x.err"; then
    ok "a package fixing another request version: exit 78: $(cat "$tmp/accounts-x.err")"
else
    bad "a package fixing another request version: exit $rc:"; sed 's/^/     /' "$tmp/accounts-x.err"
fi

# --- a whole run under each package ----------------------------------------------
# hcsbatch and the simulator both on 14.5.0.1: accounts and readings end
# exactly as when both are on 12.2.2.15
. "$HCS_TOP/tests/integration/exchange_lib.sh"
xl_key "$tmp/keys"
for v in 12 14; do
    case $v in 12) SCHEMAS_DIR=$P12 ;; 14) SCHEMAS_DIR=$P14 ;; esac
    xl_sim "$tmp/xsim-$v" "$tmp/xsim-$v.log" --processing-ms 100
    xl_work "$tmp/xw-$v" "$SIM_URL" "$tmp/keys"
    rm -f "$tmp/xw-$v"/inbox/bills/* "$tmp/xw-$v"/inbox/bills-withdraw/*
    rc=0
    (cd "$tmp/xw-$v" && timeout 120 "$HCSBATCH" -q -c hcsbatch.ini run --wait >run.out 2>run.err) || rc=$?
    xl_stop_sims
    [ $rc = 0 ] || [ $rc = 65 ] || { bad "run under $v: exit $rc"; sed 's/^/     /' "$tmp/xw-$v/run.err"; }
    xl_outcomes "$tmp/xw-$v/state.db" >"$tmp/outcomes-$v"
done
if [ -s "$tmp/outcomes-14" ] && grep -q '|accepted|' "$tmp/outcomes-14" && cmp -s "$tmp/outcomes-12" "$tmp/outcomes-14"; then
    ok "a run with hcsbatch and the simulator on 14.5.0.1: $(grep -c '|accepted|' "$tmp/outcomes-14") rows accepted, the same outcomes as on 12.2.2.15"
else
    bad "runs on the two packages end differently:"; diff "$tmp/outcomes-12" "$tmp/outcomes-14" | head -20
fi

[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
echo "all schema package checks passed"
