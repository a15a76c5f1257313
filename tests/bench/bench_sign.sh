#!/bin/sh
# bench_sign — what signing adds to convert.  Converts PACKETS packets of
# 100 accounts (rows cycled from samples/accounts.csv, the ones convert
# accepts, with unique account numbers) with and without --sign (GOST
# 2012-256, a key made here with the openssl CLI + gost engine), best of
# RUNS each, and prints ms/packet and the signature's share of the
# unsigned convert time (CPU and wall clock).  Then, if built,
# $BUILD/bench/bench_sign prints raw signatures/s per algorithm.
# Environment: BINDIR, BUILD, SCHEMAS_DIR (from make bench); PACKETS, RUNS.
set -eu
BINDIR=${BINDIR:-bin}
BUILD=${BUILD:-build}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
PACKETS=${PACKETS:-100}
RUNS=${RUNS:-3}
HCS="$BINDIR/hcsbatch"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-sign-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

openssl genpkey -engine gost -algorithm gost2012_256 -pkeyopt paramset:A -out "$tmp/k.pem" >/dev/null 2>&1
chmod 600 "$tmp/k.pem"
openssl req -engine gost -new -x509 -key "$tmp/k.pem" -out "$tmp/c.pem" -days 365 \
    -subj "/C=RU/O=bench/CN=bench signer" >/dev/null 2>&1

GUID=f0eedf25-4ee2-59df-9260-79ccb4f33b8e
convert() {  # outdir, extra args...
    out=$1; shift
    rm -rf "$out"
    "$HCS" -q -o gis.org_ppa_guid=$GUID -o paths.nsi_dir=samples/world/nsi convert --op importAccountData --out "$out" "$@" >/dev/null 2>&1 || true
}

# The sample in UTF-8; rows that carry a GIS account id are updates of
# one account each, so the copies lose it and become new accounts.
if iconv -f utf-8 -t utf-8 samples/accounts.csv >/dev/null 2>&1; then
    cp samples/accounts.csv "$tmp/sample.csv"
else
    iconv -f cp1251 -t utf-8 samples/accounts.csv >"$tmp/sample.csv"
fi
# Which sample rows does convert accept?  (errors.csv names the others.)
convert "$tmp/probe" "$tmp/sample.csv"
LC_ALL=C awk -F';' 'NR > 1 { bad[$2] = 1 } END { for (r in bad) print r }' "$tmp/probe/errors.csv" >"$tmp/bad_rows"
rows=$((PACKETS * 100))
LC_ALL=C awk -F';' -v OFS=';' -v n="$rows" -v badf="$tmp/bad_rows" '
    BEGIN { while ((getline r < badf) > 0) bad[r] = 1 }
    NR == 1 { sub(/^\357\273\277/, ""); print
              for (j = 1; j <= NF; j++) if ($j == "Идентификатор ЛС ГИС") gis_col = j
              next }
    $0 != "" && !((NR) in bad) { good[++k] = $0 }
    END {
        if (k == 0) { print "no convertible sample rows" > "/dev/stderr"; exit 1 }
        for (i = 0; i < n; i++) {
            split(good[i % k + 1], f, ";"); f[1] = sprintf("%08d", 30000000 + i)
            if (gis_col) f[gis_col] = ""
            line = f[1]; for (j = 2; j in f; j++) line = line ";" f[j]
            print line
        }
    }' "$tmp/sample.csv" >"$tmp/bench.csv"
convert "$tmp/probe2" "$tmp/bench.csv"
if [ "$(LC_ALL=C awk 'END { print NR }' "$tmp/probe2/errors.csv")" -gt 1 ]; then
    echo "bench_sign: convert rejects rows of the generated input:"; head -n 3 "$tmp/probe2/errors.csv"; exit 1
fi

# best_of OUTDIR ARGS... -> "cpu_seconds wall_seconds" (minimum of RUNS)
best_of() {
    best_cpu=""; best_wall=""
    i=0
    while [ $i -lt "$RUNS" ]; do
        /usr/bin/time -f "%U %S %e" -o "$tmp/time" "$HCS" -q -o gis.org_ppa_guid=$GUID -o paths.nsi_dir=samples/world/nsi convert \
            --op importAccountData --out "$tmp/out" "$@" "$tmp/bench.csv" >/dev/null 2>&1 || true
        read -r u s e <"$tmp/time"
        cpu=$(echo "$u $s" | awk '{ printf "%.3f", $1 + $2 }')
        best_cpu=$(echo "$cpu ${best_cpu:-$cpu}" | awk '{ print ($1 < $2) ? $1 : $2 }')
        best_wall=$(echo "$e ${best_wall:-$e}" | awk '{ print ($1 < $2) ? $1 : $2 }')
        rm -rf "$tmp/out"
        i=$((i + 1))
    done
    echo "$best_cpu $best_wall"
}

if [ ! -x /usr/bin/time ]; then
    echo "bench_sign: /usr/bin/time is missing (Debian package time)"; exit 1
fi
read -r u_cpu u_wall <<EOF
$(best_of)
EOF
read -r s_cpu s_wall <<EOF
$(best_of --sign --key "$tmp/k.pem" --cert "$tmp/c.pem" --alg gost2012)
EOF
convert "$tmp/count" "$tmp/bench.csv"
packets=$(ls "$tmp/count" | grep -c '\.xml$' || true)
[ "$packets" -gt 0 ] || { echo "bench_sign: convert produced no packets"; exit 1; }
bytes=$(wc -c <"$tmp/count/importAccountData-0001.xml")
awk -v p="$packets" -v uc="$u_cpu" -v uw="$u_wall" -v sc="$s_cpu" -v sw="$s_wall" -v b="$bytes" 'BEGIN {
    if (uc <= 0 || uw <= 0) { print "bench_sign: convert took no measurable time; raise PACKETS"; exit 1 }
    printf "convert importAccountData: %d packets of 100 accounts (%d bytes each), best of runs\n", p, b
    printf "  unsigned:     %.2f ms/packet CPU, %.2f ms/packet wall\n", 1000 * uc / p, 1000 * uw / p
    printf "  --sign (GOST 2012-256): %.2f ms/packet CPU, %.2f ms/packet wall\n", 1000 * sc / p, 1000 * sw / p
    printf "  signature cost: %.1f %% of unsigned convert CPU, %.1f %% wall (target: well under 20 %%)\n",
        100 * (sc - uc) / uc, 100 * (sw - uw) / uw
    printf "  signed packets/s: %.0f\n", p / sw
}'

if [ -x "$BUILD/bench/bench_sign" ]; then
    openssl genpkey -engine gost -algorithm gost2001 -pkeyopt paramset:A -out "$tmp/k01.pem" >/dev/null 2>&1
    openssl req -engine gost -new -x509 -key "$tmp/k01.pem" -out "$tmp/c01.pem" -days 365 -subj "/CN=bench" >/dev/null 2>&1
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/krsa.pem" >/dev/null 2>&1
    openssl req -new -x509 -key "$tmp/krsa.pem" -out "$tmp/crsa.pem" -days 365 -subj "/CN=bench" >/dev/null 2>&1
    chmod 600 "$tmp"/k*.pem
    "$BUILD/bench/bench_sign" --key "$tmp/k.pem" --cert "$tmp/c.pem" --alg gost2012 --packets 100
    "$BUILD/bench/bench_sign" --key "$tmp/k01.pem" --cert "$tmp/c01.pem" --alg gost2001 --packets 100
    "$BUILD/bench/bench_sign" --key "$tmp/krsa.pem" --cert "$tmp/crsa.pem" --alg rsa --packets 100
    "$BUILD/bench/bench_sign" --key "$tmp/k.pem" --cert "$tmp/c.pem" --alg gost2012 --accounts 1 --packets 2000
fi
