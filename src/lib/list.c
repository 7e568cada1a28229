/*
 * ca-list: the ledger as a table, JSON or OpenSSL's index.txt, and the
 * monitoring check of the CRL's and the CA's own expiry.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cakit.h"

struct list_state {
	FILE		*out;
	enum list_format format;
	time_t		 now;
	size_t		 n;
};

static void
print_table(FILE *out, const struct ledger_row *r, time_t now)
{
	struct buf	 subject = { 0 }, sans = { 0 };
	char		 when[32], *p, *joined;

	json_time_rfc3339(r->not_after, when);
	joined = xstrdup(r->sans[0] != '\0' ? r->sans : "-");
	for (p = joined; *p != '\0'; p++)
		if (*p == '\n')
			*p = ',';
	text_visible(&subject, r->subject[0] != '\0' ? r->subject : "-");
	text_visible(&sans, joined);
	free(joined);
	fprintf(out, "%-40s  %-7s  %-20s  %-7s  %s  %s\n", r->serial,
	    status_name(row_status(r, now)), when, profile_name(r->profile),
	    buf_str(&subject), buf_str(&sans));
	buf_free(&subject);
	buf_free(&sans);
}

/* OpenSSL's short names for index.txt's "/CN=x/O=y" subjects. */
static const char *
short_name(const char *oid)
{
	static const struct {
		const char	*oid;
		const char	*name;
	} names[] = {
		{ "2.5.4.3", "CN" }, { "2.5.4.6", "C" }, { "2.5.4.7", "L" },
		{ "2.5.4.8", "ST" }, { "2.5.4.10", "O" }, { "2.5.4.11", "OU" },
		{ "2.5.4.5", "serialNumber" },
		{ "0.9.2342.19200300.100.1.25", "DC" },
		{ "0.9.2342.19200300.100.1.1", "UID" },
		{ "1.2.840.113549.1.9.1", "emailAddress" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(oid, names[i].oid) == 0)
			return names[i].name;
	return oid;
}

static void
print_index_dn(FILE *out, const gnutls_datum_t *der)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_x509_dn_t	 dn;
	gnutls_x509_ava_st	 ava;
	char			 oid[128];
	int			 irdn, iava;
	unsigned int		 i;

	if (gnutls_x509_crt_init(&crt) < 0 ||
	    gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_x509_crt_get_subject(crt, &dn) < 0) {
		fputs("/", out);
		goto out;
	}
	for (irdn = 0;; irdn++) {
		for (iava = 0;; iava++) {
			if (gnutls_x509_dn_get_rdn_ava(dn, irdn, iava,
			    &ava) < 0)
				break;
			snprintf(oid, sizeof(oid), "%.*s", (int)ava.oid.size,
			    ava.oid.data);
			fprintf(out, "%s%s=", iava == 0 ? "/" : "+",
			    short_name(oid));
			for (i = 0; i < ava.value.size; i++)
				fputc(ava.value.data[i] < 0x20 ||
				    ava.value.data[i] == '/' ? '?' :
				    ava.value.data[i], out);
		}
		if (iava == 0)
			break;
	}
	if (irdn == 0)
		fputs("/", out);
out:
	gnutls_x509_crt_deinit(crt);
}

static void
index_time(FILE *out, time_t t)
{
	struct tm	 tm;
	char		 s[32];

	gmtime_r(&t, &tm);
	/* UTCTime through 2049, then GeneralizedTime (RFC 5280 4.1.2.5). */
	strftime(s, sizeof(s), "%Y%m%d%H%M%SZ", &tm);
	fputs(tm.tm_year + 1900 < 2050 ? s + 2 : s, out);
}

/* index.txt: status, expiry, revocation[,reason], serial, file, subject. */
static void
print_index(FILE *out, const struct ledger_row *r, time_t now)
{
	static const char *const reasons[] = {
		"unspecified", "keyCompromise", "CACompromise",
		"affiliationChanged", "superseded", "cessationOfOperation",
	};
	enum cert_status	 s = row_status(r, now);
	const char		*p;

	fputc(s == STATUS_REVOKED ? 'R' : s == STATUS_EXPIRED ? 'E' : 'V',
	    out);
	fputc('\t', out);
	index_time(out, r->not_after);
	fputc('\t', out);
	if (s == STATUS_REVOKED) {
		index_time(out, r->revoked_at);
		if (r->reason > 0 && (size_t)r->reason <
		    sizeof(reasons) / sizeof(reasons[0]))
			fprintf(out, ",%s", reasons[r->reason]);
	}
	fputc('\t', out);
	for (p = r->serial; *p != '\0'; p++)
		fputc(*p >= 'a' && *p <= 'f' ? *p - 'a' + 'A' : *p, out);
	fputs("\tunknown\t", out);
	print_index_dn(out, &r->der);
	fputc('\n', out);
}

static int
list_one(const struct ledger_row *r, void *arg)
{
	struct list_state	*s = arg;
	struct buf		 b = { 0 };

	switch (s->format) {
	case LIST_TABLE:
		print_table(s->out, r, s->now);
		break;
	case LIST_JSON:
		row_json(&b, r, s->now, NULL, false);
		fputs(s->n == 0 ? "\n" : ",\n", s->out);
		fwrite(b.p, 1, b.len, s->out);
		buf_free(&b);
		break;
	case LIST_INDEX:
		print_index(s->out, r, s->now);
		break;
	}
	s->n++;
	return ferror(s->out) ? -1 : 0;
}

/* Print the rows f selects to out, streaming: memory stays flat. */
int
list_print(struct ca *ca, struct ledger_filter *f, enum list_format fmt,
    FILE *out, struct cakit_err *err)
{
	struct list_state	 s;
	int			 ret;

	s.out = out;
	s.format = fmt;
	s.now = f->now;
	s.n = 0;
	f->with_der = fmt == LIST_INDEX;
	if (fmt == LIST_TABLE)
		fprintf(out, "%-40s  %-7s  %-20s  %-7s  %s  %s\n", "SERIAL",
		    "STATUS", "NOT_AFTER", "PROFILE", "SUBJECT", "SANS");
	else if (fmt == LIST_JSON)
		fputc('[', out);
	if ((ret = ledger_list(ca->ledger, f, list_one, &s, err)) != 0) {
		if (ret > 0 || err->msg[0] == '\0')
			err_set(err, "standard output: write error");
		return -1;
	}
	if (fmt == LIST_JSON)
		fputs(s.n == 0 ? "]\n" : "\n]\n", out);
	return 0;
}

/*
 * The first octets of the CRL in a PEM file, enough for its dates: the
 * file may hold millions of entries, and only its start is read.
 */
static int
crl_head(const char *path, gnutls_datum_t *der, struct cakit_err *err)
{
	static const char	 begin[] = "-----BEGIN X509 CRL-----";
	struct buf		 b64 = { 0 };
	gnutls_datum_t		 in;
	char			 head[4096], *p;
	ssize_t			 n;
	int			 fd, ret, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((n = read(fd, head, sizeof(head) - 1)) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	head[n] = '\0';
	if ((p = strstr(head, begin)) == NULL) {
		err_set(err, "%s: not a PEM CRL", path);
		goto out;
	}
	for (p += sizeof(begin) - 1; *p != '\0' && *p != '-'; p++)
		if (strchr(" \t\r\n", *p) == NULL)
			buf_addc(&b64, *p);
	/* Whole groups of four characters only: the rest may be cut. */
	in.data = b64.p;
	in.size = b64.len - b64.len % 4;
	if ((ret = gnutls_base64_decode2(&in, der)) < 0) {
		err_gnutls(err, ret, "%s", path);
		goto out;
	}
	rc = 0;
out:
	buf_free(&b64);
	close(fd);
	return rc;
}

/*
 * For monitoring: -1 with the reason in err when the CRL's nextUpdate
 * falls within days, when crl.pem is older than the last CRL the ledger
 * recorded, or when the CA certificate expires within 30 days.
 * Otherwise 0, and status describes both dates.
 */
int
list_check(struct ca *ca, int days, time_t now, char *status, size_t len,
    struct cakit_err *err)
{
	gnutls_datum_t	 der = { NULL, 0 };
	char		*path, next[32], end[32];
	time_t		 tu, nu, ca_end;
	uint64_t	 ledger_number, disk_number;
	int		 rc = -1;

	path = file_join(ca->dir, CA_CRL);
	if (crl_head(path, &der, err) == -1)
		goto out;
	if (crl_times(&der, &tu, &nu, err) == -1) {
		prefix_err(err, path);
		goto out;
	}
	ca_end = gnutls_x509_crt_get_expiration_time(ca->crt);
	json_time_rfc3339(ca_end, end);
	if (nu == (time_t)-1) {
		err_set(err, "%s: the CRL has no nextUpdate", path);
		goto out;
	}
	json_time_rfc3339(nu, next);
	if (nu <= now) {
		err_set(err, "%s: the CRL expired at %s: clients that check "
		    "it are refused; run ca-revoke --crl now", path, next);
		goto out;
	}
	if (nu - now <= (time_t)days * 86400) {
		err_set(err, "%s: the CRL expires at %s, within %d days; run "
		    "ca-revoke --crl", path, next, days);
		goto out;
	}
	/* A CRL writer killed between its commit and its rename. */
	if (crl_ledger_number(ca, &ledger_number, err) == -1)
		goto out;
	if (crl_disk_number(ca->dir, &disk_number) == 1 &&
	    disk_number < ledger_number) {
		err_set(err, "%s: CRL number %llu is behind the ledger's %llu: "
		    "a revocation may be missing from it; run ca-revoke --crl",
		    path, (unsigned long long)disk_number,
		    (unsigned long long)ledger_number);
		goto out;
	}
	if (ca_end - now <= 30 * 86400) {
		err_set(err, "%s: the CA certificate expires at %s, within "
		    "30 days", ca->dir, end);
		goto out;
	}
	snprintf(status, len, "CRL valid until %s; CA certificate valid "
	    "until %s", next, end);
	rc = 0;
out:
	gnutls_free(der.data);
	free(path);
	return rc;
}
