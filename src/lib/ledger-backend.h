/*
 * The ledger's backends, private to ledger.c and the backend files:
 * each backend (ledger-sqlite.c; later ledger-pg.c) fills one struct
 * ledger_ops, and ledger.c dispatches every call of the ledger's
 * interface in cakit.h through it.  The operations have the meaning,
 * return values and ownership of the cakit.h functions of the same
 * name, on the backend's own handle.
 */
#ifndef LEDGER_BACKEND_H
#define LEDGER_BACKEND_H

#include "cakit.h"

struct ledger_db;	/* a backend's open ledger */

struct ledger_ops {
	const char		*name;
	struct ledger_files	 files;

	struct ledger_db *(*open)(const char *dir, bool create,
			    struct cakit_err *err);
	int		(*close)(struct ledger_db *db, struct cakit_err *err);
	void		(*free)(struct ledger_db *db);
	char	       *(*location)(const char *dir);

	int		(*begin)(struct ledger_db *db, struct cakit_err *err);
	int		(*commit)(struct ledger_db *db, struct cakit_err *err);
	void		(*rollback)(struct ledger_db *db);

	int		(*insert)(struct ledger_db *db,
			    const struct ledger_row *row,
			    struct cakit_err *err);
	int		(*get)(struct ledger_db *db, const char *serial,
			    struct ledger_row *row, struct cakit_err *err);
	int		(*count)(struct ledger_db *db, long long *n,
			    struct cakit_err *err);
	int		(*revoke)(struct ledger_db *db, const char *serial,
			    time_t when, int reason, struct cakit_err *err);
	int		(*key_use)(struct ledger_db *db,
			    const unsigned char *key_id,
			    char serial[SERIAL_HEXLEN + 1], bool *is_ca,
			    struct cakit_err *err);
	int		(*same_key)(struct ledger_db *db, const char *serial,
			    char ***serials, size_t *n, struct cakit_err *err);
	/* Fills src; its arg is the backend's, freed by revoked_free. */
	int		(*revoked)(struct ledger_db *db, struct crl_source *src,
			    struct cakit_err *err);
	void		(*revoked_free)(struct crl_source *src);
	int		(*list)(struct ledger_db *db,
			    const struct ledger_filter *f,
			    int (*cb)(const struct ledger_row *, void *),
			    void *arg, struct cakit_err *err);

	int		(*crl_number)(struct ledger_db *db, uint64_t *number,
			    struct cakit_err *err);
	int		(*crl_number_next)(struct ledger_db *db, uint64_t floor,
			    uint64_t *number, struct cakit_err *err);

	/*
	 * One setting as text, by the key ledger.c gives it: get returns
	 * 0 (*value the caller's), 1 absent, -1 error; set with a NULL
	 * value removes it.
	 */
	int		(*setting_get)(struct ledger_db *db, const char *key,
			    char **value, struct cakit_err *err);
	int		(*setting_set)(struct ledger_db *db, const char *key,
			    const char *value, struct cakit_err *err);
};

extern const struct ledger_ops ledger_sqlite_ops;

/* Row helpers for the backends: no storage in them. */
int	 ledger_profile_parse(const char *text, enum profile *profile);

#endif /* !LEDGER_BACKEND_H */
