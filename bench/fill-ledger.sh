#!/bin/sh
# Fill a cakit ledger with N certificates in one transaction, for the
# benchmark: the documented bulk path to a ledger of a million rows in
# seconds, where a million ca-sign calls would take hours.
#
#   bench/fill-ledger.sh [--revoked] LEDGER N
#
# LEDGER is a CA's ledger.db that already holds at least one certificate
# (issue one with ca-sign first): every new row carries a copy of the
# DER of its most recent certificate, so rows have a real certificate's
# size.  Each row I gets a random 20-octet serial (positive, first octet
# 01-7f, as cakit draws them), subject CN=host-I.bench.example with the
# same dNSName, profile server, an issuance time spread evenly over the
# last two years (a multiplicative hash of I, so the same N always gives
# the same spread) and 365 days of validity from then: about half are
# expired and about 4% expire within any 30 days.  issued_by is
# bench@fill-ledger.  With --revoked every row is revoked, at a time
# between its issuance and now, with reason unspecified, keyCompromise,
# superseded or cessationOfOperation in turn.
#
# Needs the sqlite3 shell (Debian package sqlite3).  Run it while no
# cakit command uses the CA.  The rows are not signed by anything: they
# are for measuring, never for a CA in service.
set -eu

usage() {
	echo "usage: fill-ledger.sh [--revoked] LEDGER N" >&2
	exit 2
}

revoked=0
if [ "${1:-}" = --revoked ]; then
	revoked=1
	shift
fi
[ $# -eq 2 ] || usage
ledger=$1
n=$2
case $n in
'' | *[!0-9]*) usage ;;
esac
[ -f "$ledger" ] || { echo "fill-ledger.sh: $ledger: no such ledger" >&2; exit 1; }
command -v sqlite3 >/dev/null 2>&1 ||
	{ echo "fill-ledger.sh: sqlite3 is not installed (Debian package sqlite3)" >&2; exit 1; }

have=$(sqlite3 -cmd '.timeout 60000' "$ledger" 'SELECT count(*) FROM certs') ||
	exit 1
if [ "$have" = 0 ]; then
	echo "fill-ledger.sh: $ledger holds no certificate to copy; issue one first" >&2
	exit 1
fi

if [ "$revoked" -eq 1 ]; then
	status="'revoked'"
	revoked_at="nb + (i * 40503) % (now - nb + 1)"
	reason="CASE i % 4 WHEN 0 THEN 0 WHEN 1 THEN 1 WHEN 2 THEN 4 ELSE 5 END"
else
	status="'valid'"
	revoked_at=NULL
	reason=NULL
fi

# One transaction without fsync: a power cut during the load may damage
# the ledger, which is acceptable for one made to be measured, and the
# load is three times faster.  The 256 MiB page cache keeps the serial
# index in memory while the random serials land all over it.
sqlite3 -bail "$ledger" <<EOF
.timeout 60000
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
PRAGMA temp_store = MEMORY;
BEGIN IMMEDIATE;
CREATE TEMP TABLE fill_template AS
    SELECT der, CAST(strftime('%s', 'now') AS INTEGER) AS now
    FROM certs ORDER BY rowid DESC LIMIT 1;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $n),
    t AS (SELECT i, now, now - (i * 2654435761) % (2 * 365 * 86400) AS nb
        FROM n, fill_template)
INSERT INTO certs (serial, subject, sans, profile, not_before, not_after,
    issued_at, status, revoked_at, reason, der, issued_by)
SELECT printf('%02x', 1 + abs(random()) % 127) || lower(hex(randomblob(19))),
    'CN=host-' || i || '.bench.example', 'DNS:host-' || i || '.bench.example',
    'server', nb, nb + 365 * 86400, nb, $status, $revoked_at, $reason,
    (SELECT der FROM fill_template), 'bench@fill-ledger'
FROM t;
DROP TABLE fill_template;
COMMIT;
EOF
