#!/bin/sh
# convert --jobs N gives the output of --jobs 1: the same packet files with
# the same bytes apart from MessageGUIDs, TransportGUIDs, dates and
# signature values (normalized here), and errors.csv in the same order
# (rejects of later rows wait behind packets still in flight).  Input: the
# accounts sample cycled to 3,000 rows with fresh account numbers (about 30
# packets plus the sample's rejected rows spread through the file),
# unsigned and signed (GOST 2012-256, key made here); every signed packet
# of the threaded run must verify.  Also: [convert] jobs from the
# configuration, and a bad --jobs value is a usage error (64).
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

if iconv -f utf-8 -t utf-8 "$TOP/samples/accounts.csv" >/dev/null 2>&1; then
    cp "$TOP/samples/accounts.csv" "$tmp/sample.csv"
else
    iconv -f cp1251 -t utf-8 "$TOP/samples/accounts.csv" >"$tmp/sample.csv"
fi
LC_ALL=C awk -F';' -v OFS=';' -v n=3000 '
    NR == 1 { sub(/^\357\273\277/, ""); print; next }
    $0 != "" { row[++k] = $0 }
    END { for (i = 0; i < n; i++) {
              split(row[i % k + 1], f, ";")
              if (f[1] ~ /^[0-9]+$/) f[1] = sprintf("%08d", 30000000 + i)
              line = f[1]; for (j = 2; j in f; j++) line = line ";" f[j]
              print line } }' "$tmp/sample.csv" >"$tmp/in.csv"

openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A -out "$tmp/k.pem" >/dev/null 2>&1
chmod 600 "$tmp/k.pem"
openssl req -engine gost -new -x509 -key "$tmp/k.pem" -out "$tmp/c.pem" -days 30 \
    -subj "/C=RU/O=test/CN=jobs test" >/dev/null 2>&1

conv() {  # outdir, args...
    out=$1; shift
    "$HCS" -q -o gis.org_ppa_guid="$ORG" -o paths.templates_dir="$TOP/templates" \
        -o paths.nsi_dir="$TOP/samples/world/nsi" --schemas "$SCHEMAS_DIR" \
        -o sign.key="$tmp/k.pem" -o sign.cert="$tmp/c.pem" "$@" --out "$out" "$tmp/in.csv" \
        2>"$out.stderr"
    echo $?
}

# what differs between two runs anyway: ids, dates, digests, signatures
normalize() {  # dir → one normalized stream of every file, in name order
    for f in $(ls "$1" | sort); do
        echo "== $f"
        sed -E 's/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/GUID/g;
                s/(Date>|SigningTime>)[^<]*</\1DATE</g;
                s/(DigestValue>|SignatureValue( [^>]*)?>)[^<]*</\1VALUE</g' "$1/$f"
    done
}

for mode in unsigned signed; do
    sign=; [ $mode = signed ] && sign=--sign
    rc1=$(conv "$tmp/$mode-1" convert --op importAccountData --jobs 1 $sign)
    rc3=$(conv "$tmp/$mode-3" convert --op importAccountData --jobs 3 $sign)
    [ "$rc1" = 65 ] || { fail "$mode --jobs 1: exit $rc1, want 65 (the sample has bad rows)"; cat "$tmp/$mode-1.stderr"; }
    [ "$rc3" = "$rc1" ] || fail "$mode --jobs 3: exit $rc3, --jobs 1 gave $rc1"
    n=$(ls "$tmp/$mode-1" | grep -c '\.xml$')
    [ "$n" -ge 20 ] || fail "$mode: only $n packets (the test needs many in flight)"
    rej=$(($(wc -l <"$tmp/$mode-1/errors.csv") - 1))
    [ "$rej" -ge 20 ] || fail "$mode: only $rej rejected rows (the test needs them between packets)"
    normalize "$tmp/$mode-1" >"$tmp/$mode-1.norm"
    normalize "$tmp/$mode-3" >"$tmp/$mode-3.norm"
    if ! cmp -s "$tmp/$mode-1.norm" "$tmp/$mode-3.norm"; then
        fail "$mode: --jobs 3 output differs from --jobs 1"
        diff "$tmp/$mode-1.norm" "$tmp/$mode-3.norm" | head -n 10
    fi
    cmp -s "$tmp/$mode-1/errors.csv" "$tmp/$mode-3/errors.csv" || fail "$mode: errors.csv differs"
done
bad=0
for f in "$tmp"/signed-3/*.xml; do
    "$HCS" verify "$f" >/dev/null 2>&1 || bad=$((bad + 1))
done
[ $bad = 0 ] || fail "$bad signed packets of --jobs 3 do not verify"

# [convert] jobs from the configuration gives the same
rc=$(conv "$tmp/cfg" -o convert.jobs=2 convert --op importAccountData)
normalize "$tmp/cfg" >"$tmp/cfg.norm"
cmp -s "$tmp/unsigned-1.norm" "$tmp/cfg.norm" || fail "[convert] jobs=2: output differs from --jobs 1"

for bad_n in 0 x -2 65; do
    "$HCS" convert --op importAccountData --jobs $bad_n "$tmp/in.csv" >/dev/null 2>&1
    rc=$?
    [ $rc = 64 ] || fail "--jobs $bad_n: exit $rc, want 64"
done

[ $fails = 0 ] && echo "convert --jobs ok" || exit 1
