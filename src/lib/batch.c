/*
 * ca-sign --batch: many requests in one process, from a directory of
 * CSR files or a stream of PEM requests, signed in groups that each
 * commit in one transaction before any of their certificates is shown.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cakit.h"

#define BATCH_GROUP	256
#define PEM_END		"-----END "

struct batch_in {
	char		*dir;		/* directory input, or NULL */
	struct dirent	**ents;
	int		 nents;
	int		 next;
	int		 fd;		/* stream input */
	struct buf	 pending;
	bool		 eof;
	size_t		 count;
};

static int
csr_file(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

/* Requests from a directory (in name order) or "-" for standard input. */
static struct batch_in *
batch_open(const char *path, struct cakit_err *err)
{
	struct batch_in	*in;

	in = xcalloc(1, sizeof(*in));
	in->fd = -1;
	if (strcmp(path, "-") == 0) {
		in->fd = STDIN_FILENO;
		return in;
	}
	in->dir = xstrdup(path);
	if ((in->nents = scandir(path, &in->ents, csr_file, alphasort)) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		in->nents = 0;
		free(in->dir);
		free(in);
		return NULL;
	}
	return in;
}

static void
batch_close(struct batch_in *in)
{
	int	 i;

	if (in == NULL)
		return;
	for (i = 0; i < in->nents; i++)
		free(in->ents[i]);
	free(in->ents);
	free(in->dir);
	buf_free(&in->pending);
	free(in);
}

/* The end of the first PEM block in b, or 0 if it is not all there. */
static size_t
pem_block_end(const struct buf *b)
{
	const unsigned char	*end, *nl;

	if (b->len == 0 || (end = memmem(b->p, b->len, PEM_END,
	    strlen(PEM_END))) == NULL)
		return 0;
	if ((nl = memchr(end, '\n', b->len - (end - b->p))) == NULL)
		return 0;
	return nl - b->p + 1;
}

/*
 * The next request: 1 with *d (the caller frees d->data) and *name
 * (borrowed until the next call), 0 at the end, -1 on error.
 */
static int
batch_next(struct batch_in *in, gnutls_datum_t *d, char *name, size_t len,
    struct cakit_err *err)
{
	char		 chunk[65536], *path;
	size_t		 end;
	ssize_t		 n;
	const char	*s;
	int		 rc;

	d->data = NULL;
	d->size = 0;
	if (in->dir != NULL) {
		if (in->next == in->nents)
			return 0;
		s = in->ents[in->next++]->d_name;
		snprintf(name, len, "%s", s);
		path = file_join(in->dir, s);
		rc = file_read(path, FILE_MAX, d, err);
		free(path);
		return rc == -1 ? -1 : 1;
	}
	while ((end = pem_block_end(&in->pending)) == 0 && !in->eof) {
		if ((n = read(in->fd, chunk, sizeof(chunk))) == -1) {
			if (errno == EINTR)
				continue;
			err_set(err, "standard input: %s", strerror(errno));
			return -1;
		}
		if (n == 0)
			in->eof = true;
		else
			buf_add(&in->pending, chunk, n);
		if (in->pending.len > FILE_MAX && pem_block_end(&in->pending)
		    == 0) {
			err_set(err, "standard input: a request larger than "
			    "%d bytes", FILE_MAX);
			return -1;
		}
	}
	if (end == 0) {
		/* Only blank space may follow the last request. */
		for (end = 0; end < in->pending.len; end++)
			if (strchr(" \t\r\n", in->pending.p[end]) == NULL) {
				err_set(err, "standard input: request %zu: "
				    "incomplete PEM", in->count + 1);
				return -1;
			}
		return 0;
	}
	in->count++;
	snprintf(name, len, "%06zu", in->count);
	d->data = xmalloc(end + 1);
	memcpy(d->data, in->pending.p, end);
	d->size = end;
	memmove(in->pending.p, in->pending.p + end, in->pending.len - end);
	in->pending.len -= end;
	return 1;
}

/* OUTDIR/STEM.crt for a request named STEM.EXT, or NAME.crt. */
static void
out_path(struct buf *path, const char *outdir, const char *name)
{
	const char	*dot = strrchr(name, '.');

	buf_printf(path, "%s/%.*s.crt", outdir, dot != NULL && dot != name ?
	    (int)(dot - name) : (int)strlen(name), name);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * An output gets the checks of a single -o: it is not one of the CA's
 * files, however spelt (a request named ca.csr with -o the CA
 * directory), and not a symbolic link or anything but a regular file.
 */
static int
check_out(const struct ca *ca, const char *outdir, const char *name,
    struct cakit_err *err)
{
	struct buf	 path = { 0 };
	int		 rc;

	out_path(&path, outdir, name);
	rc = ca_check_output(ca, buf_str(&path), err) == -1 ||
	    file_check_replaceable(buf_str(&path), err) == -1 ? -1 : 0;
	buf_free(&path);
	return rc;
}

/*
 * Every output of a directory of requests passes check_out, and two
 * requests must not be written to the same file (a.csr, a.pem).
 */
static int
check_out_names(const struct ca *ca, const struct batch_in *in,
    const char *outdir, struct cakit_err *err)
{
	struct buf	 path = { 0 };
	char		**v;
	int		 i, rc = 0;

	v = xcalloc(in->nents, sizeof(*v));
	for (i = 0; i < in->nents; i++) {
		path.p = NULL;
		path.len = path.cap = 0;
		out_path(&path, outdir, in->ents[i]->d_name);
		v[i] = buf_str(&path);
		if (rc == 0 && check_out(ca, outdir, in->ents[i]->d_name,
		    err) == -1)
			rc = -1;
	}
	qsort(v, in->nents, sizeof(*v), cmp_str);
	for (i = 1; i < in->nents && rc == 0; i++)
		if (strcmp(v[i - 1], v[i]) == 0) {
			err_set(err, "%s: two requests would be written to it; "
			    "rename one", v[i]);
			rc = -1;
		}
	for (i = 0; i < in->nents; i++)
		free(v[i]);
	free(v);
	return rc;
}

/* Show one issued certificate: a file in outdir, or PEM/JSON on out. */
static int
batch_emit(const struct ledger_row *row, const char *name, const char *outdir,
    FILE *out, bool json, bool first, struct cakit_err *err)
{
	struct buf	 b = { 0 }, path = { 0 };
	int		 rc = -1;

	if (outdir != NULL)
		out_path(&path, outdir, name);
	if (json)
		buf_add(&b, first ? "\n" : ",\n", first ? 1 : 2);
	if (emit_cert(row, outdir != NULL ? buf_str(&path) : NULL, NULL, json,
	    time(NULL), &b, err) == -1)
		goto out;
	if (b.len > 0)
		fwrite(b.p, 1, b.len, out);
	if (ferror(out)) {
		err_set(err, "standard output: write error");
		goto out;
	}
	rc = 0;
out:
	buf_free(&b);
	buf_free(&path);
	return rc;
}

/*
 * Say, after the output's own failure, that the certificate was issued
 * (its group is committed), and how many more of the group were not
 * shown.
 */
static void
unwritten_err(struct cakit_err *err, const char *name, const char *serial,
    size_t more)
{
	size_t	 n;

	prefix_err(err, name);
	n = strlen(err->msg);
	if (more > 0)
		snprintf(err->msg + n, sizeof(err->msg) - n, "; its "
		    "certificate was issued and recorded as serial %s, and %zu "
		    "more after it were issued but not written", serial, more);
	else
		snprintf(err->msg + n, sizeof(err->msg) - n, "; its "
		    "certificate was issued and recorded as serial %s", serial);
}

/*
 * Sign every request from path ("-" or a directory), BATCH_GROUP per
 * transaction.  A bad request stops the run: the groups before its own
 * are issued and shown, its group is not.  *issued counts certificates
 * shown; *unwritten those issued but not shown, because an output
 * failed after their group's commit (the message names the first).
 */
int
batch_run(struct ca *ca, const struct issue_opts *o, const char *path,
    const char *outdir, FILE *out, bool json, size_t *issued,
    size_t *unwritten, struct cakit_notes *notes, struct cakit_err *err)
{
	struct batch_in		*in;
	struct req		*reqs[BATCH_GROUP];
	struct ledger_row	 rows[BATCH_GROUP];
	char			 names[BATCH_GROUP][256];
	gnutls_datum_t		 d;
	size_t			 n = 0, i, failed;
	int			 ret, rc = -1;
	bool			 done = false;

	*issued = 0;
	*unwritten = 0;
	if ((in = batch_open(path, err)) == NULL)
		return -1;
	if (outdir != NULL && in->dir != NULL &&
	    check_out_names(ca, in, outdir, err) == -1) {
		batch_close(in);
		return -1;
	}
	if (json)
		fputc('[', out);
	while (!done) {
		for (n = 0; n < BATCH_GROUP; n++) {
			if ((ret = batch_next(in, &d, names[n],
			    sizeof(names[n]), err)) == -1)
				goto out;
			if (ret == 0) {
				done = true;
				break;
			}
			reqs[n] = req_parse(&d, notes, err);
			free(d.data);
			if (reqs[n] == NULL) {
				prefix_err(err, names[n]);
				goto out;
			}
			if (outdir != NULL && in->dir == NULL &&
			    check_out(ca, outdir, names[n], err) == -1) {
				n++;
				goto out;
			}
		}
		if (n == 0)
			break;
		if (issue_batch(ca, o, reqs, n, rows, &failed, notes,
		    err) == -1) {
			if (failed < n)
				prefix_err(err, names[failed]);
			goto out;
		}
		for (i = 0; i < n; i++) {
			if ((ret = batch_emit(&rows[i], names[i], outdir, out,
			    json, *issued == 0, err)) == -1) {
				*unwritten = n - i;
				unwritten_err(err, names[i], rows[i].serial,
				    n - i - 1);
			}
			ledger_row_clear(&rows[i]);
			if (ret == -1) {
				for (i++; i < n; i++)
					ledger_row_clear(&rows[i]);
				goto out;
			}
			(*issued)++;
		}
		for (i = 0; i < n; i++)
			req_free(reqs[i]);
		n = 0;
	}
	if (json)
		fputs(*issued == 0 ? "]\n" : "\n]\n", out);
	if (fflush(out) != 0) {
		err_set(err, "standard output: write error");
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++)
		req_free(reqs[i]);
	batch_close(in);
	return rc;
}
