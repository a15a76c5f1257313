#!/bin/sh
# pg_throwaway.sh CMD [ARG...] — runs CMD with a throw-away PostgreSQL
# server when Debian's postgresql package is installed: initdb into a
# temporary directory, a loopback port, the unix socket in that directory,
# trust authentication for the local user "hcs".  CMD sees
# HCS_TEST_PG_CONNINFO (unset when there is no server: the PostgreSQL half
# of the tests prints SKIP).  The server is stopped and the directory
# removed at the end, also when CMD fails or the script is interrupted.
# As root the server runs as an unprivileged user (nobody), which owns the
# directory.  Exit status: CMD's.
set -u
[ $# -gt 0 ] || { echo "usage: pg_throwaway.sh CMD [ARG...]" >&2; exit 64; }

pgbin=""
for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && pgbin=$d
done
if [ -z "$pgbin" ] || [ -n "${HCS_NO_PG:-}" ]; then
    unset HCS_TEST_PG_CONNINFO
    "$@"
    exit $?
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/hcs-pg.XXXXXX")
chmod 755 "$dir"
as_owner() { "$@"; }
if [ "$(id -u)" = 0 ]; then
    chown nobody "$dir"
    as_owner() { runuser -u nobody -- "$@"; }
fi

stop() {
    [ -f "$dir/data/postmaster.pid" ] && as_owner "$pgbin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$dir"
}
trap 'stop' EXIT
trap 'exit 130' INT TERM HUP

if ! as_owner "$pgbin/initdb" -D "$dir/data" -A trust -U hcs -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
    echo "pg_throwaway: initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    exit 1
fi
# A free loopback port: try a few from a pseudo-random start.
started=0
base=$(( 20000 + ($$ * 7) % 20000 ))
for i in 0 1 2 3 4 5 6 7; do
    port=$((base + i * 97))
    if as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c max_connections=60" \
        start >/dev/null 2>&1; then
        started=1
        break
    fi
done
if [ $started = 0 ]; then
    echo "pg_throwaway: the server did not start:" >&2
    tail -n 20 "$dir/server.log" >&2
    exit 1
fi
HCS_TEST_PG_CONNINFO="host=$dir port=$port user=hcs dbname=postgres"
HCS_TEST_PG_DIR=$dir
HCS_TEST_PG_BIN=$pgbin
export HCS_TEST_PG_CONNINFO HCS_TEST_PG_DIR HCS_TEST_PG_BIN
"$@"
rc=$?
exit $rc
