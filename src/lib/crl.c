/*
 * Certificate revocation lists (RFC 5280 section 5).  GnuTLS's CRL
 * writer cannot put a reasonCode on an entry, writes an empty
 * revokedCertificates where 5.1.2.6 wants it absent, and slows down
 * faster than the number of entries grows.  So the TBSCertList is
 * encoded here with der.c, and GnuTLS only signs it.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "cakit.h"
#include "der.h"

/* Content octets of the extension OIDs (2.5.29.20, .21 and .35). */
static const unsigned char oid_crl_number[] = { 0x55, 0x1d, 0x14 };
static const unsigned char oid_crl_reason[] = { 0x55, 0x1d, 0x15 };
static const unsigned char oid_authority_key_id[] = { 0x55, 0x1d, 0x23 };

/* One past the largest CRLReason value (RFC 5280 5.3.1). */
#define REASON_MAX	11

#define KEY_ID_MAX	256

/*
 * The CRLReason values cakit writes: those of RFC 5280 5.3.1 except
 * removeFromCRL (delta CRLs only) and aACompromise (attribute
 * certificates), and 7, which is unused.
 */
static bool
reason_valid(int reason)
{
	switch (reason) {
	case 0:		/* unspecified */
	case 1:		/* keyCompromise */
	case 2:		/* cACompromise */
	case 3:		/* affiliationChanged */
	case 4:		/* superseded */
	case 5:		/* cessationOfOperation */
	case 6:		/* certificateHold */
	case 9:		/* privilegeWithdrawn */
		return true;
	default:
		return false;
	}
}

static int
check_times(time_t this_update, time_t next_update, struct cakit_err *err)
{
	if (!der_time_valid(this_update) || !der_time_valid(next_update)) {
		err_set(err, "CRL: thisUpdate or nextUpdate is outside the "
		    "years 0000-9999 (RFC 5280 5.1.2.4)");
		return -1;
	}
	if (next_update < this_update) {
		err_set(err, "CRL: nextUpdate is before thisUpdate "
		    "(RFC 5280 5.1.2.5)");
		return -1;
	}
	return 0;
}

/* Refuse an entry that cannot be encoded before anything is encoded. */
static int
check_entry(const struct crl_entry *e, size_t i, struct cakit_err *err)
{
	char	 s[SERIAL_HEXLEN + 1];

	if (e->serial.len == 0 || e->serial.len > SERIAL_LEN) {
		err_set(err, "CRL entry %zu: serial number of %zu octets, not "
		    "1 to %d (RFC 5280 4.1.2.2)", i, e->serial.len,
		    SERIAL_LEN);
		return -1;
	}
	if (!reason_valid(e->reason)) {
		serial_hex(&e->serial, s);
		err_set(err, "serial %s: revocation reason %d is not one "
		    "cakit writes (RFC 5280 5.3.1)", s, e->reason);
		return -1;
	}
	if (!der_time_valid(e->revoked_at)) {
		serial_hex(&e->serial, s);
		err_set(err, "serial %s: revocation time %lld is outside the "
		    "years 0000-9999 (RFC 5280 5.1.2.6)", s,
		    (long long)e->revoked_at);
		return -1;
	}
	return 0;
}

/*
 * The signature algorithm the CA key makes, and its AlgorithmIdentifier
 * appended to alg_id: parameters NULL for RSA PKCS#1 v1.5 (RFC 4055
 * 5), absent for ECDSA (RFC 5758 3.2) and EdDSA (RFC 8410 3).  EdDSA
 * has no separate hash: the one GnuTLS prefers for such a key is the
 * algorithm's own, which gnutls_pk_to_sign() expects.
 */
static int
sign_algo(gnutls_privkey_t key, gnutls_sign_algorithm_t *algo,
    struct buf *alg_id, struct cakit_err *err)
{
	struct buf			 c = { NULL, 0, 0 };
	gnutls_pubkey_t			 pub = NULL;
	gnutls_digest_algorithm_t	 hash;
	const char			*oid;
	int				 pk, ret, rc = -1;

	if ((pk = gnutls_privkey_get_pk_algorithm(key, NULL)) < 0) {
		err_gnutls(err, pk, "CA key");
		goto out;
	}
	switch (pk) {
	case GNUTLS_PK_RSA:
	case GNUTLS_PK_ECDSA:
	case GNUTLS_PK_EDDSA_ED25519:
	case GNUTLS_PK_EDDSA_ED448:
		break;
	default:
		err_set(err, "CA key: cakit does not sign CRLs with %s keys",
		    gnutls_pk_get_name(pk));
		goto out;
	}
	if ((ret = gnutls_pubkey_init(&pub)) < 0) {
		err_gnutls(err, ret, "CA key");
		goto out;
	}
	if ((ret = gnutls_pubkey_import_privkey(pub, key, 0, 0)) < 0) {
		err_gnutls(err, ret, "CA key: public key");
		goto out;
	}
	if ((ret = gnutls_pubkey_get_preferred_hash_algorithm(pub, &hash,
	    NULL)) < 0) {
		err_gnutls(err, ret, "CA key: hash algorithm");
		goto out;
	}
	*algo = gnutls_pk_to_sign(pk, hash);
	if (*algo == GNUTLS_SIGN_UNKNOWN ||
	    (oid = gnutls_sign_get_oid(*algo)) == NULL) {
		err_set(err, "CA key: no signature algorithm for %s with %s",
		    gnutls_pk_get_name(pk), gnutls_digest_get_name(hash));
		goto out;
	}
	if (der_oid(&c, oid, err) == -1)
		goto out;
	if (pk == GNUTLS_PK_RSA)
		der_null(&c);
	der_wrap(alg_id, DER_SEQUENCE, &c);
	rc = 0;
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	buf_free(&c);
	return rc;
}

/*
 * Append a non-critical Extension (RFC 5280 4.1): critical is DEFAULT
 * FALSE, so DER leaves it out (X.690 11.5).  The scratch buffer s is
 * the caller's.
 */
static void
extension_add(struct buf *b, const unsigned char *oid, size_t oidlen,
    const struct buf *value, struct buf *s)
{
	s->len = 0;
	der_oid_raw(s, oid, oidlen);
	der_octet_string(s, value->p, value->len);
	der_wrap(b, DER_SEQUENCE, s);
}

/*
 * The crlEntryExtensions of an entry for each reason: only a
 * reasonCode, only when the reason is not unspecified (RFC 5280 5.3.1).
 * They are encoded once so that the entries cost no allocations.
 */
static void
reason_exts(struct buf tab[REASON_MAX])
{
	struct buf	 v = { NULL, 0, 0 }, ext = { NULL, 0, 0 };
	struct buf	 s = { NULL, 0, 0 };
	int		 r;

	for (r = 1; r < REASON_MAX; r++) {
		if (!reason_valid(r))
			continue;
		v.len = ext.len = 0;
		der_enumerated(&v, r);
		extension_add(&ext, oid_crl_reason, sizeof(oid_crl_reason),
		    &v, &s);
		der_wrap(&tab[r], DER_SEQUENCE, &ext);
	}
	buf_free(&v);
	buf_free(&ext);
	buf_free(&s);
}

/* The encoded length of one entry of revokedCertificates. */
static size_t
entry_len(const struct crl_entry *e, const struct buf tab[REASON_MAX])
{
	struct buf	 t = { NULL, 0, 0 };
	size_t		 n, lead;

	for (lead = 0; lead + 1 < e->serial.len && e->serial.b[lead] == 0;
	    lead++)
		continue;
	n = e->serial.len - lead + (e->serial.b[lead] & 0x80 ? 1 : 0);
	n += der_header_len(n);
	(void)der_time(&t, e->revoked_at, NULL);
	n += t.len;
	buf_free(&t);
	if (e->reason != 0)
		n += tab[e->reason].len;
	return der_header_len(n) + n;
}

/*
 * Append one entry of revokedCertificates (RFC 5280 5.1.2.6), using s
 * as scratch space.  The entry's fields were checked by check_entry().
 */
static void
entry_add(struct buf *b, const struct crl_entry *e,
    const struct buf tab[REASON_MAX], struct buf *s)
{
	s->len = 0;
	der_integer(s, e->serial.b, e->serial.len);
	(void)der_time(s, e->revoked_at, NULL);
	if (e->reason != 0)
		buf_add(s, tab[e->reason].p, tab[e->reason].len);
	der_wrap(b, DER_SEQUENCE, s);
}

/*
 * Append crlExtensions (RFC 5280 5.2): the authority key identifier,
 * as the CA certificate's subject key identifier (5.2.1), and the CRL
 * number (5.2.3), both non-critical.
 */
static int
crl_exts(struct buf *b, gnutls_x509_crt_t ca, uint64_t number,
    struct cakit_err *err)
{
	struct buf	 v = { NULL, 0, 0 }, exts = { NULL, 0, 0 };
	struct buf	 s = { NULL, 0, 0 };
	unsigned char	 id[KEY_ID_MAX];
	size_t		 idlen = sizeof(id);
	unsigned int	 critical;
	int		 ret, rc = -1;

	ret = gnutls_x509_crt_get_subject_key_id(ca, id, &idlen, &critical);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		err_set(err, "CA certificate: no subject key identifier for "
		    "the CRL's authority key identifier (RFC 5280 5.2.1)");
		goto out;
	} else if (ret < 0) {
		err_gnutls(err, ret, "CA certificate: subject key identifier");
		goto out;
	}

	/* AuthorityKeyIdentifier ::= SEQUENCE { [0] KeyIdentifier } */
	der_header(&s, DER_CONTEXT(0), idlen);
	buf_add(&s, id, idlen);
	der_wrap(&v, DER_SEQUENCE, &s);
	extension_add(&exts, oid_authority_key_id,
	    sizeof(oid_authority_key_id), &v, &s);

	v.len = 0;
	der_uint(&v, number);
	extension_add(&exts, oid_crl_number, sizeof(oid_crl_number), &v, &s);

	s.len = 0;
	der_wrap(&s, DER_SEQUENCE, &exts);
	der_wrap(b, DER_CONTEXT_CONS(0), &s);
	rc = 0;
out:
	buf_free(&v);
	buf_free(&exts);
	buf_free(&s);
	return rc;
}

#define SIGNATURE_MAX	1024

/* *sum += n, or false when the sum would not fit in a size_t. */
static bool
size_add(size_t *sum, size_t n)
{
	if (n > SIZE_MAX - *sum)
		return false;
	*sum += n;
	return true;
}

/*
 * Build and sign a v2 CRL of the entries src yields, and append its DER
 * CertificateList to out_der.  Two passes over src: the first checks
 * the entries and sizes the CRL, the second encodes them straight into
 * out_der, which grows once: the memory is the CRL itself.  On failure
 * out_der is as it was and err says why.
 */
int
crl_build_src(gnutls_x509_crt_t ca_crt, gnutls_privkey_t ca_key,
    const struct crl_source *src, uint64_t crl_number, time_t this_update,
    time_t next_update, struct buf *out_der, struct cakit_err *err)
{
	struct buf			 alg = { NULL, 0, 0 };
	struct buf			 head = { NULL, 0, 0 };
	struct buf			 exts = { NULL, 0, 0 };
	struct buf			 s = { NULL, 0, 0 };
	struct buf			 tab[REASON_MAX];
	struct crl_entry		 e;
	gnutls_datum_t			 dn = { NULL, 0 }, sig = { NULL, 0 };
	gnutls_datum_t			 data;
	gnutls_sign_algorithm_t		 algo;
	size_t				 i, n = 0, base = out_der->len;
	size_t				 revoked = 0, content, tbs, start, hl;
	size_t				 total;
	unsigned char			 hdr[DER_HEADER_MAX];
	int				 ret, rc = -1;

	memset(tab, 0, sizeof(tab));
	if (check_times(this_update, next_update, err) == -1 ||
	    sign_algo(ca_key, &algo, &alg, err) == -1)
		goto out;
	if ((ret = gnutls_x509_crt_get_raw_dn(ca_crt, &dn)) < 0) {
		err_gnutls(err, ret, "CA certificate: subject");
		goto out;
	}
	if (crl_exts(&exts, ca_crt, crl_number, err) == -1)
		goto out;
	reason_exts(tab);

	/* version v2, signature, issuer, thisUpdate, nextUpdate */
	der_uint(&head, 1);
	buf_add(&head, alg.p, alg.len);
	buf_add(&head, dn.data, dn.size);
	(void)der_time(&head, this_update, NULL);
	(void)der_time(&head, next_update, NULL);

	while ((ret = src->next(src->arg, &e, err)) == 1) {
		if (check_entry(&e, n, err) == -1)
			goto out;
		if (!size_add(&revoked, entry_len(&e, tab)))
			goto too_large;
		n++;
	}
	if (ret == -1)
		goto out;

	/*
	 * With no entries, revokedCertificates is absent (5.1.2.6).  Every
	 * sum is checked, and the room reserved for each header is that
	 * of the largest length (DER_HEADER_MAX), so no size of CRL can
	 * write outside out_der.
	 */
	content = head.len;
	if (!size_add(&content, exts.len) || (n > 0 &&
	    (!size_add(&content, der_header_len(revoked)) ||
	    !size_add(&content, revoked))))
		goto too_large;
	tbs = der_header_len(content);
	if (!size_add(&tbs, content) || tbs > UINT_MAX)
		goto too_large;
	total = DER_HEADER_MAX;
	if (!size_add(&total, tbs) || !size_add(&total, alg.len) ||
	    !size_add(&total, DER_HEADER_MAX + SIGNATURE_MAX) ||
	    !size_add(&total, base))
		goto too_large;
	buf_reserve(out_der, total - base);
	for (i = 0; i < DER_HEADER_MAX; i++)
		buf_addc(out_der, 0);
	start = out_der->len;
	der_header(out_der, DER_SEQUENCE, content);
	buf_add(out_der, head.p, head.len);
	if (n > 0) {
		der_header(out_der, DER_SEQUENCE, revoked);
		if (src->rewind(src->arg, err) == -1)
			goto out;
		for (i = 0; i < n; i++) {
			if ((ret = src->next(src->arg, &e, err)) != 1) {
				if (ret == 0)
					err_set(err, "CRL: the revocations "
					    "changed while it was written");
				goto out;
			}
			if (check_entry(&e, i, err) == -1)
				goto out;
			entry_add(out_der, &e, tab, &s);
		}
	}
	buf_add(out_der, exts.p, exts.len);
	if (out_der->len - start != tbs) {
		err_set(err, "CRL: the revocations changed while it was "
		    "written");
		goto out;
	}

	data.data = out_der->p + start;
	data.size = tbs;
	if ((ret = gnutls_privkey_sign_data2(ca_key, algo, 0, &data,
	    &sig)) < 0) {
		err_gnutls(err, ret, "CA key: signing the CRL");
		goto out;
	}

	/* CertificateList ::= SEQUENCE { tbs, algorithm, signature } */
	buf_add(out_der, alg.p, alg.len);
	der_bit_string(out_der, sig.data, sig.size);
	content = out_der->len - start;
	hl = der_header_put(hdr, DER_SEQUENCE, content);
	memcpy(out_der->p + base, hdr, hl);
	memmove(out_der->p + base + hl, out_der->p + start, content);
	out_der->len = base + hl + content;
	rc = 0;
	goto out;
too_large:
	err_set(err, "CRL: too large to sign (more than %u octets)",
	    UINT_MAX);
out:
	if (rc == -1)
		out_der->len = base;
	for (i = 0; i < REASON_MAX; i++)
		buf_free(&tab[i]);
	buf_free(&alg);
	buf_free(&head);
	buf_free(&exts);
	buf_free(&s);
	gnutls_free(dn.data);
	gnutls_free(sig.data);
	return rc;
}

struct array_source {
	const struct crl_entry	*v;
	size_t			 n;
	size_t			 i;
};

static int
array_next(void *arg, struct crl_entry *e, struct cakit_err *err)
{
	struct array_source	*a = arg;

	(void)err;
	if (a->i == a->n)
		return 0;
	*e = a->v[a->i++];
	return 1;
}

static int
array_rewind(void *arg, struct cakit_err *err)
{
	(void)err;
	((struct array_source *)arg)->i = 0;
	return 0;
}

/* crl_build_src over an array of n entries. */
int
crl_build(gnutls_x509_crt_t ca_crt, gnutls_privkey_t ca_key,
    const struct crl_entry *entries, size_t n, uint64_t crl_number,
    time_t this_update, time_t next_update, struct buf *out_der,
    struct cakit_err *err)
{
	struct array_source	 a = { entries, n, 0 };
	struct crl_source	 src = { array_next, array_rewind, &a };

	return crl_build_src(ca_crt, ca_key, &src, crl_number, this_update,
	    next_update, out_der, err);
}

/*
 * Reading a CRL's dates back without GnuTLS's CRL parser, which takes
 * time quadratic in the number of entries (minutes at 100,000).
 */
static int
der_next(const unsigned char **p, const unsigned char *end,
    unsigned char *tag, size_t *len, bool partial)
{
	const unsigned char	*q = *p;
	size_t			 n, i;

	if (end - q < 2)
		return -1;
	*tag = *q++;
	if ((*tag & 0x1f) == 0x1f)
		return -1;
	if (*q < 0x80)
		*len = *q++;
	else {
		n = *q++ & 0x7f;
		if (n == 0 || n > 4 || (size_t)(end - q) < n)
			return -1;
		for (*len = 0, i = 0; i < n; i++)
			*len = (*len << 8) | *q++;
	}
	if (!partial && (size_t)(end - q) < *len)
		return -1;
	*p = q;
	return 0;
}

static int
der_time_read(unsigned char tag, const unsigned char *s, size_t len,
    time_t *out)
{
	struct tm	 tm;
	int		 v[7], i, n = tag == DER_UTC_TIME ? 6 : 7;
	size_t		 want = tag == DER_UTC_TIME ? 13 : 15;

	if ((tag != DER_UTC_TIME && tag != DER_GENERALIZED_TIME) ||
	    len != want || s[len - 1] != 'Z')
		return -1;
	for (i = 0; i < n; i++) {
		if (s[2 * i] < '0' || s[2 * i] > '9' ||
		    s[2 * i + 1] < '0' || s[2 * i + 1] > '9')
			return -1;
		v[i] = (s[2 * i] - '0') * 10 + s[2 * i + 1] - '0';
	}
	memset(&tm, 0, sizeof(tm));
	if (tag == DER_UTC_TIME) {
		tm.tm_year = v[0] < 50 ? v[0] + 100 : v[0];
		i = 1;
	} else {
		tm.tm_year = v[0] * 100 + v[1] - 1900;
		i = 2;
	}
	tm.tm_mon = v[i] - 1;
	tm.tm_mday = v[i + 1];
	tm.tm_hour = v[i + 2];
	tm.tm_min = v[i + 3];
	tm.tm_sec = v[i + 4];
	*out = timegm(&tm);
	return 0;
}

/*
 * thisUpdate and nextUpdate (-1 when absent) of a DER CertificateList,
 * reading only the start of its tbsCertList: der may be only the
 * first few hundred octets of the CRL.
 */
int
crl_times(const gnutls_datum_t *der, time_t *this_update,
    time_t *next_update, struct cakit_err *err)
{
	const unsigned char	*p = der->data, *end = der->data + der->size;
	unsigned char		 tag;
	size_t			 len;
	int			 i;

	*next_update = -1;
	if (der_next(&p, end, &tag, &len, true) == -1 ||
	    tag != DER_SEQUENCE ||
	    der_next(&p, end, &tag, &len, true) == -1 || tag != DER_SEQUENCE)
		goto bad;
	if (der_next(&p, end, &tag, &len, false) == -1)
		goto bad;
	if (tag == DER_INTEGER) {
		p += len;
		if (der_next(&p, end, &tag, &len, false) == -1)
			goto bad;
	}
	/* signature, issuer */
	for (i = 0; i < 2; i++) {
		if (tag != DER_SEQUENCE)
			goto bad;
		p += len;
		if (der_next(&p, end, &tag, &len, false) == -1)
			goto bad;
	}
	if (der_time_read(tag, p, len, this_update) == -1)
		goto bad;
	p += len;
	if (p < end && der_next(&p, end, &tag, &len, false) == 0 &&
	    (tag == DER_UTC_TIME || tag == DER_GENERALIZED_TIME) &&
	    der_time_read(tag, p, len, next_update) == -1)
		goto bad;
	return 0;
bad:
	err_set(err, "not a well-formed CRL (RFC 5280 5.1)");
	return -1;
}

/*
 * The cRLNumber (RFC 5280 5.2.3) of a whole DER CertificateList, found
 * by skipping over the entries, not parsing them.  0, or -1 with err
 * set when the CRL is malformed or has no number.
 */
int
crl_number(const gnutls_datum_t *der, uint64_t *number,
    struct cakit_err *err)
{
	const unsigned char	*p = der->data, *end = der->data + der->size;
	const unsigned char	*ext_end, *e_end, *v;
	unsigned char		 tag;
	size_t			 len, vlen, i;

	if (der_next(&p, end, &tag, &len, false) == -1 ||
	    tag != DER_SEQUENCE ||
	    der_next(&p, end, &tag, &len, false) == -1 || tag != DER_SEQUENCE)
		goto bad;
	end = p + len;
	/* Skip to crlExtensions, [0] EXPLICIT, the last field. */
	for (;;) {
		if (der_next(&p, end, &tag, &len, false) == -1)
			goto bad;
		if (tag == DER_CONTEXT_CONS(0))
			break;
		p += len;
	}
	if (der_next(&p, end, &tag, &len, false) == -1 || tag != DER_SEQUENCE)
		goto bad;
	for (ext_end = p + len; p < ext_end; p = e_end) {
		if (der_next(&p, ext_end, &tag, &len, false) == -1 ||
		    tag != DER_SEQUENCE)
			goto bad;
		e_end = p + len;
		if (der_next(&p, e_end, &tag, &len, false) == -1 ||
		    tag != DER_OID)
			goto bad;
		if (len != sizeof(oid_crl_number) ||
		    memcmp(p, oid_crl_number, len) != 0)
			continue;
		p += len;
		if (der_next(&p, e_end, &tag, &len, false) == -1)
			goto bad;
		if (tag == DER_BOOLEAN) {
			p += len;
			if (der_next(&p, e_end, &tag, &len, false) == -1)
				goto bad;
		}
		if (tag != DER_OCTET_STRING)
			goto bad;
		v = p;
		if (der_next(&v, p + len, &tag, &vlen, false) == -1 ||
		    tag != DER_INTEGER || vlen == 0 || (v[0] & 0x80))
			goto bad;
		/* Leading zero octets aside, at most 8 octets fit. */
		for (; vlen > 1 && v[0] == 0; v++, vlen--)
			continue;
		if (vlen > 8)
			goto bad;
		for (*number = 0, i = 0; i < vlen; i++)
			*number = *number << 8 | v[i];
		return 0;
	}
	err_set(err, "the CRL has no CRL number (RFC 5280 5.2.3)");
	return -1;
bad:
	err_set(err, "not a well-formed CRL (RFC 5280 5.1)");
	return -1;
}
