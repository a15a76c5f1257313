#!/bin/sh
# test_filestore — hcsbatch upload/download against bin/hcs-sim over real HTTP:
# small file, 12 MB (3 parts), exactly 5 MB (one PUT), empty file and bad
# extension refused before sending, kill -9 in the middle of a 30 MB upload
# then a resume that sends only the missing parts (proved with the
# simulator's request log), HTTP 503s retried, ranged downloads equal to the
# originals byte for byte, AttachmentHASH equal to openssl's GOST R 34.11-94.
# Needs: BINDIR, SCHEMAS_DIR, HCS_TOP (tests/run.sh exports them).
set -u
HCS_TOP=${HCS_TOP:-$(pwd)}
. "$HCS_TOP/tests/integration/lib.sh"
ORG=6f0b0a51-2e1c-4c34-9a9b-0c3c2e8d1a11
PREFIX=/ext-bus-file-store-service/rest
T=$(mktemp -d "${TMPDIR:-/tmp}/hcs-fs.XXXXXX")
PIDS=""

cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# start_sim NAME [sim options]: sets URL and SIMPID; log in $T/NAME.log
start_sim() {
    name=$1; shift
    mkdir -p "$T/world"
    printf '[provider]\norg_ppa_guid = %s\nogrn = 1027700000001\nname = Test\ncertificate = any\n' "$ORG" \
        >"$T/world/provider.ini"
    "$SIM" --world "$T/world" --state "$T/$name-state" --port 0 --schemas "$SCHEMAS_DIR" \
        --log "$T/$name.log" "$@" >"$T/$name.out" 2>"$T/$name.err" &
    SIMPID=$!
    PIDS="$PIDS $SIMPID"
    URL=$(listening_url "$T/$name.out" $SIMPID) || { cat "$T/$name.err" >&2; fail "the simulator did not start"; }
    cat >"$T/$name.ini" <<INI
[gis]
base_url = $URL
org_ppa_guid = $ORG
[paths]
work_dir = $T/$name-work
[transport]
backoff_ms = 20
backoff_max_ms = 200
retries = 6
INI
}

# puts_ok LOG UPLOAD_ID: successful part PUTs of that upload in the log
puts_ok() {
    grep -F "\"method\":\"PUT\",\"endpoint\":\"$PREFIX/homemanagement/$2\"" "$1" | grep -c '"status":200,'
}

gost() {
    openssl dgst -engine gost -md_gost94 "$1" 2>/dev/null | sed 's/.*= *//'
}

mkfile() {   # NAME MB
    head -c $(($2 * 1048576)) /dev/urandom >"$T/$1"
}

[ -x "$HCSBATCH" ] && [ -x "$SIM" ] || fail "build $HCSBATCH and $SIM first"
start_sim sim
CFG=$T/sim.ini
LOG=$T/sim.log

# 1. small file: one PUT; hash = openssl's; download equals the original
head -c 123457 /dev/urandom >"$T/Устав ТСЖ.pdf"
out=$("$HCSBATCH" -c "$CFG" upload --context homemanagement "$T/Устав ТСЖ.pdf") || fail "small upload: exit $?"
guid=$(echo "$out" | cut -f1)
hash=$(echo "$out" | cut -f2)
[ "$hash" = "$(gost "$T/Устав ТСЖ.pdf")" ] || fail "small: AttachmentHASH $hash differs from openssl"
"$HCSBATCH" -c "$CFG" -q download --context homemanagement "$guid" -o "$T/small.back" || fail "small download"
cmp "$T/Устав ТСЖ.pdf" "$T/small.back" || fail "small download differs"
ok "small file $guid $hash"

# 2. 12 MB: POST ?upload, 3 parts, completed; ranged download
mkfile f12.pdf 12
out=$("$HCSBATCH" -c "$CFG" upload --context homemanagement "$T/f12.pdf") || fail "12 MB upload"
g12=$(echo "$out" | cut -f1)
[ "$(echo "$out" | cut -f2)" = "$(gost "$T/f12.pdf")" ] || fail "12 MB: AttachmentHASH differs from openssl"
[ "$(puts_ok "$LOG" "$g12")" = 3 ] || fail "12 MB: expected 3 part PUTs, log has $(puts_ok "$LOG" "$g12")"
grep -F "\"method\":\"POST\",\"endpoint\":\"$PREFIX/homemanagement/$g12\"" "$LOG" | grep -q '"status":200,' \
    || fail "12 MB: no POST ?completed in the log"
"$HCSBATCH" -c "$CFG" -q download --context homemanagement "$g12" -o "$T/f12.back" || fail "12 MB download"
cmp "$T/f12.pdf" "$T/f12.back" || fail "12 MB ranged download differs"
[ "$(grep -F "\"method\":\"GET\",\"endpoint\":\"$PREFIX/homemanagement/$g12\"" "$LOG" | grep -c '"status":206,')" = 3 ] \
    || fail "12 MB download: expected 3 ranged GETs (206)"
ok "12 MB in 3 parts, ranged download identical"

# 3. exactly 5 MB: still a single PUT
head -c 5242880 /dev/urandom >"$T/five.zip"
before=$(grep -c "\"method\":\"PUT\",\"endpoint\":\"$PREFIX/bills\"" "$LOG")
out=$("$HCSBATCH" -c "$CFG" upload --context bills "$T/five.zip") || fail "5 MB upload"
after=$(grep -c "\"method\":\"PUT\",\"endpoint\":\"$PREFIX/bills\"" "$LOG")
[ $((after - before)) = 1 ] || fail "5 MB: expected one single PUT"
grep -F "$PREFIX/bills/" "$LOG" >/dev/null && fail "5 MB: a multipart request was made"
ok "exactly 5 MB in one PUT"

# 4. refused before anything is sent
: >"$T/empty.pdf"
printf 'MZ' >"$T/tool.exe"
lines=$(wc -l <"$LOG")
"$HCSBATCH" -c "$CFG" upload --context homemanagement "$T/empty.pdf" 2>"$T/err1"
[ $? = 65 ] || fail "empty file: expected exit 65"
grep -q "empty" "$T/err1" || fail "empty file: message does not say so"
"$HCSBATCH" -c "$CFG" upload --context homemanagement "$T/tool.exe" 2>"$T/err2"
[ $? = 65 ] || fail "bad extension: expected exit 65"
grep -q "allowed extensions" "$T/err2" || fail "bad extension: message does not list the allowed ones"
[ "$(wc -l <"$LOG")" = "$lines" ] || fail "refused files reached the file store"
"$HCSBATCH" -c "$CFG" upload --context nosuch "$T/f12.pdf" 2>"$T/err3"
[ $? = 65 ] || fail "unknown context: expected exit 65"
grep -q ContextNotFoundException "$T/err3" || fail "unknown context: no ContextNotFoundException"
ok "empty file, bad extension refused before sending; ContextNotFoundException reported"

# 5. kill -9 in the middle of a 30 MB upload (6 parts), then resume
mkfile f30.docx 30
"$HCSBATCH" -c "$CFG" -o filestore.rate=3 upload --context homemanagement "$T/f30.docx" >"$T/kill.out" 2>&1 &
UP=$!
PIDS="$PIDS $UP"
i=0; g30=""
while [ $i -lt 200 ]; do
    g30=$(sed -n "s|.*\"method\":\"PUT\",\"endpoint\":\"$PREFIX/homemanagement/\([0-9a-f-]\{36\}\)\".*\"status\":200,.*|\1|p" "$LOG" \
          | grep -v -e "$g12" | tail -n 1)
    [ -n "$g30" ] && [ "$(puts_ok "$LOG" "$g30")" -ge 2 ] && break
    kill -0 $UP 2>/dev/null || break
    sleep 0.05; i=$((i + 1))
done
kill -9 $UP 2>/dev/null || fail "the upload finished before it could be killed"
wait $UP 2>/dev/null
[ -n "$g30" ] || fail "30 MB: no part reached the simulator"
sleep 0.3
k=$(puts_ok "$LOG" "$g30")
[ "$k" -ge 1 ] && [ "$k" -lt 6 ] || fail "30 MB: $k parts before the kill (want 1..5)"
lines=$(wc -l <"$LOG")
out=$("$HCSBATCH" -c "$CFG" upload --context homemanagement "$T/f30.docx" 2>"$T/resume.err") || fail "resume: exit $?"
[ "$(echo "$out" | cut -f1)" = "$g30" ] || fail "resume did not continue upload $g30"
[ "$(echo "$out" | cut -f2)" = "$(gost "$T/f30.docx")" ] || fail "resume: AttachmentHASH differs from openssl"
tail -n +$((lines + 1)) "$LOG" >"$T/after.log"
m=$(puts_ok "$T/after.log" "$g30")
grep -F "\"method\":\"HEAD\",\"endpoint\":\"$PREFIX/homemanagement/$g30\"" "$T/after.log" | grep -q '"status":200,' \
    || fail "resume: no HEAD"
grep -F "\"method\":\"POST\",\"endpoint\":\"$PREFIX/homemanagement/\"" "$T/after.log" >/dev/null \
    && fail "resume: began a new upload"
[ $((k + m)) = 6 ] || fail "resume: $k parts before the kill + $m after != 6 (a part was sent twice or lost)"
grep -q "sent $m of 6 parts" "$T/resume.err" || fail "resume: no 'sent $m of 6 parts' note"
"$HCSBATCH" -c "$CFG" -q download --context homemanagement "$g30" -o "$T/f30.back" || fail "30 MB download"
cmp "$T/f30.docx" "$T/f30.back" || fail "30 MB download differs"
ok "killed after $k of 6 parts; resume sent only the other $m; download identical"

# 5b. kill -9 in the middle of the 30 MB download, then continue from the .part
getok() {   # LOG: ranged GETs of g30 answered 206
    grep -F "\"method\":\"GET\",\"endpoint\":\"$PREFIX/homemanagement/$g30\"" "$1" | grep -c '"status":206,'
}
base=$(getok "$LOG")
"$HCSBATCH" -c "$CFG" -o filestore.rate=3 -q download --context homemanagement "$g30" -o "$T/f30.again" &
DL=$!
PIDS="$PIDS $DL"
i=0
while [ $i -lt 200 ] && [ $(( $(getok "$LOG") - base )) -lt 2 ] && kill -0 $DL 2>/dev/null; do
    sleep 0.05; i=$((i + 1))
done
kill -9 $DL 2>/dev/null || fail "the download finished before it could be killed"
wait $DL 2>/dev/null
sleep 0.3
kd=$(( $(getok "$LOG") - base ))
[ -f "$T/f30.again" ] && fail "a killed download left the final file"
[ -s "$T/f30.again.part" ] || fail "no .part after the kill"
hb=$(wc -c <"$T/f30.again.part")
want=$(( (31457280 - hb + 5242879) / 5242880 ))   # ranged GETs still needed
lines=$(wc -l <"$LOG")
"$HCSBATCH" -c "$CFG" download --context homemanagement "$g30" -o "$T/f30.again" 2>"$T/dl.err" || fail "download resume"
grep -q "(resumed)" "$T/dl.err" || fail "download did not continue the .part"
tail -n +$((lines + 1)) "$LOG" >"$T/after-dl.log"
md=$(getok "$T/after-dl.log")
cmp "$T/f30.docx" "$T/f30.again" || fail "resumed download differs"
[ "$md" = "$want" ] || fail "resumed download made $md ranged GETs; with $hb bytes in the .part it needs $want"
ok "download killed after $kd ranged GETs ($hb bytes on disk); only $md more fetched; file identical"

# 6. HTTP 503/502 on file store requests are retried (faults from the simulator:
#    requests 2-3 = part 1 twice, request 6 = part 3)
start_sim flaky --faults "http503/filestore@2-3,http502/filestore@6" --seed 11
out=$("$HCSBATCH" -c "$T/flaky.ini" upload --context homemanagement "$T/f12.pdf") || fail "503s: upload failed"
gf=$(echo "$out" | cut -f1)
n503=$(grep -c -e "\"status\":503," -e "\"status\":502," "$T/flaky.log")
[ "$n503" = 3 ] || fail "503s: expected the 3 scheduled faults, log has $n503"
[ "$(grep -F "$PREFIX/homemanagement/$gf\"" "$T/flaky.log" | grep '"method":"PUT"' | grep -c '"status":200,')" = 3 ] \
    || fail "503s: expected 3 accepted parts"
"$HCSBATCH" -c "$T/flaky.ini" -q download --context homemanagement "$gf" -o "$T/flaky.back" || fail "503s: download"
cmp "$T/f12.pdf" "$T/flaky.back" || fail "503s: download differs"
ok "$n503 injected HTTP 502/503 answers retried; upload and download intact"

# 7. the provider header: the default client sends X-Upload-OrgPPAGUID (section 1
#    passed against the strict simulator); a client configured with the old
#    X-Upload-Dataprovider is refused by it and accepted in legacy mode.
grep -F "\"endpoint\":\"$PREFIX/homemanagement\"" "$LOG" | grep -q '"status":200,' || fail "header: no accepted PUT in the log"
head -c 1000 /dev/urandom >"$T/old.pdf"
printf '[filestore]\nprovider_header = X-Upload-Dataprovider\n' >>"$CFG"
if "$HCSBATCH" -c "$CFG" upload --context homemanagement "$T/old.pdf" >"$T/old.out" 2>"$T/old.err"; then
    fail "header: the strict simulator accepted X-Upload-Dataprovider"
fi
grep -q "FieldValidationException" "$T/old.err" || { cat "$T/old.err" >&2; fail "header: refusal does not name FieldValidationException"; }
start_sim legacy --legacy-upload-header
printf '[filestore]\nprovider_header = X-Upload-Dataprovider\n' >>"$T/legacy.ini"
"$HCSBATCH" -c "$T/legacy.ini" upload --context homemanagement "$T/old.pdf" >/dev/null || fail "header: legacy mode refused X-Upload-Dataprovider"
ok "X-Upload-Dataprovider refused by the strict file store, accepted with --legacy-upload-header"

# 8. transport.connect_to: the URL names a host that does not resolve; the
#    connection goes to the simulator all the same (as to a local stunnel).
port=${URL#http://127.0.0.1:}; port=${port%%/*}
sed "s|^base_url = .*|base_url = http://gis.example.invalid:$port/|" "$T/legacy.ini" >"$T/relay.ini"
printf '[transport]\nconnect_to = gis.example.invalid:%s:127.0.0.1:%s\n' "$port" "$port" >>"$T/relay.ini"
lines=$(wc -l <"$T/legacy.log")
"$HCSBATCH" -c "$T/relay.ini" upload --context homemanagement "$T/old.pdf" >/dev/null 2>"$T/relay.err" \
    || { cat "$T/relay.err" >&2; fail "connect_to: upload did not reach the simulator"; }
[ "$(tail -n +$((lines + 1)) "$T/legacy.log" | grep -c '"status":200,')" -ge 1 ] || fail "connect_to: nothing in the simulator's log"
ok "connect_to sent gis.example.invalid:$port to the simulator"

echo "PASS test_filestore"
