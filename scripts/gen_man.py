#!/usr/bin/env python3
"""Regenerates the man pages from the programs' --help texts and the
configuration key table, so they cannot drift from the programs.
usage: scripts/gen_man.py BINDIR/hcsbatch > docs/hcsbatch.1
       scripts/gen_man.py --ini > docs/hcsbatch.ini.5
       scripts/gen_man.py --sim BINDIR/hcs-sim > docs/hcs-sim.1"""
import os, re, subprocess, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import keytable

def esc(s):
    s = s.replace('\\', '\\\\')
    return '\n'.join(('\\&' + l if l.startswith(('.', "'")) else l) for l in s.split('\n'))

def help_of(exe, *args):
    r = subprocess.run([exe, *args], capture_output=True, text=True)
    return (r.stdout or r.stderr).rstrip()


def key_entries():
    out = []
    for k, dv, doc in keytable.keys():
        out += ['.TP', '\\fB%s\\fR%s' % (k, (' (default: %s)' % esc(dv)) if dv else ''), esc(doc)]
    return out

def installed_files():
    return ['.TP', '\\fI/etc/hcsbatch/hcsbatch.ini\\fR',
            'The configuration an installed hcsbatch is pointed at (\\fB\\-c\\fR); as installed, every key is commented out.',
            '.TP', '\\fIPREFIX\\fR/share/hcsbatch/{templates,nsi}/',
            'Templates, accountant hints and the fallback НСИ dictionaries of an installed hcsbatch',
            '(PREFIX is /usr/local unless given to make install). A relative paths.templates_dir,',
            'paths.hints_file or paths.nsi_dir that does not exist is looked for here, then in',
            '\\&../share/hcsbatch beside the executable. The official schema package is not installed:',
            'a missing relative paths.schemas_dir is looked for here under its last name',
            '(e.g. hcs-wsdl-12.2.2.15/), and a missing package is a configuration error (exit 78).',
            '.TP', '\\fIPREFIX\\fR/lib/systemd/system/hcsbatch{,\\-health}.{service,timer}',
            'The batch every 10 minutes and at night; \\fBhcsbatch health\\fR once a day, writing',
            '/var/lib/hcsbatch/hcsbatch\\-health.prom for the node_exporter textfile collector (not enabled).']


def hcsbatch_page(exe):
    main_c = open('src/cli/main.c', encoding='utf-8').read()
    cmds = re.findall(r'\{ "([a-z]+)", cmd_\w+, "([^"]*)" \}', main_c)
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
           '.TP', '\\fB\\-v\\fR, \\fB\\-q\\fR', 'More log output (twice for debug); errors only. When stderr is a terminal, long work (converting, uploading, waiting for GIS) shows one updating progress line with a rate and an estimate; \\fB\\-q\\fR turns it off, and cron logs (no terminal) never see it.',
           '.TP', '\\fB\\-\\-version\\fR, \\fB\\-h\\fR, \\fB\\-\\-help\\fR', 'Version; usage.',
           '.SH COMMANDS']
    for name, summary in cmds:
        out += ['.SS %s' % name, esc(summary) + '.', '.PP', '.nf', esc(help_of(exe, name, '--help')), '.fi']
    out += ['.SH CONFIGURATION',
            'One INI file; every key below has a default. Values in the file override the defaults,',
            'flags and \\fB\\-o\\fR override the file. Unknown keys are refused. Secrets never go in',
            'the file or on the command line: passphrases come from \\fBsign.pass_file\\fR or the',
            'environment variable named by \\fBsign.pass_env\\fR. See \\fBhcsbatch.ini\\fR(5) and docs/config.md.']
    out += key_entries()
    out += ['.SH FILES',
            '.TP', '\\fIwork_dir\\fR/inbox/{accounts,readings,bills,bills-withdraw}/', 'Where the accounting system drops exports.',
            '.TP', '\\fIwork_dir\\fR/archive/, \\fIwork_dir\\fR/rejected/', 'Processed inputs, signed packets and answers (audit); unreadable inputs with a .error.txt.',
            '.TP', '\\fIwork_dir\\fR/reports/', 'Per-run XLSX reports and errors.csv.',
            '.TP', '\\fIwork_dir\\fR/state.db', 'The state store and GUID registry (SQLite, WAL).',
            '.TP', 'templates/\\fIoperation\\fR/', 'Templates: map.ini, request.xml, element.xml (docs/templates.md).',
           ] + installed_files() + [
            '.SH EXIT STATUS',
            '0 ok; 64 usage; 65 some rows or packets rejected; 66 unreadable input; 69 GIS unreachable;',
            '70 internal error; 73 cannot write; 75 try again later (another run holds the lock); 76 unexpected answer;',
            '78 configuration error.',
            '\\fBhcsbatch health\\fR has its own: 0 every check ok, 1 a warning (none critical),',
            '2 a check is critical (monitoring plugins read these the same way).',
            '.SH SEE ALSO', '\\fBhcsbatch.ini\\fR(5), \\fBhcs-sim\\fR(1), docs/config.md, docs/templates.md, docs/signing.md, docs/operations.md, docs/reports.md, docs/filestore.md']
    return out


def ini_page():
    out = ['.TH HCSBATCH.INI 5 "2026" "hcsbatch" "File Formats"',
           '.SH NAME', 'hcsbatch.ini \\- configuration of hcsbatch',
           '.SH SYNOPSIS', '/etc/hcsbatch/hcsbatch.ini',
           '.SH DESCRIPTION',
           'One INI file, given to \\fBhcsbatch\\fR(1) with \\fB\\-c\\fR \\fIFILE\\fR. Every key has a built-in',
           'default; the file overrides the default; command-line flags and \\fB\\-o\\fR \\fIsection.key=value\\fR',
           'override the file for one invocation. Unknown keys are refused (they are nearly always typos).',
           "Relative paths written in the file resolve from the file's directory; relative paths given",
           'by default or on the command line resolve from the current directory. \\fBhcsbatch config\\fR',
           'prints the effective values (secrets masked).',
           '.PP',
           'Secrets never go in this file or on the command line: key passphrases come from a file',
           '(\\fBsign.pass_file\\fR) or an environment variable named by \\fBsign.pass_env\\fR; notification',
           'tokens from environment variables.',
           '.PP',
           'A line starting with \\fB;\\fR or \\fB#\\fR is a comment, so a bare \\fB;\\fR cannot be a value',
           '(write \\fBinput.delimiter = semicolon\\fR).',
           '.SH KEYS']
    for sec, note, ks in keytable.sections():
        out += ['.SS [%s]' % sec]
        if note:
            out.append(esc(note[0].upper() + note[1:]) + '.')
        for name, dv, doc in ks:
            out += ['.TP', '\\fB%s\\fR%s' % (name, (' (default: %s)' % esc(dv)) if dv else ''), esc(doc)]
    out += ['.SH EXAMPLE', '.nf',
            '[gis]', 'org_ppa_guid = 6ab9ff8b\\-3d1a\\-4b4b\\-9a8e\\-1f3c2b4d5e6f', '',
            '[sign]', 'key = /etc/hcsbatch/key.pem', 'cert = /etc/hcsbatch/cert.pem', 'pass_env = HCS_KEY_PIN', '',
            '[paths]', 'work_dir = /var/lib/hcsbatch', 'schemas_dir = /usr/share/hcsbatch/hcs\\-wsdl\\-12.2.2.15',
            '.fi',
            '.SH FILES'] + installed_files() + [
            '.SH SEE ALSO', '\\fBhcsbatch\\fR(1), \\fBhcs-sim\\fR(1), docs/config.md, docs/signing.md']
    return out


def sim_page(exe):
    out = ['.TH HCS-SIM 1 "2026" "hcsbatch" "User Commands"',
           '.SH NAME', 'hcs-sim \\- local simulator of the GIS ZhKKh asynchronous SOAP API and file store',
           '.SH SYNOPSIS', '.B hcs-sim', '\\fB\\-\\-world\\fR \\fIDIR\\fR [\\fIOPTIONS\\fR]',
           '.SH DESCRIPTION',
           'A server, not a mock: it speaks the asynchronous SOAP protocol and the file store protocol',
           'of GIS ZhKKh over HTTP on 127.0.0.1, checks requests the way GIS does (schema, signature,',
           'certificate, provider), keeps a world of houses, premises, accounts, meters and payment',
           'documents, changes it on imports, answers exports from it, and can inject faults.',
           'The tests, the benchmarks and \\fBmake demo\\fR run \\fBhcsbatch\\fR(1) against it.',
           '.PP',
           'The first line on stdout is always \\fBlistening on http://127.0.0.1:\\fR\\fIPORT\\fR\\fB/\\fR (flushed at',
           'once), so scripts start it with \\fB\\-\\-port 0\\fR and read the URL. SIGTERM or SIGINT stop it',
           'cleanly.',
           '.SH OPTIONS', '.nf', esc(help_of(exe, '--help')), '.fi',
           '.SH ASYNCHRONOUS LIFE CYCLE',
           'An import or export is acknowledged at once with a new MessageGUID; the same requester',
           'MessageGUID again gets the same acknowledgement. getState answers RequestState 1 during the',
           "first third of the operation's processing time, 2 until it has passed, 3 with the result",
           'after. An unknown MessageGUID is answered INT002013.',
           '.SH WORLD',
           'UTF\\-8 CSV files separated by \\fB;\\fR with a header line, every one optional:',
           'provider.ini ([provider] org_ppa_guid, ogrn, name, certificate), houses.csv, premises.csv,',
           'rooms.csv, meters.csv, accounts.csv, orgs.csv, payment_documents.csv and nsi/\\fIregistry\\fR.csv',
           '(code;guid;name). The state (\\fB\\-\\-state\\fR) is one SQLite file and the file store; on every',
           'start the world files are reloaded and what imports created is kept. Delete the state',
           'directory for a fresh GIS.',
           '.SH FAULTS',
           '\\fB\\-\\-faults\\fR takes comma-separated rules \\fIKIND\\fR[/\\fIACTION\\fR](=\\fIPROB\\fR|@\\fIFROM\\fR\\-\\fITO\\fR)[:\\fIPARAM\\fR];',
           'kinds: http500, http502, http503, reset, stall, truncated, garbled, exp001000, maintenance,',
           'slow, result. The same \\fB\\-\\-seed\\fR and the same requests give the same faults.',
           '.SH EXIT STATUS',
           '0 after SIGTERM or SIGINT; 64 bad usage; 65, 66 or 78 unusable world, schemas or certificate;',
           '69 cannot listen.',
           '.SH SEE ALSO', '\\fBhcsbatch\\fR(1), docs/hcs-sim.md (endpoints, operations, error codes, request log)']
    return out


if __name__ == '__main__':
    if sys.argv[1] == '--ini':
        page = ini_page()
    elif sys.argv[1] == '--sim':
        page = sim_page(sys.argv[2])
    else:
        page = hcsbatch_page(sys.argv[1])
    print('\n'.join(page))
