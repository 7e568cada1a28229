/*
 * policy.c: name constraints read as the strictest verifier reads them
 * (OpenSSL's v3_ncons.c and GnuTLS's name_constraints.c), one name
 * against one constraint at a time; then a CA's own constraints held
 * to the names and the subject of what it would sign.
 */
#include "config.h"

#include <arpa/inet.h>

#include "unit.h"

#define P	0	/* permitted */
#define X	1	/* excluded */

static const struct {
	unsigned int	 type;
	int		 kind;
	const char	*base;	/* for IP: ADDR/BITS */
	const char	*name;
	bool		 allowed;
} cases[] = {
	/* DNS: subtrees, case, trailing dots, the leading-dot form. */
	{ GNUTLS_SAN_DNSNAME, P, "example.com", "example.com", true },
	{ GNUTLS_SAN_DNSNAME, P, "example.com", "a.b.example.com", true },
	{ GNUTLS_SAN_DNSNAME, P, "example.com", "badexample.com", false },
	{ GNUTLS_SAN_DNSNAME, P, "example.com", "example.com.evil", false },
	{ GNUTLS_SAN_DNSNAME, P, "example.com", "A.EXAMPLE.COM", true },
	{ GNUTLS_SAN_DNSNAME, P, ".example.com", "example.com", false },
	{ GNUTLS_SAN_DNSNAME, P, ".example.com", "a.example.com", true },
	{ GNUTLS_SAN_DNSNAME, P, "example.com", "*.example.com", true },
	{ GNUTLS_SAN_DNSNAME, P, "a.example.com", "*.example.com", false },
	{ GNUTLS_SAN_DNSNAME, X, "secret.example.com", "secret.example.com",
	    false },
	{ GNUTLS_SAN_DNSNAME, X, "secret.example.com", "SECRET.Example.com",
	    false },
	{ GNUTLS_SAN_DNSNAME, X, "Secret.Example.COM", "secret.example.com",
	    false },
	{ GNUTLS_SAN_DNSNAME, X, "secret.example.com.", "secret.example.com",
	    false },
	{ GNUTLS_SAN_DNSNAME, X, "secret.example.com", "a.secret.example.com",
	    false },
	{ GNUTLS_SAN_DNSNAME, X, "secret.example.com", "notsecret.example.com",
	    true },
	{ GNUTLS_SAN_DNSNAME, X, "secret.example.com", "*.example.com", false },
	{ GNUTLS_SAN_DNSNAME, X, "SECRET.example.com", "*.example.com", false },
	{ GNUTLS_SAN_DNSNAME, X, "secret.example.com.", "*.example.com", false },
	{ GNUTLS_SAN_DNSNAME, X, "secret.example.com", "*.secret.example.com",
	    false },
	{ GNUTLS_SAN_DNSNAME, X, "example.com", "*.example.com", false },
	{ GNUTLS_SAN_DNSNAME, X, "a.b.example.com", "*.example.com", true },
	{ GNUTLS_SAN_DNSNAME, X, "secret.example.com", "*.other.com", true },
	{ GNUTLS_SAN_DNSNAME, X, ".example.com", "a.example.com", false },
	{ GNUTLS_SAN_DNSNAME, X, ".example.com", "*.example.com", false },
	{ GNUTLS_SAN_DNSNAME, X, ".secret.example.com", "*.example.com", true },
	{ GNUTLS_SAN_DNSNAME, X, "", "anything.example", false },
	/* IP: every family is held to permitted ranges of any family. */
	{ GNUTLS_SAN_IPADDRESS, P, "10.0.0.0/8", "10.1.2.3", true },
	{ GNUTLS_SAN_IPADDRESS, P, "10.0.0.0/8", "11.1.2.3", false },
	{ GNUTLS_SAN_IPADDRESS, P, "10.0.0.0/8", "fd00::1", false },
	{ GNUTLS_SAN_IPADDRESS, P, "10.0.0.0/8", "::ffff:10.1.2.3", false },
	{ GNUTLS_SAN_IPADDRESS, P, "10.0.0.0/8", "::ffff:192.168.1.1", false },
	{ GNUTLS_SAN_IPADDRESS, P, "fd00::/8", "fd12::1", true },
	{ GNUTLS_SAN_IPADDRESS, P, "fd00::/8", "10.1.2.3", false },
	{ GNUTLS_SAN_IPADDRESS, X, "10.0.0.0/8", "10.1.2.3", false },
	{ GNUTLS_SAN_IPADDRESS, X, "10.0.0.0/8", "::ffff:10.1.2.3", false },
	{ GNUTLS_SAN_IPADDRESS, X, "10.0.0.0/8", "::ffff:11.1.2.3", true },
	{ GNUTLS_SAN_IPADDRESS, X, "10.0.0.0/8", "fd00::1", true },
	{ GNUTLS_SAN_IPADDRESS, X, "::/0", "10.1.2.3", true },
	{ GNUTLS_SAN_IPADDRESS, X, "::/0", "fd00::1", false },
	/* Email: a host, a mailbox, or the hosts below a domain. */
	{ GNUTLS_SAN_RFC822NAME, P, "example.com", "a@example.com", true },
	{ GNUTLS_SAN_RFC822NAME, P, "example.com", "a@EXAMPLE.com", true },
	{ GNUTLS_SAN_RFC822NAME, P, "example.com", "a@x.example.com", false },
	{ GNUTLS_SAN_RFC822NAME, P, ".example.com", "a@x.example.com", true },
	{ GNUTLS_SAN_RFC822NAME, P, ".example.com", "a@example.com", false },
	{ GNUTLS_SAN_RFC822NAME, P, "a@example.com", "a@example.com", true },
	{ GNUTLS_SAN_RFC822NAME, P, "a@example.com", "b@example.com", false },
	{ GNUTLS_SAN_RFC822NAME, P, "example.com", "no-at-sign", false },
	{ GNUTLS_SAN_RFC822NAME, X, "example.com", "a@Example.COM", false },
	{ GNUTLS_SAN_RFC822NAME, X, "example.com.", "a@example.com", false },
	{ GNUTLS_SAN_RFC822NAME, X, "a@example.com", "A@example.com", true },
	{ GNUTLS_SAN_RFC822NAME, X, ".example.com", "a@b.example.com", false },
	/* URI: the host, as OpenSSL and RFC 3986 find it. */
	{ GNUTLS_SAN_URI, P, "example.com", "https://example.com/x", true },
	{ GNUTLS_SAN_URI, P, "example.com", "https://example.com:8443/", true },
	{ GNUTLS_SAN_URI, P, "example.com", "https://a.example.com/", false },
	{ GNUTLS_SAN_URI, P, ".example.com", "https://a.example.com/", true },
	{ GNUTLS_SAN_URI, P, "example.com", "urn:example:x", false },
	{ GNUTLS_SAN_URI, P, "example.com", "https://example.com@evil.com/",
	    false },
	{ GNUTLS_SAN_URI, X, "evil.com", "https://x@evil.com/", false },
	{ GNUTLS_SAN_URI, X, "evil.com", "https://EVIL.com/", false },
	{ GNUTLS_SAN_URI, X, "evil.com", "urn:evil.com", false },
	/* GnuTLS refuses every URI when an excluded URI subtree exists. */
	{ GNUTLS_SAN_URI, X, "evil.com", "https://good.com/evil.com", false },
};

static void
datum(unsigned int type, const char *text, bool range, unsigned char *buf,
    gnutls_datum_t *d)
{
	char		 addr[64], *slash;
	int		 bits, i, len;

	if (type != GNUTLS_SAN_IPADDRESS) {
		d->data = (unsigned char *)text;
		d->size = strlen(text);
		return;
	}
	snprintf(addr, sizeof(addr), "%s", text);
	bits = -1;
	if ((slash = strchr(addr, '/')) != NULL) {
		*slash = '\0';
		bits = atoi(slash + 1);
	}
	memset(buf, 0, 32);
	len = inet_pton(AF_INET, addr, buf) == 1 ? 4 : 16;
	if (len == 16)
		ck_assert_int_eq(inet_pton(AF_INET6, addr, buf), 1);
	for (i = 0; range && i < len; i++)
		buf[len + i] = bits >= (i + 1) * 8 ? 0xff : bits <= i * 8 ?
		    0 : (unsigned char)(0xff << (8 - (bits - i * 8)));
	d->data = buf;
	d->size = range ? len * 2 : len;
}

START_TEST(one_constraint)
{
	gnutls_x509_name_constraints_t	 nc;
	gnutls_datum_t			 b, n;
	unsigned char			 bbuf[32], nbuf[32];

	ck_assert_int_ge(gnutls_x509_name_constraints_init(&nc), 0);
	datum(cases[_i].type, cases[_i].base, true, bbuf, &b);
	datum(cases[_i].type, cases[_i].name, false, nbuf, &n);
	ck_assert_int_ge(cases[_i].kind == P ?
	    gnutls_x509_name_constraints_add_permitted(nc, cases[_i].type, &b) :
	    gnutls_x509_name_constraints_add_excluded(nc, cases[_i].type, &b),
	    0);
	ck_assert_msg(policy_nc_allows(nc, cases[_i].type, &n) ==
	    cases[_i].allowed, "%s '%s' against %s '%s': expected %s",
	    cases[_i].kind == P ? "permitted" : "excluded", cases[_i].name,
	    cases[_i].kind == P ? "permitted" : "excluded", cases[_i].base,
	    cases[_i].allowed ? "allowed" : "refused");
	gnutls_x509_name_constraints_deinit(nc);
}
END_TEST

/* Names of a type no constraint speaks of are free; unknown kinds are not. */
START_TEST(other_types)
{
	gnutls_x509_name_constraints_t	 nc;
	gnutls_datum_t			 b, n;
	unsigned char			 ip[4] = { 192, 0, 2, 1 };

	ck_assert_int_ge(gnutls_x509_name_constraints_init(&nc), 0);
	b.data = (unsigned char *)"example.com";
	b.size = 11;
	ck_assert_int_ge(gnutls_x509_name_constraints_add_permitted(nc,
	    GNUTLS_SAN_DNSNAME, &b), 0);
	n.data = ip;
	n.size = 4;
	ck_assert(policy_nc_allows(nc, GNUTLS_SAN_IPADDRESS, &n));
	n.data = (unsigned char *)"a@evil.com";
	n.size = 10;
	ck_assert(policy_nc_allows(nc, GNUTLS_SAN_RFC822NAME, &n));
	gnutls_x509_name_constraints_deinit(nc);
}
END_TEST

/* A directoryName subtree, which OpenSSL holds the subject to. */
START_TEST(unevaluated_type)
{
	gnutls_x509_name_constraints_t	 nc;
	gnutls_datum_t			 b, n;
	/* SEQUENCE { SET { SEQUENCE { OID 2.5.4.3, UTF8String "Test" } } } */
	static unsigned char		 dn[] = {
		0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04,
		0x03, 0x0c, 0x04, 'T', 'e', 's', 't',
	};

	ck_assert_int_ge(gnutls_x509_name_constraints_init(&nc), 0);
	b.data = dn;
	b.size = sizeof(dn);
	ck_assert_int_ge(gnutls_x509_name_constraints_add_permitted(nc,
	    GNUTLS_SAN_DN, &b), 0);
	n.data = (unsigned char *)"www.example.com";
	n.size = 15;
	ck_assert(!policy_nc_allows(nc, GNUTLS_SAN_DNSNAME, &n));
	gnutls_x509_name_constraints_deinit(nc);
}
END_TEST

/*
 * A CA whose nameConstraints name every kind of name cakit takes, each
 * through the one SAN map: a name of each kind inside passes, and one
 * outside is refused with the message that names the constraints.
 */
static struct ca *ca;
static struct cakit_err err;

#define RULES	"(permitted DNS example.com, IP 10.0.0.0/8, email " \
	"example.com, URI example.com; excluded DNS secret.example.com, " \
	"IP ::/0)"

/* A constraint of kind t, as ca-init would hold it. */
static void
push(struct san_list *l, enum san_type t, const char *value)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	l->v[l->n].type = t;
	l->v[l->n++].value = xstrdup(value);
}

static void
setup_ca(void)
{
	struct ca_init_opts	 o;
	struct cakit_notes	 notes;
	struct san_list		 permit = { NULL, 0 }, exclude = { NULL, 0 };
	char			*dir;

	memset(&err, 0, sizeof(err));
	memset(&notes, 0, sizeof(notes));
	unit_tmpdir();
	dir = unit_path("ca");
	push(&permit, SAN_DNS, "example.com");
	ck_assert_int_eq(san_add_cidr(&permit, "10.0.0.0/8", &err), 0);
	push(&permit, SAN_EMAIL, "example.com");
	push(&permit, SAN_URI, "example.com");
	push(&exclude, SAN_DNS, "secret.example.com");
	unit_ca_opts(&o, dir, "CN=Constrained");
	o.permit = &permit;
	o.exclude = &exclude;
	unit_ca_make(&o, time(NULL));
	ck_assert_ptr_nonnull(ca = ca_open(dir, 0, NULL, &err));
	san_list_free(&exclude);
	san_list_free(&permit);
	free(dir);
}

static void
teardown_ca(void)
{
	ca_free(ca);
	unit_rmdir();
}

static const struct {
	enum san_type	 type;
	const char	*inside;
	const char	*outside;
} kinds[] = {
	{ SAN_DNS, "www.example.com", "www.evil.com" },
	{ SAN_IP, "10.1.2.3", "11.1.2.3" },
	{ SAN_EMAIL, "a@example.com", "a@evil.com" },
	{ SAN_URI, "https://example.com/x", "https://evil.com/x" },
};

START_TEST(names_inside)
{
	struct san_list	 sans = { NULL, 0 };

	ck_assert_int_eq(san_add(&sans, kinds[_i].type, kinds[_i].inside,
	    strlen(kinds[_i].inside), &err), 0);
	ck_assert_msg(policy_check_names(ca, &sans, &err) == 0, "%s",
	    err.msg);
	san_list_free(&sans);
}
END_TEST

START_TEST(names_outside)
{
	struct san_list	 sans = { NULL, 0 };
	char		 want[512];

	ck_assert_int_eq(san_add(&sans, kinds[_i].type, kinds[_i].outside,
	    strlen(kinds[_i].outside), &err), 0);
	ck_assert_int_eq(policy_check_names(ca, &sans, &err), -1);
	snprintf(want, sizeof(want), "%s name '%s' is outside the name "
	    "constraints of CN=Constrained " RULES, san_prefix(kinds[_i].type),
	    kinds[_i].outside);
	ck_assert_str_eq(err.msg, want);
	san_list_free(&sans);
}
END_TEST

/* The first name outside is the one named, after names inside. */
START_TEST(names_first_outside)
{
	struct san_list	 sans = { NULL, 0 };

	ck_assert_int_eq(san_add(&sans, SAN_DNS, "a.example.com", 13, &err),
	    0);
	ck_assert_int_eq(san_add(&sans, SAN_DNS, "x.secret.example.com", 20,
	    &err), 0);
	ck_assert_int_eq(san_add(&sans, SAN_IP, "11.1.2.3", 8, &err), 0);
	ck_assert_int_eq(policy_check_names(ca, &sans, &err), -1);
	ck_assert_str_eq(err.msg, "DNS name 'x.secret.example.com' is outside "
	    "the name constraints of CN=Constrained " RULES);
	san_list_free(&sans);
}
END_TEST

/* A certificate for subject with the names sans, signed by the CA. */
static gnutls_x509_crt_t
build(const char *subject, enum san_type t, const char *name)
{
	struct cert_tbs		 tbs;
	struct san_list		 sans = { NULL, 0 };
	struct serial		 serial;
	gnutls_x509_privkey_t	 key;
	gnutls_privkey_t	 pk;
	gnutls_pubkey_t		 pub;
	gnutls_x509_crt_t	 crt;

	ck_assert_ptr_nonnull(key = key_generate(KEY_ECDSA_P256, &err));
	ck_assert_int_eq(gnutls_privkey_init(&pk), 0);
	ck_assert_int_eq(gnutls_privkey_import_x509(pk, key, 0), 0);
	ck_assert_int_eq(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_eq(gnutls_pubkey_import_privkey(pub, pk, 0, 0), 0);
	ck_assert_int_eq(san_add(&sans, t, name, strlen(name), &err), 0);
	ck_assert_int_eq(serial_new(&serial, &err), 0);
	memset(&tbs, 0, sizeof(tbs));
	tbs.profile = PROFILE_SERVER;
	tbs.pub = pub;
	tbs.subject = subject;
	tbs.sans = &sans;
	tbs.not_before = 1767225600;
	tbs.not_after = tbs.not_before + 86400;
	tbs.path_len = -1;
	ck_assert_msg((crt = cert_build(&tbs, &serial, ca->crt, ca->key,
	    &err)) != NULL, "%s", err.msg);
	ck_assert_msg(policy_check_names(ca, &sans, &err) == 0, "%s",
	    err.msg);
	san_list_free(&sans);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(pk);
	gnutls_x509_privkey_deinit(key);
	return crt;
}

static int
check_crt(gnutls_x509_crt_t crt, enum san_type t, const char *name)
{
	struct san_list	 sans = { NULL, 0 };
	int		 rc;

	ck_assert_int_eq(san_add(&sans, t, name, strlen(name), &err), 0);
	rc = policy_check_crt(ca, crt, &sans, &err);
	san_list_free(&sans);
	return rc;
}

START_TEST(subject_inside)
{
	gnutls_x509_crt_t	 crt;

	crt = build("CN=www.example.com", SAN_IP, "10.1.2.3");
	ck_assert_msg(check_crt(crt, SAN_IP, "10.1.2.3") == 0, "%s", err.msg);
	gnutls_x509_crt_deinit(crt);
}
END_TEST

/*
 * Subjects outside: a host-name CN is held to DNS constraints when
 * subjectAltName has no DNS name, an emailAddress always.
 */
static const struct {
	const char	*subject;
	enum san_type	 type;
	const char	*name;
	const char	*why;
} subjects[] = {
	{ "CN=www.evil.com", SAN_IP, "10.1.2.3", ": verifiers hold its CN to "
	    "them when subjectAltName has no DNS name" },
	{ "CN=x,EMAIL=a@evil.com", SAN_DNS, "www.example.com", ": verifiers "
	    "hold its emailAddress to them" },
};

START_TEST(subject_outside)
{
	gnutls_x509_crt_t	 crt;
	char			 want[512];

	crt = build(subjects[_i].subject, subjects[_i].type,
	    subjects[_i].name);
	ck_assert_int_eq(check_crt(crt, subjects[_i].type, subjects[_i].name),
	    -1);
	snprintf(want, sizeof(want), "subject '%s' is outside the name "
	    "constraints of CN=Constrained " RULES "%s", subjects[_i].subject,
	    subjects[_i].why);
	ck_assert_str_eq(err.msg, want);
	gnutls_x509_crt_deinit(crt);
}
END_TEST

/* With a DNS name in subjectAltName, verifiers let the CN be. */
START_TEST(subject_cn_with_dns_name)
{
	gnutls_x509_crt_t	 crt;

	crt = build("CN=www.evil.com", SAN_DNS, "www.example.com");
	ck_assert_msg(check_crt(crt, SAN_DNS, "www.example.com") == 0, "%s",
	    err.msg);
	gnutls_x509_crt_deinit(crt);
}
END_TEST

static Suite *
policy_suite(void)
{
	Suite	*s = suite_create("policy");
	TCase	*tc = tcase_create("core");
	TCase	*tca = tcase_create("ca");

	tcase_add_loop_test(tc, one_constraint, 0,
	    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, other_types);
	tcase_add_test(tc, unevaluated_type);
	suite_add_tcase(s, tc);

	tcase_set_timeout(tca, 60);
	tcase_add_unchecked_fixture(tca, setup_ca, teardown_ca);
	tcase_add_loop_test(tca, names_inside, 0,
	    sizeof(kinds) / sizeof(kinds[0]));
	tcase_add_loop_test(tca, names_outside, 0,
	    sizeof(kinds) / sizeof(kinds[0]));
	tcase_add_test(tca, names_first_outside);
	tcase_add_test(tca, subject_inside);
	tcase_add_loop_test(tca, subject_outside, 0,
	    sizeof(subjects) / sizeof(subjects[0]));
	tcase_add_test(tca, subject_cn_with_dns_name);
	suite_add_tcase(s, tca);
	return s;
}

UNIT_MAIN(policy_suite)
