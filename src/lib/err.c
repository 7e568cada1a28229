/*
 * Errors are described once, where they are found, into the caller's
 * buffer; notes are warnings the binary prints after the action.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cakit.h"

static void __attribute__((format(printf, 2, 0)))
err_vset(struct cakit_err *err, const char *fmt, va_list ap)
{
	err->kind = 0;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

void
err_set(struct cakit_err *err, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	err_vset(err, fmt, ap);
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
	va_start(ap, fmt);
	err_vset(err, fmt, ap);
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
err_prefix(struct cakit_err *err, const char *what)
{
	char	 old[sizeof(err->msg)];

	if (err == NULL)
		return;
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%.100s: %.900s", what, old);
}
