/* ledger.c: schema, inserts, lookups, revocation and listing. */
#include "config.h"

#include <fcntl.h>
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
	l = ledger_open(path, true, &err);
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

START_TEST(schema)
{
	char	*v;

	ck_assert_int_eq(pragma("PRAGMA user_version"), LEDGER_VERSION);
	ck_assert_int_eq(ledger_meta_get(l, "crl_number", &v, &err), 0);
	ck_assert_str_eq(v, "0");
	free(v);
	ck_assert_int_eq(ledger_meta_get(l, "nothing", &v, &err), 1);
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

/*
 * A version 1 ledger (no issued_by, no key_id) is migrated on open,
 * rows kept, and the key of a certificate revoked for keyCompromise
 * is found by its id.
 */
START_TEST(migrate_from_v1)
{
	struct ledger_row	 r, got;
	sqlite3			*db;
	char			 serial[SERIAL_HEXLEN + 1];
	bool			 is_ca = true;

	row_make_cert(&r, "0abc");
	ck_assert_int_eq(ledger_insert(l, &r, &err), 0);
	ck_assert_int_eq(ledger_revoke(l, "0abc", 2000, 1, &err), 0);
	ledger_free(l);
	l = NULL;
	ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(db, "ALTER TABLE certs DROP COLUMN "
	    "issued_by; DROP INDEX certs_key; ALTER TABLE certs DROP COLUMN "
	    "key_id; PRAGMA user_version = 1;", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	ck_assert_int_eq(pragma("PRAGMA user_version"), 1);
	ck_assert_ptr_nonnull(l = ledger_open(path, false, &err));
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
	ck_assert_ptr_null(l2 = ledger_open(path, false, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "newer"));
}
END_TEST

START_TEST(not_a_database)
{
	char	*p = unit_path("junk.db");
	int	 fd;

	fd = open(p, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_eq(write(fd, "this is not sqlite at all, not at all..",
	    40), 40);
	close(fd);
	ck_assert_ptr_null(ledger_open(p, false, &err));
	ck_assert_msg(strstr(err.msg, "not a cakit ledger") != NULL, "%s", err.msg);
	free(p);
}
END_TEST

START_TEST(missing_not_created)
{
	char	*p = unit_path("absent.db");

	ck_assert_ptr_null(ledger_open(p, false, &err));
	ck_assert(!file_exists(p));
	free(p);
}
END_TEST

static Suite *
ledger_suite(void)
{
	Suite	*s = suite_create("ledger");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, schema);
	tcase_add_test(tc, insert_get);
	tcase_add_test(tc, duplicate_serial);
	tcase_add_test(tc, rollback);
	tcase_add_test(tc, revoke_rows);
	tcase_add_test(tc, list_filters);
	tcase_add_test(tc, migrate_from_v1);
	tcase_add_test(tc, key_use);
	tcase_add_test(tc, newer_schema_refused);
	tcase_add_test(tc, not_a_database);
	tcase_add_test(tc, missing_not_created);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(ledger_suite)
