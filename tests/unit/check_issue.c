/* init.c and issue.c: what each profile puts into a certificate. */
#include "config.h"

#include <sys/stat.h>

#include "unit.h"

static struct ca *ca;
static struct cakit_err err;
static struct cakit_notes notes;
static char *cadir;
static time_t now;

static void
make_ca(int days, enum key_type kt, int max_days)
{
	struct ca_init_opts	 o;

	unit_ca_opts(&o, cadir, "CN=Unit Root,O=Example");
	o.key_type = kt;
	o.days = days;
	o.crl_url = "http://crl.example/root.crl";
	o.max_days = max_days;
	unit_ca_make(&o, now);
	ck_assert_ptr_nonnull(ca = ca_open(cadir, 0, NULL, &err));
}

static void
setup(void)
{
	memset(&err, 0, sizeof(err));
	memset(&notes, 0, sizeof(notes));
	now = time(NULL);
	unit_tmpdir();
	cadir = unit_path("ca");
	make_ca(0, KEY_ECDSA_P256, 0);
}

/* The CA of the test, made again with these options. */
static void
remake_ca(int days, int max_days)
{
	ca_free(ca);
	unit_rmdir();
	unit_tmpdir();
	free(cadir);
	cadir = unit_path("ca");
	make_ca(days, KEY_ED25519, max_days);
}

static void
teardown(void)
{
	ca_free(ca);
	free(cadir);
	unit_rmdir();
}

static gnutls_pubkey_t
new_pub(gnutls_pk_algorithm_t pk, unsigned int bits)
{
	gnutls_privkey_t	 k;
	gnutls_pubkey_t		 pub;

	ck_assert_int_ge(gnutls_privkey_init(&k), 0);
	ck_assert_int_ge(gnutls_privkey_generate(k, pk, bits, 0), 0);
	ck_assert_int_ge(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_ge(gnutls_pubkey_import_privkey(pub, k, 0, 0), 0);
	gnutls_privkey_deinit(k);
	return pub;
}

static gnutls_x509_crt_t
issue(enum profile p, gnutls_pubkey_t pub, const char *dns, int days)
{
	struct issue_opts	 o;
	struct san_list		 sans = { NULL, 0 };
	struct ledger_row	 row;
	gnutls_x509_crt_t	 crt;

	memset(&o, 0, sizeof(o));
	o.profile = p;
	o.days = days;
	o.subject = "CN=leaf";
	if (dns != NULL)
		ck_assert_int_eq(san_add(&sans, SAN_DNS, dns, strlen(dns),
		    &err), 0);
	o.sans = &sans;
	if (issue_cert(ca, &o, pub, NULL, now, &row, &notes,
	    &err) == -1) {
		san_list_free(&sans);
		return NULL;
	}
	ck_assert_ptr_nonnull(crt = cert_import(&row.der, &err));
	ledger_row_clear(&row);
	san_list_free(&sans);
	return crt;
}

static long long
count(void)
{
	long long	 n;

	ck_assert_int_eq(ledger_count(ca->ledger, &n, &err), 0);
	return n;
}

static bool
has_purpose(gnutls_x509_crt_t crt, const char *oid)
{
	char		 buf[128];
	size_t		 len;
	unsigned int	 i, critical;

	for (i = 0;; i++) {
		len = sizeof(buf);
		if (gnutls_x509_crt_get_key_purpose_oid(crt, i, buf, &len,
		    &critical) < 0)
			return false;
		if (strcmp(buf, oid) == 0)
			return true;
	}
}

static const struct {
	enum profile	 profile;
	bool		 server;
	bool		 client;
} profiles[] = {
	{ PROFILE_SERVER, true, false },
	{ PROFILE_CLIENT, false, true },
	{ PROFILE_PEER, true, true },
};

START_TEST(profile_extensions)
{
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 issuer, casubj;
	unsigned char		 aki[64], ski[64];
	size_t			 akilen = sizeof(aki), skilen = sizeof(ski);
	unsigned int		 critical, ca_flag, usage;
	int			 pathlen;

	pub = new_pub(GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(
	    GNUTLS_ECC_CURVE_SECP256R1));
	crt = issue(profiles[_i].profile, pub, "leaf.example", 0);
	ck_assert_msg(crt != NULL, "%s", err.msg);
	ck_assert_int_eq(gnutls_x509_crt_get_version(crt), 3);
	ck_assert(has_purpose(crt, GNUTLS_KP_TLS_WWW_SERVER) ==
	    profiles[_i].server);
	ck_assert(has_purpose(crt, GNUTLS_KP_TLS_WWW_CLIENT) ==
	    profiles[_i].client);
	ck_assert_int_ge(gnutls_x509_crt_get_basic_constraints(crt, &critical,
	    &ca_flag, &pathlen), 0);
	ck_assert_uint_eq(critical, 1);
	ck_assert_uint_eq(ca_flag, 0);
	ck_assert_int_ge(gnutls_x509_crt_get_key_usage(crt, &usage,
	    &critical), 0);
	ck_assert_uint_eq(critical, 1);
	ck_assert_uint_eq(usage, GNUTLS_KEY_DIGITAL_SIGNATURE);
	ck_assert_int_ge(gnutls_x509_crt_get_authority_key_id(crt, aki,
	    &akilen, &critical), 0);
	ck_assert_int_ge(gnutls_x509_crt_get_subject_key_id(ca->crt, ski,
	    &skilen, &critical), 0);
	ck_assert_uint_eq(akilen, skilen);
	ck_assert_mem_eq(aki, ski, akilen);
	ck_assert_int_lt(gnutls_x509_crt_get_authority_key_gn_serial(crt, 0,
	    aki, &akilen, NULL, NULL, NULL, &critical), 0);
	ck_assert_int_ge(gnutls_x509_crt_get_raw_issuer_dn(crt, &issuer), 0);
	ck_assert_int_ge(gnutls_x509_crt_get_raw_dn(ca->crt, &casubj), 0);
	ck_assert_uint_eq(issuer.size, casubj.size);
	ck_assert_mem_eq(issuer.data, casubj.data, issuer.size);
	ck_assert_int_eq(gnutls_x509_crt_verify(crt, &ca->crt, 1, 0,
	    &usage), 0);
	ck_assert_uint_eq(usage, 0);
	gnutls_free(issuer.data);
	gnutls_free(casubj.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(pub);
}
END_TEST

START_TEST(rsa_key_encipherment)
{
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt;
	unsigned int		 usage, critical;

	pub = new_pub(GNUTLS_PK_RSA, 2048);
	ck_assert_ptr_nonnull(crt = issue(PROFILE_SERVER, pub, "a.example",
	    0));
	ck_assert_int_ge(gnutls_x509_crt_get_key_usage(crt, &usage,
	    &critical), 0);
	ck_assert_uint_eq(usage, GNUTLS_KEY_DIGITAL_SIGNATURE |
	    GNUTLS_KEY_KEY_ENCIPHERMENT);
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(pub);
}
END_TEST

START_TEST(crl_distribution_point)
{
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt;
	char			 url[128];
	size_t			 len = sizeof(url);
	unsigned int		 reasons, critical;

	pub = new_pub(GNUTLS_PK_EDDSA_ED25519, 0);
	ck_assert_ptr_nonnull(crt = issue(PROFILE_CLIENT, pub, NULL, 0));
	ck_assert_int_eq(gnutls_x509_crt_get_crl_dist_points(crt, 0, url, &len,
	    &reasons, &critical), GNUTLS_SAN_URI);
	ck_assert_str_eq(url, "http://crl.example/root.crl");
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(pub);
}
END_TEST

START_TEST(server_needs_host_name)
{
	gnutls_pubkey_t		 pub;

	pub = new_pub(GNUTLS_PK_EDDSA_ED25519, 0);
	ck_assert_ptr_null(issue(PROFILE_SERVER, pub, NULL, 0));
	ck_assert_ptr_nonnull(strstr(err.msg, "DNS or IP"));
	ck_assert_ptr_null(issue(PROFILE_PEER, pub, NULL, 0));
	ck_assert_int_eq(count(), 0);
	gnutls_pubkey_deinit(pub);
}
END_TEST

START_TEST(validity)
{
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt;
	time_t			 nb, na;

	pub = new_pub(GNUTLS_PK_EDDSA_ED25519, 0);
	ck_assert_ptr_nonnull(crt = issue(PROFILE_SERVER, pub, "a.example",
	    0));
	nb = gnutls_x509_crt_get_activation_time(crt);
	na = gnutls_x509_crt_get_expiration_time(crt);
	ck_assert_int_eq(na - nb, 365 * 86400);
	ck_assert_uint_eq(notes.n, 0);
	gnutls_x509_crt_deinit(crt);
	ck_assert_ptr_nonnull(crt = issue(PROFILE_SERVER, pub, "a.example",
	    900));
	ck_assert_uint_eq(notes.n, 1);
	ck_assert_ptr_nonnull(strstr(notes.msg[0], "825"));
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(pub);
}
END_TEST

START_TEST(validity_cut_to_ca)
{
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt;

	remake_ca(30, 0);
	pub = new_pub(GNUTLS_PK_EDDSA_ED25519, 0);
	ck_assert_ptr_nonnull(crt = issue(PROFILE_CLIENT, pub, NULL, 365));
	ck_assert_int_eq(gnutls_x509_crt_get_expiration_time(crt),
	    gnutls_x509_crt_get_expiration_time(ca->crt));
	ck_assert_uint_eq(notes.n, 1);
	ck_assert_ptr_nonnull(strstr(notes.msg[0], "cut"));
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(pub);
}
END_TEST

START_TEST(new_key_file)
{
	struct issue_opts	 o;
	struct san_list		 sans = { NULL, 0 };
	struct ledger_row	 row;
	struct stat		 st;
	char			*key = unit_path("node.key");

	umask(0);
	memset(&o, 0, sizeof(o));
	o.profile = PROFILE_PEER;
	ck_assert_int_eq(san_add(&sans, SAN_DNS, "node1.example", 13, &err),
	    0);
	o.sans = &sans;
	ck_assert_int_eq(issue_new_key(ca, &o, KEY_ECDSA_P384, key, now,
	    &row, &notes, &err), 0);
	ck_assert_str_eq(row.subject, "CN=node1.example");
	ledger_row_clear(&row);
	ck_assert_int_eq(stat(key, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(issue_new_key(ca, &o, KEY_ECDSA_P384, key, now,
	    &row, &notes, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "already exists"));
	ck_assert_int_eq(count(), 1);
	umask(077);
	san_list_free(&sans);
	free(key);
}
END_TEST

START_TEST(renew)
{
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt, crt2;
	struct ledger_row	 row;
	struct serial		 s;
	char			 hex[SERIAL_HEXLEN + 1];

	pub = new_pub(GNUTLS_PK_EDDSA_ED25519, 0);
	ck_assert_ptr_nonnull(crt = issue(PROFILE_PEER, pub, "a.example", 0));
	ck_assert_int_eq(serial_from_crt(crt, &s, &err), 0);
	serial_hex(&s, hex);
	ck_assert_int_eq(issue_renew(ca, hex, 30, now, &row, &notes, &err), 0);
	ck_assert_str_ne(row.serial, hex);
	ck_assert_str_eq(row.replaces, hex);
	ck_assert_str_eq(row.sans, "DNS:a.example");
	ck_assert_int_eq(row.profile, PROFILE_PEER);
	ck_assert_ptr_nonnull(crt2 = cert_import(&row.der, &err));
	ck_assert(gnutls_x509_crt_get_expiration_time(crt2) -
	    gnutls_x509_crt_get_activation_time(crt2) == 30 * 86400);
	ledger_row_clear(&row);
	ck_assert_int_eq(issue_renew(ca, "0123", 30, now, &row, &notes,
	    &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "not in the ledger"));
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_crt_deinit(crt2);
	gnutls_pubkey_deinit(pub);
}
END_TEST

/* A request's subject and key, for every kind of key (Ed25519 too). */
START_TEST(from_request)
{
	static const gnutls_pk_algorithm_t pks[] = {
		GNUTLS_PK_EDDSA_ED25519, GNUTLS_PK_ECDSA, GNUTLS_PK_RSA,
	};
	gnutls_x509_privkey_t	 key;
	gnutls_x509_crq_t	 crq;
	gnutls_datum_t		 der;
	gnutls_x509_crt_t	 crt;
	struct issue_opts	 o;
	struct ledger_row	 row;
	struct req		*r;
	size_t			 i;
	unsigned int		 status;

	for (i = 0; i < sizeof(pks) / sizeof(pks[0]); i++) {
		ck_assert_int_ge(gnutls_x509_privkey_init(&key), 0);
		ck_assert_int_ge(gnutls_x509_privkey_generate(key, pks[i],
		    pks[i] == GNUTLS_PK_RSA ? 2048 : pks[i] == GNUTLS_PK_ECDSA ?
		    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP384R1) : 0, 0),
		    0);
		ck_assert_int_ge(gnutls_x509_crq_init(&crq), 0);
		ck_assert_int_ge(gnutls_x509_crq_set_dn(crq,
		    "CN=req,O=Example", NULL), 0);
		ck_assert_int_ge(gnutls_x509_crq_set_key(crq, key), 0);
		ck_assert_int_ge(gnutls_x509_crq_set_subject_alt_name(crq,
		    GNUTLS_SAN_DNSNAME, "req.example", 11, GNUTLS_FSAN_APPEND),
		    0);
		ck_assert_int_ge(gnutls_x509_crq_sign2(crq, key,
		    pks[i] == GNUTLS_PK_EDDSA_ED25519 ? GNUTLS_DIG_SHA512 :
		    GNUTLS_DIG_SHA256, 0), 0);
		ck_assert_int_ge(gnutls_x509_crq_export2(crq,
		    GNUTLS_X509_FMT_DER, &der), 0);
		ck_assert_ptr_nonnull(r = req_parse(&der, &notes, &err));
		memset(&o, 0, sizeof(o));
		o.profile = PROFILE_SERVER;
		ck_assert_msg(issue_cert(ca, &o, r->pub, r, now, &row,
		    &notes, &err) == 0, "%zu: %s", i, err.msg);
		ck_assert_str_eq(row.subject, "CN=req,O=Example");
		ck_assert_str_eq(row.sans, "DNS:req.example");
		ck_assert_ptr_nonnull(crt = cert_import(&row.der, &err));
		ck_assert_int_ge(gnutls_x509_crt_verify(crt, &ca->crt, 1, 0,
		    &status), 0);
		ck_assert_uint_eq(status, 0);
		gnutls_x509_crt_deinit(crt);
		ledger_row_clear(&row);
		req_free(r);
		gnutls_free(der.data);
		gnutls_x509_crq_deinit(crq);
		gnutls_x509_privkey_deinit(key);
	}
}
END_TEST

START_TEST(init_refuses_existing)
{
	struct ca_init_opts	 o;
	struct ledger_row	 row;
	bool			 existed;

	memset(&o, 0, sizeof(o));
	o.dir = cadir;
	o.subject = "CN=Other";
	o.path_len = -1;
	ck_assert_int_eq(ca_init(&o, now, &row, &existed, &notes, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "already holds a CA"));
	/* --exist-ok accepts only the CA that the options describe. */
	o.exist_ok = true;
	ck_assert_int_eq(ca_init(&o, now, &row, &existed, &notes, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "exists with subject "
	    "'CN=Unit Root,O=Example' where --subject asks 'CN=Other'"));
	o.subject = "CN=Unit Root,O=Example";
	ck_assert_msg(ca_init(&o, now, &row, &existed, &notes, &err) == 0,
	    "%s", err.msg);
	ck_assert(existed);
	ck_assert_str_eq(row.subject, "CN=Unit Root,O=Example");
	ledger_row_clear(&row);
}
END_TEST

/* The stamp and the validity come from the time given, not the clock. */
START_TEST(issued_at_now)
{
	gnutls_pubkey_t		 pub;
	struct issue_opts	 o;
	struct ledger_row	 row, got;
	time_t			 later = now + 1000;

	pub = new_pub(GNUTLS_PK_EDDSA_ED25519, 0);
	memset(&o, 0, sizeof(o));
	o.profile = PROFILE_CLIENT;
	o.subject = "CN=later";
	o.days = 10;
	ck_assert_msg(issue_cert(ca, &o, pub, NULL, later, &row, &notes,
	    &err) == 0, "%s", err.msg);
	ck_assert_int_eq(row.issued_at, later);
	ck_assert_int_eq(row.not_before, later - BACKDATE_DEFAULT);
	ck_assert_int_eq(row.not_after, row.not_before + 10 * 86400);
	ck_assert_ptr_nonnull(strchr(row.issued_by, '@'));
	/* And so the ledger records it. */
	ck_assert_int_eq(ledger_get(ca->ledger, row.serial, &got, &err), 0);
	ck_assert_int_eq(got.issued_at, later);
	ck_assert_str_eq(got.issued_by, row.issued_by);
	ledger_row_clear(&got);
	ledger_row_clear(&row);
	gnutls_pubkey_deinit(pub);
}
END_TEST

/* A CA's --max-days is the default and the limit of a leaf's validity. */
START_TEST(validity_max_days)
{
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt;

	remake_ca(0, 10);
	pub = new_pub(GNUTLS_PK_EDDSA_ED25519, 0);
	ck_assert_ptr_nonnull(crt = issue(PROFILE_CLIENT, pub, NULL, 0));
	ck_assert_int_eq(gnutls_x509_crt_get_expiration_time(crt) -
	    gnutls_x509_crt_get_activation_time(crt), 10 * 86400);
	gnutls_x509_crt_deinit(crt);
	ck_assert_ptr_null(issue(PROFILE_CLIENT, pub, NULL, 11));
	ck_assert_ptr_nonnull(strstr(err.msg, "at most 10 days"));
	ck_assert_int_eq(count(), 1);
	gnutls_pubkey_deinit(pub);
}
END_TEST

/* One clamp for both: an intermediate ends with its parent, noted. */
START_TEST(validity_cut_to_parent)
{
	struct ca_init_opts	 o;
	struct ledger_row	 row;
	char			*dir;
	bool			 existed;

	remake_ca(30, 0);
	dir = unit_path("sub");
	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.subject = "CN=Unit Sub";
	o.key_type = KEY_ED25519;
	o.path_len = -1;
	o.parent = cadir;
	ck_assert_msg(ca_init(&o, now, &row, &existed, &notes, &err) == 0,
	    "%s", err.msg);
	ck_assert_int_eq(row.not_after,
	    gnutls_x509_crt_get_expiration_time(ca->crt));
	ck_assert_uint_eq(notes.n, 1);
	ck_assert_ptr_nonnull(strstr(notes.msg[0], "validity cut to end "
	    "with the parent CA certificate on "));
	ledger_row_clear(&row);
	free(dir);
}
END_TEST

/* issue_validity: a root is never cut; a leaf only past its issuer. */
START_TEST(validity_clamp)
{
	struct cert_tbs	 t;
	time_t		 end = gnutls_x509_crt_get_expiration_time(ca->crt);

	memset(&t, 0, sizeof(t));
	issue_validity(&t, now, 50000, -1, NULL, "the CA", &notes);
	ck_assert_int_eq(t.not_before, now);
	ck_assert_int_eq(t.not_after, now + (time_t)50000 * 86400);
	issue_validity(&t, now, 30, -1, ca->crt, "the CA", &notes);
	ck_assert_int_eq(t.not_after, now + 30 * 86400);
	ck_assert_uint_eq(notes.n, 0);
	issue_validity(&t, now, 50000, -1, ca->crt, "the Xyz CA", &notes);
	ck_assert_int_eq(t.not_before, now);
	ck_assert_int_eq(t.not_after, end);
	ck_assert_uint_eq(notes.n, 1);
	ck_assert_ptr_nonnull(strstr(notes.msg[0], "validity cut to end "
	    "with the Xyz CA certificate on "));
}
END_TEST

/*
 * issue_sign's check runs on each certificate before its row is
 * recorded: this one records a row under the same serial first, for
 * the first collide certificates, so that their serial is taken.
 */
struct collide {
	struct ledger	*ledger;
	int		 collide;
	int		 calls;
	char		 first[SERIAL_HEXLEN + 1];
};

static int
collide_check(void *arg, gnutls_x509_crt_t crt, struct cakit_err *e)
{
	struct collide		*c = arg;
	struct ledger_row	 r;

	if (c->calls++ >= c->collide)
		return 0;
	ck_assert_int_eq(row_fill(&r, crt, PROFILE_CLIENT, NULL, e), 0);
	issue_stamp(&r, now);
	if (c->calls == 1)
		memcpy(c->first, r.serial, sizeof(c->first));
	ck_assert_int_eq(ledger_insert(c->ledger, &r, e), 0);
	ledger_row_clear(&r);
	return 0;
}

static gnutls_x509_crt_t
sign_colliding(struct collide *c, gnutls_pubkey_t pub, struct ledger_row *row)
{
	struct cert_tbs		 t;
	struct issue_signing	 s;

	memset(&t, 0, sizeof(t));
	t.profile = PROFILE_CLIENT;
	t.pub = pub;
	t.subject = "CN=collide";
	t.path_len = -1;
	issue_validity(&t, now, 10, 0, ca->crt, "the CA", &notes);
	memset(&s, 0, sizeof(s));
	s.tbs = &t;
	s.issuer = ca->crt;
	s.key = ca->key;
	s.ledger = ca->ledger;
	s.now = now;
	s.check = collide_check;
	s.arg = c;
	c->ledger = ca->ledger;
	return issue_sign(&s, row, &err);
}

/* A serial already in the ledger: another is drawn. */
START_TEST(serial_retry)
{
	struct collide		 c = { NULL, 1, 0, "" };
	struct ledger_row	 row;
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt;
	struct serial		 s;
	char			 hex[SERIAL_HEXLEN + 1];

	pub = new_pub(GNUTLS_PK_EDDSA_ED25519, 0);
	ck_assert_msg((crt = sign_colliding(&c, pub, &row)) != NULL, "%s",
	    err.msg);
	ck_assert_int_eq(c.calls, 2);
	ck_assert_str_ne(row.serial, c.first);
	ck_assert_int_eq(serial_from_crt(crt, &s, &err), 0);
	serial_hex(&s, hex);
	ck_assert_str_eq(row.serial, hex);
	ck_assert_int_eq(row.issued_at, now);
	/* The colliding row and the certificate's own. */
	ck_assert_int_eq(count(), 2);
	gnutls_x509_crt_deinit(crt);
	ledger_row_clear(&row);
	gnutls_pubkey_deinit(pub);
}
END_TEST

/* Every serial drawn is taken: an error after SERIAL_TRIES. */
START_TEST(serial_exhausted)
{
	struct collide		 c = { NULL, SERIAL_TRIES, 0, "" };
	struct ledger_row	 row;
	gnutls_pubkey_t		 pub;

	pub = new_pub(GNUTLS_PK_EDDSA_ED25519, 0);
	ck_assert_ptr_null(sign_colliding(&c, pub, &row));
	ck_assert_int_eq(c.calls, SERIAL_TRIES);
	ck_assert_str_eq(err.msg, "no unused serial number after 4 tries");
	ck_assert_ptr_null(row.subject);
	ck_assert_int_eq(count(), SERIAL_TRIES);
	gnutls_pubkey_deinit(pub);
}
END_TEST

/* A check that refuses: nothing is recorded. */
static int
refuse_check(void *arg, gnutls_x509_crt_t crt, struct cakit_err *e)
{
	(void)arg;
	(void)crt;
	err_set(e, "refused");
	return -1;
}

START_TEST(sign_refused)
{
	struct cert_tbs		 t;
	struct issue_signing	 s;
	struct ledger_row	 row;
	gnutls_pubkey_t		 pub;

	pub = new_pub(GNUTLS_PK_EDDSA_ED25519, 0);
	memset(&t, 0, sizeof(t));
	t.profile = PROFILE_CLIENT;
	t.pub = pub;
	t.subject = "CN=refused";
	t.path_len = -1;
	issue_validity(&t, now, 10, 0, ca->crt, "the CA", &notes);
	memset(&s, 0, sizeof(s));
	s.tbs = &t;
	s.issuer = ca->crt;
	s.key = ca->key;
	s.ledger = ca->ledger;
	s.now = now;
	s.check = refuse_check;
	ck_assert_ptr_null(issue_sign(&s, &row, &err));
	ck_assert_str_eq(err.msg, "refused");
	ck_assert_int_eq(count(), 0);
	gnutls_pubkey_deinit(pub);
}
END_TEST

/* ca_init stamps the CA at the time given, and --exist-ok reads it back. */
START_TEST(init_stamp)
{
	struct ca_init_opts	 o;
	struct ledger_row	 row;
	char			*dir, *by;
	bool			 existed;

	dir = unit_path("stamped");
	memset(&o, 0, sizeof(o));
	o.dir = dir;
	o.subject = "CN=Stamped";
	o.key_type = KEY_ED25519;
	o.path_len = -1;
	o.days = 30;
	ck_assert_msg(ca_init(&o, now - 100, &row, &existed, &notes,
	    &err) == 0, "%s", err.msg);
	ck_assert(!existed);
	ck_assert_int_eq(row.issued_at, now - 100);
	ck_assert_int_eq(row.not_before, now - 100 - BACKDATE_DEFAULT);
	ck_assert_ptr_nonnull(by = row.issued_by);
	row.issued_by = NULL;
	ledger_row_clear(&row);
	o.exist_ok = true;
	ck_assert_msg(ca_init(&o, now, &row, &existed, &notes, &err) == 0,
	    "%s", err.msg);
	ck_assert(existed);
	ck_assert_int_eq(row.issued_at, now - 100);
	ck_assert_str_eq(row.issued_by, by);
	ledger_row_clear(&row);
	free(by);
	free(dir);
}
END_TEST

static Suite *
issue_suite(void)
{
	Suite	*s = suite_create("issue");
	TCase	*tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, profile_extensions, 0,
	    sizeof(profiles) / sizeof(profiles[0]));
	tcase_add_test(tc, rsa_key_encipherment);
	tcase_add_test(tc, crl_distribution_point);
	tcase_add_test(tc, server_needs_host_name);
	tcase_add_test(tc, validity);
	tcase_add_test(tc, validity_cut_to_ca);
	tcase_add_test(tc, new_key_file);
	tcase_add_test(tc, renew);
	tcase_add_test(tc, from_request);
	tcase_add_test(tc, init_refuses_existing);
	tcase_add_test(tc, issued_at_now);
	tcase_add_test(tc, validity_max_days);
	tcase_add_test(tc, validity_cut_to_parent);
	tcase_add_test(tc, validity_clamp);
	tcase_add_test(tc, serial_retry);
	tcase_add_test(tc, serial_exhausted);
	tcase_add_test(tc, sign_refused);
	tcase_add_test(tc, init_stamp);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(issue_suite)
