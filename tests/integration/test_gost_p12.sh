#!/bin/sh
# A GOST key in a PKCS#12 file protected the way CryptoPro's export and the
# TC 26 recommendations do it (PBES2/PBKDF2 with HMAC-Streebog, GOST
# 28147-89 "gost89" or the ACPKM modes of Magma/Kuznyechik, MAC Streebog),
# made here with `openssl pkcs12 -export` and the gost engine, is opened by
# `sign.key = FILE.p12` + sign.pass_file and signs: the packet passes
# `hcsbatch verify` and carries the file's certificate.  A wrong password is
# refused with exit 78 and the password never shows in the output.
set -eu
cd "${HCS_TOP:-.}"
BINDIR=${BINDIR:-bin}
HCS="$BINDIR/hcsbatch"
ORG=f0eedf25-4ee2-59df-9260-79ccb4f33b8e
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gost-p12-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

PASS='Пароль-контейнера 7'
openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A -out "$tmp/g.key" >/dev/null 2>&1
openssl req -engine gost -new -x509 -key "$tmp/g.key" -out "$tmp/g.crt" -days 365 \
    -subj "/C=RU/O=Test/CN=gost pkcs12" >/dev/null 2>&1
printf '%s\n' "$PASS" >"$tmp/pass"
chmod 600 "$tmp/pass"
printf 'wrong\n' >"$tmp/wrong"
chmod 600 "$tmp/wrong"
want_cert=$(openssl x509 -in "$tmp/g.crt" -outform DER | base64 -w0)

sign() {  # tag, p12, pass file
    rc=0
    "$HCS" -q -o gis.org_ppa_guid=$ORG -o paths.nsi_dir=samples/world/nsi -o sign.pass_file="$3" \
        convert --op importAccountData --out "$tmp/$1" --sign --key "$2" \
        samples/accounts.csv >"$tmp/$1.err" 2>&1 || rc=$?
}

for v in "gost89 md_gost12_256" "kuznyechik-ctr-acpkm md_gost12_512" "magma-ctr-acpkm md_gost12_256"; do
    set -- $v
    pbe=$1; mac=$2; p12="$tmp/$pbe.p12"
    if ! openssl pkcs12 -export -engine gost -inkey "$tmp/g.key" -in "$tmp/g.crt" -keypbe "$pbe" \
            -certpbe "$pbe" -macalg "$mac" -passout file:"$tmp/pass" -out "$p12" >"$tmp/export.log" 2>&1; then
        bad "$pbe: openssl pkcs12 -export failed:"; sed 's/^/     /' "$tmp/export.log"; continue
    fi
    # the file really is GOST-protected (not a default AES/SHA-256 one)
    info=$(openssl pkcs12 -engine gost -in "$p12" -info -noout -passin file:"$tmp/pass" 2>&1)
    if printf '%s' "$info" | grep -q "Shrouded Keybag: PBES2, PBKDF2, $pbe" &&
       printf '%s' "$info" | grep -q 'MAC: GOST R 34.11-2012'; then
        ok "$pbe: key bag PBES2/$pbe, MAC $mac"
    else
        bad "$pbe: not the expected protection:"; printf '%s\n' "$info" | sed 's/^/     /'
    fi
    sign "$pbe" "$p12" "$tmp/pass"
    f="$tmp/$pbe/importAccountData-0001.xml"
    if [ $rc != 65 ] || [ ! -s "$f" ]; then   # 65: the sample's deliberately bad rows
        bad "$pbe: convert --sign exit $rc, no packet:"; sed 's/^/     /' "$tmp/$pbe.err"; continue
    fi
    if out=$("$HCS" verify "$f" 2>&1); then ok "$pbe: hcsbatch verify: $out"; else bad "$pbe: $out"; fi
    grep -q 'SignatureMethod Algorithm="urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256"' "$f" \
        && ok "$pbe: signed with GOST R 34.10-2012 256" || bad "$pbe: not a GOST 2012 signature"
    got=$(grep -o '<ds:X509Certificate>[^<]*' "$f" | sed 's/<ds:X509Certificate>//')
    [ "$got" = "$want_cert" ] && ok "$pbe: KeyInfo carries the PKCS#12 file's certificate" \
        || bad "$pbe: KeyInfo certificate differs"
done

sign wrong "$tmp/gost89.p12" "$tmp/wrong"
if [ $rc = 78 ] && grep -q 'cannot open the PKCS#12 file (wrong passphrase?)' "$tmp/wrong.err"; then
    ok "wrong password refused (78)"
else
    bad "wrong password: exit $rc"; sed 's/^/     /' "$tmp/wrong.err"
fi
if grep -l "$PASS" "$tmp"/*.err >/dev/null 2>&1; then bad "the password shows in the output"; else ok "the password shows in no output"; fi

[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
echo "all GOST PKCS#12 checks passed"
