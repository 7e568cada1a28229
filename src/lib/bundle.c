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

/*
 * The CA certificates a server sends after its own: all but the root.
 * Fills v, which has room for ca->nchain + 1, with certificates
 * borrowed from ca, and returns how many.
 */
static unsigned int
intermediates(const struct ca *ca, gnutls_x509_crt_t *v)
{
	unsigned int	 i, n = 0;

	if (self_signed(ca->crt))
		return 0;
	v[n++] = ca->crt;
	for (i = 0; i < ca->nchain; i++)
		if (!self_signed(ca->chain[i]))
			v[n++] = ca->chain[i];
	return n;
}

static int
add_intermediates(struct buf *out, const struct ca *ca, struct cakit_err *err)
{
	gnutls_x509_crt_t	*v;
	unsigned int		 i, n;
	int			 rc = -1;

	v = xcalloc(ca->nchain + 1, sizeof(*v));
	n = intermediates(ca, v);
	for (i = 0; i < n; i++)
		if (add_pem(out, v[i], NULL, NULL, err) == -1)
			goto out;
	rc = 0;
out:
	free(v);
	return rc;
}

/* A leaf this CA issued, then the intermediates: a TLS server's chain. */
int
bundle_chain(struct ca *ca, const char *cert, struct buf *out,
    struct cakit_err *err)
{
	struct ledger_row	 row;
	gnutls_x509_crt_t	 crt = NULL;
	int			 rc = -1;

	if (ca_lookup(ca, cert, &row, err) == -1)
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

/* What goes into a PKCS#12 file; everything is borrowed. */
struct p12_parts {
	gnutls_x509_privkey_t	 key;
	gnutls_x509_crt_t	 crt;
	gnutls_x509_crt_t	*extra;		/* the intermediates */
	unsigned int		 nextra;
	gnutls_datum_t		 id;		/* both bags' localKeyId */
	const char		*name;		/* both bags' friendlyName */
	const char		*pass;
};

/* An unencrypted private key, PEM or DER; or NULL. */
static gnutls_x509_privkey_t
p12_key_load(const char *keyfile, struct cakit_err *err)
{
	gnutls_x509_privkey_t	 key = NULL;
	gnutls_datum_t		 kd = { NULL, 0 };
	int			 ret;

	if (file_read_secret(keyfile, FILE_MAX, &kd, err) == -1)
		return NULL;
	if ((ret = gnutls_x509_privkey_init(&key)) < 0 ||
	    ((ret = gnutls_x509_privkey_import2(key, &kd, GNUTLS_X509_FMT_PEM,
	    NULL, 0)) < 0 && (ret = gnutls_x509_privkey_import2(key, &kd,
	    GNUTLS_X509_FMT_DER, NULL, 0)) < 0)) {
		err_gnutls(err, ret, "%s: not a usable private key", keyfile);
		gnutls_x509_privkey_deinit(key);
		key = NULL;
	}
	file_secret_free(kd.data, kd.size);
	return key;
}

/*
 * Whether crt holds the public half of key; if so its SHA-256 key
 * identifier is in id (of *len bytes, which holds id's size on entry).
 */
static bool
p12_key_id(gnutls_x509_privkey_t key, gnutls_x509_crt_t crt,
    unsigned char *id, size_t *len)
{
	unsigned char	 cid[64];
	size_t		 clen = sizeof(cid);

	return gnutls_x509_privkey_get_key_id(key, GNUTLS_KEYID_USE_SHA256, id,
	    len) >= 0 && gnutls_x509_crt_get_key_id(crt,
	    GNUTLS_KEYID_USE_SHA256, cid, &clen) >= 0 && *len == clen &&
	    memcmp(id, cid, clen) == 0;
}

/*
 * The certificate bag: the certificate with the key's id and name, then
 * the intermediates, encrypted with PBES2 AES-256.  A GnuTLS code.
 */
static int
p12_cert_bag(gnutls_pkcs12_bag_t bag, const struct p12_parts *p)
{
	unsigned int	 i;
	int		 idx, ret;

	if ((idx = ret = gnutls_pkcs12_bag_set_crt(bag, p->crt)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_key_id(bag, idx, &p->id)) < 0 ||
	    (ret = gnutls_pkcs12_bag_set_friendly_name(bag, idx,
	    p->name)) < 0)
		return ret;
	for (i = 0; i < p->nextra; i++)
		if ((ret = gnutls_pkcs12_bag_set_crt(bag, p->extra[i])) < 0)
			return ret;
	return gnutls_pkcs12_bag_encrypt(bag, p->pass,
	    GNUTLS_PKCS_PBES2_AES_256);
}

/* The key bag: the key as PKCS#8 under PBES2 AES-256.  A GnuTLS code. */
static int
p12_key_bag(gnutls_pkcs12_bag_t bag, const struct p12_parts *p)
{
	gnutls_datum_t	 enc = { NULL, 0 };
	int		 ret;

	if ((ret = gnutls_x509_privkey_export2_pkcs8(p->key,
	    GNUTLS_X509_FMT_DER, p->pass, GNUTLS_PKCS_PBES2_AES_256,
	    &enc)) >= 0 &&
	    (ret = gnutls_pkcs12_bag_set_data(bag,
	    GNUTLS_BAG_PKCS8_ENCRYPTED_KEY, &enc)) >= 0 &&
	    (ret = gnutls_pkcs12_bag_set_key_id(bag, 0, &p->id)) >= 0)
		ret = gnutls_pkcs12_bag_set_friendly_name(bag, 0, p->name);
	gnutls_free(enc.data);
	return ret;
}

/*
 * The PKCS#12 DER into *der (freed with gnutls_free): the certificate
 * bag, the key bag, and an HMAC-SHA256 MAC.  A GnuTLS code.
 */
static int
p12_encode(const struct p12_parts *p, gnutls_datum_t *der)
{
	gnutls_pkcs12_t		 p12 = NULL;
	gnutls_pkcs12_bag_t	 cbag = NULL, kbag = NULL;
	int			 ret;

	if ((ret = gnutls_pkcs12_init(&p12)) >= 0 &&
	    (ret = gnutls_pkcs12_bag_init(&cbag)) >= 0 &&
	    (ret = gnutls_pkcs12_bag_init(&kbag)) >= 0 &&
	    (ret = p12_cert_bag(cbag, p)) >= 0 &&
	    (ret = gnutls_pkcs12_set_bag(p12, cbag)) >= 0 &&
	    (ret = p12_key_bag(kbag, p)) >= 0 &&
	    (ret = gnutls_pkcs12_set_bag(p12, kbag)) >= 0 &&
	    (ret = gnutls_pkcs12_generate_mac2(p12, GNUTLS_MAC_SHA256,
	    p->pass)) >= 0)
		ret = gnutls_pkcs12_export2(p12, GNUTLS_X509_FMT_DER, der);
	gnutls_pkcs12_bag_deinit(cbag);
	gnutls_pkcs12_bag_deinit(kbag);
	gnutls_pkcs12_deinit(p12);
	return ret;
}

/*
 * A PKCS#12 file at path (0600 from creation, never replacing a file)
 * holding the key, the certificate, which this CA must have issued and
 * the key must match, and the intermediates.  Both bags are encrypted
 * with PBES2 AES-256 and the MAC is HMAC-SHA256.
 */
int
bundle_pkcs12(struct ca *ca, const char *path, const char *keyfile,
    const char *cert, const char *passfile, struct cakit_err *err)
{
	struct ledger_row	 row;
	struct p12_parts	 p;
	gnutls_datum_t		 der = { NULL, 0 };
	unsigned char		 kid[64];
	size_t			 klen = sizeof(kid);
	char			*pass = NULL, *tmp = NULL;
	int			 ret, rc = -1;

	memset(&row, 0, sizeof(row));
	memset(&p, 0, sizeof(p));
	if (file_read_passphrase(passfile, &pass, err) == -1 ||
	    ca_lookup(ca, cert, &row, err) == -1 ||
	    (p.crt = cert_import(&row.der, err)) == NULL ||
	    (p.key = p12_key_load(keyfile, err)) == NULL)
		goto out;
	if (!p12_key_id(p.key, p.crt, kid, &klen)) {
		err_set(err, "%s does not match the certificate %s", keyfile,
		    cert);
		goto out;
	}
	p.extra = xcalloc(ca->nchain + 1, sizeof(*p.extra));
	p.nextra = intermediates(ca, p.extra);
	p.id.data = kid;
	p.id.size = klen;
	p.name = row.subject;
	p.pass = pass;
	if ((ret = p12_encode(&p, &der)) < 0) {
		err_gnutls(err, ret, "PKCS#12");
		goto out;
	}
	if ((tmp = file_write_temp_secret(path, der.data, der.size,
	    err)) == NULL || file_publish(tmp, path, true, err) == -1)
		goto out;
	rc = 0;
out:
	if (pass != NULL)
		file_secret_free(pass, strlen(pass));
	gnutls_free(der.data);
	free(tmp);
	free(p.extra);
	gnutls_x509_crt_deinit(p.crt);
	gnutls_x509_privkey_deinit(p.key);
	ledger_row_clear(&row);
	return rc;
}
