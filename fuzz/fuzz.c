/*
 * Helpers for the fuzz targets: CAs made in memory, and the way a
 * target reports a broken property (abort, which libFuzzer and the
 * standalone driver both report as a crash).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cakit.h"
#include "fuzz.h"

void
fuzz_fail(const char *fmt, ...)
{
	va_list	 ap;

	fputs("fuzz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* The input as a C string: it ends at its first NUL, if any. */
char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char	*s;

	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * A self-signed CA with an ECDSA P-256 key, valid around FUZZ_NOW,
 * with optional nameConstraints and CRL URL.  It lives as long as the
 * process: libFuzzer never returns from its main loop.
 */
struct ca *
fuzz_ca_new(const char *subject, const struct san_list *permit,
    const struct san_list *exclude, const char *crl_url)
{
	struct ca		*ca;
	struct cert_tbs		 t;
	struct serial		 serial;
	struct cakit_err	 err;
	gnutls_x509_privkey_t	 xkey = NULL;
	gnutls_x509_crt_t	 crt;
	gnutls_pubkey_t		 pub = NULL;
	gnutls_datum_t		 der;
	int			 ret;

	ca = xcalloc(1, sizeof(*ca));
	ca->dir = xstrdup("fuzz-ca");
	if ((ret = gnutls_x509_privkey_init(&xkey)) < 0 ||
	    (ret = gnutls_x509_privkey_generate(xkey, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0 ||
	    (ret = gnutls_privkey_init(&ca->key)) < 0 ||
	    (ret = gnutls_privkey_import_x509(ca->key, xkey,
	    GNUTLS_PRIVKEY_IMPORT_AUTO_RELEASE)) < 0 ||
	    (ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, ca->key, 0, 0)) < 0)
		fuzz_fail("CA key: %s", gnutls_strerror(ret));

	memset(&t, 0, sizeof(t));
	t.profile = PROFILE_CA;
	t.pub = pub;
	t.subject = subject;
	t.not_before = FUZZ_NOW - 365 * 86400;
	t.not_after = FUZZ_NOW + 10 * 365 * 86400;
	t.path_len = 0;
	t.permit = permit;
	t.exclude = exclude;
	if (serial_new(&serial, &err) == -1 ||
	    (crt = cert_build(&t, &serial, NULL, ca->key, &err)) == NULL ||
	    cert_export(crt, GNUTLS_X509_FMT_DER, &der, &err) == -1 ||
	    (ca->crt = cert_import(&der, &err)) == NULL)
		fuzz_fail("CA certificate: %s", err.msg);
	/*
	 * Imported as ca_open would load it: GnuTLS matches issuers by the
	 * raw subject, which it keeps only for a certificate it decoded.
	 */
	gnutls_x509_crt_deinit(crt);
	gnutls_free(der.data);
	gnutls_pubkey_deinit(pub);
	if (crl_url != NULL)
		ca->settings.crl_url = xstrdup(crl_url);
	return ca;
}
