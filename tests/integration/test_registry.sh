#!/bin/sh
# hcsbatch registry: lists the registry of GIS ids of the state store in
# [paths] work_dir (all, one kind, JSON) and looks keys up as the converter
# compares them (GUID case and braces, «№», letter case); an unknown key
# exits 1.
set -eu
cd "${HCS_TOP:-.}"
BINDIR=${BINDIR:-bin}
HCS="$(pwd)/$BINDIR/hcsbatch"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
H=cb7d56d2-735a-5f7e-9ddc-e1dce2b5813f
reg() { "$HCS" -o paths.work_dir="$T" registry "$@"; }

reg >"$T/empty.out"                          # creates the state store
[ ! -s "$T/empty.out" ] || { echo "empty registry printed something"; exit 1; }
sqlite3 "$T/state.db" "INSERT INTO registry(kind, local_key, guid, unique_number, attrs, updated_at) VALUES
  ('premises', '$H|5а', '47565e3b-ccd9-5157-b375-d7b337a56213', NULL, NULL, 0),
  ('account', '00010010', '923f2d37-bb17-5ecf-a189-fbf4bdd603fa', '76АБ000100', 'ServiceID=76АБ000100-01', 0),
  ('meter_kind', 'э-31002', 'electric', NULL, NULL, 0)"

reg >"$T/all.out"
[ "$(wc -l <"$T/all.out")" -eq 3 ] || { cat "$T/all.out"; echo "expected 3 entries"; exit 1; }
reg --kind account >"$T/acc.out"
grep -q '^account  *00010010	923f2d37-bb17-5ecf-a189-fbf4bdd603fa	номер 76АБ000100' "$T/acc.out" \
    || { cat "$T/acc.out"; echo "account listing wrong"; exit 1; }
[ "$(wc -l <"$T/acc.out")" -eq 1 ] || { echo "--kind did not filter"; exit 1; }

# keys as an accountant writes them
reg "{CB7D56D2-735A-5F7E-9DDC-E1DCE2B5813F}|№ 5А" >"$T/one.out"
grep -q "47565e3b-ccd9-5157-b375-d7b337a56213" "$T/one.out" || { cat "$T/one.out"; echo "normalized lookup failed"; exit 1; }
reg --kind meter_kind "Э-31002" | grep -q electric || { echo "meter kind lookup failed"; exit 1; }

set +e
reg --kind account 99999 >"$T/miss.out"
rc=$?
set -e
[ $rc -eq 1 ] || { echo "unknown key: exit $rc, expected 1"; exit 1; }
grep -q "не найдено" "$T/miss.out" || { echo "unknown key not reported"; exit 1; }

reg --json --kind account >"$T/acc.json"
python3 - "$T/acc.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d) == 1 and d[0]["guid"] == "923f2d37-bb17-5ecf-a189-fbf4bdd603fa", d
assert d[0]["attrs"] == "ServiceID=76АБ000100-01" and d[0]["version"] is None, d
PY
set +e
reg --bogus >/dev/null 2>&1
rc=$?
set -e
[ $rc -eq 64 ] || { echo "unknown option: exit $rc, expected 64"; exit 1; }
echo "registry ok"
