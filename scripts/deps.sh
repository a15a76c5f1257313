#!/bin/sh
# Installs the Debian packages hcsbatch needs to build, test and run.
# Called by make before the first compile; quiet when everything is present.
# --all: also the packages only the tests/benchmarks use (PostgreSQL server, openpyxl, LibreOffice is optional).
set -eu
PKGS="build-essential pkg-config libxml2-dev libxml2-utils libxmlsec1-dev xmlsec1 libssl-dev openssl
libengine-gost-openssl libengine-pkcs11-openssl libcurl4-openssl-dev curl libcsv-dev libxlsxwriter-dev libiniparser-dev
zlib1g-dev libminizip-dev libsqlite3-dev sqlite3 libpq-dev libmicrohttpd-dev libcmocka-dev
python3 python3-openpyxl python3-lxml python3-prometheus-client valgrind postgresql time softhsm2 opensc"
# --fuzz (make fuzz): clang with libFuzzer and the sanitizer runtimes.
case " $* " in *" --fuzz "*|*" --all "*) PKGS="$PKGS clang-14 libclang-rt-14-dev" ;; esac
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "hcsbatch: missing Debian packages:$missing" >&2
    echo "hcsbatch: run 'make deps' as root (or: apt-get install$missing)" >&2
    exit 1
fi
echo "hcsbatch: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
