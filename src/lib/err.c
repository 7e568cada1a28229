/*
 * Errors are described once, where they are found, into the caller's
 * buffer; notes are warnings the binary prints after the action.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cakit.h"

void
err_set(struct cakit_err *err, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return;
	err->kind = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* Describe a GnuTLS failure: the caller's words, then GnuTLS's. */
void
err_gnutls(struct cakit_err *err, int ret, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 len;

	if (err == NULL)
		return;
	err->kind = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s",
	    gnutls_strerror(ret));
}

void
notes_add(struct cakit_notes *notes, const char *fmt, ...)
{
	va_list	 ap;

	if (notes == NULL || notes->n == NOTES_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(notes->msg[notes->n++], sizeof(notes->msg[0]), fmt, ap);
	va_end(ap);
}

/* Put "what: " before the message already in err. */
void
prefix_err(struct cakit_err *err, const char *what)
{
	char	 old[sizeof(err->msg)];

	if (err == NULL)
		return;
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%.100s: %.900s", what, old);
}

/*
 * Crash and race testing: with CAKIT_TEST_KILL_AT=name in the
 * environment, the process kills itself with SIGKILL at the point of
 * that name, so tests can show that no point leaves a CA damaged; with
 * CAKIT_TEST_DELAY_AT=name:ms it sleeps there for ms milliseconds, so
 * tests can let another process overtake it at that very step, having
 * first created the file CAKIT_TEST_DELAY_FILE, if set, to say so.
 */
void
test_kill_point(const char *name)
{
	struct timespec	 ts;
	const char	*at;
	size_t		 len = strlen(name);
	long		 ms;
	char		*end;
	int		 fd;

	if ((at = getenv("CAKIT_TEST_KILL_AT")) != NULL &&
	    strcmp(at, name) == 0)
		raise(SIGKILL);
	if ((at = getenv("CAKIT_TEST_DELAY_AT")) != NULL &&
	    strncmp(at, name, len) == 0 && at[len] == ':') {
		errno = 0;
		ms = strtol(at + len + 1, &end, 10);
		if (errno != 0 || *end != '\0' || ms < 0 || ms > 600000)
			return;
		if ((at = getenv("CAKIT_TEST_DELAY_FILE")) != NULL &&
		    (fd = open(at, O_WRONLY | O_CREAT | O_CLOEXEC,
		    0600)) != -1)
			close(fd);
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = ms % 1000 * 1000000L;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			continue;
	}
}
