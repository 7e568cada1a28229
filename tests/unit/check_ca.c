/*
 * ca.c: opening a CA directory and what it refuses, the CA's own files
 * and outputs that would overwrite them, incomplete CAs, lookups.
 * Each case works on a CA that ca_init makes in a temporary directory.
 */
#include "config.h"

#include <sys/stat.h>

#include "unit.h"

static struct cakit_err err;
static char *cadir;

static void
setup(void)
{
	struct ca_init_opts	 o;
	struct cakit_notes	 notes;

	memset(&err, 0, sizeof(err));
	memset(&notes, 0, sizeof(notes));
	unit_tmpdir();
	cadir = unit_path("ca");
	unit_ca_opts(&o, cadir, "CN=Unit CA");
	o.crl_url = "http://crl.example/unit.crl";
	o.max_days = 90;
	unit_ca_make(&o, time(NULL));
}

static void
teardown(void)
{
	free(cadir);
	unit_rmdir();
}

static char *
ca_path(const char *name)
{
	return file_join(cadir, name);
}

/* Open the CA, or fail the case with the message. */
static struct ca *
open_ok(int flags)
{
	struct ca	*ca;

	ca = ca_open(cadir, flags, NULL, &err);
	ck_assert_msg(ca != NULL, "%s", err.msg);
	return ca;
}

/* The CA opens with its key, and its settings are loaded. */
START_TEST(open_loads)
{
	struct ca	*ca = open_ok(0);

	ck_assert_ptr_nonnull(ca->crt);
	ck_assert_ptr_nonnull(ca->key);
	ck_assert_ptr_nonnull(ca->ledger);
	ck_assert_str_eq(ca->settings.crl_url, "http://crl.example/unit.crl");
	ck_assert_int_eq(ca->settings.max_days, 90);
	ck_assert_ptr_null(ca->settings.parent_dir);
	ck_assert_int_ge(ca->settings.issued_at, 0);
	ck_assert_uint_eq(ca->nchain, 0);
	ca_free(ca);
}
END_TEST

START_TEST(open_nokey)
{
	struct ca	*ca = open_ok(CA_OPEN_NOKEY);

	ck_assert_ptr_null(ca->key);
	ck_assert_ptr_nonnull(ca->ledger);
	ca_free(ca);
}
END_TEST

START_TEST(open_no_dir)
{
	char	*p = unit_path("absent");

	ck_assert_ptr_null(ca_open(p, 0, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "no such CA directory"));
	free(p);
}
END_TEST

START_TEST(open_not_a_ca)
{
	char	*p = unit_path("empty");

	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert_ptr_null(ca_open(p, 0, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.msg,
	    "not a CA directory (no ca.crt)"));
	free(p);
}
END_TEST

/* Without ca.crt, the files that are there are named, in order. */
START_TEST(open_incomplete)
{
	char	*p = ca_path(CA_CRT), want[256];

	ck_assert_int_eq(unlink(p), 0);
	ck_assert_ptr_null(ca_open(cadir, 0, NULL, &err));
	snprintf(want, sizeof(want), "incomplete CA: has %s, %s, %s; missing "
	    "%s", CA_KEY, ledger_files()->kept[0], CA_CRL, CA_CRT);
	ck_assert_msg(strstr(err.msg, want) != NULL, "%s", err.msg);
	free(p);
}
END_TEST

START_TEST(open_key_readable)
{
	char	*p = ca_path(CA_KEY);

	ck_assert_int_eq(chmod(p, 0640), 0);
	ck_assert_ptr_null(ca_open(cadir, CA_OPEN_NOKEY, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "lets others read the CA key"));
	free(p);
}
END_TEST

START_TEST(open_dir_writable)
{
	ck_assert_int_eq(chmod(cadir, 0770), 0);
	ck_assert_ptr_null(ca_open(cadir, CA_OPEN_NOKEY, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "writable by others"));
}
END_TEST

/* A key that is not the certificate's is refused. */
START_TEST(open_wrong_key)
{
	gnutls_x509_privkey_t	 k;
	gnutls_datum_t		 pem;
	char			*p = ca_path(CA_KEY);

	ck_assert_ptr_nonnull(k = key_generate(KEY_ECDSA_P256, &err));
	ck_assert_int_eq(key_export_pem(k, NULL, &pem, &err), 0);
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(file_write_atomic(p, pem.data, pem.size, 0600, &err),
	    0);
	ck_assert_ptr_null(ca_open(cadir, 0, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "does not match"));
	ca_free(open_ok(CA_OPEN_NOKEY));
	gnutls_free(pem.data);
	gnutls_x509_privkey_deinit(k);
	free(p);
}
END_TEST

/* Without its ledger the CA is damaged, and nothing is created. */
START_TEST(open_no_ledger)
{
	const char *const	*kept = ledger_files()->kept;
	char			*p;
	size_t			 i;

	for (i = 0; kept[i] != NULL; i++) {
		p = ca_path(kept[i]);
		ck_assert_int_eq(unlink(p), 0);
		free(p);
	}
	ck_assert_ptr_null(ca_open(cadir, 0, NULL, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "the CA directory is damaged"));
	p = ca_path(kept[0]);
	ck_assert(!file_exists(p));
	free(p);
}
END_TEST

START_TEST(dir_mode)
{
	ck_assert_int_eq(ca_check_dir_mode(cadir, &err), 0);
	ck_assert_int_eq(chmod(cadir, 0702), 0);
	ck_assert_int_eq(ca_check_dir_mode(cadir, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "chmod go-w"));
}
END_TEST

/* ca.key first, ca.crt last, the ledger's files between. */
START_TEST(file_order)
{
	const struct ledger_files	*lf = ledger_files();
	size_t				 i, n, all;

	ck_assert_str_eq(ca_file(0, 0), CA_KEY);
	ck_assert_str_eq(ca_file(1, 0), lf->kept[0]);
	for (n = 0; ca_file(n, 0) != NULL; n++)
		continue;
	for (all = 0; ca_file(all, CA_FILES_ALL) != NULL; all++)
		continue;
	ck_assert_str_eq(ca_file(n - 1, 0), CA_CRT);
	ck_assert_str_eq(ca_file(all - 1, CA_FILES_ALL), CA_CRT);
	for (i = 0; lf->transient[i] != NULL; i++)
		continue;
	ck_assert_uint_eq(all, n + i);
	ck_assert_ptr_null(ca_file(all + 5, CA_FILES_ALL));
}
END_TEST

/* Every one of the CA's files is refused as an output. */
START_TEST(output_own_files)
{
	struct ca	*ca = open_ok(CA_OPEN_NOKEY);
	const char	*name;
	char		*p;
	size_t		 i;

	for (i = 0; (name = ca_file(i, CA_FILES_ALL)) != NULL; i++) {
		p = ca_path(name);
		ck_assert_msg(ca_check_output(ca, p, &err) == -1, "%s", name);
		ck_assert_ptr_nonnull(strstr(err.msg, "the CA's own"));
		free(p);
	}
	ca_free(ca);
}
END_TEST

/* However the path is spelt: "..", a symbolic link, a hard link. */
START_TEST(output_aliases)
{
	struct ca	*ca = open_ok(CA_OPEN_NOKEY);
	char		*crt = ca_path(CA_CRT), *via, *sym, *hard;

	via = unit_path("ca/../ca/" CA_KEY);
	sym = unit_path("link");
	hard = unit_path("hard");
	ck_assert_int_eq(symlink(cadir, sym), 0);
	ck_assert_int_eq(link(crt, hard), 0);
	ck_assert_int_eq(ca_check_output(ca, via, &err), -1);
	free(via);
	via = unit_path("link/" CA_CRL);
	ck_assert_int_eq(ca_check_output(ca, via, &err), -1);
	ck_assert_int_eq(ca_check_output(ca, hard, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, CA_CRT));
	free(via);
	free(sym);
	free(hard);
	free(crt);
	ca_free(ca);
}
END_TEST

START_TEST(output_elsewhere)
{
	struct ca	*ca = open_ok(CA_OPEN_NOKEY);
	char		*p = unit_path("out.pem"), *q = ca_path("other.pem");

	ck_assert_int_eq(ca_check_output(ca, p, &err), 0);
	ck_assert_int_eq(ca_check_output(ca, q, &err), 0);
	free(p);
	free(q);
	ca_free(ca);
}
END_TEST

START_TEST(incomplete)
{
	char	*p = unit_path("inc"), *q;

	ck_assert_int_eq(mkdir(p, 0700), 0);
	ck_assert(!ca_incomplete(p, &err));
	q = file_join(p, "README");
	ck_assert_int_eq(file_write_atomic(q, "x", 1, 0644, &err), 0);
	ck_assert(!ca_incomplete(p, &err));
	free(q);
	q = file_join(p, ledger_files()->transient[0]);
	ck_assert_int_eq(file_write_atomic(q, "x", 1, 0644, &err), 0);
	free(q);
	q = file_join(p, CA_CHAIN);
	ck_assert_int_eq(file_write_atomic(q, "x", 1, 0644, &err), 0);
	ck_assert(ca_incomplete(p, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, ledger_files()->transient[0]));
	ck_assert_ptr_nonnull(strstr(err.msg, ", " CA_CHAIN "; missing "
	    CA_CRT));
	free(q);
	free(p);
}
END_TEST

START_TEST(usable)
{
	struct ca	*ca = open_ok(CA_OPEN_NOKEY);
	time_t		 nb, na;

	nb = gnutls_x509_crt_get_activation_time(ca->crt);
	na = gnutls_x509_crt_get_expiration_time(ca->crt);
	ck_assert_int_eq(ca_check_usable(ca, nb + 1, &err), 0);
	ck_assert_int_eq(ca_check_usable(ca, na, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "expired"));
	ck_assert_int_eq(ca_check_usable(ca, nb - 1, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not valid before"));
	ca_free(ca);
}
END_TEST

/* Record the CA's own certificate in its ledger, for the lookups. */
static void
record_self(struct ca *ca, char hex[SERIAL_HEXLEN + 1])
{
	struct ledger_row	 r;
	struct serial		 s;

	ck_assert_int_eq(row_fill(&r, ca->crt, PROFILE_CA, NULL, &err), 0);
	ck_assert_int_eq(ledger_insert(ca->ledger, &r, &err), 0);
	ck_assert_int_eq(serial_from_crt(ca->crt, &s, &err), 0);
	serial_hex(&s, hex);
	ledger_row_clear(&r);
}

START_TEST(lookup_serial)
{
	struct ca		*ca = open_ok(CA_OPEN_NOKEY);
	struct ledger_row	 row;
	char			 hex[SERIAL_HEXLEN + 1];

	record_self(ca, hex);
	ck_assert_msg(ca_lookup(ca, hex, &row, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(row.serial, hex);
	ck_assert_int_eq(row.profile, PROFILE_CA);
	ledger_row_clear(&row);
	ck_assert_int_eq(ca_lookup(ca, "0123456789abcdef", &row, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not in the ledger"));
	ck_assert_int_eq(ca_lookup(ca, "not-hex", &row, &err), -1);
	ca_free(ca);
}
END_TEST

/* A file must hold the very certificate recorded under its serial. */
START_TEST(lookup_file)
{
	struct ca		*ca = open_ok(CA_OPEN_NOKEY);
	struct ledger_row	 row;
	char			 hex[SERIAL_HEXLEN + 1];
	char			*crt = ca_path(CA_CRT);

	ck_assert_int_eq(ca_lookup(ca, crt, &row, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "is not in its ledger"));
	record_self(ca, hex);
	ck_assert_msg(ca_lookup(ca, crt, &row, &err) == 0, "%s", err.msg);
	ck_assert_str_eq(row.serial, hex);
	ledger_row_clear(&row);
	free(crt);
	ca_free(ca);
}
END_TEST

static Suite *
ca_suite(void)
{
	Suite	*s = suite_create("ca");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, open_loads);
	tcase_add_test(tc, open_nokey);
	tcase_add_test(tc, open_no_dir);
	tcase_add_test(tc, open_not_a_ca);
	tcase_add_test(tc, open_incomplete);
	tcase_add_test(tc, open_key_readable);
	tcase_add_test(tc, open_dir_writable);
	tcase_add_test(tc, open_wrong_key);
	tcase_add_test(tc, open_no_ledger);
	tcase_add_test(tc, dir_mode);
	tcase_add_test(tc, file_order);
	tcase_add_test(tc, output_own_files);
	tcase_add_test(tc, output_aliases);
	tcase_add_test(tc, output_elsewhere);
	tcase_add_test(tc, incomplete);
	tcase_add_test(tc, usable);
	tcase_add_test(tc, lookup_serial);
	tcase_add_test(tc, lookup_file);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(ca_suite)
