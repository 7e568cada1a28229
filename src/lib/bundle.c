/*
 * Bundles: the trust bundle of one or more CAs, a server's chain, the
 * CRLs of a chain, and PKCS#12 files for importers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gnutls/pkcs12.h>

#include "cakit.h"

/* Append crt as PEM unless a certificate with the same DER is in seen. */
static int
add_pem(struct buf *out, gnutls_x509_crt_t crt, gnutls_datum_t **seen,
    size_t *nseen, struct cakit_err *err)
{
	gnutls_datum_t	 der = { NULL, 0 }, pem = { NULL, 0 };
	size_t		 i;
	int		 ret;

	if (cert_export(crt, GNUTLS_X509_FMT_DER, &der, err) == -1)
		return -1;
	for (i = 0; seen != NULL && i < *nseen; i++)
		if ((*seen)[i].size == der.size &&
		    memcmp((*seen)[i].data, der.data, der.size) == 0) {
			gnutls_free(der.data);
			return 0;
		}
	if ((ret = gnutls_pem_base64_encode2("CERTIFICATE", &der, &pem)) < 0) {
		err_gnutls(err, ret, "certificate");
		gnutls_free(der.data);
		return -1;
	}
	buf_add(out, pem.data, pem.size);
	gnutls_free(pem.data);
	if (seen != NULL) {
		*seen = xreallocarray(*seen, *nseen + 1, sizeof(**seen));
		(*seen)[(*nseen)++] = der;
	} else
		gnutls_free(der.data);
	return 0;
}

static bool
self_signed(gnutls_x509_crt_t crt)
{
	return gnutls_x509_crt_check_issuer(crt, crt) != 0;
}

/*
 * The trust bundle: for each CA directory its certificate and those
 * above it to the root, each certificate once.
 */
int
bundle_trust(char *const *dirs, size_t n, struct buf *out,
    struct cakit_err *err)
{
	struct ca	*ca = NULL;
	gnutls_datum_t	*seen = NULL;
	size_t		 i, nseen = 0;
	unsigned int	 j;
	int		 rc = -1;

	for (i = 0; i < n; i++) {
		if ((ca = ca_open(dirs[i], CA_OPEN_NOKEY, NULL, err)) == NULL)
			goto out;
		if (add_pem(out, ca->crt, &seen, &nseen, err) == -1)
			goto out;
		for (j = 0; j < ca->nchain; j++)
			if (add_pem(out, ca->chain[j], &seen, &nseen,
			    err) == -1)
				goto out;
		ca_free(ca);
		ca = NULL;
	}
	rc = 0;
out:
	ca_free(ca);
	for (i = 0; i < nseen; i++)
		gnutls_free(seen[i].data);
	free(seen);
	return rc;
}

/* The CA certificates a server sends after its own: all but the root. */
static int
add_intermediates(struct buf *out, const struct ca *ca, struct cakit_err *err)
{
	unsigned int	 i;

	if (self_signed(ca->crt))
		return 0;
	if (add_pem(out, ca->crt, NULL, NULL, err) == -1)
		return -1;
	for (i = 0; i < ca->nchain; i++)
		if (!self_signed(ca->chain[i]) &&
		    add_pem(out, ca->chain[i], NULL, NULL, err) == -1)
			return -1;
	return 0;
}

/* A leaf this CA issued, then the intermediates: a TLS server's chain. */
int
bundle_chain(struct ca *ca, const char *arg, struct buf *out,
    struct cakit_err *err)
{
	struct ledger_row	 row;
	gnutls_x509_crt_t	 crt = NULL;
	int			 rc = -1;

	if (ca_lookup(ca, arg, &row, err) == -1)
		return -1;
	if ((crt = cert_import(&row.der, err)) == NULL ||
	    add_pem(out, crt, NULL, NULL, err) == -1 ||
	    add_intermediates(out, ca, err) == -1)
		goto out;
	rc = 0;
out:
	gnutls_x509_crt_deinit(crt);
	ledger_row_clear(&row);
	return rc;
}

/* The CA's trust bundle, then the CRL of each CA from it to the root. */
int
bundle_crls(struct ca *ca, struct buf *out, struct cakit_err *err)
{
	struct ca	*cur = NULL;
	gnutls_datum_t	 crl = { NULL, 0 };
	char		*path = NULL, *parent = NULL, *dir;
	int		 depth, rc = -1;

	if (bundle_trust(&ca->dir, 1, out, err) == -1)
		return -1;
	dir = ca->dir;
	for (depth = 0; depth < 32; depth++) {
		path = file_join(dir, CA_CRL);
		if (file_read(path, FILE_MAX * 256, &crl, err) == -1)
			goto out;
		buf_add(out, crl.data, crl.size);
		free(crl.data);
		crl.data = NULL;
		free(path);
		path = NULL;
		ca_free(cur);
		if ((cur = ca_open(dir, CA_OPEN_NOKEY, NULL, err)) == NULL)
			goto out;
		free(parent);
		if ((parent = cur->settings.parent_dir) == NULL) {
			rc = 0;
			goto out;
		}
		cur->settings.parent_dir = NULL;
		dir = parent;
	}
	err_set(err, "%s: the chain of parents is too long", ca->dir);
out:
	ca_free(cur);
	free(parent);
	free(path);
	return rc;
}

/*
 * A PKCS#12 file at path (0600 from creation, never replacing a file)
 * holding the key, the certificate, which this CA must have issued and
 * the key must match, and the intermediates.  Both bags are encrypted
 * with PBES2 AES-256 and the MAC is HMAC-SHA256.
 */
int
bundle_pkcs12(struct ca *ca, const char *path, const char *keyfile,
    const char *certfile, const char *passfile, struct cakit_err *err)
{
	struct ledger_row	 row;
	gnutls_x509_privkey_t	 key = NULL;
	gnutls_x509_crt_t	 crt = NULL, *extra = NULL;
	gnutls_pkcs12_t		 p12 = NULL;
	gnutls_pkcs12_bag_t	 cbag = NULL, kbag = NULL;
	gnutls_datum_t		 kd = { NULL, 0 }, enc = { NULL, 0 };
	gnutls_datum_t		 der = { NULL, 0 }, id;
	struct buf		 inter = { 0 };
	unsigned char		 kid[64], cid[64];
	size_t			 klen = sizeof(kid), clen = sizeof(cid);
	unsigned int		 nextra = 0, i;
	char			*pass = NULL, *tmp = NULL;
	int			 ret, idx, rc = -1;

	memset(&row, 0, sizeof(row));
	if (file_read_passphrase(passfile, &pass, err) == -1 ||
	    ca_lookup(ca, certfile, &row, err) == -1 ||
	    (crt = cert_import(&row.der, err)) == NULL)
		goto out;
	if (file_read_secret(keyfile, FILE_MAX, &kd, err) == -1)
		goto out;
	if ((ret = gnutls_x509_privkey_init(&key)) < 0 ||
	    ((ret = gnutls_x509_privkey_import2(key, &kd, GNUTLS_X509_FMT_PEM,
	    NULL, 0)) < 0 && (ret = gnutls_x509_privkey_import2(key, &kd,
	    GNUTLS_X509_FMT_DER, NULL, 0)) < 0)) {
		err_gnutls(err, ret, "%s: not a usable private key", keyfile);
		goto out;
	}
	if (gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, kid,
	    &klen) < 0 || gnutls_x509_crt_get_key_id(crt,
	    GNUTLS_KEYID_USE_SHA256, cid, &clen) < 0 || klen != clen ||
	    memcmp(kid, cid, klen) != 0) {
		err_set(err, "%s does not match the certificate %s", keyfile,
		    certfile);
		goto out;
	}
	if (add_intermediates(&inter, ca, err) == -1)
		goto out;
	if (inter.len > 0) {
		enc.data = inter.p;
		enc.size = inter.len;
		if ((ret = gnutls_x509_crt_list_import2(&extra, &nextra, &enc,
		    GNUTLS_X509_FMT_PEM, 0)) < 0) {
			err_gnutls(err, ret, "intermediates");
			goto out;
		}
		enc.data = NULL;
	}

	id.data = kid;
	id.size = klen;
	if ((ret = gnutls_pkcs12_init(&p12)) < 0 ||
	    (ret = gnutls_pkcs12_bag_init(&cbag)) < 0 ||
	    (ret = gnutls_pkcs12_bag_init(&kbag)) < 0 ||
	    (idx = ret = gnutls_pkcs12_bag_set_crt(cbag, crt)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_key_id(cbag, idx, &id)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_friendly_name(cbag, idx,
	    row.subject)) < 0)
		goto fail;
	for (i = 0; i < nextra; i++)
		if ((ret = gnutls_pkcs12_bag_set_crt(cbag, extra[i])) < 0)
			goto fail;
	if ((ret = gnutls_pkcs12_bag_encrypt(cbag, pass,
	    GNUTLS_PKCS_PBES2_AES_256)) < 0 ||
	    (ret = gnutls_pkcs12_set_bag(p12, cbag)) < 0 ||
	    (ret = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_DER,
	    pass, GNUTLS_PKCS_PBES2_AES_256, &enc)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_data(kbag,
	    GNUTLS_BAG_PKCS8_ENCRYPTED_KEY, &enc)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_key_id(kbag, 0, &id)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_friendly_name(kbag, 0,
	    row.subject)) < 0 ||
	    (ret = gnutls_pkcs12_set_bag(p12, kbag)) < 0 ||
	    (ret = gnutls_pkcs12_generate_mac2(p12, GNUTLS_MAC_SHA256,
	    pass)) < 0 ||
	    (ret = gnutls_pkcs12_export2(p12, GNUTLS_X509_FMT_DER, &der)) < 0)
		goto fail;
	if ((tmp = file_write_temp_secret(path, der.data, der.size,
	    err)) == NULL || file_publish(tmp, path, true, err) == -1)
		goto out;
	rc = 0;
	goto out;
fail:
	err_gnutls(err, ret, "PKCS#12");
out:
	if (pass != NULL)
		secret_free(pass, strlen(pass));
	if (kd.data != NULL)
		secret_free(kd.data, kd.size);
	gnutls_free(enc.data);
	gnutls_free(der.data);
	buf_free(&inter);
	free(tmp);
	cert_list_free(extra, nextra);
	gnutls_pkcs12_bag_deinit(cbag);
	gnutls_pkcs12_bag_deinit(kbag);
	gnutls_pkcs12_deinit(p12);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_privkey_deinit(key);
	ledger_row_clear(&row);
	return rc;
}
