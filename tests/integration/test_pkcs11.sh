#!/bin/sh
# Signing with a key on a token: a SoftHSM2 token made here (its own
# SOFTHSM2_CONF in a temp dir), an RSA key and its certificate written to
# it with pkcs11-tool (OpenSC), then `hcsbatch convert --sign` with
# sign.key = pkcs11: URI through libp11's engine.  The packet is checked by
# `hcsbatch verify` and by xmlsec1 --verify against the token's certificate.
# The PIN comes from sign.pass_file or sign.pass_env only: a wrong PIN, no
# PIN, and a PIN written into the URI are refused with exit 78, and the PIN
# never shows in any output; an EC key is read but refused (no ECDSA form
# of the GIS signature).  (SoftHSM2 has RSA and EC but no GOST; GIS's
# GOST key on a Rutoken ECP takes the same path, docs/tokens.md.)
set -eu
cd "${HCS_TOP:-.}"
HCS_TOP=$(pwd)
BINDIR=${BINDIR:-bin}
HCS="$BINDIR/hcsbatch"
ORG=f0eedf25-4ee2-59df-9260-79ccb4f33b8e
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pkcs11-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

MODULE=""
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
    [ -f "$m" ] && { MODULE=$m; break; }
done
for need in softhsm2-util pkcs11-tool xmlsec1; do
    command -v $need >/dev/null || { echo "FAIL $need missing (scripts/deps.sh: softhsm2, opensc, xmlsec1)"; exit 1; }
done
[ -n "$MODULE" ] || { echo "FAIL libsofthsm2.so missing (Debian package softhsm2)"; exit 1; }
[ -f "$(openssl version -e | sed 's/.*"\(.*\)"/\1/')/pkcs11.so" ] \
    || { echo "FAIL the OpenSSL pkcs11 engine is missing (Debian package libengine-pkcs11-openssl)"; exit 1; }

# --- the token ----------------------------------------------------------------
PIN=739146
mkdir "$tmp/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$tmp" >"$tmp/softhsm2.conf"
SOFTHSM2_CONF="$tmp/softhsm2.conf"; export SOFTHSM2_CONF
softhsm2-util --init-token --free --label hcs-test --pin "$PIN" --so-pin 87654321 >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/k.pem" -out "$tmp/c.pem" -days 365 \
    -subj "/C=RU/O=Test/CN=token signer" >/dev/null 2>&1
openssl pkcs8 -topk8 -nocrypt -in "$tmp/k.pem" -outform DER -out "$tmp/k.der"
openssl x509 -in "$tmp/c.pem" -outform DER -out "$tmp/c.der"
p11() { pkcs11-tool --module "$MODULE" --token-label hcs-test --login --pin "$PIN" "$@" >/dev/null 2>&1; }
p11 --write-object "$tmp/k.der" --type privkey --id 4a01 --label gis-signer
p11 --write-object "$tmp/c.der" --type cert --id 4a01 --label gis-signer
rm -f "$tmp/k.pem" "$tmp/k.der"   # from now on the key exists only on the token
printf '%s\n' "$PIN" >"$tmp/pin"
chmod 600 "$tmp/pin"
KEY="pkcs11:token=hcs-test;object=gis-signer;type=private"

sign() {  # tag, options... → exit code in $rc, stderr in $tmp/tag.err
    tag=$1; shift
    rc=0
    "$HCS" -q -o gis.org_ppa_guid=$ORG -o paths.nsi_dir=samples/world/nsi -o sign.pkcs11_module="$MODULE" \
        "$@" convert --op importAccountData --out "$tmp/$tag" --sign --alg rsa \
        samples/accounts.csv >"$tmp/$tag.err" 2>&1 || rc=$?
}
NS_HM=http://dom.gosuslugi.ru/schema/integration/house-management/
NS_XADES=http://uri.etsi.org/01903/v1.3.2#
check_packet() {  # tag
    f="$tmp/$1/importAccountData-0001.xml"
    # 65: the sample's deliberately bad rows; the good ones make a packet
    if [ $rc != 65 ] || [ ! -s "$f" ]; then
        bad "$1: convert --sign exit $rc, no packet:"; sed 's/^/     /' "$tmp/$1.err"; return
    fi
    if out=$("$HCS" verify "$f" 2>&1); then ok "$1: hcsbatch verify: $out"; else bad "$1: hcsbatch verify: $out"; fi
    if xmlsec1 --verify --pubkey-cert-pem "$tmp/c.pem" --id-attr:Id "$NS_HM:importAccountRequest" \
            --id-attr:Id "$NS_XADES:SignedProperties" "$f" >"$tmp/xmlsec.log" 2>&1 &&
       grep -q 'References (ok/all): 2/2' "$tmp/xmlsec.log"; then
        ok "$1: xmlsec1 --verify accepts it with the token's certificate (2/2 references)"
    else
        bad "$1: xmlsec1 rejects it:"; sed 's/^/     /' "$tmp/xmlsec.log"
    fi
    # the certificate in the signature is the one on the token
    want=$(base64 -w0 "$tmp/c.der")
    got=$(grep -o '<ds:X509Certificate>[^<]*' "$f" | sed 's/<ds:X509Certificate>//')
    [ "$want" = "$got" ] && ok "$1: KeyInfo carries the token's certificate" \
        || bad "$1: KeyInfo certificate is not the token's"
}

# 1. PIN from a file, certificate found under the key's id/label
sign pin-file -o sign.key="$KEY" -o sign.pass_file="$tmp/pin"
check_packet pin-file

# 2. PIN from an environment variable, certificate named by its own URI
rc=0
HCS_TOKEN_PIN=$PIN sign pin-env -o sign.key="$KEY" -o sign.pass_env=HCS_TOKEN_PIN \
    -o sign.cert="pkcs11:token=hcs-test;id=%4a%01;type=cert"
check_packet pin-env

# 2b. type= first in the key's URI: the certificate is still found under it
sign type-first -o sign.key="pkcs11:type=private;token=hcs-test;object=gis-signer" -o sign.pass_file="$tmp/pin"
check_packet type-first

# 3. refusals: exit 78 (configuration), a reason, and never the PIN
refused() {  # tag, expected text
    if [ $rc = 78 ] && grep -q "$2" "$tmp/$1.err"; then ok "$1: refused (78): $(head -1 "$tmp/$1.err")"
    else bad "$1: exit $rc, want 78 with '$2':"; sed 's/^/     /' "$tmp/$1.err"; fi
    [ ! -e "$tmp/$1/importAccountData-0001.xml" ] || bad "$1: a packet was signed anyway"
}
printf '000000\n' >"$tmp/wrong-pin"; chmod 600 "$tmp/wrong-pin"
sign wrong-pin -o sign.key="$KEY" -o sign.pass_file="$tmp/wrong-pin"
refused wrong-pin "no usable private key on the token"
sign no-pin -o sign.key="$KEY"
refused no-pin "set sign.pass_file or sign.pass_env"
sign pin-in-uri -o sign.key="$KEY;pin-value=$PIN"
refused pin-in-uri "must not be written into the pkcs11: URI"
sign no-module -o sign.key="$KEY" -o sign.pass_file="$tmp/pin" -o sign.pkcs11_module=
refused no-module "sign.pkcs11_module"
# 3b. the token engine by file and id (how Aktiv's rtengine is named for
# GOST keys on a Rutoken): libp11's engine copied under another file name
# is used from there, and once that file is gone the run names it
engines_dir=$(openssl version -e | sed 's/^ENGINESDIR: "\(.*\)"$/\1/')
mkdir -p "$tmp/engines"
cp "$engines_dir/pkcs11.so" "$tmp/engines/token-engine.so"
sign engine-file -o sign.key="$KEY" -o sign.pass_file="$tmp/pin" \
    -o sign.pkcs11_engine="$tmp/engines/token-engine.so" -o sign.pkcs11_engine_id=pkcs11
check_packet engine-file
rm "$tmp/engines/token-engine.so"
sign engine-gone -o sign.key="$KEY" -o sign.pass_file="$tmp/pin" \
    -o sign.pkcs11_engine="$tmp/engines/token-engine.so"
refused engine-gone "cannot load the token engine \"pkcs11\" from $tmp/engines/token-engine.so"
sign engine-id-only -o sign.key="$KEY" -o sign.pass_file="$tmp/pin" -o sign.pkcs11_engine_id=rtengine
refused engine-id-only "sign.pkcs11_engine_id = rtengine needs sign.pkcs11_engine"
sign wrong-object -o sign.key="pkcs11:token=hcs-test;object=nobody;type=private" -o sign.pass_file="$tmp/pin"
refused wrong-object "no usable private key on the token"

# an EC key (SoftHSM2's other algorithm) is read from the token, but GIS
# signatures have no ECDSA form: refused for what it is, before signing
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/ec.pem" -out "$tmp/ec.crt" \
    -days 365 -subj "/CN=token ec" >/dev/null 2>&1
openssl pkcs8 -topk8 -nocrypt -in "$tmp/ec.pem" -outform DER -out "$tmp/ec.der"
openssl x509 -in "$tmp/ec.crt" -outform DER -out "$tmp/ec-crt.der"
p11 --write-object "$tmp/ec.der" --type privkey --id 4a02 --label ec-signer
p11 --write-object "$tmp/ec-crt.der" --type cert --id 4a02 --label ec-signer
rm -f "$tmp/ec.pem" "$tmp/ec.der"
sign ec-key -o sign.key="pkcs11:token=hcs-test;object=ec-signer;type=private" -o sign.pass_file="$tmp/pin"
refused ec-key "sign.alg=rsa needs a RSA key, but the key is"

# 4. a whole run through the simulator with the key on the token: packets
# signed on the token (signing runs beside the converter) are accepted
. "$HCS_TOP/tests/integration/exchange_lib.sh"
trap 'xl_cleanup rm -rf "$tmp"' EXIT INT TERM
xl_sim "$tmp/sim" "$tmp/sim.log" --processing-ms 100
mkdir -p "$tmp/nokeys"
# in hcsbatch.ini the URI is quoted (';' starts a comment): unquoted it
# would name only the token, and is refused for that
xl_work "$tmp/w" "$SIM_URL" "$tmp/nokeys" "[sign]
key = $KEY
cert =
alg = rsa
pkcs11_module = $MODULE
pass_file = $tmp/pin"
rm -f "$tmp/w"/inbox/bills/* "$tmp/w"/inbox/bills-withdraw/*
rc=0
(cd "$tmp/w" && "$HCSBATCH" -q -c hcsbatch.ini run >/dev/null 2>"$tmp/unquoted.err") || rc=$?
refused unquoted "names no object (object= or id=); in hcsbatch.ini put a pkcs11: URI in double quotes"
sed -i "s|^key = pkcs11:.*|key = \"$KEY\"|" "$tmp/w/hcsbatch.ini"
rc=0
(cd "$tmp/w" && timeout 120 "$HCSBATCH" -q -c hcsbatch.ini run --wait >run.out 2>"$tmp/run.err") || rc=$?
xl_stop_sims
accepted=$(sqlite3 "$tmp/w/state.db" "SELECT count(*) FROM elements WHERE state='accepted'")
aut=$(sqlite3 "$tmp/w/state.db" "SELECT count(*) FROM packets WHERE error_code LIKE 'AUT%'")
if { [ $rc = 0 ] || [ $rc = 65 ]; } && [ "$accepted" -gt 0 ] && [ "$aut" = 0 ]; then
    ok "run through the simulator signed on the token: exit $rc, $accepted elements accepted, no AUT error"
else
    bad "run with the token key: exit $rc, $accepted accepted, $aut AUT errors:"; sed 's/^/     /' "$tmp/run.err"
fi

if grep -l "$PIN" "$tmp"/*.err >/dev/null 2>&1; then
    bad "the PIN appears in the output of: $(grep -l "$PIN" "$tmp"/*.err | xargs -n1 basename | tr '\n' ' ')"
else
    ok "the PIN appears in no output"
fi

[ $fails = 0 ] || { echo "$fails failed"; exit 1; }
echo "all pkcs11 checks passed"
