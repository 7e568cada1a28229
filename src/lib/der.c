/*
 * A small DER (X.690) writer.  GnuTLS's own writers are built on a
 * libtasn1 node tree, which cannot express everything a CRL needs and
 * grows slowly with the number of entries; this one only appends bytes
 * to a struct buf, so an encoding costs time and memory in proportion
 * to its size.
 */
#include "config.h"

#include <time.h>

#include "cakit.h"
#include "der.h"

/* The octets a definite length takes after the identifier (X.690 8.1.3). */
static size_t
len_octets(size_t len)
{
	size_t	 n;

	if (len < 0x80)
		return 1;
	for (n = 0; len > 0; len >>= 8)
		n++;
	return 1 + n;
}

/* The size of the identifier and length octets for len content octets. */
size_t
der_header_len(size_t len)
{
	return 1 + len_octets(len);
}

/*
 * Append the identifier and the minimal definite length; the caller
 * appends exactly len content octets next.
 */
void
der_header(struct buf *b, unsigned char tag, size_t len)
{
	unsigned char	 h[DER_HEADER_MAX];

	buf_add(b, h, der_header_put(h, tag, len));
}

/*
 * Write the identifier and the minimal definite length of len content
 * octets to h, which has room for DER_HEADER_MAX octets, whatever len
 * is.  Returns the number written, der_header_len(len).
 */
size_t
der_header_put(unsigned char *h, unsigned char tag, size_t len)
{
	size_t	 i, n;

	h[0] = tag;
	if (len < 0x80) {
		h[1] = len;
		return 2;
	}
	n = len_octets(len) - 1;
	h[1] = 0x80 | n;
	for (i = 0; i < n; i++)
		h[2 + i] = len >> (8 * (n - 1 - i));
	return 2 + n;
}

/* Append a TLV whose contents are everything in c. */
void
der_wrap(struct buf *b, unsigned char tag, const struct buf *c)
{
	der_header(b, tag, c->len);
	if (c->len > 0)
		buf_add(b, c->p, c->len);
}

/*
 * An INTEGER or ENUMERATED from an unsigned big-endian magnitude: the
 * fewest octets two's complement allows (X.690 8.3.2), so leading zero
 * octets go and a zero octet comes back when the top bit is set.
 */
static void
unsigned_tlv(struct buf *b, unsigned char tag, const unsigned char *p,
    size_t len)
{
	while (len > 0 && p[0] == 0) {
		p++;
		len--;
	}
	if (len == 0) {
		der_header(b, tag, 1);
		buf_addc(b, 0);
		return;
	}
	if (p[0] & 0x80) {
		der_header(b, tag, len + 1);
		buf_addc(b, 0);
	} else
		der_header(b, tag, len);
	buf_add(b, p, len);
}

/* A non-negative INTEGER from len big-endian octets (which may be 0). */
void
der_integer(struct buf *b, const unsigned char *p, size_t len)
{
	unsigned_tlv(b, DER_INTEGER, p, len);
}

static void
uint_tlv(struct buf *b, unsigned char tag, uint64_t v)
{
	unsigned char	 be[8];
	size_t		 i;

	for (i = 0; i < sizeof(be); i++)
		be[i] = v >> (8 * (sizeof(be) - 1 - i));
	unsigned_tlv(b, tag, be, sizeof(be));
}

void
der_uint(struct buf *b, uint64_t v)
{
	uint_tlv(b, DER_INTEGER, v);
}

void
der_enumerated(struct buf *b, unsigned int v)
{
	uint_tlv(b, DER_ENUMERATED, v);
}

/* One subidentifier in base 128, high bit set on all but the last. */
static void
oid_arc(struct buf *b, uint64_t v)
{
	unsigned char	 o[10];
	size_t		 n = sizeof(o);

	o[--n] = v & 0x7f;
	while ((v >>= 7) > 0)
		o[--n] = 0x80 | (v & 0x7f);
	buf_add(b, o + n, sizeof(o) - n);
}

/*
 * An OBJECT IDENTIFIER from dotted text such as "2.5.29.20" (X.690
 * 8.19): at least two arcs, decimal without leading zeros, the first
 * 0, 1 or 2 and the second below 40 unless the first is 2.
 */
int
der_oid(struct buf *b, const char *s, struct cakit_err *err)
{
	struct buf	 c = { NULL, 0, 0 };
	const char	*p = s;
	uint64_t	 arc, first = 0;
	size_t		 narcs = 0;
	int		 rc = -1;

	for (;;) {
		if (*p < '0' || *p > '9' || (p[0] == '0' &&
		    p[1] >= '0' && p[1] <= '9'))
			goto bad;
		for (arc = 0; *p >= '0' && *p <= '9'; p++) {
			if (arc > (UINT64_MAX - (*p - '0')) / 10)
				goto bad;
			arc = arc * 10 + (*p - '0');
		}
		if (narcs == 0) {
			if (arc > 2)
				goto bad;
			first = arc;
		} else if (narcs == 1) {
			if ((first < 2 && arc >= 40) ||
			    arc > UINT64_MAX - 40 * first)
				goto bad;
			oid_arc(&c, 40 * first + arc);
		} else
			oid_arc(&c, arc);
		narcs++;
		if (*p == '\0')
			break;
		if (*p++ != '.')
			goto bad;
	}
	if (narcs < 2)
		goto bad;
	der_wrap(b, DER_OID, &c);
	rc = 0;
	goto out;
bad:
	err_set(err, "OID '%s': not a dotted object identifier (X.690 8.19)",
	    s);
out:
	buf_free(&c);
	return rc;
}

/* An OBJECT IDENTIFIER from its content octets, e.g. 55 1d 14. */
void
der_oid_raw(struct buf *b, const unsigned char *p, size_t len)
{
	der_header(b, DER_OID, len);
	buf_add(b, p, len);
}

void
der_null(struct buf *b)
{
	der_header(b, DER_NULL, 0);
}

/* DER writes TRUE as all ones (X.690 11.1). */
void
der_boolean(struct buf *b, bool v)
{
	der_header(b, DER_BOOLEAN, 1);
	buf_addc(b, v ? 0xff : 0x00);
}

void
der_octet_string(struct buf *b, const void *p, size_t len)
{
	der_header(b, DER_OCTET_STRING, len);
	if (len > 0)
		buf_add(b, p, len);
}

/* A BIT STRING of whole octets: the initial octet says 0 unused bits. */
void
der_bit_string(struct buf *b, const void *p, size_t len)
{
	der_header(b, DER_BIT_STRING, len + 1);
	buf_addc(b, 0);
	if (len > 0)
		buf_add(b, p, len);
}

static void
digits(char *s, int v, int n)
{
	while (n-- > 0) {
		s[n] = '0' + v % 10;
		v /= 10;
	}
}

static bool
time_split(time_t t, struct tm *tm)
{
	return gmtime_r(&t, tm) != NULL &&
	    tm->tm_year >= -1900 && tm->tm_year <= 9999 - 1900;
}

/* Whether der_time() can write t. */
bool
der_time_valid(time_t t)
{
	struct tm	 tm;

	return time_split(t, &tm);
}

/*
 * A Time as RFC 5280 4.1.2.5 wants it: UTCTime "YYMMDDHHMMSSZ" for the
 * years 1950 to 2049, GeneralizedTime "YYYYMMDDHHMMSSZ" otherwise, in
 * UTC with whole seconds.  Years outside 0000-9999 cannot be written.
 */
int
der_time(struct buf *b, time_t t, struct cakit_err *err)
{
	struct tm	 tm;
	char		 s[15], *p = s;
	bool		 utc;
	int		 year;

	if (!time_split(t, &tm)) {
		err_set(err, "time %lld: outside the years 0000-9999 an "
		    "X.509 time can hold (RFC 5280 4.1.2.5)", (long long)t);
		return -1;
	}
	year = tm.tm_year + 1900;
	if ((utc = year >= 1950 && year <= 2049)) {
		digits(p, year % 100, 2);
		p += 2;
	} else {
		digits(p, year, 4);
		p += 4;
	}
	digits(p, tm.tm_mon + 1, 2);
	digits(p + 2, tm.tm_mday, 2);
	digits(p + 4, tm.tm_hour, 2);
	digits(p + 6, tm.tm_min, 2);
	digits(p + 8, tm.tm_sec, 2);
	p[10] = 'Z';
	p += 11;
	der_header(b, utc ? DER_UTC_TIME : DER_GENERALIZED_TIME, p - s);
	buf_add(b, s, p - s);
	return 0;
}
