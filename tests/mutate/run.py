#!/usr/bin/env python3
"""make mutate: applies each one-line break of tests/mutate/mutations.ini to a
copy of the tree, rebuilds it, runs the tests the entry names and prints
which breaks were killed (some named test failed) and which survived.

The working tree is never touched: the copy lives in a temporary directory
(the files git tracks plus the untracked ones it does not ignore).  Exit
status: 0 when every break was killed, 1 when one survived or its `find`
text is stale, 2 on a usage or build error.

Environment: SCHEMAS_DIR (default ../shared/hcs-wsdl-12.2.2.15), MUTATE_ONLY
(substrings separated by "|": run only the entries whose title contains
one of them), MUTATE_KEEP=1
(keep the copy for a look), HCS_TEST_PG_CONNINFO (`make mutate` runs this
under tests/lib/pg_throwaway.sh: the tests' PostgreSQL halves run too)."""
import configparser
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def tracked_files():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=TOP,
                         check=True, capture_output=True).stdout
    return [f for f in out.decode().split("\0") if f and os.path.isfile(os.path.join(TOP, f))]


def copy_tree(dest):
    for f in tracked_files():
        os.makedirs(os.path.dirname(os.path.join(dest, f)) or dest, exist_ok=True)
        shutil.copy2(os.path.join(TOP, f), os.path.join(dest, f))


def make(tree, env, *targets):
    r = subprocess.run(["make", "-s", "-j2", *targets], cwd=tree, env=env, capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr


def run_test(tree, env, name):
    e = dict(env, TESTS=name)
    r = subprocess.run(["sh", "tests/run.sh"], cwd=tree, env=e, capture_output=True, text=True)
    return r.returncode != 0


def main():
    schemas = os.path.abspath(os.environ.get("SCHEMAS_DIR", os.path.join(TOP, "..", "shared", "hcs-wsdl-12.2.2.15")))
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.optionxform = str
    cfg.read(os.path.join(TOP, "tests", "mutate", "mutations.ini"), encoding="utf-8")
    only = os.environ.get("MUTATE_ONLY", "")
    wanted = only.split("|")
    entries = [s for s in cfg.sections() if any(w in s for w in wanted)]
    if not entries:
        print("mutate: no entry matches %r" % only, file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="hcs-mutate-")
    tree = os.path.join(tmp, "tree")
    os.makedirs(tree)
    copy_tree(tree)
    env = dict(os.environ, SCHEMAS_DIR=schemas, BUILD=os.path.join(tmp, "build"), BINDIR="bin")
    targets = ["all", "unit-bins", "SCHEMAS_DIR=" + schemas, "BUILD=" + env["BUILD"]]
    rc, log = make(tree, env, *targets)
    if rc != 0:
        print(log[-3000:], file=sys.stderr)
        print("mutate: the unmutated tree does not build", file=sys.stderr)
        return 2
    rows, survived = [], 0
    for title in entries:
        e = cfg[title]
        path = os.path.join(tree, e["file"])
        original = open(path, encoding="utf-8").read()
        count = original.count(e["find"])
        if count != 1:
            rows.append((title, e["file"], "STALE: `find` stands %d times" % count))
            survived += 1
            continue
        open(path, "w", encoding="utf-8").write(original.replace(e["find"], e["replace"]))
        rc, log = make(tree, env, *targets)
        if rc != 0:
            verdict = "killed by the compiler"
        else:
            failing = [t for t in e["tests"].split() if run_test(tree, env, t)]
            verdict = "killed by " + ", ".join(failing) if failing else "SURVIVED " + e["tests"]
            survived += not failing
        rows.append((title, e["file"], verdict))
        open(path, "w", encoding="utf-8").write(original)
        os.utime(path)                     # newer than the mutant's objects: rebuilt next time
        print("%-70s %s" % (title[:70], verdict), flush=True)
    print()
    print("| break | file | result |")
    print("|---|---|---|")
    for title, f, verdict in rows:
        print("| %s | %s | %s |" % (title, f, verdict))
    print()
    print("%d breaks, %d killed, %d survived or stale" % (len(rows), len(rows) - survived, survived))
    if os.environ.get("MUTATE_KEEP") == "1":
        print("copy kept in", tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
