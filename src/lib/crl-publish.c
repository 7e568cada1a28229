/*
 * A CA's crl.pem: reading its head back, numbering and publishing it.
 * The CRL number lives in the ledger and moves with the revocations in
 * one transaction; crl.pem is written beside and renamed only after
 * that commit, so it is always a whole CRL and never lists a
 * revocation the ledger lacks.
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

/*
 * The DER of the first PEM CRL in text: the base64 from its BEGIN line
 * to the next '-' (its END line), gathered in place without the white
 * space, and decoded in whole groups of four characters only, so that
 * a file cut short still gives its start.
 */
static int
pem_crl_der(const char *path, gnutls_datum_t *text, gnutls_datum_t *der,
    struct cakit_err *err)
{
	static const char	 begin[] = "-----BEGIN X509 CRL-----";
	unsigned char		*p, *w, *end = text->data + text->size;
	gnutls_datum_t		 b64;
	int			 ret;

	if ((p = memmem(text->data, text->size, begin,
	    sizeof(begin) - 1)) == NULL) {
		err_set(err, "%s: not a PEM CRL", path);
		return -1;
	}
	w = text->data;
	for (p += sizeof(begin) - 1; p < end && *p != '\0' && *p != '-'; p++)
		if (strchr(" \t\r\n", *p) == NULL)
			*w++ = *p;
	b64.data = text->data;
	b64.size = (w - text->data) - (w - text->data) % 4;
	if ((ret = gnutls_base64_decode2(&b64, der)) < 0) {
		err_gnutls(err, ret, "%s", path);
		return -1;
	}
	return 0;
}

/*
 * Read the PEM CRL at path: its dates, and its number when it has one
 * that can be read.  0, or -1 with err set when the file cannot be read
 * or holds no CRL whose dates can be.
 */
int
crl_head_read(const char *path, struct crl_head *head, struct cakit_err *err)
{
	gnutls_datum_t	 text = { NULL, 0 }, der = { NULL, 0 };
	int		 rc = -1;

	memset(head, 0, sizeof(*head));
	if (file_read(path, SIZE_MAX, &text, err) == -1 ||
	    pem_crl_der(path, &text, &der, err) == -1)
		goto out;
	if (crl_times(&der, &head->this_update, &head->next_update,
	    err) == -1) {
		err_prefix(err, path);
		goto out;
	}
	head->numbered = crl_number(&der, &head->number, NULL) == 0;
	rc = 0;
out:
	gnutls_free(der.data);
	free(text.data);
	return rc;
}

/* How long a CRL writer waits for another one, as for a busy ledger. */
#define CRL_LOCK_WAIT_MS	60000

/*
 * Take the lock that serializes CRL publication in the CA directory:
 * flock(2) on the directory itself, so no file is added to the CA and
 * a killed holder frees it.  Returns the descriptor to close, or -1.
 */
int
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

void
crl_unlock(int fd)
{
	if (fd != -1)
		close(fd);
}

/*
 * The CRL number of the crl.pem in dir: 1 with *number set, 0 when
 * there is no readable, well-formed, numbered crl.pem (a writer
 * replaces it).  Unlike crl_head_read, which reads what it can of a
 * file cut short for ca-list, the PEM must be whole: a crl.pem without
 * its END line is damaged, and the next writer must replace it.
 */
int
crl_disk_number(const char *dir, uint64_t *number)
{
	gnutls_datum_t	 pem = { NULL, 0 }, der = { NULL, 0 };
	char		*path;
	int		 rc = 0;

	*number = 0;
	path = file_join(dir, CA_CRL);
	if (file_read(path, SIZE_MAX, &pem, NULL) == -1 ||
	    gnutls_pem_base64_decode2("X509 CRL", &pem, &der) < 0)
		goto out;
	if (crl_number(&der, number, NULL) == 0)
		rc = 1;
out:
	gnutls_free(der.data);
	free(pem.data);
	free(path);
	return rc;
}

/*
 * Inside the caller's transaction, under crl_lock: take the next CRL
 * number, above the ledger's and the one on disk, and write the CRL to
 * a temporary beside crl.pem.  Returns the temporary's name (the
 * caller frees it and publishes it with crl_install after committing)
 * or NULL.  thisUpdate is backdated as a certificate's notBefore, and
 * nextUpdate is days after it.
 */
char *
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
int
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
int
crl_behind(struct ca *ca, bool *behind, struct cakit_err *err)
{
	uint64_t	 ledger, disk;

	if (ledger_crl_number(ca->ledger, &ledger, err) == -1)
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
