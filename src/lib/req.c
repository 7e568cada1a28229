/*
 * Certificate requests from outside.  A request is outside input: it is
 * parsed, its self-signature verified and its key and names held to
 * policy before any of it is used.  Only the key, the subject and the
 * alternative names are ever taken from it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cakit.h"

#define SAN_LEN_MAX	4096

static const char *
ext_name(const char *oid)
{
	static const struct {
		const char	*oid;
		const char	*name;
	} names[] = {
		{ "2.5.29.14", "subjectKeyIdentifier" },
		{ "2.5.29.15", "keyUsage" },
		{ "2.5.29.19", "basicConstraints" },
		{ "2.5.29.30", "nameConstraints" },
		{ "2.5.29.31", "cRLDistributionPoints" },
		{ "2.5.29.32", "certificatePolicies" },
		{ "2.5.29.35", "authorityKeyIdentifier" },
		{ "2.5.29.37", "extendedKeyUsage" },
		{ "1.3.6.1.5.5.7.1.1", "authorityInfoAccess" },
		{ "1.3.6.1.5.5.7.1.24", "TLS feature" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(oid, names[i].oid) == 0)
			return names[i].name;
	return oid;
}

/* Note every requested extension but subjectAltName: the profile decides. */
static int
req_note_extensions(struct req *r, struct cakit_notes *notes,
    struct cakit_err *err)
{
	char		 oid[128];
	size_t		 len;
	unsigned int	 critical, ca, i;
	int		 ret, pathlen;

	for (i = 0;; i++) {
		len = sizeof(oid);
		ret = gnutls_x509_crq_get_extension_info(r->crq, i, oid, &len,
		    &critical);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return 0;
		if (ret < 0) {
			err_gnutls(err, ret, "CSR: unreadable extension");
			return -1;
		}
		if (strcmp(oid, "2.5.29.17") == 0)
			continue;
		if (strcmp(oid, "2.5.29.19") == 0 &&
		    gnutls_x509_crq_get_basic_constraints(r->crq, &critical,
		    &ca, &pathlen) >= 0 && ca)
			notes_add(notes, "ignored the request's basicConstraints "
			    "CA:TRUE: a leaf certificate is issued");
		else
			notes_add(notes, "ignored the request's %s extension: "
			    "the profile decides", ext_name(oid));
	}
}

static int
req_sans(struct req *r, struct cakit_notes *notes, struct cakit_err *err)
{
	unsigned char	*data;
	size_t		 len;
	unsigned int	 type, critical, i;
	int		 ret, rc = -1;

	data = xmalloc(SAN_LEN_MAX);
	for (i = 0;; i++) {
		len = SAN_LEN_MAX;
		ret = gnutls_x509_crq_get_subject_alt_name(r->crq, i, data,
		    &len, &type, &critical);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (ret == GNUTLS_E_SHORT_MEMORY_BUFFER) {
			err_set(err, "CSR: a subject alternative name is "
			    "longer than %d bytes", SAN_LEN_MAX);
			goto out;
		}
		if (ret < 0) {
			err_gnutls(err, ret, "CSR: unreadable subjectAltName");
			goto out;
		}
		switch (type) {
		case GNUTLS_SAN_DNSNAME:
		case GNUTLS_SAN_RFC822NAME:
		case GNUTLS_SAN_URI:
		case GNUTLS_SAN_IPADDRESS:
			if (san_add_raw(&r->sans, type, data, len, err) == -1) {
				size_t n = strlen(err->msg);

				snprintf(err->msg + n, sizeof(err->msg) - n,
				    " (in the CSR)");
				goto out;
			}
			break;
		default:
			notes_add(notes, "ignored a subject alternative name "
			    "of unsupported type %u in the CSR", type);
			break;
		}
	}
	rc = 0;
out:
	free(data);
	return rc;
}

/*
 * Parse a PEM or DER request and check it.  Returns a request the
 * caller frees with req_free, or NULL.
 */
struct req *
req_parse(const gnutls_datum_t *in, struct cakit_notes *notes,
    struct cakit_err *err)
{
	struct req	*r;
	gnutls_datum_t	 dn = { NULL, 0 };
	bool		 pem;
	int		 ret;

	r = xcalloc(1, sizeof(*r));
	pem = memmem(in->data, in->size, "-----BEGIN", 10) != NULL;
	if ((ret = gnutls_x509_crq_init(&r->crq)) < 0) {
		err_gnutls(err, ret, "CSR");
		goto fail;
	}
	if ((ret = gnutls_x509_crq_import(r->crq, in, pem ?
	    GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER)) < 0) {
		err_gnutls(err, ret, "CSR: not a PKCS#10 request (%s)",
		    pem ? "PEM" : "DER");
		goto fail;
	}
	if ((ret = gnutls_pubkey_init(&r->pub)) < 0 ||
	    (ret = gnutls_pubkey_import_x509_crq(r->pub, r->crq, 0)) < 0) {
		err_gnutls(err, ret, "CSR: unsupported or unreadable public "
		    "key");
		goto fail;
	}
	if (key_check_pub(r->pub, err) == -1) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, " (in the CSR)");
		goto fail;
	}
	if ((ret = gnutls_x509_crq_verify(r->crq, 0)) < 0) {
		err_gnutls(err, ret, "CSR signature does not verify");
		goto fail;
	}
	ret = gnutls_x509_crq_get_dn3(r->crq, &dn, 0);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		r->subject = xstrdup("");
	else if (ret < 0) {
		err_gnutls(err, ret, "CSR: unreadable subject");
		goto fail;
	} else {
		if (strlen((char *)dn.data) != dn.size) {
			err_set(err, "CSR: subject contains a NUL byte");
			gnutls_free(dn.data);
			goto fail;
		}
		/*
		 * GnuTLS prints control characters as they are; read back
		 * on renewal, a "\r" is dropped and a "\n" cuts the name
		 * short, and in listings they break lines or, like a
		 * bidirectional override, disguise them.
		 */
		if (text_check("CSR: subject", (char *)dn.data, err) == -1) {
			gnutls_free(dn.data);
			goto fail;
		}
		r->subject = xstrdup((char *)dn.data);
		gnutls_free(dn.data);
	}
	if (req_sans(r, notes, err) == -1 ||
	    req_note_extensions(r, notes, err) == -1)
		goto fail;
	return r;
fail:
	req_free(r);
	return NULL;
}

void
req_free(struct req *r)
{
	if (r == NULL)
		return;
	gnutls_x509_crq_deinit(r->crq);
	gnutls_pubkey_deinit(r->pub);
	san_list_free(&r->sans);
	free(r->subject);
	free(r);
}
