/*
 * Subject alternative names from outside: the first input byte picks
 * how the rest is read (a --dns, --ip, --email or --uri value; a name
 * of any GnuTLS type as a CSR carries it; an address range; several
 * names a line; or the ledger's text form).  Every list that results
 * must survive the ledger's round trip (san_list_join, then
 * san_list_parse) unchanged, and each name must come back the same
 * from a subjectAltName extension encoded by GnuTLS.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cakit.h"
#include "fuzz.h"

enum mode {
	MODE_DNS,		/* SAN_DNS ... SAN_URI: san_add */
	MODE_IP,
	MODE_EMAIL,
	MODE_URI,
	MODE_RAW,		/* next byte: a GnuTLS type; san_add_raw */
	MODE_CIDR,		/* san_add_cidr */
	MODE_LINES,		/* lines of <type byte><value> */
	MODE_LEDGER,		/* san_list_parse */
	MODE_COUNT
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	gnutls_global_init();
	return 0;
}

static void
check_list(const struct san_list *l)
{
	size_t	 i;
	const char *p;

	if (l->n > SAN_MAX)
		fuzz_fail("%zu names", l->n);
	for (i = 0; i < l->n; i++) {
		const struct san *s = &l->v[i];

		if ((unsigned int)s->type > SAN_URI)
			fuzz_fail("name %zu: type %d", i, (int)s->type);
		if (s->value == NULL || s->value[0] == '\0')
			fuzz_fail("name %zu: empty", i);
		for (p = s->value; *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 ||
			    (unsigned char)*p >= 0x7f)
				fuzz_fail("%s name '%s': byte 0x%02x",
				    san_prefix(s->type), s->value,
				    (unsigned char)*p);
		if (s->type == SAN_IP ? s->iplen != 4 && s->iplen != 16 &&
		    s->iplen != 8 && s->iplen != 32 : s->iplen != 0)
			fuzz_fail("%s name '%s': %zu address octets",
			    san_prefix(s->type), s->value, s->iplen);
	}
}

/* The ledger's form parses back to the same names. */
static void
check_round_trip(const struct san_list *l)
{
	struct san_list		 back = { NULL, 0 };
	struct cakit_err	 err;
	char			*text, *again;
	size_t			 i;

	text = san_list_join(l, "\n");
	if (san_list_parse(&back, text, &err) == -1)
		fuzz_fail("'%s' does not parse back: %s", text, err.msg);
	if (back.n != l->n)
		fuzz_fail("'%s' parses back to %zu names, not %zu", text,
		    back.n, l->n);
	for (i = 0; i < l->n; i++)
		if (back.v[i].type != l->v[i].type ||
		    strcmp(back.v[i].value, l->v[i].value) != 0 ||
		    back.v[i].iplen != l->v[i].iplen ||
		    memcmp(back.v[i].ip, l->v[i].ip, l->v[i].iplen) != 0)
			fuzz_fail("'%s': name %zu parses back as %s:%s",
			    text, i, san_prefix(back.v[i].type),
			    back.v[i].value);
	again = san_list_join(&back, "\n");
	if (strcmp(text, again) != 0)
		fuzz_fail("'%s' joins again as '%s'", text, again);
	free(again);
	free(text);
	san_list_free(&back);
}

/* Each name comes back the same from an extension GnuTLS encoded. */
static void
check_encoding(const struct san_list *l)
{
	static const gnutls_x509_subject_alt_name_t types[] = {
		[SAN_DNS] = GNUTLS_SAN_DNSNAME,
		[SAN_IP] = GNUTLS_SAN_IPADDRESS,
		[SAN_EMAIL] = GNUTLS_SAN_RFC822NAME,
		[SAN_URI] = GNUTLS_SAN_URI,
	};
	gnutls_subject_alt_names_t	 out = NULL, in = NULL;
	gnutls_datum_t			 d, der = { NULL, 0 };
	unsigned int			 type;
	size_t				 i;
	int				 ret;

	if (l->n == 0)
		return;
	if (gnutls_subject_alt_names_init(&out) < 0 ||
	    gnutls_subject_alt_names_init(&in) < 0)
		fuzz_fail("gnutls_subject_alt_names_init");
	for (i = 0; i < l->n; i++) {
		if (l->v[i].type == SAN_IP) {
			d.data = (unsigned char *)l->v[i].ip;
			d.size = l->v[i].iplen;
		} else {
			d.data = (unsigned char *)l->v[i].value;
			d.size = strlen(l->v[i].value);
		}
		if ((ret = gnutls_subject_alt_names_set(out,
		    types[l->v[i].type], &d, NULL)) < 0)
			fuzz_fail("%s:%s: GnuTLS refuses it: %s",
			    san_prefix(l->v[i].type), l->v[i].value,
			    gnutls_strerror(ret));
	}
	if ((ret = gnutls_x509_ext_export_subject_alt_names(out, &der)) < 0 ||
	    (ret = gnutls_x509_ext_import_subject_alt_names(&der, in, 0)) < 0)
		fuzz_fail("subjectAltName does not encode and decode: %s",
		    gnutls_strerror(ret));
	for (i = 0; i < l->n; i++) {
		const struct san *s = &l->v[i];

		if (gnutls_subject_alt_names_get(in, i, &type, &d, NULL) < 0)
			fuzz_fail("name %zu missing after decoding", i);
		if (type != types[s->type] || (s->type == SAN_IP ?
		    d.size != s->iplen || memcmp(d.data, s->ip, d.size) != 0 :
		    d.size != strlen(s->value) ||
		    memcmp(d.data, s->value, d.size) != 0))
			fuzz_fail("%s:%s decodes differently",
			    san_prefix(s->type), s->value);
	}
	gnutls_free(der.data);
	gnutls_subject_alt_names_deinit(out);
	gnutls_subject_alt_names_deinit(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct san_list		 l = { NULL, 0 };
	struct cakit_err	 err;
	enum mode		 mode;
	const char		*p, *end, *text;
	char			*s;
	int			 rc;

	if (size == 0)
		return 0;
	mode = data[0] % MODE_COUNT;
	text = (const char *)data + 1;
	size--;
	s = fuzz_strndup(data + 1, size);
	switch (mode) {
	case MODE_DNS:
	case MODE_IP:
	case MODE_EMAIL:
	case MODE_URI:
		rc = san_add(&l, (enum san_type)mode, text, size, &err);
		break;
	case MODE_RAW:
		if (size == 0) {
			rc = -1;
			break;
		}
		rc = san_add_raw(&l, (gnutls_x509_subject_alt_name_t)data[1],
		    data + 2, size - 1, &err);
		break;
	case MODE_CIDR:
		rc = san_add_cidr(&l, s, &err);
		break;
	case MODE_LINES:
		rc = 0;
		for (p = s; rc == 0 && *p != '\0'; p = *end ? end + 1 : end) {
			if ((end = strchr(p, '\n')) == NULL)
				end = p + strlen(p);
			if (end > p)
				rc = san_add(&l, (unsigned char)*p % 4,
				    p + 1, end - p - 1, &err);
		}
		break;
	case MODE_LEDGER:
	default:
		rc = san_list_parse(&l, s, &err);
		break;
	}
	check_list(&l);
	/*
	 * A failure may leave the names added before it; they must be
	 * sound all the same.  Address ranges live only in nameConstraints
	 * and are never written to the ledger.
	 */
	(void)rc;
	if (mode != MODE_CIDR)
		check_round_trip(&l);
	else if (l.n > 0 && (l.v[0].iplen != 8 && l.v[0].iplen != 32))
		fuzz_fail("range '%s': %zu octets", l.v[0].value,
		    l.v[0].iplen);
	if (mode != MODE_CIDR)
		check_encoding(&l);
	san_list_free(&l);
	free(s);
	return 0;
}
