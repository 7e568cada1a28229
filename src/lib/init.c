/*
 * ca-init: a new CA, root or intermediate.  Files appear in an order
 * that makes a crash harmless: ledger, CRL, chain and key first, ca.crt
 * last, so that a directory is a CA exactly when ca.crt exists; an
 * intermediate's row is committed in its parent's ledger before its
 * certificate is published.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cakit.h"

#define CA_DEFAULT_DAYS	3650


static const char *const made_list[] = {
	CA_LEDGER, CA_LEDGER "-wal", CA_LEDGER "-shm", CA_LEDGER "-journal",
	CA_CRL, CA_CHAIN, CA_KEY,
};

static void
remove_made(const char *dir)
{
	char	*p;
	size_t	 i;

	for (i = 0; i < sizeof(made_list) / sizeof(made_list[0]); i++) {
		p = file_join(dir, made_list[i]);
		(void)unlink(p);
		free(p);
	}
}

/*
 * A parent may sign another CA only if no pathLenConstraint above it
 * forbids one more level (RFC 5280 4.2.1.9).
 */
static int
check_path_len(const struct ca *parent, int want, struct cakit_err *err)
{
	bool		 is_ca;
	int		 pl;
	unsigned int	 i;

	if (cert_ca_path_len(parent->crt, &is_ca, &pl) == -1 || !is_ca) {
		err_set(err, "%s: the parent's certificate is not a CA",
		    parent->dir);
		return -1;
	}
	if (pl == 0) {
		err_set(err, "%s: the parent's pathLenConstraint is 0: it "
		    "may not sign another CA", parent->dir);
		return -1;
	}
	if (pl > 0 && want >= pl) {
		err_set(err, "--path-len %d: the parent's pathLenConstraint "
		    "%d allows at most %d", want, pl, pl - 1);
		return -1;
	}
	for (i = 0; i < parent->nchain; i++) {
		if (cert_ca_path_len(parent->chain[i], &is_ca, &pl) == -1)
			continue;
		if (pl >= 0 && pl < (int)i + 2) {
			err_set(err, "%s: a pathLenConstraint of %d above the "
			    "parent forbids another CA level", parent->dir,
			    pl);
			return -1;
		}
	}
	return 0;
}

/* chain.pem of a new intermediate: its parent, then the parent's chain. */
static int
write_chain(const char *dir, const struct ca *parent, struct cakit_err *err)
{
	struct buf	 b = { 0 };
	gnutls_datum_t	 pem = { NULL, 0 };
	char		*path;
	unsigned int	 i;
	int		 rc = -1;

	for (i = 0; i <= parent->nchain; i++) {
		if (cert_export(i == 0 ? parent->crt : parent->chain[i - 1],
		    GNUTLS_X509_FMT_PEM, &pem, err) == -1)
			goto out;
		buf_add(&b, pem.data, pem.size);
		gnutls_free(pem.data);
		pem.data = NULL;
	}
	path = file_join(dir, CA_CHAIN);
	rc = file_write_atomic(path, b.p, b.len, 0644, err);
	free(path);
out:
	buf_free(&b);
	return rc;
}

/* An existing CA: sound enough to open, and described for --json. */
static int
ca_existing(const char *dir, struct ledger_row *row, struct cakit_err *err)
{
	struct ca	*ca;
	int		 rc;

	if ((ca = ca_open(dir, CA_OPEN_NOKEY, NULL, err)) == NULL)
		return -1;
	rc = row_fill(row, ca->crt, PROFILE_CA, NULL, err);
	ca_free(ca);
	return rc;
}

/*
 * Make the CA that o describes.  On success row describes its
 * certificate (the caller clears it) and *existed says whether an
 * existing CA was accepted under exist_ok.  On failure nothing is left.
 */
int
ca_init(const struct ca_init_opts *o, struct ledger_row *row, bool *existed,
    struct cakit_notes *notes, struct cakit_err *err)
{
	struct ca		*parent = NULL, self;
	struct cert_tbs		 t;
	struct serial		 serial;
	gnutls_x509_privkey_t	 xkey = NULL;
	gnutls_privkey_t	 key = NULL;
	gnutls_pubkey_t		 pub = NULL;
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_datum_t		 keypem = { NULL, 0 }, crtpem = { NULL, 0 };
	struct ledger		*ledger = NULL;
	char			*crtpath = NULL, *keypath = NULL;
	char			*dbpath = NULL, *keytmp = NULL, *pass = NULL;
	char			*abs = NULL;
	char			 when[32];
	time_t			 now = time(NULL), end, life;
	bool			 made_dir = false, files_made = false;
	bool			 in_tx = false, in_token = false;
	int			 ret, tries, rc = -1;

	memset(row, 0, sizeof(*row));
	memset(&t, 0, sizeof(t));
	*existed = false;
	crtpath = file_join(o->dir, CA_CRT);
	keypath = file_join(o->dir, CA_KEY);
	dbpath = file_join(o->dir, CA_LEDGER);

	if (file_exists(crtpath)) {
		if (!o->exist_ok) {
			err_set(err, "%s: already holds a CA; refusing to "
			    "overwrite it (--exist-ok accepts it)", o->dir);
			goto out;
		}
		if (ca_existing(o->dir, row, err) == -1)
			goto out;
		*existed = true;
		rc = 0;
		goto out;
	}

	/* Everything that can be refused is checked before a file is made. */
	if (o->parent != NULL) {
		if ((parent = ca_open(o->parent, 0, o->parent_passphrase_file,
		    err)) == NULL ||
		    ca_check_usable(parent, now, err) == -1 ||
		    check_path_len(parent, o->path_len, err) == -1)
			goto out;
	}
	if (o->passphrase_file != NULL &&
	    file_read_passphrase(o->passphrase_file, &pass, err) == -1)
		goto out;

	if (mkdir(o->dir, 0700) == 0)
		made_dir = true;
	else if (errno != EEXIST) {
		err_set(err, "%s: %s", o->dir, strerror(errno));
		goto out;
	} else if (file_exists(keypath) || file_exists(dbpath)) {
		notes_add(notes, "%s: removing an incomplete CA left by an "
		    "interrupted ca-init", o->dir);
		remove_made(o->dir);
	}

	if (o->key_uri != NULL) {
		/* The passphrase file holds the token's PIN. */
		if (pass != NULL)
			key_token_pin(pass);
		if ((key = key_generate_token(o->key_uri, o->key_type,
		    err)) == NULL)
			goto out;
		in_token = true;
	} else if ((xkey = key_generate(o->key_type, err)) == NULL)
		goto out;
	if ((xkey != NULL && ((ret = gnutls_privkey_init(&key)) < 0 ||
	    (ret = gnutls_privkey_import_x509(key, xkey, 0)) < 0)) ||
	    (ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, key, 0, 0)) < 0) {
		err_gnutls(err, ret, "CA key");
		goto out;
	}

	t.profile = PROFILE_CA;
	t.pub = pub;
	t.subject = o->subject;
	t.path_len = o->path_len;
	t.permit = o->permit;
	t.exclude = o->exclude;
	life = (time_t)(o->days > 0 ? o->days : CA_DEFAULT_DAYS) * 86400;
	t.not_before = validity_start(now, life, o->backdate,
	    parent != NULL ? parent->crt : NULL);
	t.not_after = t.not_before + life;
	if (parent != NULL) {
		t.crl_url = parent->crl_url;
		end = gnutls_x509_crt_get_expiration_time(parent->crt);
		if (t.not_after > end) {
			t.not_after = end;
			time_rfc3339(end, when);
			notes_add(notes, "validity cut to end with the parent "
			    "CA certificate on %s", when);
		}
	}

	/*
	 * An intermediate is signed and recorded inside the parent's
	 * transaction, which commits only once every other file is made.
	 */
	if (parent != NULL) {
		if (ledger_begin(parent->ledger, err) == -1)
			goto out;
		in_tx = true;
	}
	for (tries = 0;; tries++) {
		if (tries == 4) {
			err_set(err, "no unused serial number after 4 tries");
			goto out;
		}
		if (serial_new(&serial, err) == -1 ||
		    (crt = cert_build(&t, &serial, parent ? parent->crt : NULL,
		    parent ? parent->key : key, err)) == NULL ||
		    row_fill(row, crt, PROFILE_CA, NULL, err) == -1)
			goto out;
		if (parent == NULL ||
		    (ret = ledger_insert(parent->ledger, row, err)) == 0)
			break;
		if (ret == -1)
			goto out;
		ledger_row_clear(row);
		gnutls_x509_crt_deinit(crt);
		crt = NULL;
	}

	files_made = true;
	if ((ledger = ledger_open(dbpath, true, err)) == NULL ||
	    (o->crl_url != NULL &&
	    ledger_meta_set(ledger, "crl_url", o->crl_url, err) == -1))
		goto out;
	if (o->max_days > 0) {
		snprintf(when, sizeof(when), "%d", o->max_days);
		if (ledger_meta_set(ledger, "max_days", when, err) == -1)
			goto out;
	}
	/* Where the parent lives, for the CRLs of ca-bundle --crl. */
	if (parent != NULL) {
		if ((abs = realpath(o->parent, NULL)) == NULL) {
			err_set(err, "%s: %s", o->parent, strerror(errno));
			goto out;
		}
		if (ledger_meta_set(ledger, "parent_dir", abs, err) == -1)
			goto out;
	}
	memset(&self, 0, sizeof(self));
	self.dir = (char *)o->dir;
	self.crt = crt;
	self.key = key;
	self.ledger = ledger;
	if (crl_publish(&self, now, CRL_DAYS_DEFAULT, err) == -1)
		goto out;
	test_kill_point("init-after-ledger");
	if (parent != NULL && write_chain(o->dir, parent, err) == -1)
		goto out;
	if (o->key_uri != NULL) {
		/* Only the URI: the key never leaves the token. */
		keypem.size = strlen(o->key_uri) + 1;
		keypem.data = xmalloc(keypem.size + 1);
		snprintf((char *)keypem.data, keypem.size + 1, "%s\n",
		    o->key_uri);
	} else if (key_export_pem(xkey, pass, &keypem, err) == -1)
		goto out;
	if ((keytmp = file_write_temp(keypath, keypem.data, keypem.size,
	    0600, err)) == NULL ||
	    file_publish(keytmp, keypath, true, err) == -1)
		goto out;
	if (cert_export(crt, GNUTLS_X509_FMT_PEM, &crtpem, err) == -1)
		goto out;
	test_kill_point("init-after-key");
	if (in_tx) {
		in_tx = false;
		if (ledger_commit(parent->ledger, err) == -1)
			goto out;
		test_kill_point("init-after-parent-commit");
	}
	if (file_write_atomic(crtpath, crtpem.data, crtpem.size, 0644,
	    err) == -1)
		goto out;
	rc = 0;
out:
	if (in_tx)
		ledger_rollback(parent->ledger);
	ledger_free(ledger);
	if (rc == -1) {
		ledger_row_clear(row);
		if (files_made)
			remove_made(o->dir);
		if (made_dir)
			(void)rmdir(o->dir);
		if (in_token)
			(void)gnutls_pkcs11_delete_url(o->key_uri,
			    GNUTLS_PKCS11_OBJ_FLAG_LOGIN);
	}
	key_token_done();
	if (keypem.data != NULL)
		secret_free(keypem.data, keypem.size);
	if (pass != NULL)
		secret_free(pass, strlen(pass));
	gnutls_free(crtpem.data);
	gnutls_x509_crt_deinit(crt);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(key);
	gnutls_x509_privkey_deinit(xkey);
	ca_free(parent);
	free(keytmp);
	free(abs);
	free(crtpath);
	free(keypath);
	free(dbpath);
	return rc;
}
