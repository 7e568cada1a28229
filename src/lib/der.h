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

size_t	 der_header_len(size_t);
void	 der_header(struct buf *, unsigned char, size_t);
size_t	 der_header_put(unsigned char *, unsigned char, size_t);
void	 der_wrap(struct buf *, unsigned char, const struct buf *);
void	 der_integer(struct buf *, const unsigned char *, size_t);
void	 der_uint(struct buf *, uint64_t);
void	 der_enumerated(struct buf *, unsigned int);
int	 der_oid(struct buf *, const char *, struct cakit_err *);
void	 der_oid_raw(struct buf *, const unsigned char *, size_t);
void	 der_null(struct buf *);
void	 der_boolean(struct buf *, bool);
void	 der_octet_string(struct buf *, const void *, size_t);
void	 der_bit_string(struct buf *, const void *, size_t);
bool	 der_time_valid(time_t);
int	 der_time(struct buf *, time_t, struct cakit_err *);

#endif /* !DER_H */
