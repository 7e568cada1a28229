/*
 * Distinguished names as text (ca-sign --subject, ca-init --subject,
 * and a renewed certificate's subject read back from the ledger): the
 * input up to its first NUL is given to dn_check.  A name it accepts
 * must encode to a name that is not empty, and GnuTLS's RFC 4514 text
 * of that name must be accepted again and encode to the same text:
 * renewal depends on it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cakit.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gnutls_global_init();
	return 0;
}

/* The RFC 4514 text and DER of dn as GnuTLS encodes it, or -1. */
static int
encode(const char *dn, char **text, gnutls_datum_t *der)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_datum_t		 d = { NULL, 0 };
	int			 rc = -1;

	*text = NULL;
	der->data = NULL;
	der->size = 0;
	if (gnutls_x509_crt_init(&crt) < 0)
		fuzz_fail("gnutls_x509_crt_init");
	if (gnutls_x509_crt_set_dn(crt, dn, NULL) < 0)
		goto out;
	if (gnutls_x509_crt_get_dn3(crt, &d, 0) < 0 ||
	    gnutls_x509_crt_get_raw_dn(crt, der) < 0)
		goto out;
	*text = xstrdup((char *)d.data);
	rc = 0;
out:
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(crt);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cakit_err	 err;
	gnutls_datum_t		 der1 = { NULL, 0 }, der2 = { NULL, 0 };
	gnutls_datum_t		 der3 = { NULL, 0 };
	char			*dn, *text1 = NULL, *text2 = NULL;
	char			*text3 = NULL;

	dn = fuzz_strndup(data, size);
	if (dn_check(dn, &err) == -1)
		goto out;
	if (encode(dn, &text1, &der1) == -1)
		fuzz_fail("dn_check accepted '%s', which does not encode", dn);
	if (text1[0] == '\0')
		fuzz_fail("dn_check accepted '%s', an empty name", dn);
	if (dn_check(text1, &err) == -1)
		fuzz_fail("'%s' encodes as '%s', which dn_check refuses: %s",
		    dn, text1, err.msg);
	if (encode(text1, &text2, &der2) == -1)
		fuzz_fail("'%s' does not encode", text1);
	if (strcmp(text1, text2) != 0)
		fuzz_fail("'%s' encodes as '%s', then as '%s'", dn, text1,
		    text2);
	/*
	 * The text may lose a string type ("title=#1e020041", a
	 * BMPString, comes back as "title=A"), but from then on the
	 * encoding is a fixed point.
	 */
	if (encode(text2, &text3, &der3) == -1 || der2.size != der3.size ||
	    memcmp(der2.data, der3.data, der2.size) != 0)
		fuzz_fail("'%s' encodes differently twice", text2);
out:
	gnutls_free(der1.data);
	gnutls_free(der2.data);
	gnutls_free(der3.data);
	free(text1);
	free(text2);
	free(text3);
	free(dn);
	return 0;
}
