/*
 * What the binaries share: printing the library's notes and errors as
 * one line each, prefixed by the program's name as users type it.
 */
#ifndef CLI_H
#define CLI_H

#include "cakit.h"

extern const char *cli_prog;

void	 cli_setup(const char *);
void	 cli_notes(const struct cakit_notes *);
int	 cli_fail(const struct cakit_err *);
int	 cli_usage_error(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
int	 cli_bad_option(int, char *const []);
int	 cli_number(const char *, const char *, long long, long long,
	    long long *);
void	 cli_version(void);
int	 cli_print(const void *, size_t);
const char *cli_passfile(const char *);

#endif /* !CLI_H */
