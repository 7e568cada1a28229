# Sourced by lib.sh when CAKIT_TEST_LEDGER is sqlite (the default): the
# SQLite backend's side of the shell tests.  Every look inside a CA's
# ledger, and every change made to one behind cakit's back, goes
# through these functions, so that a file beside this one
# (ledger-pg.sh, ...) runs the same tests against another backend.
#
#   LEDGER_TOOLS            the tools these need, for need()
#   LEDGER_FILES            the names of the ledger's files in a CA
#                           directory, as ca-init leaves them
#   LEDGER_LOGS             files beside them whose bytes may change
#                           while the ledger does not
#   ledger_sql DIR SQL      run SQL on DIR's ledger; rows on stdout,
#                           columns separated by '|'
#   ledger_rows DIR         how many certificates it holds
#   ledger_snapshot DIR     its rows' serials and status, settings and
#                           CRL number, for snapshot() in lib.sh
#   ledger_setting DIR KEY  one setting's stored text
#   ledger_set_setting DIR KEY VALUE
#   ledger_crl_number DIR   the number of the last CRL it took
#   ledger_set_crl_number DIR N
#   ledger_version DIR      its schema version
#   ledger_latest_version   the version a new or opened ledger has
#   ledger_downgrade DIR V  make it a ledger of version V (4, 3 or 1)
#                           as an older cakit left it, rows kept
#   ledger_tables DIR       its tables, one a line, sorted
#   ledger_journal DIR      how it keeps its log ("wal")
#   ledger_integrity DIR    "ok" when its storage is sound
#   ledger_corrupt DIR      overwrite the start of its storage
#   ledger_refuse_inserts DIR MESSAGE
#                           every insert of a row fails with MESSAGE
#   ledger_der DIR WHERE FILE
#                           the DER of the row WHERE selects, to FILE
#   ledger_hold DIR LOCKED RELEASE
#                           hold its write lock: create LOCKED once
#                           held, release it when RELEASE exists (60 s)

LEDGER_TOOLS=sqlite3
LEDGER_FILES=ledger.db
LEDGER_LOGS="ledger.db-wal ledger.db-shm"

ledger_sql() {
	sqlite3 "$1/ledger.db" "$2"
}

ledger_rows() {
	ledger_sql "$1" 'SELECT count(*) FROM certs'
}

ledger_snapshot() {
	ledger_sql "$1" 'SELECT serial, status FROM certs ORDER BY serial;
	    SELECT * FROM meta ORDER BY key; SELECT number FROM crl_number;'
}

ledger_setting() {
	ledger_sql "$1" "SELECT value FROM meta WHERE key = '$2'"
}

ledger_set_setting() {
	ledger_sql "$1" "INSERT OR REPLACE INTO meta (key, value)
	    VALUES ('$2', '$3')"
}

ledger_crl_number() {
	ledger_sql "$1" 'SELECT number FROM crl_number'
}

ledger_set_crl_number() {
	ledger_sql "$1" "UPDATE crl_number SET number = $2"
}

ledger_version() {
	ledger_sql "$1" 'PRAGMA user_version'
}

ledger_latest_version() {
	sed -n 's/^#define LEDGER_VERSION[^0-9]*\([0-9]*\).*/\1/p' \
	    "$top_srcdir/src/lib/cakit.h"
}

# Each step undoes one migration of ledger-sqlite.c, newest first.
ledger_downgrade() {
	_v=$(ledger_version "$1")
	while [ "$_v" -gt "$2" ]; do
		case $_v in
		5) ledger_sql "$1" "INSERT INTO meta (key, value)
		    SELECT 'crl_number', number FROM crl_number;
		    DROP TABLE crl_number; PRAGMA user_version = 4;" ;;
		4) ledger_sql "$1" 'DROP INDEX certs_key;
		    ALTER TABLE certs DROP COLUMN key_id;
		    PRAGMA user_version = 3;' ;;
		3) ledger_sql "$1" "DROP INDEX certs_revoked;
		    CREATE INDEX certs_revoked ON certs (revoked_at)
		    WHERE status = 'revoked'; PRAGMA user_version = 2;" ;;
		2) ledger_sql "$1" 'ALTER TABLE certs DROP COLUMN issued_by;
		    PRAGMA user_version = 1;' ;;
		*) echo "ledger_downgrade: from version $_v?" >&2; return 1 ;;
		esac || return 1
		_v=$((_v - 1))
	done
}

ledger_tables() {
	ledger_sql "$1" "SELECT name FROM sqlite_master WHERE type = 'table'
	    ORDER BY name"
}

ledger_journal() {
	ledger_sql "$1" 'PRAGMA journal_mode'
}

ledger_integrity() {
	ledger_sql "$1" 'PRAGMA integrity_check'
}

ledger_corrupt() {
	dd if=/dev/urandom of="$1/ledger.db" bs=1 count=200 seek=0 \
	    conv=notrunc 2>/dev/null
}

ledger_refuse_inserts() {
	ledger_sql "$1" "CREATE TRIGGER no BEFORE INSERT ON certs
	    BEGIN SELECT RAISE(ABORT, '$2'); END"
}

ledger_der() {
	ledger_sql "$1" "SELECT writefile('$3', der) FROM certs
	    WHERE $2" >/dev/null
}

ledger_hold() {
	python3 -c 'import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
for i in range(600):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.1)
c.execute("ROLLBACK")' "$1/ledger.db" "$2" "$3"
}
