/*
 * The ledger: the record of every certificate a CA issued.  The DER in
 * it is the source of truth; files are exports.  This file is the
 * backend-neutral side of the interface: it dispatches each call to the
 * backend through its struct ledger_ops (ledger-backend.h), and keeps
 * what needs no storage: the typed settings and the row helpers.
 * Everything a database knows lives in its backend, ledger-sqlite.c.
 */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cakit.h"
#include "ledger-backend.h"

struct ledger {
	const struct ledger_ops	*ops;
	struct ledger_db	*db;
};

/* The one backend for now; a second one adds its choice here. */
static const struct ledger_ops *
backend(void)
{
	return &ledger_sqlite_ops;
}

/*
 * The names of the files a ledger occupies in a CA directory.  Static:
 * not freed.
 */
const struct ledger_files *
ledger_files(void)
{
	return &backend()->files;
}

/* Where the ledger of the CA in dir is, for people.  Caller frees. */
char *
ledger_location(const char *dir)
{
	return backend()->location(dir);
}

static struct ledger *
ledger_new(const char *dir, bool create, struct cakit_err *err)
{
	struct ledger	*l;

	l = xcalloc(1, sizeof(*l));
	l->ops = backend();
	if ((l->db = l->ops->open(dir, create, err)) == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

/*
 * Open the ledger of the CA in dir, bringing its schema up to
 * LEDGER_VERSION.  Freed with ledger_free.
 */
struct ledger *
ledger_open(const char *dir, struct cakit_err *err)
{
	return ledger_new(dir, false, err);
}

/*
 * Make a new ledger in dir (ca-init's staging directory), at
 * LEDGER_VERSION.  Closed with ledger_close before its files are moved.
 */
struct ledger *
ledger_create(const char *dir, struct cakit_err *err)
{
	return ledger_new(dir, true, err);
}

/*
 * Close l and free it: 0 when the whole ledger is then in its kept
 * files (ledger_files), which may be moved, else -1.
 */
int
ledger_close(struct ledger *l, struct cakit_err *err)
{
	int	 rc;

	rc = l->ops->close(l->db, err);
	free(l);
	return rc;
}

void
ledger_free(struct ledger *l)
{
	if (l == NULL)
		return;
	l->ops->free(l->db);
	free(l);
}

/*
 * A transaction, in which every write happens; begin waits for other
 * writers and takes the write lock at once.
 */
int
ledger_begin(struct ledger *l, struct cakit_err *err)
{
	return l->ops->begin(l->db, err);
}

/* On failure the transaction is rolled back. */
int
ledger_commit(struct ledger *l, struct cakit_err *err)
{
	return l->ops->commit(l->db, err);
}

/* Does nothing outside a transaction. */
void
ledger_rollback(struct ledger *l)
{
	l->ops->rollback(l->db);
}

/* 0 inserted, 1 the serial is taken, -1 error. */
int
ledger_insert(struct ledger *l, const struct ledger_row *r,
    struct cakit_err *err)
{
	return l->ops->insert(l->db, r, err);
}

/* 0 found (r filled, cleared with ledger_row_clear), 1 absent, -1 error. */
int
ledger_get(struct ledger *l, const char *serial, struct ledger_row *r,
    struct cakit_err *err)
{
	return l->ops->get(l->db, serial, r, err);
}

int
ledger_count(struct ledger *l, long long *n, struct cakit_err *err)
{
	return l->ops->count(l->db, n, err);
}

/* 0 revoked now, 1 it already was, -1 error; the row must exist. */
int
ledger_revoke(struct ledger *l, const char *serial, time_t when, int reason,
    struct cakit_err *err)
{
	return l->ops->revoke(l->db, serial, when, reason, err);
}

/*
 * Whether this CA certified the key id as a CA, or revoked a
 * certificate of it for keyCompromise: 1 (serial and *is_ca say which
 * certificate), 0 neither, -1 error.  Answered from an index.
 */
int
ledger_key_use(struct ledger *l, const unsigned char *id,
    char serial[SERIAL_HEXLEN + 1], bool *is_ca, struct cakit_err *err)
{
	return l->ops->key_use(l->db, id, serial, is_ca, err);
}

/*
 * The serials of the unrevoked certificates other than serial that
 * hold its key, in *out (n of them; the caller frees each and the
 * array).  Answered from an index.
 */
int
ledger_same_key(struct ledger *l, const char *serial, char ***out, size_t *n,
    struct cakit_err *err)
{
	return l->ops->same_key(l->db, serial, out, n, err);
}

/* The backend's source, and who frees it. */
struct revoked {
	const struct ledger_ops	*ops;
	struct crl_source	 src;
};

static int
revoked_next(void *arg, struct crl_entry *e, struct cakit_err *err)
{
	struct revoked	*r = arg;

	return r->src.next(r->src.arg, e, err);
}

static int
revoked_rewind(void *arg, struct cakit_err *err)
{
	struct revoked	*r = arg;

	return r->src.rewind(r->src.arg, err);
}

/*
 * Every revocation, for the CRL, as a source that reads them from an
 * index on the revoked rows, never the whole ledger, and never holds
 * them all in memory.  Freed with ledger_revoked_free.
 */
int
ledger_revoked(struct ledger *l, struct crl_source *src,
    struct cakit_err *err)
{
	struct revoked	*r;

	r = xcalloc(1, sizeof(*r));
	r->ops = l->ops;
	if (l->ops->revoked(l->db, &r->src, err) == -1) {
		free(r);
		return -1;
	}
	src->next = revoked_next;
	src->rewind = revoked_rewind;
	src->arg = r;
	return 0;
}

void
ledger_revoked_free(struct crl_source *src)
{
	struct revoked	*r = src->arg;

	if (r == NULL)
		return;
	r->ops->revoked_free(&r->src);
	free(r);
	src->arg = NULL;
}

/*
 * Call cb for each row that f selects, in order of expiry (then
 * serial), answered from indexes.  A non-zero return from cb stops the
 * walk and is returned.
 */
int
ledger_list(struct ledger *l, const struct ledger_filter *f,
    int (*cb)(const struct ledger_row *, void *), void *arg,
    struct cakit_err *err)
{
	return l->ops->list(l->db, f, cb, arg, err);
}

/* The number of the last CRL taken (0 before the first). */
int
ledger_crl_number(struct ledger *l, uint64_t *number, struct cakit_err *err)
{
	return l->ops->crl_number(l->db, number, err);
}

/*
 * Take the next CRL number: one above both the last one taken and
 * floor (the number of a CRL already published, or 0), stored before
 * it is returned in *number.  Atomic on its own: two writers never
 * take the same number, in a transaction or not; inside one, a
 * rollback gives the number back.
 */
int
ledger_crl_number_next(struct ledger *l, uint64_t floor, uint64_t *number,
    struct cakit_err *err)
{
	return l->ops->crl_number_next(l->db, floor, number, err);
}

/*
 * The settings, one key each in the ledger: the only place their keys
 * are written.  TEXT is a string or absent; DAYS a number of days,
 * absent (or unreadable) as 0; TIME a time, absent as -1.
 */
enum setting_type {
	SETTING_TEXT,
	SETTING_DAYS,
	SETTING_TIME,
};

static const struct setting {
	const char		*key;
	enum setting_type	 type;
	size_t			 offset;
} settings[] = {
	{ "crl_url", SETTING_TEXT, offsetof(struct ca_settings, crl_url) },
	{ "max_days", SETTING_DAYS, offsetof(struct ca_settings, max_days) },
	{ "parent_dir", SETTING_TEXT,
	    offsetof(struct ca_settings, parent_dir) },
	{ "issued_at", SETTING_TIME,
	    offsetof(struct ca_settings, issued_at) },
	{ "issued_by", SETTING_TEXT,
	    offsetof(struct ca_settings, issued_by) },
};
#define NSETTINGS	(sizeof(settings) / sizeof(settings[0]))

/* Set the field of s that one setting's text (or NULL) gives. */
static void
setting_parse(struct ca_settings *s, const struct setting *k, char *text)
{
	void		*field = (char *)s + k->offset;
	long long	 n;

	switch (k->type) {
	case SETTING_TEXT:
		*(char **)field = text;
		return;
	case SETTING_DAYS:
		*(int *)field = text != NULL &&
		    opt_number(text, 1, DAYS_MAX, &n) == 0 ? (int)n : 0;
		break;
	case SETTING_TIME:
		*(time_t *)field = text != NULL &&
		    opt_number(text, 0, LLONG_MAX, &n) == 0 ? (time_t)n : -1;
		break;
	}
	free(text);
}

/* The text of one field of s, or NULL for none.  Caller frees. */
static char *
setting_format(const struct ca_settings *s, const struct setting *k)
{
	const void	*field = (const char *)s + k->offset;
	char		 num[32];

	switch (k->type) {
	case SETTING_TEXT:
		return *(char *const *)field == NULL ? NULL :
		    xstrdup(*(char *const *)field);
	case SETTING_DAYS:
		if (*(const int *)field <= 0)
			return NULL;
		snprintf(num, sizeof(num), "%d", *(const int *)field);
		return xstrdup(num);
	case SETTING_TIME:
		if (*(const time_t *)field < 0)
			return NULL;
		snprintf(num, sizeof(num), "%lld",
		    (long long)*(const time_t *)field);
		return xstrdup(num);
	}
	return NULL;
}

/*
 * Load the CA's settings into s, which the caller clears with
 * ledger_settings_clear (also on failure).
 */
int
ledger_settings_load(struct ledger *l, struct ca_settings *s,
    struct cakit_err *err)
{
	char	*text;
	size_t	 i;

	memset(s, 0, sizeof(*s));
	s->issued_at = -1;
	for (i = 0; i < NSETTINGS; i++) {
		if (l->ops->setting_get(l->db, settings[i].key, &text,
		    err) == -1)
			return -1;
		setting_parse(s, &settings[i], text);
	}
	return 0;
}

/*
 * Store s as the CA's settings, every one: a field that is NULL, 0 or
 * -1 (as ledger_settings_load gives for none) removes the setting.
 */
int
ledger_settings_store(struct ledger *l, const struct ca_settings *s,
    struct cakit_err *err)
{
	char	*text;
	size_t	 i;
	int	 ret;

	for (i = 0; i < NSETTINGS; i++) {
		text = setting_format(s, &settings[i]);
		ret = l->ops->setting_set(l->db, settings[i].key, text, err);
		free(text);
		if (ret == -1)
			return -1;
	}
	return 0;
}

void
ledger_settings_clear(struct ca_settings *s)
{
	free(s->crl_url);
	free(s->parent_dir);
	free(s->issued_by);
	memset(s, 0, sizeof(*s));
	s->issued_at = -1;
}

/* A profile as the ledger stores it: a signing profile's name or "ca". */
int
ledger_profile_parse(const char *s, enum profile *p)
{
	if (s != NULL && strcmp(s, "ca") == 0) {
		*p = PROFILE_CA;
		return 0;
	}
	return s == NULL ? -1 : profile_parse(s, p);
}

void
ledger_row_clear(struct ledger_row *r)
{
	free(r->subject);
	free(r->sans);
	free(r->replaces);
	free(r->issued_by);
	free(r->der.data);
	memset(r, 0, sizeof(*r));
}
