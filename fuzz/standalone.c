/*
 * A main() for the fuzz targets without libFuzzer: each file named on
 * the command line, and each file in a directory named there, is given
 * to LLVMFuzzerTestOneInput once, in a buffer of exactly its size (so
 * that AddressSanitizer sees any read past the end).  This is how
 * `make check` replays the seed corpus, and the crashes found so far,
 * in every build.
 *   fuzz/fuzz_req_standalone tests/fuzz-corpus/fuzz_req
 * With no argument, the input is the target's corpus in the directory
 * $FUZZ_CORPUS_DIR (fuzz_req_standalone reads $FUZZ_CORPUS_DIR/fuzz_req)
 * when that is set, as under `make check`, and standard input otherwise.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cakit.h"
#include "fuzz.h"

#define INPUT_MAX	(16 * 1024 * 1024)

static const char *progname = "standalone";

static int
run_fd(int fd, const char *name)
{
	struct buf	 b = { NULL, 0, 0 };
	unsigned char	 chunk[65536], *copy;
	size_t		 len;
	ssize_t		 n;

	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: %s: %s\n", progname, name,
			    strerror(errno));
			buf_free(&b);
			return -1;
		}
		if (b.len + n > INPUT_MAX) {
			fprintf(stderr, "%s: %s: larger than %d bytes\n",
			    progname, name, INPUT_MAX);
			buf_free(&b);
			return -1;
		}
		buf_add(&b, chunk, n);
	}
	/* A copy of exactly the input's size; malloc(0) may give NULL. */
	len = b.len;
	copy = xmalloc(len > 0 ? len : 1);
	if (len > 0)
		memcpy(copy, b.p, len);
	buf_free(&b);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	return 0;
}

static int
run_file(const char *path)
{
	int	 fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "%s: %s: %s\n", progname, path,
		    strerror(errno));
		return -1;
	}
	rc = run_fd(fd, path);
	close(fd);
	return rc;
}

static int
hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Every regular file in dir, in name order so that runs repeat. */
static int
run_dir(const char *dir, size_t *count)
{
	struct dirent	**list = NULL;
	struct stat	 st;
	char		*path;
	int		 n, i, rc = 0;

	if ((n = scandir(dir, &list, hidden, alphasort)) == -1) {
		fprintf(stderr, "%s: %s: %s\n", progname, dir,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		path = file_join(dir, list[i]->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(path) == -1)
				rc = -1;
			else
				(*count)++;
		}
		free(path);
		free(list[i]);
	}
	free(list);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	const char	*dir;
	char		*target, *path, *p;
	size_t		 count = 0;
	int		 i, rc = 0;

	if (argc > 0 && argv[0] != NULL)
		progname = strrchr(argv[0], '/') != NULL ?
		    strrchr(argv[0], '/') + 1 : argv[0];
	LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2 && (dir = getenv("FUZZ_CORPUS_DIR")) != NULL) {
		/* fuzz_req_standalone: the corpus of fuzz_req. */
		target = xstrdup(progname);
		if ((p = strstr(target, "_standalone")) != NULL)
			*p = '\0';
		path = file_join(dir, target);
		if (run_dir(path, &count) == -1)
			rc = 1;
		else if (count == 0) {
			fprintf(stderr, "%s: %s: no inputs\n", progname, path);
			rc = 1;
		}
		free(path);
		free(target);
	} else if (argc < 2) {
		if (run_fd(STDIN_FILENO, "<stdin>") == -1)
			return 1;
		count++;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "%s: %s: %s\n", progname, argv[i],
			    strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) == -1)
				rc = 1;
		} else if (run_file(argv[i]) == -1)
			rc = 1;
		else
			count++;
	}
	fprintf(stderr, "%s: %zu inputs run\n", progname, count);
	gnutls_global_deinit();
	return rc;
}
