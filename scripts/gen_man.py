#!/usr/bin/env python3
"""Regenerates docs/hcsbatch.1 from the commands' --help texts and the
configuration key table, so the man page cannot drift from the program.
usage: scripts/gen_man.py BINDIR/hcsbatch > docs/hcsbatch.1"""
import re, subprocess, sys

exe = sys.argv[1]
main_c = open('src/cli/main.c', encoding='utf-8').read()
cmds = re.findall(r'\{ "([a-z]+)", cmd_\w+, "([^"]*)" \}', main_c)
keys = re.findall(r'\{ "([a-z_]+\.[A-Za-z_]+)", (NULL|HCS_DEFAULT_SCHEMAS|"[^"]*"), "([^"]*)" \}',
                  open('src/base/config_keys.c', encoding='utf-8').read())

def esc(s):
    s = s.replace('\\', '\\\\')
    return '\n'.join(('\\&' + l if l.startswith(('.', "'")) else l) for l in s.split('\n'))

def help_of(cmd):
    r = subprocess.run([exe, cmd, '--help'], capture_output=True, text=True)
    return (r.stdout or r.stderr).rstrip()

out = ['.TH HCSBATCH 1 "2026" "hcsbatch" "User Commands"',
       '.SH NAME', 'hcsbatch \\- batch client for the GIS ZhKKh (dom.gosuslugi.ru) asynchronous SOAP API',
       '.SH SYNOPSIS', '.B hcsbatch',
       '[\\fB\\-c\\fR \\fIFILE\\fR] [\\fB\\-o\\fR \\fIsection.key=value\\fR]... [\\fB\\-\\-schemas\\fR \\fIDIR\\fR] [\\fB\\-v\\fR|\\fB\\-q\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]',
       '.SH DESCRIPTION',
       'hcsbatch takes CSV and XLSX exports of an accounting system from inbox folders,',
       'converts their rows into request elements through editable templates, splits them',
       'into packets, validates each packet against the official XSD, signs it',
       '(XAdES-BES, GOST R 34.10-2012 by default), sends it to GIS, polls getState on the',
       "regulation's cadence across runs, stores the GIS identifiers in a local registry",
       'and writes a report in Russian for the accountants. It is meant to run from cron;',
       'every state change is stored before the action it describes, so a crash or kill at',
       'any moment loses nothing and sends nothing twice.',
       '.SH GLOBAL OPTIONS',
       'Accepted before or after the command.',
       '.TP', '\\fB\\-c\\fR, \\fB\\-\\-config\\fR \\fIFILE\\fR', 'Configuration file (INI). See CONFIGURATION.',
       '.TP', '\\fB\\-o\\fR \\fIsection.key=value\\fR', 'Override one configuration key for this invocation (repeatable). An argument of \\fB\\-o\\fR that does not look like section.key=value belongs to the command (download \\-o FILE).',
       '.TP', '\\fB\\-\\-schemas\\fR \\fIDIR\\fR', 'Official XSD/WSDL package (paths.schemas_dir).',
       '.TP', '\\fB\\-v\\fR, \\fB\\-q\\fR', 'More log output (twice for debug); errors only.',
       '.TP', '\\fB\\-\\-version\\fR, \\fB\\-h\\fR, \\fB\\-\\-help\\fR', 'Version; usage.',
       '.SH COMMANDS']
for name, summary in cmds:
    out += ['.SS %s' % name, esc(summary) + '.', '.PP', '.nf', esc(help_of(name)), '.fi']
out += ['.SH CONFIGURATION',
        'One INI file; every key below has a default. Values in the file override the defaults,',
        'flags and \\fB\\-o\\fR override the file. Unknown keys are refused. Secrets never go in',
        'the file or on the command line: passphrases come from \\fBsign.pass_file\\fR or the',
        'environment variable named by \\fBsign.pass_env\\fR. See also docs/config.md.']
for k, d, doc in keys:
    dv = '' if d == 'NULL' else ('../shared/hcs-wsdl-12.2.2.15' if d == 'HCS_DEFAULT_SCHEMAS' else d.strip('"'))
    out += ['.TP', '\\fB%s\\fR%s' % (k, (' (default: %s)' % esc(dv)) if dv else ''), esc(doc)]
out += ['.SH FILES',
        '.TP', '\\fIwork_dir\\fR/inbox/{accounts,readings,bills,bills-withdraw}/', 'Where the accounting system drops exports.',
        '.TP', '\\fIwork_dir\\fR/archive/, \\fIwork_dir\\fR/rejected/', 'Processed inputs, signed packets and answers (audit); unreadable inputs with a .error.txt.',
        '.TP', '\\fIwork_dir\\fR/reports/', 'Per-run XLSX reports and errors.csv.',
        '.TP', '\\fIwork_dir\\fR/state.db', 'The state store and GUID registry (SQLite, WAL).',
        '.TP', 'templates/\\fIoperation\\fR/', 'Templates: map.ini, request.xml, element.xml (docs/templates.md).',
        '.SH EXIT STATUS',
        '0 ok; 64 usage; 65 some rows or packets rejected; 66 unreadable input; 69 GIS unreachable;',
        '70 internal error; 73 cannot write; 75 try again later (another run holds the lock); 76 unexpected answer;',
        '78 configuration error.',
        '.SH SEE ALSO', '\\fBhcs-sim\\fR (docs/hcs-sim.md), docs/config.md, docs/templates.md, docs/signing.md, docs/operations.md, docs/reports.md, docs/filestore.md']
print('\n'.join(out))
