#!/bin/sh
# test_attachments — files named in input rows, end to end over real HTTP:
# `hcsbatch convert` on samples/meters.csv against bin/hcs-sim uploads each
# distinct file content once (the simulator's request log: 4 PUTs for 5
# rows naming a file, all before any import), rejects the rows whose file
# is missing, of a refused type or outside the input folder, and writes
# packets whose Certificate (AttachmentType) the simulator accepts: every
# device created, no FIL001001/FIL001002.  A second convert uploads nothing
# (remembered in the state database).  filestore.hash_scope = first_part on
# a file over 5 MB gives an AttachmentHASH of the first part only, which the
# simulator (whole-file hash) refuses with FIL001002.  Finally the nightly
# run with the sample in inbox/meters/ (certificates in its attachments/
# subfolder), signatures verified: uploads before the import, 6 devices
# accepted, 3 rows rejected, the new devices in the registry.
# Needs: BINDIR, SCHEMAS_DIR, HCS_TOP (tests/run.sh exports them).
set -u
HCS_TOP=${HCS_TOP:-$(pwd)}
. "$HCS_TOP/tests/integration/lib.sh"
WORLD=$HCS_TOP/samples/world
HM=ext-bus-home-management-service/services/HomeManagementAsync
ORG=$(sed -n 's/^org_ppa_guid *= *//p' "$WORLD/provider.ini")
T=$(mktemp -d "${TMPDIR:-/tmp}/hcs-att.XXXXXX")
SIMPID=""

cleanup() {
    [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null && wait "$SIMPID" 2>/dev/null
    [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

[ -x "$HCSBATCH" ] && [ -x "$SIM" ] || fail "build $HCSBATCH and $SIM first"

"$SIM" --world "$WORLD" --state "$T/state" --port 0 --schemas "$SCHEMAS_DIR" --no-verify \
    --processing-ms 0 --log "$T/sim.log" >"$T/sim.out" 2>"$T/sim.err" &
SIMPID=$!
URL=$(listening_url "$T/sim.out" $SIMPID) || { cat "$T/sim.err" >&2; fail "the simulator did not start"; }

config() {  # FILE [extra lines]
    cat >"$1" <<INI
[gis]
base_url = $URL
org_ppa_guid = $ORG
[paths]
work_dir = $T/work
schemas_dir = $SCHEMAS_DIR
templates_dir = $HCS_TOP/templates
nsi_dir = $WORLD/nsi
[transport]
backoff_ms = 20
backoff_max_ms = 200
retries = 3
${2:-}
INI
}

post() {  # action file → response in $T/resp
    curl -s -o "$T/resp" -w '%{http_code}' --max-time 10 -H "Content-Type: text/xml; charset=utf-8" \
        -H "SOAPAction: \"urn:$1\"" --data-binary @"$2" "$URL$HM"
}

# send FILE: posts the packet, then getState until done; the result in $T/resp
send() {
    st=$(post importMeteringDeviceData "$1")
    [ "$st" = 200 ] || fail "import of $1: HTTP $st $(cat "$T/resp")"
    g=$(sed -n 's#.*<base:Ack><base:MessageGUID>\([^<]*\)</base:MessageGUID>.*#\1#p' "$T/resp")
    [ -n "$g" ] || fail "no ack for $1"
    printf '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:base="http://dom.gosuslugi.ru/schema/integration/base/"><soapenv:Header><base:RequestHeader><base:Date>2026-11-24T10:00:00.000+03:00</base:Date><base:MessageGUID>%s</base:MessageGUID><base:orgPPAGUID>%s</base:orgPPAGUID></base:RequestHeader></soapenv:Header><soapenv:Body><base:getStateRequest><base:MessageGUID>%s</base:MessageGUID></base:getStateRequest></soapenv:Body></soapenv:Envelope>\n' \
        "$(cat /proc/sys/kernel/random/uuid)" "$ORG" "$g" >"$T/gs.xml"
    i=0
    while :; do
        post getState "$T/gs.xml" >/dev/null
        grep -q '<base:RequestState>3</base:RequestState>' "$T/resp" && break
        i=$((i + 1))
        [ $i -lt 50 ] || fail "no result for $1"
        sleep 0.1
    done
}

# ---- the sample: uploads once per content, before the imports --------------
config "$T/h.ini"
"$HCSBATCH" -c "$T/h.ini" convert --op importMeteringDeviceData --out "$T/out" \
    "$HCS_TOP/samples/meters.csv" 2>"$T/convert.err"
rc=$?
[ "$rc" = 65 ] || fail "convert exit $rc (65 expected: bad rows on purpose): $(cat "$T/convert.err")"
grep -q 'files: 4 uploaded, 1 already in the file store' "$T/convert.err" \
    && ok "4 distinct contents uploaded, the copy reused" || fail "counts: $(cat "$T/convert.err")"
puts=$(grep -c '"method":"PUT","endpoint":"/ext-bus-file-store-service/rest/homemanagement"' "$T/sim.log")
[ "$puts" = 4 ] && ok "simulator log: 4 PUTs to homemanagement" || fail "PUTs in the log: $puts"
grep -q '^[^;]*meters.csv;8;Файл поверки;attachments/poverka-gv-41006.pdf;.*не найден' "$T/out/errors.csv" \
    && ok "row 8: missing file rejected" || fail "row 8: $(cat "$T/out/errors.csv")"
grep -q '^[^;]*meters.csv;9;Файл поверки;.*не принимает файлы этого типа' "$T/out/errors.csv" \
    && ok "row 9: .html refused before sending" || fail "row 9"
grep -q '^[^;]*meters.csv;10;Файл поверки;\.\./README\.md;' "$T/out/errors.csv" \
    && ok "row 10: path out of the input folder refused" || fail "row 10"
[ "$(grep -c 'meters.csv;' "$T/out/errors.csv")" = 3 ] || fail "exactly 3 rejected rows expected"
n_cert=$(cat "$T"/out/importMeteringDeviceData-*.xml | grep -o '<hm:Certificate>' | wc -l)
[ "$n_cert" = 5 ] && ok "5 Certificate elements in the packets" || fail "certificates: $n_cert"
hash_xv=$(openssl dgst -engine gost -md_gost94 "$HCS_TOP/samples/attachments/poverka-xv-41000.pdf" 2>/dev/null | sed 's/.*= *//')
[ -n "$hash_xv" ] && grep -q "<base:Name>poverka-xv-41000.pdf</base:Name><base:Description>Свидетельство о поверке</base:Description><base:Attachment><base:AttachmentGUID>[0-9a-f-]*</base:AttachmentGUID></base:Attachment><base:AttachmentHASH>$hash_xv</base:AttachmentHASH>" "$T"/out/importMeteringDeviceData-*.xml \
    && ok "AttachmentHASH = openssl GOST R 34.11-94 of the file" || fail "AttachmentType of poverka-xv-41000.pdf"

last_put=$(grep -n '"method":"PUT"' "$T/sim.log" | tail -n 1 | cut -d: -f1)
created=0
for f in "$T"/out/importMeteringDeviceData-*.xml; do
    send "$f"
    grep -q 'FIL00100' "$T/resp" && fail "$f: $(grep -o 'FIL00100[0-9][^<]*<[^<]*' "$T/resp")"
    grep -q '<base:ErrorCode>' "$T/resp" && fail "$f: $(grep -o '<base:ErrorCode>[^<]*' "$T/resp")"
    created=$((created + $(grep -o '<hm:MeteringDeviceGUID>' "$T/resp" | wc -l)))
done
[ "$created" = 6 ] && ok "simulator created all 6 devices, no FIL001001/FIL001002" || fail "created $created"
first_import=$(grep -n '"operation":"importMeteringDeviceData"' "$T/sim.log" | head -n 1 | cut -d: -f1)
[ -n "$first_import" ] && [ "$last_put" -lt "$first_import" ] && ok "uploads before the first import" \
    || fail "order: last PUT line $last_put, first import line $first_import"

# ---- a second convert: nothing sent again -----------------------------------
"$HCSBATCH" -c "$T/h.ini" convert --op importMeteringDeviceData --out "$T/out2" \
    "$HCS_TOP/samples/meters.csv" 2>"$T/convert2.err"
grep -q 'files: 0 uploaded, 5 already in the file store' "$T/convert2.err" \
    && [ "$(grep -c '"method":"PUT"' "$T/sim.log")" = 4 ] && ok "second convert: remembered, no PUT" \
    || fail "second convert: $(cat "$T/convert2.err")"

# ---- --no-upload: rows naming a file are rejected, nothing sent -------------
"$HCSBATCH" -c "$T/h.ini" convert --op importMeteringDeviceData --no-upload --out "$T/out3" \
    "$HCS_TOP/samples/meters.csv" 2>"$T/convert3.err"
[ "$(grep -c 'загрузка файлов не настроена' "$T/out3/errors.csv")" = 8 ] \
    && ok "--no-upload: the 8 rows naming a file rejected" || fail "--no-upload: $(cat "$T/out3/errors.csv")"

# ---- file store unreachable: the file stops with 69, no packet written --------
"$HCSBATCH" -c "$T/h.ini" -o gis.base_url=http://127.0.0.1:9/ -o transport.retries=1 -o paths.work_dir="$T/work5" \
    convert --op importMeteringDeviceData --out "$T/out5" "$HCS_TOP/samples/meters.csv" 2>"$T/convert5.err"
rc=$?
[ "$rc" = 69 ] && ! ls "$T"/out5/*.xml >/dev/null 2>&1 && ok "file store unreachable → exit 69, nothing written" \
    || fail "unreachable: exit $rc $(cat "$T/convert5.err")"

# ---- hash scope first_part on a 6 MB file: FIL001002 ------------------------
mkdir -p "$T/in/docs"
head -c 6291456 /dev/urandom >"$T/in/docs/big.pdf"
H1=cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f
{
    head -n 1 "$HCS_TOP/samples/meters.csv"
    printf '%s;%s\n' "$H1" 'ХВ-51000;Пульсар;Пульсар-15;индивидуальный;Холодная вода;47565e3b-ccd9-5157-b375-d7b337a56213;923f2d37-bb17-5ecf-a189-fbf4bdd603fa;01.09.2026;05.09.2026;;;0;docs\big.pdf'
} >"$T/in/big.csv"
config "$T/first.ini" "[filestore]
hash_scope = first_part"
"$HCSBATCH" -c "$T/first.ini" convert --op importMeteringDeviceData --out "$T/out4" "$T/in/big.csv" \
    2>"$T/convert4.err" || fail "convert of big.csv: $(cat "$T/convert4.err")"
first=$(head -c 5242880 "$T/in/docs/big.pdf" | openssl dgst -engine gost -md_gost94 2>/dev/null | sed 's/.*= *//')
grep -q "<base:AttachmentHASH>$first</base:AttachmentHASH>" "$T"/out4/*.xml \
    && ok "first_part: AttachmentHASH over the first 5 MB" || fail "first_part hash"
send "$T"/out4/importMeteringDeviceData-0001.xml
grep -q '<base:ErrorCode>FIL001002</base:ErrorCode>' "$T/resp" \
    && ok "simulator: FIL001002 for the first-part hash of a 6 MB file" || fail "expected FIL001002: $(cat "$T/resp")"

# ---- the run: inbox/meters ----------------------------------------------------
kill "$SIMPID" 2>/dev/null; wait "$SIMPID" 2>/dev/null; SIMPID=""
. "$HCS_TOP/tests/integration/exchange_lib.sh"
trap 'xl_cleanup cleanup' EXIT INT TERM
xl_key "$T/keys"
xl_sim "$T/rstate" "$T/run-sim.log" --processing-ms 0
xl_work "$T/w" "$SIM_URL" "$T/keys"
rm -f "$T"/w/inbox/*/*
mkdir -p "$T/w/inbox/meters"
cp "$HCS_TOP/samples/meters.csv" "$T/w/inbox/meters/"
cp -r "$HCS_TOP/samples/attachments" "$T/w/inbox/meters/"
i=0
while :; do
    (cd "$T/w" && timeout 60 "$HCSBATCH" -c hcsbatch.ini run >"$T/run$i.out" 2>&1)
    pending=$(sqlite3 "$T/w/state.db" "SELECT count(*) FROM packets WHERE state NOT IN ('done','done-with-warnings','failed','cancelled')")
    [ "$pending" = 0 ] && [ -n "$(sqlite3 "$T/w/state.db" 'SELECT 1 FROM packets LIMIT 1')" ] && break
    i=$((i + 1))
    [ $i -lt 8 ] || fail "run: packets still pending after 8 runs: $(cat "$T/run$i.out" 2>/dev/null)"
    sleep 1
done
out=$(xl_outcomes "$T/w/state.db")
[ "$(echo "$out" | grep -c '^meters.csv|[0-9]*|accepted|$')" = 6 ] \
    && [ "$(echo "$out" | grep -c '^meters.csv|\(8\|9\|10\)|rejected|файл не загружен в ГИС ЖКХ')" = 3 ] \
    && ok "run: 6 devices accepted, rows 8-10 rejected for their files" || fail "run outcomes: $out"
[ "$(grep -c '"method":"PUT"' "$T/run-sim.log")" = 4 ] || fail "run: PUTs $(grep -c '"method":"PUT"' "$T/run-sim.log")"
last_put=$(grep -n '"method":"PUT"' "$T/run-sim.log" | tail -n 1 | cut -d: -f1)
first_import=$(grep -n '"operation":"importMeteringDeviceData"' "$T/run-sim.log" | head -n 1 | cut -d: -f1)
[ -n "$first_import" ] && [ "$last_put" -lt "$first_import" ] && ok "run: 4 uploads, all before the import" \
    || fail "run order: last PUT $last_put, first import $first_import"
! grep -q 'FIL00100' "$T/run-sim.log" || fail "run: FIL00100x in the simulator log"
[ "$(sqlite3 "$T/w/state.db" "SELECT count(*) FROM registry WHERE kind='meter' AND local_key IN ('хв-41000','тэ-41004')")" = 2 ] \
    && ok "run: new devices registered as 'meter' by serial" || fail "registry"
exit 0
