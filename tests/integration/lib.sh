# lib.sh — shell helpers every integration script may source (sourced, not
# run): absolute BINDIR / SCHEMAS_DIR and the program paths, and waiting for
# a server's "listening on URL" line.
# Needs: BINDIR, SCHEMAS_DIR, HCS_TOP (tests/run.sh exports them; the
# defaults suit a run from the project root).
BINDIR=${BINDIR:-bin}
SCHEMAS_DIR=${SCHEMAS_DIR:-../shared/hcs-wsdl-12.2.2.15}
HCS_TOP=${HCS_TOP:-$(pwd)}
case $BINDIR in /*) ;; *) BINDIR=$HCS_TOP/$BINDIR ;; esac
case $SCHEMAS_DIR in /*) ;; *) SCHEMAS_DIR=$(cd "$HCS_TOP/$SCHEMAS_DIR" && pwd) ;; esac
HCSBATCH=$BINDIR/hcsbatch
SIM=$BINDIR/hcs-sim

# listening_url OUT PID: waits (10 s at most) until the server PID, started
# with its stdout in OUT, prints "listening on URL"; prints URL.  Returns 1
# if the server died or never said it: the caller shows its stderr.  OUT
# must be new to this server (a fresh name, or removed before the start): the
# shell truncates it only after the fork, so a previous server's line could be
# read first.
listening_url() {
    _lu_i=0
    while ! grep -q '^listening on ' "$1" 2>/dev/null; do
        _lu_i=$((_lu_i + 1))
        [ $_lu_i -le 100 ] && kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
    done
    sed -n 's/^listening on //p' "$1" | head -n 1
}
