/*
 * LD_PRELOAD shim for the full-disk tests: writes, truncations and
 * allocations on any file whose path contains $ENOSPC_MATCH fail with
 * ENOSPC, as on a full file system.  Reads are untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int
full(int fd)
{
	const char	*match = getenv("ENOSPC_MATCH");
	char		 link[64], path[PATH_MAX];
	ssize_t		 n;

	if (match == NULL || *match == '\0')
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, path, sizeof(path) - 1)) <= 0)
		return 0;
	path[n] = '\0';
	if (strstr(path, match) == NULL)
		return 0;
	errno = ENOSPC;
	return 1;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t
write(int fd, const void *p, size_t n)
{
	return full(fd) ? -1 : NEXT(write)(fd, p, n);
}

ssize_t
pwrite(int fd, const void *p, size_t n, off_t off)
{
	return full(fd) ? -1 : NEXT(pwrite)(fd, p, n, off);
}

ssize_t
pwrite64(int fd, const void *p, size_t n, off64_t off)
{
	return full(fd) ? -1 : NEXT(pwrite64)(fd, p, n, off);
}

int
ftruncate(int fd, off_t len)
{
	return full(fd) ? -1 : NEXT(ftruncate)(fd, len);
}

int
ftruncate64(int fd, off64_t len)
{
	return full(fd) ? -1 : NEXT(ftruncate64)(fd, len);
}

int
fallocate(int fd, int mode, off_t off, off_t len)
{
	return full(fd) ? -1 : NEXT(fallocate)(fd, mode, off, len);
}

int
posix_fallocate(int fd, off_t off, off_t len)
{
	return full(fd) ? ENOSPC : NEXT(posix_fallocate)(fd, off, len);
}
