#!/bin/sh
# test_sim — bin/hcs-sim over real HTTP with curl: the listening line,
# FMT/AUT faults on the wire, ack / duplicate ack / getState 1→2→3, state
# across a restart, every injected fault kind on the wire and in the
# request log, seeded reproducibility, --latency-ms, SIGTERM.
set -u
HCS_TOP=${HCS_TOP:-$(pwd)}
. "$HCS_TOP/tests/integration/lib.sh"
WORLD=$HCS_TOP/samples/world
HM=ext-bus-home-management-service/services/HomeManagementAsync
ORG=$(sed -n 's/^org_ppa_guid *= *//p' "$WORLD/provider.ini")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_sim.XXXXXX")
pid=""
fails=0

cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

start_sim() {  # extra args...
    # The last run's listening line must not be read as this one's: the
    # shell truncates the file only once the child has forked.
    rm -f "$tmp/out"
    "$SIM" --world "$WORLD" --state "$tmp/state" --schemas "$SCHEMAS_DIR" --port 0 \
        --log "$tmp/log.jsonl" "$@" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    URL=$(listening_url "$tmp/out" "$pid") || { cat "$tmp/err"; echo "FAIL: no listening line"; exit 1; }
    case $URL in http://127.0.0.1:*/) ;; *) echo "FAIL: listening on '$URL'"; exit 1 ;; esac
    PORT=${URL#http://127.0.0.1:}; PORT=${PORT%/}
    URL=$URL$HM
}

stop_sim() {
    kill -TERM "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    wait "$pid"; rc=$?
    pid=""
    [ "$rc" = 0 ] || fail "exit status after SIGTERM: $rc"
}

uuid() { cat /proc/sys/kernel/random/uuid; }

envelope() {  # message_guid body → file on stdout
    printf '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:base="http://dom.gosuslugi.ru/schema/integration/base/"><soapenv:Header><base:RequestHeader><base:Date>2026-11-24T10:00:00.000+03:00</base:Date><base:MessageGUID>%s</base:MessageGUID><base:orgPPAGUID>%s</base:orgPPAGUID></base:RequestHeader></soapenv:Header><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>\n' "$1" "$ORG" "$2"
}

account_body() {  # transport account_number
    printf '<hm:importAccountRequest xmlns:hm="http://dom.gosuslugi.ru/schema/integration/house-management/" xmlns:account-base="http://dom.gosuslugi.ru/schema/integration/account-base/" Id="signed-data-container" base:version="10.0.1.1"><hm:Account><hm:isUOAccount>true</hm:isUOAccount><hm:Accommodation><hm:PremisesGUID>47565e3b-ccd9-5157-b375-d7b337a56213</hm:PremisesGUID></hm:Accommodation><hm:PayerInfo/><base:TransportGUID>%s</base:TransportGUID><account-base:AccountNumber>%s</account-base:AccountNumber></hm:Account></hm:importAccountRequest>' "$1" "$2"
}

get_state_body() {
    printf '<base:getStateRequest><base:MessageGUID>%s</base:MessageGUID></base:getStateRequest>' "$1"
}

post() {  # action file → body in $tmp/resp, HTTP status echoed; curl exit in $CURL_RC
    # 30 s: the first request compiles the XSD set, slow on a loaded machine
    code=$(curl -s -o "$tmp/resp" -w '%{http_code}' --max-time "${MAXTIME:-30}" \
        -H "Content-Type: text/xml; charset=utf-8" -H "SOAPAction: \"urn:$1\"" \
        --data-binary @"$2" "$URL")
    CURL_RC=$?
    echo "$code"
}

ack_guid() { sed -n 's#.*<base:Ack><base:MessageGUID>\([^<]*\)</base:MessageGUID>.*#\1#p' "$tmp/resp"; }
state_of() { sed -n 's#.*<base:RequestState>\([0-9]\)</base:RequestState>.*#\1#p' "$tmp/resp"; }

# ---- usage -----------------------------------------------------------------
"$SIM" --help | grep -q -- '--world' && ok "--help" || fail "--help"
"$SIM" >/dev/null 2>&1; [ $? = 64 ] && ok "no --world → 64" || fail "no --world must exit 64"

# ---- checks on the wire (signatures on) ------------------------------------
start_sim --processing-ms 0
envelope "$(uuid)" "$(account_body "$(uuid)" X-1)" >"$tmp/unsigned.xml"
st=$(post importAccountData "$tmp/unsigned.xml")
[ "$st" = 500 ] && grep -q '<base:ErrorCode>AUT011004</base:ErrorCode>' "$tmp/resp" \
    && grep -q 'Отсутствует подпись запроса' "$tmp/resp" && ok "unsigned → 500 AUT011004" \
    || fail "unsigned: $st $(cat "$tmp/resp")"
printf '<soapenv:Envelope' >"$tmp/broken.xml"
st=$(post importAccountData "$tmp/broken.xml")
[ "$st" = 500 ] && grep -q 'FMT001300' "$tmp/resp" && ok "not well-formed → FMT001300" || fail "broken: $st"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'SOAPAction: "urn:importAccountData"' \
    -H 'Content-Type: application/json' --data-binary @"$tmp/unsigned.xml" "$URL")
[ "$code" = 415 ] && ok "not text/xml → 415" || fail "content type: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/nowhere")
[ "$code" = 404 ] && ok "unknown path → 404" || fail "unknown path: $code"
stop_sim

# ---- ack, duplicate, life cycle (signature check off) ----------------------
# 6 s of processing: state 1 for the first 2 s, 2 until 6 s, then 3
start_sim --no-verify --processing-ms 6000
mg=$(uuid); tg=$(uuid)
envelope "$mg" "$(account_body "$tg" INT-1)" >"$tmp/acc.xml"
st=$(post importAccountData "$tmp/acc.xml"); g1=$(ack_guid)
t_ack=$(date +%s%N)
cp "$tmp/resp" "$tmp/ack1"
envelope "$(uuid)" "$(get_state_body "$g1")" >"$tmp/gs.xml"
post getState "$tmp/gs.xml" >/dev/null; s1=$(state_of)
since_ack() { echo $(( ($(date +%s%N) - t_ack) / 1000000 )); }
sleep_past() {  # MS after the ack
    _left=$(( $1 - $(since_ack) ))
    [ "$_left" -le 0 ] || sleep "$(( _left / 1000 )).$(printf '%03d' $(( _left % 1000 )))"
}
# state 1 is only promised during the first 2 s (a third of 6 s)
late_ms=$(since_ack)
if [ "$late_ms" -ge 1900 ]; then
    echo "SKIP: getState state 1 not checked: the first getState came ${late_ms} ms after the ack" \
         "(state 1 is promised for the first 2000 ms only; machine too slow)"
    s1=1
fi
grep -q "<base:RequesterMessageGUID>$mg</base:RequesterMessageGUID>" "$tmp/ack1" \
    && [ "$st" = 200 ] && [ -n "$g1" ] && ok "ack echoes RequesterMessageGUID" || fail "ack: $st"
post importAccountData "$tmp/acc.xml" >/dev/null; g2=$(ack_guid)
[ "$g1" = "$g2" ] && ok "same MessageGUID → same ack" || fail "duplicate ack $g1 vs $g2"
sleep_past 3000
post getState "$tmp/gs.xml" >/dev/null; s2=$(state_of)
sleep_past 6300
post getState "$tmp/gs.xml" >/dev/null; s3=$(state_of)
[ "$s1$s2$s3" = 123 ] && ok "getState 1 → 2 → 3" || fail "states $s1 $s2 $s3"
grep -q "<base:TransportGUID>$tg</base:TransportGUID>" "$tmp/resp" && grep -q 'UnifiedAccountNumber' "$tmp/resp" \
    && ok "result carries TransportGUID and ImportAccount" || fail "result: $(cat "$tmp/resp")"
cp "$tmp/resp" "$tmp/result-before"
envelope "$(uuid)" "$(get_state_body 0b5d7a2e-4c1f-4e8a-9d3b-6f7e8a9b0c1d)" >"$tmp/gs-unknown.xml"
post getState "$tmp/gs-unknown.xml" >/dev/null
grep -q '<base:ErrorCode>INT002013</base:ErrorCode>' "$tmp/resp" && ok "unknown MessageGUID → INT002013" || fail "INT002013"
n_dup=$(grep -c '"duplicate":true' "$tmp/log.jsonl")
[ "$n_dup" = 1 ] && grep -q "\"message_guid\":\"$mg\"" "$tmp/log.jsonl" && grep -q "\"transport_guids\":\[\"$tg\"\]" "$tmp/log.jsonl" \
    && ok "log: message_guid, transport_guids, one duplicate" || fail "log content"
stop_sim

# ---- restart keeps acks, results and imported objects -----------------------
start_sim --no-verify --processing-ms 0
post getState "$tmp/gs.xml" >/dev/null
grep -q "<base:TransportGUID>$tg</base:TransportGUID>" "$tmp/resp" && [ "$(state_of)" = 3 ] \
    && ok "result survives a restart" || fail "after restart: $(cat "$tmp/resp")"
post importAccountData "$tmp/acc.xml" >/dev/null
[ "$(ack_guid)" = "$g1" ] && ok "ack survives a restart" || fail "ack after restart"
envelope "$(uuid)" "$(account_body "$(uuid)" INT-1)" >"$tmp/acc2.xml"
post importAccountData "$tmp/acc2.xml" >/dev/null; g3=$(ack_guid)
envelope "$(uuid)" "$(get_state_body "$g3")" >"$tmp/gs3.xml"
post getState "$tmp/gs3.xml" >/dev/null
grep -q '<base:ErrorCode>INT002006</base:ErrorCode>' "$tmp/resp" && ok "imported account survives: INT002006" \
    || fail "INT002006 after restart: $(cat "$tmp/resp")"
stop_sim

# ---- file store routing and the attachment checks (FIL001001/FIL001002) ----
meter_body() {  # number attachment_guid hash
    printf '<hm:importMeteringDeviceDataRequest xmlns:hm="http://dom.gosuslugi.ru/schema/integration/house-management/" xmlns:mdb="http://dom.gosuslugi.ru/schema/integration/metering-device-base/" xmlns:nsi-base="http://dom.gosuslugi.ru/schema/integration/nsi-base/" Id="signed-data-container" base:version="11.1.0.8"><hm:FIASHouseGuid>cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f</hm:FIASHouseGuid><hm:MeteringDevice><base:TransportGUID>%s</base:TransportGUID><hm:DeviceDataToCreate><hm:BasicChatacteristicts><hm:MeteringDeviceNumber>%s</hm:MeteringDeviceNumber><hm:RemoteMeteringMode>false</hm:RemoteMeteringMode><hm:TemperatureSensor>false</hm:TemperatureSensor><hm:PressureSensor>false</hm:PressureSensor><hm:ResidentialPremiseDevice><hm:PremiseGUID>47565e3b-ccd9-5157-b375-d7b337a56213</hm:PremiseGUID><hm:AccountGUID>923f2d37-bb17-5ecf-a189-fbf4bdd603fa</hm:AccountGUID><hm:Certificate><base:Name>cert.txt</base:Name><base:Description>certificate</base:Description><base:Attachment><base:AttachmentGUID>%s</base:AttachmentGUID></base:Attachment><base:AttachmentHASH>%s</base:AttachmentHASH></hm:Certificate></hm:ResidentialPremiseDevice></hm:BasicChatacteristicts><hm:NotLinkedWithMetering>true</hm:NotLinkedWithMetering><hm:MunicipalResourceNotEnergy><mdb:MunicipalResource><nsi-base:Code>1</nsi-base:Code><nsi-base:GUID>7658cfff-8609-5f50-88c3-78384942af5e</nsi-base:GUID></mdb:MunicipalResource><mdb:MeteringValue>0</mdb:MeteringValue></hm:MunicipalResourceNotEnergy></hm:DeviceDataToCreate></hm:MeteringDevice></hm:importMeteringDeviceDataRequest>' "$(uuid)" "$1" "$2" "$3"
}
import_meter() {  # number attachment hash → result in $tmp/resp
    envelope "$(uuid)" "$(meter_body "$1" "$2" "$3")" >"$tmp/md.xml"
    post importMeteringDeviceData "$tmp/md.xml" >/dev/null
    envelope "$(uuid)" "$(get_state_body "$(ack_guid)")" >"$tmp/gsm.xml"
    post getState "$tmp/gsm.xml" >/dev/null
}
start_sim --no-verify --processing-ms 0
echo "certificate of verification" >"$tmp/cert.txt"
md5=$(openssl dgst -md5 -binary "$tmp/cert.txt" | base64)
upload=$(curl -s -D - -o /dev/null -X PUT -H "Content-MD5: $md5" -H "X-Upload-Filename: cert.txt" \
    -H "X-Upload-OrgPPAGUID: $ORG" --data-binary @"$tmp/cert.txt" \
    "http://127.0.0.1:$PORT/ext-bus-file-store-service/rest/homemanagement" | tr -d '\r' \
    | sed -n 's/^X-Upload-UploadID: *//Ip')
hash=$(openssl dgst -engine gost -md_gost94 "$tmp/cert.txt" 2>/dev/null | sed 's/.*= //')
if [ -n "$upload" ] && [ -n "$hash" ]; then
    ok "file store PUT routed (UploadID $upload)"
    import_meter FS-1 "$upload" "$hash"
    grep -q 'importMeteringDevice' "$tmp/resp" && ! grep -q '<base:Error>' "$tmp/resp" \
        && ok "attachment with the right hash accepted" || fail "attachment ok: $(cat "$tmp/resp")"
    import_meter FS-2 "$upload" 0000000000000000000000000000000000000000000000000000000000000000
    grep -q '<base:ErrorCode>FIL001002</base:ErrorCode>' "$tmp/resp" && ok "wrong AttachmentHASH → FIL001002" \
        || fail "FIL001002: $(cat "$tmp/resp")"
    import_meter FS-3 "$(uuid)" "$hash"
    grep -q '<base:ErrorCode>FIL001001</base:ErrorCode>' "$tmp/resp" && ok "unknown AttachmentGUID → FIL001001" \
        || fail "FIL001001: $(cat "$tmp/resp")"
    grep -q '"operation":"filestore"' "$tmp/log.jsonl" && ok "file store request logged" || fail "file store log"
else
    fail "file store PUT: upload='$upload' hash='$hash'"
fi
stop_sim

# ---- an ack lost on the wire: the resend of the same MessageGUID gets it -----
rm -f "$tmp/log.jsonl"
start_sim --no-verify --processing-ms 0 --faults 'reset/importAccountData@1'
envelope "$(uuid)" "$(account_body "$(uuid)" LOST-1)" >"$tmp/lost.xml"
post importAccountData "$tmp/lost.xml" >/dev/null
rc1=$CURL_RC
[ "$(post importAccountData "$tmp/lost.xml")" = 200 ] && g_lost=$(ack_guid)
[ "$rc1" = 18 ] && [ -n "${g_lost:-}" ] && grep -q "\"gis_message_guid\":\"$g_lost\",\"status\":200,\"fault\":\"reset\"" "$tmp/log.jsonl" \
    && grep -q '"duplicate":true' "$tmp/log.jsonl" && ok "ack lost in a reset, the resend gets the same ack" \
    || fail "lost ack: curl $rc1, ack ${g_lost:-none}"
stop_sim

# ---- every fault kind, on schedule ------------------------------------------
rm -f "$tmp/log.jsonl"
# processing 600 ms, importAccountData 5x slower (3 s): looked at after 1 s
start_sim --no-verify --processing-ms 600 \
    --faults 'http503@1,http500@2,http502@3,reset@4,truncated@5,garbled@6,exp001000@7,maintenance@8,stall@9:3s,slow/importAccountData=5x'
post getState "$tmp/gs.xml" >/dev/null >"$tmp/st1"; [ "$(cat "$tmp/st1")" = 503 ] && ok "http503" || fail "http503: $(cat "$tmp/st1")"
[ "$(post getState "$tmp/gs.xml")" = 500 ] && ! grep -q Fault "$tmp/resp" && ok "http500" || fail "http500"
[ "$(post getState "$tmp/gs.xml")" = 502 ] && ok "http502" || fail "http502"
post getState "$tmp/gs.xml" >/dev/null; [ "$CURL_RC" = 18 ] && ok "reset mid-body (curl 18)" || fail "reset: curl $CURL_RC"
[ "$(post getState "$tmp/gs.xml")" = 200 ] && ! xmllint --noout "$tmp/resp" 2>/dev/null && ok "truncated" || fail "truncated"
[ "$(post getState "$tmp/gs.xml")" = 200 ] && ! xmllint --noout "$tmp/resp" 2>/dev/null && ok "garbled" || fail "garbled"
mgx=$(uuid)
envelope "$mgx" "$(account_body "$(uuid)" INT-X)" >"$tmp/accx.xml"
[ "$(post importAccountData "$tmp/accx.xml")" = 500 ] && grep -q '<base:ErrorCode>EXP001000</base:ErrorCode>' "$tmp/resp" \
    && ok "exp001000" || fail "exp001000"
[ "$(post getState "$tmp/gs.xml")" = 500 ] && grep -q 'INT002029' "$tmp/resp" && ok "maintenance INT002029" || fail "maintenance"
MAXTIME=1 post getState "$tmp/gs.xml" >/dev/null; [ "$CURL_RC" = 28 ] && ok "stall beyond the client's timeout" || fail "stall: curl $CURL_RC"
# Request 10: the same MessageGUID after EXP001000 keeps failing; a rebuilt one passes.
[ "$(post importAccountData "$tmp/accx.xml")" = 500 ] && grep -q EXP001000 "$tmp/resp" \
    && ok "EXP001000 sticks to its MessageGUID" || fail "resend after EXP001000"
envelope "$(uuid)" "$(account_body "$(uuid)" INT-X)" >"$tmp/accy.xml"
[ "$(post importAccountData "$tmp/accy.xml")" = 200 ] && ok "rebuilt message accepted" || fail "rebuilt"
gy=$(ack_guid)
t_ack=$(date +%s%N)
envelope "$(uuid)" "$(get_state_body "$gy")" >"$tmp/gsy.xml"
sleep_past 1000
post getState "$tmp/gsy.xml" >/dev/null
[ "$(state_of)" != 3 ] && ok "slow=5x delays processing" || fail "slow: state $(state_of)"
sleep 3
for f in http503 http500 http502 reset truncated garbled exp001000 maintenance stall slow; do
    grep -q "\"fault\":\"$f\"" "$tmp/log.jsonl" || fail "log lacks fault $f"
done
ok "every fault kind logged"
stop_sim

# ---- seeded faults are reproducible -----------------------------------------
run_seeded() {  # seed → fault sequence
    rm -f "$tmp/log.jsonl"
    start_sim --no-verify --processing-ms 0 --seed "$1" --faults 'http503=0.3,http502=0.2'
    for i in 1 2 3 4 5 6 7 8 9 10 11 12; do post getState "$tmp/gs.xml" >/dev/null; done
    stop_sim
    sed -n 's/.*"fault":"\([a-z0-9]*\)".*/\1/p' "$tmp/log.jsonl" | tr '\n' ,
}
a=$(run_seeded 7); b=$(run_seeded 7)
[ "$a" = "$b" ] && echo "$a" | grep -q http50 && ok "same seed, same faults ($a)" || fail "seeded: $a vs $b"

# ---- --latency-ms: every answer held back, not a fault ------------------------
rm -f "$tmp/log.jsonl"
start_sim --no-verify --processing-ms 0 --latency-ms 400
post getState "$tmp/gs.xml" >/dev/null   # the first request compiles the schemas
t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 30 -H "Content-Type: text/xml; charset=utf-8" \
    -H 'SOAPAction: "urn:getState"' --data-binary @"$tmp/gs.xml" "$URL")
stop_sim
last=$(tail -n 1 "$tmp/log.jsonl")
ms=$(echo "$last" | sed -n 's/.*"duration_ms":\([0-9]*\).*/\1/p')
if awk -v t="$t" 'BEGIN { exit !(t >= 0.4) }' && [ "${ms:-0}" -ge 400 ] && echo "$last" | grep -q '"fault":""'; then
    ok "--latency-ms 400: answered after ${t}s, logged ${ms} ms, no fault"
else
    fail "--latency-ms 400: answered after ${t}s, log: $last"
fi
"$SIM" --world "$WORLD" --latency-ms 5x >/dev/null 2>&1; [ $? = 64 ] && ok "--latency-ms 5x → 64" || fail "--latency-ms 5x must exit 64"

[ $fails = 0 ] && echo "all passed" || echo "$fails failed"
[ $fails = 0 ]
