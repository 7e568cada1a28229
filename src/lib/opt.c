/*
 * Command-line values shared by every binary.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "cakit.h"

/* A decimal integer in [min, max]; -1 on anything else. */
int
opt_number(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (*s == '\0' || *s == ' ' || *s == '+')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* -d wins, then $CA_DIR, then the current directory. */
const char *
opt_ca_dir(const char *dir, const char *fallback)
{
	const char	*env;

	if (dir != NULL)
		return dir;
	if ((env = getenv("CA_DIR")) != NULL && *env != '\0')
		return env;
	return fallback;
}
