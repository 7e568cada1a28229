/*
 * Shared by the Check suites: a temporary directory per test, the
 * fixtures of tests/data, and a main() that runs one suite.
 */
#ifndef UNIT_H
#define UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cakit.h"

static char unit_dir[256];

static inline void
unit_tmpdir(void)
{
	snprintf(unit_dir, sizeof(unit_dir), "%s/cakit-unit.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(unit_dir));
}

static inline void
unit_rmdir(void)
{
	char	 cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", unit_dir);
	(void)system(cmd);
}

static inline char *
unit_path(const char *name)
{
	return file_join(unit_dir, name);
}

/*
 * A fixture of tests/data, read through the source directory that the
 * test harness gives (make distcheck builds elsewhere); freed by the
 * caller.
 */
static inline char *
unit_data(const char *name)
{
	struct buf	 b = { 0 };

	buf_printf(&b, "%s/tests/data/%s",
	    getenv("srcdir") != NULL ? getenv("srcdir") : ".", name);
	return buf_str(&b);
}

/* Options for a test CA in dir: ECDSA P-256, no path length limit. */
static inline void
unit_ca_opts(struct ca_init_opts *o, const char *dir, const char *subject)
{
	memset(o, 0, sizeof(*o));
	o->dir = dir;
	o->subject = subject;
	o->key_type = KEY_ECDSA_P256;
	o->path_len = -1;
}

/* Make the CA that o describes, at now; the test fails if it cannot. */
static inline void
unit_ca_make(const struct ca_init_opts *o, time_t now)
{
	struct cakit_err	 err = { "", 0 };
	struct cakit_notes	 notes;
	struct ledger_row	 row;
	bool			 existed;

	memset(&notes, 0, sizeof(notes));
	ck_assert_msg(ca_init(o, now, &row, &existed, &notes, &err) == 0,
	    "%s", err.msg);
	ledger_row_clear(&row);
}

#define UNIT_MAIN(suite_fn)						\
int									\
main(void)								\
{									\
	SRunner	*sr;							\
	int	 failed;						\
									\
	gnutls_global_init();						\
	sr = srunner_create(suite_fn());				\
	srunner_run_all(sr, CK_NORMAL);					\
	failed = srunner_ntests_failed(sr);				\
	srunner_free(sr);						\
	gnutls_global_deinit();						\
	return failed == 0 ? 0 : 1;					\
}

#endif /* !UNIT_H */
