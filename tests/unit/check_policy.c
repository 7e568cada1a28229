/*
 * policy.c: name constraints read as the strictest verifier reads them
 * (OpenSSL's v3_ncons.c and GnuTLS's name_constraints.c), one name
 * against one constraint at a time.
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

static Suite *
policy_suite(void)
{
	Suite	*s = suite_create("policy");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, one_constraint, 0,
	    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, other_types);
	tcase_add_test(tc, unevaluated_type);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(policy_suite)
