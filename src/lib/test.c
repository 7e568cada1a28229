/*
 * Test hooks: points in the library where the crash and race tests
 * stop or slow a process.  They do nothing unless the environment
 * names them, and read nothing but the environment.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cakit.h"

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
