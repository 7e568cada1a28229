/*
 * Names: RFC 4514 distinguished names, and the subject alternative
 * names of RFC 5280 4.2.1.6, held to the preferred name syntax so that
 * every TLS stack reads them the same way.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cakit.h"

#define DNS_MAX		253
#define LABEL_MAX	63
#define EMAIL_LOCAL_MAX	64
#define URI_MAX		2048

/*
 * A DN string is valid when GnuTLS can encode it, to a name that is not
 * empty.  Control characters are refused first: GnuTLS's parser stops
 * at a newline without an error, so "CN=a,\nO=b" would encode as just
 * "CN=a" and "\nCN=a" as an empty name; bidirectional overrides and
 * line separators would let a name pass for another in listings.
 */
int
dn_check(const char *dn, struct cakit_err *err)
{
	gnutls_x509_crt_t	 crt = NULL, again = NULL;
	gnutls_datum_t		 d = { NULL, 0 }, raw = { NULL, 0 };
	const char		*where = NULL;
	int			 ret, rc = -1;

	if (*dn == '\0') {
		err_set(err, "subject: empty distinguished name");
		return -1;
	}
	if (text_check("subject", dn, err) == -1)
		return -1;
	if ((ret = gnutls_x509_crt_init(&crt)) < 0) {
		err_gnutls(err, ret, "subject");
		return -1;
	}
	if ((ret = gnutls_x509_crt_set_dn(crt, dn, &where)) < 0) {
		if (where != NULL && where != dn)
			err_set(err, "subject '%.200s': malformed RFC 4514 "
			    "name near '%.40s'", dn, where);
		else
			err_set(err, "subject '%.200s': malformed RFC 4514 "
			    "name (%s)", dn, gnutls_strerror(ret));
		goto out;
	}
	/* Whatever else encodes as an empty name ("CN=a" needs a value). */
	if (gnutls_x509_crt_get_dn3(crt, &d, 0) < 0 || d.size == 0) {
		err_set(err, "subject: empty distinguished name");
		goto out;
	}
	/*
	 * GnuTLS takes an attribute type such as "12.5.4.15", which is no
	 * OID (X.660: the first arc is 0, 1 or 2), and fails only when the
	 * certificate is signed.
	 */
	if ((ret = gnutls_x509_crt_get_raw_dn(crt, &raw)) < 0) {
		err_set(err, "subject '%.200s': cannot be encoded in DER "
		    "(%s)", dn, gnutls_strerror(ret));
		goto out;
	}
	/*
	 * The ledger keeps the name as GnuTLS prints it, and a renewal
	 * parses that again: refuse a name whose printed form does not
	 * parse, such as a hex value that is no valid string ("ST=#1e019C"
	 * prints as "ST=").
	 */
	if ((ret = gnutls_x509_crt_init(&again)) < 0 ||
	    (ret = gnutls_x509_crt_set_dn(again, (char *)d.data, NULL)) < 0) {
		err_set(err, "subject '%.200s': reads back as '%.200s', which "
		    "is not a valid name; give its values as text", dn,
		    (char *)d.data);
		goto out;
	}
	rc = 0;
out:
	gnutls_free(raw.data);
	gnutls_free(d.data);
	gnutls_x509_crt_deinit(again);
	gnutls_x509_crt_deinit(crt);
	return rc;
}

/*
 * The kinds of alternative name cakit takes, each with GnuTLS's type
 * for it and the prefix of its text form ("DNS:a"): the one place that
 * pairs them.
 */
static const struct {
	enum san_type			 type;
	gnutls_x509_subject_alt_name_t	 gnutls;
	const char			*prefix;
} san_kinds[] = {
	{ SAN_DNS, GNUTLS_SAN_DNSNAME, "DNS" },
	{ SAN_IP, GNUTLS_SAN_IPADDRESS, "IP" },
	{ SAN_EMAIL, GNUTLS_SAN_RFC822NAME, "email" },
	{ SAN_URI, GNUTLS_SAN_URI, "URI" },
};

#define SAN_KINDS	(sizeof(san_kinds) / sizeof(san_kinds[0]))

const char *
san_prefix(enum san_type t)
{
	size_t	 i;

	for (i = 0; i < SAN_KINDS; i++)
		if (san_kinds[i].type == t)
			return san_kinds[i].prefix;
	return "?";
}

gnutls_x509_subject_alt_name_t
san_gnutls_type(enum san_type t)
{
	size_t	 i;

	for (i = 0; i < SAN_KINDS; i++)
		if (san_kinds[i].type == t)
			return san_kinds[i].gnutls;
	/* No enum san_type gets here; 0 is no type, which GnuTLS refuses. */
	return (gnutls_x509_subject_alt_name_t)0;
}

int
san_type_from_gnutls(unsigned int gnutls_type, enum san_type *t)
{
	size_t	 i;

	for (i = 0; i < SAN_KINDS; i++)
		if ((unsigned int)san_kinds[i].gnutls == gnutls_type) {
			*t = san_kinds[i].type;
			return 0;
		}
	return -1;
}

const char *
san_gnutls_prefix(unsigned int gnutls_type)
{
	enum san_type	 t;

	if (san_type_from_gnutls(gnutls_type, &t) == -1)
		return "other";
	return san_prefix(t);
}

static bool
printable_ascii(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

/*
 * A host name in the preferred name syntax (RFC 1034 3.5, RFC 1123
 * 2.1), lowercased into out.  A wildcard is allowed only as the whole
 * leftmost label, and only over two labels or more (RFC 6125 6.4.3).
 */
static int
dns_check(const char *what, const char *s, bool wildcard_ok, char *out,
    struct cakit_err *err)
{
	size_t		 len = strlen(s), i, label = 0, nlabels = 0;
	const char	*p, *last = s;
	bool		 numeric_tld = true;
	unsigned char	 ip[16];

	if (len == 0) {
		err_set(err, "%s '': empty name", what);
		return -1;
	}
	if (len > DNS_MAX) {
		err_set(err, "%s '%.64s...': longer than %d characters",
		    what, s, DNS_MAX);
		return -1;
	}
	if (inet_pton(AF_INET, s, ip) == 1 || inet_pton(AF_INET6, s, ip) == 1) {
		err_set(err, "%s '%s': an IP address is not a DNS name; "
		    "use --ip", what, s);
		return -1;
	}
	if (s[len - 1] == '.') {
		err_set(err, "%s '%s': trailing dot", what, s);
		return -1;
	}
	for (i = 0, p = s; i <= len; i++, p++) {
		if (*p == '.' || *p == '\0') {
			if (label == 0) {
				err_set(err, "%s '%s': empty label", what, s);
				return -1;
			}
			if (*last == '-' || p[-1] == '-') {
				err_set(err, "%s '%s': a label starts or ends "
				    "with '-'", what, s);
				return -1;
			}
			nlabels++;
			label = 0;
			last = p + 1;
			continue;
		}
		if (++label > LABEL_MAX) {
			err_set(err, "%s '%.64s...': a label is longer than "
			    "%d characters", what, s, LABEL_MAX);
			return -1;
		}
		if (*p == '*') {
			if (!wildcard_ok || p != s || (p[1] != '.')) {
				err_set(err, "%s '%s': a wildcard must be the "
				    "whole leftmost label", what, s);
				return -1;
			}
			continue;
		}
		if ((unsigned char)*p >= 0x80) {
			err_set(err, "%s '%.64s': not ASCII; use the IDNA "
			    "A-label (xn--) form", what, s);
			return -1;
		}
		if (!isalnum((unsigned char)*p) && *p != '-') {
			err_set(err, "%s '%.64s': invalid character '%c' "
			    "(letters, digits and '-' only)", what, s,
			    isprint((unsigned char)*p) ? *p : '?');
			return -1;
		}
	}
	/* The last label: a top-level domain is never all digits. */
	for (p = strrchr(s, '.') ? strrchr(s, '.') + 1 : s; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			numeric_tld = false;
	if (numeric_tld) {
		err_set(err, "%s '%s': the last label is all digits", what, s);
		return -1;
	}
	if (s[0] == '*' && nlabels < 3) {
		err_set(err, "%s '%s': a wildcard needs at least two labels "
		    "after it", what, s);
		return -1;
	}
	for (i = 0; i <= len; i++)
		out[i] = tolower((unsigned char)s[i]);
	return 0;
}

static int
email_check(const char *s, char *out, struct cakit_err *err)
{
	const char	*at;
	size_t		 local;

	if ((at = strchr(s, '@')) == NULL || strchr(at + 1, '@') != NULL) {
		err_set(err, "rfc822Name '%.64s': not local@domain", s);
		return -1;
	}
	local = at - s;
	if (local == 0 || local > EMAIL_LOCAL_MAX ||
	    !printable_ascii(s, local) || strpbrk(s, "()<>[]:;,\\\"") != NULL) {
		err_set(err, "rfc822Name '%.64s': invalid local part", s);
		return -1;
	}
	memcpy(out, s, local + 1);
	return dns_check("rfc822Name domain", at + 1, false, out + local + 1,
	    err);
}

static int
uri_check(const char *s, struct cakit_err *err)
{
	const char	*p;

	if (strlen(s) > URI_MAX || !printable_ascii(s, strlen(s))) {
		err_set(err, "uniformResourceIdentifier '%.64s': not a URI "
		    "of printable ASCII", s);
		return -1;
	}
	for (p = s; *p != ':'; p++) {
		if (*p == '\0' || !(isalpha((unsigned char)*p) ||
		    (p > s && (isdigit((unsigned char)*p) || *p == '+' ||
		    *p == '-' || *p == '.')))) {
			err_set(err, "uniformResourceIdentifier '%.64s': "
			    "no scheme (RFC 3986)", s);
			return -1;
		}
	}
	if (p == s || p[1] == '\0') {
		err_set(err, "uniformResourceIdentifier '%.64s': no scheme "
		    "or nothing after it", s);
		return -1;
	}
	return 0;
}

static bool
san_has(const struct san_list *l, enum san_type t, const char *value)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].type == t && strcmp(l->v[i].value, value) == 0)
			return true;
	return false;
}

static int
san_push(struct san_list *l, enum san_type t, char *value,
    const unsigned char *ip, size_t iplen, struct cakit_err *err)
{
	struct san	*s;

	if (san_has(l, t, value)) {
		free(value);
		return 0;
	}
	if (l->n == SAN_MAX) {
		err_set(err, "more than %d subject alternative names",
		    SAN_MAX);
		free(value);
		return -1;
	}
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->type = t;
	s->value = value;
	if (iplen > 0)
		memcpy(s->ip, ip, iplen);
	s->iplen = iplen;
	return 0;
}

/*
 * Validate one name given as text (len bytes, which must hold no NUL)
 * and append its canonical form; duplicates are dropped.
 */
int
san_add(struct san_list *l, enum san_type t, const char *text, size_t len,
    struct cakit_err *err)
{
	char		*s = NULL, *out = NULL, ipbuf[INET6_ADDRSTRLEN];
	unsigned char	 ip[16];
	size_t		 iplen = 0;
	int		 rc = -1;

	if (memchr(text, '\0', len) != NULL) {
		err_set(err, "%s name '%.*s': contains a NUL byte",
		    san_prefix(t), (int)strnlen(text, len), text);
		return -1;
	}
	s = xstrndup(text, len);
	out = xcalloc(len + 1, 1);
	switch (t) {
	case SAN_DNS:
		if (dns_check("dNSName", s, true, out, err) == -1)
			goto out;
		break;
	case SAN_IP:
		if (inet_pton(AF_INET, s, ip) == 1)
			iplen = 4;
		else if (inet_pton(AF_INET6, s, ip) == 1)
			iplen = 16;
		else {
			err_set(err, "iPAddress '%.64s': not an IPv4 or IPv6 "
			    "address", s);
			goto out;
		}
		inet_ntop(iplen == 4 ? AF_INET : AF_INET6, ip, ipbuf,
		    sizeof(ipbuf));
		free(out);
		out = xstrdup(ipbuf);
		break;
	case SAN_EMAIL:
		if (email_check(s, out, err) == -1)
			goto out;
		break;
	case SAN_URI:
		if (uri_check(s, err) == -1)
			goto out;
		memcpy(out, s, len + 1);
		break;
	}
	rc = san_push(l, t, out, ip, iplen, err);
	out = NULL;
out:
	free(out);
	free(s);
	return rc;
}

/* A name as GnuTLS hands it over from a request. */
int
san_add_raw(struct san_list *l, gnutls_x509_subject_alt_name_t type,
    const unsigned char *data, size_t len, struct cakit_err *err)
{
	enum san_type	 t;
	char		 ipbuf[INET6_ADDRSTRLEN];

	if (san_type_from_gnutls(type, &t) == -1) {
		err_set(err, "unsupported subject alternative name type %d",
		    (int)type);
		return -1;
	}
	if (t != SAN_IP)
		return san_add(l, t, (const char *)data, len, err);
	if (len != 4 && len != 16) {
		err_set(err, "iPAddress of %zu octets: must be 4 (IPv4) or 16 "
		    "(IPv6)", len);
		return -1;
	}
	inet_ntop(len == 4 ? AF_INET : AF_INET6, data, ipbuf, sizeof(ipbuf));
	return san_add(l, SAN_IP, ipbuf, strlen(ipbuf), err);
}

int
san_list_copy(struct san_list *dst, const struct san_list *src)
{
	size_t	 i;

	for (i = 0; i < src->n; i++)
		if (san_push(dst, src->v[i].type, xstrdup(src->v[i].value),
		    src->v[i].ip, src->v[i].iplen, NULL) == -1)
			return -1;
	return 0;
}

/* A name as GnuTLS takes it: an address in octets, the rest as text. */
void
san_datum(const struct san *s, gnutls_datum_t *d)
{
	if (s->type == SAN_IP) {
		d->data = (unsigned char *)s->ip;
		d->size = s->iplen;
	} else {
		d->data = (unsigned char *)s->value;
		d->size = strlen(s->value);
	}
}

/* TLS clients match DNS and IP names only (RFC 6125); CN is ignored. */
bool
san_list_has_host(const struct san_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].type == SAN_DNS || l->v[i].type == SAN_IP)
			return true;
	return false;
}

/* "DNS:a<sep>IP:b": the caller frees the string. */
char *
san_list_join(const struct san_list *l, const char *sep)
{
	struct buf	 b = { 0 };
	size_t		 i;

	for (i = 0; i < l->n; i++)
		buf_printf(&b, "%s%s:%s", i > 0 ? sep : "",
		    san_prefix(l->v[i].type), l->v[i].value);
	return buf_str(&b);
}

/* The inverse of san_list_join with a newline separator. */
int
san_list_parse(struct san_list *l, const char *text, struct cakit_err *err)
{
	const char	*p = text, *end, *colon;
	size_t		 i, plen;

	while (*p != '\0') {
		if ((end = strchr(p, '\n')) == NULL)
			end = p + strlen(p);
		if ((colon = memchr(p, ':', end - p)) == NULL) {
			err_set(err, "ledger: malformed name list");
			return -1;
		}
		plen = colon - p;
		for (i = 0; i < SAN_KINDS; i++)
			if (strlen(san_kinds[i].prefix) == plen &&
			    strncmp(p, san_kinds[i].prefix, plen) == 0)
				break;
		if (i == SAN_KINDS) {
			err_set(err, "ledger: malformed name list");
			return -1;
		}
		if (san_add(l, san_kinds[i].type, colon + 1, end - colon - 1,
		    err) == -1)
			return -1;
		p = *end == '\0' ? end : end + 1;
	}
	return 0;
}

void
san_list_free(struct san_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].value);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/*
 * An address range for nameConstraints: "10.0.0.0/8" or "fd00::/8",
 * kept as address then mask (RFC 5280 4.2.1.10).
 */
int
san_add_cidr(struct san_list *l, const char *text, struct cakit_err *err)
{
	char		*addr, *slash, buf[INET6_ADDRSTRLEN + 8];
	unsigned char	 ip[32];
	long long	 bits;
	size_t		 len, i;
	int		 rc = -1;

	memset(ip, 0, sizeof(ip));
	addr = xstrdup(text);
	if ((slash = strchr(addr, '/')) == NULL) {
		err_set(err, "'%.64s': not an address range (ADDR/BITS)", text);
		goto out;
	}
	*slash++ = '\0';
	if (inet_pton(AF_INET, addr, ip) == 1)
		len = 4;
	else if (inet_pton(AF_INET6, addr, ip) == 1)
		len = 16;
	else {
		err_set(err, "'%.64s': not an IPv4 or IPv6 address range",
		    text);
		goto out;
	}
	if (opt_number(slash, 0, len * 8, &bits) == -1) {
		err_set(err, "'%.64s': the prefix length must be 0 to %zu",
		    text, len * 8);
		goto out;
	}
	for (i = 0; i < len; i++) {
		long long b = bits - (long long)i * 8;
		unsigned char m = b >= 8 ? 0xff : b <= 0 ? 0 :
		    (unsigned char)(0xff << (8 - b));

		ip[len + i] = m;
		if (ip[i] & ~m) {
			err_set(err, "'%.64s': host bits are set; use the "
			    "network address", text);
			goto out;
		}
	}
	inet_ntop(len == 4 ? AF_INET : AF_INET6, ip, buf, sizeof(buf));
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%lld", bits);
	rc = san_push(l, SAN_IP, xstrdup(buf), ip, len * 2, err);
out:
	free(addr);
	return rc;
}
