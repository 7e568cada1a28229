/*
 * Keys: the ones cakit generates, and the ones it accepts in requests.
 */
#include "config.h"

#include <string.h>

#include "cakit.h"

#define RSA_MIN_BITS	2048
#define RSA_MAX_BITS	16384

static const struct {
	const char		*name;
	enum key_type		 type;
	gnutls_pk_algorithm_t	 pk;
	unsigned int		 bits;
} key_types[] = {
	{ "ecdsa-p256", KEY_ECDSA_P256, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1) },
	{ "ecdsa-p384", KEY_ECDSA_P384, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1) },
	{ "ed25519", KEY_ED25519, GNUTLS_PK_EDDSA_ED25519,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519) },
	{ "rsa-2048", KEY_RSA_2048, GNUTLS_PK_RSA, 2048 },
	{ "rsa-3072", KEY_RSA_3072, GNUTLS_PK_RSA, 3072 },
	{ "rsa-4096", KEY_RSA_4096, GNUTLS_PK_RSA, 4096 },
};

int
key_type_parse(const char *s, enum key_type *t)
{
	size_t	 i;

	for (i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
		if (strcmp(s, key_types[i].name) == 0) {
			*t = key_types[i].type;
			return 0;
		}
	return -1;
}

/* A new private key; the caller frees it with gnutls_x509_privkey_deinit. */
gnutls_x509_privkey_t
key_generate(enum key_type t, struct cakit_err *err)
{
	gnutls_x509_privkey_t	 key = NULL;
	size_t			 i;
	int			 ret;

	for (i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
		if (key_types[i].type == t)
			break;
	if (i == sizeof(key_types) / sizeof(key_types[0])) {
		err_set(err, "unknown key type");
		return NULL;
	}
	if ((ret = gnutls_x509_privkey_init(&key)) < 0 ||
	    (ret = gnutls_x509_privkey_generate(key, key_types[i].pk,
	    key_types[i].bits, 0)) < 0) {
		err_gnutls(err, ret, "generating %s key", key_types[i].name);
		gnutls_x509_privkey_deinit(key);
		return NULL;
	}
	return key;
}

/*
 * PKCS#8 PEM; encrypted with AES-256 under PBES2 when a passphrase is
 * given.  The caller wipes and frees out->data (secret_free).
 */
int
key_export_pem(gnutls_x509_privkey_t key, const char *pass,
    gnutls_datum_t *out, struct cakit_err *err)
{
	gnutls_datum_t	 d = { NULL, 0 };
	int		 ret;

	out->data = NULL;
	out->size = 0;
	ret = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM,
	    pass, pass == NULL ? GNUTLS_PKCS_PLAIN : GNUTLS_PKCS_PBES2_AES_256,
	    &d);
	if (ret < 0) {
		err_gnutls(err, ret, "exporting private key");
		return -1;
	}
	*out = d;
	return 0;
}

/*
 * The public keys cakit will certify: RSA of 2048 bits or more, ECDSA
 * on the NIST curves, Ed25519 and Ed448.
 */
int
key_check_pub(gnutls_pubkey_t pub, struct cakit_err *err)
{
	unsigned int		 bits = 0;
	gnutls_ecc_curve_t	 curve;
	int			 pk;

	pk = gnutls_pubkey_get_pk_algorithm(pub, &bits);
	switch (pk) {
	case GNUTLS_PK_RSA:
		if (bits < RSA_MIN_BITS) {
			err_set(err, "RSA key of %u bits: at least %d are "
			    "required", bits, RSA_MIN_BITS);
			return -1;
		}
		if (bits > RSA_MAX_BITS) {
			err_set(err, "RSA key of %u bits: at most %d are "
			    "supported", bits, RSA_MAX_BITS);
			return -1;
		}
		return 0;
	case GNUTLS_PK_ECDSA:
		if (gnutls_pubkey_export_ecc_raw(pub, &curve, NULL, NULL) < 0) {
			err_set(err, "unreadable ECDSA key");
			return -1;
		}
		if (curve != GNUTLS_ECC_CURVE_SECP256R1 &&
		    curve != GNUTLS_ECC_CURVE_SECP384R1 &&
		    curve != GNUTLS_ECC_CURVE_SECP521R1) {
			err_set(err, "ECDSA curve %s is not supported "
			    "(P-256, P-384, P-521 are)",
			    gnutls_ecc_curve_get_name(curve) ?
			    gnutls_ecc_curve_get_name(curve) : "unknown");
			return -1;
		}
		return 0;
	case GNUTLS_PK_EDDSA_ED25519:
	case GNUTLS_PK_EDDSA_ED448:
		return 0;
	default:
		err_set(err, "%s keys are not supported (RSA, ECDSA, Ed25519 "
		    "and Ed448 are)", pk < 0 ? "unknown" :
		    gnutls_pk_get_name(pk) ? gnutls_pk_get_name(pk) :
		    "unknown");
		return -1;
	}
}

bool
key_is_rsa(gnutls_pubkey_t pub)
{
	return gnutls_pubkey_get_pk_algorithm(pub, NULL) == GNUTLS_PK_RSA;
}

/* Same key when the SHA-256 key identifiers match. */
bool
key_matches(gnutls_pubkey_t a, gnutls_pubkey_t b)
{
	unsigned char	 ia[32], ib[32];
	size_t		 la = sizeof(ia), lb = sizeof(ib);

	if (gnutls_pubkey_get_key_id(a, GNUTLS_KEYID_USE_SHA256, ia, &la) < 0 ||
	    gnutls_pubkey_get_key_id(b, GNUTLS_KEYID_USE_SHA256, ib, &lb) < 0)
		return false;
	return la == lb && memcmp(ia, ib, la) == 0;
}

/*
 * Load a private key file (PEM or DER, PKCS#8 or legacy, encrypted when
 * pass is not NULL).  The caller frees it with gnutls_privkey_deinit.
 */
gnutls_privkey_t
key_load(const char *path, const char *pass, struct cakit_err *err)
{
	gnutls_privkey_t	 key = NULL;
	gnutls_datum_t		 d = { NULL, 0 };
	int			 ret;

	if (file_read(path, FILE_MAX, &d, err) == -1)
		return NULL;
	if ((ret = gnutls_privkey_init(&key)) < 0) {
		err_gnutls(err, ret, "%s", path);
		goto out;
	}
	ret = gnutls_privkey_import_x509_raw(key, &d, GNUTLS_X509_FMT_PEM,
	    pass, 0);
	if (ret < 0)
		ret = gnutls_privkey_import_x509_raw(key, &d,
		    GNUTLS_X509_FMT_DER, pass, 0);
	if (ret < 0) {
		if (ret == GNUTLS_E_DECRYPTION_FAILED && pass == NULL)
			err_set(err, "%s: the key is encrypted; give its "
			    "passphrase with --key-passphrase-file", path);
		else if (ret == GNUTLS_E_DECRYPTION_FAILED)
			err_set(err, "%s: wrong passphrase", path);
		else
			err_gnutls(err, ret, "%s: not a private key", path);
		gnutls_privkey_deinit(key);
		key = NULL;
	}
out:
	secret_free(d.data, d.size);
	return key;
}
