#!/bin/sh
# Signatures cross-checked with tools outside the project:
#  - Debian xmlsec1 --verify accepts our RSA-mode packets (and rejects a tampered one);
#  - openssl dgst -verify (gost engine) accepts our GOST SignatureValue over the
#    canonical SignedInfo bytes, which xmllint --exc-c14n / --c14n reproduces
#    independently from the packet text;
#  - openssl dgst reproduces our data, SignedProperties and certificate digests;
#  - hcsbatch verify accepts/rejects the shared vectors for the reasons their
#    names give, with the documented exit codes.
# Packets come from `hcsbatch convert --sign` on samples/accounts.csv; keys
# are made here with the openssl CLI + gost engine.
set -eu
cd "${HCS_TOP:-.}"
BINDIR=${BINDIR:-bin}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
VEC="$SCHEMAS_DIR/../gis/signature-vectors"
HCS="$BINDIR/hcsbatch"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sign-xcheck-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
DSIG=http://www.w3.org/2000/09/xmldsig#

# --- keys -------------------------------------------------------------------
mk() {  # name, genpkey args
    name=$1; shift
    openssl genpkey "$@" -out "$tmp/$name.key" >/dev/null 2>&1
    chmod 600 "$tmp/$name.key"
    openssl req -engine gost -new -x509 -key "$tmp/$name.key" -out "$tmp/$name.crt" -days 365 \
        -subj "/C=RU/O=Test \"Org\"/CN=xcheck $name/emailAddress=x@example.ru/INN=007707083893/OGRN=1027700132195" \
        >/dev/null 2>&1
}
mk gost2012 -engine gost -algorithm gost2012_256 -pkeyopt paramset:A
mk gost2001 -engine gost -algorithm gost2001 -pkeyopt paramset:A
mk rsa -algorithm RSA -pkeyopt rsa_keygen_bits:2048

# --- signed packets from convert --------------------------------------------
sign_packets() {  # outdir-tag, alg, extra global options...
    tag=$1; alg=$2; shift 2
    rc=0
    "$HCS" -q -o gis.org_ppa_guid=f0eedf25-4ee2-59df-9260-79ccb4f33b8e -o paths.nsi_dir="$HCS_TOP/samples/world/nsi" "$@" convert --op importAccountData \
        --out "$tmp/$tag" --sign --key "$tmp/$alg.key" --cert "$tmp/$alg.crt" --alg "$alg" \
        samples/accounts.csv >"$tmp/$tag.log" 2>&1 || rc=$?
    # 65: the sample's deliberately bad rows are rejected; anything else
    # (a crash, a signing error) fails even if a packet was written
    if [ $rc != 0 ] && [ $rc != 65 ]; then
        echo "FAIL convert --sign --alg $alg: exit $rc, expected 0 or 65:" >&2; cat "$tmp/$tag.log" >&2
        return 1
    fi
    f="$tmp/$tag/importAccountData-0001.xml"
    if [ ! -s "$f" ]; then
        echo "FAIL convert --sign --alg $alg produced no packet:" >&2; cat "$tmp/$tag.log" >&2
        return 1
    fi
    echo "$f"
}
rsa_pkt=$(sign_packets rsa rsa) || exit 1
g12_pkt=$(sign_packets gost2012 gost2012) || exit 1
g01_pkt=$(sign_packets gost2001 gost2001) || exit 1
g12i_pkt=$(sign_packets gost2012-inclusive gost2012 -o sign.signedinfo_c14n=inclusive) || exit 1
# [sign] inclusive_prefixes: an InclusiveNamespaces PrefixList on the data transform
PREFIXES="ind account-base base hm"
rsap_pkt=$(sign_packets rsa-prefixes rsa -o sign.inclusive_prefixes="$PREFIXES") || exit 1
g12p_pkt=$(sign_packets gost2012-prefixes gost2012 -o sign.inclusive_prefixes="$PREFIXES") || exit 1
if grep -q "PrefixList=\"$PREFIXES\"" "$g12p_pkt" && ! grep -q PrefixList "$g12_pkt"; then
    ok "inclusive_prefixes puts ec:InclusiveNamespaces on the data transform (and only then)"
else
    bad "inclusive_prefixes: PrefixList missing, or present without the key"
fi

for p in "$rsa_pkt" "$g12_pkt" "$g01_pkt" "$g12i_pkt" "$rsap_pkt" "$g12p_pkt"; do
    if out=$("$HCS" verify "$p"); then ok "hcsbatch verify: $out"; else bad "hcsbatch verify rejects our packet: $out"; fi
done

# --- xmlsec1 on RSA packets -------------------------------------------------
NS_HM=http://dom.gosuslugi.ru/schema/integration/house-management/
NS_XADES=http://uri.etsi.org/01903/v1.3.2#
xmlsec_verify() {
    xmlsec1 --verify --pubkey-cert-pem "$tmp/rsa.crt" \
        --id-attr:Id "$NS_HM:importAccountRequest" --id-attr:Id "$NS_XADES:SignedProperties" "$1" >"$tmp/xmlsec.log" 2>&1
}
if xmlsec_verify "$rsa_pkt" && grep -q '^OK' "$tmp/xmlsec.log" && grep -q 'References (ok/all): 2/2' "$tmp/xmlsec.log"; then
    ok "xmlsec1 --verify accepts our RSA packet (2/2 references)"
else
    bad "xmlsec1 rejects our RSA packet:"; sed 's/^/     /' "$tmp/xmlsec.log"
fi
if xmlsec_verify "$rsap_pkt" && grep -q '^OK' "$tmp/xmlsec.log" && grep -q 'References (ok/all): 2/2' "$tmp/xmlsec.log"; then
    ok "xmlsec1 --verify accepts our RSA packet signed with a PrefixList"
else
    bad "xmlsec1 rejects our RSA packet signed with a PrefixList:"; sed 's/^/     /' "$tmp/xmlsec.log"
fi
sed 's|<hm:AccountNumber>\([0-9]\)|<hm:AccountNumber>9\1|' "$rsa_pkt" >"$tmp/rsa-tampered.xml"
if cmp -s "$rsa_pkt" "$tmp/rsa-tampered.xml"; then
    # template may use another prefix: change the first digit of any TotalSquare
    sed 's|TotalSquare>\([0-9]\)|TotalSquare>9\1|' "$rsa_pkt" >"$tmp/rsa-tampered.xml"
fi
if cmp -s "$rsa_pkt" "$tmp/rsa-tampered.xml"; then
    bad "could not tamper the RSA packet (test broken)"
elif xmlsec_verify "$tmp/rsa-tampered.xml"; then
    bad "xmlsec1 accepts a tampered packet (the cross-check cannot fail?)"
else
    ok "xmlsec1 rejects the tampered RSA packet"
fi

# --- GOST: openssl dgst -verify over canonical SignedInfo ------------------------
field() {  # file, n-th DigestValue (1 data, 2 SignedProperties, 3 CertDigest) or SignatureValue
    case $2 in
    sig) sed -n 's/.*<ds:SignatureValue[^>]*>\([^<]*\)<.*/\1/p' "$1" | head -n 1 ;;
    *) grep -o '<ds:DigestValue>[^<]*' "$1" | sed -n "$2s/<ds:DigestValue>//p" ;;
    esac
}
gost_check() {  # packet, cert, md, c14n-option-for-xmllint
    pkt=$1; crt=$2; md=$3; c14n=$4; tag=$(basename "$(dirname "$pkt")")
    "$HCS" verify --dump signedinfo "$pkt" >"$tmp/si.bin"
    # independent canonicalization: the SignedInfo text (one line: no text
    # nodes inside ds:Signature) in a document of its own
    si=$(grep -o '<ds:SignedInfo>.*</ds:SignedInfo>' "$pkt")
    [ -n "$si" ] || { bad "$tag: no SignedInfo found"; return; }
    # exc-c14n of SignedInfo depends on nothing outside it: xmllint can
    # canonicalize it as a document of its own (ds declared on it)
    if [ "$c14n" = --exc-c14n ]; then
        printf '%s' "${si}" | sed "s|^<ds:SignedInfo>|<ds:SignedInfo xmlns:ds=\"$DSIG\">|" >"$tmp/si-alone.xml"
        xmllint --exc-c14n "$tmp/si-alone.xml" >"$tmp/si-xmllint.bin"
        if cmp -s "$tmp/si.bin" "$tmp/si-xmllint.bin"; then
            ok "$tag: xmllint --exc-c14n reproduces our canonical SignedInfo"
        else
            bad "$tag: canonical SignedInfo differs from xmllint --exc-c14n"
        fi
    fi
    field "$pkt" sig | base64 -d >"$tmp/sig.bin"
    openssl x509 -engine gost -in "$crt" -pubkey -noout >"$tmp/pub.pem" 2>/dev/null
    if openssl dgst -engine gost "-$md" -verify "$tmp/pub.pem" -signature "$tmp/sig.bin" "$tmp/si.bin" 2>/dev/null | grep -q 'Verified OK'; then
        ok "$tag: openssl dgst -verify accepts our SignatureValue ($md)"
    else
        bad "$tag: openssl dgst -verify rejects our SignatureValue"
    fi
    printf ' ' >>"$tmp/si.bin"
    if openssl dgst -engine gost "-$md" -verify "$tmp/pub.pem" -signature "$tmp/sig.bin" "$tmp/si.bin" 2>/dev/null | grep -q 'Verified OK'; then
        bad "$tag: openssl accepts the signature over changed bytes (check cannot fail?)"
    fi
    # digests: openssl dgst over the canonical bytes we hash
    n=1
    for part in data signedprops; do
        want=$(field "$pkt" $n)
        got=$("$HCS" verify --dump $part "$pkt" | openssl dgst -engine gost "-$md" -binary 2>/dev/null | base64 -w0)
        if [ -n "$want" ] && [ "$want" = "$got" ]; then
            ok "$tag: openssl dgst -$md reproduces the $part DigestValue"
        else
            bad "$tag: $part digest: packet has '$want', openssl gives '$got'"
        fi
        n=$((n + 1))
    done
    want=$(field "$pkt" 3)
    got=$(openssl x509 -in "$crt" -outform DER 2>/dev/null | openssl dgst -engine gost "-$md" -binary 2>/dev/null | base64 -w0)
    [ "$want" = "$got" ] && ok "$tag: openssl reproduces CertDigest" || bad "$tag: CertDigest '$want' vs openssl '$got'"
}
gost_check "$g12_pkt" "$tmp/gost2012.crt" md_gost12_256 --exc-c14n
gost_check "$g01_pkt" "$tmp/gost2001.crt" md_gost94 --exc-c14n
gost_check "$g12i_pkt" "$tmp/gost2012.crt" md_gost12_256 --c14n
gost_check "$rsa_pkt" "$tmp/rsa.crt" sha256 --exc-c14n

# --- the shared vectors -----------------------------------------------------------
for f in "$VEC"/valid_*.xml "$VEC/gis-server-getStateResult-2016-gost2001.xml"; do
    if out=$("$HCS" verify "$f"); then ok "vector: $out"; else bad "vector rejected: $out"; fi
done
expect_fail() {  # file, regexp the reason must match
    out=$("$HCS" verify "$VEC/$1") && rc=0 || rc=$?
    if [ $rc = 65 ] && echo "$out" | grep -q "^FAIL .*$1: .*$2"; then
        ok "vector $1 rejected: ${out#*: }"
    else
        bad "vector $1: exit $rc, '$out' (want 65 and /$2/)"
    fi
}
expect_fail bad_business_byte_changed.xml 'signed-data-container.*digest mismatch.*signed data was changed'
expect_fail bad_newline_in_signedinfo.xml 'newline text node inside ds:Signature (in ds:SignedInfo)'
expect_fail bad_signature_reversed.xml 'SignatureValue does not verify'
expect_fail bad_signingtime_changed.xml 'SignedProperties.*digest mismatch'
expect_fail bad_envelope_ns_added_after_signing.xml 'SignedProperties.*namespaces in scope changed'
expect_fail unsigned_importAccountRequest.xml 'not signed'
# mixed list: exit 65, one line per file; unreadable input: exit 66
out=$("$HCS" verify "$VEC/valid_gost2012.xml" "$VEC/bad_signature_reversed.xml") && rc=0 || rc=$?
[ $rc = 65 ] && [ "$(echo "$out" | wc -l)" = 2 ] && ok "mixed list exits 65" || bad "mixed list: exit $rc"
"$HCS" verify "$tmp/nonexistent.xml" >/dev/null 2>&1 && rc=0 || rc=$?
[ $rc = 66 ] && ok "unreadable file exits 66" || bad "unreadable file: exit $rc"

# a wrong engine path is a configuration error, not a crash
"$HCS" -o sign.engine_path="$tmp/none/gost.so" verify "$VEC/valid_gost2012.xml" >/dev/null 2>"$tmp/engine.err" && rc=0 || rc=$?
[ $rc = 78 ] && grep -q 'cannot load the gost engine' "$tmp/engine.err" && ok "bad sign.engine_path exits 78" \
    || bad "bad sign.engine_path: exit $rc"

echo "$fails failure(s)"
[ $fails = 0 ]
