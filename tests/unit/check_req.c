/* req.c: requests are checked before anything in them is used. */
#include "config.h"

#include <gnutls/crypto.h>

#include "unit.h"

static struct cakit_err err;
static struct cakit_notes notes;

/* A DER request for a new key of (pk, bits), with the given extras. */
static gnutls_datum_t
make_csr(gnutls_pk_algorithm_t pk, unsigned int bits, const char *dn,
    const char *dns, bool ca)
{
	gnutls_x509_privkey_t	 key;
	gnutls_x509_crq_t	 crq;
	gnutls_datum_t		 der;

	ck_assert_int_ge(gnutls_x509_privkey_init(&key), 0);
	ck_assert_int_ge(gnutls_x509_privkey_generate(key, pk, bits, 0), 0);
	ck_assert_int_ge(gnutls_x509_crq_init(&crq), 0);
	if (dn != NULL)
		ck_assert_int_ge(gnutls_x509_crq_set_dn(crq, dn, NULL), 0);
	ck_assert_int_ge(gnutls_x509_crq_set_key(crq, key), 0);
	if (dns != NULL)
		ck_assert_int_ge(gnutls_x509_crq_set_subject_alt_name(crq,
		    GNUTLS_SAN_DNSNAME, dns, strlen(dns), GNUTLS_FSAN_APPEND),
		    0);
	if (ca)
		ck_assert_int_ge(gnutls_x509_crq_set_basic_constraints(crq, 1,
		    -1), 0);
	ck_assert_int_ge(gnutls_x509_crq_sign2(crq, key, pk == GNUTLS_PK_EDDSA_ED25519 ? GNUTLS_DIG_SHA512 : GNUTLS_DIG_SHA256,
	    0), 0);
	ck_assert_int_ge(gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER,
	    &der), 0);
	gnutls_x509_crq_deinit(crq);
	gnutls_x509_privkey_deinit(key);
	return der;
}

static void
setup(void)
{
	memset(&err, 0, sizeof(err));
	memset(&notes, 0, sizeof(notes));
}

START_TEST(valid_der_and_pem)
{
	gnutls_datum_t	 der, pem;
	struct req	*r;

	der = make_csr(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(
	    GNUTLS_ECC_CURVE_SECP256R1), "CN=web,O=Example", "Web.Example",
	    false);
	ck_assert_ptr_nonnull(r = req_parse(&der, &notes, &err));
	ck_assert_str_eq(r->subject, "CN=web,O=Example");
	ck_assert_uint_eq(r->sans.n, 1);
	ck_assert_str_eq(r->sans.v[0].value, "web.example");
	ck_assert_uint_eq(notes.n, 0);
	req_free(r);
	ck_assert_int_ge(gnutls_pem_base64_encode2("CERTIFICATE REQUEST", &der,
	    &pem), 0);
	ck_assert_ptr_nonnull(r = req_parse(&pem, &notes, &err));
	req_free(r);
	gnutls_free(pem.data);
	gnutls_free(der.data);
}
END_TEST

START_TEST(altered_signature)
{
	gnutls_datum_t	 der;

	der = make_csr(GNUTLS_PK_EDDSA_ED25519, 0, "CN=x", NULL, false);
	der.data[der.size - 1] ^= 0x01;
	ck_assert_ptr_null(req_parse(&der, &notes, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "signature"));
	gnutls_free(der.data);
}
END_TEST

START_TEST(altered_subject)
{
	gnutls_datum_t	 der;
	unsigned char	*p;

	der = make_csr(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(
	    GNUTLS_ECC_CURVE_SECP256R1), "CN=alice", NULL, false);
	p = memmem(der.data, der.size, "alice", 5);
	ck_assert_ptr_nonnull(p);
	*p = 'm';
	ck_assert_ptr_null(req_parse(&der, &notes, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "signature"));
	gnutls_free(der.data);
}
END_TEST

START_TEST(weak_rsa)
{
	gnutls_datum_t	 der;

	der = make_csr(GNUTLS_PK_RSA, 1024, "CN=x", NULL, false);
	ck_assert_ptr_null(req_parse(&der, &notes, &err));
	ck_assert_msg(strstr(err.msg, "1024 bits") != NULL, "%s", err.msg);
	gnutls_free(der.data);
}
END_TEST

START_TEST(ca_true_ignored)
{
	gnutls_datum_t	 der;
	struct req	*r;

	der = make_csr(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(
	    GNUTLS_ECC_CURVE_SECP256R1), "CN=x", "x.example", true);
	ck_assert_ptr_nonnull(r = req_parse(&der, &notes, &err));
	ck_assert_uint_eq(notes.n, 1);
	ck_assert_ptr_nonnull(strstr(notes.msg[0], "CA:TRUE"));
	req_free(r);
	gnutls_free(der.data);
}
END_TEST

START_TEST(bad_san_in_csr)
{
	gnutls_datum_t	 der;

	der = make_csr(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(
	    GNUTLS_ECC_CURVE_SECP256R1), "CN=x", "bad_name.example", false);
	ck_assert_ptr_null(req_parse(&der, &notes, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "bad_name.example"));
	ck_assert_ptr_nonnull(strstr(err.msg, "in the CSR"));
	gnutls_free(der.data);
}
END_TEST

START_TEST(garbage)
{
	static unsigned char junk[] = "-----BEGIN CERTIFICATE REQUEST-----\n"
	    "!!!!\n-----END CERTIFICATE REQUEST-----\n";
	unsigned char	 rnd[512];
	gnutls_datum_t	 d;
	size_t		 cut;

	d.data = junk;
	d.size = sizeof(junk) - 1;
	ck_assert_ptr_null(req_parse(&d, &notes, &err));
	ck_assert_ptr_nonnull(strstr(err.msg, "PKCS#10"));
	gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof(rnd));
	d.data = rnd;
	d.size = sizeof(rnd);
	ck_assert_ptr_null(req_parse(&d, &notes, &err));
	/* A valid request cut short at every length never parses. */
	d = make_csr(GNUTLS_PK_EDDSA_ED25519, 0, "CN=x", NULL, false);
	for (cut = 1; cut < d.size; cut += 7) {
		gnutls_datum_t	 part = { d.data, cut };

		ck_assert_ptr_null(req_parse(&part, &notes, &err));
	}
	gnutls_free(d.data);
}
END_TEST

static Suite *
req_suite(void)
{
	Suite	*s = suite_create("req");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, valid_der_and_pem);
	tcase_add_test(tc, altered_signature);
	tcase_add_test(tc, altered_subject);
	tcase_add_test(tc, weak_rsa);
	tcase_add_test(tc, ca_true_ignored);
	tcase_add_test(tc, bad_san_in_csr);
	tcase_add_test(tc, garbage);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(req_suite)
