/*
 * Issuance policy beyond the profiles: the name constraints of every
 * CA in the chain, and the CA's cap on validity.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cakit.h"

#define DEFAULT_DAYS	365

/* "permitted DNS example.com, IP 10.0.0.0/8; excluded DNS x.example.com" */
static void
describe(gnutls_x509_name_constraints_t nc, struct buf *b)
{
	int		(*get[2])(gnutls_x509_name_constraints_t, unsigned int,
			    unsigned int *, gnutls_datum_t *) = {
		gnutls_x509_name_constraints_get_permitted,
		gnutls_x509_name_constraints_get_excluded,
	};
	const char	*word[2] = { "permitted", "excluded" };
	gnutls_datum_t	 d;
	unsigned int	 type, i, j, k, bits;
	char		 ip[INET6_ADDRSTRLEN];

	for (k = 0; k < 2; k++) {
		for (i = 0; get[k](nc, i, &type, &d) >= 0; i++) {
			if (i == 0)
				buf_printf(b, "%s%s ", b->len > 0 ? "; " : "",
				    word[k]);
			else
				buf_printf(b, ", ");
			buf_printf(b, "%s ", san_gnutls_prefix(type));
			if (type == GNUTLS_SAN_IPADDRESS &&
			    (d.size == 8 || d.size == 32)) {
				inet_ntop(d.size == 8 ? AF_INET : AF_INET6,
				    d.data, ip, sizeof(ip));
				for (j = d.size / 2, bits = 0; j < d.size; j++)
					bits += __builtin_popcount(d.data[j]);
				buf_printf(b, "%s/%u", ip, bits);
			} else
				buf_printf(b, "%.*s", (int)d.size, d.data);
		}
	}
}

/* Unlike most GnuTLS deinit functions, this one rejects NULL. */
static void
constraints_free(gnutls_x509_name_constraints_t *nc)
{
	if (*nc != NULL)
		gnutls_x509_name_constraints_deinit(*nc);
	*nc = NULL;
}

/*
 * The nameConstraints of crt into *nc (replacing what it held): 1, or
 * 0 when crt has none, or -1.  *nc is freed with constraints_free.
 */
static int
constraints_get(gnutls_x509_crt_t crt, gnutls_x509_name_constraints_t *nc,
    struct cakit_err *err)
{
	unsigned int	 critical;
	int		 ret;

	constraints_free(nc);
	if ((ret = gnutls_x509_name_constraints_init(nc)) < 0) {
		*nc = NULL;
		err_gnutls(err, ret, "name constraints");
		return -1;
	}
	ret = gnutls_x509_crt_get_name_constraints(crt, *nc, 0, &critical);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		return 0;
	if (ret < 0) {
		err_gnutls(err, ret, "reading name constraints");
		return -1;
	}
	return 1;
}

/*
 * Name constraints as the strictest verifier reads them.  OpenSSL
 * (crypto/x509/v3_ncons.c) and GnuTLS differ: OpenSSL holds an address
 * of either family to the permitted address ranges of the other, and
 * fails a chain on a URI without a host; GnuTLS lets an address of a
 * family without a permitted range through, and refuses every URI under
 * an excluded URI subtree.  Neither reads a wildcard as the names it
 * stands for, though both then accept it for them.  A name is
 * allowed here only when it lies inside a permitted subtree as both
 * read it (OpenSSL's reading below, GnuTLS's by its own check), and
 * outside every excluded subtree under any reading: either verifier's,
 * without regard to case or to a trailing dot, an IPv4-mapped IPv6
 * address as the IPv4 address it maps, and a wildcard as every name it
 * stands for.
 */
#define NC_SYNTAX	(-1)	/* a name OpenSSL fails the chain on */

static bool
eq_nocase(const unsigned char *a, const unsigned char *b, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (tolower(a[i]) != tolower(b[i]))
			return false;
	return true;
}

static void
strip_dots(const unsigned char *s, size_t *len)
{
	while (*len > 0 && s[*len - 1] == '.')
		(*len)--;
}

/* OpenSSL's nc_dns: "" is every name, ".d" the names below d. */
static bool
dns_openssl(const unsigned char *n, size_t nlen, const unsigned char *b,
    size_t blen)
{
	if (blen == 0)
		return true;
	if (nlen < blen)
		return false;
	if (nlen > blen && b[0] != '.' && n[nlen - blen - 1] != '.')
		return false;
	return eq_nocase(n + nlen - blen, b, blen);
}

/*
 * Whether an excluded DNS subtree b covers the name n under any
 * reading.  A wildcard "*.w" stands for every "x.w" with one label x,
 * so "secret.example.com" covers "*.example.com" too.
 */
static bool
dns_covered(const unsigned char *n, size_t nlen, const unsigned char *b,
    size_t blen)
{
	const unsigned char	*w;
	size_t			 wlen;
	bool			 below = false;

	if (dns_openssl(n, nlen, b, blen))
		return true;
	strip_dots(n, &nlen);
	strip_dots(b, &blen);
	if (blen > 0 && b[0] == '.') {
		below = true;
		b++;
		blen--;
	}
	if (blen == 0)
		return true;
	if (!below && nlen == blen && eq_nocase(n, b, blen))
		return true;
	if (nlen > blen && n[nlen - blen - 1] == '.' &&
	    eq_nocase(n + nlen - blen, b, blen))
		return true;
	if (below || nlen < 2 || n[0] != '*' || n[1] != '.')
		return false;
	w = n + 2;
	wlen = nlen - 2;
	return blen > wlen + 1 && b[blen - wlen - 1] == '.' &&
	    eq_nocase(b + blen - wlen, w, wlen) &&
	    memchr(b, '.', blen - wlen - 1) == NULL;
}

/* OpenSSL's nc_email: 1, 0, or NC_SYNTAX for a name without '@'. */
static int
email_openssl(const unsigned char *n, size_t nlen, const unsigned char *b,
    size_t blen)
{
	const unsigned char	*nat, *bat;
	size_t			 nhost;

	if ((nat = memrchr(n, '@', nlen)) == NULL)
		return NC_SYNTAX;
	bat = memrchr(b, '@', blen);
	if (bat == NULL && blen > 0 && b[0] == '.')
		return nlen > blen && eq_nocase(n + nlen - blen, b, blen);
	if (bat != NULL) {
		if (bat != b) {
			if (bat - b != nat - n)
				return 0;
			if (memchr(b, '\0', bat - b) != NULL ||
			    memchr(n, '\0', nat - n) != NULL)
				return NC_SYNTAX;
			/* The local part is compared case-sensitively. */
			if (memcmp(b, n, nat - n) != 0)
				return 0;
		}
		blen -= bat + 1 - b;
		b = bat + 1;
	}
	nhost = nlen - (nat + 1 - n);
	return nhost == blen && eq_nocase(nat + 1, b, blen);
}

static int
email_covered(const unsigned char *n, size_t nlen, const unsigned char *b,
    size_t blen)
{
	int	 r;

	if ((r = email_openssl(n, nlen, b, blen)) != 0)
		return r;
	strip_dots(n, &nlen);
	strip_dots(b, &blen);
	return email_openssl(n, nlen, b, blen) != 0;
}

/*
 * The host of a URI as OpenSSL's nc_uri finds it (after "scheme://", up
 * to ':' or else '/'), and as RFC 3986 3.2.2 does (after any userinfo,
 * up to a port, path, query or fragment).  False when OpenSSL finds
 * none.
 */
static bool
uri_hosts(const unsigned char *n, size_t nlen, const unsigned char **h1,
    size_t *h1len, const unsigned char **h2, size_t *h2len)
{
	const unsigned char	*p, *end = n + nlen, *auth, *q;

	if ((p = memchr(n, ':', nlen)) == NULL || end - p < 3 ||
	    p[1] != '/' || p[2] != '/')
		return false;
	auth = *h1 = p + 3;
	if ((q = memchr(auth, ':', end - auth)) == NULL)
		q = memchr(auth, '/', end - auth);
	*h1len = (q == NULL ? end : q) - auth;
	if (*h1len == 0)
		return false;
	for (q = auth; q < end && *q != '/' && *q != '?' && *q != '#'; q++)
		;
	end = q;
	for (q = auth; q < end; q++)
		if (*q == '@')
			auth = q + 1;
	*h2 = auth;
	if (auth < end && *auth == '[' &&
	    (q = memchr(auth, ']', end - auth)) != NULL)
		q++;
	else if ((q = memchr(auth, ':', end - auth)) == NULL)
		q = end;
	*h2len = q - auth;
	return true;
}

/* OpenSSL's host comparison for URIs: ".d" the hosts below d. */
static bool
uri_host_in(const unsigned char *h, size_t hlen, const unsigned char *b,
    size_t blen)
{
	if (blen > 0 && b[0] == '.')
		return hlen > blen && eq_nocase(h + hlen - blen, b, blen);
	return hlen == blen && eq_nocase(h, b, blen);
}

/* OpenSSL's nc_ip: never an address of one family in a range of the other. */
static int
ip_in(const unsigned char *n, size_t nlen, const unsigned char *b,
    size_t blen)
{
	size_t	 i;

	if ((nlen != 4 && nlen != 16) || (blen != 8 && blen != 32))
		return NC_SYNTAX;
	if (nlen * 2 != blen)
		return 0;
	for (i = 0; i < nlen; i++)
		if ((n[i] ^ b[i]) & b[nlen + i])
			return 0;
	return 1;
}

static int
ip_covered(const unsigned char *n, size_t nlen, const unsigned char *b,
    size_t blen)
{
	static const unsigned char mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	int	 r;

	if ((r = ip_in(n, nlen, b, blen)) != 0)
		return r;
	if (nlen == 16 && memcmp(n, mapped, sizeof(mapped)) == 0)
		return ip_in(n + 12, 4, b, blen) == 1;
	return 0;
}

/*
 * Whether the name d of GnuTLS type type is inside the subtree b: as
 * both verifiers read it for a permitted subtree, as either might for
 * an excluded one.  1, 0, or NC_SYNTAX.
 */
static int
nc_match(unsigned int type, const gnutls_datum_t *d, const gnutls_datum_t *b,
    bool excluded)
{
	const unsigned char	*h1, *h2;
	size_t			 h1len, h2len, blen;

	switch (type) {
	case GNUTLS_SAN_DNSNAME:
		return excluded ? dns_covered(d->data, d->size, b->data,
		    b->size) : dns_openssl(d->data, d->size, b->data, b->size);
	case GNUTLS_SAN_RFC822NAME:
		return excluded ? email_covered(d->data, d->size, b->data,
		    b->size) : email_openssl(d->data, d->size, b->data,
		    b->size);
	case GNUTLS_SAN_IPADDRESS:
		return excluded ? ip_covered(d->data, d->size, b->data,
		    b->size) : ip_in(d->data, d->size, b->data, b->size);
	case GNUTLS_SAN_URI:
		if (!uri_hosts(d->data, d->size, &h1, &h1len, &h2, &h2len))
			return NC_SYNTAX;
		if (!excluded)
			return uri_host_in(h1, h1len, b->data, b->size) &&
			    uri_host_in(h2, h2len, b->data, b->size);
		if (uri_host_in(h1, h1len, b->data, b->size) ||
		    uri_host_in(h2, h2len, b->data, b->size))
			return 1;
		strip_dots(h1, &h1len);
		strip_dots(h2, &h2len);
		blen = b->size;
		strip_dots(b->data, &blen);
		return uri_host_in(h1, h1len, b->data, blen) ||
		    uri_host_in(h2, h2len, b->data, blen);
	default:
		return NC_SYNTAX;
	}
}

/* Whether policy_nc_allows reads subtrees of GnuTLS type type. */
static bool
type_evaluated(unsigned int type)
{
	enum san_type	 t;

	return san_type_from_gnutls(type, &t) == 0;
}

/*
 * Whether the name d, of GnuTLS type type (a DNS name, an email
 * address, a URI as text, an address as 4 or 16 octets), is inside the
 * constraints nc as every verifier reads them.  A constraint of another
 * type (a directoryName, which OpenSSL holds the subject to) is not
 * evaluated here, so it refuses every name.
 */
bool
policy_nc_allows(gnutls_x509_name_constraints_t nc, unsigned int type,
    const gnutls_datum_t *d)
{
	int		(*get[2])(gnutls_x509_name_constraints_t, unsigned int,
			    unsigned int *, gnutls_datum_t *) = {
		gnutls_x509_name_constraints_get_permitted,
		gnutls_x509_name_constraints_get_excluded,
	};
	gnutls_datum_t	 b;
	unsigned int	 k, i, t;
	bool		 permitted = false, inside = false;
	int		 r;

	for (k = 0; k < 2; k++) {
		for (i = 0; get[k](nc, i, &t, &b) >= 0; i++) {
			if (!type_evaluated(t))
				return false;
			if (t != type)
				continue;
			if ((r = nc_match(type, d, &b, k == 1)) == NC_SYNTAX)
				return false;
			if (k == 1 && r)
				return false;
			if (k == 0) {
				permitted = true;
				inside = inside || r;
			}
		}
	}
	if (permitted && !inside)
		return false;
	return gnutls_x509_name_constraints_check(nc, type, d) != 0;
}

/* Whether nc holds a subtree of a type policy_nc_allows does not read. */
static bool
unevaluated(gnutls_x509_name_constraints_t nc)
{
	gnutls_datum_t	 d;
	unsigned int	 i, t;

	for (i = 0; gnutls_x509_name_constraints_get_permitted(nc, i, &t,
	    &d) >= 0; i++)
		if (!type_evaluated(t))
			return true;
	for (i = 0; gnutls_x509_name_constraints_get_excluded(nc, i, &t,
	    &d) >= 0; i++)
		if (!type_evaluated(t))
			return true;
	return false;
}

/*
 * The one message for what a CA's constraints refuse: "<head>the name
 * constraints of <the CA's subject> (<the constraints>)<tail>".
 */
static void
nc_refused(struct cakit_err *err, gnutls_x509_name_constraints_t nc,
    gnutls_x509_crt_t ca_crt, const char *head, const char *tail)
{
	struct buf	 rules = { 0 };
	char		*who;

	describe(nc, &rules);
	who = cert_subject(ca_crt);
	err_set(err, "%sthe name constraints of %s (%s)%s", head, who,
	    buf_str(&rules), tail);
	free(who);
	buf_free(&rules);
}

/*
 * Hand the nameConstraints of each CA that has them, from ca up to the
 * root, to check (with arg) in turn.  Returns 0 when every one passed,
 * or -1 at the first failure, which check or this describes into err.
 */
static int
constraints_each(const struct ca *ca,
    int (*check)(gnutls_x509_name_constraints_t, gnutls_x509_crt_t,
    const void *, struct cakit_err *), const void *arg,
    struct cakit_err *err)
{
	gnutls_x509_name_constraints_t	 nc = NULL;
	gnutls_x509_crt_t		 crt;
	unsigned int			 i;
	int				 ret, rc = -1;

	for (i = 0; i <= ca->nchain; i++) {
		crt = i == 0 ? ca->crt : ca->chain[i - 1];
		if ((ret = constraints_get(crt, &nc, err)) == -1)
			goto out;
		if (ret == 1 && check(nc, crt, arg, err) == -1)
			goto out;
	}
	rc = 0;
out:
	constraints_free(&nc);
	return rc;
}

/* constraints_each's check for the alternative names arg (a san_list). */
static int
names_inside(gnutls_x509_name_constraints_t nc, gnutls_x509_crt_t ca_crt,
    const void *arg, struct cakit_err *err)
{
	const struct san_list	*sans = arg;
	const struct san	*s;
	gnutls_datum_t		 d;
	struct buf		 head = { 0 };
	size_t			 j;

	if (unevaluated(nc)) {
		nc_refused(err, nc, ca_crt, "", " include a kind of name cakit "
		    "does not evaluate, such as directoryName; it issues "
		    "nothing under them");
		return -1;
	}
	for (j = 0; j < sans->n; j++) {
		s = &sans->v[j];
		san_datum(s, &d);
		if (policy_nc_allows(nc, san_gnutls_type(s->type), &d))
			continue;
		buf_printf(&head, "%s name '%s' is outside ",
		    san_prefix(s->type), s->value);
		nc_refused(err, nc, ca_crt, buf_str(&head), "");
		buf_free(&head);
		return -1;
	}
	return 0;
}

/*
 * Refuse any name outside the nameConstraints of the CA or of a CA
 * above it: verifiers would reject the certificate anyway.
 */
int
policy_check_names(const struct ca *ca, const struct san_list *sans,
    struct cakit_err *err)
{
	return constraints_each(ca, names_inside, sans, err);
}

/*
 * Whether a CN reads as a host name, as OpenSSL decides before holding
 * it to DNS name constraints: letters, digits and '_', with '-' and
 * '.' inside, and at least one dot.
 */
static bool
cn_is_host(const char *s, size_t len)
{
	size_t	 i;
	bool	 dot = false;

	for (i = 0; i < len; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_')
			continue;
		if (i == 0 || i == len - 1)
			return false;
		if (s[i] == '-')
			continue;
		if (s[i] == '.' && s[i + 1] != '.' && s[i - 1] != '-' &&
		    s[i + 1] != '-') {
			dot = true;
			continue;
		}
		return false;
	}
	return dot;
}

/*
 * Whether every value of the attribute oid in the subject of leaf is
 * inside nc as a name of type type (a CN only when it reads as a host
 * name).  False with *failed set on an error, described into err.
 */
static bool
attr_inside(gnutls_x509_name_constraints_t nc, gnutls_x509_crt_t leaf,
    const char *oid, unsigned int type, struct cakit_err *err, bool *failed)
{
	gnutls_datum_t	 d;
	char		 v[1024];
	size_t		 len;
	unsigned int	 i;
	int		 ret;

	for (i = 0;; i++) {
		len = sizeof(v);
		ret = gnutls_x509_crt_get_dn_by_oid(leaf, oid, i, 0, v, &len);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			return true;
		/* No host name or mailbox is that long. */
		if (ret == GNUTLS_E_SHORT_MEMORY_BUFFER) {
			if (type == GNUTLS_SAN_RFC822NAME)
				return false;
			continue;
		}
		if (ret < 0) {
			err_gnutls(err, ret, "reading the subject");
			*failed = true;
			return false;
		}
		d.data = (unsigned char *)v;
		d.size = len;
		if (type == GNUTLS_SAN_DNSNAME && !cn_is_host(v, len))
			continue;
		if (!policy_nc_allows(nc, type, &d))
			return false;
	}
}

/*
 * Which part of the subject of leaf is outside nc, as verifiers judge
 * it, or NULL ("" on an error, described into err).  GnuTLS holds a
 * server certificate's CN to DNS constraints when subjectAltName has no
 * DNS name (RFC 6125 6.4.4), and the subject's emailAddress to email
 * constraints (RFC 5280 4.2.1.10); OpenSSL holds every emailAddress to
 * them, and any CN that reads as a host name, in any case, to DNS
 * constraints when subjectAltName has no DNS name, whatever the
 * certificate is for.
 */
static const char *
subject_outside(gnutls_x509_name_constraints_t nc, gnutls_x509_crt_t leaf,
    bool dns_san, struct cakit_err *err)
{
	bool	 failed = false;

	if (!gnutls_x509_name_constraints_check_crt(nc, GNUTLS_SAN_DNSNAME,
	    leaf))
		return "CN";
	if (!gnutls_x509_name_constraints_check_crt(nc, GNUTLS_SAN_RFC822NAME,
	    leaf))
		return "emailAddress";
	if (!attr_inside(nc, leaf, GNUTLS_OID_PKCS9_EMAIL,
	    GNUTLS_SAN_RFC822NAME, err, &failed))
		return failed ? "" : "emailAddress";
	if (!dns_san && !attr_inside(nc, leaf, GNUTLS_OID_X520_COMMON_NAME,
	    GNUTLS_SAN_DNSNAME, err, &failed))
		return failed ? "" : "CN";
	return NULL;
}

/* A certificate as verifiers read it, for subject_inside. */
struct leaf {
	gnutls_x509_crt_t	 crt;
	bool			 dns_san;	/* subjectAltName: a DNS name */
};

/* constraints_each's check for the subject of arg (a struct leaf). */
static int
subject_inside(gnutls_x509_name_constraints_t nc, gnutls_x509_crt_t ca_crt,
    const void *arg, struct cakit_err *err)
{
	const struct leaf	*leaf = arg;
	const char		*what;
	struct buf		 head = { 0 }, tail = { 0 };
	char			*subject;

	if ((what = subject_outside(nc, leaf->crt, leaf->dns_san,
	    err)) == NULL)
		return 0;
	if (*what == '\0')
		return -1;
	subject = cert_subject(leaf->crt);
	buf_printf(&head, "subject '%s' is outside ", subject);
	buf_printf(&tail, ": verifiers hold its %s to them%s", what,
	    strcmp(what, "CN") == 0 ? " when subjectAltName has no DNS name" :
	    "");
	nc_refused(err, nc, ca_crt, buf_str(&head), buf_str(&tail));
	buf_free(&tail);
	buf_free(&head);
	free(subject);
	return -1;
}

/*
 * Hold a certificate just built, with the names sans, to the
 * nameConstraints of the CA and the CAs above it as verifiers do.
 * policy_check_names has passed the alternative names; this is for the
 * subject, which verifiers also read.
 */
int
policy_check_crt(const struct ca *ca, gnutls_x509_crt_t built,
    const struct san_list *sans, struct cakit_err *err)
{
	struct leaf	 leaf = { NULL, false };
	gnutls_datum_t	 der = { NULL, 0 };
	size_t		 j;
	int		 rc = -1;

	for (j = 0; j < sans->n; j++)
		if (sans->v[j].type == SAN_DNS)
			leaf.dns_san = true;
	/* GnuTLS reads names from a certificate it decoded, not built. */
	if (cert_export(built, GNUTLS_X509_FMT_DER, &der, err) == -1 ||
	    (leaf.crt = cert_import(&der, err)) == NULL)
		goto out;
	rc = constraints_each(ca, subject_inside, &leaf, err);
out:
	gnutls_x509_crt_deinit(leaf.crt);
	gnutls_free(der.data);
	return rc;
}

/* The validity to grant for a request of days (0: the default). */
int
policy_days(const struct ca *ca, int days, int *out, struct cakit_err *err)
{
	int	 max = ca->settings.max_days;

	if (days == 0)
		days = max > 0 && max < DEFAULT_DAYS ? max : DEFAULT_DAYS;
	if (max > 0 && days > max) {
		err_set(err, "--days %d: this CA issues for at most %d days "
		    "(ca-init --max-days)", days, max);
		return -1;
	}
	*out = days;
	return 0;
}
