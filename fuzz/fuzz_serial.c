/*
 * Serial numbers as people paste them (ca-revoke, ca-list, renewal):
 * the input up to its first NUL is given to serial_parse.  A serial it
 * accepts is 1 to 20 octets without a leading zero octet, and its
 * serial_hex form parses back to the same octets.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cakit.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gnutls_global_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct serial		 s, again;
	struct cakit_err	 err;
	char			*text, hex[SERIAL_HEXLEN + 1];

	text = fuzz_strndup(data, size);
	if (serial_parse(text, &s, &err) == -1)
		goto out;
	if (s.len == 0 || s.len > SERIAL_LEN)
		fuzz_fail("'%s': a serial of %zu octets", text, s.len);
	if (s.b[0] == 0)
		fuzz_fail("'%s': a leading zero octet", text);
	serial_hex(&s, hex);
	if (strlen(hex) != 2 * s.len)
		fuzz_fail("'%s': hex form '%s' of %zu octets", text, hex,
		    s.len);
	if (serial_parse(hex, &again, &err) == -1)
		fuzz_fail("'%s': hex form '%s' does not parse: %s", text, hex,
		    err.msg);
	if (again.len != s.len || memcmp(again.b, s.b, s.len) != 0)
		fuzz_fail("'%s': hex form '%s' parses to other octets", text,
		    hex);
out:
	free(text);
	return 0;
}
