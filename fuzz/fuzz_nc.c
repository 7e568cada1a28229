/*
 * The name-constraint check: random names against random constraints.
 * The input is <count> then, count times, <kind> <length> <octets> (a
 * constraint: kind's low bit excluded or permitted, the rest its type:
 * DNS, IP, email, URI, or directoryName, which policy.c does not
 * evaluate), then <type> and the name, the rest of the input.
 * Properties: no crash; a name policy_nc_allows lets through is one
 * GnuTLS's gnutls_x509_name_constraints_check lets through too; and a
 * wildcard "*.w" it lets through stands only for names it lets through
 * as well ("x.w" for the first label x of every DNS constraint), so
 * that no wildcard reaches an excluded name; and an address it lets
 * through lies in one of the permitted ranges, when there are any, of
 * its own family (as OpenSSL reads them: GnuTLS lets an address of a
 * family without a permitted range through).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cakit.h"
#include "fuzz.h"

#define NC_MAX		8

static const unsigned int types[] = {
	GNUTLS_SAN_DNSNAME,
	GNUTLS_SAN_IPADDRESS,
	GNUTLS_SAN_RFC822NAME,
	GNUTLS_SAN_URI,
	GNUTLS_SAN_DN,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gnutls_global_init();
	return 0;
}

/* Printable ASCII, without an empty label or a trailing dot. */
static bool
plain(const unsigned char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f ||
		    (s[i] == '.' && (i + 1 == len || s[i + 1] == '.')))
			return false;
	return true;
}

/* "*.w" is allowed: so must be "x.w" for the first label x of each base. */
static void
check_wildcard(gnutls_x509_name_constraints_t nc, const gnutls_datum_t *name,
    const gnutls_datum_t *bases, size_t nbases)
{
	gnutls_datum_t	 c;
	const unsigned char *b, *dot;
	size_t		 i, blen, xlen;
	unsigned char	*buf;

	for (i = 0; i < nbases; i++) {
		b = bases[i].data;
		blen = bases[i].size;
		if (blen > 0 && b[0] == '.') {
			b++;
			blen--;
		}
		xlen = (dot = memchr(b, '.', blen)) != NULL ?
		    (size_t)(dot - b) : blen;
		if (xlen == 0)
			continue;
		buf = xmalloc(xlen + name->size - 1);
		memcpy(buf, b, xlen);
		memcpy(buf + xlen, name->data + 1, name->size - 1);
		c.data = buf;
		c.size = xlen + name->size - 1;
		if (!policy_nc_allows(nc, GNUTLS_SAN_DNSNAME, &c))
			fuzz_fail("'%.*s' is allowed, but not '%.*s', which it "
			    "stands for", (int)name->size, name->data,
			    (int)c.size, c.data);
		free(buf);
	}
}

/* An address allowed under permitted ranges lies in one of them. */
static void
check_address(const gnutls_datum_t *name, const gnutls_datum_t *ranges,
    size_t nranges)
{
	size_t	 i, j;

	for (i = 0; i < nranges; i++) {
		if (ranges[i].size != name->size * 2)
			continue;
		for (j = 0; j < name->size; j++)
			if ((name->data[j] ^ ranges[i].data[j]) &
			    ranges[i].data[name->size + j])
				break;
		if (j == name->size)
			return;
	}
	if (nranges > 0)
		fuzz_fail("an address of %u octets is allowed outside every "
		    "permitted range", name->size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gnutls_x509_name_constraints_t	 nc;
	gnutls_datum_t			 d, name, bases[NC_MAX], ranges[NC_MAX];
	const uint8_t			*p = data, *end = data + size;
	unsigned int			 n, i, type, nbases = 0, nranges = 0;
	size_t				 len;
	unsigned char			*copy;
	bool				 star = false;
	int				 ret;

	if (size < 2)
		return 0;
	if ((ret = gnutls_x509_name_constraints_init(&nc)) < 0)
		fuzz_fail("gnutls_x509_name_constraints_init: %s",
		    gnutls_strerror(ret));
	n = *p++ % (NC_MAX + 1);
	for (i = 0; i < n && end - p >= 2; i++) {
		type = types[(p[0] >> 1) % (sizeof(types) / sizeof(types[0]))];
		len = p[1];
		if (len > (size_t)(end - p - 2))
			len = end - p - 2;
		d.data = (unsigned char *)p + 2;
		d.size = len;
		/* GnuTLS refuses some (an address range of 5 octets). */
		ret = p[0] & 1 ? gnutls_x509_name_constraints_add_excluded(nc,
		    type, &d) : gnutls_x509_name_constraints_add_permitted(nc,
		    type, &d);
		if (ret >= 0 && type == GNUTLS_SAN_DNSNAME) {
			if (memchr(d.data, '*', d.size) != NULL ||
			    !plain(d.data, d.size))
				star = true;
			bases[nbases++] = d;
		}
		if (ret >= 0 && type == GNUTLS_SAN_IPADDRESS && !(p[0] & 1))
			ranges[nranges++] = d;
		p += 2 + len;
	}
	if (p >= end)
		goto out;
	type = types[*p++ % 4];
	/* A copy of exactly its size, so that a read past it is seen. */
	len = end - p;
	copy = xmalloc(len > 0 ? len : 1);
	memcpy(copy, p, len);
	name.data = copy;
	name.size = len;
	if (policy_nc_allows(nc, type, &name)) {
		if (!gnutls_x509_name_constraints_check(nc, type, &name))
			fuzz_fail("'%.*s' (type %u) is allowed, but not by "
			    "GnuTLS", (int)name.size, name.data, type);
		if (type == GNUTLS_SAN_DNSNAME && !star && name.size > 2 &&
		    name.data[0] == '*' && name.data[1] == '.' &&
		    memchr(name.data + 1, '*', name.size - 1) == NULL &&
		    plain(name.data, name.size))
			check_wildcard(nc, &name, bases, nbases);
		if (type == GNUTLS_SAN_IPADDRESS)
			check_address(&name, ranges, nranges);
	}
	free(copy);
out:
	gnutls_x509_name_constraints_deinit(nc);
	return 0;
}
