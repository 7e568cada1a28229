/*
 * key.c: the key types cakit names and generates, exporting and loading
 * keys, the public keys it certifies, and key identifiers.
 */
#include "config.h"

#include <fcntl.h>

#include <gnutls/crypto.h>

#include "unit.h"

/* From tests/data/README: openssl ... -outform DER | sha256sum. */
#define RSA1024_SPKI_SHA256 \
	"bb6adf897c080f9111a3bf6348a59f1cd94b4ca147c4481df32bd3e6eb482778"
#define UNUSUAL_SPKI_SHA256 \
	"cfc50765222296f29089acc7d2c239a28325dbe1c85810ffd7f64de8e8a3de7c"

static struct cakit_err err;

static void
setup(void)
{
	memset(&err, 0, sizeof(err));
	unit_tmpdir();
}

static void
teardown(void)
{
	unit_rmdir();
}

/* Each type as GnuTLS describes the key, apart from key.c's table. */
static const struct {
	const char		*name;
	enum key_type		 type;
	gnutls_pk_algorithm_t	 pk;
	unsigned int		 bits;		/* RSA */
	gnutls_ecc_curve_t	 curve;		/* ECDSA */
} types[] = {
	{ "ecdsa-p256", KEY_ECDSA_P256, GNUTLS_PK_ECDSA, 0,
	    GNUTLS_ECC_CURVE_SECP256R1 },
	{ "ecdsa-p384", KEY_ECDSA_P384, GNUTLS_PK_ECDSA, 0,
	    GNUTLS_ECC_CURVE_SECP384R1 },
	{ "ed25519", KEY_ED25519, GNUTLS_PK_EDDSA_ED25519, 0, 0 },
	{ "rsa-2048", KEY_RSA_2048, GNUTLS_PK_RSA, 2048, 0 },
	{ "rsa-3072", KEY_RSA_3072, GNUTLS_PK_RSA, 3072, 0 },
	{ "rsa-4096", KEY_RSA_4096, GNUTLS_PK_RSA, 4096, 0 },
};

#define NTYPES	(sizeof(types) / sizeof(types[0]))

static gnutls_pubkey_t
pub_of(gnutls_x509_privkey_t key)
{
	gnutls_privkey_t	 pk;
	gnutls_pubkey_t		 pub;

	ck_assert_int_eq(gnutls_privkey_init(&pk), 0);
	ck_assert_int_eq(gnutls_privkey_import_x509(pk, key, 0), 0);
	ck_assert_int_eq(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_eq(gnutls_pubkey_import_privkey(pub, pk, 0, 0), 0);
	gnutls_privkey_deinit(pk);
	return pub;
}

static gnutls_pubkey_t
pub_of_privkey(gnutls_privkey_t pk)
{
	gnutls_pubkey_t	 pub;

	ck_assert_int_eq(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_eq(gnutls_pubkey_import_privkey(pub, pk, 0, 0), 0);
	return pub;
}

static gnutls_pubkey_t
pub_fixture(const char *name)
{
	gnutls_pubkey_t	 pub;
	gnutls_datum_t	 d;
	char		*path;

	path = unit_data(name);
	ck_assert_msg(file_read(path, FILE_MAX, &d, &err) == 0, "%s",
	    err.msg);
	ck_assert_int_eq(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_eq(gnutls_pubkey_import(pub, &d, GNUTLS_X509_FMT_PEM),
	    0);
	free(d.data);
	free(path);
	return pub;
}

/*
 * key_export_pem of key (under pass, unless NULL) into *pem, written to
 * name in the test's directory; returns the path.
 */
static char *
write_key(gnutls_x509_privkey_t key, const char *pass, const char *name,
    gnutls_datum_t *pem)
{
	char	*path;
	int	 fd;

	ck_assert_int_eq(key_export_pem(key, pass, pem, &err), 0);
	path = unit_path(name);
	ck_assert_int_ge(fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600),
	    0);
	ck_assert_int_eq(write(fd, pem->data, pem->size), (ssize_t)pem->size);
	close(fd);
	return path;
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		snprintf(out + i * 2, 3, "%02x", p[i]);
}

START_TEST(type_parse_accepts)
{
	enum key_type	 t = (enum key_type)-1;

	ck_assert_int_eq(key_type_parse(types[_i].name, &t), 0);
	ck_assert_int_eq(t, types[_i].type);
	ck_assert_ptr_nonnull(strstr(KEY_TYPE_NAMES, types[_i].name));
}
END_TEST

static const char *const refused_names[] = {
	"", "RSA-2048", "rsa2048", "rsa-1024", "rsa-2048 ", "ecdsa-p521",
	"ecdsa", "ed448", "dsa",
};

START_TEST(type_parse_refuses)
{
	enum key_type	 t = KEY_RSA_3072;

	ck_assert_int_eq(key_type_parse(refused_names[_i], &t), -1);
	ck_assert_int_eq(t, KEY_RSA_3072);
}
END_TEST

/* key_generate gives a key of the type asked, and key_type_of agrees. */
START_TEST(generate_each_type)
{
	gnutls_x509_privkey_t	 key;
	gnutls_pubkey_t		 pub;
	gnutls_ecc_curve_t	 curve;
	enum key_type		 t = (enum key_type)-1;
	unsigned int		 bits = 0;

	ck_assert_msg((key = key_generate(types[_i].type, &err)) != NULL,
	    "%s", err.msg);
	ck_assert_int_eq(gnutls_x509_privkey_get_pk_algorithm2(key, &bits),
	    types[_i].pk);
	if (types[_i].pk == GNUTLS_PK_RSA)
		ck_assert_uint_eq(bits, types[_i].bits);
	if (types[_i].pk == GNUTLS_PK_ECDSA) {
		ck_assert_int_eq(gnutls_x509_privkey_export_ecc_raw(key,
		    &curve, NULL, NULL, NULL), 0);
		ck_assert_int_eq(curve, types[_i].curve);
	}
	pub = pub_of(key);
	ck_assert_int_eq(key_type_of(pub, &t), 0);
	ck_assert_int_eq(t, types[_i].type);
	ck_assert_int_eq(key_check_pub(pub, &err), 0);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_privkey_deinit(key);
}
END_TEST

/* A key of no type cakit generates has no key_type. */
START_TEST(type_of_other)
{
	gnutls_pubkey_t	 pub;
	enum key_type	 t = KEY_ED25519;

	pub = pub_fixture("rsa1024.pub.pem");
	ck_assert_int_eq(key_type_of(pub, &t), -1);
	ck_assert_int_eq(t, KEY_ED25519);
	gnutls_pubkey_deinit(pub);
}
END_TEST

START_TEST(export_plain_reloads)
{
	gnutls_x509_privkey_t	 key;
	gnutls_privkey_t	 back;
	gnutls_pubkey_t		 pub, pub2;
	gnutls_datum_t		 pem;
	char			*path;

	ck_assert_ptr_nonnull(key = key_generate(KEY_ECDSA_P256, &err));
	path = write_key(key, NULL, "plain.key", &pem);
	ck_assert_int_eq(memcmp(pem.data, "-----BEGIN PRIVATE KEY-----\n",
	    28), 0);
	ck_assert_msg((back = key_load(path, NULL, &err)) != NULL, "%s",
	    err.msg);
	pub = pub_of(key);
	pub2 = pub_of_privkey(back);
	ck_assert(key_matches(pub, pub2));
	gnutls_pubkey_deinit(pub2);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(back);
	file_secret_free(pem.data, pem.size);
	gnutls_x509_privkey_deinit(key);
	free(path);
}
END_TEST

/* With a passphrase: PKCS#8 under PBES2 with AES-256, and it reloads. */
START_TEST(export_encrypted_reloads)
{
	gnutls_x509_privkey_t	 key;
	gnutls_privkey_t	 back;
	gnutls_pubkey_t		 pub, pub2;
	gnutls_datum_t		 pem;
	unsigned int		 schema, cipher, iter;
	char			*path;

	ck_assert_ptr_nonnull(key = key_generate(KEY_ED25519, &err));
	path = write_key(key, "correct horse", "enc.key", &pem);
	ck_assert_int_eq(memcmp(pem.data,
	    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 38), 0);
	ck_assert_int_eq(gnutls_pkcs8_info(&pem, GNUTLS_X509_FMT_PEM, &schema,
	    &cipher, NULL, NULL, &iter, NULL), 0);
	ck_assert_int_eq(schema, GNUTLS_PKCS_PBES2_AES_256);
	ck_assert_int_eq(cipher, GNUTLS_CIPHER_AES_256_CBC);
	ck_assert_msg((back = key_load(path, "correct horse", &err)) != NULL,
	    "%s", err.msg);
	pub = pub_of(key);
	pub2 = pub_of_privkey(back);
	ck_assert(key_matches(pub, pub2));
	gnutls_pubkey_deinit(pub2);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(back);
	file_secret_free(pem.data, pem.size);
	gnutls_x509_privkey_deinit(key);
	free(path);
}
END_TEST

/* An encrypted key, and a passphrase that cannot open it. */
static const struct {
	const char	*pass;
	const char	*msg;		/* after "<path>: " */
} locked[] = {
	{ "battery staple", "wrong passphrase" },
	{ "correct horse\n", "wrong passphrase" },
	{ NULL, "the key is encrypted and no passphrase was given" },
};

START_TEST(load_locked)
{
	gnutls_x509_privkey_t	 key;
	gnutls_datum_t		 pem;
	char			*path, want[400];

	ck_assert_ptr_nonnull(key = key_generate(KEY_ECDSA_P256, &err));
	path = write_key(key, "correct horse", "enc.key", &pem);
	ck_assert_ptr_null(key_load(path, locked[_i].pass, &err));
	ck_assert_int_eq(err.kind, ERR_KEY_LOCKED);
	snprintf(want, sizeof(want), "%s: %s", path, locked[_i].msg);
	ck_assert_str_eq(err.msg, want);
	file_secret_free(pem.data, pem.size);
	gnutls_x509_privkey_deinit(key);
	free(path);
}
END_TEST

/* A file that holds no private key is not a passphrase problem. */
START_TEST(load_not_a_key)
{
	char	*path;

	path = unit_data("rsa1024.pub.pem");
	ck_assert_ptr_null(key_load(path, NULL, &err));
	ck_assert_int_eq(err.kind, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, ": not a private key: "));
	free(path);
}
END_TEST

START_TEST(check_pub_refuses_rsa1024)
{
	gnutls_pubkey_t	 pub;

	pub = pub_fixture("rsa1024.pub.pem");
	ck_assert_int_eq(key_check_pub(pub, &err), -1);
	ck_assert_str_eq(err.msg, "RSA key of 1024 bits: at least 2048 are "
	    "required");
	gnutls_pubkey_deinit(pub);
}
END_TEST

/* key_id is SHA-256 over the DER SubjectPublicKeyInfo, as hashed here. */
START_TEST(key_id_is_spki_sha256)
{
	gnutls_x509_privkey_t	 key;
	gnutls_pubkey_t		 pub;
	gnutls_datum_t		 spki;
	unsigned char		 id[KEY_ID_LEN], want[32];

	ck_assert_ptr_nonnull(key = key_generate(KEY_ECDSA_P384, &err));
	pub = pub_of(key);
	ck_assert_int_eq(gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER,
	    &spki), 0);
	ck_assert_int_eq(gnutls_hash_fast(GNUTLS_DIG_SHA256, spki.data,
	    spki.size, want), 0);
	ck_assert_int_eq(key_id(pub, id, &err), 0);
	ck_assert_mem_eq(id, want, KEY_ID_LEN);
	gnutls_free(spki.data);
	gnutls_pubkey_deinit(pub);
	gnutls_x509_privkey_deinit(key);
}
END_TEST

/* The same against a digest OpenSSL computed (tests/data/README). */
START_TEST(key_id_fixture)
{
	gnutls_pubkey_t	 pub;
	unsigned char	 id[KEY_ID_LEN];
	char		 h[KEY_ID_LEN * 2 + 1];

	pub = pub_fixture("rsa1024.pub.pem");
	ck_assert_int_eq(key_id(pub, id, &err), 0);
	hex(id, sizeof(id), h);
	ck_assert_str_eq(h, RSA1024_SPKI_SHA256);
	gnutls_pubkey_deinit(pub);
}
END_TEST

START_TEST(key_id_crt_fixture)
{
	gnutls_x509_crt_t	 crt;
	unsigned char		 id[KEY_ID_LEN];
	char			 h[KEY_ID_LEN * 2 + 1], *path;

	path = unit_data("unusual-names.crt");
	ck_assert_ptr_nonnull(crt = cert_load(path, &err));
	ck_assert_int_eq(key_id_crt(crt, id, &err), 0);
	hex(id, sizeof(id), h);
	ck_assert_str_eq(h, UNUSUAL_SPKI_SHA256);
	gnutls_x509_crt_deinit(crt);
	free(path);
}
END_TEST

START_TEST(matches)
{
	gnutls_x509_privkey_t	 a, b;
	gnutls_pubkey_t		 pa, pa2, pb;

	ck_assert_ptr_nonnull(a = key_generate(KEY_ECDSA_P256, &err));
	ck_assert_ptr_nonnull(b = key_generate(KEY_ECDSA_P256, &err));
	pa = pub_of(a);
	pa2 = pub_of(a);
	pb = pub_of(b);
	ck_assert(key_matches(pa, pa2));
	ck_assert(!key_matches(pa, pb));
	ck_assert(!key_matches(pb, pa));
	gnutls_pubkey_deinit(pb);
	gnutls_pubkey_deinit(pa2);
	gnutls_pubkey_deinit(pa);
	gnutls_x509_privkey_deinit(b);
	gnutls_x509_privkey_deinit(a);
}
END_TEST

static Suite *
key_suite(void)
{
	Suite	*s = suite_create("key");
	TCase	*tc = tcase_create("core");

	/* RSA-4096 generation can take a while on a loaded machine. */
	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, type_parse_accepts, 0, NTYPES);
	tcase_add_loop_test(tc, type_parse_refuses, 0,
	    sizeof(refused_names) / sizeof(refused_names[0]));
	tcase_add_loop_test(tc, generate_each_type, 0, NTYPES);
	tcase_add_test(tc, type_of_other);
	tcase_add_test(tc, export_plain_reloads);
	tcase_add_test(tc, export_encrypted_reloads);
	tcase_add_loop_test(tc, load_locked, 0,
	    sizeof(locked) / sizeof(locked[0]));
	tcase_add_test(tc, load_not_a_key);
	tcase_add_test(tc, check_pub_refuses_rsa1024);
	tcase_add_test(tc, key_id_is_spki_sha256);
	tcase_add_test(tc, key_id_fixture);
	tcase_add_test(tc, key_id_crt_fixture);
	tcase_add_test(tc, matches);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(key_suite)
