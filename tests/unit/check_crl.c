/*
 * crl.c: CRLs built for a CA of every key type cakit makes, read back
 * by GnuTLS's decoder and verifier, and walked by a small DER reader
 * written here (not der.c) for what GnuTLS does not expose: the entry
 * reason codes and the absence of an empty revokedCertificates.  The
 * reasons table against the builder, crl_head_read on files, and the
 * numbering of crl-publish.c on a CA that ca_init made.
 */
#include "config.h"

#include <time.h>

#include "unit.h"

struct ca_kind {
	const char		*name;
	gnutls_pk_algorithm_t	 pk;
	unsigned int		 bits;
	gnutls_sign_algorithm_t	 sign;		/* what the CRL must use */
	bool			 null_params;
};

static const struct ca_kind kinds[] = {
	{ "ecdsa-p256", GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1),
	    GNUTLS_SIGN_ECDSA_SHA256, false },
	{ "ecdsa-p384", GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1),
	    GNUTLS_SIGN_ECDSA_SHA384, false },
	{ "ed25519", GNUTLS_PK_EDDSA_ED25519,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519),
	    GNUTLS_SIGN_EDDSA_ED25519, false },
	{ "rsa-2048", GNUTLS_PK_RSA, 2048, GNUTLS_SIGN_RSA_SHA256, true },
	{ "rsa-3072", GNUTLS_PK_RSA, 3072, GNUTLS_SIGN_RSA_SHA256, true },
	{ "rsa-4096", GNUTLS_PK_RSA, 4096, GNUTLS_SIGN_RSA_SHA384, true },
};
#define NKINDS	(sizeof(kinds) / sizeof(kinds[0]))

struct test_ca {
	gnutls_privkey_t	 key;
	gnutls_x509_crt_t	 crt;
};

static struct test_ca	 cas[NKINDS];
static struct test_ca	 noski;		/* ECDSA P-256 without an SKI */
static time_t		 now;

/*
 * A self-signed CA certificate, made with GnuTLS alone so that crl.c
 * is the only cakit code under test.
 */
static void
test_ca_make(const struct ca_kind *k, bool ski, struct test_ca *ca)
{
	gnutls_pubkey_t	 pub;
	gnutls_datum_t	 der;
	unsigned char	 id[64];
	size_t		 idlen = sizeof(id);
	char		 dn[128];

	ck_assert_int_eq(gnutls_privkey_init(&ca->key), 0);
	ck_assert_int_eq(gnutls_privkey_generate(ca->key, k->pk, k->bits, 0),
	    0);
	ck_assert_int_eq(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_eq(gnutls_pubkey_import_privkey(pub, ca->key, 0, 0), 0);

	ck_assert_int_eq(gnutls_x509_crt_init(&ca->crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_version(ca->crt, 3), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_serial(ca->crt, "\x01", 1), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_activation_time(ca->crt,
	    now - 86400), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_expiration_time(ca->crt,
	    now + 10 * 365 * 86400), 0);
	snprintf(dn, sizeof(dn), "CN=cakit test CA %s,O=cakit,C=DE", k->name);
	ck_assert_int_eq(gnutls_x509_crt_set_dn(ca->crt, dn, NULL), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_pubkey(ca->crt, pub), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_basic_constraints(ca->crt, 1,
	    -1), 0);
	ck_assert_int_eq(gnutls_x509_crt_set_key_usage(ca->crt,
	    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN), 0);
	if (ski) {
		ck_assert_int_eq(gnutls_pubkey_get_key_id(pub, 0, id, &idlen),
		    0);
		ck_assert_int_eq(gnutls_x509_crt_set_subject_key_id(ca->crt,
		    id, idlen), 0);
	}
	ck_assert_int_eq(gnutls_x509_crt_privkey_sign(ca->crt, ca->crt,
	    ca->key, 0, 0), 0);
	gnutls_pubkey_deinit(pub);

	/*
	 * Load it back as cakit will from ca.crt: GnuTLS caches the raw
	 * DNs its verifier compares only when it imports a certificate.
	 */
	ck_assert_int_eq(gnutls_x509_crt_export2(ca->crt, GNUTLS_X509_FMT_DER,
	    &der), 0);
	gnutls_x509_crt_deinit(ca->crt);
	ck_assert_int_eq(gnutls_x509_crt_init(&ca->crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(ca->crt, &der,
	    GNUTLS_X509_FMT_DER), 0);
	gnutls_free(der.data);
}

static void
test_ca_free(struct test_ca *ca)
{
	gnutls_x509_crt_deinit(ca->crt);
	gnutls_privkey_deinit(ca->key);
	ca->crt = NULL;
	ca->key = NULL;
}

static void
setup_all(void)
{
	size_t	 i;

	now = time(NULL);
	for (i = 0; i < NKINDS; i++)
		test_ca_make(&kinds[i], true, &cas[i]);
}

static void
teardown_all(void)
{
	size_t	 i;

	for (i = 0; i < NKINDS; i++)
		test_ca_free(&cas[i]);
}

static void
setup_p256(void)
{
	now = time(NULL);
	test_ca_make(&kinds[0], true, &cas[0]);
	test_ca_make(&kinds[0], false, &noski);
}

static void
teardown_p256(void)
{
	test_ca_free(&cas[0]);
	test_ca_free(&noski);
}

/*
 * A DER reader independent of der.c: one TLV, low tags only.  It uses
 * no ck_assert, which costs a system call each in Check, so that the
 * large tests can walk their entries quickly.
 */
struct tlv {
	unsigned char		 tag;
	const unsigned char	*p;	/* contents */
	size_t			 len;
	const unsigned char	*raw;	/* from the identifier octet */
	size_t			 rawlen;
};

/*
 * Read the TLV at *pp and step over it.  False at the end, or when
 * what is there is not DER, in which case *pp does not move.
 */
static bool
tlv_next(const unsigned char **pp, const unsigned char *end, struct tlv *t)
{
	const unsigned char	*p = *pp;
	size_t			 n;

	if (end - p < 2 || (*p & 0x1f) == 0x1f)
		return false;
	t->raw = p;
	t->tag = *p++;
	if (*p < 0x80)
		t->len = *p++;
	else {
		n = *p++ & 0x7f;
		if (n < 1 || n > 4 || (size_t)(end - p) < n || *p == 0)
			return false;
		for (t->len = 0; n > 0; n--)
			t->len = (t->len << 8) | *p++;
		if (t->len < 0x80)	/* not minimal */
			return false;
	}
	if (t->len > (size_t)(end - p))
		return false;
	t->p = p;
	t->rawlen = p + t->len - t->raw;
	*pp = p + t->len;
	return true;
}

/* The TLVs of a CertificateList, checked against RFC 5280 5.1. */
struct view {
	struct tlv	 tbs, version, alg, issuer, this_update, next_update;
	struct tlv	 revoked;	/* tag 0 when absent */
	struct tlv	 exts;
	struct tlv	 outer_alg, sig;
};

static void
view_crl(const struct buf *der, struct view *v)
{
	const unsigned char	*p = der->p, *end = der->p + der->len;
	const unsigned char	*q, *qend;
	struct tlv		 all;

	memset(v, 0, sizeof(*v));
	ck_assert(tlv_next(&p, end, &all));
	ck_assert_uint_eq(all.tag, 0x30);
	ck_assert_ptr_eq(p, end);

	p = all.p;
	end = all.p + all.len;
	ck_assert(tlv_next(&p, end, &v->tbs));
	ck_assert(tlv_next(&p, end, &v->outer_alg));
	ck_assert(tlv_next(&p, end, &v->sig));
	ck_assert_ptr_eq(p, end);
	ck_assert_uint_eq(v->tbs.tag, 0x30);
	ck_assert_uint_eq(v->outer_alg.tag, 0x30);
	ck_assert_uint_eq(v->sig.tag, 0x03);
	ck_assert_uint_eq(v->sig.p[0], 0);

	q = v->tbs.p;
	qend = v->tbs.p + v->tbs.len;
	ck_assert(tlv_next(&q, qend, &v->version));
	ck_assert(tlv_next(&q, qend, &v->alg));
	ck_assert(tlv_next(&q, qend, &v->issuer));
	ck_assert(tlv_next(&q, qend, &v->this_update));
	ck_assert(tlv_next(&q, qend, &v->next_update));
	ck_assert(tlv_next(&q, qend, &v->exts));
	if (v->exts.tag == 0x30) {
		v->revoked = v->exts;
		ck_assert(tlv_next(&q, qend, &v->exts));
	}
	ck_assert_ptr_eq(q, qend);

	ck_assert_uint_eq(v->version.rawlen, 3);
	ck_assert_int_eq(memcmp(v->version.raw, "\x02\x01\x01", 3), 0);
	ck_assert_uint_eq(v->alg.rawlen, v->outer_alg.rawlen);
	ck_assert_int_eq(memcmp(v->alg.raw, v->outer_alg.raw,
	    v->alg.rawlen), 0);
	ck_assert_uint_eq(v->issuer.tag, 0x30);
	ck_assert_uint_eq(v->exts.tag, 0xa0);
}

/*
 * One revokedCertificates entry: its serial and time TLVs, and the
 * reasonCode, 0 when there are no crlEntryExtensions, or -1 when the
 * entry is not as RFC 5280 5.1.2.6 and cakit have it.
 */
static int
view_entry(const struct tlv *e, struct tlv *serial, struct tlv *when)
{
	const unsigned char	*p = e->p, *end = e->p + e->len;
	const unsigned char	*q, *qend;
	struct tlv		 exts, ext, oid, val, en;

	if (e->tag != 0x30 ||
	    !tlv_next(&p, end, serial) || serial->tag != 0x02 ||
	    !tlv_next(&p, end, when) ||
	    (when->tag != 0x17 && when->tag != 0x18))
		return -1;
	if (!tlv_next(&p, end, &exts))
		return p == end ? 0 : -1;
	if (p != end || exts.tag != 0x30)
		return -1;

	/* Extensions: the reasonCode alone. */
	p = exts.p;
	end = exts.p + exts.len;
	if (!tlv_next(&p, end, &ext) || p != end || ext.tag != 0x30)
		return -1;

	/* Extension: no critical flag, so the OID and the value. */
	q = ext.p;
	qend = ext.p + ext.len;
	if (!tlv_next(&q, qend, &oid) || !tlv_next(&q, qend, &val) ||
	    q != qend || oid.rawlen != 5 ||
	    memcmp(oid.raw, "\x06\x03\x55\x1d\x15", 5) != 0 ||
	    val.tag != 0x04)
		return -1;

	/* An ENUMERATED, never 0, which is left out. */
	q = val.p;
	qend = val.p + val.len;
	if (!tlv_next(&q, qend, &en) || q != qend || en.tag != 0x0a ||
	    en.len != 1 || en.p[0] == 0 || en.p[0] >= 0x80)
		return -1;
	return en.p[0];
}

/* Test serials of several shapes: top bit set, short, leading zeros. */
static void
serial_make(size_t i, struct serial *s)
{
	size_t	 j;

	memset(s, 0, sizeof(*s));
	switch (i % 4) {
	case 0:
		s->len = SERIAL_LEN;
		for (j = 0; j < s->len; j++)
			s->b[j] = (i * 131 + j * 29) & 0xff;
		s->b[0] |= 0x80;
		break;
	case 1:
		s->len = 1;
		s->b[0] = i % 127 + 1;
		break;
	case 2:
		s->len = 4;
		s->b[2] = 0x01;
		s->b[3] = i & 0xff;
		break;
	default:
		s->len = 8;
		for (j = 0; j < 8; j++)
			s->b[j] = (i >> (8 * (7 - j))) & 0xff;
		s->b[0] |= 0x40;
		break;
	}
}

/* Whether two unsigned big-endian numbers are equal. */
static bool
same_number(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	while (alen > 0 && a[0] == 0) {
		a++;
		alen--;
	}
	while (blen > 0 && b[0] == 0) {
		b++;
		blen--;
	}
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* Import with GnuTLS and check everything but the entries. */
static gnutls_x509_crl_t
crl_check(const struct ca_kind *k, const struct test_ca *ca,
    const struct buf *der, uint64_t number, time_t this_update,
    time_t next_update, size_t n)
{
	gnutls_x509_crl_t	 crl;
	gnutls_datum_t		 d, issuer, subject;
	unsigned char		 buf[64], ski[64];
	size_t			 len, skilen;
	unsigned int		 status, critical;
	size_t			 i;

	d.data = der->p;
	d.size = der->len;
	ck_assert_int_eq(gnutls_x509_crl_init(&crl), 0);
	ck_assert_int_eq(gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER),
	    0);
	ck_assert_int_eq(gnutls_x509_crl_verify(crl, &ca->crt, 1, 0,
	    &status), 0);
	ck_assert_uint_eq(status, 0);
	ck_assert_int_eq(gnutls_x509_crl_get_version(crl), 2);
	ck_assert_int_eq(gnutls_x509_crl_get_signature_algorithm(crl),
	    k->sign);
	ck_assert_int_eq(gnutls_x509_crl_get_crt_count(crl), n);
	ck_assert_int_eq(gnutls_x509_crl_get_this_update(crl), this_update);
	ck_assert_int_eq(gnutls_x509_crl_get_next_update(crl), next_update);

	ck_assert_int_eq(gnutls_x509_crl_get_raw_issuer_dn(crl, &issuer), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_raw_dn(ca->crt, &subject), 0);
	ck_assert_uint_eq(issuer.size, subject.size);
	ck_assert_int_eq(memcmp(issuer.data, subject.data, issuer.size), 0);
	gnutls_free(issuer.data);
	gnutls_free(subject.data);

	len = sizeof(buf);
	ck_assert_int_eq(gnutls_x509_crl_get_number(crl, buf, &len,
	    &critical), 0);
	ck_assert_uint_eq(critical, 0);
	for (i = 0; i < 8; i++)
		ski[i] = number >> (8 * (7 - i));
	ck_assert(same_number(buf, len, ski, 8));

	len = sizeof(buf);
	skilen = sizeof(ski);
	ck_assert_int_eq(gnutls_x509_crl_get_authority_key_id(crl, buf, &len,
	    &critical), 0);
	ck_assert_uint_eq(critical, 0);
	ck_assert_int_eq(gnutls_x509_crt_get_subject_key_id(ca->crt, ski,
	    &skilen, &critical), 0);
	ck_assert_uint_eq(len, skilen);
	ck_assert_int_eq(memcmp(buf, ski, len), 0);
	return crl;
}

/* The AlgorithmIdentifier: NULL parameters for RSA only. */
static void
check_alg(const struct ca_kind *k, const struct view *v)
{
	const unsigned char	*p = v->alg.p, *end = v->alg.p + v->alg.len;
	struct tlv		 oid, params;

	ck_assert(tlv_next(&p, end, &oid));
	ck_assert_uint_eq(oid.tag, 0x06);
	if (k->null_params) {
		ck_assert(tlv_next(&p, end, &params));
		ck_assert_uint_eq(params.tag, 0x05);
		ck_assert_uint_eq(params.len, 0);
	}
	ck_assert_ptr_eq(p, end);
}

/*
 * Verify the signature on the TBSCertList as the view found it, without
 * gnutls_x509_crl_import(), whose decoder takes seconds per ten
 * thousand entries and grows quadratically.
 */
static void
check_signature(const struct ca_kind *k, const struct test_ca *ca,
    const struct view *v)
{
	gnutls_pubkey_t	 pub;
	gnutls_datum_t	 tbs, sig;

	ck_assert_int_eq(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_eq(gnutls_pubkey_import_x509(pub, ca->crt, 0), 0);
	tbs.size = v->tbs.rawlen;
	tbs.data = xmalloc(tbs.size);
	memcpy(tbs.data, v->tbs.raw, tbs.size);
	sig.data = (unsigned char *)v->sig.p + 1;
	sig.size = v->sig.len - 1;
	ck_assert_int_ge(gnutls_pubkey_verify_data2(pub, k->sign, 0, &tbs,
	    &sig), 0);

	/* And that it covers those octets. */
	tbs.data[tbs.size / 2] ^= 1;
	ck_assert_int_lt(gnutls_pubkey_verify_data2(pub, k->sign, 0, &tbs,
	    &sig), 0);
	free(tbs.data);
	gnutls_pubkey_deinit(pub);
}

START_TEST(test_empty)
{
	const struct ca_kind	*k = &kinds[_i];
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	gnutls_x509_crl_t	 crl;
	struct view		 v;
	time_t			 tu = now - 3600, nu = now + 7 * 86400;

	ck_assert_msg(crl_build(cas[_i].crt, cas[_i].key, NULL, 0, 1, tu, nu,
	    &der, &err) == 0, "%s: %s", k->name, err.msg);
	crl = crl_check(k, &cas[_i], &der, 1, tu, nu, 0);

	/* RFC 5280 5.1.2.6: nextUpdate is followed by crlExtensions. */
	view_crl(&der, &v);
	ck_assert_uint_eq(v.revoked.tag, 0);
	ck_assert_ptr_eq(v.next_update.raw + v.next_update.rawlen, v.exts.raw);
	check_alg(k, &v);
	check_signature(k, &cas[_i], &v);

	gnutls_x509_crl_deinit(crl);
	buf_free(&der);
}
END_TEST

START_TEST(test_one)
{
	const struct ca_kind	*k = &kinds[_i];
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	struct crl_entry	 e;
	struct view		 v;
	struct tlv		 entry, serial, when;
	gnutls_x509_crl_t	 crl;
	gnutls_x509_crl_iter_t	 it = NULL;
	unsigned char		 sb[32];
	size_t			 sblen = sizeof(sb);
	time_t			 tu = now - 3600, nu = now + 86400, t;
	const unsigned char	*p;

	memset(&e, 0, sizeof(e));
	e.serial.len = 3;
	memcpy(e.serial.b, "\x0a\x1b\x2c", 3);
	e.revoked_at = now - 7200;
	e.reason = 1;				/* keyCompromise */
	ck_assert_msg(crl_build(cas[_i].crt, cas[_i].key, &e, 1, 42, tu, nu,
	    &der, &err) == 0, "%s: %s", k->name, err.msg);
	crl = crl_check(k, &cas[_i], &der, 42, tu, nu, 1);

	ck_assert_int_eq(gnutls_x509_crl_iter_crt_serial(crl, &it, sb, &sblen,
	    &t), 0);
	ck_assert(same_number(sb, sblen, e.serial.b, e.serial.len));
	ck_assert_int_eq(t, e.revoked_at);
	sblen = sizeof(sb);
	ck_assert_int_eq(gnutls_x509_crl_iter_crt_serial(crl, &it, sb, &sblen,
	    &t), GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE);
	gnutls_x509_crl_iter_deinit(it);

	view_crl(&der, &v);
	check_alg(k, &v);
	ck_assert_uint_eq(v.revoked.tag, 0x30);
	p = v.revoked.p;
	ck_assert(tlv_next(&p, v.revoked.p + v.revoked.len, &entry));
	ck_assert_ptr_eq(p, v.revoked.p + v.revoked.len);
	ck_assert_int_eq(view_entry(&entry, &serial, &when), 1);
	ck_assert_uint_eq(serial.rawlen, 5);
	ck_assert_int_eq(memcmp(serial.raw, "\x02\x03\x0a\x1b\x2c", 5), 0);

	gnutls_x509_crl_deinit(crl);
	buf_free(&der);
}
END_TEST

/* Entries of every serial shape, every reason, both time encodings. */
static void
entries_make(struct crl_entry *e, size_t n)
{
	static const int	 reasons[] = { 0, 1, 2, 3, 4, 5, 9 };
	size_t			 i;

	for (i = 0; i < n; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		serial_make(i, &e[i].serial);
		e[i].reason = reasons[i % 7];
		e[i].revoked_at = now - 86400 * (time_t)(i % 1000) - i;
		if (i % 9 == 5)		/* GeneralizedTime, RFC 5280 4.1.2.5 */
			e[i].revoked_at = 2524608000LL + i;
		if (i % 9 == 6)		/* the last UTCTime second */
			e[i].revoked_at = 2524607999LL;
	}
}

START_TEST(test_several)
{
	const struct ca_kind	*k = &kinds[_i];
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	struct crl_entry	 e[50];
	struct view		 v;
	struct tlv		 entry, serial, when;
	gnutls_x509_crl_t	 crl;
	gnutls_x509_crl_iter_t	 it = NULL;
	unsigned char		 sb[32];
	size_t			 sblen, i, n = sizeof(e) / sizeof(e[0]);
	time_t			 tu = now - 60, nu = now + 86400, t;
	const unsigned char	*p, *end;

	entries_make(e, n);
	ck_assert_msg(crl_build(cas[_i].crt, cas[_i].key, e, n, UINT64_MAX,
	    tu, nu, &der, &err) == 0, "%s: %s", k->name, err.msg);
	crl = crl_check(k, &cas[_i], &der, UINT64_MAX, tu, nu, n);
	view_crl(&der, &v);
	p = v.revoked.p;
	end = v.revoked.p + v.revoked.len;
	for (i = 0; i < n; i++) {
		sblen = sizeof(sb);
		ck_assert_int_eq(gnutls_x509_crl_iter_crt_serial(crl, &it, sb,
		    &sblen, &t), 0);
		ck_assert(same_number(sb, sblen, e[i].serial.b,
		    e[i].serial.len));
		ck_assert_int_eq(t, e[i].revoked_at);

		ck_assert(tlv_next(&p, end, &entry));
		ck_assert_int_eq(view_entry(&entry, &serial, &when),
		    e[i].reason);
		/* Positive, minimal: no 0 octet unless the next has bit 8. */
		ck_assert_uint_eq(serial.p[0] & 0x80, 0);
		if (serial.len > 1 && serial.p[0] == 0)
			ck_assert_uint_ne(serial.p[1] & 0x80, 0);
		ck_assert_uint_eq(when.tag,
		    e[i].revoked_at >= 2524608000LL ? 0x18 : 0x17);
	}
	ck_assert_ptr_eq(p, end);
	gnutls_x509_crl_iter_deinit(it);
	gnutls_x509_crl_deinit(crl);
	buf_free(&der);
}
END_TEST

/* A nextUpdate past 2049 is a GeneralizedTime GnuTLS reads back. */
START_TEST(test_next_update_2050)
{
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	gnutls_x509_crl_t	 crl;
	struct view		 v;
	time_t			 nu = 2524608000LL + 3600;

	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, NULL, 0, 7,
	    now - 60, nu, &der, &err), 0);
	crl = crl_check(&kinds[0], &cas[0], &der, 7, now - 60, nu, 0);
	view_crl(&der, &v);
	ck_assert_uint_eq(v.this_update.tag, 0x17);
	ck_assert_uint_eq(v.next_update.tag, 0x18);
	gnutls_x509_crl_deinit(crl);
	buf_free(&der);
}
END_TEST

/* crl_build appends, and leaves the buffer alone when it fails. */
START_TEST(test_append)
{
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 }, crl = { NULL, 0, 0 };
	struct crl_entry	 e;

	entries_make(&e, 1);
	buf_add(&der, "prefix", 6);
	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, &e, 1, 1, now,
	    now + 60, &der, &err), 0);
	ck_assert_int_eq(memcmp(der.p, "prefix", 6), 0);
	buf_add(&crl, der.p + 6, der.len - 6);
	gnutls_x509_crl_deinit(crl_check(&kinds[0], &cas[0], &crl, 1, now,
	    now + 60, 1));

	e.reason = 7;
	der.len = 6;
	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, &e, 1, 1, now,
	    now + 60, &der, &err), -1);
	ck_assert_uint_eq(der.len, 6);
	buf_free(&der);
	buf_free(&crl);
}
END_TEST

START_TEST(test_bad_reason)
{
	static const int	 bad[] = { -1, 6, 7, 8, 10, 11, 255 };
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	struct crl_entry	 e[3];
	char			 want[64];
	size_t			 i;

	entries_make(e, 3);
	e[2].serial.len = 2;
	memcpy(e[2].serial.b, "\x0a\xbc", 2);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e[2].reason = bad[i];
		ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, e, 3, 1,
		    now, now + 60, &der, &err), -1);
		ck_assert_uint_eq(der.len, 0);
		snprintf(want, sizeof(want), "serial 0abc: revocation reason "
		    "%d is not", bad[i]);
		ck_assert_ptr_nonnull(strstr(err.msg, want));
	}
	buf_free(&der);
}
END_TEST

START_TEST(test_bad_serial)
{
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	struct crl_entry	 e[2];

	entries_make(e, 2);
	e[1].serial.len = 0;
	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, e, 2, 1, now,
	    now + 60, &der, &err), -1);
	ck_assert_str_eq(err.msg, "CRL entry 1: serial number of 0 octets, "
	    "not 1 to 20 (RFC 5280 4.1.2.2)");
	e[1].serial.len = SERIAL_LEN + 1;
	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, e, 2, 1, now,
	    now + 60, &der, &err), -1);
	ck_assert_uint_eq(der.len, 0);
	buf_free(&der);
}
END_TEST

START_TEST(test_bad_time)
{
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	struct crl_entry	 e;

	entries_make(&e, 1);
	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, &e, 1, 1, now,
	    now - 1, &der, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "nextUpdate is before "
	    "thisUpdate"));
	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, &e, 1, 1, now,
	    253402300800LL, &der, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "years 0000-9999"));
	e.revoked_at = 253402300800LL;
	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, &e, 1, 1, now,
	    now + 60, &der, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "revocation time "
	    "253402300800"));
	ck_assert_uint_eq(der.len, 0);
	buf_free(&der);
}
END_TEST

START_TEST(test_no_ski)
{
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };

	ck_assert_int_eq(crl_build(noski.crt, noski.key, NULL, 0, 1, now,
	    now + 60, &der, &err), -1);
	ck_assert_str_eq(err.msg, "CA certificate: no subject key identifier "
	    "for the CRL's authority key identifier (RFC 5280 5.2.1)");
	ck_assert_uint_eq(der.len, 0);
	buf_free(&der);
}
END_TEST

/*
 * GnuTLS's own writer took 24 s for 30,000 entries; the tcase timeout
 * is the assertion that this is linear.
 */
START_TEST(test_large)
{
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	struct crl_entry	*e;
	struct view		 v;
	struct tlv		 entry, serial, when;
	const unsigned char	*p, *end;
	size_t			 i, n = 200000;

	e = xcalloc(n, sizeof(*e));
	entries_make(e, n);
	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, e, n, 99, now - 60,
	    now + 86400, &der, &err), 0);

	view_crl(&der, &v);
	check_alg(&kinds[0], &v);
	check_signature(&kinds[0], &cas[0], &v);
	p = v.revoked.p;
	end = v.revoked.p + v.revoked.len;
	for (i = 0; i < n; i++) {
		if (!tlv_next(&p, end, &entry) ||
		    view_entry(&entry, &serial, &when) != e[i].reason ||
		    !same_number(serial.p, serial.len, e[i].serial.b,
		    e[i].serial.len))
			break;
	}
	ck_assert_uint_eq(i, n);
	ck_assert_ptr_eq(p, end);
	buf_free(&der);
	free(e);
}
END_TEST

/* As large a CRL as GnuTLS imports quickly, checked entry by entry. */
START_TEST(test_medium)
{
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	struct crl_entry	*e;
	gnutls_x509_crl_t	 crl;
	gnutls_x509_crl_iter_t	 it = NULL;
	unsigned char		 sb[32];
	size_t			 sblen, i, n = 3000;
	time_t			 t, tu = now - 60, nu = now + 86400;

	e = xcalloc(n, sizeof(*e));
	entries_make(e, n);
	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, e, n, 99, tu, nu,
	    &der, &err), 0);
	crl = crl_check(&kinds[0], &cas[0], &der, 99, tu, nu, n);
	for (i = 0; i < n; i++) {
		sblen = sizeof(sb);
		if (gnutls_x509_crl_iter_crt_serial(crl, &it, sb, &sblen,
		    &t) != 0 || !same_number(sb, sblen, e[i].serial.b,
		    e[i].serial.len) || t != e[i].revoked_at)
			break;
	}
	ck_assert_uint_eq(i, n);
	gnutls_x509_crl_iter_deinit(it);
	gnutls_x509_crl_deinit(crl);
	buf_free(&der);
	free(e);
}
END_TEST

/* Build a CRL of n entries after a prefix; the outer content length. */
static size_t
build_after_prefix(struct crl_entry *e, size_t n, struct buf *der)
{
	struct cakit_err	 err;
	struct buf		 crl = { NULL, 0, 0 };
	struct view		 v;
	struct tlv		 all;
	const unsigned char	*p;
	uint64_t		 number;
	gnutls_datum_t		 d;

	der->len = 0;
	buf_add(der, "prefix", 6);
	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, e, n, 0x1234567,
	    now, now + 60, der, &err), 0);
	ck_assert_int_eq(memcmp(der->p, "prefix", 6), 0);
	buf_add(&crl, der->p + 6, der->len - 6);
	view_crl(&crl, &v);
	check_signature(&kinds[0], &cas[0], &v);
	p = crl.p;
	ck_assert(tlv_next(&p, crl.p + crl.len, &all));
	d.data = crl.p;
	d.size = crl.len;
	ck_assert_int_eq(crl_number(&d, &number, &err), 0);
	ck_assert_uint_eq(number, 0x1234567);
	buf_free(&crl);
	return all.len;
}

/*
 * The outer header of a CRL is written after the signature, when its
 * length is known: on both sides of the boundary where that length
 * needs a third length octet (65536), after a prefix, the CRL is whole
 * and the prefix untouched.
 */
START_TEST(test_outer_boundary)
{
	struct buf		 der = { NULL, 0, 0 };
	struct crl_entry	*e;
	size_t			 n, len, below = 0, above = 0, max = 4000;

	e = xcalloc(max, sizeof(*e));
	entries_make(e, max);
	/* Estimate, then step to the boundary. */
	len = build_after_prefix(e, 1000, &der);
	n = 1000 * 65536 / len;
	len = build_after_prefix(e, n, &der);
	while (len > 65535 && n > 0)
		len = build_after_prefix(e, --n, &der);
	while (len <= 65535 && n < max)
		len = build_after_prefix(e, ++n, &der);
	ck_assert_uint_gt(len, 65535);
	above = len;
	below = build_after_prefix(e, n - 1, &der);
	ck_assert_uint_le(below, 65535);
	ck_assert_uint_le(above, 65536 + 200);
	buf_free(&der);
	free(e);
}
END_TEST

/* crl_number reads back every number, and refuses what is not a CRL. */
START_TEST(test_number)
{
	static const uint64_t	 v[] = { 0, 1, 127, 128, 255, 256, 65535,
	    65536, 0xffffffffULL, 0x7fffffffffffffffULL };
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	struct crl_entry	 e[3];
	gnutls_datum_t		 d;
	uint64_t		 number;
	size_t			 i;

	entries_make(e, 3);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		der.len = 0;
		ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, e, i % 4,
		    v[i], now, now + 60, &der, &err), 0);
		d.data = der.p;
		d.size = der.len;
		ck_assert_int_eq(crl_number(&d, &number, &err), 0);
		ck_assert_uint_eq(number, v[i]);
	}
	d.size = der.len / 2;
	ck_assert_int_eq(crl_number(&d, &number, &err), -1);
	d.size = 0;
	ck_assert_int_eq(crl_number(&d, &number, &err), -1);
	buf_free(&der);
}
END_TEST

/*
 * The reasons table and CRL building agree: every name parses back to
 * its code, in any case, and every code builds an entry with that
 * reasonCode; a code outside the table, certificateHold among them, is
 * neither named nor built.
 */
START_TEST(test_reasons)
{
	static const char *const want[] = { "unspecified", "keyCompromise",
	    "cACompromise", "affiliationChanged", "superseded",
	    "cessationOfOperation", "privilegeWithdrawn" };
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	struct crl_entry	 e;
	struct view		 v;
	struct tlv		 entry, serial, when;
	const unsigned char	*p;
	const char		*name;
	char			 upper[64];
	size_t			 named = 0, i;
	int			 code, parsed;

	entries_make(&e, 1);
	for (code = -1; code <= 256; code++) {
		name = crl_reason_name(code);
		e.reason = code;
		der.len = 0;
		if (strcmp(name, "unknown") == 0) {
			ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, &e,
			    1, 1, now, now + 60, &der, &err), -1);
			continue;
		}
		named++;
		ck_assert_int_eq(crl_reason_parse(name, &parsed, &err), 0);
		ck_assert_int_eq(parsed, code);
		for (i = 0; name[i] != '\0' && i + 1 < sizeof(upper); i++)
			upper[i] = name[i] >= 'a' && name[i] <= 'z' ?
			    name[i] - 'a' + 'A' : name[i];
		upper[i] = '\0';
		ck_assert_int_eq(crl_reason_parse(upper, &parsed, &err), 0);
		ck_assert_int_eq(parsed, code);
		ck_assert_msg(crl_build(cas[0].crt, cas[0].key, &e, 1, 1, now,
		    now + 60, &der, &err) == 0, "%s: %s", name, err.msg);
		view_crl(&der, &v);
		p = v.revoked.p;
		ck_assert(tlv_next(&p, v.revoked.p + v.revoked.len, &entry));
		ck_assert_int_eq(view_entry(&entry, &serial, &when), code);
	}
	ck_assert_uint_eq(named, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(crl_reason_parse(want[i], &parsed, &err), 0);
		ck_assert_str_eq(crl_reason_name(parsed), want[i]);
	}
	ck_assert_int_eq(crl_reason_parse("certificateHold", &parsed, &err), -1);
	ck_assert_int_eq(crl_reason_parse("removeFromCRL", &parsed, &err), -1);
	ck_assert_int_eq(crl_reason_parse("aACompromise", &parsed, &err), -1);
	ck_assert_int_eq(crl_reason_parse("", &parsed, &err), -1);
	ck_assert_str_eq(crl_reason_name(6), "unknown");
	e.reason = 6;
	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, &e, 1, 1, now,
	    now + 60, &der, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "revocation reason 6 is not "
	    "one cakit writes"));
	buf_free(&der);
}
END_TEST

/* index.txt's spellings are OpenSSL's, and absent where it has none. */
START_TEST(test_reason_index_names)
{
	ck_assert_ptr_null(crl_reason_index_name(0));
	ck_assert_str_eq(crl_reason_index_name(1), "keyCompromise");
	ck_assert_str_eq(crl_reason_index_name(2), "CACompromise");
	ck_assert_str_eq(crl_reason_index_name(3), "affiliationChanged");
	ck_assert_str_eq(crl_reason_index_name(4), "superseded");
	ck_assert_str_eq(crl_reason_index_name(5), "cessationOfOperation");
	ck_assert_ptr_null(crl_reason_index_name(6));
	ck_assert_ptr_null(crl_reason_index_name(9));
	ck_assert_ptr_null(crl_reason_index_name(-1));
}
END_TEST

/*
 * Write der as dir's crl.pem, after the text before, cut to cut octets
 * unless cut is 0; its path, which the caller frees.
 */
static char *
pem_write(const char *dir, const struct buf *der, const char *before,
    size_t cut)
{
	gnutls_datum_t	 d, pem;
	char		*path;
	FILE		*f;

	d.data = der->p;
	d.size = der->len;
	ck_assert_int_eq(gnutls_pem_base64_encode2("X509 CRL", &d, &pem), 0);
	path = file_join(dir, CA_CRL);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(before, f);
	fwrite(pem.data, 1, cut == 0 || cut > pem.size ? pem.size : cut, f);
	ck_assert_int_eq(fclose(f), 0);
	gnutls_free(pem.data);
	return path;
}

/*
 * crl_head_read gives the dates and the number of a CRL file, the
 * number from its end, after thousands of entries; crl_disk_number of
 * the directory agrees.
 */
START_TEST(test_head_read)
{
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	struct crl_entry	*e;
	struct crl_head		 h;
	uint64_t		 number;
	time_t			 tu = now - 60, nu = now + 86400;
	size_t			 n = 3000;
	char			*path;

	unit_tmpdir();
	e = xcalloc(n, sizeof(*e));
	entries_make(e, n);
	ck_assert_int_eq(crl_build(cas[0].crt, cas[0].key, e, n, 0x123456789,
	    tu, nu, &der, &err), 0);
	path = pem_write(unit_dir, &der, "text before the CRL\n", 0);
	ck_assert_msg(crl_head_read(path, &h, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(h.this_update, tu);
	ck_assert_int_eq(h.next_update, nu);
	ck_assert(h.numbered);
	ck_assert_uint_eq(h.number, 0x123456789);
	ck_assert_int_eq(crl_disk_number(unit_dir, &number), 1);
	ck_assert_uint_eq(number, 0x123456789);
	free(path);

	/* Cut short: the dates are still there, the number is not. */
	path = pem_write(unit_dir, &der, "", 2000);
	ck_assert_msg(crl_head_read(path, &h, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(h.this_update, tu);
	ck_assert_int_eq(h.next_update, nu);
	ck_assert(!h.numbered);
	ck_assert_int_eq(crl_disk_number(unit_dir, &number), 0);
	ck_assert_uint_eq(number, 0);
	free(path);
	free(e);
	buf_free(&der);
	unit_rmdir();
}
END_TEST

/* A CRL GnuTLS wrote without a cRLNumber: dates, and no number. */
START_TEST(test_head_unnumbered)
{
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	struct crl_head		 h;
	gnutls_x509_crl_t	 crl;
	gnutls_datum_t		 d;
	uint64_t		 number;
	char			*path;

	unit_tmpdir();
	ck_assert_int_eq(gnutls_x509_crl_init(&crl), 0);
	ck_assert_int_eq(gnutls_x509_crl_set_version(crl, 2), 0);
	ck_assert_int_eq(gnutls_x509_crl_set_this_update(crl, now - 60), 0);
	ck_assert_int_eq(gnutls_x509_crl_set_next_update(crl, now + 3600), 0);
	ck_assert_int_eq(gnutls_x509_crl_privkey_sign(crl, cas[0].crt,
	    cas[0].key, 0, 0), 0);
	ck_assert_int_eq(gnutls_x509_crl_export2(crl, GNUTLS_X509_FMT_DER,
	    &d), 0);
	buf_add(&der, d.data, d.size);
	gnutls_free(d.data);
	gnutls_x509_crl_deinit(crl);
	path = pem_write(unit_dir, &der, "", 0);
	ck_assert_msg(crl_head_read(path, &h, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(h.this_update, now - 60);
	ck_assert_int_eq(h.next_update, now + 3600);
	ck_assert(!h.numbered);
	ck_assert_int_eq(crl_disk_number(unit_dir, &number), 0);
	free(path);
	buf_free(&der);
	unit_rmdir();
}
END_TEST

/* What is not a readable PEM CRL is refused, with the path first. */
START_TEST(test_head_bad)
{
	struct cakit_err	 err;
	struct crl_head		 h;
	uint64_t		 number;
	char			*path, want[512];
	FILE			*f;

	unit_tmpdir();
	path = unit_path(CA_CRL);
	ck_assert_int_eq(crl_head_read(path, &h, &err), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(crl_disk_number(unit_dir, &number), 0);

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("-----BEGIN CERTIFICATE-----\nAAAA\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(crl_head_read(path, &h, &err), -1);
	snprintf(want, sizeof(want), "%s: not a PEM CRL", path);
	ck_assert_str_eq(err.msg, want);

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("-----BEGIN X509 CRL-----\nMAMCAQE=\n-----END X509 CRL-----\n",
	    f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(crl_head_read(path, &h, &err), -1);
	snprintf(want, sizeof(want), "%s: not a well-formed CRL (RFC 5280 "
	    "5.1)", path);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(crl_disk_number(unit_dir, &number), 0);
	free(path);
	unit_rmdir();
}
END_TEST

/* A CA made by ca_init in a temporary directory, for crl-publish.c. */
static struct ca	*pca;
static char		*pdir;

static void
setup_publish(void)
{
	struct cakit_err	 err;
	struct cakit_notes	 notes;
	struct ca_init_opts	 o;

	memset(&notes, 0, sizeof(notes));
	now = time(NULL);
	unit_tmpdir();
	pdir = unit_path("ca");
	unit_ca_opts(&o, pdir, "CN=Unit CRL Root");
	unit_ca_make(&o, now);
	ck_assert_msg((pca = ca_open(pdir, 0, NULL, &err)) != NULL, "%s",
	    err.msg);
}

static void
teardown_publish(void)
{
	ca_free(pca);
	free(pdir);
	unit_rmdir();
}

/* Put a CRL of pca's numbered number in place, as no writer would. */
static void
pca_crl_write(uint64_t number)
{
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };

	ck_assert_int_eq(crl_build(pca->crt, pca->key, NULL, 0, number, now,
	    now + 60, &der, &err), 0);
	free(pem_write(pdir, &der, "", 0));
	buf_free(&der);
}

static uint64_t
ledger_crl(void)
{
	struct cakit_err	 err;
	uint64_t		 n;

	ck_assert_msg(ledger_crl_number(pca->ledger, &n, &err) == 0, "%s", err.msg);
	return n;
}

static uint64_t
disk_crl(void)
{
	uint64_t	 n;

	ck_assert_int_eq(crl_disk_number(pdir, &n), 1);
	return n;
}

/* Each CRL takes the number after the ledger's and the one on disk. */
START_TEST(test_publish_number)
{
	struct cakit_err	 err;
	uint64_t		 n = ledger_crl();

	ck_assert_uint_eq(disk_crl(), n);
	ck_assert_msg(crl_publish(pca, now, 7, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(ledger_crl(), n + 1);
	ck_assert_uint_eq(disk_crl(), n + 1);

	pca_crl_write(100);
	ck_assert_msg(crl_publish(pca, now, 7, &err) == 0, "%s", err.msg);
	ck_assert_uint_eq(ledger_crl(), 101);
	ck_assert_uint_eq(disk_crl(), 101);
}
END_TEST

/* crl.pem is behind when it is missing or older than the ledger's. */
START_TEST(test_behind)
{
	struct cakit_err	 err;
	char			*path;
	bool			 behind = true;

	ck_assert_int_eq(crl_behind(pca, &behind, &err), 0);
	ck_assert(!behind);
	path = file_join(pdir, CA_CRL);
	ck_assert_int_eq(unlink(path), 0);
	free(path);
	ck_assert_int_eq(crl_behind(pca, &behind, &err), 0);
	ck_assert(behind);
	ck_assert_int_eq(crl_publish(pca, now, 7, &err), 0);
	ck_assert_int_eq(crl_behind(pca, &behind, &err), 0);
	ck_assert(!behind);
	pca_crl_write(ledger_crl() - 1);
	ck_assert_int_eq(crl_behind(pca, &behind, &err), 0);
	ck_assert(behind);
}
END_TEST

/*
 * crl_install leaves alone a crl.pem whose number is not below the new
 * one, and removes its temporary.
 */
START_TEST(test_install_not_older)
{
	struct cakit_err	 err;
	char			*tmp, want[512];
	uint64_t		 number;
	int			 lock;

	ck_assert_int_ge(lock = crl_lock(pdir, &err), 0);
	ck_assert_int_eq(ledger_begin(pca->ledger, &err), 0);
	ck_assert_msg((tmp = crl_prepare(pca, now, 7, &number, &err)) != NULL,
	    "%s", err.msg);
	ck_assert_int_eq(ledger_commit(pca->ledger, &err), 0);
	pca_crl_write(number + 5);
	ck_assert_int_eq(crl_install(pca, tmp, number, &err), -1);
	snprintf(want, sizeof(want), "%s/%s: holds CRL number %llu, not "
	    "below the new %llu; left alone", pdir, CA_CRL,
	    (unsigned long long)number + 5, (unsigned long long)number);
	ck_assert_str_eq(err.msg, want);
	ck_assert(!file_exists(tmp));
	ck_assert_uint_eq(disk_crl(), number + 5);
	crl_unlock(lock);
	free(tmp);
}
END_TEST

static Suite *
crl_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("crl");

	tc = tcase_create("keys");
	tcase_add_unchecked_fixture(tc, setup_all, teardown_all);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_empty, 0, NKINDS);
	tcase_add_loop_test(tc, test_one, 0, NKINDS);
	tcase_add_loop_test(tc, test_several, 0, NKINDS);
	suite_add_tcase(s, tc);

	tc = tcase_create("p256");
	tcase_add_unchecked_fixture(tc, setup_p256, teardown_p256);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_next_update_2050);
	tcase_add_test(tc, test_append);
	tcase_add_test(tc, test_bad_reason);
	tcase_add_test(tc, test_bad_serial);
	tcase_add_test(tc, test_bad_time);
	tcase_add_test(tc, test_no_ski);
	tcase_add_test(tc, test_medium);
	tcase_add_test(tc, test_outer_boundary);
	tcase_add_test(tc, test_number);
	tcase_add_test(tc, test_reasons);
	tcase_add_test(tc, test_reason_index_names);
	tcase_add_test(tc, test_head_read);
	tcase_add_test(tc, test_head_unnumbered);
	tcase_add_test(tc, test_head_bad);
	tcase_add_test(tc, test_large);
	suite_add_tcase(s, tc);

	tc = tcase_create("publish");
	tcase_add_checked_fixture(tc, setup_publish, teardown_publish);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_publish_number);
	tcase_add_test(tc, test_behind);
	tcase_add_test(tc, test_install_not_older);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(crl_suite)
