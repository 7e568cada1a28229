/*
 * CRLs from revocation records: the input is read as a CRL number,
 * thisUpdate, the nextUpdate delta, then entries of <length> <serial
 * octets> <revocation time> <reason>.  Whatever crl_build accepts must
 * be a CRL GnuTLS imports and verifies under the CA, listing exactly
 * the entries given.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cakit.h"
#include "fuzz.h"

#define ENTRIES_MAX	512

static struct ca	*ca;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gnutls_global_init();
	ca = fuzz_ca_new("CN=cakit fuzz CRL issuer", NULL, NULL, NULL);
	return 0;
}

/* Big-endian octets from the input; zeros once it runs out. */
static uint64_t
take(const uint8_t **p, size_t *left, size_t n)
{
	uint64_t	 v = 0;

	while (n-- > 0) {
		v <<= 8;
		if (*left > 0) {
			v |= **p;
			(*p)++;
			(*left)--;
		}
	}
	return v;
}

/* An INTEGER's magnitude without its leading zero octets. */
static void
strip(const unsigned char **p, size_t *len)
{
	while (*len > 1 && (*p)[0] == 0) {
		(*p)++;
		(*len)--;
	}
}

static void
check_crl(const struct buf *der, const struct crl_entry *e, size_t n,
    uint64_t number, time_t this_update, time_t next_update)
{
	gnutls_x509_crl_t	 crl = NULL;
	gnutls_datum_t		 d;
	unsigned char		 raw[64], num[16];
	const unsigned char	*a, *b;
	size_t			 rawlen, alen, blen, numlen = sizeof(num), i;
	unsigned int		 status, critical;
	time_t			 t;
	uint64_t		 v;
	int			 ret, count;

	d.data = der->p;
	d.size = der->len;
	if ((ret = gnutls_x509_crl_init(&crl)) < 0 ||
	    (ret = gnutls_x509_crl_import(crl, &d, GNUTLS_X509_FMT_DER)) < 0)
		fuzz_fail("CRL of %zu entries does not import: %s", n,
		    gnutls_strerror(ret));
	/*
	 * GnuTLS judges the CRL's times against the clock whatever the
	 * flags say, and adds INVALID; any other reason stays.
	 */
	ret = gnutls_x509_crl_verify(crl, &ca->crt, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS, &status);
	if (status & (GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED |
	    GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE))
		status &= ~(GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED |
		    GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE |
		    GNUTLS_CERT_INVALID);
	if (ret < 0 || status != 0)
		fuzz_fail("CRL does not verify (%s, status 0x%x)",
		    gnutls_strerror(ret), status);
	if (gnutls_x509_crl_get_this_update(crl) != this_update)
		fuzz_fail("thisUpdate %lld read back as %lld",
		    (long long)this_update,
		    (long long)gnutls_x509_crl_get_this_update(crl));
	if (gnutls_x509_crl_get_next_update(crl) != next_update)
		fuzz_fail("nextUpdate %lld read back as %lld",
		    (long long)next_update,
		    (long long)gnutls_x509_crl_get_next_update(crl));
	if ((ret = gnutls_x509_crl_get_number(crl, num, &numlen,
	    &critical)) < 0)
		fuzz_fail("CRL number unreadable: %s", gnutls_strerror(ret));
	a = num;
	alen = numlen;
	strip(&a, &alen);
	for (i = 0, v = 0; i < alen; i++)
		v = v << 8 | a[i];
	if (alen > 8 || v != number)
		fuzz_fail("CRL number %llu read back as %llu",
		    (unsigned long long)number, (unsigned long long)v);
	if ((count = gnutls_x509_crl_get_crt_count(crl)) < 0 ||
	    (size_t)count != n)
		fuzz_fail("CRL lists %d entries, not %zu", count, n);
	for (i = 0; i < n; i++) {
		rawlen = sizeof(raw);
		if ((ret = gnutls_x509_crl_get_crt_serial(crl, i, raw, &rawlen,
		    &t)) < 0)
			fuzz_fail("entry %zu unreadable: %s", i,
			    gnutls_strerror(ret));
		a = raw;
		alen = rawlen;
		b = e[i].serial.b;
		blen = e[i].serial.len;
		strip(&a, &alen);
		strip(&b, &blen);
		if (alen != blen || memcmp(a, b, alen) != 0)
			fuzz_fail("entry %zu: serial differs", i);
		/* GnuTLS reads no time before 1970; cakit writes none. */
		if (e[i].revoked_at >= 0 && t != e[i].revoked_at)
			fuzz_fail("entry %zu: revoked at %lld, read back as "
			    "%lld", i, (long long)e[i].revoked_at,
			    (long long)t);
	}
	gnutls_x509_crl_deinit(crl);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crl_entry	*e;
	struct cakit_err	 err;
	struct buf		 der = { NULL, 0, 0 };
	const uint8_t		*p = data;
	size_t			 left = size, n, i, len;
	uint64_t		 number;
	time_t			 this_update, next_update;

	number = take(&p, &left, 8);
	/* From 1970 to 2106, as a CRL is made now: cakit never backdates. */
	this_update = (time_t)take(&p, &left, 4);
	next_update = this_update + (int32_t)take(&p, &left, 4);
	e = xcalloc(ENTRIES_MAX, sizeof(*e));
	for (n = 0; n < ENTRIES_MAX && left > 0; n++) {
		len = take(&p, &left, 1) % (SERIAL_LEN + 2);
		e[n].serial.len = len;
		for (i = 0; i < len && i < SERIAL_LEN; i++)
			e[n].serial.b[i] = take(&p, &left, 1);
		/* From a little before the year 0 to well after 9999. */
		e[n].revoked_at = (time_t)(take(&p, &left, 5) &
		    (((uint64_t)1 << 39) - 1)) - 62167219200LL - (1 << 30);
		e[n].reason = take(&p, &left, 1) % 12;
	}
	if (crl_build(ca->crt, ca->key, e, n, number, this_update,
	    next_update, &der, &err) == 0)
		check_crl(&der, e, n, number, this_update, next_update);
	buf_free(&der);
	free(e);
	return 0;
}
