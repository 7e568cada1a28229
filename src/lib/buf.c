/*
 * Growable buffers and allocation.  Running out of memory is the one
 * failure the library does not return: there is nothing sane to do.
 */
#include "config.h"

#include <err.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cakit.h"

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		err(1, NULL);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		err(1, NULL);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		err(1, NULL);
	return p;
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		err(1, NULL);
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		err(1, NULL);
	return p;
}

static void
buf_grow(struct buf *b, size_t more)
{
	size_t	 cap;

	if (b->cap - b->len > more)
		return;
	if (more > SIZE_MAX / 2 - b->len)
		errx(1, "buffer too large");
	cap = b->cap == 0 ? 256 : b->cap;
	while (cap - b->len <= more)
		cap *= 2;
	b->p = xreallocarray(b->p, cap, 1);
	b->cap = cap;
}

/* Room for n more bytes, so that adding them will not reallocate. */
void
buf_reserve(struct buf *b, size_t n)
{
	size_t	 cap;

	if (b->cap - b->len > n)
		return;
	if (n > SIZE_MAX / 2 - b->len)
		errx(1, "buffer too large");
	cap = b->len + n + 1;
	b->p = xreallocarray(b->p, cap, 1);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_addc(struct buf *b, int c)
{
	unsigned char	 ch = c;

	buf_add(b, &ch, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		errx(1, "buf_printf: bad format");
	buf_grow(b, n + 1);
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

/* The contents as a C string; the buffer stays owned by b. */
char *
buf_str(struct buf *b)
{
	buf_grow(b, 1);
	b->p[b->len] = '\0';
	return (char *)b->p;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
