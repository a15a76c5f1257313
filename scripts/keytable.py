"""The configuration key table (src/base/config_keys.c) as Python data, for
the generators of docs/hcsbatch.1, docs/hcsbatch.ini.5 and
docs/hcsbatch.ini.example: one parser, so they cannot read it differently."""
import re

# What HCS_DEFAULT_SCHEMAS is when the Makefile's SCHEMAS_DIR is left alone.
DEFAULT_SCHEMAS = '../shared/hcs-wsdl-12.2.2.15'

# A description may hold escaped quotes (\"): they must not hide the key.
_KEY = re.compile(r'\{ "([a-z_]+)\.([A-Za-z0-9_]+)", (NULL|HCS_DEFAULT_SCHEMAS|"[^"]*"), "((?:[^"\\]|\\.)*)" \}')
_SECTION = re.compile(r'/\* \[([a-z_]+)\]\s*(.*?)\s*\*/')


def sections(path='src/base/config_keys.c'):
    """[(section, note, [(name, default or '', doc)])] in the table's order."""
    out = []
    for line in open(path, encoding='utf-8'):
        m = _SECTION.search(line)
        if m:
            out.append((m.group(1), m.group(2), []))
            continue
        m = _KEY.search(line)
        if not m:
            continue
        sec, name, d, doc = m.groups()
        if not out or out[-1][0] != sec:
            out.append((sec, '', []))
        dv = '' if d == 'NULL' else (DEFAULT_SCHEMAS if d == 'HCS_DEFAULT_SCHEMAS' else d[1:-1])
        out[-1][2].append((name, dv, doc))
    return out


def keys(path='src/base/config_keys.c'):
    """[(section.name, default, doc)]"""
    return [('%s.%s' % (s, n), d, doc) for s, _, ks in sections(path) for n, d, doc in ks]
