/*
 * Certificates: what each profile puts in one (RFC 5280 4.2), and the
 * plumbing to read and write them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cakit.h"

static const char *profile_names[] = {
	[PROFILE_SERVER] = "server",
	[PROFILE_CLIENT] = "client",
	[PROFILE_PEER] = "peer",
	[PROFILE_CA] = "ca",
};

/* Profiles a leaf may be issued under; "ca" is ca-init's alone. */
int
profile_parse(const char *s, enum profile *p)
{
	int	 i;

	for (i = PROFILE_SERVER; i <= PROFILE_PEER; i++)
		if (strcmp(s, profile_names[i]) == 0) {
			*p = i;
			return 0;
		}
	return -1;
}

const char *
profile_name(enum profile p)
{
	if ((unsigned int)p > PROFILE_CA)
		return "unknown";
	return profile_names[p];
}

static int
set_name_constraints(gnutls_x509_crt_t crt, const struct san_list *permit,
    const struct san_list *exclude, struct cakit_err *err)
{
	gnutls_x509_name_constraints_t	 nc = NULL;
	const struct san_list		*l;
	gnutls_datum_t			 d;
	unsigned char			 any[32] = { 0 };
	size_t				 i;
	bool				 v4, v6;
	int				 k, ret, rc = -1;

	if ((ret = gnutls_x509_name_constraints_init(&nc)) < 0)
		goto out;
	for (k = 0; k < 2; k++) {
		l = k == 0 ? permit : exclude;
		for (i = 0; l != NULL && i < l->n; i++) {
			san_datum(&l->v[i], &d);
			ret = k == 0 ?
			    gnutls_x509_name_constraints_add_permitted(nc,
			    san_gnutls_type(l->v[i].type), &d) :
			    gnutls_x509_name_constraints_add_excluded(nc,
			    san_gnutls_type(l->v[i].type), &d);
			if (ret < 0)
				goto out;
		}
	}
	/*
	 * Permitted ranges of one address family leave the other open to
	 * GnuTLS: exclude all of it, so that every verifier holds an
	 * address of that family to the constraints.
	 */
	for (i = 0, v4 = v6 = false; permit != NULL && i < permit->n; i++) {
		if (permit->v[i].type != SAN_IP)
			continue;
		v4 = v4 || permit->v[i].iplen == 8;
		v6 = v6 || permit->v[i].iplen == 32;
	}
	if (v4 != v6) {
		d.data = any;
		d.size = v4 ? 32 : 8;
		if ((ret = gnutls_x509_name_constraints_add_excluded(nc,
		    GNUTLS_SAN_IPADDRESS, &d)) < 0)
			goto out;
	}
	/* Critical, as RFC 5280 4.2.1.10 requires. */
	if ((ret = gnutls_x509_crt_set_name_constraints(crt, nc, 1)) < 0)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		err_gnutls(err, ret, "nameConstraints");
	if (nc != NULL)
		gnutls_x509_name_constraints_deinit(nc);
	return rc;
}

static int
set_sans(gnutls_x509_crt_t crt, const struct san_list *l, bool critical,
    struct cakit_err *err)
{
	gnutls_subject_alt_names_t	 sans = NULL;
	gnutls_datum_t			 d, der = { NULL, 0 };
	size_t				 i;
	int				 ret, rc = -1;

	if ((ret = gnutls_subject_alt_names_init(&sans)) < 0)
		goto fail;
	for (i = 0; i < l->n; i++) {
		san_datum(&l->v[i], &d);
		if ((ret = gnutls_subject_alt_names_set(sans,
		    san_gnutls_type(l->v[i].type), &d, NULL)) < 0)
			goto fail;
	}
	if ((ret = gnutls_x509_ext_export_subject_alt_names(sans, &der)) < 0 ||
	    (ret = gnutls_x509_crt_set_extension_by_oid(crt, "2.5.29.17",
	    der.data, der.size, critical)) < 0)
		goto fail;
	rc = 0;
fail:
	if (rc == -1)
		err_gnutls(err, ret, "subjectAltName");
	gnutls_free(der.data);
	gnutls_subject_alt_names_deinit(sans);
	return rc;
}

/* The issuer's key identifier: its SKI, or one computed from its key. */
static int
issuer_key_id(gnutls_x509_crt_t issuer, gnutls_pubkey_t self,
    unsigned char *id, size_t *len, struct cakit_err *err)
{
	unsigned int	 critical;
	int		 ret;

	if (issuer == NULL)
		ret = gnutls_pubkey_get_key_id(self, GNUTLS_KEYID_USE_SHA1,
		    id, len);
	else if ((ret = gnutls_x509_crt_get_subject_key_id(issuer, id, len,
	    &critical)) < 0)
		ret = gnutls_x509_crt_get_key_id(issuer, GNUTLS_KEYID_USE_SHA1,
		    id, len);
	if (ret < 0) {
		err_gnutls(err, ret, "issuer key identifier");
		return -1;
	}
	return 0;
}

/*
 * The subject: the DN given, or else the request's as it was encoded,
 * never re-parsed.  *empty tells whether the subject came out empty,
 * which makes subjectAltName critical (RFC 5280 4.2.1.6).
 */
static int
set_subject(gnutls_x509_crt_t crt, const struct cert_tbs *t, bool *empty,
    struct cakit_err *err)
{
	char	 dn[64];	/* only whether it is empty matters */
	size_t	 len = sizeof(dn);
	int	 ret;

	*empty = false;
	if (t->subject != NULL) {
		if ((ret = gnutls_x509_crt_set_dn(crt, t->subject, NULL)) < 0) {
			err_gnutls(err, ret, "subject '%.200s'", t->subject);
			return -1;
		}
		return 0;
	}
	if (t->crq == NULL)
		return 0;
	if ((ret = gnutls_x509_crt_set_crq(crt, t->crq)) < 0) {
		err_gnutls(err, ret, "subject from the CSR");
		return -1;
	}
	*empty = gnutls_x509_crt_get_dn(crt, dn, &len) ==
	    GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE || len == 0;
	return 0;
}

/*
 * The fields before the extensions: version, serial, key, subject and
 * validity.
 */
static int
set_fields(gnutls_x509_crt_t crt, const struct cert_tbs *t,
    const struct serial *serial, bool *empty_subject, struct cakit_err *err)
{
	int	 ret;

	/*
	 * The key goes in first: gnutls_x509_crt_set_crq in set_subject
	 * copies the request's subjectPublicKeyInfo (the same key) over
	 * it, while gnutls_x509_crt_set_pubkey after that copy fails on an
	 * Ed25519 key ("ASN1 parser: Element was not found": it deletes the
	 * algorithm parameters that the copy left absent).
	 */
	if ((ret = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (ret = gnutls_x509_crt_set_serial(crt, serial->b,
	    serial->len)) < 0 ||
	    (ret = gnutls_x509_crt_set_pubkey(crt, t->pub)) < 0) {
		err_gnutls(err, ret, "certificate");
		return -1;
	}
	if (set_subject(crt, t, empty_subject, err) == -1)
		return -1;
	if ((ret = gnutls_x509_crt_set_activation_time(crt,
	    t->not_before)) < 0 ||
	    (ret = gnutls_x509_crt_set_expiration_time(crt,
	    t->not_after)) < 0) {
		err_gnutls(err, ret, "certificate");
		return -1;
	}
	return 0;
}

/* What the profile decides: basicConstraints, keyUsage, extendedKeyUsage. */
static int
set_profile(gnutls_x509_crt_t crt, const struct cert_tbs *t,
    struct cakit_err *err)
{
	unsigned int	 usage;
	int		 ret;

	if (t->profile == PROFILE_CA) {
		ret = gnutls_x509_crt_set_basic_constraints(crt, 1,
		    t->path_len);
		usage = GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN;
	} else {
		ret = gnutls_x509_crt_set_basic_constraints(crt, 0, -1);
		usage = GNUTLS_KEY_DIGITAL_SIGNATURE;
		if (key_is_rsa(t->pub))
			usage |= GNUTLS_KEY_KEY_ENCIPHERMENT;
	}
	/* GnuTLS marks both extensions critical, as RFC 5280 asks. */
	if (ret < 0 || (ret = gnutls_x509_crt_set_key_usage(crt, usage)) < 0) {
		err_gnutls(err, ret, "basicConstraints or keyUsage");
		return -1;
	}
	if ((t->profile == PROFILE_SERVER || t->profile == PROFILE_PEER) &&
	    (ret = gnutls_x509_crt_set_key_purpose_oid(crt,
	    GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0) {
		err_gnutls(err, ret, "extendedKeyUsage");
		return -1;
	}
	if ((t->profile == PROFILE_CLIENT || t->profile == PROFILE_PEER) &&
	    (ret = gnutls_x509_crt_set_key_purpose_oid(crt,
	    GNUTLS_KP_TLS_WWW_CLIENT, 0)) < 0) {
		err_gnutls(err, ret, "extendedKeyUsage");
		return -1;
	}
	return 0;
}

/* subjectKeyIdentifier and authorityKeyIdentifier. */
static int
set_key_ids(gnutls_x509_crt_t crt, gnutls_pubkey_t pub,
    gnutls_x509_crt_t issuer, struct cakit_err *err)
{
	unsigned char	 id[64];
	size_t		 idlen = sizeof(id);
	int		 ret;

	if ((ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA1, id,
	    &idlen)) < 0 ||
	    (ret = gnutls_x509_crt_set_subject_key_id(crt, id, idlen)) < 0) {
		err_gnutls(err, ret, "subjectKeyIdentifier");
		return -1;
	}
	idlen = sizeof(id);
	if (issuer_key_id(issuer, pub, id, &idlen, err) == -1)
		return -1;
	if ((ret = gnutls_x509_crt_set_authority_key_id(crt, id, idlen)) < 0) {
		err_gnutls(err, ret, "authorityKeyIdentifier");
		return -1;
	}
	return 0;
}

/* subjectAltName, a CA's nameConstraints, and cRLDistributionPoints. */
static int
set_names(gnutls_x509_crt_t crt, const struct cert_tbs *t,
    bool empty_subject, struct cakit_err *err)
{
	int	 ret;

	if (t->sans != NULL && t->sans->n > 0 &&
	    set_sans(crt, t->sans, empty_subject, err) == -1)
		return -1;
	if (t->profile == PROFILE_CA && ((t->permit != NULL && t->permit->n) ||
	    (t->exclude != NULL && t->exclude->n)) &&
	    set_name_constraints(crt, t->permit, t->exclude, err) == -1)
		return -1;
	if (t->crl_url != NULL && (ret = gnutls_x509_crt_set_crl_dist_points2(
	    crt, GNUTLS_SAN_URI, t->crl_url, strlen(t->crl_url), 0)) < 0) {
		err_gnutls(err, ret, "cRLDistributionPoints");
		return -1;
	}
	return 0;
}

/* Sign crt with the issuer's key and its preferred hash. */
static int
sign(gnutls_x509_crt_t crt, gnutls_x509_crt_t issuer,
    gnutls_privkey_t issuer_key, struct cakit_err *err)
{
	gnutls_pubkey_t			 ipub = NULL;
	gnutls_digest_algorithm_t	 dig;
	int				 ret, rc = -1;

	if ((ret = gnutls_pubkey_init(&ipub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(ipub, issuer_key, 0, 0)) < 0 ||
	    (ret = gnutls_pubkey_get_preferred_hash_algorithm(ipub, &dig,
	    NULL)) < 0 ||
	    (ret = gnutls_x509_crt_privkey_sign(crt, issuer == NULL ? crt :
	    issuer, issuer_key, dig, 0)) < 0) {
		err_gnutls(err, ret, "signing the certificate");
		goto out;
	}
	rc = 0;
out:
	gnutls_pubkey_deinit(ipub);
	return rc;
}

/*
 * Build and sign a certificate.  A NULL issuer makes it self-signed.
 * The extensions go in the order they always have, so that the DER of a
 * certificate does not change with the code's shape.
 */
gnutls_x509_crt_t
cert_build(const struct cert_tbs *t, const struct serial *serial,
    gnutls_x509_crt_t issuer, gnutls_privkey_t issuer_key,
    struct cakit_err *err)
{
	gnutls_x509_crt_t	 crt = NULL;
	bool			 empty_subject;
	int			 ret;

	if ((ret = gnutls_x509_crt_init(&crt)) < 0) {
		err_gnutls(err, ret, "certificate");
		return NULL;
	}
	if (set_fields(crt, t, serial, &empty_subject, err) == -1 ||
	    set_profile(crt, t, err) == -1 ||
	    set_key_ids(crt, t->pub, issuer, err) == -1 ||
	    set_names(crt, t, empty_subject, err) == -1 ||
	    sign(crt, issuer, issuer_key, err) == -1) {
		gnutls_x509_crt_deinit(crt);
		return NULL;
	}
	return crt;
}

/* The caller frees out->data with gnutls_free. */
int
cert_export(gnutls_x509_crt_t crt, gnutls_x509_crt_fmt_t fmt,
    gnutls_datum_t *out, struct cakit_err *err)
{
	int	 ret;

	if ((ret = gnutls_x509_crt_export2(crt, fmt, out)) < 0) {
		err_gnutls(err, ret, "exporting certificate");
		return -1;
	}
	return 0;
}

/* PEM or DER; freed with gnutls_x509_crt_deinit. */
gnutls_x509_crt_t
cert_import(const gnutls_datum_t *d, struct cakit_err *err)
{
	gnutls_x509_crt_t	 crt = NULL;
	int			 ret;

	if ((ret = gnutls_x509_crt_init(&crt)) < 0) {
		err_gnutls(err, ret, "certificate");
		return NULL;
	}
	ret = gnutls_x509_crt_import(crt, d,
	    memmem(d->data, d->size, "-----BEGIN", 10) != NULL ?
	    GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER);
	if (ret < 0) {
		err_gnutls(err, ret, "not an X.509 certificate");
		gnutls_x509_crt_deinit(crt);
		return NULL;
	}
	return crt;
}

gnutls_x509_crt_t
cert_load(const char *path, struct cakit_err *err)
{
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 d = { NULL, 0 };

	if (file_read(path, FILE_MAX, &d, err) == -1)
		return NULL;
	if ((crt = cert_import(&d, err)) == NULL)
		err_set(err, "%s: not an X.509 certificate", path);
	free(d.data);
	return crt;
}

/* Every PEM certificate in a file; freed with cert_list_free. */
int
cert_load_list(const char *path, gnutls_x509_crt_t **list, unsigned int *n,
    struct cakit_err *err)
{
	gnutls_datum_t	 d = { NULL, 0 };
	int		 ret;

	*list = NULL;
	*n = 0;
	if (file_read(path, FILE_MAX, &d, err) == -1)
		return -1;
	ret = gnutls_x509_crt_list_import2(list, n, &d, GNUTLS_X509_FMT_PEM,
	    0);
	free(d.data);
	if (ret < 0) {
		err_gnutls(err, ret, "%s", path);
		return -1;
	}
	return 0;
}

void
cert_list_free(gnutls_x509_crt_t *list, unsigned int n)
{
	unsigned int	 i;

	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
}

/* The subject as RFC 4514 text ("" when empty); the caller frees it. */
char *
cert_subject(gnutls_x509_crt_t crt)
{
	gnutls_datum_t	 d = { NULL, 0 };
	char		*s;

	if (gnutls_x509_crt_get_dn3(crt, &d, 0) < 0 || d.data == NULL)
		return xstrdup("");
	s = xstrdup((char *)d.data);
	gnutls_free(d.data);
	return s;
}

/* Whether crt is a CA, and its pathLenConstraint (-1 when absent). */
int
cert_ca_path_len(gnutls_x509_crt_t crt, bool *is_ca, int *path_len)
{
	unsigned int	 critical, ca = 0;
	int		 ret;

	*is_ca = false;
	*path_len = -1;
	ret = gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca,
	    path_len);
	if (ret < 0 && ret != GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return -1;
	*is_ca = ret >= 0 && ca;
	if (!*is_ca)
		*path_len = -1;
	return 0;
}
