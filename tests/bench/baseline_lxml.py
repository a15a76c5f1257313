#!/usr/bin/python3
"""The Python/lxml baseline for bench_convert (issue 16): what a Python user
would do with the accounts export gen_inputs writes — read the CSV, build
each packet of 100 accounts as an lxml tree (the element structure hcsbatch
sends), validate the request against the official house-management XSD,
canonicalize it with exclusive c14n and take its SHA-256 digest.  No GOST,
no signature, no grouping of shared accounts (one row = one account), no
НСИ: less work than hcsbatch does, on purpose (a lower bound for Python).
usage: baseline_lxml.py SCHEMAS_DIR FILE.csv  → prints "rows packets"
Needs python3-lxml (scripts/deps.sh --all)."""
import csv, hashlib, io, sys, uuid
from lxml import etree

NS = 'http://dom.gosuslugi.ru/schema/integration/'
HM, BASE, AB, IND = NS + 'house-management/', NS + 'base/', NS + 'account-base/', NS + 'individual-registry-base/'
NSMAP = {'hm': HM, 'base': BASE, 'account-base': AB, 'ind': IND}
PER_PACKET = 100


def q(ns, name):
    return '{%s}%s' % (ns, name)


def sub(parent, ns, name, text=None):
    e = etree.SubElement(parent, q(ns, name))
    if text is not None:
        e.text = text
    return e


def account(req, r):
    a = sub(req, HM, 'Account')
    sub(a, HM, 'isRSOAccount' if r['Тип ЛС'] == 'РСО' else 'isUOAccount', 'true')
    sub(a, HM, 'LivingPersonsNumber', r['Количество проживающих'])
    sub(a, HM, 'TotalSquare', r['Общая площадь'].replace(',', '.'))
    sub(a, HM, 'ResidentialSquare', r['Жилая площадь'].replace(',', '.'))
    acc = sub(a, HM, 'Accommodation')
    sub(acc, HM, 'PremisesGUID', r['Идентификатор помещения ГИС'])
    sub(acc, HM, 'SharePercent', r['Доля, %'])
    ind = sub(sub(a, HM, 'PayerInfo'), HM, 'Ind')
    sub(ind, IND, 'Surname', r['Фамилия'])
    sub(ind, IND, 'FirstName', r['Имя'])
    if r['Отчество']:
        sub(ind, IND, 'Patronymic', r['Отчество'])
    snils = ''.join(c for c in r['СНИЛС'] if c.isdigit())
    if snils:
        sub(ind, IND, 'SNILS', snils)
    sub(a, BASE, 'TransportGUID', str(uuid.uuid4()))
    sub(a, AB, 'AccountNumber', r['Номер ЛС'])


def main():
    schemas, path = sys.argv[1], sys.argv[2]
    schema = etree.XMLSchema(etree.parse(schemas + '/house-management/hcs-house-management-types.xsd'))
    raw = open(path, 'rb').read()
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError:
        text = raw.decode('cp1251')
    rows = packets = 0
    batch = []

    def flush():
        nonlocal packets
        req = etree.Element(q(HM, 'importAccountRequest'), nsmap=NSMAP)
        req.set('Id', 'signed-data-container')
        req.set(q(BASE, 'version'), '10.0.1.1')
        for r in batch:
            account(req, r)
        if not schema.validate(req):
            raise SystemExit('baseline: invalid packet: %s' % schema.error_log.last_error)
        hashlib.sha256(etree.tostring(req, method='c14n', exclusive=True)).digest()
        packets += 1
        batch.clear()

    for r in csv.DictReader(io.StringIO(text), delimiter=';'):
        rows += 1
        batch.append(r)
        if len(batch) == PER_PACKET:
            flush()
    if batch:
        flush()
    print(rows, packets)


main()
