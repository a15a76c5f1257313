#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/ from samples/, templates/
and the unit tests' fixtures (small: a few files per harness).  Run from the
project root; the output is committed, so this runs only to remake them."""
import io, os, zipfile

OUT = "tests/fuzz/corpus"


def put(name, fname, data):
    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


def head_lines(path, n):
    with open(path, "rb") as f:
        return b"".join(f.readlines()[:n])


# CSV: the samples' first rows (cp1251 and UTF-8), both delimiters, a BOM,
# a tab file, quoting with a newline inside, CRLF and blank lines.
put("csv", "accounts-cp1251.csv", head_lines("samples/accounts.csv", 3))
put("csv", "readings.csv", head_lines("samples/readings.csv", 3))
put("csv", "bills.csv", head_lines("samples/bills.csv", 3))
put("csv", "bom-comma.csv", b"\xef\xbb\xbf\xd0\x9b\xd0\xb8\xd1\x86\xd0\xb5\xd0\xb2\xd0\xbe\xd0\xb9,B\r\n1,\"x,y\"\r\n")
put("csv", "tab.csv", b"A\tB\tC\n1\t2\t3\n\n4\t\"5\n6\"\t7\n")
put("csv", "quoted.csv", b"\r\n;;\r\nA;B\r\n\"a \"\"q\"\"\";\"line1\nline2\"\r\n  \r\n5;6")

# XLSX: the sample as shipped (deflated) and the same parts stored
# uncompressed, so that mutations reach the XML.
put("xlsx", "accounts.xlsx", open("samples/accounts.xlsx", "rb").read())
src = zipfile.ZipFile("samples/accounts.xlsx")
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
    for n in src.namelist():
        if n.startswith(("docProps/", "xl/theme/")):
            continue          # the reader never opens them
        z.writestr(zipfile.ZipInfo(n, (1980, 1, 1, 0, 0, 0)), src.read(n))
put("xlsx", "accounts-stored.xlsx", buf.getvalue())

# SOAP answers: the unit tests' ack, fault and getState shapes.
ACK = "7f8e9d0c-1b2a-4c3d-9e4f-5a6b7c8d9e0f"
ENV = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
       'xmlns:base="http://dom.gosuslugi.ru/schema/integration/base/"%s><soapenv:Header/><soapenv:Body>%s'
       '</soapenv:Body></soapenv:Envelope>')
put("soap_result", "ack.xml", ENV % ("", '<base:AckRequest><base:Ack><base:MessageGUID>' + ACK +
    '</base:MessageGUID><base:RequesterMessageGUID>0b5d7a2e-4c1f-4e8a-9d3b-6f7e8a9b0c1d'
    '</base:RequesterMessageGUID></base:Ack></base:AckRequest>'))
put("soap_result", "fault.xml", ENV % ("", '<soapenv:Fault><faultcode>soapenv:Server</faultcode>'
    '<faultstring>Ошибка</faultstring><detail><base:Fault><base:ErrorCode>AUT011005</base:ErrorCode>'
    '<base:ErrorMessage>Ошибка формата подписи запроса</base:ErrorMessage></base:Fault></detail></soapenv:Fault>'))
put("soap_result", "state-hm.xml",
    '<hm:getStateResult xmlns:hm="http://dom.gosuslugi.ru/schema/integration/house-management/" '
    'xmlns:base="http://dom.gosuslugi.ru/schema/integration/base/" '
    'xmlns:account-base="http://dom.gosuslugi.ru/schema/integration/account-base/" base:version="11.0.0.1">'
    '<base:RequestState>3</base:RequestState><base:MessageGUID>' + ACK + '</base:MessageGUID>'
    '<hm:ImportResult base:version="10.0.1.1"><hm:CommonResult>'
    '<base:GUID>9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d</base:GUID>'
    '<base:TransportGUID>a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a5b</base:TransportGUID>'
    '<base:UniqueNumber>12АБ345678-01</base:UniqueNumber><base:UpdateDate>2019-10-21T10:16:05.123+03:00</base:UpdateDate>'
    '<hm:ImportAccount><account-base:UnifiedAccountNumber>12АБ345678</account-base:UnifiedAccountNumber>'
    '<account-base:ServiceID>12АБ345678-01</account-base:ServiceID></hm:ImportAccount>'
    '<hm:importMeteringDevice><hm:MeteringDeviceGUID>8a9b0c1d-2e3f-4a4b-8c5d-6e7f8a9b0c1d</hm:MeteringDeviceGUID>'
    '</hm:importMeteringDevice></hm:CommonResult>'
    '<hm:CommonResult><base:TransportGUID>a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a5b</base:TransportGUID>'
    '<base:Error><base:ErrorCode>INT002000</base:ErrorCode><base:Description>Значение в поле отсутствует в реестре.'
    '</base:Description></base:Error></hm:CommonResult></hm:ImportResult></hm:getStateResult>')
put("soap_result", "state-dm.xml", ENV % (' xmlns:dm="http://dom.gosuslugi.ru/schema/integration/device-metering/"',
    '<dm:getStateResult base:version="10.0.1.1"><base:RequestState>3</base:RequestState>'
    '<base:MessageGUID>' + ACK + '</base:MessageGUID>'
    '<dm:ImportResult><base:GUID>8a9b0c1d-2e3f-4a4b-8c5d-6e7f8a9b0c1d</base:GUID>'
    '<base:TransportGUID>d4e5f6a7-0001-4b8c-9d0e-1f2a3b4c5d6e</base:TransportGUID>'
    '<base:UpdateDate>2019-10-21T10:16:05.123+03:00</base:UpdateDate></dm:ImportResult>'
    '<dm:ImportResult><base:ErrorMessage><base:ErrorCode>INT002013</base:ErrorCode>'
    '<base:Description>Запрос не найден</base:Description></base:ErrorMessage></dm:ImportResult>'
    '</dm:getStateResult>'))
put("soap_result", "state-error.xml",
    '<b:getStateResult xmlns:b="http://dom.gosuslugi.ru/schema/integration/bills/" '
    'xmlns:base="http://dom.gosuslugi.ru/schema/integration/base/" base:version="10.0.1.1">'
    '<base:RequestState>3</base:RequestState><base:MessageGUID>' + ACK + '</base:MessageGUID>'
    '<base:ErrorMessage><base:ErrorCode>INT002013</base:ErrorCode><base:Description>Запрос не найден'
    '</base:Description></base:ErrorMessage></b:getStateResult>')

# File store answers (docs/filestore.md): upload, HEAD of an upload and of
# a file, a refusal.
put("fs_answer", "put-ok.txt", "HTTP/1.1 200 OK\r\nX-Upload-UploadID: 5B2A3C4D-1E2F-4A3B-8C9D-0E1F2A3B4C5D\r\n"
    "Content-Length: 0\r\n\r\n")
put("fs_answer", "head-parts.txt", "HTTP/1.1 200 OK\r\nX-Upload-Completed-Parts: 1,2,5\r\n"
    "X-Upload-Completed: false\r\nX-Upload-Length: 26214400\r\n\r\n")
put("fs_answer", "head-file.txt", "HTTP/1.1 200 OK\r\nX-Upload-Filename: =?utf-8?B?0YHRh9C10YIucGRm?= =?utf-8?Q?_2=D1=8B.pdf?=\r\n"
    "Content-MD5: 1B2M2Y8AsgTpgAmY7PhCfg==\r\nX-Upload-Length: 1024\r\nX-Upload-Completed: true\r\n\r\n")
put("fs_answer", "refused.txt", "HTTP/1.1 100 Continue\n\nHTTP/1.1 400 Bad Request\nX-Upload-Error: HashConflictException\n\n"
    "Hash of part 2 differs\nsecond line")

# Templates: map.ini, request.xml, element.xml [, side.xml] joined by form feeds.
for t in sorted(os.listdir("templates")):
    d = os.path.join("templates", t)
    if not os.path.isdir(d):
        continue
    parts = [open(os.path.join(d, f), "rb").read() for f in ("map.ini", "request.xml", "element.xml", "side.xml")
             if os.path.exists(os.path.join(d, f))]
    put("template", t + ".tmpl", b"\f".join(parts))

# Configuration: the integration tests' hcsbatch.ini, docs/config.md's example, a provider file.
put("config", "hcsbatch.ini", """[gis]
base_url = http://127.0.0.1:8080/
org_ppa_guid = f0eedf25-4ee2-59df-9260-79ccb4f33b8e
[sign]
key = keys/key.pem
cert = keys/cert.pem
alg = gost2012
[paths]
work_dir = .
templates_dir = ../templates
nsi_dir = nsi
[input]
settle_seconds = 0
encoding = cp1251
delimiter = semicolon
max_cell_bytes = 100
max_unzipped_mb = 16
[exchange]
poll_schedule = 0,1
[transport]
rate = 200
burst = 20
backoff_ms = 50
""")
put("config", "docs-example.ini", """[gis]
base_url = https://api.dom.gosuslugi.ru/
org_ppa_guid = 6ab9ff8b-3d1a-4b4b-9a8e-1f3c2b4d5e6f

[sign]
key = /etc/hcsbatch/key.pem ; comment
cert = "/etc/hcsbatch/cert.pem"
alg = gost2012
pass_env = HCS_KEY_PIN

[paths]
work_dir = /var/lib/hcsbatch
schemas_dir = /usr/share/hcsbatch/hcs-wsdl-12.2.2.15
""")
put("config", "bad-key.ini", "[input]\nencodng = utf-8\n")
