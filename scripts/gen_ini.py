#!/usr/bin/env python3
"""Writes the example configuration (installed as /etc/hcsbatch/hcsbatch.ini)
from the key table src/base/config_keys.c: every key, commented out, with its
default and meaning, so the example cannot drift from the program.
usage: scripts/gen_ini.py > docs/hcsbatch.ini.example"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keytable

out = ['; hcsbatch.ini — the configuration of hcsbatch (man 5 hcsbatch.ini, docs/config.md).',
       '; Every key is shown commented out with its built-in default: uncomment',
       '; and change only what differs. Unknown keys are refused.',
       '; Relative paths resolve from this file\'s directory; templates, hints and',
       '; НСИ dictionaries not found there are taken from the installed data',
       '; directory (PREFIX/share/hcsbatch). The official GIS schema package is not',
       '; installed with hcsbatch: download it and set [paths] schemas_dir.',
       '; Secrets never go here: the key passphrase comes from sign.pass_file or the',
       '; environment variable named by sign.pass_env.']
for sec, note, ks in keytable.sections():
    out += ['', '[%s]' % sec]
    if note:
        out.append('; ' + note)
    for name, default, doc in ks:
        out.append('; ' + doc)
        out.append(';%s = %s' % (name, default) if default else ';%s =' % name)
print('\n'.join(out))
