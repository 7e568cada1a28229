/*
 * JSON output.  Strings are escaped so that the result is valid UTF-8
 * JSON whatever bytes they hold, and safe to show on a terminal and to
 * embed in JavaScript: the characters text_unsafe names (controls,
 * bidirectional controls, the line and paragraph separators U+2028 and
 * U+2029) as \u escapes, and bytes that are not UTF-8 replaced by
 * U+FFFD.
 */
#include "config.h"

#include <string.h>

#include "cakit.h"

void
json_str(struct buf *b, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	unsigned int		 cp;
	size_t			 n;

	buf_addc(b, '"');
	while (*s != '\0') {
		if (*s == '"' || *s == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, *s++);
		} else if (*s == '\n') {
			buf_add(b, "\\n", 2);
			s++;
		} else if ((n = text_utf8_decode(s, &cp)) == 0) {
			buf_add(b, "\\ufffd", 6);
			s++;
		} else {
			/* Every such code point is below U+10000. */
			if (text_unsafe(cp))
				buf_printf(b, "\\u%04x", cp);
			else
				buf_add(b, s, n);
			s += n;
		}
	}
	buf_addc(b, '"');
}

/* RFC 3339 in UTC: 2026-01-31T12:00:00Z. */
void
json_time_rfc3339(time_t t, char out[32])
{
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
json_time(struct buf *b, time_t t)
{
	char	 s[32];

	json_time_rfc3339(t, s);
	json_str(b, s);
}
