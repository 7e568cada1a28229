/*
 * der.c: a small DER writer for the structures GnuTLS cannot write
 * for us (the CRL).  Private to crl.c and the unit tests.
 *
 * Every encoder appends to a struct buf and cannot fail, except the
 * two that take text or a time from the caller.  Nested structures
 * are built by encoding the contents into a scratch buffer and then
 * wrapping it with der_wrap(), or, for a large body whose length is
 * known, by der_header() followed by the contents.  Only low tag
 * numbers (one identifier octet) are written.
 */
#ifndef DER_H
#define DER_H

#include "cakit.h"

/* Identifier octets (X.690 8.1.2). */
#define DER_BOOLEAN		0x01
#define DER_INTEGER		0x02
#define DER_BIT_STRING		0x03
#define DER_OCTET_STRING	0x04
#define DER_NULL		0x05
#define DER_OID			0x06
#define DER_ENUMERATED		0x0a
#define DER_UTC_TIME		0x17
#define DER_GENERALIZED_TIME	0x18
#define DER_SEQUENCE		0x30
#define DER_CONTEXT(n)		(0x80 | (n))	/* [n] IMPLICIT, primitive */
#define DER_CONTEXT_CONS(n)	(0xa0 | (n))	/* [n] EXPLICIT, constructed */

/* The longest header of any size_t length: tag, 0x8n, n octets. */
#define DER_HEADER_MAX		(2 + sizeof(size_t))

/* Each appends one TLV to b (out of memory aborts). */
/* The size of the identifier and length octets for len content octets. */
size_t	 der_header_len(size_t len);
/* The header alone: the caller appends exactly len content octets. */
void	 der_header(struct buf *b, unsigned char tag, size_t len);
/* The header into h (DER_HEADER_MAX octets): der_header_len(len). */
size_t	 der_header_put(unsigned char *h, unsigned char tag, size_t len);
/* A TLV whose contents are everything in c. */
void	 der_wrap(struct buf *b, unsigned char tag, const struct buf *c);
/* A non-negative INTEGER from len big-endian octets. */
void	 der_integer(struct buf *b, const unsigned char *p, size_t len);
void	 der_uint(struct buf *b, uint64_t v);
void	 der_enumerated(struct buf *b, unsigned int v);
/* An OBJECT IDENTIFIER from dotted text: 0, or -1 if s is not one. */
int	 der_oid(struct buf *b, const char *s, struct cakit_err *err);
/* An OBJECT IDENTIFIER from its content octets. */
void	 der_oid_raw(struct buf *b, const unsigned char *p, size_t len);
void	 der_null(struct buf *b);
void	 der_boolean(struct buf *b, bool v);
void	 der_octet_string(struct buf *b, const void *p, size_t len);
/* A BIT STRING of whole octets. */
void	 der_bit_string(struct buf *b, const void *p, size_t len);
/* Whether der_time() can write t. */
bool	 der_time_valid(time_t t);
/* A Time as RFC 5280 4.1.2.5 wants it (UTCTime 1950-2049): 0 or -1. */
int	 der_time(struct buf *b, time_t t, struct cakit_err *err);

#endif /* !DER_H */
