#!/bin/sh
# bench_sim — hcs-sim alone: REQUESTS (default 2000) importAccountData posts
# at CONCURRENCY (default 16) in flight from one curl process (--parallel,
# keep-alive connections, so curl start-up is not what gets measured;
# signature check off, processing 0), then as many getState polls.  Prints
# requests/s for acks and for getState and the simulator's peak RSS.
set -eu
REQUESTS=${REQUESTS:-2000}
CONCURRENCY=${CONCURRENCY:-16}
BINDIR=${BINDIR:-bin}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
TOP=${HCS_TOP:-$(pwd)}
T=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$T"' EXIT
"$BINDIR/hcs-sim" --world "$TOP/samples/world" --state "$T/state" --schemas "$SCHEMAS_DIR" --port 0 \
    --no-verify --processing-ms 0 >"$T/out" 2>"$T/err" &
pid=$!
i=0
until grep -q '^listening' "$T/out" 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/err"; exit 1; }; sleep 0.1
done
URL=$(sed -n 's/^listening on //p' "$T/out")ext-bus-home-management-service/services/HomeManagementAsync
ORG=$(sed -n 's/^org_ppa_guid *= *//p' "$TOP/samples/world/provider.ini")
python3 - "$T" "$REQUESTS" "$ORG" <<'PY'
import sys, uuid
d, n, org = sys.argv[1], int(sys.argv[2]), sys.argv[3]
env = ('<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
       'xmlns:base="http://dom.gosuslugi.ru/schema/integration/base/"><soapenv:Header><base:RequestHeader>'
       '<base:Date>2026-11-24T10:00:00.000+03:00</base:Date><base:MessageGUID>%s</base:MessageGUID>'
       '<base:orgPPAGUID>' + org + '</base:orgPPAGUID></base:RequestHeader></soapenv:Header><soapenv:Body>%s'
       '</soapenv:Body></soapenv:Envelope>\n')
acc = ('<hm:importAccountRequest xmlns:hm="http://dom.gosuslugi.ru/schema/integration/house-management/" '
       'xmlns:account-base="http://dom.gosuslugi.ru/schema/integration/account-base/" Id="signed-data-container" '
       'base:version="10.0.1.1"><hm:Account><hm:isUOAccount>true</hm:isUOAccount><hm:Accommodation><hm:PremisesGUID>'
       '47565e3b-ccd9-5157-b375-d7b337a56213</hm:PremisesGUID></hm:Accommodation><hm:PayerInfo/><base:TransportGUID>%s'
       '</base:TransportGUID><account-base:AccountNumber>B-%d</account-base:AccountNumber></hm:Account></hm:importAccountRequest>')
with open(d + "/list", "w") as lst:
    for i in range(n):
        p = "%s/r%d.xml" % (d, i)
        open(p, "w").write(env % (uuid.uuid4(), acc % (uuid.uuid4(), i)))
        lst.write(p + "\n")
PY
post() {  # action; reads file names on stdin, answers into .ans
    sep=""
    while read -r f; do
        printf '%surl = "%s"\ndata-binary = "@%s"\noutput = "%s.ans"\nheader = "SOAPAction: \\"urn:%s\\""\nheader = "Content-Type: text/xml; charset=utf-8"\n' \
            "$sep" "$URL" "$f" "$f" "$1"
        sep="next
"
    done >"$T/curl.cfg"
    curl -s --no-progress-meter --parallel --parallel-max "$CONCURRENCY" -K "$T/curl.cfg"
}
t0=$(date +%s.%N)
post importAccountData <"$T/list"
t1=$(date +%s.%N)
python3 - "$T" "$ORG" <<'PY'
import sys, re, uuid
d, org = sys.argv[1], sys.argv[2]
out = open(d + "/gslist", "w")
for i, p in enumerate(open(d + "/list").read().split()):
    m = re.search(r"<base:Ack><base:MessageGUID>([^<]*)", open(p + ".ans").read())
    if not m:
        sys.exit("bench_sim: no ack for " + p)
    q = "%s/g%d.xml" % (d, i)
    open(q, "w").write(
        '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:base="http://dom.gosuslugi.ru/schema/integration/base/"><soapenv:Header><base:RequestHeader>'
        '<base:Date>2026-11-24T10:00:00.000+03:00</base:Date><base:MessageGUID>%s</base:MessageGUID><base:orgPPAGUID>%s'
        '</base:orgPPAGUID></base:RequestHeader></soapenv:Header><soapenv:Body><base:getStateRequest><base:MessageGUID>%s'
        '</base:MessageGUID></base:getStateRequest></soapenv:Body></soapenv:Envelope>\n' % (uuid.uuid4(), org, m.group(1)))
    out.write(q + "\n")
PY
t2=$(date +%s.%N)
post getState <"$T/gslist"
t3=$(date +%s.%N)
done3=$(cat "$T"/g*.xml.ans | grep -o '<base:RequestState>3</base:RequestState>' | wc -l)
rss=$(awk '/^VmHWM/ {print $2 " " $3}' /proc/$pid/status)
python3 - "$REQUESTS" "$CONCURRENCY" "$t0" "$t1" "$t2" "$t3" "$done3" "$rss" <<'PY'
import sys
n, c, t0, t1, t2, t3, done, rss = int(sys.argv[1]), sys.argv[2], *map(float, sys.argv[3:7]), sys.argv[7], sys.argv[8]
print("bench_sim: %d importAccountData acks in %.2f s = %.0f req/s (%s in flight)" % (n, t1 - t0, n / (t1 - t0), c))
print("bench_sim: %d getState in %.2f s = %.0f req/s, %s answered RequestState 3" % (n, t3 - t2, n / (t3 - t2), done))
print("bench_sim: simulator peak RSS %s" % rss)
PY
