/*
 * ca-list: the ledger as a table, JSON or OpenSSL's index.txt, and the
 * monitoring check of the CRL's and the CA's own expiry.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	    row_status_name(row_status(r, now)), when, profile_name(r->profile),
	    buf_str(&subject), buf_str(&sans));
	buf_free(&subject);
	buf_free(&sans);
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
	struct buf		 dn = { 0 };
	enum cert_status	 s = row_status(r, now);
	const char		*p, *reason;

	fputc(s == STATUS_REVOKED ? 'R' : s == STATUS_EXPIRED ? 'E' : 'V',
	    out);
	fputc('\t', out);
	index_time(out, r->not_after);
	fputc('\t', out);
	if (s == STATUS_REVOKED) {
		index_time(out, r->revoked_at);
		if ((reason = crl_reason_index_name(r->reason)) != NULL)
			fprintf(out, ",%s", reason);
	}
	fputc('\t', out);
	for (p = r->serial; *p != '\0'; p++)
		fputc(*p >= 'a' && *p <= 'f' ? *p - 'a' + 'A' : *p, out);
	fputs("\tunknown\t", out);
	dn_index_subject(&dn, &r->der);
	fwrite(dn.p, 1, dn.len, out);
	fputc('\n', out);
	buf_free(&dn);
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
 * For monitoring: -1 with the reason in err when the CRL's nextUpdate
 * falls within days, when crl.pem is older than the last CRL the ledger
 * recorded, or when the CA certificate expires within 30 days.
 * Otherwise 0, and status describes both dates.
 */
int
list_check(struct ca *ca, int days, time_t now, char *status, size_t len,
    struct cakit_err *err)
{
	struct crl_head	 head;
	char		*path, next[32], end[32];
	time_t		 nu, ca_end;
	uint64_t	 ledger_number;
	int		 rc = -1;

	path = file_join(ca->dir, CA_CRL);
	if (crl_head_read(path, &head, err) == -1)
		goto out;
	nu = head.next_update;
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
	if (ledger_crl_number(ca->ledger, &ledger_number, err) == -1)
		goto out;
	if (head.numbered && head.number < ledger_number) {
		err_set(err, "%s: CRL number %llu is behind the ledger's %llu: "
		    "a revocation may be missing from it; run ca-revoke --crl",
		    path, (unsigned long long)head.number,
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
	free(path);
	return rc;
}
