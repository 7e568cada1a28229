/*
 * Keys: the ones cakit generates, and the ones it accepts in requests.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

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

/* The key type of pub, if it is one cakit generates; else -1. */
int
key_type_of(gnutls_pubkey_t pub, enum key_type *t)
{
	gnutls_ecc_curve_t	 curve;
	unsigned int		 bits = 0;
	size_t			 i;
	int			 pk;

	pk = gnutls_pubkey_get_pk_algorithm(pub, &bits);
	if (pk == GNUTLS_PK_ECDSA) {
		if (gnutls_pubkey_export_ecc_raw(pub, &curve, NULL, NULL) < 0)
			return -1;
		bits = GNUTLS_CURVE_TO_BITS(curve);
	} else if (pk == GNUTLS_PK_EDDSA_ED25519)
		bits = GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_ED25519);
	for (i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
		if ((int)key_types[i].pk == pk && key_types[i].bits == bits) {
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
 * given.  The caller wipes and frees out->data (file_secret_free).
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

/*
 * The key's identity in the ledger: SHA-256 over its SubjectPublicKeyInfo,
 * the same for a key however it reached us (CSR, certificate, new key).
 */
int
key_id(gnutls_pubkey_t pub, unsigned char id[KEY_ID_LEN],
    struct cakit_err *err)
{
	size_t	 n = KEY_ID_LEN;
	int	 ret;

	if ((ret = gnutls_pubkey_get_key_id(pub, GNUTLS_KEYID_USE_SHA256, id,
	    &n)) < 0 || n != KEY_ID_LEN) {
		err_gnutls(err, ret < 0 ? ret : GNUTLS_E_INTERNAL_ERROR,
		    "public key identifier");
		return -1;
	}
	return 0;
}

int
key_id_crt(gnutls_x509_crt_t crt, unsigned char id[KEY_ID_LEN],
    struct cakit_err *err)
{
	gnutls_pubkey_t	 pub = NULL;
	int		 ret, rc = -1;

	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_x509(pub, crt, 0)) < 0) {
		err_gnutls(err, ret, "certificate's public key");
		goto out;
	}
	rc = key_id(pub, id, err);
out:
	gnutls_pubkey_deinit(pub);
	return rc;
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
	char			*uri;
	int			 ret;

	if (file_read_secret(path, FILE_MAX, &d, err) == -1)
		return NULL;
	if (d.size > 7 && memcmp(d.data, "pkcs11:", 7) == 0) {
		uri = xstrndup((char *)d.data, strcspn((char *)d.data, "\r\n"));
		if (pass != NULL)
			key_token_pin(pass);
		key = key_import_uri(uri, err);
		free(uri);
		goto out;
	}
	if ((ret = gnutls_privkey_init(&key)) < 0) {
		err_gnutls(err, ret, "%s", path);
		goto out;
	}
	ret = gnutls_privkey_import_x509_raw(key, &d,
	    memmem(d.data, d.size, "-----BEGIN", 10) != NULL ?
	    GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER, pass, 0);
	if (ret < 0) {
		/* The mains add which of their options gives it. */
		if (ret == GNUTLS_E_DECRYPTION_FAILED) {
			err_set(err, pass == NULL ? "%s: the key is encrypted "
			    "and no passphrase was given" :
			    "%s: wrong passphrase", path);
			err->kind = ERR_KEY_LOCKED;
		} else
			err_gnutls(err, ret, "%s: not a private key", path);
		gnutls_privkey_deinit(key);
		key = NULL;
	}
out:
	file_secret_free(d.data, d.size);
	return key;
}

/*
 * PKCS#11: the CA key lives in a token and ca.key holds only its URI.
 * The PIN comes from the passphrase file, never from the command line.
 */
static char *token_pin;

static int
pin_callback(void *arg, int attempt, const char *url, const char *label,
    unsigned int flags, char *pin, size_t len)
{
	(void)arg;
	(void)url;
	(void)label;
	/* One try: a wrong PIN retried in a loop would lock the token. */
	if (token_pin == NULL || attempt > 0 || (flags & GNUTLS_PIN_WRONG) ||
	    strlen(token_pin) >= len)
		return -1;
	memcpy(pin, token_pin, strlen(token_pin) + 1);
	return 0;
}

/*
 * Use a copy of pin for the token's logins, which happen whenever the
 * key signs; key_token_done wipes it.
 */
void
key_token_pin(const char *pin)
{
	key_token_done();
	token_pin = xstrdup(pin);
	gnutls_pkcs11_set_pin_function(pin_callback, NULL);
}

void
key_token_done(void)
{
	if (token_pin != NULL)
		file_secret_free(token_pin, strlen(token_pin));
	token_pin = NULL;
}

bool
key_is_uri(const char *s)
{
	return strncmp(s, "pkcs11:", 7) == 0;
}

/*
 * The URI of the private key object: the given one with type=private
 * among its path attributes, before any query.
 */
static char *
private_uri(const char *uri)
{
	struct buf	 b = { 0 };
	size_t		 n = strcspn(uri, "?");

	if (memmem(uri, n, "type=", 5) != NULL)
		return xstrdup(uri);
	buf_printf(&b, "%.*s%stype=private%s", (int)n, uri,
	    memchr(uri, '=', n) != NULL ? ";" : "", uri + n);
	return buf_str(&b);
}

/* A token's refusal: a failed login is the one a passphrase can fix. */
static void
token_err(struct cakit_err *err, int ret, const char *uri, const char *what)
{
	if (ret == GNUTLS_E_PKCS11_PIN_ERROR ||
	    ret == GNUTLS_E_PKCS11_USER_ERROR) {
		err_set(err, "%s: token login failed (no PIN, or a wrong one)",
		    uri);
		err->kind = ERR_KEY_LOCKED;
	} else if (what != NULL)
		err_gnutls(err, ret, "%s: %s", uri, what);
	else
		err_gnutls(err, ret, "%s", uri);
}

gnutls_privkey_t
key_import_uri(const char *uri, struct cakit_err *err)
{
	gnutls_privkey_t	 key = NULL;
	char			*url;
	int			 ret;

	url = private_uri(uri);
	if ((ret = gnutls_privkey_init(&key)) < 0 ||
	    (ret = gnutls_privkey_import_url(key, url, 0)) < 0) {
		token_err(err, ret, uri, NULL);
		gnutls_privkey_deinit(key);
		key = NULL;
	}
	free(url);
	return key;
}

/*
 * RFC 7512 2.3: the value of a path attribute, percent-decoded.  NULL
 * (with err set) for a bad escape or a NUL byte.
 */
static char *
uri_decode(const char *uri, const char *v, size_t len, struct cakit_err *err)
{
	struct buf	 b = { 0 };
	unsigned int	 c;
	size_t		 i;

	for (i = 0; i < len; i++) {
		if (v[i] != '%') {
			buf_addc(&b, v[i]);
			continue;
		}
		if (len - i < 3 || !isxdigit((unsigned char)v[i + 1]) ||
		    !isxdigit((unsigned char)v[i + 2]) ||
		    sscanf(v + i + 1, "%2x", &c) != 1 || c == 0) {
			err_set(err, "%s: a bad %%-escape in the object label",
			    uri);
			buf_free(&b);
			return NULL;
		}
		buf_addc(&b, (int)c);
		i += 2;
	}
	return buf_str(&b);
}

/*
 * The URI of the objects one generation made: the token's attributes
 * from uri, its object= label, and id= the new CKA_ID; never type=, so
 * that the private and the public key both match.
 */
static char *
id_uri(const char *uri, const unsigned char *id, size_t idlen)
{
	struct buf	 b = { 0 };
	const char	*p, *end, *query;
	size_t		 i, n;
	bool		 first = true;

	query = strchr(uri, '?');
	buf_printf(&b, "pkcs11:");
	for (p = uri + 7; *p != '\0' && *p != '?'; p = *end == ';' ? end + 1 :
	    end) {
		end = p + strcspn(p, ";?");
		n = end - p;
		if (n == 0 || (n >= 5 && strncmp(p, "type=", 5) == 0) ||
		    (n >= 3 && strncmp(p, "id=", 3) == 0))
			continue;
		buf_printf(&b, "%s%.*s", first ? "" : ";", (int)n, p);
		first = false;
	}
	buf_printf(&b, "%sid=", first ? "" : ";");
	for (i = 0; i < idlen; i++)
		buf_printf(&b, "%%%02x", id[i]);
	if (query != NULL)
		buf_printf(&b, "%s", query);
	return buf_str(&b);
}

/* The value of path attribute name= in uri, or NULL. */
static const char *
uri_attr(const char *uri, const char *name, size_t *len)
{
	const char	*p;
	size_t		 n = strlen(name);

	for (p = uri + 7; *p != '\0' && *p != '?'; p += strcspn(p, ";?"),
	    p += *p == ';') {
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			*len = strcspn(p + n + 1, ";?");
			return p + n + 1;
		}
	}
	return NULL;
}

/*
 * Generate a key inside the token that uri names (its object= is the
 * label, RFC 7512 percent-decoded), refusing a label already in use by
 * a private key.  The pair gets a random CKA_ID of its own; *key_uri
 * is set to the URI naming exactly it (freed by the caller), which
 * key_delete_token removes without touching any other object.  Returns
 * the key, freed with gnutls_privkey_deinit.
 */
gnutls_privkey_t
key_generate_token(const char *uri, enum key_type t, char **key_uri,
    struct cakit_err *err)
{
	gnutls_privkey_t	 key = NULL;
	gnutls_datum_t		 cid;
	unsigned char		 id[20];
	const char		*v;
	char			*label = NULL, *url = NULL, *idu = NULL;
	size_t			 i, len;
	int			 ret;

	*key_uri = NULL;
	if ((v = uri_attr(uri, "object", &len)) == NULL || len == 0) {
		err_set(err, "%s: name the key with object=LABEL", uri);
		return NULL;
	}
	if (uri_attr(uri, "id", &len) != NULL) {
		err_set(err, "%s: the new key's id= is chosen at random; leave "
		    "id= out", uri);
		return NULL;
	}
	if ((label = uri_decode(uri, v, strcspn(v, ";?"), err)) == NULL)
		return NULL;
	for (i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
		if (key_types[i].type == t)
			break;
	url = private_uri(uri);
	if (gnutls_privkey_init(&key) >= 0 &&
	    gnutls_privkey_import_url(key, url, 0) >= 0) {
		err_set(err, "%s: the token already holds this key; choose "
		    "another object=", uri);
		goto fail;
	}
	gnutls_privkey_deinit(key);
	key = NULL;
	if ((ret = gnutls_rnd(GNUTLS_RND_NONCE, id, sizeof(id))) < 0) {
		err_gnutls(err, ret, "a key id");
		goto fail;
	}
	cid.data = id;
	cid.size = sizeof(id);
	idu = id_uri(uri, id, sizeof(id));
	if ((ret = gnutls_pkcs11_privkey_generate3(uri, key_types[i].pk,
	    key_types[i].bits, label, &cid, GNUTLS_X509_FMT_DER, NULL,
	    GNUTLS_KEY_DIGITAL_SIGNATURE | GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN,
	    GNUTLS_PKCS11_OBJ_FLAG_LOGIN | GNUTLS_PKCS11_OBJ_FLAG_MARK_PRIVATE |
	    GNUTLS_PKCS11_OBJ_FLAG_MARK_SENSITIVE)) < 0) {
		token_err(err, ret, uri, "generating the key in the token");
		/* A half-made pair, if the token left one, is ours alone. */
		(void)key_delete_token(idu);
		goto fail;
	}
	if ((key = key_import_uri(idu, err)) == NULL) {
		(void)key_delete_token(idu);
		goto fail;
	}
	*key_uri = idu;
	free(label);
	free(url);
	return key;
fail:
	gnutls_privkey_deinit(key);
	free(idu);
	free(label);
	free(url);
	return NULL;
}

/*
 * Delete the objects a key_generate_token made: those that key_uri
 * (with its id=) names, and no other.  Returns 0 or -1.
 */
int
key_delete_token(const char *key_uri)
{
	size_t	 len;

	/* Without an id= the URI could name objects made by others. */
	if (key_uri == NULL || uri_attr(key_uri, "id", &len) == NULL ||
	    len == 0)
		return -1;
	return gnutls_pkcs11_delete_url(key_uri,
	    GNUTLS_PKCS11_OBJ_FLAG_LOGIN) < 0 ? -1 : 0;
}
