/*
 * Serial numbers: 20 random octets, positive and minimally encoded
 * (RFC 5280 4.1.2.2), and the hex forms people paste back to us.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "cakit.h"

int
serial_new(struct serial *s, struct cakit_err *err)
{
	int	 ret;

	memset(s, 0, sizeof(*s));
	/*
	 * Clear the top bit so the INTEGER is positive in 20 octets, and
	 * draw again on a zero first octet, which DER would have to strip.
	 */
	do {
		if ((ret = gnutls_rnd(GNUTLS_RND_NONCE, s->b,
		    sizeof(s->b))) < 0) {
			err_gnutls(err, ret, "random serial");
			return -1;
		}
		s->b[0] &= 0x7f;
	} while (s->b[0] == 0);
	s->len = SERIAL_LEN;
	return 0;
}

/*
 * Accept hex as cakit, openssl and certtool print it: any case, with or
 * without colons, an optional 0x, leading zero octets ignored.
 */
int
serial_parse(const char *text, struct serial *s, struct cakit_err *err)
{
	char	 hex[2 * SERIAL_LEN + 2];
	size_t	 n = 0, i, off;
	const char *p = text;

	memset(s, 0, sizeof(*s));
	if (strncmp(p, "0x", 2) == 0 || strncmp(p, "0X", 2) == 0)
		p += 2;
	for (; *p != '\0'; p++) {
		if (*p == ':')
			continue;
		if (!isxdigit((unsigned char)*p)) {
			err_set(err, "serial '%.64s': not a hexadecimal number",
			    text);
			return -1;
		}
		if (n == 0 && *p == '0')
			continue;
		if (n == sizeof(hex) - 2) {
			err_set(err, "serial '%.64s': longer than %d octets",
			    text, SERIAL_LEN);
			return -1;
		}
		hex[n++] = tolower((unsigned char)*p);
	}
	if (n == 0) {
		err_set(err, "serial '%.64s': not a valid serial number", text);
		return -1;
	}
	s->len = (n + 1) / 2;
	off = n % 2;
	for (i = 0; i < n; i++) {
		unsigned int v = isdigit((unsigned char)hex[i]) ?
		    hex[i] - '0' : hex[i] - 'a' + 10;
		size_t pos = (i + off) / 2;

		s->b[pos] |= ((i + off) % 2 == 0) ? v << 4 : v;
	}
	return 0;
}

int
serial_from_crt(gnutls_x509_crt_t crt, struct serial *s, struct cakit_err *err)
{
	unsigned char	 raw[64];
	size_t		 len = sizeof(raw), i = 0;
	int		 ret;

	memset(s, 0, sizeof(*s));
	if ((ret = gnutls_x509_crt_get_serial(crt, raw, &len)) < 0) {
		err_gnutls(err, ret, "certificate serial");
		return -1;
	}
	while (i + 1 < len && raw[i] == 0)
		i++;
	if (len - i > SERIAL_LEN) {
		err_set(err, "certificate serial longer than %d octets",
		    SERIAL_LEN);
		return -1;
	}
	memcpy(s->b, raw + i, len - i);
	s->len = len - i;
	return 0;
}

/* Lowercase hex without colons: the ledger's key and --json's form. */
void
serial_hex(const struct serial *s, char out[SERIAL_HEXLEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	size_t	 i;

	for (i = 0; i < s->len; i++) {
		out[2 * i] = digits[s->b[i] >> 4];
		out[2 * i + 1] = digits[s->b[i] & 0xf];
	}
	out[2 * s->len] = '\0';
}
