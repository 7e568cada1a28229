/*
 * bundle.c: trust bundles, a server's chain, the CRLs of a chain, and
 * PKCS#12 files, each read back with GnuTLS alone.  Three CAs, made once
 * for the suite: root A, intermediate B under it, and root C.
 */
#include "config.h"

#include <sys/stat.h>

#include <gnutls/pkcs12.h>

#include "unit.h"

#define PASS	"p12 secret"

static struct cakit_err err;
static struct cakit_notes notes;
static char *dir_a, *dir_b, *dir_c, *passfile;

static void
make_ca(const char *dir, const char *subject, const char *parent)
{
	struct ca_init_opts	 o;

	unit_ca_opts(&o, dir, subject);
	o.parent = parent;
	unit_ca_make(&o, time(NULL));
}

static void
write_file(const char *path, const char *text)
{
	FILE	*f;

	ck_assert_ptr_nonnull(f = fopen(path, "wx"));
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
}

static void
setup_cas(void)
{
	unit_tmpdir();
	dir_a = unit_path("a");
	dir_b = unit_path("b");
	dir_c = unit_path("c");
	passfile = unit_path("pass.txt");
	make_ca(dir_a, "CN=Root A", NULL);
	make_ca(dir_b, "CN=Intermediate B", dir_a);
	make_ca(dir_c, "CN=Root C", NULL);
	write_file(passfile, PASS "\n");
}

static void
teardown_cas(void)
{
	free(passfile);
	free(dir_c);
	free(dir_b);
	free(dir_a);
	unit_rmdir();
}

static void
setup(void)
{
	memset(&err, 0, sizeof(err));
	memset(&notes, 0, sizeof(notes));
}

/* The DER of a PEM certificate file, read with GnuTLS alone. */
static gnutls_datum_t
der_of_file(const char *path)
{
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 pem, der;

	ck_assert_int_eq(gnutls_load_file(path, &pem), 0);
	ck_assert_int_eq(gnutls_x509_crt_init(&crt), 0);
	ck_assert_int_eq(gnutls_x509_crt_import(crt, &pem,
	    GNUTLS_X509_FMT_PEM), 0);
	ck_assert_int_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
	    &der), 0);
	gnutls_x509_crt_deinit(crt);
	gnutls_free(pem.data);
	return der;
}

static gnutls_datum_t
der_of_ca(const char *dir)
{
	gnutls_datum_t	 der;
	char		*path;

	path = file_join(dir, CA_CRT);
	der = der_of_file(path);
	free(path);
	return der;
}

static void
assert_crt_is(gnutls_x509_crt_t crt, const gnutls_datum_t *want,
    const char *what)
{
	gnutls_datum_t	 der;

	ck_assert_int_eq(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER,
	    &der), 0);
	ck_assert_msg(der.size == want->size &&
	    memcmp(der.data, want->data, der.size) == 0, "%s differs", what);
	gnutls_free(der.data);
}

/*
 * The certificates of a PEM buffer are, in order, those of the CA
 * directories in want (NULL-terminated), or leaf first when not NULL.
 */
static void
assert_certs(const struct buf *b, const gnutls_datum_t *leaf,
    const char *const *want)
{
	gnutls_x509_crt_t	*list;
	gnutls_datum_t		 pem, der;
	unsigned int		 n, i, k = 0, nwant;

	for (nwant = 0; want[nwant] != NULL; nwant++)
		continue;
	pem.data = b->p;
	pem.size = b->len;
	ck_assert_int_eq(gnutls_x509_crt_list_import2(&list, &n, &pem,
	    GNUTLS_X509_FMT_PEM, 0), 0);
	ck_assert_uint_eq(n, nwant + (leaf != NULL));
	if (leaf != NULL)
		assert_crt_is(list[k++], leaf, "the leaf");
	for (i = 0; i < nwant; i++) {
		der = der_of_ca(want[i]);
		assert_crt_is(list[k++], &der, want[i]);
		gnutls_free(der.data);
	}
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(list[i]);
	gnutls_free(list);
}

/* A leaf of ca with a new key in the file keyname; returns its row. */
static void
issue_leaf(const char *dir, const char *dns, const char *keyname,
    struct ledger_row *row)
{
	struct ca		*ca;
	struct issue_opts	 o;
	struct san_list		 sans = { NULL, 0 };
	char			*keyfile;

	ck_assert_msg((ca = ca_open(dir, 0, NULL, &err)) != NULL, "%s",
	    err.msg);
	memset(&o, 0, sizeof(o));
	o.profile = PROFILE_SERVER;
	o.subject = "CN=leaf";
	ck_assert_int_eq(san_add(&sans, SAN_DNS, dns, strlen(dns), &err), 0);
	o.sans = &sans;
	keyfile = unit_path(keyname);
	ck_assert_msg(issue_new_key(ca, &o, KEY_ECDSA_P256, keyfile,
	    time(NULL), row, &notes, &err) == 0, "%s", err.msg);
	free(keyfile);
	san_list_free(&sans);
	ca_free(ca);
}

static struct ca *
open_nokey(const char *dir)
{
	struct ca	*ca;

	ck_assert_msg((ca = ca_open(dir, CA_OPEN_NOKEY, NULL, &err)) != NULL,
	    "%s", err.msg);
	return ca;
}

/* ---- bundle_trust ---- */

/*
 * Each CA directory given, in order, brings its certificate and those
 * above it to the root; a certificate already there is left out.
 * Directories by letter: a is root A, b intermediate B, c root C.
 */
static const struct {
	const char	*what;
	const char	*dirs;
	const char	*want;
} trust_cases[] = {
	{ "a root", "a", "a" },
	{ "an intermediate and the CAs above it", "b", "ba" },
	{ "in the order given, each certificate once", "bacab", "bac" },
	{ "a root given twice", "aa", "a" },
};

static char *
dir_of(char letter)
{
	return letter == 'a' ? dir_a : letter == 'b' ? dir_b : dir_c;
}

START_TEST(trust)
{
	struct buf	 b = { 0 };
	char		*dirs[8];
	const char	*want[8];
	size_t		 i, n;

	n = strlen(trust_cases[_i].dirs);
	for (i = 0; i < n; i++)
		dirs[i] = dir_of(trust_cases[_i].dirs[i]);
	for (i = 0; trust_cases[_i].want[i] != '\0'; i++)
		want[i] = dir_of(trust_cases[_i].want[i]);
	want[i] = NULL;
	ck_assert_msg(bundle_trust(dirs, n, &b, &err) == 0, "%s: %s",
	    trust_cases[_i].what, err.msg);
	assert_certs(&b, NULL, want);
	buf_free(&b);
}
END_TEST

START_TEST(trust_refuses_non_ca)
{
	struct buf	 b = { 0 };
	char		*nowhere, *dirs[2];

	nowhere = unit_path("nowhere");
	dirs[0] = dir_a;
	dirs[1] = nowhere;
	ck_assert_int_eq(bundle_trust(dirs, 2, &b, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "no such CA directory"));
	ck_assert_ptr_nonnull(strstr(err.msg, nowhere));
	buf_free(&b);
	free(nowhere);
}
END_TEST

/* ---- bundle_chain ---- */

/* A leaf, then the intermediates without the root. */
START_TEST(chain_under_intermediate)
{
	struct ledger_row	 row;
	struct ca		*ca;
	struct buf		 b = { 0 };
	const char		*want[] = { dir_b, NULL };

	issue_leaf(dir_b, "chain.example", "chain.key", &row);
	ca = open_nokey(dir_b);
	ck_assert_msg(bundle_chain(ca, row.serial, &b, &err) == 0, "%s",
	    err.msg);
	assert_certs(&b, &row.der, want);
	buf_free(&b);
	ca_free(ca);
	ledger_row_clear(&row);
}
END_TEST

START_TEST(chain_under_root)
{
	struct ledger_row	 row;
	struct ca		*ca;
	struct buf		 b = { 0 };
	const char		*want[] = { NULL };

	issue_leaf(dir_a, "root-chain.example", "root-chain.key", &row);
	ca = open_nokey(dir_a);
	ck_assert_msg(bundle_chain(ca, row.serial, &b, &err) == 0, "%s",
	    err.msg);
	assert_certs(&b, &row.der, want);
	buf_free(&b);
	ca_free(ca);
	ledger_row_clear(&row);
}
END_TEST

START_TEST(chain_refuses_unknown_serial)
{
	struct ca	*ca;
	struct buf	 b = { 0 };

	ca = open_nokey(dir_b);
	ck_assert_int_eq(bundle_chain(ca, "0123456789abcdef", &b, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not in the ledger of"));
	ck_assert_uint_eq(b.len, 0);
	buf_free(&b);
	ca_free(ca);
}
END_TEST

/* ---- bundle_crls ---- */

/* The trust bundle, then B's CRL, then A's, each signed by its CA. */
START_TEST(crls_up_the_chain)
{
	struct ca		*ca;
	struct buf		 b = { 0 };
	gnutls_x509_crl_t	*crls;
	gnutls_x509_crt_t	 issuer[2];
	gnutls_datum_t		 pem, der[2];
	const char		*want[] = { dir_b, dir_a, NULL };
	unsigned int		 n, i, status;
	char			*s, *first_crl, *last_crt;

	ca = open_nokey(dir_b);
	ck_assert_msg(bundle_crls(ca, &b, &err) == 0, "%s", err.msg);
	assert_certs(&b, NULL, want);
	s = xstrndup((char *)b.p, b.len);
	ck_assert_ptr_nonnull(first_crl = strstr(s, "-----BEGIN X509 CRL"));
	ck_assert_ptr_nonnull(last_crt = strstr(s, "-----END CERTIFICATE"));
	while (strstr(last_crt + 1, "-----END CERTIFICATE") != NULL)
		last_crt = strstr(last_crt + 1, "-----END CERTIFICATE");
	ck_assert(last_crt < first_crl);
	pem.data = b.p;
	pem.size = b.len;
	ck_assert_int_eq(gnutls_x509_crl_list_import2(&crls, &n, &pem,
	    GNUTLS_X509_FMT_PEM, 0), 0);
	ck_assert_uint_eq(n, 2);
	der[0] = der_of_ca(dir_b);
	der[1] = der_of_ca(dir_a);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(gnutls_x509_crt_init(&issuer[i]), 0);
		ck_assert_int_eq(gnutls_x509_crt_import(issuer[i], &der[i],
		    GNUTLS_X509_FMT_DER), 0);
		ck_assert_int_eq(gnutls_x509_crl_verify(crls[i], &issuer[i], 1,
		    0, &status), 0);
		ck_assert_uint_eq(status, 0);
		gnutls_x509_crt_deinit(issuer[i]);
		gnutls_free(der[i].data);
		gnutls_x509_crl_deinit(crls[i]);
	}
	gnutls_free(crls);
	free(s);
	buf_free(&b);
	ca_free(ca);
}
END_TEST

/* ---- bundle_pkcs12 ---- */

/* What a PKCS#12 file holds, as GnuTLS's own parser finds it. */
struct p12_view {
	gnutls_x509_crt_t	 crt[8];
	unsigned int		 ncrt;
	unsigned char		 crt_id[64];	/* the first certificate's */
	size_t			 crt_idlen;
	char			*crt_name;
	gnutls_x509_privkey_t	 key;
	unsigned char		 key_id[64];
	size_t			 key_idlen;
	char			*key_name;
	unsigned int		 bag_cipher[4];	/* GNUTLS_CIPHER_NULL: plain */
	unsigned int		 nbags;
	unsigned int		 crt_cipher;	/* the certificates' bag's */
	unsigned int		 key_cipher;
	gnutls_mac_algorithm_t	 mac;
};

static void
view_element(struct p12_view *v, gnutls_pkcs12_bag_t bag, unsigned int j,
    unsigned int cipher)
{
	gnutls_datum_t	 d, id;
	char		*name;
	unsigned int	 schema, iter;

	ck_assert_int_eq(gnutls_pkcs12_bag_get_data(bag, j, &d), 0);
	ck_assert_int_eq(gnutls_pkcs12_bag_get_key_id(bag, j, &id), 0);
	ck_assert_int_eq(gnutls_pkcs12_bag_get_friendly_name(bag, j, &name),
	    0);
	switch (gnutls_pkcs12_bag_get_type(bag, j)) {
	case GNUTLS_BAG_CERTIFICATE:
		ck_assert_uint_lt(v->ncrt, 8);
		ck_assert_int_eq(gnutls_x509_crt_init(&v->crt[v->ncrt]), 0);
		ck_assert_int_eq(gnutls_x509_crt_import(v->crt[v->ncrt], &d,
		    GNUTLS_X509_FMT_DER), 0);
		if (v->ncrt++ == 0) {
			v->crt_cipher = cipher;
			ck_assert_uint_le(id.size, sizeof(v->crt_id));
			memcpy(v->crt_id, id.data, id.size);
			v->crt_idlen = id.size;
			v->crt_name = name != NULL ? xstrdup(name) : NULL;
		}
		break;
	case GNUTLS_BAG_PKCS8_ENCRYPTED_KEY:
		ck_assert_ptr_null(v->key);
		ck_assert_int_eq(gnutls_pkcs8_info(&d, GNUTLS_X509_FMT_DER,
		    &schema, &v->key_cipher, NULL, NULL, &iter, NULL), 0);
		ck_assert_int_eq(gnutls_x509_privkey_init(&v->key), 0);
		ck_assert_int_eq(gnutls_x509_privkey_import_pkcs8(v->key, &d,
		    GNUTLS_X509_FMT_DER, PASS, 0), 0);
		ck_assert_uint_le(id.size, sizeof(v->key_id));
		memcpy(v->key_id, id.data, id.size);
		v->key_idlen = id.size;
		v->key_name = name != NULL ? xstrdup(name) : NULL;
		break;
	default:
		ck_abort_msg("unexpected bag element type %d",
		    gnutls_pkcs12_bag_get_type(bag, j));
	}
}

static void
view_p12(const char *path, struct p12_view *v)
{
	gnutls_pkcs12_t		 p12;
	gnutls_pkcs12_bag_t	 bag;
	gnutls_datum_t		 der;
	unsigned int		 i, j, schema, iter, salt_size = 0, mac;
	char			*oid = NULL, saltbuf[64];
	int			 n, ret;

	memset(v, 0, sizeof(*v));
	ck_assert_int_eq(gnutls_load_file(path, &der), 0);
	ck_assert_int_eq(gnutls_pkcs12_init(&p12), 0);
	ck_assert_int_eq(gnutls_pkcs12_import(p12, &der, GNUTLS_X509_FMT_DER,
	    0), 0);
	salt_size = sizeof(saltbuf);
	ck_assert_int_ge(gnutls_pkcs12_mac_info(p12, &mac, saltbuf,
	    &salt_size, &iter, &oid), 0);
	v->mac = (gnutls_mac_algorithm_t)mac;
	gnutls_free(oid);
	for (i = 0;; i++) {
		ck_assert_int_eq(gnutls_pkcs12_bag_init(&bag), 0);
		ret = gnutls_pkcs12_get_bag(p12, i, bag);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
			gnutls_pkcs12_bag_deinit(bag);
			break;
		}
		ck_assert_int_eq(ret, 0);
		ck_assert_uint_lt(v->nbags, 4);
		v->bag_cipher[v->nbags] = GNUTLS_CIPHER_NULL;
		if (gnutls_pkcs12_bag_get_type(bag, 0) ==
		    GNUTLS_BAG_ENCRYPTED) {
			salt_size = sizeof(saltbuf);
			ck_assert_int_eq(gnutls_pkcs12_bag_enc_info(bag,
			    &schema, &v->bag_cipher[v->nbags], saltbuf,
			    &salt_size, &iter, NULL), 0);
			ck_assert_int_eq(gnutls_pkcs12_bag_decrypt(bag, PASS),
			    0);
		}
		v->nbags++;
		ck_assert_int_ge(n = gnutls_pkcs12_bag_get_count(bag), 1);
		for (j = 0; j < (unsigned int)n; j++)
			view_element(v, bag, j, v->bag_cipher[v->nbags - 1]);
		gnutls_pkcs12_bag_deinit(bag);
	}
	gnutls_pkcs12_deinit(p12);
	gnutls_free(der.data);
}

static void
view_free(struct p12_view *v)
{
	unsigned int	 i;

	for (i = 0; i < v->ncrt; i++)
		gnutls_x509_crt_deinit(v->crt[i]);
	gnutls_x509_privkey_deinit(v->key);
	free(v->crt_name);
	free(v->key_name);
}

static char *
make_p12(const char *dns, const char *name, struct ledger_row *row)
{
	struct ca	*ca;
	char		*keyfile, *out, keyname[64];

	snprintf(keyname, sizeof(keyname), "%s.key", name);
	issue_leaf(dir_b, dns, keyname, row);
	keyfile = unit_path(keyname);
	out = unit_path(name);
	ca = open_nokey(dir_b);
	ck_assert_msg(bundle_pkcs12(ca, out, keyfile, row->serial, passfile,
	    &err) == 0, "%s", err.msg);
	ca_free(ca);
	free(keyfile);
	return out;
}

START_TEST(p12_mac_verifies)
{
	struct ledger_row	 row;
	gnutls_pkcs12_t		 p12;
	gnutls_datum_t		 der;
	struct p12_view		 v;
	char			*path;

	path = make_p12("mac.example", "mac.p12", &row);
	ck_assert_int_eq(gnutls_load_file(path, &der), 0);
	ck_assert_int_eq(gnutls_pkcs12_init(&p12), 0);
	ck_assert_int_eq(gnutls_pkcs12_import(p12, &der, GNUTLS_X509_FMT_DER,
	    0), 0);
	ck_assert_int_eq(gnutls_pkcs12_verify_mac(p12, PASS), 0);
	ck_assert_int_lt(gnutls_pkcs12_verify_mac(p12, "wrong"), 0);
	view_p12(path, &v);
	ck_assert_int_eq(v.mac, GNUTLS_MAC_SHA256);
	view_free(&v);
	gnutls_pkcs12_deinit(p12);
	gnutls_free(der.data);
	ledger_row_clear(&row);
	free(path);
}
END_TEST

/* The leaf, then the intermediate B (not the root), in an AES-256 bag. */
START_TEST(p12_holds_the_chain)
{
	struct ledger_row	 row;
	struct p12_view		 v;
	gnutls_datum_t		 b;
	char			*path;

	path = make_p12("bags.example", "bags.p12", &row);
	view_p12(path, &v);
	ck_assert_uint_eq(v.nbags, 2);
	ck_assert_uint_eq(v.ncrt, 2);
	ck_assert_uint_eq(v.crt_cipher, GNUTLS_CIPHER_AES_256_CBC);
	assert_crt_is(v.crt[0], &row.der, "the leaf");
	b = der_of_ca(dir_b);
	assert_crt_is(v.crt[1], &b, "intermediate B");
	gnutls_free(b.data);
	ck_assert_ptr_nonnull(v.crt_name);
	ck_assert_str_eq(v.crt_name, "CN=leaf");
	view_free(&v);
	ledger_row_clear(&row);
	free(path);
}
END_TEST

/* The key given, encrypted with AES-256, under the leaf's key id. */
START_TEST(p12_holds_the_key)
{
	struct ledger_row	 row;
	struct p12_view		 v;
	gnutls_x509_privkey_t	 given;
	gnutls_datum_t		 pem;
	unsigned char		 a[64], c[64], g[64];
	size_t			 alen = sizeof(a), clen = sizeof(c);
	size_t			 glen = sizeof(g);
	char			*path, *keyfile;

	path = make_p12("key.example", "key.p12", &row);
	view_p12(path, &v);
	ck_assert_ptr_nonnull(v.key);
	ck_assert_uint_eq(v.key_cipher, GNUTLS_CIPHER_AES_256_CBC);
	ck_assert_int_eq(gnutls_x509_privkey_get_key_id(v.key,
	    GNUTLS_KEYID_USE_SHA256, a, &alen), 0);
	ck_assert_int_eq(gnutls_x509_crt_get_key_id(v.crt[0],
	    GNUTLS_KEYID_USE_SHA256, c, &clen), 0);
	ck_assert_uint_eq(alen, clen);
	ck_assert_mem_eq(a, c, alen);
	keyfile = unit_path("key.p12.key");
	ck_assert_int_eq(gnutls_load_file(keyfile, &pem), 0);
	ck_assert_int_eq(gnutls_x509_privkey_init(&given), 0);
	ck_assert_int_eq(gnutls_x509_privkey_import(given, &pem,
	    GNUTLS_X509_FMT_PEM), 0);
	ck_assert_int_eq(gnutls_x509_privkey_get_key_id(given,
	    GNUTLS_KEYID_USE_SHA256, g, &glen), 0);
	ck_assert_mem_eq(a, g, alen);
	/* Importers pair the key with its certificate by localKeyId. */
	ck_assert_uint_eq(v.key_idlen, v.crt_idlen);
	ck_assert_uint_gt(v.key_idlen, 0);
	ck_assert_mem_eq(v.key_id, v.crt_id, v.key_idlen);
	ck_assert_ptr_nonnull(v.key_name);
	ck_assert_str_eq(v.key_name, "CN=leaf");
	gnutls_x509_privkey_deinit(given);
	gnutls_free(pem.data);
	view_free(&v);
	ledger_row_clear(&row);
	free(keyfile);
	free(path);
}
END_TEST

START_TEST(p12_mode_0600)
{
	struct ledger_row	 row;
	struct stat		 st;
	char			*path;

	path = make_p12("mode.example", "mode.p12", &row);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ledger_row_clear(&row);
	free(path);
}
END_TEST

START_TEST(p12_refuses_other_key)
{
	struct ledger_row	 row, other;
	struct ca		*ca;
	struct stat		 st;
	char			*keyfile, *out, want[600];

	issue_leaf(dir_b, "one.example", "one.key", &row);
	issue_leaf(dir_b, "two.example", "two.key", &other);
	keyfile = unit_path("two.key");
	out = unit_path("mismatch.p12");
	ca = open_nokey(dir_b);
	ck_assert_int_eq(bundle_pkcs12(ca, out, keyfile, row.serial, passfile,
	    &err), -1);
	snprintf(want, sizeof(want), "%s does not match the certificate %s",
	    keyfile, row.serial);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(stat(out, &st), -1);
	ca_free(ca);
	free(out);
	free(keyfile);
	ledger_row_clear(&other);
	ledger_row_clear(&row);
}
END_TEST

/* A certificate this CA did not issue, though the key matches it. */
START_TEST(p12_refuses_other_ca)
{
	struct ledger_row	 row;
	struct ca		*ca;
	char			*keyfile, *out;

	issue_leaf(dir_c, "elsewhere.example", "elsewhere.key", &row);
	keyfile = unit_path("elsewhere.key");
	out = unit_path("elsewhere.p12");
	ca = open_nokey(dir_b);
	ck_assert_int_eq(bundle_pkcs12(ca, out, keyfile, row.serial, passfile,
	    &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not in the ledger of"));
	ca_free(ca);
	free(out);
	free(keyfile);
	ledger_row_clear(&row);
}
END_TEST

START_TEST(p12_never_replaces)
{
	struct ledger_row	 row;
	struct ca		*ca;
	gnutls_datum_t		 d;
	char			*keyfile, *out;

	issue_leaf(dir_b, "exists.example", "exists.key", &row);
	keyfile = unit_path("exists.key");
	out = unit_path("exists.p12");
	write_file(out, "precious\n");
	ca = open_nokey(dir_b);
	ck_assert_int_eq(bundle_pkcs12(ca, out, keyfile, row.serial, passfile,
	    &err), -1);
	ck_assert_int_eq(gnutls_load_file(out, &d), 0);
	ck_assert_uint_eq(d.size, 9);
	ck_assert_int_eq(memcmp(d.data, "precious\n", 9), 0);
	gnutls_free(d.data);
	ca_free(ca);
	free(out);
	free(keyfile);
	ledger_row_clear(&row);
}
END_TEST

static Suite *
bundle_suite(void)
{
	Suite	*s = suite_create("bundle");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_unchecked_fixture(tc, setup_cas, teardown_cas);
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, trust, 0,
	    sizeof(trust_cases) / sizeof(trust_cases[0]));
	tcase_add_test(tc, trust_refuses_non_ca);
	tcase_add_test(tc, chain_under_intermediate);
	tcase_add_test(tc, chain_under_root);
	tcase_add_test(tc, chain_refuses_unknown_serial);
	tcase_add_test(tc, crls_up_the_chain);
	tcase_add_test(tc, p12_mac_verifies);
	tcase_add_test(tc, p12_holds_the_chain);
	tcase_add_test(tc, p12_holds_the_key);
	tcase_add_test(tc, p12_mode_0600);
	tcase_add_test(tc, p12_refuses_other_key);
	tcase_add_test(tc, p12_refuses_other_ca);
	tcase_add_test(tc, p12_never_replaces);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(bundle_suite)
