/*
 * Files: bounded reads of outside input, replaceable outputs written
 * beside their target and renamed into place, and secrets that are
 * never readable by others, not even for a moment.
 *
 * Every temporary this process makes is in a small registry, so that
 * SIGINT, SIGTERM and SIGHUP remove it before the process dies; new
 * secret files are, where Linux allows, unnamed (O_TMPFILE) until they
 * are linked into place, so that not even SIGKILL leaves them behind.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cakit.h"

/*
 * The live temporaries.  A named one (fd -1) is unlinked by the signal
 * handler; an unnamed one (O_TMPFILE) vanishes with the process and is
 * here for its descriptor, published through /proc/self/fd.
 */
#define TEMPS_MAX	8

static struct temp {
	volatile sig_atomic_t	 used;
	int			 fd;
	char			 name[PATH_MAX];
} temps[TEMPS_MAX];

static const int temp_signals[] = { SIGHUP, SIGINT, SIGTERM };

/* Remove the named temporaries, then die of the signal as before. */
static void
temp_signal(int sig)
{
	size_t	 i;

	for (i = 0; i < TEMPS_MAX; i++)
		if (temps[i].used && temps[i].fd == -1)
			(void)unlink(temps[i].name);
	/* SA_RESETHAND restored the default action; SA_NODEFER lets it in. */
	(void)raise(sig);
}

/*
 * Install the handler for the signals that end a run from outside,
 * except those the caller's parent ignores (nohup).
 */
void
file_signals_init(void)
{
	struct sigaction	 sa, old;
	size_t			 i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = temp_signal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(temp_signals) / sizeof(temp_signals[0]); i++) {
		if (sigaction(temp_signals[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		(void)sigaction(temp_signals[i], &sa, NULL);
	}
}

/* Hold the signals while a temporary and its registry entry change. */
static void
temp_hold(sigset_t *old)
{
	sigset_t	 set;
	size_t		 i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(temp_signals) / sizeof(temp_signals[0]); i++)
		sigaddset(&set, temp_signals[i]);
	(void)sigprocmask(SIG_BLOCK, &set, old);
}

static void
temp_release(const sigset_t *old)
{
	(void)sigprocmask(SIG_SETMASK, old, NULL);
}

/*
 * Record a temporary; false when every slot is taken (a named one then
 * goes unrecorded, an unnamed one is not made).
 */
static bool
temp_add(const char *name, int fd)
{
	size_t	 i;

	for (i = 0; i < TEMPS_MAX; i++)
		if (!temps[i].used) {
			snprintf(temps[i].name, sizeof(temps[i].name), "%s",
			    name);
			temps[i].fd = fd;
			temps[i].used = 1;
			return true;
		}
	return false;
}

static struct temp *
temp_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < TEMPS_MAX; i++)
		if (temps[i].used && strcmp(temps[i].name, name) == 0)
			return &temps[i];
	return NULL;
}

static void
temp_forget(struct temp *t)
{
	if (t != NULL)
		t->used = 0;
}

/*
 * A template for a temporary beside path that fits whenever path does:
 * ".NAME.XXXXXX", or ".cakit.XXXXXX" when that would pass NAME_MAX or
 * PATH_MAX.  The leading dot keeps it out of --batch's CSR directory
 * scan and out of shell globs.  The caller frees it.
 */
static char *
temp_template(const char *path)
{
	struct buf	 b = { 0 };
	const char	*slash, *base;
	int		 dirlen;

	slash = strrchr(path, '/');
	base = slash != NULL ? slash + 1 : path;
	dirlen = slash != NULL ? (int)(slash - path + 1) : 0;
	if (strlen(base) + 8 <= NAME_MAX && strlen(path) + 8 < PATH_MAX)
		buf_printf(&b, "%.*s.%s.XXXXXX", dirlen, path, base);
	else
		buf_printf(&b, "%.*s.cakit.XXXXXX", dirlen, path);
	return buf_str(&b);
}

char *
file_join(const char *dir, const char *name)
{
	struct buf	 b = { 0 };

	buf_printf(&b, "%s/%s", dir, name);
	return buf_str(&b);
}

bool
file_is_dir(const char *path)
{
	struct stat	 st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool
file_exists(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0;
}

/* What a file that is not a regular one is, for messages. */
static const char *
file_kind(mode_t mode)
{
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISDIR(mode))
		return "a directory";
	return "not a regular file";
}

/*
 * Where path leads: an existing file by its device and inode (through
 * symbolic links), a file yet to be made by its directory's device and
 * inode and its name (*base, which the caller frees).  False when
 * neither can be found.
 */
static bool
file_where(const char *path, struct stat *st, char **base)
{
	char	*copy, *b;
	bool	 found;

	*base = NULL;
	if (stat(path, st) == 0)
		return true;
	copy = xstrdup(path);
	b = xstrdup(basename(copy));
	free(copy);
	copy = xstrdup(path);
	found = stat(dirname(copy), st) == 0;
	free(copy);
	if (!found) {
		free(b);
		return false;
	}
	*base = b;
	return true;
}

/*
 * Whether two paths name the same file, however they are spelt: "./x"
 * and "x", "d/../x", symbolic links, hard links.  Paths that cannot be
 * resolved are compared as strings.
 */
bool
file_same(const char *a, const char *b)
{
	struct stat	 sa, sb;
	char		*ba = NULL, *bb = NULL;
	bool		 same;

	if (!file_where(a, &sa, &ba) || !file_where(b, &sb, &bb))
		same = strcmp(a, b) == 0;
	else
		same = sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino &&
		    (ba == NULL) == (bb == NULL) &&
		    (ba == NULL || strcmp(ba, bb) == 0);
	free(ba);
	free(bb);
	return same;
}

/*
 * Read all of fd, refusing more than max bytes, straight into a heap
 * buffer: no copy on the stack.  For a secret, a buffer outgrown is
 * wiped before it is freed, and so is everything on failure.
 */
static int
read_all(int fd, const char *name, size_t max, bool secret,
    gnutls_datum_t *out, struct cakit_err *err)
{
	unsigned char	*p = NULL, *np;
	size_t		 len = 0, cap = 0, ncap;
	ssize_t		 n;

	out->data = NULL;
	out->size = 0;
	for (;;) {
		if (len == cap) {
			ncap = cap == 0 ? 4096 : cap * 2;
			/* One octet over max tells a file too large. */
			if (max < SIZE_MAX && ncap > max + 1)
				ncap = max + 1;
			if (secret) {
				np = xmalloc(ncap);
				if (len > 0)
					memcpy(np, p, len);
				if (p != NULL)
					file_secret_free(p, cap);
			} else
				np = xreallocarray(p, ncap, 1);
			p = np;
			cap = ncap;
		}
		if ((n = read(fd, p + len, cap - len)) == -1) {
			if (errno == EINTR)
				continue;
			err_set(err, "%s: %s", name, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
		if (len > max) {
			err_set(err, "%s: larger than %zu bytes", name, max);
			goto fail;
		}
	}
	if (len == 0) {
		err_set(err, "%s: empty input", name);
		goto fail;
	}
	out->data = p;
	out->size = len;
	return 0;
fail:
	if (secret)
		file_secret_free(p, cap);
	else
		free(p);
	return -1;
}

/* Read all of fd, refusing more than max bytes; name is for messages. */
int
file_read_fd(int fd, const char *name, size_t max, gnutls_datum_t *out,
    struct cakit_err *err)
{
	return read_all(fd, name, max, false, out, err);
}

/*
 * Read a file ("-" is standard input) of at most max bytes.  Public
 * input may come through a pipe or a FIFO (process substitution).
 */
int
file_read(const char *path, size_t max, gnutls_datum_t *out,
    struct cakit_err *err)
{
	int	 fd, rc;

	if (strcmp(path, "-") == 0)
		return file_read_fd(STDIN_FILENO, "standard input", max, out,
		    err);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = file_read_fd(fd, path, max, out, err);
	close(fd);
	return rc;
}

/*
 * Read a secret (a key, a passphrase) of at most max bytes from a
 * regular file, into memory that is wiped: the caller frees out->data
 * with file_secret_free.  A FIFO, a device or standard input is refused,
 * without blocking on it (O_NONBLOCK until the file is known).
 */
int
file_read_secret(const char *path, size_t max, gnutls_datum_t *out,
    struct cakit_err *err)
{
	struct stat	 st;
	int		 fd, fl, rc = -1;

	out->data = NULL;
	out->size = 0;
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(err, "%s: is %s; a key or passphrase must be in a "
		    "regular file", path, file_kind(st.st_mode));
		goto out;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = read_all(fd, path, max, true, out, err);
out:
	close(fd);
	return rc;
}

static int
write_all(int fd, const void *p, size_t len)
{
	const unsigned char	*c = p;
	ssize_t			 n;

	while (len > 0) {
		if ((n = write(fd, c, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += n;
		len -= n;
	}
	return 0;
}

/* Make the names just added to dir survive a crash. */
void
file_sync_dir(const char *dir)
{
	int	 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
}

/* Make a rename or link in the directory of path survive a crash. */
static void
sync_dir(const char *path)
{
	char	*copy;

	copy = xstrdup(path);
	file_sync_dir(dirname(copy));
	free(copy);
}

/*
 * DER as PEM, encoded a chunk at a time so that a CRL of millions of
 * entries needs no second copy in memory.  The chunk is a multiple of
 * 48 octets: whole 64-character lines, padding only at the end.
 */
static int
write_pem(int fd, const char *label, const unsigned char *der, size_t len)
{
	struct buf	 b = { 0 };
	gnutls_datum_t	 in, out = { NULL, 0 };
	size_t		 off, n, i;
	int		 rc = -1;

	buf_printf(&b, "-----BEGIN %s-----\n", label);
	for (off = 0; off < len; off += n) {
		n = len - off < 48 * 1024 ? len - off : 48 * 1024;
		in.data = (unsigned char *)der + off;
		in.size = n;
		if (gnutls_base64_encode2(&in, &out) < 0) {
			errno = EINVAL;
			goto out;
		}
		for (i = 0; i < out.size; i += 64) {
			buf_add(&b, out.data + i, out.size - i < 64 ?
			    out.size - i : 64);
			buf_addc(&b, '\n');
		}
		gnutls_free(out.data);
		out.data = NULL;
		if (write_all(fd, b.p, b.len) == -1)
			goto out;
		b.len = 0;
	}
	buf_printf(&b, "-----END %s-----\n", label);
	rc = write_all(fd, b.p, b.len);
out:
	buf_free(&b);
	return rc;
}

/*
 * Remove a temporary that will not be published (named or not) and
 * forget it.
 */
void
file_discard(const char *tmp)
{
	struct temp	*t;
	sigset_t	 old;

	if (tmp == NULL)
		return;
	temp_hold(&old);
	if ((t = temp_find(tmp)) != NULL && t->fd != -1)
		close(t->fd);
	else
		(void)unlink(tmp);
	temp_forget(t);
	temp_release(&old);
}

/*
 * Write data (as PEM under label, unless label is NULL) to a new
 * temporary file beside path, with mode from the start (mkstemp makes
 * it 0600), flushed to disk.  Returns the temporary's name, which the
 * caller frees, or NULL.  Until it is published or discarded, a signal
 * that ends the process removes it.
 */
char *
file_write_temp_pem(const char *path, const char *label, const void *data,
    size_t len, int mode, struct cakit_err *err)
{
	sigset_t	 old;
	char		*tmp;
	int		 fd;

	tmp = temp_template(path);
	temp_hold(&old);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) != -1)
		(void)temp_add(tmp, -1);
	temp_release(&old);
	if (fd == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		free(tmp);
		return NULL;
	}
	if (fchmod(fd, mode) == -1 || (label == NULL ?
	    write_all(fd, data, len) : write_pem(fd, label, data, len)) == -1 ||
	    fsync(fd) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		close(fd);
		file_discard(tmp);
		free(tmp);
		return NULL;
	}
	if (close(fd) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		file_discard(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

char *
file_write_temp(const char *path, const void *data, size_t len, int mode,
    struct cakit_err *err)
{
	return file_write_temp_pem(path, NULL, data, len, mode, err);
}

/*
 * A new secret file's content, mode 0600, for file_publish with
 * noclobber.  On Linux it is an unnamed file (O_TMPFILE) in path's
 * directory, which no crash can leave behind; its "name" is then
 * /proc/self/fd/N.  Elsewhere, or where the file system or /proc does
 * not allow that, it is a named temporary as file_write_temp makes.
 */
char *
file_write_temp_secret(const char *path, const void *data, size_t len,
    struct cakit_err *err)
{
#ifdef O_TMPFILE
	struct stat	 st, fst;
	sigset_t	 old;
	char		*copy, name[64];
	int		 fd;

	/* Tests take the other path with CAKIT_TEST_NO_TMPFILE. */
	if (getenv("CAKIT_TEST_NO_TMPFILE") != NULL)
		return file_write_temp(path, data, len, 0600, err);
	copy = xstrdup(path);
	temp_hold(&old);
	if ((fd = open(dirname(copy), O_TMPFILE | O_WRONLY | O_CLOEXEC,
	    0600)) != -1) {
		snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
		if (fstat(fd, &fst) == -1 || stat(name, &st) == -1 ||
		    st.st_ino != fst.st_ino || st.st_dev != fst.st_dev ||
		    !temp_add(name, fd)) {
			close(fd);
			fd = -1;
		}
	}
	temp_release(&old);
	free(copy);
	if (fd == -1)
		return file_write_temp(path, data, len, 0600, err);
	if (fchmod(fd, 0600) == -1 || write_all(fd, data, len) == -1 ||
	    fsync(fd) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		file_discard(name);
		return NULL;
	}
	return xstrdup(name);
#else
	return file_write_temp(path, data, len, 0600, err);
#endif
}

/*
 * Move a temporary into place.  With noclobber the move is a link,
 * which fails rather than replace an existing file.  Without it, path
 * is replaced only if it is a regular file (rename would replace a
 * symbolic link or a device node by a file).  The temporary is gone
 * afterwards, whatever happened.
 */
int
file_publish(const char *tmp, const char *path, bool noclobber,
    struct cakit_err *err)
{
	struct temp	*t;
	struct stat	 st;
	sigset_t	 old;
	int		 rc = -1;

	temp_hold(&old);
	t = temp_find(tmp);
	if (noclobber) {
		if (linkat(AT_FDCWD, tmp, AT_FDCWD, path, t != NULL &&
		    t->fd != -1 ? AT_SYMLINK_FOLLOW : 0) == -1) {
			if (errno == EEXIST && lstat(path, &st) == 0 &&
			    !S_ISREG(st.st_mode))
				err_set(err, "%s: is %s; refusing to overwrite "
				    "it", path, file_kind(st.st_mode));
			else
				err_set(err, "%s: %s%s", path, strerror(errno),
				    errno == EEXIST ? "; refusing to overwrite "
				    "it" : "");
			goto out;
		}
	} else if (t != NULL && t->fd != -1) {
		err_set(err, "%s: an unnamed temporary cannot replace a file",
		    path);
		goto out;
	} else if (file_check_replaceable(path, err) == -1) {
		goto out;
	} else if (rename(tmp, path) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	} else {
		/* Renamed: nothing left to remove. */
		temp_forget(t);
		t = NULL;
	}
	rc = 0;
out:
	if (t != NULL || rc == -1 || noclobber)
		file_discard(tmp);
	temp_release(&old);
	if (rc == 0)
		sync_dir(path);
	return rc;
}

/*
 * Whether file_publish may replace path: it is a regular file or
 * nothing yet, never a symbolic link, a device, a FIFO or a directory.
 */
int
file_check_replaceable(const char *path, struct cakit_err *err)
{
	struct stat	 st;

	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		err_set(err, "%s: is %s; refusing to replace it%s", path,
		    file_kind(st.st_mode), S_ISDIR(st.st_mode) ? "" :
		    " with a regular file");
		return -1;
	}
	return 0;
}

/*
 * Whether a new file (a key, a PKCS#12 file) may be made at path:
 * nothing is there, not even a symbolic link.
 */
int
file_check_new(const char *path, struct cakit_err *err)
{
	struct stat	 st;

	if (lstat(path, &st) == -1)
		return 0;
	if (S_ISREG(st.st_mode))
		err_set(err, "%s: already exists; refusing to overwrite it",
		    path);
	else
		err_set(err, "%s: is %s; refusing to overwrite it", path,
		    file_kind(st.st_mode));
	return -1;
}

/*
 * Whether file_write_atomic could put a file at path: it may be
 * replaced and a temporary can be made beside it.  Lets a caller
 * refuse before it records anything.
 */
int
file_check_writable(const char *path, struct cakit_err *err)
{
	char	*tmp;

	if (file_check_replaceable(path, err) == -1)
		return -1;
	if ((tmp = file_write_temp(path, "", 0, 0644, err)) == NULL)
		return -1;
	file_discard(tmp);
	free(tmp);
	return 0;
}

/* Replace path atomically: readers see the old file or the new one. */
int
file_write_atomic(const char *path, const void *data, size_t len, int mode,
    struct cakit_err *err)
{
	char	*tmp;
	int	 rc;

	if ((tmp = file_write_temp(path, data, len, mode, err)) == NULL)
		return -1;
	test_kill_point("write-before-rename");
	rc = file_publish(tmp, path, false, err);
	free(tmp);
	return rc;
}

/* The first line of a file, without its newline; wiped by file_secret_free. */
int
file_read_passphrase(const char *path, char **out, struct cakit_err *err)
{
	gnutls_datum_t	 d = { NULL, 0 };
	size_t		 n;

	*out = NULL;
	if (file_read_secret(path, 4096, &d, err) == -1)
		return -1;
	for (n = 0; n < d.size && d.data[n] != '\n' && d.data[n] != '\r'; n++)
		continue;
	if (n == 0 || memchr(d.data, '\0', n) != NULL) {
		err_set(err, "%s: the first line must hold the passphrase",
		    path);
		file_secret_free(d.data, d.size);
		return -1;
	}
	*out = xstrndup((char *)d.data, n);
	file_secret_free(d.data, d.size);
	return 0;
}

void
file_secret_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	gnutls_memset(p, 0, len);
	free(p);
}
