/*
 * Revocation: certificates marked revoked in the ledger, in the same
 * transaction as the number of the CRL that lists them, which
 * crl-publish.c then puts in place.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cakit.h"

/*
 * Find every certificate named in args (serials or files) before
 * anything changes; cACompromise is for CA certificates only.
 */
static int
revoke_resolve(struct ca *ca, char *const *args, size_t nargs, int reason,
    struct ledger_row *rows, struct cakit_err *err)
{
	size_t	 i;

	for (i = 0; i < nargs; i++) {
		if (ca_lookup(ca, args[i], &rows[i], err) == -1)
			return -1;
		if (reason == CRL_REASON_CA_COMPROMISE &&
		    rows[i].profile != PROFILE_CA) {
			err_set(err, "serial %s: cACompromise is only for CA "
			    "certificates", rows[i].serial);
			return -1;
		}
	}
	return 0;
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
		    CRL_REASON_KEY_COMPROMISE, err) == -1)
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
 * Inside the transaction: mark the rows revoked, counting in *done
 * those that were not already; a note for each that was.
 */
static int
revoke_rows(struct ca *ca, const struct ledger_row *rows, size_t n,
    int reason, time_t now, size_t *done, struct cakit_notes *notes,
    struct cakit_err *err)
{
	size_t	 i;
	int	 ret;

	for (i = 0; i < n; i++) {
		if ((ret = ledger_revoke(ca->ledger, rows[i].serial, now,
		    reason, err)) == -1)
			return -1;
		if (ret == 1)
			notes_add(notes, "serial %s: already revoked; nothing "
			    "changed", rows[i].serial);
		else
			(*done)++;
		if (reason == CRL_REASON_KEY_COMPROMISE &&
		    revoke_same_key(ca, rows[i].serial, now, done, notes,
		    err) == -1)
			return -1;
	}
	return 0;
}

/*
 * Under crl_lock, in one transaction: record the revocations and sign
 * the CRL that lists them into a temporary (*tmp, which the caller
 * frees), then commit.  When nothing is new and crl.pem is not behind
 * the ledger, nothing is committed and *tmp stays NULL.
 */
static int
revoke_commit(struct ca *ca, const struct ledger_row *rows, size_t n,
    int reason, time_t now, int crl_days, size_t *done, char **tmp,
    uint64_t *number, struct cakit_notes *notes, struct cakit_err *err)
{
	bool	 behind;

	*tmp = NULL;
	if (ledger_begin(ca->ledger, err) == -1)
		return -1;
	if (revoke_rows(ca, rows, n, reason, now, done, notes, err) == -1)
		goto fail;
	if (*done == 0) {
		if (crl_behind(ca, &behind, err) == -1)
			goto fail;
		if (!behind) {
			ledger_rollback(ca->ledger);
			return 0;
		}
		notes_add(notes, "%s/%s was older than the ledger; publishing "
		    "a new CRL", ca->dir, CA_CRL);
	}
	if ((*tmp = crl_prepare(ca, now, crl_days, number, err)) == NULL)
		goto fail;
	if (ledger_commit(ca->ledger, err) == -1) {
		file_discard(*tmp);
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	return 0;
fail:
	ledger_rollback(ca->ledger);
	return -1;
}

int
revoke_certs(struct ca *ca, char *const *args, size_t nargs, int reason,
    int crl_days, bool *changed, struct cakit_notes *notes,
    struct cakit_err *err)
{
	struct ledger_row	*rows;
	char			*tmp = NULL;
	time_t			 now;
	size_t			 i, done = 0;
	uint64_t		 number;
	int			 lock = -1, rc = -1;

	*changed = false;
	rows = xcalloc(nargs, sizeof(*rows));
	if (revoke_resolve(ca, args, nargs, reason, rows, err) == -1)
		goto out;
	if ((lock = crl_lock(ca->dir, err)) == -1)
		goto out;
	/* After the wait: a later CRL number never has an earlier time. */
	now = time(NULL);
	if (revoke_commit(ca, rows, nargs, reason, now, crl_days, &done, &tmp,
	    &number, notes, err) == -1)
		goto out;
	if (tmp == NULL) {
		rc = 0;
		goto out;
	}
	*changed = done > 0;
	if (crl_install(ca, tmp, number, err) == -1) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n, " (the "
		    "revocation is recorded; run ca-revoke --crl)");
		goto out;
	}
	rc = 0;
out:
	crl_unlock(lock);
	for (i = 0; i < nargs; i++)
		ledger_row_clear(&rows[i]);
	free(rows);
	free(tmp);
	return rc;
}
