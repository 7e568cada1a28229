/* row.c: a row that describes a certificate, its status, its JSON. */
#include "config.h"

#include "unit.h"

/* 2026-01-31T12:00:00Z and a year later. */
#define T0	((time_t)1769860800)
#define T1	(T0 + 365 * 86400)

static struct cakit_err err;

/*
 * A certificate made with GnuTLS alone: serial 00 8f 01 (a leading
 * zero octet, as DER keeps for a positive INTEGER with its top bit set),
 * valid from T0 to T1.
 */
static gnutls_x509_crt_t
make_crt(gnutls_x509_privkey_t *keyp)
{
	static const unsigned char serial[] = { 0x00, 0x8f, 0x01 };
	gnutls_x509_privkey_t	 key;
	gnutls_x509_crt_t	 crt;

	ck_assert_int_ge(gnutls_x509_privkey_init(&key), 0);
	ck_assert_int_ge(gnutls_x509_privkey_generate(key,
	    GNUTLS_PK_EDDSA_ED25519, 0, 0), 0);
	ck_assert_int_ge(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_version(crt, 3), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_serial(crt, serial,
	    sizeof(serial)), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_dn(crt, "CN=row test,O=Example",
	    NULL), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_issuer_dn(crt, "CN=row test,"
	    "O=Example", NULL), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_activation_time(crt, T0), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_expiration_time(crt, T1), 0);
	ck_assert_int_ge(gnutls_x509_crt_set_key(crt, key), 0);
	ck_assert_int_ge(gnutls_x509_crt_sign2(crt, crt, key,
	    GNUTLS_DIG_SHA512, 0), 0);
	*keyp = key;
	return crt;
}

START_TEST(fill_describes)
{
	gnutls_x509_privkey_t	 key;
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 der;
	struct san_list		 sans = { NULL, 0 };
	struct ledger_row	 r;
	unsigned char		 id[KEY_ID_LEN];

	crt = make_crt(&key);
	ck_assert_int_eq(san_list_parse(&sans, "DNS:a.example\nIP:192.0.2.1",
	    &err), 0);
	ck_assert_msg(row_fill(&r, crt, PROFILE_SERVER, &sans, &err) == 0,
	    "%s", err.msg);
	ck_assert_str_eq(r.serial, "8f01");
	ck_assert_str_eq(r.subject, "CN=row test,O=Example");
	ck_assert_str_eq(r.sans, "DNS:a.example\nIP:192.0.2.1");
	ck_assert_int_eq(r.profile, PROFILE_SERVER);
	ck_assert_int_eq(r.not_before, T0);
	ck_assert_int_eq(r.not_after, T1);
	ck_assert_int_eq(r.status, STATUS_VALID);
	ck_assert_ptr_null(r.replaces);
	ck_assert_int_ge(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
	    &der), 0);
	ck_assert_uint_eq(r.der.size, der.size);
	ck_assert_mem_eq(r.der.data, der.data, der.size);
	ck_assert_int_eq(key_id_crt(crt, id, &err), 0);
	ck_assert_mem_eq(r.key_id, id, KEY_ID_LEN);
	gnutls_free(der.data);
	ledger_row_clear(&r);
	san_list_free(&sans);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
}
END_TEST

/* Describing is not issuing: the stamp is issuance's (issue_stamp). */
START_TEST(fill_has_no_stamp)
{
	gnutls_x509_privkey_t	 key;
	gnutls_x509_crt_t	 crt;
	struct ledger_row	 r;

	crt = make_crt(&key);
	ck_assert_int_eq(row_fill(&r, crt, PROFILE_CA, NULL, &err), 0);
	ck_assert_int_eq(r.issued_at, 0);
	ck_assert_ptr_null(r.issued_by);
	ck_assert_str_eq(r.sans, "");
	issue_stamp(&r, T0 + 5);
	ck_assert_int_eq(r.issued_at, T0 + 5);
	ck_assert_ptr_nonnull(r.issued_by);
	ck_assert_ptr_nonnull(strchr(r.issued_by, '@'));
	ledger_row_clear(&r);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
}
END_TEST

START_TEST(status_at)
{
	struct ledger_row	 r;

	memset(&r, 0, sizeof(r));
	r.not_before = T0;
	r.not_after = T1;
	r.status = STATUS_VALID;
	ck_assert_int_eq(row_status(&r, T0), STATUS_VALID);
	/* notAfter is the last second of validity (RFC 5280 4.1.2.5). */
	ck_assert_int_eq(row_status(&r, T1), STATUS_VALID);
	ck_assert_int_eq(row_status(&r, T1 + 1), STATUS_EXPIRED);
	r.status = STATUS_REVOKED;
	r.revoked_at = T0 + 10;
	ck_assert_int_eq(row_status(&r, T0), STATUS_REVOKED);
	ck_assert_int_eq(row_status(&r, T1 + 1), STATUS_REVOKED);
}
END_TEST

static void
fixed_row(struct ledger_row *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->serial, sizeof(r->serial), "8f01");
	r->subject = xstrdup("CN=a \"q\" \\, b\x01");
	r->sans = xstrdup("DNS:a.example\nDNS:b.example");
	r->profile = PROFILE_SERVER;
	r->not_before = T0;
	r->not_after = T1;
	r->status = STATUS_VALID;
}

START_TEST(json_exact)
{
	static const char *const files[] = {
		"certificate", "/tmp/a \"b\".crt", "key", "k.pem", NULL,
	};
	struct ledger_row	 r;
	struct buf		 b = { 0 };

	fixed_row(&r);
	r.issued_at = T0 + 5;
	r.issued_by = xstrdup("alice@host");
	row_json(&b, &r, T0, files, false);
	ck_assert_str_eq(buf_str(&b), "{\"serial\":\"8f01\","
	    "\"subject\":\"CN=a \\\"q\\\" \\\\, b\\u0001\","
	    "\"sans\":[\"DNS:a.example\",\"DNS:b.example\"],"
	    "\"not_before\":\"2026-01-31T12:00:00Z\","
	    "\"not_after\":\"2027-01-31T12:00:00Z\","
	    "\"profile\":\"server\",\"status\":\"valid\","
	    "\"issued_at\":\"2026-01-31T12:00:05Z\","
	    "\"issued_by\":\"alice@host\","
	    "\"files\":{\"certificate\":\"/tmp/a \\\"b\\\".crt\","
	    "\"key\":\"k.pem\"}}");
	buf_free(&b);
	ledger_row_clear(&r);
}
END_TEST

/* Revoked and renewed: those fields; no stamp, no names, no files. */
START_TEST(json_revoked)
{
	struct ledger_row	 r;
	struct buf		 b = { 0 };

	fixed_row(&r);
	free(r.sans);
	r.sans = xstrdup("");
	r.status = STATUS_REVOKED;
	r.revoked_at = T0 + 60;
	r.reason = REASON_KEY_COMPROMISE;
	r.replaces = xstrdup("01ab");
	row_json(&b, &r, T1 + 1, NULL, false);
	ck_assert_str_eq(buf_str(&b), "{\"serial\":\"8f01\","
	    "\"subject\":\"CN=a \\\"q\\\" \\\\, b\\u0001\","
	    "\"sans\":[],"
	    "\"not_before\":\"2026-01-31T12:00:00Z\","
	    "\"not_after\":\"2027-01-31T12:00:00Z\","
	    "\"profile\":\"server\",\"status\":\"revoked\","
	    "\"revoked_at\":\"2026-01-31T12:01:00Z\","
	    "\"reason\":\"keyCompromise\",\"replaces\":\"01ab\","
	    "\"files\":{}}");
	buf_free(&b);
	ledger_row_clear(&r);
}
END_TEST

/* The status is taken at the time given: expired after notAfter. */
START_TEST(json_expired)
{
	struct ledger_row	 r;
	struct buf		 b = { 0 };

	fixed_row(&r);
	row_json(&b, &r, T1 + 1, NULL, false);
	ck_assert_ptr_nonnull(strstr(buf_str(&b), ",\"status\":\"expired\","));
	buf_free(&b);
	ledger_row_clear(&r);
}
END_TEST

/* with_pem: the certificate as one JSON string, newlines escaped. */
START_TEST(json_pem)
{
	gnutls_x509_privkey_t	 key;
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 pem;
	struct ledger_row	 r;
	struct buf		 b = { 0 }, want = { 0 };
	const char		*p;

	crt = make_crt(&key);
	ck_assert_int_eq(row_fill(&r, crt, PROFILE_CLIENT, NULL, &err), 0);
	ck_assert_int_ge(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM,
	    &pem), 0);
	buf_add(&want, ",\"pem\":", 7);
	json_str(&want, (const char *)pem.data);
	buf_add(&want, "}", 1);
	row_json(&b, &r, T0, NULL, true);
	ck_assert_ptr_nonnull(p = strstr(buf_str(&b), ",\"files\":{},\"pem\":"
	    "\"-----BEGIN CERTIFICATE-----\\n"));
	ck_assert_str_eq(p + strlen(",\"files\":{}"), buf_str(&want));
	buf_free(&b);
	buf_free(&want);
	gnutls_free(pem.data);
	ledger_row_clear(&r);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
}
END_TEST

static void
setup(void)
{
	memset(&err, 0, sizeof(err));
}

static Suite *
row_suite(void)
{
	Suite	*s = suite_create("row");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, fill_describes);
	tcase_add_test(tc, fill_has_no_stamp);
	tcase_add_test(tc, status_at);
	tcase_add_test(tc, json_exact);
	tcase_add_test(tc, json_revoked);
	tcase_add_test(tc, json_expired);
	tcase_add_test(tc, json_pem);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(row_suite)
