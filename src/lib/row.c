/*
 * Ledger rows as the tools show them: a row that describes a
 * certificate, its status at a given time, and its JSON form.  When and
 * by whom a certificate was issued is not read from the certificate:
 * issuance stamps it (issue_stamp).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cakit.h"

/*
 * Describe crt in r: serial, subject, names (sans, or none), profile,
 * validity, key and DER; status valid, and no stamp (issued_at 0,
 * issued_by NULL).  The caller clears r with ledger_row_clear, on
 * failure too.
 */
int
row_fill(struct ledger_row *r, gnutls_x509_crt_t crt, enum profile p,
    const struct san_list *sans, struct cakit_err *err)
{
	struct serial	 s;

	memset(r, 0, sizeof(*r));
	if (serial_from_crt(crt, &s, err) == -1)
		return -1;
	serial_hex(&s, r->serial);
	r->subject = cert_subject(crt);
	r->sans = sans != NULL ? san_list_join(sans, "\n") : xstrdup("");
	r->profile = p;
	r->not_before = gnutls_x509_crt_get_activation_time(crt);
	r->not_after = gnutls_x509_crt_get_expiration_time(crt);
	r->status = STATUS_VALID;
	if (key_id_crt(crt, r->key_id, err) == -1 ||
	    cert_export(crt, GNUTLS_X509_FMT_DER, &r->der, err) == -1) {
		ledger_row_clear(r);
		return -1;
	}
	return 0;
}

/* Revoked, else expired once notAfter is past, else valid. */
enum cert_status
row_status(const struct ledger_row *r, time_t now)
{
	if (r->status == STATUS_REVOKED)
		return STATUS_REVOKED;
	return r->not_after < now ? STATUS_EXPIRED : STATUS_VALID;
}

/* The names of r->sans, one per line, as a JSON array. */
static void
sans_json(struct buf *b, const char *sans)
{
	const char	*p, *end;
	char		*one;

	buf_addc(b, '[');
	for (p = sans; *p != '\0'; p = *end == '\0' ? end : end + 1) {
		if ((end = strchr(p, '\n')) == NULL)
			end = p + strlen(p);
		one = xstrndup(p, end - p);
		if (p != sans)
			buf_addc(b, ',');
		json_str(b, one);
		free(one);
	}
	buf_addc(b, ']');
}

/* How ca-list and JSON name a status. */
const char *
row_status_name(enum cert_status s)
{
	switch (s) {
	case STATUS_VALID:
		return "valid";
	case STATUS_REVOKED:
		return "revoked";
	case STATUS_EXPIRED:
		return "expired";
	}
	return "unknown";
}

/*
 * Append one JSON object for r, its status taken at now.  files is a
 * NULL-terminated list of name, path pairs (or NULL); with_pem adds
 * the certificate itself.
 */
void
row_json(struct buf *b, const struct ledger_row *r, time_t now,
    const char *const *files, bool with_pem)
{
	gnutls_datum_t	 pem = { NULL, 0 };
	size_t		 i;

	buf_add(b, "{\"serial\":", 10);
	json_str(b, r->serial);
	buf_add(b, ",\"subject\":", 11);
	json_str(b, r->subject);
	buf_add(b, ",\"sans\":", 8);
	sans_json(b, r->sans);
	buf_add(b, ",\"not_before\":", 14);
	json_time(b, r->not_before);
	buf_add(b, ",\"not_after\":", 13);
	json_time(b, r->not_after);
	buf_add(b, ",\"profile\":", 11);
	json_str(b, profile_name(r->profile));
	buf_add(b, ",\"status\":", 10);
	json_str(b, row_status_name(row_status(r, now)));
	if (r->status == STATUS_REVOKED) {
		buf_add(b, ",\"revoked_at\":", 14);
		json_time(b, r->revoked_at);
		buf_add(b, ",\"reason\":", 10);
		json_str(b, crl_reason_name(r->reason));
	}
	if (r->replaces != NULL) {
		buf_add(b, ",\"replaces\":", 12);
		json_str(b, r->replaces);
	}
	if (r->issued_by != NULL) {
		buf_add(b, ",\"issued_at\":", 13);
		json_time(b, r->issued_at);
		buf_add(b, ",\"issued_by\":", 13);
		json_str(b, r->issued_by);
	}
	buf_add(b, ",\"files\":{", 10);
	for (i = 0; files != NULL && files[i] != NULL; i += 2) {
		if (i > 0)
			buf_addc(b, ',');
		json_str(b, files[i]);
		buf_addc(b, ':');
		json_str(b, files[i + 1]);
	}
	buf_addc(b, '}');
	if (with_pem && gnutls_pem_base64_encode2("CERTIFICATE", &r->der,
	    &pem) >= 0) {
		buf_add(b, ",\"pem\":", 7);
		json_str(b, (char *)pem.data);
		gnutls_free(pem.data);
	}
	buf_addc(b, '}');
}
