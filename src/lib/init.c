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

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
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

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Name constraints as text, "permit DNS:x, exclude IP:a/n", sorted,
 * so that the order of the options does not matter.
 */
static void
nc_text(gnutls_x509_crt_t crt, struct buf *b)
{
	gnutls_x509_name_constraints_t	 nc = NULL;
	gnutls_datum_t			 d;
	struct buf			 one = { 0 };
	char				**v = NULL;
	char				 addr[INET6_ADDRSTRLEN];
	unsigned int			 type, crit, i, k, bits, j;
	size_t				 n = 0;
	int				 ret;

	if (gnutls_x509_name_constraints_init(&nc) < 0)
		goto out;
	if (gnutls_x509_crt_get_name_constraints(crt, nc, 0, &crit) < 0)
		goto out;
	for (k = 0; k < 2; k++)
		for (i = 0;; i++) {
			ret = k == 0 ?
			    gnutls_x509_name_constraints_get_permitted(nc, i,
			    &type, &d) :
			    gnutls_x509_name_constraints_get_excluded(nc, i,
			    &type, &d);
			if (ret < 0)
				break;
			buf_printf(&one, "%s ", k == 0 ? "permit" : "exclude");
			if (type == GNUTLS_SAN_IPADDRESS &&
			    (d.size == 8 || d.size == 32)) {
				inet_ntop(d.size == 8 ? AF_INET : AF_INET6,
				    d.data, addr, sizeof(addr));
				for (bits = 0, j = d.size / 2; j < d.size; j++)
					bits += __builtin_popcount(d.data[j]);
				buf_printf(&one, "IP:%s/%u", addr, bits);
			} else
				buf_printf(&one, "%s:%.*s",
				    san_gnutls_prefix(type), (int)d.size,
				    (char *)d.data);
			v = xreallocarray(v, n + 1, sizeof(*v));
			v[n++] = buf_str(&one);
			memset(&one, 0, sizeof(one));
		}
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_str);
out:
	for (i = 0; i < n; i++) {
		buf_printf(b, "%s%s", i > 0 ? ", " : "", v[i]);
		free(v[i]);
	}
	free(v);
	if (nc != NULL)
		gnutls_x509_name_constraints_deinit(nc);
	buf_addc(b, '\0');
}

/* What a certificate says of its key: "ecdsa-p256", ... or "other". */
static const char *
crt_key_type(gnutls_x509_crt_t crt)
{
	static const char *const names[] = {
		[KEY_ECDSA_P256] = "ecdsa-p256", [KEY_ECDSA_P384] = "ecdsa-p384",
		[KEY_ED25519] = "ed25519", [KEY_RSA_2048] = "rsa-2048",
		[KEY_RSA_3072] = "rsa-3072", [KEY_RSA_4096] = "rsa-4096",
	};
	gnutls_pubkey_t	 pub = NULL;
	enum key_type	 t;
	const char	*name = "other";

	if (gnutls_pubkey_init(&pub) >= 0 &&
	    gnutls_pubkey_import_x509(pub, crt, 0) >= 0 &&
	    key_type_of(pub, &t) == 0)
		name = names[t];
	gnutls_pubkey_deinit(pub);
	return name;
}

static void
differs(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
differs(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	 one[512];

	va_start(ap, fmt);
	vsnprintf(one, sizeof(one), fmt, ap);
	va_end(ap);
	buf_printf(b, "%s%s", b->len > 0 ? "; " : "", one);
}

/* What the options say of a CA certificate, for pub; validity aside. */
static void
tbs_from_opts(const struct ca_init_opts *o, gnutls_pubkey_t pub,
    struct cert_tbs *t)
{
	t->profile = PROFILE_CA;
	t->pub = pub;
	t->subject = o->subject;
	t->path_len = o->path_len;
	t->permit = o->permit;
	t->exclude = o->exclude;
}

/*
 * What this run would write, from the same code: a certificate with
 * row's validity under a throwaway key, to compare with the existing
 * one where the options were given.  Returns it (the caller deinits)
 * or NULL.
 */
static gnutls_x509_crt_t
ca_would_make(const struct ca_init_opts *o, const struct ledger_row *row,
    struct cakit_err *err)
{
	struct cert_tbs		 t;
	struct serial		 serial;
	gnutls_x509_privkey_t	 xk = NULL;
	gnutls_privkey_t	 k = NULL;
	gnutls_pubkey_t		 pub = NULL;
	gnutls_x509_crt_t	 wcrt = NULL;
	int			 ret;

	memset(&t, 0, sizeof(t));
	if ((xk = key_generate(KEY_ECDSA_P256, err)) == NULL ||
	    (ret = gnutls_privkey_init(&k)) < 0 ||
	    (ret = gnutls_privkey_import_x509(k, xk, 0)) < 0 ||
	    (ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, k, 0, 0)) < 0) {
		if (xk != NULL)
			err_gnutls(err, ret, "comparing with the existing CA");
		goto out;
	}
	tbs_from_opts(o, pub, &t);
	t.not_before = row->not_before;
	t.not_after = row->not_after;
	if (serial_new(&serial, err) == 0)
		wcrt = cert_build(&t, &serial, NULL, k, err);
out:
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(k);
	gnutls_x509_privkey_deinit(xk);
	return wcrt;
}

/*
 * Where the existing CA's certificate differs from wcrt, what the
 * options ask for, in what they name: each difference into why.
 */
static void
compare_crt(const struct ca_init_opts *o, const struct ca *ca,
    gnutls_x509_crt_t wcrt, struct buf *why)
{
	static const char *const type_names[] = {
		[KEY_ECDSA_P256] = "ecdsa-p256", [KEY_ECDSA_P384] = "ecdsa-p384",
		[KEY_ED25519] = "ed25519", [KEY_RSA_2048] = "rsa-2048",
		[KEY_RSA_3072] = "rsa-3072", [KEY_RSA_4096] = "rsa-4096",
	};
	struct buf		 have = { 0 }, want = { 0 };
	gnutls_datum_t		 dh = { NULL, 0 }, dw = { NULL, 0 };
	char			*subj = NULL;
	char			 pl1[16], pl2[16];
	time_t			 nb, na, v;
	bool			 is_ca;
	int			 pl, wpl;

	if (gnutls_x509_crt_get_raw_dn(ca->crt, &dh) < 0 ||
	    gnutls_x509_crt_get_raw_dn(wcrt, &dw) < 0 ||
	    dh.size != dw.size || memcmp(dh.data, dw.data, dh.size) != 0) {
		subj = cert_subject(ca->crt);
		differs(why, "subject '%.200s' where --subject asks '%.200s'",
		    subj, o->subject);
	}
	if (o->key_type_set &&
	    strcmp(crt_key_type(ca->crt), type_names[o->key_type]) != 0)
		differs(why, "a key of type %s where --key-type asks %s",
		    crt_key_type(ca->crt), type_names[o->key_type]);
	if (o->path_len >= 0) {
		(void)cert_ca_path_len(ca->crt, &is_ca, &pl);
		(void)cert_ca_path_len(wcrt, &is_ca, &wpl);
		if (pl != wpl) {
			snprintf(pl1, sizeof(pl1), "%d", pl);
			snprintf(pl2, sizeof(pl2), "%d", wpl);
			differs(why, "pathLenConstraint %s where --path-len "
			    "asks %s", pl < 0 ? "none" : pl1, pl2);
		}
	}
	if ((o->permit != NULL && o->permit->n > 0) ||
	    (o->exclude != NULL && o->exclude->n > 0)) {
		nc_text(ca->crt, &have);
		nc_text(wcrt, &want);
		if (strcmp((char *)have.p, (char *)want.p) != 0)
			differs(why, "name constraints '%.200s' where the "
			    "options ask '%.200s'", *have.p ? (char *)have.p :
			    "none", (char *)want.p);
	}
	if (o->days > 0) {
		/* An intermediate's validity may have been cut to its parent's. */
		nb = gnutls_x509_crt_get_activation_time(ca->crt);
		na = gnutls_x509_crt_get_expiration_time(ca->crt);
		v = na - nb;
		if (v != (time_t)o->days * 86400 && !(ca->nchain > 0 &&
		    v < (time_t)o->days * 86400 && na ==
		    gnutls_x509_crt_get_expiration_time(ca->chain[0])))
			differs(why, "a validity of %lld %s where --days asks "
			    "%d", (long long)(v % 86400 == 0 ? v / 86400 : v),
			    v % 86400 == 0 ? "days" : "seconds", o->days);
	}
	buf_free(&have);
	buf_free(&want);
	gnutls_free(dh.data);
	gnutls_free(dw.data);
	free(subj);
}

/*
 * Where the existing CA's settings and key file differ from what the
 * options ask for: each difference into why.
 */
static int
compare_settings(const struct ca_init_opts *o, const struct ca *ca,
    struct buf *why, struct cakit_err *err)
{
	gnutls_datum_t		 kf = { NULL, 0 };
	char			*keypath = NULL;
	char			 pl1[16];
	int			 rc = -1;

	if (o->crl_url != NULL && (ca->settings.crl_url == NULL ||
	    strcmp(ca->settings.crl_url, o->crl_url) != 0))
		differs(why, "CRL URL %.200s where --crl-url asks %.200s",
		    ca->settings.crl_url != NULL ? ca->settings.crl_url :
		    "none", o->crl_url);
	if (o->max_days > 0 && ca->settings.max_days != o->max_days) {
		snprintf(pl1, sizeof(pl1), "%d", ca->settings.max_days);
		differs(why, "max-days %s where --max-days asks %d",
		    ca->settings.max_days == 0 ? "none" : pl1, o->max_days);
	}
	keypath = file_join(o->dir, CA_KEY);
	if ((o->key_uri != NULL || o->passphrase_file != NULL) &&
	    file_read(keypath, FILE_MAX, &kf, err) == -1)
		goto out;
	if (o->key_uri != NULL && (kf.size < strlen(o->key_uri) ||
	    memcmp(kf.data, o->key_uri, strlen(o->key_uri)) != 0 ||
	    (kf.size > strlen(o->key_uri) &&
	    strchr(";\r\n", kf.data[strlen(o->key_uri)]) == NULL)))
		differs(why, "a key that is not %.200s where --key-uri asks "
		    "for it", o->key_uri);
	if (o->key_uri == NULL && o->passphrase_file != NULL &&
	    memmem(kf.data, kf.size, "ENCRYPTED", 9) == NULL)
		differs(why, "an unencrypted key where --key-passphrase-file "
		    "asks for an encrypted one");
	rc = 0;
out:
	if (kf.data != NULL)
		file_secret_free(kf.data, kf.size);
	free(keypath);
	return rc;
}

/*
 * The existing CA's parent and its moment of issue, into row; a
 * parent that is not the one --parent names is a difference, into why.
 */
static int
existing_issue(const struct ca_init_opts *o, struct ca *ca,
    struct ledger_row *row, struct buf *why, struct cakit_err *err)
{
	struct ca		*parent = NULL;
	struct ledger_row	 prow;
	char			*pdir = NULL;
	bool			 found = false;
	int			 ret, rc = -1;

	memset(&prow, 0, sizeof(prow));
	/*
	 * The parent: the one asked for, else the one recorded.  The issue
	 * time and issuer: from the parent's ledger, else from this CA's
	 * own (ca-init records them for a root), else notBefore.
	 */
	if (o->parent != NULL)
		pdir = xstrdup(o->parent);
	else if (ca->settings.parent_dir != NULL)
		pdir = xstrdup(ca->settings.parent_dir);
	if (pdir != NULL &&
	    (parent = ca_open(pdir, CA_OPEN_NOKEY, NULL, err)) == NULL &&
	    o->parent != NULL)
		goto out;
	if (parent != NULL) {
		if ((ret = ledger_get(parent->ledger, row->serial, &prow,
		    err)) == -1)
			goto out;
		found = ret == 0 && prow.der.size == row->der.size &&
		    memcmp(prow.der.data, row->der.data, row->der.size) == 0;
	}
	if (o->parent != NULL && !found)
		differs(why, "a certificate %s where --parent asks for one "
		    "issued by the CA in %.200s", ca->nchain > 0 ?
		    "issued by another CA" : "of a root CA", o->parent);
	free(row->issued_by);
	row->issued_by = NULL;
	if (found) {
		row->issued_at = prow.issued_at;
		row->issued_by = prow.issued_by;
		prow.issued_by = NULL;
	} else {
		row->issued_at = ca->settings.issued_at != -1 ?
		    ca->settings.issued_at : row->not_before;
		row->issued_by = ca->settings.issued_by;
		ca->settings.issued_by = NULL;
	}
	if (row->issued_by == NULL)
		row->issued_by = xstrdup("unknown");
	rc = 0;
out:
	ledger_row_clear(&prow);
	ca_free(parent);
	free(pdir);
	return rc;
}

/*
 * The CA already in o->dir, under --exist-ok: accepted only when it is
 * what every option given asks for, else described with each
 * difference.  row describes it, with its real issue time: the one in
 * its parent's ledger for an intermediate, else the one its own ledger
 * recorded, else its notBefore.  On failure row is cleared.
 */
static int
ca_existing(const struct ca_init_opts *o, struct ledger_row *row,
    struct cakit_err *err)
{
	struct ca		*ca = NULL;
	struct buf		 why = { 0 };
	gnutls_x509_crt_t	 wcrt = NULL;
	int			 rc = -1;

	if ((ca = ca_open(o->dir, CA_OPEN_NOKEY, NULL, err)) == NULL ||
	    row_fill(row, ca->crt, PROFILE_CA, NULL, err) == -1 ||
	    (wcrt = ca_would_make(o, row, err)) == NULL)
		goto out;
	compare_crt(o, ca, wcrt, &why);
	if (compare_settings(o, ca, &why, err) == -1 ||
	    existing_issue(o, ca, row, &why, err) == -1)
		goto out;
	if (why.len > 0) {
		buf_addc(&why, '\0');
		err_set(err, "%s: exists with %.900s", o->dir, (char *)why.p);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		ledger_row_clear(row);
	buf_free(&why);
	gnutls_x509_crt_deinit(wcrt);
	ca_free(ca);
	return rc;
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
	tbs_from_opts(o, pub, t);
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
	if (ca_existing(o, row, err) == -1)
		goto out;
	*existed = true;
	rc = 0;
out:
	key_token_done();
	free(crtpath);
	return rc;
}
