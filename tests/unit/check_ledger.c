/*
 * ledger.c through its interface: inserts, lookups, revocation,
 * listing, the CRL number and the settings; and, in the "sqlite" case,
 * what is the SQLite backend's own (schema versions, migrations, its
 * file), which only those cases may know.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "unit.h"

static struct ledger *l;
static struct cakit_err err;
static char *path;

static void
setup(void)
{
	unit_tmpdir();
	path = unit_path("ledger.db");
	l = ledger_create(unit_dir, &err);
	ck_assert_msg(l != NULL, "%s", err.msg);
}

static void
teardown(void)
{
	ledger_free(l);
	free(path);
	unit_rmdir();
}

static void
row_make(struct ledger_row *r, const char *serial, time_t not_after)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->serial, sizeof(r->serial), "%s", serial);
	r->subject = (char *)"CN=x'); DROP TABLE certs;--";
	r->sans = (char *)"DNS:a.example";
	r->profile = PROFILE_CLIENT;
	r->not_before = 1000;
	r->not_after = not_after;
	r->issued_at = 1000;
	r->der.data = (unsigned char *)"\x30\x00";
	r->der.size = 2;
}

/* A row for a real certificate of a new key, its id in r->key_id. */
static void
row_make_cert(struct ledger_row *r, const char *serial)
{
	gnutls_x509_privkey_t	 key;
	gnutls_x509_crt_t	 crt;

	row_make(r, serial, 5000);
	ck_assert_ptr_nonnull(key = key_generate(KEY_ECDSA_P256, &err));
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_key(crt, key), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_serial(crt, "\x01", 1), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_dn(crt, "CN=x", NULL), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_activation_time(crt, 1000), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_expiration_time(crt, 5000), 0);
	ck_assert_int_eq(gnutls_x509_crt_sign2(crt, crt, key,
	    GNUTLS_DIG_SHA256, 0), 0);
	ck_assert_int_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
	    &r->der), 0);
	ck_assert_int_eq(key_id_crt(crt, r->key_id, &err), 0);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
}

/* The SQLite backend's file, read or changed behind the ledger's back. */
static int
pragma(const char *sql)
{
	sqlite3	*db;
	sqlite3_stmt *st;
	int	 v = -1;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
sql_exec(const char *sql)
{
	sqlite3	*db;

	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_msg(sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK,
	    "%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

static void
reopen(void)
{
	ledger_free(l);
	l = ledger_open(unit_dir, &err);
	ck_assert_msg(l != NULL, "%s", err.msg);
}

START_TEST(schema)
{
	ck_assert_int_eq(pragma("PRAGMA user_version"), LEDGER_VERSION);
	ck_assert_int_eq(pragma("SELECT count(*) FROM meta"), 0);
}
END_TEST

/* A new ledger has taken no CRL number. */
START_TEST(crl_number_new)
{
	uint64_t	 n = 99;

	ck_assert_int_eq(ledger_crl_number(l, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* Each number taken is one above the last, and is stored. */
START_TEST(crl_number_monotonic)
{
	uint64_t	 n, last;

	ck_assert_int_eq(ledger_crl_number_next(l, 0, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ledger_crl_number_next(l, 0, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ledger_crl_number(l, &last, &err), 0);
	ck_assert_uint_eq(last, 2);
}
END_TEST

/* The number taken is above floor, and later ones above it too. */
START_TEST(crl_number_floor)
{
	uint64_t	 n;

	ck_assert_int_eq(ledger_crl_number_next(l, 0, &n, &err), 0);
	ck_assert_int_eq(ledger_crl_number_next(l, 10, &n, &err), 0);
	ck_assert_uint_eq(n, 11);
	ck_assert_int_eq(ledger_crl_number_next(l, 5, &n, &err), 0);
	ck_assert_uint_eq(n, 12);
}
END_TEST

START_TEST(crl_number_reopen)
{
	uint64_t	 n;

	ck_assert_int_eq(ledger_crl_number_next(l, 0, &n, &err), 0);
	ck_assert_int_eq(ledger_crl_number_next(l, 0, &n, &err), 0);
	reopen();
	ck_assert_int_eq(ledger_crl_number(l, &n, &err), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(ledger_crl_number_next(l, 0, &n, &err), 0);
	ck_assert_uint_eq(n, 3);
}
END_TEST

/* Inside a transaction, a rollback gives the number back. */
START_TEST(crl_number_rollback)
{
	uint64_t	 n;

	ck_assert_int_eq(ledger_begin(l, &err), 0);
	ck_assert_int_eq(ledger_crl_number_next(l, 0, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ledger_rollback(l);
	ck_assert_int_eq(ledger_crl_number(l, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

/* No number past the largest: refused, and nothing stored. */
START_TEST(crl_number_exhausted)
{
	uint64_t	 n;

	ck_assert_int_eq(ledger_crl_number_next(l, (uint64_t)INT64_MAX - 1,
	    &n, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "exhausted"));
	ck_assert_int_eq(ledger_crl_number_next(l, UINT64_MAX, &n, &err),
	    -1);
	ck_assert_int_eq(ledger_crl_number_next(l, (uint64_t)INT64_MAX - 2,
	    &n, &err), 0);
	ck_assert_uint_eq(n, (uint64_t)INT64_MAX - 1);
	ck_assert_int_eq(ledger_crl_number_next(l, 0, &n, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "exhausted"));
	ck_assert_int_eq(ledger_crl_number(l, &n, &err), 0);
	ck_assert_uint_eq(n, (uint64_t)INT64_MAX - 1);
}
END_TEST

/* A new ledger has no settings: each field says none. */
START_TEST(settings_none)
{
	struct ca_settings	 s;

	ck_assert_int_eq(ledger_settings_load(l, &s, &err), 0);
	ck_assert_ptr_null(s.crl_url);
	ck_assert_int_eq(s.max_days, 0);
	ck_assert_ptr_null(s.parent_dir);
	ck_assert_int_eq(s.issued_at, -1);
	ck_assert_ptr_null(s.issued_by);
	ledger_settings_clear(&s);
}
END_TEST

/* What is stored is loaded back, after the ledger is reopened. */
START_TEST(settings_round_trip)
{
	struct ca_settings	 s = {
		.crl_url = (char *)"http://crl.example/x.crl",
		.max_days = 90,
		.parent_dir = (char *)"/srv/ca/root",
		.issued_at = 1700000000,
		.issued_by = (char *)"op@host",
	};
	struct ca_settings	 got;

	ck_assert_int_eq(ledger_settings_store(l, &s, &err), 0);
	reopen();
	ck_assert_int_eq(ledger_settings_load(l, &got, &err), 0);
	ck_assert_str_eq(got.crl_url, s.crl_url);
	ck_assert_int_eq(got.max_days, 90);
	ck_assert_str_eq(got.parent_dir, s.parent_dir);
	ck_assert_int_eq(got.issued_at, 1700000000);
	ck_assert_str_eq(got.issued_by, "op@host");
	ledger_settings_clear(&got);
	ck_assert_ptr_null(got.crl_url);
	ck_assert_int_eq(got.issued_at, -1);
}
END_TEST

/* Storing a field as none removes what was stored. */
START_TEST(settings_store_removes)
{
	struct ca_settings	 s = {
		.crl_url = (char *)"http://crl.example/x.crl",
		.max_days = 90,
		.issued_at = 0,
	};
	struct ca_settings	 got;

	ck_assert_int_eq(ledger_settings_store(l, &s, &err), 0);
	s.crl_url = NULL;
	s.max_days = 0;
	s.issued_at = -1;
	ck_assert_int_eq(ledger_settings_store(l, &s, &err), 0);
	ck_assert_int_eq(ledger_settings_load(l, &got, &err), 0);
	ck_assert_ptr_null(got.crl_url);
	ck_assert_int_eq(got.max_days, 0);
	ck_assert_int_eq(got.issued_at, -1);
	ledger_settings_clear(&got);
}
END_TEST

/* A max_days outside 1..DAYS_MAX reads as no limit. */
START_TEST(settings_bad_days)
{
	struct ca_settings	 s = { .max_days = DAYS_MAX + 1 };
	struct ca_settings	 got;

	ck_assert_int_eq(ledger_settings_store(l, &s, &err), 0);
	ck_assert_int_eq(ledger_settings_load(l, &got, &err), 0);
	ck_assert_int_eq(got.max_days, 0);
	ledger_settings_clear(&got);
}
END_TEST

/* Closed, the whole ledger is in its kept files: a copy of them opens. */
START_TEST(close_keeps_all)
{
	const char *const	*kept = ledger_files()->kept;
	struct ledger_row	 r, got;
	struct ledger		*l2;
	char			*from, *to, *dir, cmd[1024];
	size_t			 i;

	row_make(&r, "0abc", 5000);
	ck_assert_int_eq(ledger_insert(l, &r, &err), 0);
	ck_assert_int_eq(ledger_close(l, &err), 0);
	l = NULL;
	dir = unit_path("copy");
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	for (i = 0; kept[i] != NULL; i++) {
		from = unit_path(kept[i]);
		to = file_join(dir, kept[i]);
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
		ck_assert_int_eq(system(cmd), 0);
		free(from);
		free(to);
	}
	ck_assert_ptr_nonnull(l2 = ledger_open(dir, &err));
	ck_assert_int_eq(ledger_get(l2, "0abc", &got, &err), 0);
	ledger_row_clear(&got);
	ledger_free(l2);
	free(dir);
}
END_TEST

START_TEST(insert_get)
{
	struct ledger_row	 r, got;
	long long		 n;

	row_make(&r, "0123abcd", 5000);
	ck_assert_int_eq(ledger_begin(l, &err), 0);
	ck_assert_int_eq(ledger_insert(l, &r, &err), 0);
	ck_assert_int_eq(ledger_commit(l, &err), 0);
	ck_assert_int_eq(ledger_get(l, "0123abcd", &got, &err), 0);
	ck_assert_str_eq(got.subject, r.subject);
	ck_assert_str_eq(got.sans, "DNS:a.example");
	ck_assert_int_eq(got.profile, PROFILE_CLIENT);
	ck_assert_int_eq(got.not_after, 5000);
	ck_assert_uint_eq(got.der.size, 2);
	ck_assert_int_eq(got.status, STATUS_VALID);
	ledger_row_clear(&got);
	ck_assert_int_eq(ledger_get(l, "ffff", &got, &err), 1);
	ck_assert_int_eq(ledger_count(l, &n, &err), 0);
	ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(duplicate_serial)
{
	struct ledger_row	 r;
	long long		 n;

	row_make(&r, "0abc", 5000);
	ck_assert_int_eq(ledger_insert(l, &r, &err), 0);
	ck_assert_int_eq(ledger_insert(l, &r, &err), 1);
	ck_assert_int_eq(ledger_count(l, &n, &err), 0);
	ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(rollback)
{
	struct ledger_row	 r;
	long long		 n;

	row_make(&r, "0abc", 5000);
	ck_assert_int_eq(ledger_begin(l, &err), 0);
	ck_assert_int_eq(ledger_insert(l, &r, &err), 0);
	ledger_rollback(l);
	ck_assert_int_eq(ledger_count(l, &n, &err), 0);
	ck_assert_int_eq(n, 0);
}
END_TEST

START_TEST(revoke_rows)
{
	struct ledger_row	 r;
	struct crl_source	 src;
	struct crl_entry	 e;

	row_make(&r, "0abc", 5000);
	ck_assert_int_eq(ledger_insert(l, &r, &err), 0);
	row_make(&r, "0def", 5000);
	ck_assert_int_eq(ledger_insert(l, &r, &err), 0);
	ck_assert_int_eq(ledger_revoke(l, "0abc", 2000, 1, &err), 0);
	ck_assert_int_eq(ledger_revoke(l, "0abc", 3000, 4, &err), 1);
	ck_assert_int_eq(ledger_revoked(l, &src, &err), 0);
	ck_assert_int_eq(src.next(src.arg, &e, &err), 1);
	ck_assert_uint_eq(e.serial.len, 2);
	ck_assert_uint_eq(e.serial.b[0], 0x0a);
	ck_assert_int_eq(e.revoked_at, 2000);
	ck_assert_int_eq(e.reason, 1);
	ck_assert_int_eq(src.next(src.arg, &e, &err), 0);
	ck_assert_int_eq(src.rewind(src.arg, &err), 0);
	ck_assert_int_eq(src.next(src.arg, &e, &err), 1);
	ck_assert_uint_eq(e.serial.b[0], 0x0a);
	ledger_revoked_free(&src);
}
END_TEST

static int
collect(const struct ledger_row *r, void *arg)
{
	struct buf	*b = arg;

	buf_printf(b, "%s,", r->serial);
	return 0;
}

START_TEST(list_filters)
{
	struct ledger_filter	 f;
	struct ledger_row	 r;
	struct buf		 b = { 0 };

	row_make(&r, "01", 100);		/* expired */
	ck_assert_int_eq(ledger_insert(l, &r, &err), 0);
	row_make(&r, "02", 1000 + 5 * 86400);	/* expiring in 5 days */
	ck_assert_int_eq(ledger_insert(l, &r, &err), 0);
	row_make(&r, "03", 1000 + 50 * 86400);
	ck_assert_int_eq(ledger_insert(l, &r, &err), 0);
	ck_assert_int_eq(ledger_revoke(l, "03", 1000, 0, &err), 0);

	memset(&f, 0, sizeof(f));
	f.now = 1000;
	f.status = -1;
	f.expiring_days = -1;
	ck_assert_int_eq(ledger_list(l, &f, collect, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "01,02,03,");
	b.len = 0;
	f.status = STATUS_EXPIRED;
	ck_assert_int_eq(ledger_list(l, &f, collect, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "01,");
	b.len = 0;
	f.status = STATUS_VALID;
	ck_assert_int_eq(ledger_list(l, &f, collect, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "02,");
	b.len = 0;
	f.status = STATUS_REVOKED;
	ck_assert_int_eq(ledger_list(l, &f, collect, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "03,");
	b.len = 0;
	f.status = -1;
	f.expiring_days = 10;
	ck_assert_int_eq(ledger_list(l, &f, collect, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "02,");
	b.len = 0;
	f.expiring_days = 1;
	ck_assert_int_eq(ledger_list(l, &f, collect, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "");
	f.expiring_days = -1;
	f.subject = "drop TABLE";
	ck_assert_int_eq(ledger_list(l, &f, collect, &b, &err), 0);
	ck_assert_str_eq(buf_str(&b), "01,02,03,");
	buf_free(&b);
}
END_TEST

/* Undo the migration to version 5: the CRL number back in meta, as text. */
#define V5_TO_V4 \
	"INSERT INTO meta (key, value) SELECT 'crl_number', number" \
	" FROM crl_number; DROP TABLE crl_number; PRAGMA user_version = 4;"

/* A version 4 ledger's CRL number is carried over, and counts on. */
START_TEST(migrate_from_v4)
{
	uint64_t	 n;

	ck_assert_int_eq(ledger_crl_number_next(l, 6, &n, &err), 0);
	ledger_free(l);
	l = NULL;
	sql_exec(V5_TO_V4);
	ck_assert_int_eq(pragma("SELECT value = '7' FROM meta"
	    " WHERE key = 'crl_number'"), 1);
	reopen();
	ck_assert_int_eq(pragma("PRAGMA user_version"), LEDGER_VERSION);
	ck_assert_int_eq(pragma("SELECT count(*) FROM meta"), 0);
	ck_assert_int_eq(ledger_crl_number(l, &n, &err), 0);
	ck_assert_uint_eq(n, 7);
	ck_assert_int_eq(ledger_crl_number_next(l, 0, &n, &err), 0);
	ck_assert_uint_eq(n, 8);
}
END_TEST

/*
 * A damaged CRL number does not stop the migration (the CA still opens,
 * as at version 4) and is never restarted from 0: it stays in meta and
 * no CRL number is given until it is repaired.
 */
START_TEST(migrate_damaged_crl_number)
{
	uint64_t	 n;

	ledger_free(l);
	l = NULL;
	sql_exec(V5_TO_V4);
	sql_exec("UPDATE meta SET value = '12x' WHERE key = 'crl_number'");
	reopen();
	ck_assert_int_eq(pragma("PRAGMA user_version"), LEDGER_VERSION);
	ck_assert_int_eq(pragma("SELECT value = '12x' FROM meta"
	    " WHERE key = 'crl_number'"), 1);
	ck_assert_int_eq(ledger_crl_number(l, &n, &err), -1);
	ck_assert_int_eq(ledger_crl_number_next(l, 0, &n, &err), -1);
	ck_assert_int_eq(pragma("SELECT count(*) FROM crl_number"), 0);
}
END_TEST

/* Every number version 4 read carries over, up to the largest. */
START_TEST(migrate_v4_largest_crl_number)
{
	uint64_t	 n;

	ledger_free(l);
	l = NULL;
	sql_exec(V5_TO_V4);
	sql_exec("UPDATE meta SET value = '09223372036854775805'"
	    " WHERE key = 'crl_number'");
	reopen();
	ck_assert_int_eq(ledger_crl_number(l, &n, &err), 0);
	ck_assert_uint_eq(n, 9223372036854775805ULL);
	ck_assert_int_eq(ledger_crl_number_next(l, 0, &n, &err), 0);
	ck_assert_int_eq(ledger_crl_number_next(l, 0, &n, &err), -1);
}
END_TEST

/*
 * A version 1 ledger (no issued_by, no key_id) is migrated on open,
 * rows kept, and the key of a certificate revoked for keyCompromise
 * is found by its id.
 */
START_TEST(migrate_from_v1)
{
	struct ledger_row	 r, got;
	char			 serial[SERIAL_HEXLEN + 1];
	bool			 is_ca = true;

	row_make_cert(&r, "0abc");
	ck_assert_int_eq(ledger_insert(l, &r, &err), 0);
	ck_assert_int_eq(ledger_revoke(l, "0abc", 2000, 1, &err), 0);
	ledger_free(l);
	l = NULL;
	sql_exec(V5_TO_V4);
	sql_exec("ALTER TABLE certs DROP COLUMN issued_by;"
	    " DROP INDEX certs_key; ALTER TABLE certs DROP COLUMN key_id;"
	    " PRAGMA user_version = 1;");
	ck_assert_int_eq(pragma("PRAGMA user_version"), 1);
	ck_assert_ptr_nonnull(l = ledger_open(unit_dir, &err));
	ck_assert_int_eq(pragma("PRAGMA user_version"), LEDGER_VERSION);
	ck_assert_int_eq(ledger_get(l, "0abc", &got, &err), 0);
	ck_assert_ptr_null(got.issued_by);
	ledger_row_clear(&got);
	ck_assert_int_eq(ledger_key_use(l, r.key_id, serial, &is_ca, &err), 1);
	ck_assert_str_eq(serial, "0abc");
	ck_assert(!is_ca);
	gnutls_free(r.der.data);
	row_make(&r, "0def", 5000);
	r.issued_by = (char *)"op@host";
	ck_assert_int_eq(ledger_insert(l, &r, &err), 0);
	ck_assert_int_eq(ledger_get(l, "0def", &got, &err), 0);
	ck_assert_str_eq(got.issued_by, "op@host");
	ledger_row_clear(&got);
}
END_TEST

/*
 * A key is blocked once a certificate of it is revoked for keyCompromise,
 * not for another reason; a CA's key always; its other certificates
 * are found for revocation.
 */
START_TEST(key_use)
{
	struct ledger_row	 a, b, c;
	char			 serial[SERIAL_HEXLEN + 1], **same;
	size_t			 n;
	bool			 is_ca;

	row_make_cert(&a, "0a");
	row_make(&b, "0b", 5000);
	memcpy(b.key_id, a.key_id, KEY_ID_LEN);
	row_make_cert(&c, "0c");
	c.profile = PROFILE_CA;
	ck_assert_int_eq(ledger_insert(l, &a, &err), 0);
	ck_assert_int_eq(ledger_insert(l, &b, &err), 0);
	ck_assert_int_eq(ledger_insert(l, &c, &err), 0);
	ck_assert_int_eq(ledger_key_use(l, a.key_id, serial, &is_ca, &err), 0);
	ck_assert_int_eq(ledger_key_use(l, c.key_id, serial, &is_ca, &err), 1);
	ck_assert_str_eq(serial, "0c");
	ck_assert(is_ca);
	ck_assert_int_eq(ledger_same_key(l, "0a", &same, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(same[0], "0b");
	free(same[0]);
	free(same);
	ck_assert_int_eq(ledger_revoke(l, "0a", 2000, 4, &err), 0);
	ck_assert_int_eq(ledger_key_use(l, a.key_id, serial, &is_ca, &err), 0);
	ck_assert_int_eq(ledger_revoke(l, "0b", 2000, 1, &err), 0);
	ck_assert_int_eq(ledger_key_use(l, a.key_id, serial, &is_ca, &err), 1);
	ck_assert_str_eq(serial, "0b");
	ck_assert(!is_ca);
	ck_assert_int_eq(ledger_same_key(l, "0b", &same, &n, &err), 0);
	ck_assert_uint_eq(n, 0);
	gnutls_free(a.der.data);
	gnutls_free(c.der.data);
}
END_TEST

START_TEST(newer_schema_refused)
{
	struct ledger	*l2;

	ledger_free(l);
	l = NULL;
	ck_assert_int_eq(pragma("PRAGMA user_version = 99"), -1);
	ck_assert_ptr_null(l2 = ledger_open(unit_dir, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "newer"));
}
END_TEST

START_TEST(not_a_database)
{
	int	 fd;

	ledger_free(l);
	l = NULL;
	fd = open(path, O_WRONLY | O_TRUNC, 0600);
	ck_assert_int_eq(write(fd, "this is not sqlite at all, not at all..",
	    40), 40);
	close(fd);
	ck_assert_ptr_null(ledger_open(unit_dir, &err));
	ck_assert_msg(strstr(err.msg, "not a cakit ledger") != NULL, "%s",
	    err.msg);
}
END_TEST

/* Opening where there is no ledger fails, and makes no file. */
START_TEST(missing_not_created)
{
	struct dirent	*de;
	DIR		*d;
	char		*dir = unit_path("empty");
	int		 n = 0;

	ck_assert_int_eq(mkdir(dir, 0700), 0);
	ck_assert_ptr_null(ledger_open(dir, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "missing"));
	ck_assert_ptr_nonnull(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0;
	closedir(d);
	ck_assert_int_eq(n, 0);
	free(dir);
}
END_TEST

static Suite *
ledger_suite(void)
{
	Suite	*s = suite_create("ledger");
	TCase	*tc = tcase_create("core");
	TCase	*sq = tcase_create("sqlite");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, insert_get);
	tcase_add_test(tc, duplicate_serial);
	tcase_add_test(tc, rollback);
	tcase_add_test(tc, revoke_rows);
	tcase_add_test(tc, list_filters);
	tcase_add_test(tc, key_use);
	tcase_add_test(tc, crl_number_new);
	tcase_add_test(tc, crl_number_monotonic);
	tcase_add_test(tc, crl_number_floor);
	tcase_add_test(tc, crl_number_reopen);
	tcase_add_test(tc, crl_number_rollback);
	tcase_add_test(tc, crl_number_exhausted);
	tcase_add_test(tc, settings_none);
	tcase_add_test(tc, settings_round_trip);
	tcase_add_test(tc, settings_store_removes);
	tcase_add_test(tc, settings_bad_days);
	tcase_add_test(tc, close_keeps_all);
	tcase_add_test(tc, missing_not_created);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(sq, setup, teardown);
	tcase_add_test(sq, schema);
	tcase_add_test(sq, migrate_from_v4);
	tcase_add_test(sq, migrate_damaged_crl_number);
	tcase_add_test(sq, migrate_v4_largest_crl_number);
	tcase_add_test(sq, migrate_from_v1);
	tcase_add_test(sq, newer_schema_refused);
	tcase_add_test(sq, not_a_database);
	suite_add_tcase(s, sq);
	return s;
}

UNIT_MAIN(ledger_suite)
