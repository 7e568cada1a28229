/*
 * Certificate revocation lists (RFC 5280 section 5): the one table of
 * revocation reasons, building a CRL, and reading its dates and number
 * back.  GnuTLS's CRL writer cannot put a reasonCode on an entry,
 * writes an empty revokedCertificates where 5.1.2.6 wants it absent,
 * and slows down faster than the number of entries grows.  So the
 * TBSCertList is encoded here with der.c, and GnuTLS only signs it.
 * crl-publish.c numbers and publishes a CA's crl.pem.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

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
 * The revocation reasons cakit records and puts in a CRL: the one table
 * of them.  It holds those of RFC 5280 5.3.1 except certificateHold (6:
 * cakit does not put certificates on hold, which a later CRL would have
 * to release), removeFromCRL (8: delta CRLs only), aACompromise (10:
 * attribute certificates) and 7, which is unused.  index is OpenSSL's
 * spelling in index.txt, NULL where ca-list writes none there: OpenSSL
 * has no name for privilegeWithdrawn, and leaves unspecified out.
 * The CRL_REASON_* names in cakit.h are codes of this table.
 */
static const struct {
	int		 code;
	const char	*name;
	const char	*index;
} reasons[] = {
	{ 0,	"unspecified",		NULL },
	{ 1,	"keyCompromise",	"keyCompromise" },
	{ 2,	"cACompromise",		"CACompromise" },
	{ 3,	"affiliationChanged",	"affiliationChanged" },
	{ 4,	"superseded",		"superseded" },
	{ 5,	"cessationOfOperation",	"cessationOfOperation" },
	{ 9,	"privilegeWithdrawn",	NULL },
};

#define NREASONS	(sizeof(reasons) / sizeof(reasons[0]))

/* The reason's row in the table, or -1 when cakit does not write it. */
static int
reason_find(int code)
{
	size_t	 i;

	for (i = 0; i < NREASONS; i++)
		if (reasons[i].code == code)
			return (int)i;
	return -1;
}

int
crl_reason_parse(const char *name, int *code, struct cakit_err *err)
{
	struct buf	 names = { 0 };
	size_t		 i;

	for (i = 0; i < NREASONS; i++)
		if (strcasecmp(name, reasons[i].name) == 0) {
			*code = reasons[i].code;
			return 0;
		}
	for (i = 0; i < NREASONS; i++)
		buf_printf(&names, "%s%s", i > 0 ? ", " : "", reasons[i].name);
	err_set(err, "reason '%.40s': not one of %s", name, buf_str(&names));
	buf_free(&names);
	return -1;
}

const char *
crl_reason_name(int code)
{
	int	 i;

	return (i = reason_find(code)) == -1 ? "unknown" : reasons[i].name;
}

const char *
crl_reason_index_name(int code)
{
	int	 i;

	return (i = reason_find(code)) == -1 ? NULL : reasons[i].index;
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
	if (reason_find(e->reason) == -1) {
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
 * The crlEntryExtensions of an entry for each reason in the table: only
 * a reasonCode, only when the reason is not unspecified (RFC 5280
 * 5.3.1).  They are encoded once so that the entries cost no
 * allocations.
 */
static void
reason_exts(struct buf tab[REASON_MAX])
{
	struct buf	 v = { NULL, 0, 0 }, ext = { NULL, 0, 0 };
	struct buf	 s = { NULL, 0, 0 };
	size_t		 i;
	int		 r;

	for (i = 0; i < NREASONS; i++) {
		if ((r = reasons[i].code) == CRL_REASON_UNSPECIFIED)
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

/*
 * What a CRL holds besides its entries, encoded before them: the
 * signature algorithm, the TBSCertList's fields up to nextUpdate, its
 * crlExtensions, and the crlEntryExtensions of each reason.
 */
struct crl_parts {
	gnutls_sign_algorithm_t	 algo;
	struct buf		 alg;		/* algo's AlgorithmIdentifier */
	struct buf		 head;		/* version to nextUpdate */
	struct buf		 exts;		/* [0] crlExtensions */
	struct buf		 reason_ext[REASON_MAX];	/* by code */
};

/* The sizes the first pass over the entries finds. */
struct crl_sizes {
	size_t	 n;		/* entries */
	size_t	 revoked;	/* octets of the entries, without a header */
	size_t	 content;	/* octets of the TBSCertList's contents */
	size_t	 tbs;		/* octets of the whole TBSCertList */
};

/* *sum += n, or false when the sum would not fit in a size_t. */
static bool
size_add(size_t *sum, size_t n)
{
	if (n > SIZE_MAX - *sum)
		return false;
	*sum += n;
	return true;
}

static int
too_large(struct cakit_err *err)
{
	err_set(err, "CRL: too large to sign (more than %u octets)",
	    UINT_MAX);
	return -1;
}

static int
changed(struct cakit_err *err)
{
	err_set(err, "CRL: the revocations changed while it was written");
	return -1;
}

static int
parts_make(struct crl_parts *p, gnutls_x509_crt_t ca_crt,
    gnutls_privkey_t ca_key, uint64_t crl_number, time_t this_update,
    time_t next_update, struct cakit_err *err)
{
	gnutls_datum_t	 dn = { NULL, 0 };
	int		 ret, rc = -1;

	if (check_times(this_update, next_update, err) == -1 ||
	    sign_algo(ca_key, &p->algo, &p->alg, err) == -1)
		goto out;
	if ((ret = gnutls_x509_crt_get_raw_dn(ca_crt, &dn)) < 0) {
		err_gnutls(err, ret, "CA certificate: subject");
		goto out;
	}
	if (crl_exts(&p->exts, ca_crt, crl_number, err) == -1)
		goto out;
	reason_exts(p->reason_ext);

	/* version v2, signature, issuer, thisUpdate, nextUpdate */
	der_uint(&p->head, 1);
	buf_add(&p->head, p->alg.p, p->alg.len);
	buf_add(&p->head, dn.data, dn.size);
	(void)der_time(&p->head, this_update, NULL);
	(void)der_time(&p->head, next_update, NULL);
	rc = 0;
out:
	gnutls_free(dn.data);
	return rc;
}

static void
parts_free(struct crl_parts *p)
{
	size_t	 i;

	for (i = 0; i < REASON_MAX; i++)
		buf_free(&p->reason_ext[i]);
	buf_free(&p->alg);
	buf_free(&p->head);
	buf_free(&p->exts);
}

/*
 * The first pass over src: check every entry and add up the sizes of
 * the entries and of the TBSCertList, every sum checked.  With no
 * entries, revokedCertificates is absent (RFC 5280 5.1.2.6).
 */
static int
entries_measure(const struct crl_source *src, const struct crl_parts *p,
    struct crl_sizes *sz, struct cakit_err *err)
{
	struct crl_entry	 e;
	int			 ret;

	memset(sz, 0, sizeof(*sz));
	while ((ret = src->next(src->arg, &e, err)) == 1) {
		if (check_entry(&e, sz->n, err) == -1)
			return -1;
		if (!size_add(&sz->revoked, entry_len(&e, p->reason_ext)))
			return too_large(err);
		sz->n++;
	}
	if (ret == -1)
		return -1;
	sz->content = p->head.len;
	if (!size_add(&sz->content, p->exts.len) || (sz->n > 0 &&
	    (!size_add(&sz->content, der_header_len(sz->revoked)) ||
	    !size_add(&sz->content, sz->revoked))))
		return too_large(err);
	sz->tbs = der_header_len(sz->content);
	if (!size_add(&sz->tbs, sz->content) || sz->tbs > UINT_MAX)
		return too_large(err);
	return 0;
}

/*
 * The second pass over src: append revokedCertificates.  The entries
 * are checked again, and must be as many as the first pass found.
 */
static int
entries_write(struct buf *out, const struct crl_source *src,
    const struct crl_parts *p, const struct crl_sizes *sz,
    struct cakit_err *err)
{
	struct buf		 s = { NULL, 0, 0 };
	struct crl_entry	 e;
	size_t			 i;
	int			 ret, rc = -1;

	der_header(out, DER_SEQUENCE, sz->revoked);
	if (src->rewind(src->arg, err) == -1)
		goto out;
	for (i = 0; i < sz->n; i++) {
		if ((ret = src->next(src->arg, &e, err)) != 1) {
			if (ret == 0)
				changed(err);
			goto out;
		}
		if (check_entry(&e, i, err) == -1)
			goto out;
		entry_add(out, &e, p->reason_ext, &s);
	}
	rc = 0;
out:
	buf_free(&s);
	return rc;
}

/*
 * Append room for the CertificateList's header, then the TBSCertList,
 * into out grown once for the whole CRL: the room reserved for each
 * header is that of the largest length (DER_HEADER_MAX), and every sum
 * is checked, so no size of CRL can write outside it.
 */
static int
tbs_write(struct buf *out, const struct crl_source *src,
    const struct crl_parts *p, const struct crl_sizes *sz,
    struct cakit_err *err)
{
	size_t	 i, start, total = DER_HEADER_MAX;

	if (!size_add(&total, sz->tbs) || !size_add(&total, p->alg.len) ||
	    !size_add(&total, DER_HEADER_MAX + SIGNATURE_MAX) ||
	    !size_add(&total, out->len))
		return too_large(err);
	buf_reserve(out, total - out->len);
	for (i = 0; i < DER_HEADER_MAX; i++)
		buf_addc(out, 0);
	start = out->len;
	der_header(out, DER_SEQUENCE, sz->content);
	buf_add(out, p->head.p, p->head.len);
	if (sz->n > 0 && entries_write(out, src, p, sz, err) == -1)
		return -1;
	buf_add(out, p->exts.p, p->exts.len);
	if (out->len - start != sz->tbs)
		return changed(err);
	return 0;
}

/*
 * Sign the TBSCertList that tbs_write put DER_HEADER_MAX octets after
 * base, append the algorithm and the signature, and write the header
 * of CertificateList ::= SEQUENCE { tbs, algorithm, signature } in
 * front, now that its length is known.
 */
static int
tbs_sign(struct buf *out, size_t base, gnutls_privkey_t ca_key,
    const struct crl_parts *p, struct cakit_err *err)
{
	gnutls_datum_t	 data, sig = { NULL, 0 };
	unsigned char	 hdr[DER_HEADER_MAX];
	size_t		 start = base + DER_HEADER_MAX, content, hl;
	int		 ret;

	data.data = out->p + start;
	data.size = out->len - start;
	if ((ret = gnutls_privkey_sign_data2(ca_key, p->algo, 0, &data,
	    &sig)) < 0) {
		err_gnutls(err, ret, "CA key: signing the CRL");
		return -1;
	}
	buf_add(out, p->alg.p, p->alg.len);
	der_bit_string(out, sig.data, sig.size);
	gnutls_free(sig.data);
	content = out->len - start;
	hl = der_header_put(hdr, DER_SEQUENCE, content);
	memcpy(out->p + base, hdr, hl);
	memmove(out->p + base + hl, out->p + start, content);
	out->len = base + hl + content;
	return 0;
}

/*
 * Two passes over src: the first checks the entries and sizes the CRL,
 * the second encodes them straight into out_der, which grows once: the
 * memory is the CRL itself.
 */
int
crl_build_src(gnutls_x509_crt_t ca_crt, gnutls_privkey_t ca_key,
    const struct crl_source *src, uint64_t crl_number, time_t this_update,
    time_t next_update, struct buf *out_der, struct cakit_err *err)
{
	struct crl_parts	 p;
	struct crl_sizes	 sz;
	size_t			 base = out_der->len;
	int			 rc = -1;

	memset(&p, 0, sizeof(p));
	if (parts_make(&p, ca_crt, ca_key, crl_number, this_update,
	    next_update, err) == -1 ||
	    entries_measure(src, &p, &sz, err) == -1 ||
	    tbs_write(out_der, src, &p, &sz, err) == -1 ||
	    tbs_sign(out_der, base, ca_key, &p, err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		out_der->len = base;
	parts_free(&p);
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
