/*
 * The ledger's SQLite backend: one database file per CA, ledger.db in
 * its directory, in WAL mode.  Everything that knows SQLite lives here:
 * the schema and its migrations (PRAGMA user_version), BEGIN IMMEDIATE,
 * the statements and their plans, and the names of the database's
 * files.  ledger.c reaches it only through ledger_sqlite_ops.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "cakit.h"
#include "ledger-backend.h"

#define DB_FILE		"ledger.db"
#define BUSY_TIMEOUT_MS	60000

struct ledger_db {
	sqlite3	*db;
	char	*path;
};

/*
 * migrations[i] takes a ledger from user_version i to i + 1.  Append,
 * never edit: ledgers in the field are at every version.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE certs ("
	" serial TEXT NOT NULL UNIQUE,"		/* lowercase hex */
	" subject TEXT NOT NULL,"		/* RFC 4514, verbatim */
	" sans TEXT NOT NULL,"			/* DNS:x newline IP:y */
	" profile TEXT NOT NULL,"
	" not_before INTEGER NOT NULL,"		/* Unix time */
	" not_after INTEGER NOT NULL,"
	" issued_at INTEGER NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'valid'"
	"  CHECK (status IN ('valid', 'revoked')),"
	" revoked_at INTEGER,"
	" reason INTEGER,"			/* RFC 5280 CRLReason */
	" replaces TEXT,"			/* serial renewed */
	" der BLOB NOT NULL);"
	"CREATE INDEX certs_not_after ON certs (not_after);"
	"CREATE INDEX certs_revoked ON certs (revoked_at)"
	" WHERE status = 'revoked';"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"INSERT INTO meta (key, value) VALUES ('crl_number', '0');",
	/* 1 -> 2: who issued each certificate. */
	"ALTER TABLE certs ADD COLUMN issued_by TEXT;",
	/* 2 -> 3: the CRL is written from the index alone. */
	"DROP INDEX certs_revoked;"
	"CREATE INDEX certs_revoked ON certs (revoked_at, serial, reason)"
	" WHERE status = 'revoked';",
	/*
	 * 3 -> 4: each certificate's key, so that a key revoked for
	 * keyCompromise, or a CA's, is found without a scan; keys_fill
	 * computes it for the rows already there.
	 */
	"ALTER TABLE certs ADD COLUMN key_id BLOB;"
	"CREATE INDEX certs_key ON certs (key_id);",
	/*
	 * 4 -> 5: the CRL number, an integer in a table of its own that
	 * one statement advances, out of the settings.  Every text that
	 * version 4 read as a number moves (digits, leading zeros too, up
	 * to CRL_NUMBER_MAX); any other text stays in meta and the table
	 * stays empty, so that, as before, the CA still signs and lists
	 * but no CRL is numbered until someone repairs it: never a
	 * restarted numbering, and never a ledger no command can open.
	 */
	"CREATE TABLE crl_number (id INTEGER PRIMARY KEY CHECK (id = 1),"
	" number INTEGER NOT NULL CHECK (number >= 0));"
	"INSERT INTO crl_number (id, number) SELECT 1, CAST(value AS INTEGER)"
	" FROM meta WHERE key = 'crl_number' AND value GLOB '[0-9]*' AND"
	" NOT value GLOB '*[^0-9]*' AND (length(ltrim(value, '0')) < 19 OR"
	" (length(ltrim(value, '0')) = 19 AND"
	" ltrim(value, '0') <= '9223372036854775806'));"
	"DELETE FROM meta WHERE key = 'crl_number' AND"
	" EXISTS (SELECT 1 FROM crl_number);",
};

#define KEY_ID_VERSION	4

/* The largest CRL number the ledger gives: no overflow above it. */
#define CRL_NUMBER_MAX	((uint64_t)INT64_MAX - 1)

/*
 * Every statement is prepared here.  With CAKIT_TEST_QUERY_PLAN set,
 * its SQL and SQLite's plan for it are appended to that file, so that
 * the tests can hold the hot queries to their indexes.
 */
static int
prepare(struct ledger_db *l, const char *sql, sqlite3_stmt **st)
{
	sqlite3_stmt	*plan = NULL;
	const char	*path;
	struct buf	 q = { 0 };
	FILE		*f;
	int		 ret;

	if ((ret = sqlite3_prepare_v2(l->db, sql, -1, st, NULL)) != SQLITE_OK ||
	    (path = getenv("CAKIT_TEST_QUERY_PLAN")) == NULL ||
	    (f = fopen(path, "a")) == NULL)
		return ret;
	buf_printf(&q, "EXPLAIN QUERY PLAN %s", sql);
	fprintf(f, "SQL %s\n", sql);
	if (sqlite3_prepare_v2(l->db, buf_str(&q), -1, &plan, NULL) ==
	    SQLITE_OK)
		while (sqlite3_step(plan) == SQLITE_ROW)
			fprintf(f, "PLAN %s\n", sqlite3_column_text(plan, 3));
	sqlite3_finalize(plan);
	buf_free(&q);
	fclose(f);
	return ret;
}

/*
 * SQLite's message, and for a failure of the file system the system's
 * own reason: "disk I/O error" alone does not say the disk is full.
 */
static void
err_sqlite(struct cakit_err *err, struct ledger_db *l, const char *what)
{
	int	 code = sqlite3_extended_errcode(l->db) & 0xff;
	int	 sys = sqlite3_system_errno(l->db);

	if ((code == SQLITE_IOERR || code == SQLITE_FULL ||
	    code == SQLITE_CANTOPEN || code == SQLITE_READONLY) && sys != 0)
		err_set(err, "%s: %s: %s (%s)", l->path, what, strerror(sys),
		    sqlite3_errmsg(l->db));
	else
		err_set(err, "%s: %s: %s", l->path, what,
		    sqlite3_errmsg(l->db));
}

static int
exec(struct ledger_db *l, const char *sql, struct cakit_err *err)
{
	if (sqlite3_exec(l->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		err_sqlite(err, l, sql);
		return -1;
	}
	return 0;
}

static int
user_version(struct ledger_db *l, int *v, struct cakit_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 code, rc = -1;

	if (prepare(l, "PRAGMA user_version", &st) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		code = sqlite3_extended_errcode(l->db) & 0xff;
		if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
			err_set(err, "%s: not a cakit ledger (%s)", l->path,
			    sqlite3_errmsg(l->db));
		else
			err_sqlite(err, l, "cannot read the ledger");
		goto out;
	}
	*v = sqlite3_column_int(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* The key_id of every row, from its DER: once, in the migration to 4. */
static int
keys_fill(struct ledger_db *l, struct cakit_err *err)
{
	sqlite3_stmt		*sel = NULL, *upd = NULL;
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_datum_t		 der;
	unsigned char		 id[KEY_ID_LEN];
	int			 ret, rc = -1;

	if (prepare(l, "SELECT rowid, der FROM certs", &sel) != SQLITE_OK ||
	    prepare(l, "UPDATE certs SET key_id = ?"
	    " WHERE rowid = ?", &upd) != SQLITE_OK) {
		err_sqlite(err, l, "key identifiers");
		goto out;
	}
	while ((ret = sqlite3_step(sel)) == SQLITE_ROW) {
		der.data = (unsigned char *)sqlite3_column_blob(sel, 1);
		der.size = sqlite3_column_bytes(sel, 1);
		if ((crt = cert_import(&der, err)) == NULL ||
		    key_id_crt(crt, id, err) == -1)
			goto out;
		gnutls_x509_crt_deinit(crt);
		crt = NULL;
		sqlite3_bind_blob(upd, 1, id, sizeof(id), SQLITE_STATIC);
		sqlite3_bind_int64(upd, 2, sqlite3_column_int64(sel, 0));
		if (sqlite3_step(upd) != SQLITE_DONE) {
			err_sqlite(err, l, "key identifiers");
			goto out;
		}
		sqlite3_reset(upd);
	}
	if (ret != SQLITE_DONE) {
		err_sqlite(err, l, "key identifiers");
		goto out;
	}
	rc = 0;
out:
	gnutls_x509_crt_deinit(crt);
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	return rc;
}

/* IMMEDIATE: a deferred write can fail BUSY without the busy handler. */
static int
db_begin(struct ledger_db *l, struct cakit_err *err)
{
	return exec(l, "BEGIN IMMEDIATE", err);
}

static void
db_rollback(struct ledger_db *l)
{
	if (!sqlite3_get_autocommit(l->db))
		(void)sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
}

static int
db_commit(struct ledger_db *l, struct cakit_err *err)
{
	if (exec(l, "COMMIT", err) == -1) {
		db_rollback(l);
		return -1;
	}
	return 0;
}

/* Bring the schema up to LEDGER_VERSION in one transaction. */
static int
migrate(struct ledger_db *l, struct cakit_err *err)
{
	char	 sql[64];
	int	 v;

	if (db_begin(l, err) == -1)
		return -1;
	/* Read again under the write lock: another process may have won. */
	if (user_version(l, &v, err) == -1)
		goto fail;
	for (; v < LEDGER_VERSION; v++) {
		if (exec(l, migrations[v], err) == -1 ||
		    (v + 1 == KEY_ID_VERSION && keys_fill(l, err) == -1))
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v + 1);
		if (exec(l, sql, err) == -1)
			goto fail;
	}
	return db_commit(l, err);
fail:
	db_rollback(l);
	return -1;
}

static void
db_free(struct ledger_db *l)
{
	if (l == NULL)
		return;
	sqlite3_close(l->db);
	free(l->path);
	free(l);
}

/*
 * Open dir's ledger.db; only ca-init creates one.  An up-to-date
 * ledger costs one PRAGMA read: no schema work.
 */
static struct ledger_db *
db_open(const char *dir, bool create, struct cakit_err *err)
{
	struct ledger_db	*l;
	int			 v, flags;

	l = xcalloc(1, sizeof(*l));
	l->path = file_join(dir, DB_FILE);
	if (!create && !file_exists(l->path)) {
		err_set(err, "%s: missing; the CA directory is damaged",
		    l->path);
		goto fail;
	}
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(l->path, &l->db, flags, NULL) != SQLITE_OK) {
		err_set(err, "%s: %s", l->path, l->db == NULL ?
		    "out of memory" : sqlite3_errmsg(l->db));
		goto fail;
	}
	sqlite3_extended_result_codes(l->db, 1);
	sqlite3_busy_timeout(l->db, BUSY_TIMEOUT_MS);
	if (user_version(l, &v, err) == -1 ||
	    exec(l, "PRAGMA synchronous = FULL", err) == -1)
		goto fail;
	if (v > LEDGER_VERSION) {
		err_set(err, "%s: schema version %d is newer than this cakit "
		    "supports (%d); upgrade cakit", l->path, v, LEDGER_VERSION);
		goto fail;
	}
	if (create && exec(l, "PRAGMA journal_mode = WAL", err) == -1)
		goto fail;
	if (v < LEDGER_VERSION && migrate(l, err) == -1)
		goto fail;
	return l;
fail:
	db_free(l);
	return NULL;
}

/*
 * Closed, the last connection writes the log back into ledger.db and
 * removes it, so that the whole ledger is in ledger.db alone.
 */
static int
db_close(struct ledger_db *l, struct cakit_err *err)
{
	struct stat	 st;
	struct buf	 wal = { 0 };
	int		 rc = 0;

	buf_printf(&wal, "%s-wal", l->path);
	db_free(l);
	if (lstat(buf_str(&wal), &st) == 0 && st.st_size > 0) {
		err_set(err, "%s: the ledger's log was not written back",
		    buf_str(&wal));
		rc = -1;
	}
	buf_free(&wal);
	return rc;
}

static char *
db_location(const char *dir)
{
	return file_join(dir, DB_FILE);
}

/* 0 inserted, 1 the serial is taken, -1 error. */
static int
db_insert(struct ledger_db *l, const struct ledger_row *r,
    struct cakit_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1, ret;

	if (prepare(l,
	    "INSERT INTO certs (serial, subject, sans, profile, not_before,"
	    " not_after, issued_at, replaces, der, issued_by, key_id)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st) !=
	    SQLITE_OK) {
		err_sqlite(err, l, "insert");
		goto out;
	}
	sqlite3_bind_text(st, 1, r->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->sans, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, profile_name(r->profile), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, r->not_before);
	sqlite3_bind_int64(st, 6, r->not_after);
	sqlite3_bind_int64(st, 7, r->issued_at);
	if (r->replaces != NULL)
		sqlite3_bind_text(st, 8, r->replaces, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 9, r->der.data, r->der.size, SQLITE_STATIC);
	if (r->issued_by != NULL)
		sqlite3_bind_text(st, 10, r->issued_by, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 11, r->key_id, KEY_ID_LEN, SQLITE_STATIC);
	ret = sqlite3_step(st);
	if (ret == SQLITE_CONSTRAINT_UNIQUE) {
		rc = 1;
		goto out;
	}
	if (ret != SQLITE_DONE) {
		err_sqlite(err, l, "insert");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static char *
column_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return s == NULL ? NULL : xstrdup((const char *)s);
}

/* Fill r from a row of "SELECT " ROW_COLUMNS. */
#define ROW_COLUMNS "serial, subject, sans, profile, not_before, not_after," \
	" issued_at, status, revoked_at, reason, replaces, der, issued_by"

static int
row_read(struct ledger_db *l, sqlite3_stmt *st, struct ledger_row *r,
    struct cakit_err *err)
{
	const unsigned char	*s;
	const void		*der;

	memset(r, 0, sizeof(*r));
	s = sqlite3_column_text(st, 0);
	if (s == NULL || strlen((const char *)s) > SERIAL_HEXLEN ||
	    ledger_profile_parse((const char *)sqlite3_column_text(st, 3),
	    &r->profile) == -1) {
		err_set(err, "%s: malformed row", l->path);
		return -1;
	}
	snprintf(r->serial, sizeof(r->serial), "%s", (const char *)s);
	r->subject = column_strdup(st, 1);
	r->sans = column_strdup(st, 2);
	r->not_before = sqlite3_column_int64(st, 4);
	r->not_after = sqlite3_column_int64(st, 5);
	r->issued_at = sqlite3_column_int64(st, 6);
	s = sqlite3_column_text(st, 7);
	r->status = s != NULL && strcmp((const char *)s, "revoked") == 0 ?
	    STATUS_REVOKED : STATUS_VALID;
	r->revoked_at = sqlite3_column_int64(st, 8);
	r->reason = sqlite3_column_int(st, 9);
	r->replaces = column_strdup(st, 10);
	r->issued_by = column_strdup(st, 12);
	der = sqlite3_column_blob(st, 11);
	r->der.size = sqlite3_column_bytes(st, 11);
	r->der.data = xmalloc(r->der.size);
	if (der != NULL)
		memcpy(r->der.data, der, r->der.size);
	if (r->subject == NULL || r->sans == NULL) {
		ledger_row_clear(r);
		err_set(err, "%s: malformed row", l->path);
		return -1;
	}
	return 0;
}

/* 0 found (r filled, cleared with ledger_row_clear), 1 absent, -1 error. */
static int
db_get(struct ledger_db *l, const char *serial, struct ledger_row *r,
    struct cakit_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1, ret;

	memset(r, 0, sizeof(*r));
	if (prepare(l, "SELECT " ROW_COLUMNS
	    " FROM certs WHERE serial = ?", &st) != SQLITE_OK) {
		err_sqlite(err, l, "select");
		goto out;
	}
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	if ((ret = sqlite3_step(st)) == SQLITE_DONE)
		rc = 1;
	else if (ret != SQLITE_ROW)
		err_sqlite(err, l, "select");
	else
		rc = row_read(l, st, r, err);
out:
	sqlite3_finalize(st);
	return rc;
}

static int
db_count(struct ledger_db *l, long long *n, struct cakit_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	if (prepare(l, "SELECT count(*) FROM certs", &st) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		err_sqlite(err, l, "count");
		goto out;
	}
	*n = sqlite3_column_int64(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* 0 found (*value is the caller's), 1 absent, -1 error. */
static int
db_setting_get(struct ledger_db *l, const char *key, char **value,
    struct cakit_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1, ret;

	*value = NULL;
	if (prepare(l, "SELECT value FROM meta WHERE key = ?", &st) !=
	    SQLITE_OK) {
		err_sqlite(err, l, "meta");
		goto out;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((ret = sqlite3_step(st)) == SQLITE_DONE)
		rc = 1;
	else if (ret != SQLITE_ROW)
		err_sqlite(err, l, "meta");
	else {
		*value = column_strdup(st, 0);
		rc = *value == NULL ? 1 : 0;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

/* A NULL value removes the setting. */
static int
db_setting_set(struct ledger_db *l, const char *key, const char *value,
    struct cakit_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	if (prepare(l, value != NULL ?
	    "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)" :
	    "DELETE FROM meta WHERE key = ?1", &st) != SQLITE_OK) {
		err_sqlite(err, l, "meta");
		goto out;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (value != NULL)
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		err_sqlite(err, l, "meta");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* The number of the last CRL taken: 0 with *number set, or -1. */
static int
db_crl_number(struct ledger_db *l, uint64_t *number, struct cakit_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 ret, rc = -1;

	if (prepare(l, "SELECT number, typeof(number) = 'integer'"
	    " FROM crl_number WHERE id = 1", &st) != SQLITE_OK) {
		err_sqlite(err, l, "CRL number");
		goto out;
	}
	if ((ret = sqlite3_step(st)) == SQLITE_DONE)
		err_set(err, "%s: the ledger has no CRL number", l->path);
	else if (ret != SQLITE_ROW)
		err_sqlite(err, l, "CRL number");
	else if (sqlite3_column_int(st, 1) == 0 ||
	    sqlite3_column_int64(st, 0) < 0 ||
	    (uint64_t)sqlite3_column_int64(st, 0) > CRL_NUMBER_MAX)
		err_set(err, "%s: the ledger's CRL number is damaged",
		    l->path);
	else {
		*number = sqlite3_column_int64(st, 0);
		rc = 0;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

/*
 * One UPDATE advances the number, so that two writers can never take
 * the same one, in a transaction or not; the savepoint makes the read
 * that follows it see this writer's number.  The UPDATE comes first:
 * it takes the write lock through the busy handler.
 */
static int
db_crl_number_next(struct ledger_db *l, uint64_t floor, uint64_t *number,
    struct cakit_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	if (floor >= CRL_NUMBER_MAX) {
		err_set(err, "%s: the CRL number is exhausted", l->path);
		return -1;
	}
	if (exec(l, "SAVEPOINT crl_number", err) == -1)
		return -1;
	if (prepare(l, "UPDATE crl_number SET number = max(number, ?1) + 1"
	    " WHERE id = 1 AND max(number, ?1) < ?2", &st) != SQLITE_OK) {
		err_sqlite(err, l, "CRL number");
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)floor);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)CRL_NUMBER_MAX);
	if (sqlite3_step(st) != SQLITE_DONE) {
		err_sqlite(err, l, "CRL number");
		goto out;
	}
	if (db_crl_number(l, number, err) == -1)
		goto out;
	if (sqlite3_changes(l->db) != 1) {
		err_set(err, "%s: the CRL number is exhausted", l->path);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	if (rc == -1)
		(void)sqlite3_exec(l->db, "ROLLBACK TO crl_number", NULL, NULL,
		    NULL);
	if (exec(l, "RELEASE crl_number", rc == 0 ? err : NULL) == -1)
		rc = -1;
	return rc;
}

struct revoked_source {
	struct ledger_db	*l;
	sqlite3_stmt		*st;
};

static int
revoked_next(void *arg, struct crl_entry *e, struct cakit_err *err)
{
	struct revoked_source	*r = arg;
	const unsigned char	*serial;
	int			 ret;

	if ((ret = sqlite3_step(r->st)) == SQLITE_DONE)
		return 0;
	if (ret != SQLITE_ROW) {
		err_sqlite(err, r->l, "revoked");
		return -1;
	}
	if ((serial = sqlite3_column_text(r->st, 0)) == NULL ||
	    serial_parse((const char *)serial, &e->serial, err) == -1) {
		err_set(err, "%s: malformed serial in a revoked row",
		    r->l->path);
		return -1;
	}
	e->revoked_at = sqlite3_column_int64(r->st, 1);
	e->reason = sqlite3_column_int(r->st, 2);
	return 1;
}

static int
revoked_rewind(void *arg, struct cakit_err *err)
{
	struct revoked_source	*r = arg;

	(void)err;
	sqlite3_reset(r->st);
	return 0;
}

/*
 * Every revocation, read through the partial index on revoked rows,
 * never the whole table, and never held all in memory.
 */
static int
db_revoked(struct ledger_db *l, struct crl_source *src,
    struct cakit_err *err)
{
	struct revoked_source	*r;

	r = xcalloc(1, sizeof(*r));
	r->l = l;
	if (prepare(l, "SELECT serial, revoked_at, reason"
	    " FROM certs WHERE status = 'revoked' ORDER BY revoked_at",
	    &r->st) != SQLITE_OK) {
		err_sqlite(err, l, "revoked");
		free(r);
		return -1;
	}
	src->next = revoked_next;
	src->rewind = revoked_rewind;
	src->arg = r;
	return 0;
}

static void
db_revoked_free(struct crl_source *src)
{
	struct revoked_source	*r = src->arg;

	if (r == NULL)
		return;
	sqlite3_finalize(r->st);
	free(r);
	src->arg = NULL;
}

/* 0 revoked now, 1 it already was, -1 error; the row must exist. */
static int
db_revoke(struct ledger_db *l, const char *serial, time_t when, int reason,
    struct cakit_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	if (prepare(l, "UPDATE certs SET status = 'revoked', revoked_at = ?,"
	    " reason = ? WHERE serial = ? AND status = 'valid'", &st) !=
	    SQLITE_OK) {
		err_sqlite(err, l, "revoke");
		goto out;
	}
	sqlite3_bind_int64(st, 1, when);
	sqlite3_bind_int(st, 2, reason);
	sqlite3_bind_text(st, 3, serial, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		err_sqlite(err, l, "revoke");
		goto out;
	}
	rc = sqlite3_changes(l->db) == 1 ? 0 : 1;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Answered from certs_key. */
static int
db_key_use(struct ledger_db *l, const unsigned char *id,
    char serial[SERIAL_HEXLEN + 1], bool *is_ca, struct cakit_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 ret, rc = -1;

	if (prepare(l, "SELECT serial, profile = 'ca'"
	    " FROM certs WHERE key_id = ? AND (profile = 'ca' OR"
	    " (status = 'revoked' AND reason = 1)) LIMIT 1", &st) != SQLITE_OK) {
		err_sqlite(err, l, "key lookup");
		goto out;
	}
	sqlite3_bind_blob(st, 1, id, KEY_ID_LEN, SQLITE_STATIC);
	if ((ret = sqlite3_step(st)) == SQLITE_DONE)
		rc = 0;
	else if (ret != SQLITE_ROW)
		err_sqlite(err, l, "key lookup");
	else {
		snprintf(serial, SERIAL_HEXLEN + 1, "%s",
		    (const char *)sqlite3_column_text(st, 0));
		*is_ca = sqlite3_column_int(st, 1) != 0;
		rc = 1;
	}
out:
	sqlite3_finalize(st);
	return rc;
}

/* Answered from certs_key. */
static int
db_same_key(struct ledger_db *l, const char *serial, char ***out, size_t *n,
    struct cakit_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 ret;

	*out = NULL;
	*n = 0;
	if (prepare(l, "SELECT serial FROM certs"
	    " WHERE key_id = (SELECT key_id FROM certs WHERE serial = ?1)"
	    " AND serial != ?1 AND status = 'valid' ORDER BY serial",
	    &st) != SQLITE_OK) {
		err_sqlite(err, l, "key lookup");
		return -1;
	}
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	while ((ret = sqlite3_step(st)) == SQLITE_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[(*n)++] = xstrdup((const char *)
		    sqlite3_column_text(st, 0));
	}
	if (ret != SQLITE_DONE)
		err_sqlite(err, l, "key lookup");
	sqlite3_finalize(st);
	if (ret != SQLITE_DONE) {
		while (*n > 0)
			free((*out)[--*n]);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/*
 * ledger_list's statement.  Each value has a fixed parameter that the
 * clauses name and list_bind binds wherever it appears, so the text and
 * the binding cannot get out of step.
 */
#define P_NOW		"?1"
#define P_UNTIL		"?2"
#define P_SUBJECT	"?3"

static void
list_sql(const struct ledger_filter *f, struct buf *sql)
{
	buf_printf(sql, "SELECT serial, subject, sans, profile, not_before,"
	    " not_after, issued_at, status, revoked_at, reason, replaces, %s,"
	    " issued_by FROM certs WHERE 1", f->with_der ? "der" : "x''");
	if (f->status == STATUS_VALID)
		buf_printf(sql, " AND status = 'valid' AND not_after >= "
		    P_NOW);
	else if (f->status == STATUS_EXPIRED)
		buf_printf(sql, " AND status = 'valid' AND not_after < "
		    P_NOW);
	else if (f->status == STATUS_REVOKED)
		buf_printf(sql, " AND status = 'revoked'");
	if (f->expiring_days >= 0)
		buf_printf(sql, " AND status = 'valid' AND not_after >= "
		    P_NOW " AND not_after <= " P_UNTIL);
	if (f->subject != NULL)
		buf_printf(sql, " AND instr(lower(subject), lower(" P_SUBJECT
		    ")) > 0");
	buf_printf(sql, " ORDER BY not_after, serial");
}

static void
list_bind(sqlite3_stmt *st, const struct ledger_filter *f)
{
	int	 i;

	if ((i = sqlite3_bind_parameter_index(st, P_NOW)) > 0)
		sqlite3_bind_int64(st, i, f->now);
	if ((i = sqlite3_bind_parameter_index(st, P_UNTIL)) > 0)
		sqlite3_bind_int64(st, i, f->now + f->expiring_days * 86400);
	if ((i = sqlite3_bind_parameter_index(st, P_SUBJECT)) > 0)
		sqlite3_bind_text(st, i, f->subject, -1, SQLITE_STATIC);
}

/* In order of expiry, from the not_after and revoked indexes. */
static int
db_list(struct ledger_db *l, const struct ledger_filter *f,
    int (*cb)(const struct ledger_row *, void *), void *arg,
    struct cakit_err *err)
{
	struct buf		 sql = { 0 };
	struct ledger_row	 r;
	sqlite3_stmt		*st = NULL;
	int			 ret, rc = -1;

	list_sql(f, &sql);
	if (prepare(l, buf_str(&sql), &st) != SQLITE_OK) {
		err_sqlite(err, l, "list");
		goto out;
	}
	list_bind(st, f);
	while ((ret = sqlite3_step(st)) == SQLITE_ROW) {
		if (row_read(l, st, &r, err) == -1)
			goto out;
		ret = cb(&r, arg);
		ledger_row_clear(&r);
		if (ret != 0) {
			rc = ret;
			goto out;
		}
	}
	if (ret != SQLITE_DONE) {
		err_sqlite(err, l, "list");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	buf_free(&sql);
	return rc;
}

static const char *const kept_files[] = {
	DB_FILE,
	NULL,
};

static const char *const transient_files[] = {
	DB_FILE "-wal",
	DB_FILE "-shm",
	DB_FILE "-journal",
	NULL,
};

const struct ledger_ops ledger_sqlite_ops = {
	.name = "sqlite",
	.files = { kept_files, transient_files },
	.open = db_open,
	.close = db_close,
	.free = db_free,
	.location = db_location,
	.begin = db_begin,
	.commit = db_commit,
	.rollback = db_rollback,
	.insert = db_insert,
	.get = db_get,
	.count = db_count,
	.revoke = db_revoke,
	.key_use = db_key_use,
	.same_key = db_same_key,
	.revoked = db_revoked,
	.revoked_free = db_revoked_free,
	.list = db_list,
	.crl_number = db_crl_number,
	.crl_number_next = db_crl_number_next,
	.setting_get = db_setting_get,
	.setting_set = db_setting_set,
};
