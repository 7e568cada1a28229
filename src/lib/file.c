/*
 * Files: bounded reads of outside input, replaceable outputs written
 * beside their target and renamed into place, and secrets that are
 * never readable by others, not even for a moment.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cakit.h"

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

/* Read all of fd, refusing more than max bytes; name is for messages. */
int
file_read_fd(int fd, const char *name, size_t max, gnutls_datum_t *out,
    struct cakit_err *err)
{
	struct buf	 b = { 0 };
	char		 chunk[65536];
	ssize_t		 n;

	out->data = NULL;
	out->size = 0;
	for (;;) {
		if ((n = read(fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			err_set(err, "%s: %s", name, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (b.len + n > max) {
			err_set(err, "%s: larger than %zu bytes", name, max);
			goto fail;
		}
		buf_add(&b, chunk, n);
	}
	if (b.len == 0) {
		err_set(err, "%s: empty input", name);
		goto fail;
	}
	out->data = b.p;
	out->size = b.len;
	return 0;
fail:
	buf_free(&b);
	return -1;
}

/* Read a file ("-" is standard input) of at most max bytes. */
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

/* Make a rename or link in the directory of path survive a crash. */
static void
sync_dir(const char *path)
{
	char	*copy, *dir;
	int	 fd;

	copy = xstrdup(path);
	dir = dirname(copy);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
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
 * Write data (as PEM under label, unless label is NULL) to a new
 * temporary file beside path, with mode from the start (mkstemp makes
 * it 0600), flushed to disk.  Returns the temporary's name, which the
 * caller frees, or NULL.
 */
char *
file_write_temp_pem(const char *path, const char *label, const void *data,
    size_t len, int mode, struct cakit_err *err)
{
	struct buf	 b = { 0 };
	char		*tmp;
	int		 fd;

	buf_printf(&b, "%s.XXXXXX", path);
	tmp = buf_str(&b);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		free(tmp);
		return NULL;
	}
	if (fchmod(fd, mode) == -1 || (label == NULL ?
	    write_all(fd, data, len) : write_pem(fd, label, data, len)) == -1 ||
	    fsync(fd) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		free(tmp);
		return NULL;
	}
	if (close(fd) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		unlink(tmp);
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
 * Move a temporary into place.  With noclobber the move is a link,
 * which fails rather than replace an existing file.  The temporary is
 * gone afterwards, whatever happened.
 */
int
file_publish(const char *tmp, const char *path, bool noclobber,
    struct cakit_err *err)
{
	if (noclobber) {
		if (link(tmp, path) == -1) {
			err_set(err, "%s: %s%s", path, strerror(errno),
			    errno == EEXIST ? "; refusing to overwrite it" :
			    "");
			unlink(tmp);
			return -1;
		}
		unlink(tmp);
	} else if (rename(tmp, path) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	sync_dir(path);
	return 0;
}

/*
 * Whether file_write_atomic could put a file at path: path is not a
 * directory and a temporary can be made beside it.  Lets a caller
 * refuse before it records anything.
 */
int
file_check_writable(const char *path, struct cakit_err *err)
{
	struct stat	 st;
	char		*tmp;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		err_set(err, "%s: is a directory", path);
		return -1;
	}
	if ((tmp = file_write_temp(path, "", 0, 0644, err)) == NULL)
		return -1;
	(void)unlink(tmp);
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

/* The first line of a file, without its newline; wiped by secret_free. */
int
file_read_passphrase(const char *path, char **out, struct cakit_err *err)
{
	gnutls_datum_t	 d = { NULL, 0 };
	size_t		 n;

	*out = NULL;
	if (file_read(path, 4096, &d, err) == -1)
		return -1;
	for (n = 0; n < d.size && d.data[n] != '\n' && d.data[n] != '\r'; n++)
		continue;
	if (n == 0 || memchr(d.data, '\0', n) != NULL) {
		err_set(err, "%s: the first line must hold the passphrase",
		    path);
		secret_free(d.data, d.size);
		return -1;
	}
	*out = xstrndup((char *)d.data, n);
	secret_free(d.data, d.size);
	return 0;
}

void
secret_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	gnutls_memset(p, 0, len);
	free(p);
}
