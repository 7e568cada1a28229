/*
 * JSON output.  Strings are escaped so that the result is valid UTF-8
 * JSON whatever bytes they hold: control characters as \u escapes, and
 * bytes that are not UTF-8 replaced by U+FFFD.
 */
#include "config.h"

#include <string.h>

#include "cakit.h"

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t		 n, i;
	unsigned int	 cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
json_str(struct buf *b, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n;

	buf_addc(b, '"');
	while (*s != '\0') {
		if (*s == '"' || *s == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, *s++);
		} else if (*s == '\n') {
			buf_add(b, "\\n", 2);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			buf_printf(b, "\\u%04x", *s++);
		} else if ((n = utf8_len(s)) == 0) {
			buf_add(b, "\\ufffd", 6);
			s++;
		} else {
			buf_add(b, s, n);
			s += n;
		}
	}
	buf_addc(b, '"');
}

/* RFC 3339 in UTC: 2026-01-31T12:00:00Z. */
void
time_rfc3339(time_t t, char out[32])
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
json_time(struct buf *b, time_t t)
{
	char	 s[32];

	time_rfc3339(t, s);
	json_str(b, s);
}
