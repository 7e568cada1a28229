#!/bin/sh
# Install what building and testing cakit needs (Debian), then run
# autoreconf and configure.  Installs nothing when all is there.
#   ./bootstrap.sh [--bench] [configure options...]
set -eu

cd "$(dirname "$0")"

pkgs="autoconf automake make gcc pkg-config libgnutls28-dev libsqlite3-dev
check gnutls-bin openssl sqlite3 mandoc nginx-light curl softhsm2
bash-completion p11-kit python3 python3-cryptography faketime jq strace"
if [ "${1:-}" = --bench ]; then
	shift
	pkgs="$pkgs easy-rsa time"
fi

missing=
for p in $pkgs; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "bootstrap: installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "bootstrap: run as root, or install these packages first" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
	echo "bootstrap: all dependencies are installed"
fi

autoreconf -fi
./configure "$@"
