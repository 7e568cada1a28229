/*
 * emit.c: an issued certificate is written to its file and shown as
 * PEM or as its row in JSON, each only where asked.
 */
#include "config.h"

#include <sys/stat.h>

#include "unit.h"

/* Not a certificate: emit_cert encodes whatever DER the row holds. */
static unsigned char der[] = { 0x30, 0x03, 0x02, 0x01, 0x2a };

static struct ledger_row row;
static struct cakit_err err;
static struct buf show;

static void
setup(void)
{
	memset(&row, 0, sizeof(row));
	snprintf(row.serial, sizeof(row.serial), "0a1b");
	row.subject = "CN=leaf";
	row.sans = "DNS:leaf.example";
	row.profile = PROFILE_SERVER;
	row.not_before = 1000000000;
	row.not_after = 2000000000;
	row.der.data = der;
	row.der.size = sizeof(der);
	memset(&err, 0, sizeof(err));
	memset(&show, 0, sizeof(show));
	unit_tmpdir();
}

static void
teardown(void)
{
	buf_free(&show);
	unit_rmdir();
}

/* PEM text decodes to the row's DER. */
static void
assert_pem(const unsigned char *p, size_t len)
{
	gnutls_datum_t	 in = { (unsigned char *)p, len }, out = { NULL, 0 };

	ck_assert_int_ge(gnutls_pem_base64_decode2("CERTIFICATE", &in, &out),
	    0);
	ck_assert_uint_eq(out.size, sizeof(der));
	ck_assert_mem_eq(out.data, der, sizeof(der));
	gnutls_free(out.data);
}

START_TEST(pem_when_no_file)
{
	ck_assert_int_eq(emit_cert(&row, NULL, NULL, false, 0, &show, &err),
	    0);
	ck_assert_uint_gt(show.len, 0);
	ck_assert_mem_eq(show.p, "-----BEGIN CERTIFICATE-----\n", 28);
	assert_pem(show.p, show.len);
}
END_TEST

START_TEST(file_written_nothing_shown)
{
	gnutls_datum_t	 d = { NULL, 0 };
	struct stat	 st;
	char		*path = unit_path("leaf.crt");

	ck_assert_int_eq(emit_cert(&row, path, NULL, false, 0, &show, &err),
	    0);
	ck_assert_uint_eq(show.len, 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(file_read(path, FILE_MAX, &d, &err), 0);
	assert_pem(d.data, d.size);
	free(d.data);
	free(path);
}
END_TEST

START_TEST(json_holds_pem_without_file)
{
	const char	*s;

	ck_assert_int_eq(emit_cert(&row, NULL, NULL, true, 0, &show, &err),
	    0);
	s = buf_str(&show);
	ck_assert_msg(strncmp(s, "{\"serial\":\"0a1b\",", 17) == 0, "%s", s);
	ck_assert_ptr_nonnull(strstr(s, "\"files\":{}"));
	ck_assert_ptr_nonnull(strstr(s,
	    ",\"pem\":\"-----BEGIN CERTIFICATE-----\\n"));
	ck_assert_int_eq(s[strlen(s) - 1], '}');
}
END_TEST

START_TEST(json_names_files_without_pem)
{
	struct buf	 want = { 0 };
	char		*path = unit_path("leaf.crt");
	const char	*s;

	ck_assert_int_eq(emit_cert(&row, path, "/k/leaf.key", true, 0, &show,
	    &err), 0);
	s = buf_str(&show);
	buf_printf(&want, "\"files\":{\"certificate\":\"%s\","
	    "\"key\":\"/k/leaf.key\"}", path);
	ck_assert_msg(strstr(s, buf_str(&want)) != NULL, "%s", s);
	ck_assert_ptr_null(strstr(s, "\"pem\""));
	ck_assert_int_eq(file_exists(path), true);
	buf_free(&want);
	free(path);
}
END_TEST

START_TEST(json_key_alone)
{
	const char	*s;

	ck_assert_int_eq(emit_cert(&row, NULL, "leaf.key", true, 0, &show,
	    &err), 0);
	s = buf_str(&show);
	ck_assert_ptr_nonnull(strstr(s, "\"files\":{\"key\":\"leaf.key\"}"));
	ck_assert_ptr_nonnull(strstr(s, "\"pem\":"));
}
END_TEST

START_TEST(appends_to_show)
{
	buf_add(&show, "[\n", 2);
	ck_assert_int_eq(emit_cert(&row, NULL, NULL, true, 0, &show, &err),
	    0);
	ck_assert_mem_eq(show.p, "[\n{\"serial\":", 12);
}
END_TEST

START_TEST(unwritable_file_fails_showing_nothing)
{
	char	*path = unit_path("no-such-dir/leaf.crt");

	buf_add(&show, "x", 1);
	ck_assert_int_eq(emit_cert(&row, path, NULL, true, 0, &show, &err),
	    -1);
	ck_assert_msg(strstr(err.msg, "no-such-dir") != NULL, "%s", err.msg);
	ck_assert_uint_eq(show.len, 1);
	free(path);
}
END_TEST

START_TEST(status_at_now)
{
	ck_assert_int_eq(emit_cert(&row, NULL, NULL, true, 2000000001, &show,
	    &err), 0);
	ck_assert_ptr_nonnull(strstr(buf_str(&show), "\"status\":\"expired\""));
}
END_TEST

static Suite *
emit_suite(void)
{
	Suite	*s = suite_create("emit");
	TCase	*tc = tcase_create("emit");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pem_when_no_file);
	tcase_add_test(tc, file_written_nothing_shown);
	tcase_add_test(tc, json_holds_pem_without_file);
	tcase_add_test(tc, json_names_files_without_pem);
	tcase_add_test(tc, json_key_alone);
	tcase_add_test(tc, appends_to_show);
	tcase_add_test(tc, unwritable_file_fails_showing_nothing);
	tcase_add_test(tc, status_at_now);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(emit_suite)
