/*
 * What the binaries share: their common options (-d, -h, -V), opening
 * the CA, and printing the library's notes and errors as one line each,
 * prefixed by the program's name as users type it.
 */
#ifndef CLI_H
#define CLI_H

#include <getopt.h>

#include "cakit.h"

/*
 * The short options every command takes, first in each command's
 * option string ("o:" follows for ca-sign): the leading ':' makes
 * getopt_long return ':' for a missing value (see cli_bad_option).
 */
#define CLI_SHORTOPTS	":Vd:h"

/* Ends every command's long option table: the options all share. */
#define CLI_LONGOPTS_END						\
	{ "dir",		required_argument, NULL, 'd' },		\
	{ "help",		no_argument,	   NULL, 'h' },		\
	{ "version",		no_argument,	   NULL, 'V' },		\
	{ NULL,			0,		   NULL, 0 }

/* cli_option's "no exit status yet": parsing goes on. */
#define CLI_CONTINUE	(-1)

extern const char *cli_prog;

/*
 * Set up a main: the program's name for messages, umask 077, signals,
 * GnuTLS, and getopt's own messages off.  Exits 1 if GnuTLS cannot start.
 */
void	 cli_setup(const char *prog);

/*
 * An option the command's switch does not take itself (its default
 * case): -V prints the version and -h usage(stdout), each giving the
 * exit status 0; -d sets *dir (a command that takes -d itself passes
 * NULL) and gives CLI_CONTINUE; any other is a usage error, one line
 * (not getopt's message and the whole usage), status 2.
 */
int	 cli_option(int c, char *const argv[], void (*usage)(FILE *),
	    const char **dir);

/*
 * The CA in dir (-d's value, or NULL for $CA_DIR, else .), its key
 * unlocked with passfile, else $CA_KEY_PASSPHRASE_FILE; with
 * CA_OPEN_NOKEY in flags, no key.  Returns the CA, which the caller
 * frees with ca_free, or NULL after printing why.
 */
struct ca *cli_open_ca(const char *dir, int flags, const char *passfile);

void	 cli_notes(const struct cakit_notes *notes);

/* Print the error as one line; returns the exit status 1. */
int	 cli_fail(const struct cakit_err *err);

/* A usage error, then "(see PROG --help)"; returns the exit status 2. */
int	 cli_usage_error(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));

/* An operand to a command that takes none; returns the exit status 2. */
int	 cli_operand_error(const char *arg);

/* A bounded option value; -1 after printing a usage error. */
int	 cli_number(const char *opt, const char *s, long long min,
	    long long max, long long *out);

void	 cli_version(void);

/* Write all of data to stdout and flush it; -1 with err set if not. */
int	 cli_write(const void *data, size_t len, struct cakit_err *err);

/* The same, printing the error; returns the exit status 0 or 1. */
int	 cli_print(const void *data, size_t len);

/* The passphrase file: opt, else $CA_KEY_PASSPHRASE_FILE, else NULL. */
const char *cli_passfile(const char *opt);

#endif /* !CLI_H */
