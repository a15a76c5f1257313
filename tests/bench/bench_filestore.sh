#!/bin/sh
# File store benchmark: uploads a generated BENCH_FS_MB-MB file (default
# 1024 = 1 GB, the GIS limit, 205 parts) to the simulator with
# `hcsbatch upload` and prints its MB/s next to this machine's GOST R
# 34.11-94 hash speed (openssl dgst -engine gost -md_gost94), the ratio
# (target ≥ 80 %: the client hashes on a second thread while it sends) and
# the client's peak RSS (target: a part or two, ~10 MB, beyond the program).
# Everything lives in a temp dir removed at the end.
# Environment: BINDIR, SCHEMAS_DIR; BENCH_FS_MB to change the size.
set -u
BINDIR=${BINDIR:-bin}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
MB=${BENCH_FS_MB:-1024}
HCSBATCH=$BINDIR/hcsbatch
SIM=$BINDIR/hcs-sim
ORG=6f0b0a51-2e1c-4c34-9a9b-0c3c2e8d1a11
T=$(mktemp -d "${TMPDIR:-/tmp}/hcs-fsbench.XXXXXX")
SIMPID=""
cleanup() {
    [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null && wait "$SIMPID" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

[ -x "$HCSBATCH" ] && [ -x "$SIM" ] || { echo "build $HCSBATCH and $SIM first" >&2; exit 1; }
now() { date +%s.%N; }

# The file: pseudo-random bytes (AES-CTR keystream; fast, not sparse).
start=$(now)
openssl enc -aes-128-ctr -nosalt -pass pass:hcsbatch-bench -pbkdf2 </dev/zero 2>/dev/null \
    | head -c $((MB * 1048576)) >"$T/bench.pdf"
echo "generated $MB MB in $(echo "$(now) - $start" | bc) s"

# Hash speed on this machine: openssl over the first 256 MB (or the file).
HMB=$((MB < 256 ? MB : 256))
head -c $((HMB * 1048576)) "$T/bench.pdf" >"$T/head.bin"
/usr/bin/time -f '%e %U' -o "$T/htime" openssl dgst -engine gost -md_gost94 "$T/head.bin" >/dev/null 2>&1 \
    || { echo "openssl gost engine not available" >&2; exit 1; }
rm -f "$T/head.bin"
hsec=$(cut -d' ' -f1 "$T/htime")
hcpu=$(cut -d' ' -f2 "$T/htime")
hash_mbs=$(echo "scale=1; $HMB / $hsec" | bc)
hash_cpu_mbs=$(echo "scale=1; $HMB / $hcpu" | bc)

mkdir -p "$T/world"
printf '[provider]\norg_ppa_guid = %s\nogrn = 1027700000001\nname = Bench\ncertificate = any\n' "$ORG" \
    >"$T/world/provider.ini"
"$SIM" --world "$T/world" --state "$T/state" --port 0 --schemas "$SCHEMAS_DIR" >"$T/sim.out" 2>"$T/sim.err" &
SIMPID=$!
i=0
while ! grep -q '^listening on ' "$T/sim.out" 2>/dev/null; do
    i=$((i + 1))
    [ $i -gt 100 ] && { cat "$T/sim.err" >&2; exit 1; }
    sleep 0.1
done
URL=$(sed -n 's/^listening on //p' "$T/sim.out" | head -n 1)
printf '[gis]\nbase_url = %s\norg_ppa_guid = %s\n[paths]\nwork_dir = %s/work\n' "$URL" "$ORG" "$T" >"$T/h.ini"

/usr/bin/time -f '%M %e %U %S' -o "$T/rss" "$HCSBATCH" -c "$T/h.ini" -q upload --context homemanagement "$T/bench.pdf" \
    >"$T/up.out" || { echo "upload failed" >&2; exit 1; }
read -r rss usec ucpu scpu <"$T/rss"
printf 'baseline\n' >"$T/tiny.txt"
/usr/bin/time -f '%M' -o "$T/rss0" "$HCSBATCH" -c "$T/h.ini" -q upload --context homemanagement "$T/tiny.txt" >/dev/null \
    || { echo "small upload failed" >&2; exit 1; }
rss0_mb=$(echo "scale=1; $(tail -n 1 "$T/rss0") / 1024" | bc)
up_mbs=$(echo "scale=1; $MB / $usec" | bc)
up_cpu_mbs=$(echo "scale=1; $MB / ($ucpu + $scpu)" | bc)
ratio=$(echo "scale=0; 100 * $up_mbs / $hash_mbs" | bc)
ratio_cpu=$(echo "scale=0; 100 * $up_cpu_mbs / $hash_cpu_mbs" | bc)
rss_mb=$(echo "scale=1; $rss / 1024" | bc)
echo "== file store: upload of $MB MB ($(( (MB * 1048576 + 5242879) / 5242880 )) parts) to hcs-sim"
echo "upload:        $up_mbs MB/s ($usec s wall; $up_cpu_mbs MB per CPU second of the client)"
echo "GOST 34.11-94: $hash_mbs MB/s (openssl dgst -engine gost -md_gost94, $HMB MB; $hash_cpu_mbs MB per CPU second)"
echo "ratio:         $ratio % of the hash speed (target >= 80 %); by CPU time $ratio_cpu %"
echo "load average:  $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs (wall-clock figures need an idle machine)"
echo "peak RSS:      $rss_mb MB (hcsbatch upload; the same command for a 9-byte file: $rss0_mb MB; parts are 5 MB, two buffers)"
echo "AttachmentHASH $(cut -f2 "$T/up.out")"
[ "$ratio" -ge 80 ] || echo "BELOW TARGET: upload slower than 80 % of the hash speed"
exit 0
