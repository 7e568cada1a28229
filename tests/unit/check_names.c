/* names.c: DN strings and subject alternative names. */
#include "config.h"

#include "unit.h"

static struct san_list l;
static struct cakit_err err;

static void
setup(void)
{
	memset(&l, 0, sizeof(l));
	memset(&err, 0, sizeof(err));
}

static void
teardown(void)
{
	san_list_free(&l);
}

static int
add(enum san_type t, const char *s)
{
	return san_add(&l, t, s, strlen(s), &err);
}

START_TEST(dn_valid)
{
	ck_assert_int_eq(dn_check("CN=Example Root CA,O=Example", &err), 0);
	ck_assert_int_eq(dn_check("CN=a\\,b,O=x'; DROP TABLE certs;--", &err),
	    0);
	ck_assert_int_eq(dn_check("CN=caf\xc3\xa9", &err), 0);
}
END_TEST

START_TEST(dn_invalid)
{
	ck_assert_int_eq(dn_check("", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "empty"));
	ck_assert_int_eq(dn_check("not a dn", &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "malformed"));
	ck_assert_int_eq(dn_check("XYZZY=foo", &err), -1);
	ck_assert_int_eq(dn_check("CN", &err), -1);
}
END_TEST

START_TEST(dns_valid)
{
	ck_assert_int_eq(add(SAN_DNS, "localhost"), 0);
	ck_assert_int_eq(add(SAN_DNS, "WWW.Example.COM"), 0);
	ck_assert_str_eq(l.v[1].value, "www.example.com");
	ck_assert_int_eq(add(SAN_DNS, "*.example.com"), 0);
	ck_assert_int_eq(add(SAN_DNS, "xn--bcher-kva.example"), 0);
	ck_assert_int_eq(add(SAN_DNS, "a-b.c9.example"), 0);
	ck_assert_uint_eq(l.n, 5);
}
END_TEST

static const struct {
	const char	*name;
	const char	*msg;
} bad_dns[] = {
	{ "", "empty" },
	{ "a..b", "empty label" },
	{ ".a", "empty label" },
	{ "a.b.", "trailing dot" },
	{ "-a.example", "'-'" },
	{ "a-.example", "'-'" },
	{ "foo_bar.example", "invalid character" },
	{ "foo bar.example", "invalid character" },
	{ "foo*.example.com", "wildcard" },
	{ "*foo.example.com", "wildcard" },
	{ "f*o.example.com", "wildcard" },
	{ "*-.example.com", "wildcard" },
	{ "a.*.example.com", "wildcard" },
	{ "**.example.com", "wildcard" },
	{ "*.com", "two labels" },
	{ "*", "wildcard" },
	{ "1.2.3.4", "IP address" },
	{ "::1", "IP address" },
	{ "example.123", "all digits" },
	{ "caf\xc3\xa9.example", "A-label" },
};

START_TEST(dns_invalid)
{
	ck_assert_int_eq(add(SAN_DNS, bad_dns[_i].name), -1);
	ck_assert_msg(strstr(err.msg, bad_dns[_i].msg) != NULL,
	    "'%s': message '%s' lacks '%s'", bad_dns[_i].name, err.msg,
	    bad_dns[_i].msg);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(dns_lengths)
{
	char	 label[70], name[300];

	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(name, sizeof(name), "%s.example", label);
	ck_assert_int_eq(add(SAN_DNS, name), 0);
	memset(label, 'a', 64);
	label[64] = '\0';
	snprintf(name, sizeof(name), "%s.example", label);
	ck_assert_int_eq(add(SAN_DNS, name), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "63"));
	memset(name, 'a', 299);
	name[299] = '\0';
	ck_assert_int_eq(add(SAN_DNS, name), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "253"));
}
END_TEST

START_TEST(nul_byte)
{
	ck_assert_int_eq(san_add(&l, SAN_DNS, "good.example\0evil.example",
	    25, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "NUL"));
	ck_assert_int_eq(san_add_raw(&l, GNUTLS_SAN_DNSNAME,
	    (const unsigned char *)"a\0b", 3, &err), -1);
}
END_TEST

START_TEST(ip)
{
	static const unsigned char v4[] = { 10, 0, 0, 1 };

	ck_assert_int_eq(add(SAN_IP, "127.0.0.1"), 0);
	ck_assert_uint_eq(l.v[0].iplen, 4);
	ck_assert_int_eq(add(SAN_IP, "0:0:0:0:0:0:0:1"), 0);
	ck_assert_str_eq(l.v[1].value, "::1");
	ck_assert_uint_eq(l.v[1].iplen, 16);
	ck_assert_int_eq(san_add_raw(&l, GNUTLS_SAN_IPADDRESS, v4, 4, &err),
	    0);
	ck_assert_str_eq(l.v[2].value, "10.0.0.1");
	ck_assert_int_eq(add(SAN_IP, "256.1.1.1"), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "iPAddress"));
	ck_assert_int_eq(add(SAN_IP, "1.2.3"), -1);
	ck_assert_int_eq(add(SAN_IP, "localhost"), -1);
	ck_assert_int_eq(san_add_raw(&l, GNUTLS_SAN_IPADDRESS, v4, 3, &err),
	    -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "3 octets"));
}
END_TEST

START_TEST(email_uri)
{
	ck_assert_int_eq(add(SAN_EMAIL, "alice@Example.com"), 0);
	ck_assert_str_eq(l.v[0].value, "alice@example.com");
	ck_assert_int_eq(add(SAN_EMAIL, "alice"), -1);
	ck_assert_int_eq(add(SAN_EMAIL, "a@b@c.example"), -1);
	ck_assert_int_eq(add(SAN_EMAIL, "@example.com"), -1);
	ck_assert_int_eq(add(SAN_EMAIL, "a b@example.com"), -1);
	ck_assert_int_eq(add(SAN_EMAIL, "a@bad_domain.example"), -1);
	ck_assert_int_eq(add(SAN_URI, "spiffe://example.org/ns/a"), 0);
	ck_assert_int_eq(add(SAN_URI, "https://example.com/x"), 0);
	ck_assert_int_eq(add(SAN_URI, "no-scheme"), -1);
	ck_assert_int_eq(add(SAN_URI, "https://a b"), -1);
	ck_assert_int_eq(add(SAN_URI, "1http://x"), -1);
	ck_assert_int_eq(add(SAN_URI, "https:"), -1);
}
END_TEST

START_TEST(dedupe_and_limit)
{
	char	 name[32];
	int	 i;

	ck_assert_int_eq(add(SAN_DNS, "a.example"), 0);
	ck_assert_int_eq(add(SAN_DNS, "A.example"), 0);
	ck_assert_uint_eq(l.n, 1);
	for (i = 1; i < SAN_MAX; i++) {
		snprintf(name, sizeof(name), "h%d.example", i);
		ck_assert_int_eq(add(SAN_DNS, name), 0);
	}
	ck_assert_int_eq(add(SAN_DNS, "one-too-many.example"), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "more than"));
}
END_TEST

START_TEST(join_parse)
{
	struct san_list	 back = { NULL, 0 };
	char		*s, *s2;

	ck_assert_int_eq(add(SAN_DNS, "a.example"), 0);
	ck_assert_int_eq(add(SAN_IP, "::1"), 0);
	ck_assert_int_eq(add(SAN_EMAIL, "x@a.example"), 0);
	ck_assert_int_eq(add(SAN_URI, "urn:x:y"), 0);
	s = san_list_join(&l, "\n");
	ck_assert_str_eq(s, "DNS:a.example\nIP:::1\nemail:x@a.example\n"
	    "URI:urn:x:y");
	ck_assert_int_eq(san_list_parse(&back, s, &err), 0);
	s2 = san_list_join(&back, "\n");
	ck_assert_str_eq(s, s2);
	ck_assert(san_list_has_host(&back));
	free(s);
	free(s2);
	san_list_free(&back);
	ck_assert_int_eq(san_list_parse(&back, "bogus", &err), -1);
}
END_TEST

START_TEST(host_needed)
{
	ck_assert(!san_list_has_host(&l));
	ck_assert_int_eq(add(SAN_EMAIL, "x@a.example"), 0);
	ck_assert(!san_list_has_host(&l));
	ck_assert_int_eq(add(SAN_IP, "10.1.1.1"), 0);
	ck_assert(san_list_has_host(&l));
}
END_TEST

/*
 * The one map between cakit's kinds of name and GnuTLS's types, written
 * here apart from names.c, with the prefix of each kind's text form.
 */
static const struct {
	enum san_type			 type;
	gnutls_x509_subject_alt_name_t	 gnutls;
	const char			*prefix;
} kinds[] = {
	{ SAN_DNS, GNUTLS_SAN_DNSNAME, "DNS" },
	{ SAN_IP, GNUTLS_SAN_IPADDRESS, "IP" },
	{ SAN_EMAIL, GNUTLS_SAN_RFC822NAME, "email" },
	{ SAN_URI, GNUTLS_SAN_URI, "URI" },
};

START_TEST(san_map)
{
	enum san_type	 t;

	ck_assert_int_eq(san_gnutls_type(kinds[_i].type), kinds[_i].gnutls);
	t = (enum san_type)-1;
	ck_assert_int_eq(san_type_from_gnutls(kinds[_i].gnutls, &t), 0);
	ck_assert_int_eq(t, kinds[_i].type);
	ck_assert_str_eq(san_prefix(kinds[_i].type), kinds[_i].prefix);
	ck_assert_str_eq(san_gnutls_prefix(kinds[_i].gnutls),
	    kinds[_i].prefix);
}
END_TEST

/* Every other GnuTLS type maps to no kind, and is "other" in messages. */
START_TEST(san_map_others)
{
	static const unsigned int others[] = {
		0, GNUTLS_SAN_DN, GNUTLS_SAN_OTHERNAME,
		GNUTLS_SAN_REGISTERED_ID, GNUTLS_SAN_OTHERNAME_XMPP,
		GNUTLS_SAN_OTHERNAME_KRB5PRINCIPAL,
		GNUTLS_SAN_OTHERNAME_MSUSERPRINCIPAL, 999,
	};
	enum san_type	 t = SAN_URI;
	size_t		 i;

	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		ck_assert_int_eq(san_type_from_gnutls(others[i], &t), -1);
		ck_assert_int_eq(t, SAN_URI);
		ck_assert_str_eq(san_gnutls_prefix(others[i]), "other");
	}
}
END_TEST

/*
 * The names of a certificate that another tool made (tests/data/README)
 * as san_add_raw takes them: the four kinds cakit knows, canonical, and
 * a refusal for each of the others.
 */
START_TEST(san_raw_from_certificate)
{
	gnutls_x509_crt_t	 crt;
	unsigned char		 buf[256];
	size_t			 len;
	unsigned int		 i, type, critical, refused = 0;
	char			*path, *joined, want[64];
	int			 ret;

	path = unit_data("unusual-names.crt");
	ck_assert_msg((crt = cert_load(path, &err)) != NULL, "%s", err.msg);
	for (i = 0;; i++) {
		len = sizeof(buf);
		ret = gnutls_x509_crt_get_subject_alt_name2(crt, i, buf, &len,
		    &type, &critical);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		ck_assert_int_eq(ret, (int)type);
		if (san_add_raw(&l, type, buf, len, &err) == -1) {
			snprintf(want, sizeof(want), "unsupported subject "
			    "alternative name type %u", type);
			ck_assert_str_eq(err.msg, want);
			ck_assert_msg(type == GNUTLS_SAN_REGISTERED_ID ||
			    type == GNUTLS_SAN_OTHERNAME_MSUSERPRINCIPAL, "type %u",
			    type);
			refused++;
		}
	}
	ck_assert_uint_eq(refused, 2);
	joined = san_list_join(&l, ",");
	ck_assert_str_eq(joined, "DNS:mixed.example.com,IP:192.0.2.1,"
	    "IP:2001:db8::1,email:user@example.com,"
	    "URI:https://example.com/path");
	free(joined);
	gnutls_x509_crt_deinit(crt);
	free(path);
}
END_TEST

static Suite *
names_suite(void)
{
	Suite	*s = suite_create("names");
	TCase	*tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, dn_valid);
	tcase_add_test(tc, dn_invalid);
	tcase_add_test(tc, dns_valid);
	tcase_add_loop_test(tc, dns_invalid, 0,
	    sizeof(bad_dns) / sizeof(bad_dns[0]));
	tcase_add_test(tc, dns_lengths);
	tcase_add_test(tc, nul_byte);
	tcase_add_test(tc, ip);
	tcase_add_test(tc, email_uri);
	tcase_add_test(tc, dedupe_and_limit);
	tcase_add_test(tc, join_parse);
	tcase_add_test(tc, host_needed);
	tcase_add_loop_test(tc, san_map, 0, sizeof(kinds) / sizeof(kinds[0]));
	tcase_add_test(tc, san_map_others);
	tcase_add_test(tc, san_raw_from_certificate);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(names_suite)
