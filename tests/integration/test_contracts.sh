#!/bin/sh
# test_contracts — resource supply contracts, management contracts and
# charters end to end through bin/hcs-sim over real HTTP (signed, schema
# checked by the simulator): the samples in inbox/supply-contracts,
# inbox/contracts and inbox/charters (documents in their attachments/
# subfolders) go through one nightly run:
#   - every distinct document is uploaded to the file store once, all before
#     the first import; the packets carry AttachmentHASH = GOST R 34.11-94;
#   - supply contracts: 4 accepted (НСИ 3 and 239 by name and code, a
#     ContractSubject per row whose TransportGUID its ObjectAddress Pair names),
#     the bad rows rejected by the converter;
#   - management contracts: 2 accepted (owners with the signed register,
#     ТСЖ by orgRootEntityGUID), a missing file and missing required columns
#     rejected;
#   - charters: one request each, the request's TransportGUID the element's;
#     a charter without protocol and without «Протокол об утверждении
#     отсутствует» refused by the simulator (INT002016, the schema's rule);
#   - the registry knows each accepted document with its version GUID.
# Then the simulator's rules on request forms the templates do not write
# (a contract without ObjectAddress, an unknown counterparty), a repeated
# file (--force: INT002006), and exportCAChData (`hcsbatch sync contracts`
# by GUID and by house) filling the registry shown by `hcsbatch registry`.
# Needs: BINDIR, SCHEMAS_DIR, HCS_TOP (tests/run.sh exports them).
set -u
HCS_TOP=${HCS_TOP:-$(pwd)}
. "$HCS_TOP/tests/integration/exchange_lib.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/hcs-contracts.XXXXXX")
H1=cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f
H3=058783d5-0260-579e-b3c8-e9fdeed3330f
UO=954d36cb-5d4e-5bd0-abd9-1da466101048
cleanup() {
    xl_stop_sims
    [ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
[ -x "$HCSBATCH" ] && [ -x "$SIM" ] || fail "build $HCSBATCH and $SIM first"

# ---- hcsbatch ops names the inboxes and templates ---------------------------
"$HCSBATCH" ops >"$T/ops.txt" 2>&1 || fail "ops: $(cat "$T/ops.txt")"
for f in "importSupplyResourceContractData.* inbox/supply-contracts  *importSupplyResourceContractData" \
         "importContractData.* inbox/contracts  *importContractData" \
         "importCharterData  .* 1  .* inbox/charters  *importCharterData"; do
    grep -q "^$f" "$T/ops.txt" || fail "ops lacks /$f/: $(cat "$T/ops.txt")"
done
ok "hcsbatch ops: the three forms with their inbox and template (charters: 1 a request)"

xl_key "$T/keys"
xl_sim "$T/st" "$T/sim.log" --processing-ms 0

# inbox WORKDIR: the three samples with their documents
inbox() {
    rm -f "$1"/inbox/*/*
    for d in supply-contracts contracts charters; do
        mkdir -p "$1/inbox/$d"
        cp "$HCS_TOP/samples/$d.csv" "$1/inbox/$d/"
        cp -r "$HCS_TOP/samples/attachments" "$1/inbox/$d/"
    done
}
xl_work "$T/w" "$SIM_URL" "$T/keys"
inbox "$T/w"
(cd "$T/w" && timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait >"$T/run1.out" 2>&1)
rc=$?
[ "$rc" = 65 ] || fail "run exit $rc (65: rows rejected on purpose): $(cat "$T/run1.out")"
xl_outcomes "$T/w/state.db" >"$T/out1"
cat >"$T/want1" <<'EOF'
charters.csv|2|accepted|
charters.csv|3|accepted|
charters.csv|4|error|INT002016
charters.csv|5|accepted|
contracts.csv|2|accepted|
contracts.csv|3|accepted|
contracts.csv|4|accepted|
contracts.csv|5|rejected|файл не загружен в ГИС ЖКХ: файл «attachments/dogovor-upr-2026-09.pdf» не найден (путь считается от папки входного файла)
contracts.csv|6|rejected|не заполнено обязательное поле
contracts.csv|7|rejected|не заполнено обязательное поле
supply-contracts.csv|2|accepted|
supply-contracts.csv|3|accepted|
supply-contracts.csv|4|accepted|
supply-contracts.csv|5|accepted|
supply-contracts.csv|6|accepted|
supply-contracts.csv|7|rejected|значения нет в справочнике НСИ 239
supply-contracts.csv|8|rejected|значения «ФИАС дома» в строках 8 и 9 одного элемента различаются
supply-contracts.csv|9|rejected|значения «ФИАС дома» в строках 8 и 9 одного элемента различаются
supply-contracts.csv|10|rejected|не заполнено обязательное поле
EOF
diff "$T/want1" "$T/out1" >"$T/diff1" && ok "run: 4 supply contracts, 2 management contracts, 2 charters accepted; bad rows as planned" \
    || fail "outcomes differ: $(cat "$T/diff1")"
xl_check_accounted "$T/w/state.db"

# ---- documents through the file store, before the imports --------------------
puts=$(grep -c '"method":"PUT","endpoint":"/ext-bus-file-store-service/rest/homemanagement"' "$T/sim.log")
[ "$puts" = 7 ] && ok "7 distinct documents uploaded once each" || fail "PUTs: $puts"
last_put=$(grep -n '"method":"PUT"' "$T/sim.log" | tail -n 1 | cut -d: -f1)
first_import=$(grep -n '"operation":"import' "$T/sim.log" | head -n 1 | cut -d: -f1)
[ -n "$first_import" ] && [ "$last_put" -lt "$first_import" ] && ok "uploads before the first import" \
    || fail "order: last PUT line $last_put, first import line $first_import"
! grep -q 'FIL00100' "$T/sim.log" || fail "FIL00100x in the simulator log"
P=$T/w/archive/packets
hash=$(openssl dgst -engine gost -md_gost94 "$HCS_TOP/samples/attachments/dogovor-upr-2026-07.pdf" 2>/dev/null | sed 's/.*= *//')
[ -n "$hash" ] && grep -q "<base:Name>dogovor-upr-2026-07.pdf</base:Name><base:Description>Договор управления многоквартирным домом</base:Description><base:Attachment><base:AttachmentGUID>[0-9a-f-]*</base:AttachmentGUID></base:Attachment><base:AttachmentHASH>$hash</base:AttachmentHASH></hm:ContractAttachment><hm:SignedOwners>" "$P"/importContractData-*.xml \
    && ok "ContractAttachment with the GOST hash, then SignedOwners" || fail "ContractAttachment of ДУ-2026/07"

# ---- the supply contract: each Pair names its ContractSubject ---------------
sc=$(ls "$P"/importSupplyResourceContractData-*.xml)
subjects=$(grep -o '</hm:StartSupplyDate><base:TransportGUID>[^<]*' "$sc" | sed 's/.*>//' | sort)
pairs=$(grep -o '<hm:PairKey>[^<]*' "$sc" | sed 's/.*>//' | sort)
[ "$(echo "$subjects" | wc -l)" = 5 ] && [ "$subjects" = "$pairs" ] \
    && [ "$(echo "$subjects" | sort -u | wc -l)" = 5 ] \
    && ok "5 ContractSubjects with distinct TransportGUIDs, each named by one PairKey" \
    || fail "subjects/pairs: $subjects / $pairs"
grep -q '<hm:IsContract><hm:ContractNumber>РСО-2026/001</hm:ContractNumber>' "$sc" \
    && grep -q '<hm:IsNotContract><hm:ContractNumber>РСО-2026/002</hm:ContractNumber>' "$sc" \
    && grep -q '<hm:Ind><hm:Surname>Орлова</hm:Surname><hm:FirstName>Светлана</hm:FirstName><hm:Patronymic>Петровна</hm:Patronymic><ind:SNILS>11223344595</ind:SNILS></hm:Ind>' "$sc" \
    && ok "with a document IsContract, without IsNotContract; the owner as Ind with СНИЛС" || fail "supply contract forms"

# ---- a charter is its own request: TransportGUID beside PlacingCharter ------
n=0
for f in "$P"/importCharterData-*.xml; do
    tg=$(grep -o '</ds:Signature><base:TransportGUID>[^<]*' "$f" | sed 's/.*>//')
    [ -n "$tg" ] && [ "$(sqlite3 "$T/w/state.db" "SELECT count(*) FROM elements WHERE transport_guid='$tg'")" = 1 ] \
        || fail "$f: the request's TransportGUID is no element's"
    n=$((n + 1))
done
[ "$n" = 3 ] && ok "3 charters, 3 requests, each request's TransportGUID its element's" || fail "charter packets: $n"

# ---- registry: document GUIDs and versions ----------------------------------
reg() { sqlite3 "$T/w/state.db" "SELECT count(*) FROM registry WHERE kind='$1' AND guid <> '' AND version <> ''"; }
[ "$(reg supply_contract)" = 4 ] && [ "$(reg contract)" = 2 ] && [ "$(reg charter)" = 2 ] \
    && ok "registry: 4 supply contracts, 2 contracts, 2 charters with GUID and version" \
    || fail "registry: $(sqlite3 "$T/w/state.db" "SELECT kind, local_key, guid, version FROM registry WHERE kind LIKE '%contract' OR kind='charter'")"
grep -q 'INT002016.*MeetingProtocol' "$T/w/reports/"*-errors.csv && ok "the refusal in the error report" \
    || fail "INT002016 not in the error report"

# ---- the same file again (--force): GIS has them already --------------------
mkdir -p "$T/w/inbox/supply-contracts"
cp "$HCS_TOP/samples/supply-contracts.csv" "$T/w/inbox/supply-contracts/again.csv"
(cd "$T/w" && timeout 120 "$HCSBATCH" -c hcsbatch.ini run --wait --force >"$T/run2.out" 2>&1)
again=$(xl_outcomes "$T/w/state.db" | grep -c '^again.csv|[0-9]*|error|INT002006$')
[ "$again" = 5 ] && ok "the same contracts again: INT002006 on their 5 rows" || fail "again: $(xl_outcomes "$T/w/state.db" | grep again)"

# ---- the simulator's rules on forms the templates do not write --------------
cp -r "$HCS_TOP/templates" "$T/tpl"
sed -i '/<hm:ObjectAddress>/,/<\/hm:ObjectAddress>/d' "$T/tpl/importSupplyResourceContractData/element.xml"
xl_work "$T/w2" "$SIM_URL" "$T/keys"
rm -f "$T"/w2/inbox/*/*
mkdir -p "$T/w2/inbox/supply-contracts"
sed -e 's/^РСО-2026/РСО-2027/' -e "s/b92f7f25-00d1-5688-a9ca-b79ff8886207/00000000-0000-4000-8000-000000000001/" \
    "$HCS_TOP/samples/supply-contracts.csv" >"$T/w2/inbox/supply-contracts/rules.csv"
cp -r "$HCS_TOP/samples/attachments" "$T/w2/inbox/supply-contracts/"
(cd "$T/w2" && timeout 120 "$HCSBATCH" -c hcsbatch.ini -o paths.templates_dir="$T/tpl" run --wait >"$T/run3.out" 2>&1)
out3=$(xl_outcomes "$T/w2/state.db" | grep '|error|')
[ "$(echo "$out3" | grep -c '^rules.csv|\(2\|4\)|error|INT002000$')" = 2 ] \
    && [ "$(echo "$out3" | grep -c '^rules.csv|\(3\|5\|6\)|error|INT002016$')" = 3 ] \
    && ok "simulator: unknown orgRootEntityGUID → INT002000, no ObjectAddress → INT002016" \
    || fail "rules: $out3"

# ---- exportCAChData ---------------------------------------------------------
cd "$T/w" || fail "cd"
sqlite3 state.db "UPDATE registry SET version = NULL, attrs = NULL WHERE kind IN ('contract', 'charter')"
timeout 60 "$HCSBATCH" -c hcsbatch.ini sync contracts --wait >"$T/sync1.out" 2>&1 || fail "sync contracts: $(cat "$T/sync1.out")"
crit=$(grep -o '<s:Criteria>' archive/packets/exportCAChData-*.xml | wc -l)
[ "$crit" = 4 ] && grep -q 'exportCAChData: 4 registry entries' "$T/sync1.out" \
    && ok "sync contracts: 4 documents asked by GUID in one request, 4 entries stored" \
    || fail "sync by GUID: criteria $crit, $(cat "$T/sync1.out")"
[ "$(sqlite3 state.db "SELECT count(*) FROM registry WHERE kind IN ('contract','charter') AND version <> '' AND attrs = 'status=Approved'")" -ge 4 ] \
    && ok "registry: versions and status from the export" || fail "after export: $(sqlite3 state.db "SELECT * FROM registry WHERE kind IN ('contract','charter')")"
"$HCSBATCH" -c hcsbatch.ini sync contracts --house "$H3" >"$T/sync2.out" 2>&1
rc=$?
[ "$rc" = 78 ] && grep -q 'gis.org_root_guid' "$T/sync2.out" && ok "by house without gis.org_root_guid: exit 78" \
    || fail "by house without UOGUID: exit $rc $(cat "$T/sync2.out")"
timeout 60 "$HCSBATCH" -c hcsbatch.ini -o gis.org_root_guid=$UO sync contracts --house "$H3" --house "$H1" --wait \
    >"$T/sync3.out" 2>&1 || fail "sync by house: $(cat "$T/sync3.out")"
grep -q "<s:UOGUID>$UO</s:UOGUID><s:FIASHouseGuid>$H3</s:FIASHouseGuid>" archive/packets/exportCAChData-*.xml \
    && [ "$(grep -c 'exportCAChData: [1-9][0-9]* registry entries' "$T/sync3.out")" = 2 ] \
    && ok "sync contracts --house: one request per house (UOGUID + FIASHouseGuid), both answered" \
    || fail "sync by house: $(cat "$T/sync3.out")"
"$HCSBATCH" -c hcsbatch.ini registry >"$T/registry.out" 2>&1 || fail "registry: $(cat "$T/registry.out")"
grep -q '^charter  *2012-03-14.*версия.*status=Approved' "$T/registry.out" \
    && grep -q '^supply_contract  *РСО-2026/001.*версия' "$T/registry.out" \
    && ok "hcsbatch registry lists charters, contracts and supply contracts" \
    || fail "registry output: $(cat "$T/registry.out")"
# a key looked up without --kind is found whatever kind holds it
"$HCSBATCH" -c hcsbatch.ini registry 'РСО-2026/001 ' >"$T/lookup.out" 2>&1 \
    && grep -q '^supply_contract ' "$T/lookup.out" && ok "hcsbatch registry KEY finds a supply contract" \
    || fail "registry KEY: $(cat "$T/lookup.out")"
exit 0
