/*
 * Revocation and the CRL.  The CRL number lives in the ledger and moves
 * with the revocations in one transaction; crl.pem is written beside
 * and renamed only after that commit, so it is always a whole CRL and
 * never lists a revocation the ledger lacks.
 *
 * Every writer of crl.pem holds an exclusive lock on the CA directory
 * from before it takes its number until after its rename, so CRLs
 * reach the disk in the order of their numbers, and each one lists
 * every revocation committed before it.  The number taken is above
 * both the ledger's and that of the crl.pem on disk, and a writer that
 * finds crl.pem behind the ledger (a run killed between its commit and
 * its rename) publishes a new one even when it has nothing to revoke.
 */
#include "config.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* How long a CRL writer waits for another one, as for a busy ledger. */
#define CRL_LOCK_WAIT_MS	60000

/*
 * Take the lock that serializes CRL publication in the CA directory:
 * flock(2) on the directory itself, so no file is added to the CA and
 * a killed holder frees it.  Returns the descriptor to close, or -1.
 */
static int
crl_lock(const char *dir, struct cakit_err *err)
{
	struct timespec	 ts = { 0, 10 * 1000000L };
	int		 fd, waited;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		err_set(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (waited = 0; flock(fd, LOCK_EX | LOCK_NB) == -1; waited += 10) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err_set(err, "%s: cannot lock the CA directory: %s",
			    dir, strerror(errno));
			close(fd);
			return -1;
		}
		if (waited >= CRL_LOCK_WAIT_MS) {
			err_set(err, "%s: another process has been publishing "
			    "a CRL for %d s; try again later", dir,
			    CRL_LOCK_WAIT_MS / 1000);
			close(fd);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	test_kill_point("crl-locked");
	return fd;
}

static void
crl_unlock(int fd)
{
	if (fd != -1)
		close(fd);
}

/*
 * The CRL number of the crl.pem in dir: 1 with *number set, 0 when
 * there is no readable, well-formed crl.pem (a writer replaces it).
 */
int
crl_disk_number(const char *dir, uint64_t *number)
{
	gnutls_datum_t	 pem = { NULL, 0 }, der = { NULL, 0 };
	char		*path;
	int		 rc = 0;

	*number = 0;
	path = file_join(dir, CA_CRL);
	if (file_read(path, SIZE_MAX, &pem, NULL) == -1)
		goto out;
	if (gnutls_pem_base64_decode2("X509 CRL", &pem, &der) < 0)
		goto out;
	if (crl_number(&der, number, NULL) == 0)
		rc = 1;
out:
	gnutls_free(der.data);
	free(pem.data);
	free(path);
	return rc;
}

/* The ledger's CRL number: that of the last CRL committed. */
int
crl_ledger_number(struct ca *ca, uint64_t *number, struct cakit_err *err)
{
	return ledger_crl_number(ca->ledger, number, err);
}

/*
 * Inside the caller's transaction, under crl_lock: take the next CRL
 * number, above the ledger's and the one on disk, and write the CRL to
 * a temporary beside crl.pem.  Returns the temporary's name (the
 * caller frees it and publishes it with crl_install after committing)
 * or NULL.  thisUpdate is backdated as a certificate's notBefore, and
 * nextUpdate is days after it.
 */
static char *
crl_prepare(struct ca *ca, time_t now, int days, uint64_t *numberp,
    struct cakit_err *err)
{
	struct crl_source	 src = { NULL, NULL, NULL };
	struct buf		 der = { 0 };
	char			*path = NULL, *tmp = NULL;
	uint64_t		 number, disk;
	time_t			 this_update;

	(void)crl_disk_number(ca->dir, &disk);
	if (ledger_crl_number_next(ca->ledger, disk, &number, err) == -1)
		goto out;
	test_kill_point("crl-numbered");
	this_update = validity_start(now, (time_t)days * 86400, 0, ca->crt);
	if (ledger_revoked(ca->ledger, &src, err) == -1 ||
	    crl_build_src(ca->crt, ca->key, &src, number, this_update,
	    this_update + (time_t)days * 86400, &der, err) == -1)
		goto out;
	path = file_join(ca->dir, CA_CRL);
	tmp = file_write_temp_pem(path, "X509 CRL", der.p, der.len, 0644, err);
	*numberp = number;
	test_kill_point("crl-built");
out:
	ledger_revoked_free(&src);
	buf_free(&der);
	free(path);
	return tmp;
}

/*
 * After the commit, under crl_lock: rename the temporary over crl.pem,
 * unless crl.pem already holds this number or a higher one (only a
 * writer that does not take the lock could have put it there).  The
 * temporary is gone afterwards.
 */
static int
crl_install(struct ca *ca, const char *tmp, uint64_t number,
    struct cakit_err *err)
{
	char		*path;
	uint64_t	 disk;
	int		 rc;

	test_kill_point("crl-committed");
	path = file_join(ca->dir, CA_CRL);
	if (crl_disk_number(ca->dir, &disk) == 1 && disk >= number) {
		err_set(err, "%s: holds CRL number %llu, not below the new "
		    "%llu; left alone", path, (unsigned long long)disk,
		    (unsigned long long)number);
		file_discard(tmp);
		free(path);
		return -1;
	}
	rc = file_publish(tmp, path, false, err);
	free(path);
	if (rc == 0)
		test_kill_point("crl-renamed");
	return rc;
}

/*
 * Under crl_lock: whether crl.pem is missing, unreadable or older than
 * the last CRL the ledger committed, so that a writer must replace it.
 */
static int
crl_behind(struct ca *ca, bool *behind, struct cakit_err *err)
{
	uint64_t	 ledger, disk;

	if (crl_ledger_number(ca, &ledger, err) == -1)
		return -1;
	*behind = crl_disk_number(ca->dir, &disk) == 0 || disk < ledger;
	return 0;
}

/*
 * crl_publish for a caller that holds the directory's lock already:
 * ca-init, whose staging directory is locked for the whole run.
 */
int
crl_publish_locked(struct ca *ca, time_t now, int days, struct cakit_err *err)
{
	char		*tmp = NULL;
	uint64_t	 number;
	int		 rc = -1;

	if (ledger_begin(ca->ledger, err) == -1)
		return -1;
	if ((tmp = crl_prepare(ca, now, days, &number, err)) == NULL) {
		ledger_rollback(ca->ledger);
		goto out;
	}
	if (ledger_commit(ca->ledger, err) == -1) {
		file_discard(tmp);
		goto out;
	}
	rc = crl_install(ca, tmp, number, err);
out:
	free(tmp);
	return rc;
}

/*
 * Sign and publish a new CRL on its own (ca-init, ca-revoke --crl),
 * under the lock, from a transaction of its own.
 */
int
crl_publish(struct ca *ca, time_t now, int days, struct cakit_err *err)
{
	int	 lock, rc;

	if ((lock = crl_lock(ca->dir, err)) == -1)
		return -1;
	rc = crl_publish_locked(ca, now, days, err);
	crl_unlock(lock);
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
 * already revoked get a note.  When nothing is new but crl.pem is
 * behind the ledger, a new CRL is published all the same.  *changed
 * says whether the ledger changed.
 */
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
	bool			 in_tx = false, behind;
	int			 ret, lock = -1, rc = -1;

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
	if ((lock = crl_lock(ca->dir, err)) == -1)
		goto out;
	/* After the wait: a later CRL number never has an earlier time. */
	now = time(NULL);
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
		if (crl_behind(ca, &behind, err) == -1)
			goto out;
		if (!behind) {
			rc = 0;
			goto out;
		}
		notes_add(notes, "%s/%s was older than the ledger; publishing "
		    "a new CRL", ca->dir, CA_CRL);
	}
	if ((tmp = crl_prepare(ca, now, crl_days, &number, err)) == NULL)
		goto out;
	in_tx = false;
	if (ledger_commit(ca->ledger, err) == -1) {
		file_discard(tmp);
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
	if (in_tx)
		ledger_rollback(ca->ledger);
	crl_unlock(lock);
	for (i = 0; i < nargs; i++)
		ledger_row_clear(&rows[i]);
	free(rows);
	free(tmp);
	return rc;
}
