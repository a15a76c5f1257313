#!/usr/bin/python3
"""Cycles a sample export to N data rows for the benchmarks: whole copies
of the sample's rows, the column COLUMN suffixed with the copy number so
each copy is new data (keys stay adjacent, groups stay groups).  Writes
UTF-8 with the sample's delimiter.
usage: gen_cycle.py SAMPLE.csv N COLUMN OUT.csv"""
import csv, io, sys

sample, n, column, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
raw = open(sample, 'rb').read()
try:
    text = raw.decode('utf-8-sig')
except UnicodeDecodeError:
    text = raw.decode('cp1251')
delim = ';' if text.split('\n', 1)[0].count(';') else ','
rows = list(csv.reader(io.StringIO(text), delimiter=delim))
header, body = rows[0], [r for r in rows[1:] if any(r)]
col = header.index(column)
with open(out, 'w', encoding='utf-8', newline='') as f:
    w = csv.writer(f, delimiter=delim, lineterminator='\r\n')
    w.writerow(header)
    done, copy = 0, 0
    while done < n:
        for r in body:
            if done == n:
                break
            r = list(r)
            if r[col]:
                r[col] = '%s-%d' % (r[col], copy)
            w.writerow(r)
            done += 1
        copy += 1
