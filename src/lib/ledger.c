/*
 * The ledger: one SQLite database per CA holding every certificate it
 * issued.  The DER in it is the source of truth; files are exports.
 * Schema and migrations live here and nowhere else.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cakit.h"

#define BUSY_TIMEOUT_MS	60000

struct ledger {
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
};

#define KEY_ID_VERSION	4


/*
 * Every statement is prepared here.  With CAKIT_TEST_QUERY_PLAN set,
 * its SQL and SQLite's plan for it are appended to that file, so that
 * the tests can hold the hot queries to their indexes.
 */
static int
prepare(struct ledger *l, const char *sql, sqlite3_stmt **st)
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
err_sqlite(struct cakit_err *err, struct ledger *l, const char *what)
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
exec(struct ledger *l, const char *sql, struct cakit_err *err)
{
	if (sqlite3_exec(l->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		err_sqlite(err, l, sql);
		return -1;
	}
	return 0;
}

static int
user_version(struct ledger *l, int *v, struct cakit_err *err)
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
keys_fill(struct ledger *l, struct cakit_err *err)
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

/* Bring the schema up to LEDGER_VERSION in one transaction. */
static int
migrate(struct ledger *l, struct cakit_err *err)
{
	char	 sql[64];
	int	 v;

	if (ledger_begin(l, err) == -1)
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
	return ledger_commit(l, err);
fail:
	ledger_rollback(l);
	return -1;
}

/*
 * Open a ledger; only ca-init creates one.  An up-to-date ledger costs
 * one PRAGMA read: no schema work.  Freed with ledger_free.
 */
struct ledger *
ledger_open(const char *path, bool create, struct cakit_err *err)
{
	struct ledger	*l;
	int		 v, flags;

	l = xcalloc(1, sizeof(*l));
	l->path = xstrdup(path);
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &l->db, flags, NULL) != SQLITE_OK) {
		err_set(err, "%s: %s", path, l->db == NULL ? "out of memory" :
		    sqlite3_errmsg(l->db));
		goto fail;
	}
	sqlite3_extended_result_codes(l->db, 1);
	sqlite3_busy_timeout(l->db, BUSY_TIMEOUT_MS);
	if (user_version(l, &v, err) == -1 ||
	    exec(l, "PRAGMA synchronous = FULL", err) == -1)
		goto fail;
	if (v > LEDGER_VERSION) {
		err_set(err, "%s: schema version %d is newer than this cakit "
		    "supports (%d); upgrade cakit", path, v, LEDGER_VERSION);
		goto fail;
	}
	if (create && exec(l, "PRAGMA journal_mode = WAL", err) == -1)
		goto fail;
	if (v < LEDGER_VERSION && migrate(l, err) == -1)
		goto fail;
	return l;
fail:
	ledger_free(l);
	return NULL;
}

void
ledger_free(struct ledger *l)
{
	if (l == NULL)
		return;
	sqlite3_close(l->db);
	free(l->path);
	free(l);
}

/* IMMEDIATE: a deferred write can fail BUSY without the busy handler. */
int
ledger_begin(struct ledger *l, struct cakit_err *err)
{
	return exec(l, "BEGIN IMMEDIATE", err);
}

int
ledger_commit(struct ledger *l, struct cakit_err *err)
{
	if (exec(l, "COMMIT", err) == -1) {
		ledger_rollback(l);
		return -1;
	}
	return 0;
}

void
ledger_rollback(struct ledger *l)
{
	if (!sqlite3_get_autocommit(l->db))
		(void)sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
}

/* 0 inserted, 1 the serial is taken, -1 error. */
int
ledger_insert(struct ledger *l, const struct ledger_row *r,
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

static int
profile_from_text(const char *s, enum profile *p)
{
	if (s != NULL && strcmp(s, "ca") == 0) {
		*p = PROFILE_CA;
		return 0;
	}
	return s == NULL ? -1 : profile_parse(s, p);
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
row_read(struct ledger *l, sqlite3_stmt *st, struct ledger_row *r,
    struct cakit_err *err)
{
	const unsigned char	*s;
	const void		*der;

	memset(r, 0, sizeof(*r));
	s = sqlite3_column_text(st, 0);
	if (s == NULL || strlen((const char *)s) > SERIAL_HEXLEN ||
	    profile_from_text((const char *)sqlite3_column_text(st, 3),
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
int
ledger_get(struct ledger *l, const char *serial, struct ledger_row *r,
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

int
ledger_count(struct ledger *l, long long *n, struct cakit_err *err)
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
int
ledger_meta_get(struct ledger *l, const char *key, char **value,
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

int
ledger_meta_set(struct ledger *l, const char *key, const char *value,
    struct cakit_err *err)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	if (prepare(l, "INSERT OR REPLACE INTO meta (key, value)"
	    " VALUES (?, ?)", &st) != SQLITE_OK) {
		err_sqlite(err, l, "meta");
		goto out;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
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

void
ledger_row_clear(struct ledger_row *r)
{
	free(r->subject);
	free(r->sans);
	free(r->replaces);
	free(r->issued_by);
	free(r->der.data);
	memset(r, 0, sizeof(*r));
}

const char *
status_name(enum cert_status s)
{
	switch (s) {
	case STATUS_VALID:
		return "valid";
	case STATUS_REVOKED:
		return "revoked";
	case STATUS_EXPIRED:
		return "expired";
	}
	return "unknown";
}

struct revoked_source {
	struct ledger	*l;
	sqlite3_stmt	*st;
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
 * Every revocation, for the CRL, as a source that reads them through
 * the partial index on revoked rows, never the whole table, and never
 * holds them all in memory.  Freed with ledger_revoked_free.
 */
int
ledger_revoked(struct ledger *l, struct crl_source *src,
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

void
ledger_revoked_free(struct crl_source *src)
{
	struct revoked_source	*r = src->arg;

	if (r == NULL)
		return;
	sqlite3_finalize(r->st);
	free(r);
	src->arg = NULL;
}

/* 0 revoked now, 1 it already was, -1 error; the row must exist. */
int
ledger_revoke(struct ledger *l, const char *serial, time_t when, int reason,
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

/*
 * Whether this CA certified the key id as a CA, or revoked a
 * certificate of it for keyCompromise: 1 (serial and *is_ca say which
 * certificate), 0 neither, -1 error.  Answered from certs_key.
 */
int
ledger_key_use(struct ledger *l, const unsigned char *id,
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

/*
 * The serials of the unrevoked certificates other than serial that
 * hold its key, in *out (n of them; the caller frees each and the
 * array).  Answered from certs_key.
 */
int
ledger_same_key(struct ledger *l, const char *serial, char ***out, size_t *n,
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
 * Call cb for each row that f selects, in order of expiry, answered
 * from the not_after and revoked indexes.  A non-zero return from cb
 * stops the walk and is returned.
 */
int
ledger_list(struct ledger *l, const struct ledger_filter *f,
    int (*cb)(const struct ledger_row *, void *), void *arg,
    struct cakit_err *err)
{
	struct buf		 sql = { 0 };
	struct ledger_row	 r;
	sqlite3_stmt		*st = NULL;
	int			 i = 1, ret, rc = -1;

	buf_printf(&sql, "SELECT serial, subject, sans, profile, not_before,"
	    " not_after, issued_at, status, revoked_at, reason, replaces, %s,"
	    " issued_by FROM certs WHERE 1", f->with_der ? "der" : "x''");
	switch (f->status) {
	case STATUS_VALID:
		buf_printf(&sql, " AND status = 'valid' AND not_after >= ?%d",
		    i++);
		break;
	case STATUS_EXPIRED:
		buf_printf(&sql, " AND status = 'valid' AND not_after < ?%d",
		    i++);
		break;
	case STATUS_REVOKED:
		buf_printf(&sql, " AND status = 'revoked'");
		break;
	default:
		break;
	}
	if (f->expiring_days >= 0)
		buf_printf(&sql, " AND status = 'valid' AND not_after >= ?%d"
		    " AND not_after <= ?%d", i, i + 1), i += 2;
	if (f->subject != NULL)
		buf_printf(&sql, " AND instr(lower(subject), lower(?%d)) > 0",
		    i++);
	buf_printf(&sql, " ORDER BY not_after, serial");
	if (prepare(l, buf_str(&sql), &st) !=
	    SQLITE_OK) {
		err_sqlite(err, l, "list");
		goto out;
	}
	i = 1;
	if (f->status == STATUS_VALID || f->status == STATUS_EXPIRED)
		sqlite3_bind_int64(st, i++, f->now);
	if (f->expiring_days >= 0) {
		sqlite3_bind_int64(st, i++, f->now);
		sqlite3_bind_int64(st, i++, f->now + f->expiring_days * 86400);
	}
	if (f->subject != NULL)
		sqlite3_bind_text(st, i++, f->subject, -1, SQLITE_STATIC);
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
