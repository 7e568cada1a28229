/*
 * Text for people: UTF-8 decoding, and the characters that must never
 * reach a terminal raw (controls, bidirectional overrides, line
 * separators), which could make one line look like another.
 */
#include "config.h"

#include "cakit.h"

/* Length of the valid UTF-8 sequence at s (its code point in *cp), or 0. */
size_t
text_utf8_decode(const unsigned char *s, unsigned int *cp)
{
	size_t	 n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		*cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		*cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		*cp = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && *cp < 0x800) || (n == 4 && (*cp < 0x10000 ||
	    *cp > 0x10ffff)) || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * C0 and C1 controls, DEL, the bidirectional marks, embeddings,
 * overrides and isolates (Unicode UAX #9), and the line and paragraph
 * separators.
 */
bool
text_unsafe(unsigned int cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x61c ||
	    cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * s for a terminal: unsafe characters as \u{XXXX}, bytes that are not
 * UTF-8 as \xNN, and a backslash doubled so that the escapes cannot be
 * forged.
 */
void
text_visible(struct buf *b, const char *str)
{
	const unsigned char	*s = (const unsigned char *)str;
	unsigned int		 cp;
	size_t			 n;

	while (*s != '\0') {
		if ((n = text_utf8_decode(s, &cp)) == 0) {
			buf_printf(b, "\\x%02x", *s++);
			continue;
		}
		if (cp == '\\')
			buf_add(b, "\\\\", 2);
		else if (text_unsafe(cp))
			buf_printf(b, "\\u{%04x}", cp);
		else
			buf_add(b, s, n);
		s += n;
	}
}

/* The first unsafe or undecodable character of s, for new names. */
int
text_check(const char *what, const char *str, struct cakit_err *err)
{
	const unsigned char	*s = (const unsigned char *)str;
	unsigned int		 cp;
	size_t			 n;

	for (; *s != '\0'; s += n) {
		if ((n = text_utf8_decode(s, &cp)) == 0) {
			err_set(err, "%s: byte 0x%02x is not UTF-8", what, *s);
			return -1;
		}
		if (text_unsafe(cp)) {
			err_set(err, "%s: %s U+%04X is not allowed in a name",
			    what, cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ?
			    "control character" : cp >= 0x2028 &&
			    cp <= 0x2029 ? "line separator" :
			    "bidirectional control", cp);
			return -1;
		}
	}
	return 0;
}
