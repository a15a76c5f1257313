#!/bin/sh
# Integration test for `hcsbatch convert`: converts every sample, checks the
# exit codes and the rows named in errors.csv, and validates the body element
# of every packet with `xmllint --schema` against the official XSD — an
# independent check of our own validator.  Also: exit 0 for a clean file,
# 66 for an unreadable one (missing, empty, not a zip, truncated, zip bomb), 78 for a configuration error, 64 for usage.
set -u
BINDIR=${BINDIR:-bin}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
TOP=${HCS_TOP:-.}
HCS="$BINDIR/hcsbatch"
ORG=$(sed -n 's/^org_ppa_guid *= *//p' "$TOP/samples/world/provider.ini")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

command -v xmllint >/dev/null || { echo "xmllint missing (apt-get install libxml2-utils)"; exit 1; }

conv() {  # name op sample expected_exit
    name=$1; op=$2; sample=$3; want=$4
    out="$tmp/$name"
    "$HCS" -q -o gis.org_ppa_guid="$ORG" -o paths.templates_dir="$TOP/templates" \
        -o paths.nsi_dir="$TOP/samples/world/nsi" --schemas "$SCHEMAS_DIR" \
        convert --op "$op" --out "$out" "$TOP/samples/$sample" 2>"$out.stderr"
    rc=$?
    [ $rc = "$want" ] || { fail "$name: exit $rc, want $want"; cat "$out.stderr"; }
}

rows_of() {  # errors.csv → sorted distinct row numbers
    tail -n +2 "$1" | cut -d';' -f2 | sort -n -u | tr '\n' ' ' | sed 's/ $//'
}

check_rows() {  # name "expected rows"
    got=$(rows_of "$tmp/$1/errors.csv")
    [ "$got" = "$2" ] || fail "$1: rejected rows [$got], want [$2]"
}

xsd_for() {
    case "$1" in
        importAccountData-*) echo house-management/hcs-house-management-types.xsd ;;
        importMeteringDeviceValues-*) echo device-metering/hcs-device-metering-types.xsd ;;
        importPaymentDocumentData-*) echo bills/hcs-bills-types.xsd ;;
    esac
}

validate_packets() {  # name expected_packets expected_elements element_name
    n=0; elements=0
    for f in "$tmp/$1"/*.xml; do
        [ -f "$f" ] || continue
        n=$((n + 1))
        body="$f.body"
        xmllint --xpath "/*[local-name()='Envelope']/*[local-name()='Body']/*" "$f" >"$body" 2>/dev/null \
            || { fail "$1: $(basename "$f"): no body element"; continue; }
        xsd="$SCHEMAS_DIR/$(xsd_for "$(basename "$f")")"
        xmllint --noout --schema "$xsd" "$body" 2>"$body.log" \
            || { fail "$1: $(basename "$f") does not validate"; head -5 "$body.log"; }
        # the header: RequestHeader with our provider
        grep -q "<base:orgPPAGUID>$ORG</base:orgPPAGUID>" "$f" || fail "$1: $(basename "$f"): no orgPPAGUID"
        grep -q 'Id="signed-data-container"' "$f" || fail "$1: $(basename "$f"): no Id"
        c=$(grep -o "<[a-z]*:$4>" "$f" | wc -l)
        elements=$((elements + c))
    done
    [ $n = "$2" ] || fail "$1: $n packets, want $2"
    [ $elements = "$3" ] || fail "$1: $elements $4 elements, want $3"
}

conv accounts importAccountData accounts.csv 65
check_rows accounts "9 10 11 13 16 17"
validate_packets accounts 1 9 Account
# the reasons name the column and value, in Russian, with the code (the run's errors.csv layout:
# Файл;Строка;Колонка;Значение;Код;Причина, docs/reports.md)
grep -q ';13;Общая площадь;54,3а;HCS-NUMBER;неверное число' "$tmp/accounts/errors.csv" || fail "accounts: reason for row 13"
grep -q ';16;;;HCS-ELEMENT;строка отклонена вместе со всем элементом: ошибка в строке 17' "$tmp/accounts/errors.csv" \
    || fail "accounts: row 16 not rejected with its element"
head -c 3 "$tmp/accounts/errors.csv" | od -An -tx1 | grep -q 'ef bb bf' || fail "errors.csv without BOM"
head -1 "$tmp/accounts/errors.csv" | grep -q 'Файл;Строка;Колонка;Значение;Код;Причина' || fail "errors.csv header"

# Personal data: convert's outputs (envelopes, errors.csv, its folder) are
# readable by nobody else although this shell's umask lets everyone read.
no_other_access() {  # dir
    open=$(find "$1" -perm /o=rwx | head -3)
    [ -z "$open" ] || fail "$1: readable by others: $(ls -ld $open)"
    [ -n "$(find "$1" -type f -name '*.xml' | head -1)" ] || fail "$1: no envelope to check"
}
(umask 022; conv modes importAccountData accounts.csv 65)
no_other_access "$tmp/modes"
[ -f "$tmp/modes/errors.csv" ] || fail "modes: no errors.csv to check"

conv accounts-xlsx importAccountData accounts.xlsx 65
check_rows accounts-xlsx "7 8 10"
validate_packets accounts-xlsx 1 4 Account

conv readings importMeteringDeviceValues readings.csv 65
check_rows readings "21 22 23 24 25"
validate_packets readings 3 19 MeteringDevicesValues

conv bills importPaymentDocumentData bills.csv 65
check_rows bills "24 25 26 27 28"
validate_packets bills 2 7 PaymentDocument
pi=$(for f in "$tmp"/bills/*.xml; do grep -o '<b:PaymentInformation>' "$f" | wc -l; done | sort -n | tr '\n' ' ')
[ "$pi" = "1 2 " ] || fail "bills: PaymentInformation blocks per packet [$pi], want [1 2 ]"

conv withdraw importPaymentDocumentData-withdraw bills-withdraw.csv 65
check_rows withdraw "6 7"
validate_packets withdraw 1 4 WithdrawPaymentDocument
grep -q ';7;;;HCS-SCHEMA;.*PaymentDocumentID.*length' "$tmp/withdraw/errors.csv" || fail "withdraw: schema message for row 7"
ls "$tmp/withdraw" | grep -q '^importPaymentDocumentData-0001.xml$' || fail "withdraw: packet file name"

# a clean file: exit 0, errors.csv has only its header
head -5 "$TOP/samples/bills-withdraw.csv" >"$tmp/clean.csv"
"$HCS" -q -o gis.org_ppa_guid="$ORG" -o paths.templates_dir="$TOP/templates" -o paths.nsi_dir="$TOP/samples/world/nsi" \
    --schemas "$SCHEMAS_DIR" convert --op importPaymentDocumentData-withdraw --out "$tmp/clean" "$tmp/clean.csv" 2>/dev/null
rc=$?; [ $rc = 0 ] || fail "clean file: exit $rc, want 0"
[ "$(wc -l <"$tmp/clean/errors.csv")" = 1 ] || fail "clean file: errors.csv not empty"

# unreadable input → 66 (and a line for the whole file in errors.csv: no row, code HCS-FILE)
"$HCS" -q -o gis.org_ppa_guid="$ORG" -o paths.templates_dir="$TOP/templates" --schemas "$SCHEMAS_DIR" \
    convert --op importAccountData --out "$tmp/none" "$tmp/does-not-exist.csv" 2>/dev/null
rc=$?; [ $rc = 66 ] || fail "missing input: exit $rc, want 66"
grep -q '^does-not-exist.csv;;;;HCS-FILE;' "$tmp/none/errors.csv" || fail "missing input not in errors.csv"

# files that cannot be read as a whole → 66, one HCS-FILE line each: empty,
# not a zip, truncated, a zip bomb (a part inflating > 500:1)
: >"$tmp/empty.csv"
: >"$tmp/empty.xlsx"
echo "hello" >"$tmp/notzip.xlsx"
head -c 3000 "$TOP/samples/accounts.xlsx" >"$tmp/truncated.xlsx"
python3 -c 'import sys, zipfile
z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)
z.writestr("xl/workbook.xml", "<workbook/>")
z.writestr("xl/worksheets/sheet1.xml", bytes(40 << 20))
z.close()' "$tmp/bomb.xlsx"
for bad in empty.csv empty.xlsx notzip.xlsx truncated.xlsx bomb.xlsx; do
    "$HCS" -q -o gis.org_ppa_guid="$ORG" -o paths.templates_dir="$TOP/templates" --schemas "$SCHEMAS_DIR" \
        convert --op importAccountData --out "$tmp/bad-$bad" "$tmp/$bad" 2>/dev/null
    rc=$?; [ $rc = 66 ] || fail "$bad: exit $rc, want 66"
    grep -q "^$bad;;;;HCS-FILE;" "$tmp/bad-$bad/errors.csv" || fail "$bad not in errors.csv as a whole file"
done

# `hcsbatch config` masks credentials inside URLs: user:password@ and
# token-like query parameters; the rest of the URL stays readable
cat >"$tmp/secrets.ini" <<'INI'
[gis]
base_url = https://user:s3cretPW@gis.example/ext-bus/?token=T0KEN1&mode=x
[notify]
urls = https://hooks.example/h?api_key=K3Y2&x=1, http://bob:pw4@h2.example:8080/p
INI
"$HCS" -c "$tmp/secrets.ini" config >"$tmp/config.out" 2>&1 || fail "config: exit $?"
for secret in s3cretPW T0KEN1 K3Y2 pw4; do
    ! grep -q "$secret" "$tmp/config.out" || fail "config shows the secret $secret"
done
grep -q "^gis.base_url *= https://user:\*\*\*\*@gis.example/ext-bus/?token=\*\*\*\*&mode=x\$" "$tmp/config.out" \
    || fail "config: base_url not masked as expected: $(grep base_url "$tmp/config.out")"
grep -q "http://bob:\*\*\*\*@h2.example:8080/p" "$tmp/config.out" || fail "config: second notify URL not masked"

# a row the reader cannot read (a cell over the size limit): errors.csv names
# its column in the Колонка field, not only in the reason
python3 -c 'import sys
lines = open(sys.argv[1], "rb").read().splitlines()
row = lines[1].split(b";"); row[9] = b"x" * 70000
open(sys.argv[2], "wb").write(b"\n".join([lines[0], b";".join(row), lines[2]]) + b"\n")' \
    "$TOP/samples/accounts.csv" "$tmp/longcell.csv"
"$HCS" -q -o gis.org_ppa_guid="$ORG" -o paths.templates_dir="$TOP/templates" -o paths.nsi_dir="$TOP/samples/world/nsi" \
    --schemas "$SCHEMAS_DIR" convert --op importAccountData --out "$tmp/longcell" "$tmp/longcell.csv" 2>/dev/null
rc=$?; [ $rc = 65 ] || fail "long cell: exit $rc, want 65"
grep -q '^longcell.csv;2;Фамилия;;HCS-VALUE;строка не прочитана: column 10 (Фамилия)' "$tmp/longcell/errors.csv" \
    || fail "long cell: column not in errors.csv: $(tail -n +2 "$tmp/longcell/errors.csv")"

# configuration errors → 78: no provider, unknown template, limit above the schema's
"$HCS" -q -o paths.templates_dir="$TOP/templates" --schemas "$SCHEMAS_DIR" \
    convert --op importAccountData --out "$tmp/cfg1" "$TOP/samples/accounts.csv" 2>/dev/null
rc=$?; [ $rc = 78 ] || fail "no org_ppa_guid: exit $rc, want 78"
"$HCS" -q -o gis.org_ppa_guid="$ORG" -o paths.templates_dir="$TOP/templates" --schemas "$SCHEMAS_DIR" \
    convert --op importNothing --out "$tmp/cfg2" "$TOP/samples/accounts.csv" 2>/dev/null
rc=$?; [ $rc = 78 ] || fail "unknown template: exit $rc, want 78"
"$HCS" -q -o gis.org_ppa_guid="$ORG" -o paths.templates_dir="$TOP/templates" -o limits.importAccountData=1000 \
    --schemas "$SCHEMAS_DIR" convert --op importAccountData --out "$tmp/cfg3" "$TOP/samples/accounts.csv" 2>/dev/null
rc=$?; [ $rc = 78 ] || fail "limit above schema: exit $rc, want 78"
# a lower limit wins: 9 accounts in packets of 4
"$HCS" -q -o gis.org_ppa_guid="$ORG" -o paths.templates_dir="$TOP/templates" -o paths.nsi_dir="$TOP/samples/world/nsi" \
    -o limits.importAccountData=4 --schemas "$SCHEMAS_DIR" convert --op importAccountData --out "$tmp/lim" \
    "$TOP/samples/accounts.csv" 2>/dev/null
[ "$(ls "$tmp/lim"/importAccountData-*.xml | wc -l)" = 3 ] || fail "limit 4: want 3 packets"

# usage → 64; --help → 0
"$HCS" convert --out "$tmp/u" x.csv 2>/dev/null; rc=$?; [ $rc = 64 ] || fail "no --op: exit $rc, want 64"
"$HCS" convert --help >/dev/null; rc=$?; [ $rc = 0 ] || fail "--help: exit $rc"

[ $fails = 0 ] && echo "test_convert: all checks passed"
[ $fails = 0 ]
