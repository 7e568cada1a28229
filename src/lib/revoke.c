/*
 * Revocation and the CRL.  The CRL number lives in the ledger and moves
 * with the revocations in one transaction; crl.pem is written beside
 * and renamed only after that commit, so it is always a whole CRL and
 * never lists a revocation the ledger lacks.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cakit.h"

static const struct {
	const char	*name;
	int		 code;
} reasons[] = {
	{ "unspecified", 0 },
	{ "keyCompromise", 1 },
	{ "cACompromise", 2 },
	{ "affiliationChanged", 3 },
	{ "superseded", 4 },
	{ "cessationOfOperation", 5 },
	{ "privilegeWithdrawn", 9 },
};

/* An RFC 5280 5.3.1 reason by name, case-insensitively. */
int
reason_parse(const char *s, int *code)
{
	size_t	 i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (strcasecmp(s, reasons[i].name) == 0) {
			*code = reasons[i].code;
			return 0;
		}
	return -1;
}

const char *
reason_name(int code)
{
	size_t	 i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == code)
			return reasons[i].name;
	return "unknown";
}

/*
 * Inside the caller's transaction: take the next CRL number and write
 * the CRL to a temporary beside crl.pem.  Returns the temporary's name
 * (the caller frees it and publishes after committing) or NULL.
 */
char *
crl_prepare(struct ca *ca, time_t now, int days, struct cakit_err *err)
{
	struct crl_source	 src = { NULL, NULL, NULL };
	struct buf		 der = { 0 };
	char			*numtext = NULL, *path = NULL, *tmp = NULL;
	char			 next[32];
	long long		 number;
	int			 ret;

	if ((ret = ledger_meta_get(ca->ledger, "crl_number", &numtext,
	    err)) != 0) {
		if (ret == 1)
			err_set(err, "%s: the ledger has no CRL number", ca->dir);
		goto out;
	}
	if (opt_number(numtext, 0, LLONG_MAX - 1, &number) == -1) {
		err_set(err, "%s: the ledger's CRL number is damaged", ca->dir);
		goto out;
	}
	snprintf(next, sizeof(next), "%lld", ++number);
	if (ledger_meta_set(ca->ledger, "crl_number", next, err) == -1 ||
	    ledger_revoked(ca->ledger, &src, err) == -1 ||
	    crl_build_src(ca->crt, ca->key, &src, number, now,
	    now + (time_t)days * 86400, &der, err) == -1)
		goto out;
	path = file_join(ca->dir, CA_CRL);
	tmp = file_write_temp_pem(path, "X509 CRL", der.p, der.len, 0644, err);
out:
	ledger_revoked_free(&src);
	buf_free(&der);
	free(numtext);
	free(path);
	return tmp;
}

/* Sign and publish a new CRL on its own (ca-init, ca-revoke --crl). */
int
crl_publish(struct ca *ca, time_t now, int days, struct cakit_err *err)
{
	char	*tmp = NULL, *path = NULL;
	int	 rc = -1;

	if (ledger_begin(ca->ledger, err) == -1)
		return -1;
	if ((tmp = crl_prepare(ca, now, days, err)) == NULL) {
		ledger_rollback(ca->ledger);
		goto out;
	}
	if (ledger_commit(ca->ledger, err) == -1) {
		unlink(tmp);
		goto out;
	}
	path = file_join(ca->dir, CA_CRL);
	rc = file_publish(tmp, path, false, err);
out:
	free(tmp);
	free(path);
	return rc;
}

/*
 * A compromised key compromises every certificate that holds it: revoke
 * the others too, in the same transaction.
 */
static int
revoke_same_key(struct ca *ca, const char *serial, time_t now, size_t *done,
    struct cakit_notes *notes, struct cakit_err *err)
{
	char	**same;
	size_t	  n, i;
	int	  rc = 0;

	if (ledger_same_key(ca->ledger, serial, &same, &n, err) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (rc == 0 && ledger_revoke(ca->ledger, same[i], now,
		    REASON_KEY_COMPROMISE, err) == -1)
			rc = -1;
		if (rc == 0) {
			notes_add(notes, "serial %s: holds the same key as %s; "
			    "revoked too (keyCompromise)", same[i], serial);
			(*done)++;
		}
		free(same[i]);
	}
	free(same);
	return rc;
}

/*
 * Revoke every certificate named in args (serials or files) and publish
 * the new CRL.  All names are resolved before anything changes; those
 * already revoked get a note.  *changed says whether anything did.
 */
int
revoke_certs(struct ca *ca, char *const *args, size_t nargs, int reason,
    int crl_days, bool *changed, struct cakit_notes *notes,
    struct cakit_err *err)
{
	struct ledger_row	*rows;
	char			*tmp = NULL, *path = NULL;
	time_t			 now = time(NULL);
	size_t			 i, done = 0;
	bool			 in_tx = false;
	int			 ret, rc = -1;

	*changed = false;
	rows = xcalloc(nargs, sizeof(*rows));
	for (i = 0; i < nargs; i++) {
		if (ca_lookup(ca, args[i], &rows[i], err) == -1)
			goto out;
		if (reason == 2 && rows[i].profile != PROFILE_CA) {
			err_set(err, "serial %s: cACompromise is only for CA "
			    "certificates", rows[i].serial);
			goto out;
		}
	}
	if (ledger_begin(ca->ledger, err) == -1)
		goto out;
	in_tx = true;
	for (i = 0; i < nargs; i++) {
		if ((ret = ledger_revoke(ca->ledger, rows[i].serial, now,
		    reason, err)) == -1)
			goto out;
		if (ret == 1)
			notes_add(notes, "serial %s: already revoked; nothing "
			    "changed", rows[i].serial);
		else
			done++;
		if (reason == REASON_KEY_COMPROMISE &&
		    revoke_same_key(ca, rows[i].serial, now, &done, notes,
		    err) == -1)
			goto out;
	}
	if (done == 0) {
		rc = 0;
		goto out;
	}
	if ((tmp = crl_prepare(ca, now, crl_days, err)) == NULL)
		goto out;
	test_kill_point("revoke-before-commit");
	in_tx = false;
	if (ledger_commit(ca->ledger, err) == -1) {
		unlink(tmp);
		goto out;
	}
	*changed = true;
	test_kill_point("revoke-after-commit");
	path = file_join(ca->dir, CA_CRL);
	if (file_publish(tmp, path, false, err) == -1) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, " (the "
		    "revocation is recorded; run ca-revoke --crl)");
		goto out;
	}
	rc = 0;
out:
	if (in_tx)
		ledger_rollback(ca->ledger);
	for (i = 0; i < nargs; i++)
		ledger_row_clear(&rows[i]);
	free(rows);
	free(tmp);
	free(path);
	return rc;
}
