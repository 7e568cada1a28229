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

/*
 * Where the requests come from, one at a time: next gives 1 with the
 * next request in *d (the caller frees d->data) and its name in name,
 * 0 at the end, or -1.  A source whose names are all known before any
 * request is read checks every output up front (check_outs); for one
 * without (NULL), each output is checked as its request is read.
 */
struct batch_source {
	int	(*next)(void *, gnutls_datum_t *, char *, size_t,
		    struct cakit_err *);
	int	(*check_outs)(void *, const struct ca *, const char *,
		    struct cakit_err *);
	void	(*close)(void *);
	void	*arg;
};

/* A directory of CSR files, read in name order. */
struct dir_source {
	char		*dir;
	struct dirent	**ents;
	int		 nents;
	int		 next;
};

/* A stream of concatenated PEM requests, named by their position. */
struct stream_source {
	int		 fd;
	struct buf	 pending;
	bool		 eof;
	size_t		 count;
};

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

static int
csr_file(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static int
dir_next(void *arg, gnutls_datum_t *d, char *name, size_t len,
    struct cakit_err *err)
{
	struct dir_source	*in = arg;
	const char		*s;
	char			*path;
	int			 rc;

	d->data = NULL;
	d->size = 0;
	if (in->next == in->nents)
		return 0;
	s = in->ents[in->next++]->d_name;
	snprintf(name, len, "%s", s);
	path = file_join(in->dir, s);
	rc = file_read(path, FILE_MAX, d, err);
	free(path);
	return rc == -1 ? -1 : 1;
}

/*
 * Every output of a directory of requests passes check_out, and two
 * requests must not be written to the same file (a.csr, a.pem).
 */
static int
dir_check_outs(void *arg, const struct ca *ca, const char *outdir,
    struct cakit_err *err)
{
	const struct dir_source	*in = arg;
	struct buf		 path = { 0 };
	char			**v;
	int			 i, rc = 0;

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

static void
dir_close(void *arg)
{
	struct dir_source	*in = arg;
	int			 i;

	for (i = 0; i < in->nents; i++)
		free(in->ents[i]);
	free(in->ents);
	free(in->dir);
	free(in);
}

/* The CSR files in path, in name order. */
static int
dir_open(const char *path, struct batch_source *src, struct cakit_err *err)
{
	struct dir_source	*in;

	in = xcalloc(1, sizeof(*in));
	if ((in->nents = scandir(path, &in->ents, csr_file, alphasort)) == -1) {
		err_set(err, "%s: %s", path, strerror(errno));
		free(in);
		return -1;
	}
	in->dir = xstrdup(path);
	src->next = dir_next;
	src->check_outs = dir_check_outs;
	src->close = dir_close;
	src->arg = in;
	return 0;
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
 * Read until pending holds a whole PEM block or the stream ends: the
 * end of the block, or 0 at the end of the stream; -1 on error.
 */
static ssize_t
stream_fill(struct stream_source *in, struct cakit_err *err)
{
	char		 chunk[65536];
	size_t		 end;
	ssize_t		 n;

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
	return end;
}

static int
stream_next(void *arg, gnutls_datum_t *d, char *name, size_t len,
    struct cakit_err *err)
{
	struct stream_source	*in = arg;
	ssize_t			 end;
	size_t			 i;

	d->data = NULL;
	d->size = 0;
	if ((end = stream_fill(in, err)) == -1)
		return -1;
	if (end == 0) {
		/* Only blank space may follow the last request. */
		for (i = 0; i < in->pending.len; i++)
			if (strchr(" \t\r\n", in->pending.p[i]) == NULL) {
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

static void
stream_close(void *arg)
{
	struct stream_source	*in = arg;

	buf_free(&in->pending);
	free(in);
}

/* The PEM requests on standard input, named 000001, 000002, ... */
static void
stream_open(struct batch_source *src)
{
	struct stream_source	*in;

	in = xcalloc(1, sizeof(*in));
	in->fd = STDIN_FILENO;
	src->next = stream_next;
	src->check_outs = NULL;
	src->close = stream_close;
	src->arg = in;
}

/* Requests from a directory (in name order) or "-" for standard input. */
static int
batch_open(const char *path, struct batch_source *src, struct cakit_err *err)
{
	if (strcmp(path, "-") == 0) {
		stream_open(src);
		return 0;
	}
	return dir_open(path, src, err);
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

	err_prefix(err, name);
	n = strlen(err->msg);
	if (more > 0)
		snprintf(err->msg + n, sizeof(err->msg) - n, "; its "
		    "certificate was issued and recorded as serial %s, and %zu "
		    "more after it were issued but not written", serial, more);
	else
		snprintf(err->msg + n, sizeof(err->msg) - n, "; its "
		    "certificate was issued and recorded as serial %s", serial);
}

/* Up to BATCH_GROUP requests, signed in one transaction. */
struct batch_group {
	struct req		*reqs[BATCH_GROUP];
	struct ledger_row	 rows[BATCH_GROUP];
	char			 names[BATCH_GROUP][256];
	size_t			 n;
};

/* Where and how the certificates are shown, and how many were. */
struct batch_show {
	const char	*outdir;	/* a file for each, or NULL */
	FILE		*out;
	bool		 json;
	size_t		*issued;	/* shown */
	size_t		*unwritten;	/* issued but not shown */
};

static void
group_free(struct batch_group *g)
{
	size_t	 i;

	for (i = 0; i < g->n; i++)
		req_free(g->reqs[i]);
	g->n = 0;
}

/*
 * The next group of requests from src, parsed, in g (g->n of them,
 * fewer than BATCH_GROUP only at the end); the caller frees them with
 * group_free, on failure too.
 */
static int
group_read(struct batch_source *src, const struct ca *ca,
    const char *outdir, struct batch_group *g, struct cakit_notes *notes,
    struct cakit_err *err)
{
	gnutls_datum_t	 d;
	int		 ret;

	while (g->n < BATCH_GROUP) {
		if ((ret = src->next(src->arg, &d, g->names[g->n],
		    sizeof(g->names[g->n]), err)) != 1)
			return ret;
		g->reqs[g->n] = req_parse(&d, notes, err);
		free(d.data);
		if (g->reqs[g->n] == NULL) {
			err_prefix(err, g->names[g->n]);
			return -1;
		}
		g->n++;
		if (outdir != NULL && src->check_outs == NULL &&
		    check_out(ca, outdir, g->names[g->n - 1], err) == -1)
			return -1;
	}
	return 0;
}

/*
 * Show a committed group's certificates, in order, and clear its rows.
 * On failure the message names the first not shown.
 */
static int
group_show(struct batch_group *g, const struct batch_show *sh,
    struct cakit_err *err)
{
	size_t	 i, j;

	for (i = 0; i < g->n; i++) {
		if (batch_emit(&g->rows[i], g->names[i], sh->outdir, sh->out,
		    sh->json, *sh->issued == 0, err) == -1) {
			*sh->unwritten = g->n - i;
			unwritten_err(err, g->names[i], g->rows[i].serial,
			    g->n - i - 1);
			break;
		}
		(*sh->issued)++;
	}
	for (j = 0; j < g->n; j++)
		ledger_row_clear(&g->rows[j]);
	return i == g->n ? 0 : -1;
}

/*
 * Sign a group, all or none, then show it.  Each group is issued at
 * its own time: a stream may take long to send the next.
 */
static int
group_sign(struct ca *ca, const struct issue_opts *o, struct batch_group *g,
    const struct batch_show *sh, struct cakit_notes *notes,
    struct cakit_err *err)
{
	size_t	 failed;

	if (issue_batch(ca, o, g->reqs, g->n, time(NULL), g->rows, &failed,
	    notes, err) == -1) {
		if (failed < g->n)
			err_prefix(err, g->names[failed]);
		return -1;
	}
	return group_show(g, sh, err);
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
	struct batch_source	 src;
	struct batch_group	 g;
	struct batch_show	 sh;
	int			 rc = -1;

	*issued = 0;
	*unwritten = 0;
	g.n = 0;
	sh.outdir = outdir;
	sh.out = out;
	sh.json = json;
	sh.issued = issued;
	sh.unwritten = unwritten;
	if (batch_open(path, &src, err) == -1)
		return -1;
	if (outdir != NULL && src.check_outs != NULL &&
	    src.check_outs(src.arg, ca, outdir, err) == -1)
		goto out;
	if (json)
		fputc('[', out);
	do {
		group_free(&g);
		if (group_read(&src, ca, outdir, &g, notes, err) == -1 ||
		    (g.n > 0 && group_sign(ca, o, &g, &sh, notes, err) == -1))
			goto out;
	} while (g.n == BATCH_GROUP);
	if (json)
		fputs(*issued == 0 ? "]\n" : "\n]\n", out);
	if (fflush(out) != 0) {
		err_set(err, "standard output: write error");
		goto out;
	}
	rc = 0;
out:
	group_free(&g);
	src.close(src.arg);
	return rc;
}
