/*
 * Issuance policy beyond the profiles: the name constraints of every
 * CA in the chain, and the CA's cap on validity.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cakit.h"

#define DEFAULT_DAYS	365

static const char *
type_word(unsigned int type)
{
	switch (type) {
	case GNUTLS_SAN_DNSNAME:
		return "DNS";
	case GNUTLS_SAN_IPADDRESS:
		return "IP";
	case GNUTLS_SAN_RFC822NAME:
		return "email";
	case GNUTLS_SAN_URI:
		return "URI";
	default:
		return "other";
	}
}

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
			buf_printf(b, "%s ", type_word(type));
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
 * Refuse any name outside the nameConstraints of the CA or of a CA
 * above it: verifiers would reject the certificate anyway.
 */
int
policy_check_names(const struct ca *ca, const struct san_list *sans,
    struct cakit_err *err)
{
	static const unsigned int types[] = {
		[SAN_DNS] = GNUTLS_SAN_DNSNAME,
		[SAN_IP] = GNUTLS_SAN_IPADDRESS,
		[SAN_EMAIL] = GNUTLS_SAN_RFC822NAME,
		[SAN_URI] = GNUTLS_SAN_URI,
	};
	gnutls_x509_name_constraints_t	 nc = NULL;
	gnutls_x509_crt_t		 crt;
	gnutls_datum_t			 d;
	struct buf			 rules = { 0 };
	unsigned int			 i;
	size_t				 j;
	int				 ret, rc = -1;
	char				*who;

	for (i = 0; i <= ca->nchain; i++) {
		crt = i == 0 ? ca->crt : ca->chain[i - 1];
		if ((ret = constraints_get(crt, &nc, err)) == -1)
			goto out;
		if (ret == 0)
			continue;
		for (j = 0; j < sans->n; j++) {
			const struct san *s = &sans->v[j];

			san_datum(s, &d);
			if (gnutls_x509_name_constraints_check(nc,
			    types[s->type], &d))
				continue;
			describe(nc, &rules);
			who = cert_subject(crt);
			err_set(err, "%s name '%s' is outside the name "
			    "constraints of %s (%s)", san_prefix(s->type),
			    s->value, who, buf_str(&rules));
			free(who);
			goto out;
		}
	}
	rc = 0;
out:
	buf_free(&rules);
	constraints_free(&nc);
	return rc;
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
 * Which part of the subject of leaf is outside nc, as verifiers judge
 * it, or NULL.  GnuTLS holds a server certificate's CN to DNS
 * constraints when subjectAltName has no DNS name (RFC 6125 6.4.4), and
 * the subject's emailAddress to email constraints (RFC 5280 4.2.1.10);
 * OpenSSL holds any CN that reads as a host name to DNS constraints
 * when subjectAltName has no DNS name, whatever the certificate is for.
 */
static const char *
subject_outside(gnutls_x509_name_constraints_t nc, gnutls_x509_crt_t leaf,
    bool dns_san, struct cakit_err *err)
{
	gnutls_datum_t	 d;
	char		 cn[1024];
	size_t		 len;
	unsigned int	 i;
	int		 ret;

	if (!gnutls_x509_name_constraints_check_crt(nc, GNUTLS_SAN_DNSNAME,
	    leaf))
		return "CN";
	if (!gnutls_x509_name_constraints_check_crt(nc, GNUTLS_SAN_RFC822NAME,
	    leaf))
		return "emailAddress";
	for (i = 0; !dns_san; i++) {
		len = sizeof(cn);
		ret = gnutls_x509_crt_get_dn_by_oid(leaf,
		    GNUTLS_OID_X520_COMMON_NAME, i, 0, cn, &len);
		if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		/* No host name is that long. */
		if (ret == GNUTLS_E_SHORT_MEMORY_BUFFER)
			continue;
		if (ret < 0) {
			err_gnutls(err, ret, "reading the subject's CN");
			return "";
		}
		d.data = (unsigned char *)cn;
		d.size = len;
		if (cn_is_host(cn, len) &&
		    !gnutls_x509_name_constraints_check(nc, GNUTLS_SAN_DNSNAME,
		    &d))
			return "CN";
	}
	return NULL;
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
	gnutls_x509_name_constraints_t	 nc = NULL;
	gnutls_x509_crt_t		 leaf = NULL, crt;
	gnutls_datum_t			 der = { NULL, 0 };
	struct buf			 rules = { 0 };
	const char			*what;
	unsigned int			 i;
	size_t				 j;
	bool				 dns_san = false;
	int				 ret, rc = -1;
	char				*who, *subject;

	for (j = 0; j < sans->n; j++)
		if (sans->v[j].type == SAN_DNS)
			dns_san = true;
	/* GnuTLS reads names from a certificate it decoded, not built. */
	if (cert_export(built, GNUTLS_X509_FMT_DER, &der, err) == -1 ||
	    (leaf = cert_import(&der, err)) == NULL)
		goto out;
	for (i = 0; i <= ca->nchain; i++) {
		crt = i == 0 ? ca->crt : ca->chain[i - 1];
		if ((ret = constraints_get(crt, &nc, err)) == -1)
			goto out;
		if (ret == 0)
			continue;
		if ((what = subject_outside(nc, leaf, dns_san, err)) == NULL)
			continue;
		if (*what != '\0') {
			describe(nc, &rules);
			who = cert_subject(crt);
			subject = cert_subject(leaf);
			err_set(err, "subject '%s' is outside the name "
			    "constraints of %s (%s): verifiers hold its %s to "
			    "them%s", subject, who, buf_str(&rules), what,
			    strcmp(what, "CN") == 0 ? " when subjectAltName "
			    "has no DNS name" : "");
			free(subject);
			free(who);
		}
		goto out;
	}
	rc = 0;
out:
	buf_free(&rules);
	constraints_free(&nc);
	gnutls_x509_crt_deinit(leaf);
	gnutls_free(der.data);
	return rc;
}

/* The validity to grant for a request of days (0: the default). */
int
policy_days(const struct ca *ca, int days, int *out, struct cakit_err *err)
{
	if (days == 0)
		days = ca->max_days > 0 && ca->max_days < DEFAULT_DAYS ?
		    ca->max_days : DEFAULT_DAYS;
	if (ca->max_days > 0 && days > ca->max_days) {
		err_set(err, "--days %d: this CA issues for at most %d days "
		    "(ca-init --max-days)", days, ca->max_days);
		return -1;
	}
	*out = days;
	return 0;
}
