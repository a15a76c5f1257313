#!/bin/sh
# hcsbatch-cron.sh — run hcsbatch from cron or systemd with a hard time
# limit, an outer lock and a log file per day; the exit code is hcsbatch's
# (0 ok, 65 rows rejected, 69 GIS unreachable, 75 another run holds the
# lock, 78 configuration), or 124 when the time limit killed it.
#   HCSBATCH          binary (default: hcsbatch on PATH)
#   HCSBATCH_CONFIG   configuration file (default /etc/hcsbatch/hcsbatch.ini)
#   HCSBATCH_LOG_DIR  where the daily logs go (default /var/lib/hcsbatch/logs)
#   HCSBATCH_TIMEOUT  seconds before the run is stopped (default 3300)
#   TMPDIR            temporary files (default: a 0700 directory tmp/ beside
#                     LOG_DIR; an XLSX's second pass spools its rows there,
#                     personal data that a shared /tmp should not hold)
# Usage: hcsbatch-cron.sh [COMMAND [ARGS]]   (default: run)
set -u
BIN=${HCSBATCH:-hcsbatch}
CONFIG=${HCSBATCH_CONFIG:-/etc/hcsbatch/hcsbatch.ini}
LOG_DIR=${HCSBATCH_LOG_DIR:-/var/lib/hcsbatch/logs}
LIMIT=${HCSBATCH_TIMEOUT:-3300}
[ $# -gt 0 ] || set -- run
mkdir -p "$LOG_DIR" || exit 73
LOG="$LOG_DIR/hcsbatch-$(date +%Y-%m-%d).log"
LOCK="$LOG_DIR/.cron.lock"
if [ -z "${TMPDIR:-}" ]; then
    TMPDIR=$(dirname "$LOG_DIR")/tmp
    (umask 077 && mkdir -p "$TMPDIR") && chmod 700 "$TMPDIR" || exit 73
    export TMPDIR
fi

# The outer lock keeps two wrappers from piling up behind a stuck run; the
# inner one (hcsbatch's own run.lock) protects the state either way.
exec 9>"$LOCK" || exit 73
if ! flock -n 9; then
    echo "$(date '+%F %T') another hcsbatch-cron.sh is running; skipped" >>"$LOG"
    exit 75
fi
echo "$(date '+%F %T') start: $BIN $*" >>"$LOG"
# SIGTERM first (a killed run resumes safely next time), SIGKILL 60 s later.
timeout -k 60 "$LIMIT" "$BIN" -c "$CONFIG" "$@" >>"$LOG" 2>&1
rc=$?
case $rc in
    0)   what="ok" ;;
    65)  what="some rows or packets were rejected: see the report" ;;
    69)  what="GIS unreachable: packets wait for the next run" ;;
    75)  what="another run holds the lock" ;;
    78)  what="configuration error" ;;
    124) what="stopped after ${LIMIT} s (the next run resumes)" ;;
    *)   what="failed" ;;
esac
echo "$(date '+%F %T') exit $rc: $what" >>"$LOG"
exit $rc
