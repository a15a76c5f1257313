#!/bin/sh
# Hostile inputs, each through the real program with its peak memory
# measured (wait4 rusage of that one process): a clear error naming the
# file, row and column where one applies, the other rows converted where
# the file can go on, and bounded memory.
#   CSV: a million columns in a row, a 100 MB cell, invalid UTF-8 and a NUL
#        byte, a file cut inside a quoted value;
#   XLSX: no shared-strings part, a "../" entry name, a "../" sheet target,
#        a million cells in a row, lying zip sizes (2 KB declared, 100 MB
#        inflated), a 20 MB cell, invalid UTF-8 in a part, a truncated file;
#   SOAP: a server whose answer never ends (1 GB and more): the transport
#        stops at transport.max_response_mb (and at the 64 MiB default),
#        the packet waits (deferred), the error says why.
# (XXE, billion laughs and zip bombs: test_read_xlsx, test_base, test_convert.)
set -eu
. "${HCS_TOP:-.}/tests/integration/exchange_lib.sh"
[ -x /usr/bin/time ] || xl_fail "GNU time is needed to measure peak memory (apt-get install time)"
T=$(mktemp -d)
SRV_PID=""
trap '[ -z "$SRV_PID" ] || kill "$SRV_PID" 2>/dev/null || :; rm -rf "$T"' EXIT
ORG=$(sed -n 's/^org_ppa_guid *= *//p' "$HCS_TOP/samples/world/provider.ini")

python3 - "$HCS_TOP" "$T" "$HCSBATCH" "$SCHEMAS_DIR" "$ORG" <<'PY'
import os, re, struct, subprocess, sys, zipfile, zlib
top, T, hcs, schemas, org = sys.argv[1:6]
F = os.path.join(T, "in")
os.makedirs(F)
MB = 1 << 20
fails = []

def run(args, cwd=None):
    """Runs hcsbatch under GNU time (a small parent: the peak RSS is
    hcsbatch's own, not this script's); returns (exit code, peak RSS in
    MB, stderr)."""
    rss_file = os.path.join(T, "rss")
    p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file, hcs] + args, cwd=cwd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    rss = int(open(rss_file).read().split()[-1]) / 1024.0
    return p.returncode, rss, p.stderr.decode("utf-8", "replace")

def convert(name, want_rc, max_mb):
    out = os.path.join(T, "out-" + name)
    rc, rss, err = run(["-q", "-o", "gis.org_ppa_guid=" + org, "-o", "paths.templates_dir=" + top + "/templates",
                        "-o", "paths.nsi_dir=" + top + "/samples/world/nsi", "--schemas", schemas,
                        "convert", "--op", "importAccountData", "--out", out, os.path.join(F, name)])
    errors = ""
    if os.path.exists(os.path.join(out, "errors.csv")):
        errors = open(os.path.join(out, "errors.csv"), encoding="utf-8-sig").read()
    accounts = sum(len(re.findall(r"<[a-z]+:Account>", open(os.path.join(out, f), encoding="utf-8").read()))
                   for f in os.listdir(out) if f.endswith(".xml")) if os.path.isdir(out) else 0
    print("%-24s exit %d, peak RSS %5.1f MB, %d accounts converted" % (name, rc, rss, accounts))
    if rc != want_rc:
        fails.append("%s: exit %d, want %d: %s" % (name, rc, want_rc, err.strip()[:300]))
    if rss > max_mb:
        fails.append("%s: peak RSS %.1f MB > %d MB" % (name, rss, max_mb))
    return errors + err, accounts

def expect(name, text, *needles):
    for n in needles:
        if n not in text:
            fails.append("%s: %r not in %r" % (name, n, text[:600]))

# ---- CSV ---------------------------------------------------------------
src = open(os.path.join(top, "samples/accounts.csv"), "rb").read()
nl = b"\r\n" if b"\r\n" in src else b"\n"
lines = [l for l in src.split(nl) if l]
head, good = lines[0], lines[1:4]          # rows 2..4 of the sample convert cleanly
def put(name, data):
    open(os.path.join(F, name), "wb").write(data)

put("million-cols.csv", nl.join([head, good[0], b";" * 1000000, good[1]]) + nl)
text, n = convert("million-cols.csv", 65, 120)
expect("million-cols.csv", text, "million-cols.csv;3;column 16385;", "more than 16384 columns")
if n != 2: fails.append("million-cols.csv: %d accounts, want the 2 other rows" % n)

with open(os.path.join(F, "cell100m.csv"), "wb") as f:
    f.write(head + nl + good[0] + nl + good[1][:9])
    for _ in range(100):
        f.write(b"x" * MB)
    f.write(good[1][9 + 36:] + nl + good[2] + nl)
text, n = convert("cell100m.csv", 65, 150)
expect("cell100m.csv", text, "cell100m.csv;3;Идентификатор ЛС ГИС;", "value longer than 32 MB")
if n != 2: fails.append("cell100m.csv: %d accounts, want the 2 other rows" % n)

u = [l.decode("cp1251").encode("utf-8") for l in [head] + good]
put("utf8-nul.csv", b"\xef\xbb\xbf" + nl.join([u[0], u[1], u[2][:4] + b"\xff\xfe" + u[2][4:],
                                                u[3][:4] + b"\x00" + u[3][4:]]) + nl)
text, n = convert("utf8-nul.csv", 65, 120)
expect("utf8-nul.csv", text, "utf8-nul.csv;3;Номер ЛС;", "not valid UTF-8", "utf8-nul.csv;4;Номер ЛС;", "a NUL byte")
if n != 1: fails.append("utf8-nul.csv: %d accounts, want row 2's" % n)

put("truncated.csv", nl.join([head, good[0], good[1]]) + nl + good[2][:9] + b'"cut sho')
text, n = convert("truncated.csv", 65, 120)
expect("truncated.csv", text, "truncated.csv;4;Идентификатор ЛС ГИС;", "the file ends inside a quoted value")
if n != 2: fails.append("truncated.csv: %d accounts, want the 2 rows before" % n)

# ---- XLSX --------------------------------------------------------------
book = zipfile.ZipFile(os.path.join(top, "samples/accounts.xlsx"))
parts = {n: book.read(n) for n in book.namelist()}
SHEET, RELS, SST = "xl/worksheets/sheet1.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml"
def xlsx(name, drop=(), add=(), change=None):
    with zipfile.ZipFile(os.path.join(F, name), "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in parts.items():
            if n not in drop:
                z.writestr(n, change(n, d) if change else d)
        for n, d in add:
            z.writestr(n, d)
xlsx("clean.xlsx")
_, clean = convert("clean.xlsx", 65, 120)

xlsx("no-sst.xlsx", drop=(SST,))
text, _ = convert("no-sst.xlsx", 65, 120)
expect("no-sst.xlsx", text, "row 1, column A", "xl/sharedStrings.xml missing")

evil = os.path.join(T, "evil-entry.xml")
xlsx("dotdot-entry.xlsx", add=(("../../../../../../" + evil.lstrip("/"), b"<x/>"),))
text, n = convert("dotdot-entry.xlsx", 65, 120)
if os.path.exists(evil): fails.append("dotdot-entry.xlsx: a file was written outside")
if n != clean: fails.append("dotdot-entry.xlsx: %d accounts, want %d (the entry is ignored)" % (n, clean))

xlsx("dotdot-target.xlsx", change=lambda n, d: d.replace(b'Target="worksheets/sheet1.xml"',
                                                        b'Target="../../../../../etc/passwd"') if n == RELS else d)
text, n = convert("dotdot-target.xlsx", 65, 120)
expect("dotdot-target.xlsx", text, "dotdot-target.xlsx", "not an Excel workbook")
if n: fails.append("dotdot-target.xlsx: converted %d accounts from outside the workbook" % n)

cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * 1000000
xlsx("million-cells.xlsx", change=lambda n, d: re.sub(rb'<row r="3".*?</row>', b'<row r="3">' + cells + b'</row>',
                                                      d, count=1, flags=re.S) if n == SHEET else d)
text, n = convert("million-cells.xlsx", 65, 120)
expect("million-cells.xlsx", text, "million-cells.xlsx;3;column XFE;", "beyond column XFD")
if n != clean - 1: fails.append("million-cells.xlsx: %d accounts, want %d" % (n, clean - 1))

# lying sizes: the sheet inflates to 100 MB, its headers say 2 KB
big = parts[SHEET].replace(b"</sheetData>", b"</sheetData>" + b" " * (100 * MB))
xlsx("liar.xlsx", change=lambda n, d: big if n == SHEET else d)
raw = bytearray(open(os.path.join(F, "liar.xlsx"), "rb").read())
name = SHEET.encode()
for sig, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
    i = raw.find(sig + b"")
    while i >= 0:
        nlen = struct.unpack_from("<H", raw, i + (26 if sig == b"PK\x03\x04" else 28))[0]
        if raw[i + name_at:i + name_at + nlen] == name:
            struct.pack_into("<I", raw, i + size_at, 2048)
        i = raw.find(sig, i + 4)
open(os.path.join(F, "liar.xlsx"), "wb").write(raw)
del big
text, n = convert("liar.xlsx", 65, 120)       # read as far as declared: not the whole sheet
expect("liar.xlsx", text, "liar.xlsx", "xl/worksheets/sheet1.xml")
if n: fails.append("liar.xlsx: converted although its sizes lie")

# a 20 MB cell that does not compress (past libxml2's 10 MB text node limit)
import base64
blob = base64.b64encode(os.urandom(15 * MB))
xlsx("cell20m.xlsx", change=lambda n, d: re.sub(rb'<c r="B3"[^>]*?(/>|>.*?</c>)',
        lambda m: b'<c r="B3" t="inlineStr"><is><t>' + blob + b'</t></is></c>', d, count=1, flags=re.S)
        if n == SHEET else d)
del blob
text, n = convert("cell20m.xlsx", 65, 120)
expect("cell20m.xlsx", text, "cell20m.xlsx", "xl/worksheets/sheet1.xml", "huge text node")
line = [l for l in text.splitlines() if "huge text node" in l and l.startswith("hcsbatch")]
if not line or line[0].count("cell20m.xlsx") != 1:
    fails.append("cell20m.xlsx: the message names the file other than once: %r" % line[0][:300])

xlsx("bad-utf8.xlsx", change=lambda n, d: d.replace(b"<t>", b"<t>\xff\xfe", 1) if n == SST else d)
text, _ = convert("bad-utf8.xlsx", 65, 120)
expect("bad-utf8.xlsx", text, "bad-utf8.xlsx", "xl/sharedStrings.xml is not well-formed XML")

put("truncated.xlsx", open(os.path.join(F, "clean.xlsx"), "rb").read()[:3000])
text, _ = convert("truncated.xlsx", 66, 120)
expect("truncated.xlsx", text, "truncated.xlsx")

if fails:
    print("\n".join("FAIL: " + f for f in fails))
    sys.exit(1)
PY

# ---- an endless SOAP answer ----------------------------------------------
python3 "$HCS_TOP/tests/integration/endless_server.py" "$T/endless.log" >"$T/srv.out" 2>"$T/srv.err" &
SRV_PID=$!
i=0
until grep -q "listening on" "$T/srv.out" 2>/dev/null; do
    i=$((i + 1)); [ $i -le 100 ] || xl_fail "the endless server did not start"; sleep 0.1
done
PORT=$(sed -n 's/^listening on //p' "$T/srv.out")
xl_key "$T/keys"
xl_work "$T/w" "http://127.0.0.1:$PORT/" "$T/keys" "retries = 1
max_response_mb = 4"
cd "$T/w"
rm -f inbox/readings/* inbox/bills/* inbox/bills-withdraw/*
endless() {  # label max_rss_mb want_bytes_text
    python3 - "$HCSBATCH" "$1" "$2" "$3" <<'PY'
import os, subprocess, sys
hcs, label, max_mb, want = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", "rss.txt", hcs, "-c", "hcsbatch.ini", "run"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = p.stderr.decode("utf-8", "replace")
rc, rss = p.returncode, int(open("rss.txt").read().split()[-1]) / 1024.0
print("endless answer, %-12s exit %d, peak RSS %5.1f MB" % (label, rc, rss))
ok = rc == 69 and rss <= max_mb
if not ok:
    print(err[-2000:])
    sys.exit("FAIL: %s: exit %d (want 69), peak RSS %.1f MB (at most %.0f)" % (label, rc, rss, max_mb))
PY
    n=$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state = 'deferred' AND error_text LIKE '%response larger than $3 bytes%'")
    [ "$n" -gt 0 ] || { sqlite3 state.db "SELECT id, state, error_code, error_text FROM packets"; xl_fail "$1: no packet waits with the reason"; }
    [ "$(sqlite3 state.db "SELECT count(*) FROM packets WHERE state = 'failed'")" = 0 ] || xl_fail "$1: a packet failed"
}
endless "cap 4 MiB" 60 4194304
# the built-in default (64 MiB): still bounded
sed -i '/^max_response_mb = 4$/d' hcsbatch.ini
sqlite3 state.db "UPDATE packets SET next_at = 0"
endless "default cap" 150 67108864
sent=$(sort -n "$T/endless.log" | tail -1)
[ "$sent" -lt $((200 << 20)) ] || xl_fail "the server streamed $sent bytes: the client did not hang up"
echo PASS
