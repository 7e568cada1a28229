/*
 * A CA directory: ca.crt, ca.key, the ledger, crl.pem and, for an
 * intermediate, chain.pem with the issuers above it.  ca-init publishes
 * ca.crt last, so a directory without it is never taken for a CA.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cakit.h"

/*
 * The i-th name of the CA's files: those of ca_head, the ledger's kept
 * files and, with CA_FILES_ALL, its transient ones, then ca_tail.
 */
const char *
ca_file(size_t i, int flags)
{
	static const char *const ca_head[] = { CA_KEY };
	static const char *const ca_tail[] = { CA_CRL, CA_CHAIN, CA_CRT };
	const struct ledger_files	*lf = ledger_files();
	const char *const		*lists[2];
	size_t				 j, n;

	if (i < sizeof(ca_head) / sizeof(ca_head[0]))
		return ca_head[i];
	i -= sizeof(ca_head) / sizeof(ca_head[0]);
	lists[0] = lf->kept;
	lists[1] = flags & CA_FILES_ALL ? lf->transient : NULL;
	for (j = 0; j < 2 && lists[j] != NULL; j++) {
		for (n = 0; lists[j][n] != NULL; n++)
			if (i == n)
				return lists[j][n];
		i -= n;
	}
	return i < sizeof(ca_tail) / sizeof(ca_tail[0]) ? ca_tail[i] : NULL;
}

/* Refuse a CA directory that others may write to. */
int
ca_check_dir_mode(const char *dir, struct cakit_err *err)
{
	struct stat	 st;

	if (stat(dir, &st) == -1) {
		err_set(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		err_set(err, "%s: the CA directory is writable by others "
		    "(mode %04o); chmod go-w it", dir,
		    (unsigned int)st.st_mode & 07777);
		return -1;
	}
	return 0;
}

/* Refuse a CA whose key others could read or whose files others write. */
static int
ca_check_modes(const char *dir, struct cakit_err *err)
{
	struct stat	 st;
	char		*key;
	int		 rc = -1;

	if (ca_check_dir_mode(dir, err) == -1)
		return -1;
	key = file_join(dir, CA_KEY);
	if (lstat(key, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			err_set(err, "%s: not a regular file", key);
			goto out;
		}
		if (st.st_mode & 077) {
			err_set(err, "%s: mode %04o lets others read the CA "
			    "key; chmod 600 it", key,
			    (unsigned int)st.st_mode & 07777);
			goto out;
		}
	}
	rc = 0;
out:
	free(key);
	return rc;
}

/*
 * Whether dir holds files of a CA but no ca.crt: an incomplete CA,
 * described into err with what is there, what is missing and what to
 * do.  No command deletes or completes one: its files may be all that
 * is left of a CA whose certificate was moved or lost.
 */
bool
ca_incomplete(const char *dir, struct cakit_err *err)
{
	struct buf	 b = { 0 };
	const char	*name;
	char		*p;
	size_t		 i;
	bool		 found = false;

	for (i = 0; (name = ca_file(i, CA_FILES_ALL)) != NULL; i++) {
		if (strcmp(name, CA_CRT) == 0)
			continue;
		p = file_join(dir, name);
		if (file_exists(p)) {
			buf_printf(&b, "%s%s", found ? ", " : "", name);
			found = true;
		}
		free(p);
	}
	if (found) {
		buf_addc(&b, '\0');
		err_set(err, "%s: incomplete CA: has %s; missing %s; restore "
		    "it or move the directory away", dir, (char *)b.p, CA_CRT);
	}
	buf_free(&b);
	return found;
}

/* dir holds a CA: a directory with ca.crt, and modes that keep it. */
static int
ca_check_dir(const char *dir, struct cakit_err *err)
{
	struct stat	 st;
	char		*crt;
	int		 ret, saved;

	/* A permission problem is not a missing CA: say what failed. */
	if (stat(dir, &st) == -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			err_set(err, "%s: no such CA directory; create one "
			    "with ca-init", dir);
		else
			err_set(err, "%s: cannot read the CA directory: %s",
			    dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		err_set(err, "%s: not a directory", dir);
		return -1;
	}
	crt = file_join(dir, CA_CRT);
	ret = lstat(crt, &st);
	saved = errno;
	if (ret == -1 && saved != ENOENT)
		err_set(err, "%s: cannot read: %s", crt, strerror(saved));
	free(crt);
	if (ret == 0)
		return ca_check_modes(dir, err);
	if (saved != ENOENT)
		return -1;
	/*
	 * Only the leftovers of an interrupted ca-init may be cleared by
	 * running it again; anything else is the user's.
	 */
	if (init_interrupted(dir))
		err_set(err, "%s: incomplete CA left by an interrupted "
		    "ca-init; run ca-init again, which removes what it left "
		    "and starts over", dir);
	else if (!ca_incomplete(dir, err))
		err_set(err, "%s: not a CA directory (no %s); create one with "
		    "ca-init", dir, CA_CRT);
	return -1;
}

/* The CA's key, with the passphrase in passfile, if any: it must match. */
static int
ca_load_key(struct ca *ca, const char *passfile, struct cakit_err *err)
{
	gnutls_pubkey_t	 kpub = NULL, cpub = NULL;
	char		*path, *pass = NULL;
	int		 ret, rc = -1;

	path = file_join(ca->dir, CA_KEY);
	if (passfile != NULL &&
	    file_read_passphrase(passfile, &pass, err) == -1)
		goto out;
	if ((ca->key = key_load(path, pass, err)) == NULL)
		goto out;
	if ((ret = gnutls_pubkey_init(&kpub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(kpub, ca->key, 0, 0)) < 0 ||
	    (ret = gnutls_pubkey_init(&cpub)) < 0 ||
	    (ret = gnutls_pubkey_import_x509(cpub, ca->crt, 0)) < 0) {
		err_gnutls(err, ret, "%s", path);
		goto out;
	}
	if (!key_matches(kpub, cpub)) {
		err_set(err, "%s does not match %s/%s", path, ca->dir, CA_CRT);
		goto out;
	}
	rc = 0;
out:
	gnutls_pubkey_deinit(kpub);
	gnutls_pubkey_deinit(cpub);
	if (pass != NULL)
		file_secret_free(pass, strlen(pass));
	free(path);
	return rc;
}

/*
 * Open the CA in dir.  Without CA_OPEN_NOKEY the key is loaded (with
 * the passphrase in passfile, if any) and must match the certificate.
 * Freed with ca_free.
 */
struct ca *
ca_open(const char *dir, int flags, const char *passfile,
    struct cakit_err *err)
{
	struct ca	*ca;
	char		*path = NULL;

	ca = xcalloc(1, sizeof(*ca));
	ca->dir = xstrdup(dir);
	ca->settings.issued_at = -1;
	if (ca_check_dir(dir, err) == -1)
		goto fail;
	path = file_join(dir, CA_CRT);
	if ((ca->crt = cert_load(path, err)) == NULL)
		goto fail;
	if (!(flags & CA_OPEN_NOKEY) && ca_load_key(ca, passfile, err) == -1)
		goto fail;
	if ((ca->ledger = ledger_open(dir, err)) == NULL ||
	    ledger_settings_load(ca->ledger, &ca->settings, err) == -1)
		goto fail;
	free(path);
	path = file_join(dir, CA_CHAIN);
	if (file_exists(path) &&
	    cert_load_list(path, &ca->chain, &ca->nchain, err) == -1)
		goto fail;
	free(path);
	return ca;
fail:
	free(path);
	ca_free(ca);
	return NULL;
}

void
ca_free(struct ca *ca)
{
	if (ca == NULL)
		return;
	gnutls_x509_crt_deinit(ca->crt);
	gnutls_privkey_deinit(ca->key);
	key_token_done();
	ledger_free(ca->ledger);
	cert_list_free(ca->chain, ca->nchain);
	ledger_settings_clear(&ca->settings);
	free(ca->dir);
	free(ca);
}

/*
 * Refuse an output path that is one of the CA's own files, which
 * writing would destroy (ca-sign -o ca/ca.crt), however it is spelt:
 * through "..", a symbolic link or a hard link (file_same).
 */
int
ca_check_output(const struct ca *ca, const char *path, struct cakit_err *err)
{
	const char	*name;
	char		*p;
	size_t		 i;
	bool		 same;

	for (i = 0; (name = ca_file(i, CA_FILES_ALL)) != NULL; i++) {
		p = file_join(ca->dir, name);
		same = file_same(path, p);
		free(p);
		if (same) {
			err_set(err, "%s: that is the CA's own %s; write it "
			    "elsewhere", path, name);
			return -1;
		}
	}
	return 0;
}

/* A CA can issue only while its own certificate is valid. */
int
ca_check_usable(const struct ca *ca, time_t now, struct cakit_err *err)
{
	char	 when[32];
	time_t	 t;

	if ((t = gnutls_x509_crt_get_expiration_time(ca->crt)) <= now) {
		json_time_rfc3339(t, when);
		err_set(err, "%s: the CA certificate expired on %s; it can "
		    "no longer issue", ca->dir, when);
		return -1;
	}
	if ((t = gnutls_x509_crt_get_activation_time(ca->crt)) > now) {
		json_time_rfc3339(t, when);
		err_set(err, "%s: the CA certificate is not valid before %s",
		    ca->dir, when);
		return -1;
	}
	return 0;
}

/*
 * The ledger row for a serial number or a certificate file.  A file
 * must hold exactly the certificate this CA recorded under its serial.
 * Clear row with ledger_row_clear.
 */
int
ca_lookup(struct ca *ca, const char *arg, struct ledger_row *row,
    struct cakit_err *err)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_datum_t		 der = { NULL, 0 };
	struct serial		 s;
	char			 hex[SERIAL_HEXLEN + 1];
	bool			 from_file;
	int			 ret, rc = -1;

	memset(row, 0, sizeof(*row));
	from_file = strchr(arg, '/') != NULL || file_exists(arg);
	if (from_file) {
		if ((crt = cert_load(arg, err)) == NULL ||
		    serial_from_crt(crt, &s, err) == -1 ||
		    cert_export(crt, GNUTLS_X509_FMT_DER, &der, err) == -1)
			goto out;
	} else if (serial_parse(arg, &s, err) == -1)
		goto out;
	serial_hex(&s, hex);
	if ((ret = ledger_get(ca->ledger, hex, row, err)) == -1)
		goto out;
	if (ret == 1) {
		if (from_file)
			err_set(err, "%s: not issued by the CA in %s (serial "
			    "%s is not in its ledger)", arg, ca->dir, hex);
		else
			err_set(err, "serial %s: not in the ledger of %s", hex,
			    ca->dir);
		goto out;
	}
	if (from_file && (row->der.size != der.size ||
	    memcmp(row->der.data, der.data, der.size) != 0)) {
		err_set(err, "%s: not issued by the CA in %s (its serial %s "
		    "belongs to another certificate)", arg, ca->dir, hex);
		ledger_row_clear(row);
		goto out;
	}
	rc = 0;
out:
	gnutls_free(der.data);
	gnutls_x509_crt_deinit(crt);
	return rc;
}
