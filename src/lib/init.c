/*
 * ca-init: a new CA, root or intermediate.  The CA is built in a
 * staging directory of its own inside DIR, .ca-init.XXXXXX, which the
 * run holds locked; its files are then hard-linked into DIR, ca.crt
 * last, so that a directory is a CA exactly when ca.crt exists.  An
 * intermediate's row is committed in its parent's ledger before its
 * certificate is published.
 *
 * Nothing is ever deleted that this run, or an interrupted run of
 * ca-init, did not make: a failure removes the run's own links and its
 * staging directory, and the next run recognises an interrupted run's
 * staging directory (unlocked) and the files in DIR that are links to
 * its files.  Any other CA file in DIR without ca.crt is an incomplete
 * CA, reported and left alone.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cakit.h"

#define CA_DEFAULT_DAYS	3650
#define STAGE_PREFIX	".ca-init."

/* Whether a and b are the same file (one a hard link of the other). */
static bool
same_file(const char *a, const char *b)
{
	struct stat	 sa, sb;

	return lstat(a, &sa) == 0 && lstat(b, &sb) == 0 &&
	    S_ISREG(sa.st_mode) && sa.st_dev == sb.st_dev &&
	    sa.st_ino == sb.st_ino;
}

/* Remove a staging directory: every file in it is a run's own. */
static void
stage_remove(const char *stage)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd;

	if ((fd = open(stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			(void)unlinkat(fd, de->d_name, 0);
	closedir(d);
	(void)rmdir(stage);
}

/*
 * Undo what a run published from stage into dir: each name in dir that
 * is still a link to the staged file, and nothing else.
 */
static void
unpublish(const char *dir, const char *stage)
{
	const char	*name;
	char		*a, *b;
	size_t		 i;

	for (i = 0; (name = ca_file(i, 0)) != NULL; i++) {
		a = file_join(dir, name);
		b = file_join(stage, name);
		if (same_file(a, b))
			(void)unlink(a);
		free(a);
		free(b);
	}
}

/*
 * Whether name is the staging directory of a ca-init in dir (made by
 * this user, not a symlink).
 */
static bool
is_stage(const char *dir, const char *name)
{
	struct stat	 st;
	char		*p;
	bool		 yes;

	if (strncmp(name, STAGE_PREFIX, strlen(STAGE_PREFIX)) != 0)
		return false;
	p = file_join(dir, name);
	yes = lstat(p, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid();
	free(p);
	return yes;
}

/* Whether a ca-init was interrupted in dir (or is running there). */
bool
init_interrupted(const char *dir)
{
	struct dirent	*de;
	DIR		*d;
	bool		 found = false;

	if ((d = opendir(dir)) == NULL)
		return false;
	while (!found && (de = readdir(d)) != NULL)
		found = is_stage(dir, de->d_name);
	closedir(d);
	return found;
}

/*
 * Remove what interrupted runs of ca-init left in dir: their staging
 * directories and, unless dir holds a CA, the files in dir that are
 * links to theirs.  Refuses while another ca-init holds one.
 */
static int
stage_recover(const char *dir, struct cakit_notes *notes,
    struct cakit_err *err)
{
	struct dirent	*de;
	gnutls_datum_t	 uri = { NULL, 0 };
	DIR		*d;
	char		*stage = NULL, *crt, *key, *line;
	bool		 complete;
	int		 fd, rc = -1;

	if ((d = opendir(dir)) == NULL) {
		err_set(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	crt = file_join(dir, CA_CRT);
	complete = file_exists(crt);
	free(crt);
	while ((de = readdir(d)) != NULL) {
		if (!is_stage(dir, de->d_name))
			continue;
		stage = file_join(dir, de->d_name);
		if ((fd = open(stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) == -1) {
			err_set(err, "%s: %s", stage, strerror(errno));
			goto out;
		}
		/* A run holds its lock until it exits, killed or not. */
		if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
			err_set(err, "%s: another ca-init is making a CA here "
			    "(%s); wait for it to finish", dir, de->d_name);
			close(fd);
			goto out;
		}
		if (!complete)
			unpublish(dir, stage);
		key = file_join(stage, CA_KEY);
		if (!complete && file_read(key, 4096, &uri, NULL) == 0 &&
		    uri.size > 7 && memcmp(uri.data, "pkcs11:", 7) == 0) {
			line = xstrndup((char *)uri.data, uri.size);
			notes_add(notes, "%s: an interrupted ca-init may have "
			    "left its key in the token: %.*s", dir,
			    (int)strcspn(line, "\r\n"), line);
			free(line);
		}
		free(key);
		if (uri.data != NULL)
			file_secret_free(uri.data, uri.size);
		uri.data = NULL;
		stage_remove(stage);
		close(fd);
		/* With ca.crt, what it left is only extra names of its files. */
		if (!complete)
			notes_add(notes, "%s: removed what an interrupted "
			    "ca-init left (%s)", dir, de->d_name);
		free(stage);
		stage = NULL;
	}
	rc = 0;
out:
	free(stage);
	closedir(d);
	return rc;
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

/* What the options say of a CA certificate, for pub; validity aside. */
void
init_tbs(const struct ca_init_opts *o, gnutls_pubkey_t pub,
    struct cert_tbs *t)
{
	t->profile = PROFILE_CA;
	t->pub = pub;
	t->subject = o->subject;
	t->path_len = o->path_len;
	t->permit = o->permit;
	t->exclude = o->exclude;
}

/* Hard-link stage/name into dir, never replacing a file there. */
static int
link_in(const char *stage, const char *dir, const char *name,
    struct cakit_err *err)
{
	char	*from, *to;
	int	 rc = 0;

	from = file_join(stage, name);
	to = file_join(dir, name);
	if (link(from, to) == -1) {
		err_set(err, "%s: %s%s", to, strerror(errno), errno == EEXIST ?
		    "; another ca-init may be making a CA here" : "");
		rc = -1;
	}
	free(from);
	free(to);
	return rc;
}

/*
 * Into place, each a link that never replaces: every file but ca.crt,
 * which comes last (chain.pem for an intermediate only).
 */
static int
link_all_but_crt(const char *stage, const char *dir, bool chain,
    struct cakit_err *err)
{
	const char	*name;
	size_t		 i;

	for (i = 0; (name = ca_file(i, 0)) != NULL; i++) {
		if (strcmp(name, CA_CRT) == 0 ||
		    (strcmp(name, CA_CHAIN) == 0 && !chain))
			continue;
		if (link_in(stage, dir, name, err) == -1)
			return -1;
	}
	return 0;
}

/*
 * The new CA's ledger in the stage, with its settings and its first
 * CRL, closed.
 */
static int
stage_ledger(const struct ca_init_opts *o, const struct ca *parent,
    const char *stage, gnutls_x509_crt_t crt, gnutls_privkey_t key,
    time_t now, const struct ledger_row *row, struct cakit_err *err)
{
	struct ca		 self;
	struct ca_settings	 settings;
	struct ledger		*ledger = NULL;
	char			*abs = NULL;
	int			 ret, rc = -1;

	/*
	 * The settings: when and by whom, for a later --exist-ok --json;
	 * where the parent lives, for the CRLs of ca-bundle --crl.  The
	 * strings are borrowed (abs is freed at out), never cleared.
	 */
	memset(&settings, 0, sizeof(settings));
	settings.crl_url = (char *)o->crl_url;
	settings.max_days = o->max_days;
	settings.issued_at = row->issued_at;
	settings.issued_by = row->issued_by;
	if (parent != NULL &&
	    (settings.parent_dir = abs = realpath(o->parent, NULL)) == NULL) {
		err_set(err, "%s: %s", o->parent, strerror(errno));
		goto out;
	}
	if ((ledger = ledger_create(stage, err)) == NULL ||
	    ledger_settings_store(ledger, &settings, err) == -1)
		goto out;
	memset(&self, 0, sizeof(self));
	self.dir = (char *)stage;
	self.crt = crt;
	self.key = key;
	self.ledger = ledger;
	/* The stage's lock, held since mkdtemp, is its CRL lock too. */
	if (crl_publish_locked(&self, now, CRL_DAYS_DEFAULT, err) == -1)
		goto out;
	test_kill_point("init-after-ledger");
	/* Closed, so that the whole ledger is in the files to publish. */
	ret = ledger_close(ledger, err);
	ledger = NULL;
	if (ret == -1)
		goto out;
	rc = 0;
out:
	ledger_free(ledger);
	free(abs);
	return rc;
}

/*
 * Every file of the new CA in the stage: its ledger and CRL, the chain
 * of an intermediate, and last its certificate.
 */
static int
stage_files(const struct ca_init_opts *o, const struct ca *parent,
    const char *stage, gnutls_x509_crt_t crt, gnutls_privkey_t key,
    time_t now, const struct ledger_row *row, struct cakit_err *err)
{
	gnutls_datum_t	 crtpem = { NULL, 0 };
	char		*path;
	int		 rc = -1;

	if (stage_ledger(o, parent, stage, crt, key, now, row, err) == -1 ||
	    (parent != NULL && write_chain(stage, parent, err) == -1))
		return -1;
	path = file_join(stage, CA_CRT);
	if (cert_export(crt, GNUTLS_X509_FMT_PEM, &crtpem, err) == 0 &&
	    file_write_atomic(path, crtpem.data, crtpem.size, 0644,
	    err) == 0)
		rc = 0;
	gnutls_free(crtpem.data);
	free(path);
	return rc;
}

/*
 * The new CA's certificate as the options describe it, for pub, issued
 * at now: cut to end with its parent's, if it has one.
 */
static void
ca_tbs(const struct ca_init_opts *o, const struct ca *parent,
    gnutls_pubkey_t pub, time_t now, struct cert_tbs *t,
    struct cakit_notes *notes)
{
	memset(t, 0, sizeof(*t));
	init_tbs(o, pub, t);
	issue_validity(t, now, o->days > 0 ? o->days : CA_DEFAULT_DAYS,
	    o->backdate, parent != NULL ? parent->crt : NULL, "the parent CA",
	    notes);
	if (parent != NULL)
		t->crl_url = parent->settings.crl_url;
}

/*
 * Sign the CA's certificate, make its files in the stage and link them
 * into o->dir, ca.crt last.  An intermediate is signed and recorded
 * inside the parent's transaction, which commits only once every other
 * file is in place.  On failure row is cleared.
 */
static int
ca_sign_publish(const struct ca_init_opts *o, struct ca *parent,
    gnutls_privkey_t key, gnutls_pubkey_t pub, const char *stage,
    time_t now, struct ledger_row *row, struct cakit_notes *notes,
    struct cakit_err *err)
{
	struct cert_tbs		 t;
	struct issue_signing	 s;
	gnutls_x509_crt_t	 crt = NULL;
	int			 rc = -1;

	ca_tbs(o, parent, pub, now, &t, notes);
	memset(&s, 0, sizeof(s));
	s.tbs = &t;
	s.issuer = parent != NULL ? parent->crt : NULL;
	s.key = parent != NULL ? parent->key : key;
	s.ledger = parent != NULL ? parent->ledger : NULL;
	s.now = now;
	if (parent != NULL && ledger_begin(parent->ledger, err) == -1)
		return -1;
	if ((crt = issue_sign(&s, row, err)) == NULL ||
	    stage_files(o, parent, stage, crt, key, now, row, err) == -1 ||
	    link_all_but_crt(stage, o->dir, parent != NULL, err) == -1) {
		if (parent != NULL)
			ledger_rollback(parent->ledger);
		goto out;
	}
	test_kill_point("init-after-key");
	if (parent != NULL) {
		if (ledger_commit(parent->ledger, err) == -1)
			goto out;
		test_kill_point("init-after-parent-commit");
	}
	if (link_in(stage, o->dir, CA_CRT, err) == -1)
		goto out;
	/* The links are durable before the staging names go. */
	file_sync_dir(o->dir);
	test_kill_point("init-after-crt");
	stage_remove(stage);
	rc = 0;
out:
	if (rc == -1)
		ledger_row_clear(row);
	gnutls_x509_crt_deinit(crt);
	return rc;
}

/*
 * The new CA's key: generated in the token o->key_uri names (pass, if
 * any, is its PIN), else here (*xkey, which *key uses) and exported
 * under pass, if any.  keypem is what ca.key holds: the key, or only
 * the URI of the token's key, *token_uri.  The caller frees all five,
 * keypem with file_secret_free, on failure too.
 */
static int
ca_key_new(const struct ca_init_opts *o, const char *pass,
    gnutls_x509_privkey_t *xkey, gnutls_privkey_t *key, gnutls_pubkey_t *pub,
    gnutls_datum_t *keypem, char **token_uri, struct cakit_err *err)
{
	int	 ret;

	if (o->key_uri != NULL) {
		/* The passphrase file holds the token's PIN. */
		if (pass != NULL)
			key_token_pin(pass);
		if ((*key = key_generate_token(o->key_uri, o->key_type,
		    token_uri, err)) == NULL)
			return -1;
	} else if ((*xkey = key_generate(o->key_type, err)) == NULL)
		return -1;
	if ((*xkey != NULL && ((ret = gnutls_privkey_init(key)) < 0 ||
	    (ret = gnutls_privkey_import_x509(*key, *xkey, 0)) < 0)) ||
	    (ret = gnutls_pubkey_init(pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(*pub, *key, 0, 0)) < 0) {
		err_gnutls(err, ret, "CA key");
		return -1;
	}
	if (*token_uri != NULL) {
		/* Only the URI: the key never leaves the token. */
		keypem->size = strlen(*token_uri) + 1;
		keypem->data = xmalloc(keypem->size + 1);
		snprintf((char *)keypem->data, keypem->size + 1, "%s\n",
		    *token_uri);
		return 0;
	}
	return key_export_pem(*xkey, pass, keypem, err);
}

/*
 * With a new key written to the stage, make the CA.  On failure a key
 * this run generated in a token is deleted (or a note says how).
 */
static int
ca_keyed(const struct ca_init_opts *o, struct ca *parent, const char *pass,
    const char *stage, time_t now, struct ledger_row *row,
    struct cakit_notes *notes, struct cakit_err *err)
{
	gnutls_x509_privkey_t	 xkey = NULL;
	gnutls_privkey_t	 key = NULL;
	gnutls_pubkey_t		 pub = NULL;
	gnutls_datum_t		 keypem = { NULL, 0 };
	char			*token_uri = NULL, *path;
	int			 rc = -1;

	path = file_join(stage, CA_KEY);
	if (ca_key_new(o, pass, &xkey, &key, &pub, &keypem, &token_uri,
	    err) == 0 &&
	    file_write_atomic(path, keypem.data, keypem.size, 0600,
	    err) == 0)
		rc = ca_sign_publish(o, parent, key, pub, stage, now, row,
		    notes, err);
	if (rc == -1 && token_uri != NULL &&
	    key_delete_token(token_uri) == -1)
		notes_add(notes, "%s: could not delete the key this run "
		    "generated; delete it with p11tool --delete", token_uri);
	if (keypem.data != NULL)
		file_secret_free(keypem.data, keypem.size);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(key);
	gnutls_x509_privkey_deinit(xkey);
	free(token_uri);
	free(path);
	return rc;
}

/*
 * Make the CA in a staging directory of its own inside o->dir, locked
 * while this run lasts.  On failure what it published from the stage
 * and the stage are removed.
 */
static int
ca_staged(const struct ca_init_opts *o, struct ca *parent, const char *pass,
    time_t now, struct ledger_row *row, struct cakit_notes *notes,
    struct cakit_err *err)
{
	char	*stage;
	int	 sfd, rc = -1;

	stage = file_join(o->dir, STAGE_PREFIX "XXXXXX");
	if (mkdtemp(stage) == NULL) {
		err_set(err, "%s: %s", o->dir, strerror(errno));
		free(stage);
		return -1;
	}
	if ((sfd = open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    flock(sfd, LOCK_EX) == -1)
		err_set(err, "%s: %s", stage, strerror(errno));
	else
		rc = ca_keyed(o, parent, pass, stage, now, row, notes, err);
	if (rc == -1) {
		unpublish(o->dir, stage);
		stage_remove(stage);
	}
	if (sfd != -1)
		close(sfd);
	free(stage);
	return rc;
}

/*
 * A new CA in o->dir: everything that can be refused (the parent, the
 * passphrase file) is checked before a file is made; a directory this
 * run made is removed on failure.
 */
static int
ca_create(const struct ca_init_opts *o, time_t now, struct ledger_row *row,
    struct cakit_notes *notes, struct cakit_err *err)
{
	struct ca	*parent = NULL;
	char		*pass = NULL;
	int		 rc = -1;

	if (o->parent != NULL) {
		if ((parent = ca_open(o->parent, 0, o->parent_passphrase_file,
		    err)) == NULL) {
			if (err->kind == ERR_KEY_LOCKED)
				err->kind = ERR_PARENT_KEY_LOCKED;
			goto out;
		}
		if (ca_check_usable(parent, now, err) == -1 ||
		    check_path_len(parent, o->path_len, err) == -1)
			goto out;
	}
	if (o->passphrase_file != NULL &&
	    file_read_passphrase(o->passphrase_file, &pass, err) == -1)
		goto out;
	if (mkdir(o->dir, 0700) == 0) {
		if ((rc = ca_staged(o, parent, pass, now, row, notes,
		    err)) == -1)
			(void)rmdir(o->dir);
	} else if (errno == EEXIST)
		rc = ca_staged(o, parent, pass, now, row, notes, err);
	else
		err_set(err, "%s: %s", o->dir, strerror(errno));
out:
	if (pass != NULL)
		file_secret_free(pass, strlen(pass));
	ca_free(parent);
	return rc;
}

/* An existing directory must be sound; it is cleared of interrupted runs. */
static int
dir_recover(const char *dir, struct cakit_notes *notes,
    struct cakit_err *err)
{
	struct stat	 st;

	if (stat(dir, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		err_set(err, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		err_set(err, "%s: not a directory", dir);
		return -1;
	}
	if (ca_check_dir_mode(dir, err) == -1 ||
	    stage_recover(dir, notes, err) == -1)
		return -1;
	return 0;
}

/*
 * Make the CA that o describes, issued at now.  On success row
 * describes its certificate (the caller clears it) and *existed says
 * whether an existing CA was accepted under exist_ok.  On failure
 * nothing this run made is left, and nothing it did not make was
 * touched.
 */
int
ca_init(const struct ca_init_opts *o, time_t now, struct ledger_row *row,
    bool *existed, struct cakit_notes *notes, struct cakit_err *err)
{
	char	*crtpath;
	int	 rc = -1;

	memset(row, 0, sizeof(*row));
	*existed = false;
	crtpath = file_join(o->dir, CA_CRT);
	if (dir_recover(o->dir, notes, err) == -1)
		goto out;
	if (!file_exists(crtpath)) {
		if (!ca_incomplete(o->dir, err))
			rc = ca_create(o, now, row, notes, err);
		goto out;
	}
	if (!o->exist_ok) {
		err_set(err, "%s: already holds a CA; refusing to overwrite "
		    "it (--exist-ok accepts it)", o->dir);
		goto out;
	}
	if (init_existing(o, row, err) == -1)
		goto out;
	*existed = true;
	rc = 0;
out:
	key_token_done();
	free(crtpath);
	return rc;
}
