/*
 * revoke.c: revocation recorded in the ledger and published in
 * crl.pem.  The CA is made with ca_init in a temporary directory; the
 * CRL it publishes is read and verified with GnuTLS's CRL API, not with
 * cakit's own reader.
 */
#include "config.h"

#include <time.h>

#include "unit.h"

static struct ca		*ca;
static struct cakit_err		 err;
static struct cakit_notes	 notes;
static char			*cadir;

static void
setup(void)
{
	struct ca_init_opts	 o;

	memset(&err, 0, sizeof(err));
	memset(&notes, 0, sizeof(notes));
	unit_tmpdir();
	cadir = unit_path("ca");
	unit_ca_opts(&o, cadir, "CN=Unit Revoke Root,O=Example");
	unit_ca_make(&o, time(NULL));
	ck_assert_msg((ca = ca_open(cadir, 0, NULL, &err)) != NULL, "%s",
	    err.msg);
	memset(&notes, 0, sizeof(notes));
}

static void
teardown(void)
{
	ca_free(ca);
	free(cadir);
	unit_rmdir();
}

static gnutls_pubkey_t
new_pub(void)
{
	gnutls_privkey_t	 k;
	gnutls_pubkey_t		 pub;

	ck_assert_int_ge(gnutls_privkey_init(&k), 0);
	ck_assert_int_ge(gnutls_privkey_generate(k, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0), 0);
	ck_assert_int_ge(gnutls_pubkey_init(&pub), 0);
	ck_assert_int_ge(gnutls_pubkey_import_privkey(pub, k, 0, 0), 0);
	gnutls_privkey_deinit(k);
	return pub;
}

/* Issue a client certificate for pub; its serial into serial. */
static void
issue(gnutls_pubkey_t pub, const char *cn, char serial[SERIAL_HEXLEN + 1])
{
	struct issue_opts	 o;
	struct san_list		 sans = { NULL, 0 };
	struct ledger_row	 row;

	memset(&o, 0, sizeof(o));
	o.profile = PROFILE_CLIENT;
	o.subject = cn;
	o.sans = &sans;
	ck_assert_msg(issue_cert(ca, &o, pub, NULL, time(NULL), &row, &notes,
	    &err) == 0, "%s", err.msg);
	memcpy(serial, row.serial, SERIAL_HEXLEN + 1);
	ledger_row_clear(&row);
}

/* The ledger's row for serial, which the caller clears. */
static void
lookup(const char *serial, struct ledger_row *row)
{
	ck_assert_msg(ca_lookup(ca, serial, row, &err) == 0, "%s", err.msg);
}

static enum cert_status
status_of(const char *serial)
{
	struct ledger_row	 row;
	enum cert_status	 s;

	lookup(serial, &row);
	s = row.status;
	ledger_row_clear(&row);
	return s;
}

/* crl.pem, imported and verified under the CA certificate by GnuTLS. */
static gnutls_x509_crl_t
crl_load(void)
{
	gnutls_x509_crl_t	 crl;
	gnutls_datum_t		 pem;
	unsigned int		 status;
	char			*path;

	path = file_join(cadir, CA_CRL);
	ck_assert_int_eq(file_read(path, FILE_MAX, &pem, &err), 0);
	free(path);
	ck_assert_int_eq(gnutls_x509_crl_init(&crl), 0);
	ck_assert_int_eq(gnutls_x509_crl_import(crl, &pem,
	    GNUTLS_X509_FMT_PEM), 0);
	free(pem.data);
	ck_assert_int_eq(gnutls_x509_crl_verify(crl, &ca->crt, 1, 0, &status),
	    0);
	ck_assert_uint_eq(status, 0);
	return crl;
}

/* The CRL number of crl.pem, as GnuTLS reads it. */
static uint64_t
crl_file_number(void)
{
	gnutls_x509_crl_t	 crl = crl_load();
	unsigned char		 b[32];
	size_t			 len = sizeof(b), i;
	unsigned int		 critical;
	uint64_t		 n = 0;

	ck_assert_int_eq(gnutls_x509_crl_get_number(crl, b, &len, &critical),
	    0);
	ck_assert_uint_le(len, 9);
	for (i = 0; i < len; i++)
		n = n << 8 | b[i];
	gnutls_x509_crl_deinit(crl);
	return n;
}

/* A hex serial without its leading zero octets. */
static const char *
hex_strip(const char *s)
{
	while (s[0] == '0' && s[1] == '0' && s[2] != '\0')
		s += 2;
	return s;
}

/* Whether crl.pem lists serial, and when it was revoked there. */
static bool
crl_lists(const char *serial, time_t *when)
{
	gnutls_x509_crl_t	 crl = crl_load();
	unsigned char		 b[SERIAL_LEN + 1];
	char			 hex[2 * sizeof(b) + 1];
	size_t			 len, i, j;
	int			 n;
	bool			 found = false;

	ck_assert_int_ge(n = gnutls_x509_crl_get_crt_count(crl), 0);
	for (i = 0; i < (size_t)n && !found; i++) {
		len = sizeof(b);
		ck_assert_int_eq(gnutls_x509_crl_get_crt_serial(crl, i, b, &len,
		    when), 0);
		for (j = 0; j < len; j++)
			snprintf(hex + 2 * j, 3, "%02x", b[j]);
		hex[2 * len] = '\0';
		found = strcmp(hex_strip(hex), hex_strip(serial)) == 0;
	}
	gnutls_x509_crl_deinit(crl);
	return found;
}

static bool
noted(const char *what)
{
	size_t	 i;

	for (i = 0; i < notes.n; i++)
		if (strstr(notes.msg[i], what) != NULL)
			return true;
	return false;
}

START_TEST(revoke_by_serial)
{
	gnutls_pubkey_t		 pub = new_pub();
	struct ledger_row	 row;
	char			 s[SERIAL_HEXLEN + 1], *args[1];
	time_t			 before, after, when;
	bool			 changed;

	issue(pub, "CN=one", s);
	args[0] = s;
	before = time(NULL);
	ck_assert_msg(revoke_certs(ca, args, 1, 4, 7, &changed, &notes,
	    &err) == 0, "%s", err.msg);
	after = time(NULL);
	ck_assert(changed);
	ck_assert_uint_eq(notes.n, 0);
	lookup(s, &row);
	ck_assert_int_eq(row.status, STATUS_REVOKED);
	ck_assert_int_eq(row.reason, 4);
	ck_assert_int_ge(row.revoked_at, before);
	ck_assert_int_le(row.revoked_at, after);
	ck_assert(crl_lists(s, &when));
	ck_assert_int_eq(when, row.revoked_at);
	ledger_row_clear(&row);
	gnutls_pubkey_deinit(pub);
}
END_TEST

/* Each revocation publishes a CRL with a higher number. */
START_TEST(crl_number_increases)
{
	gnutls_pubkey_t		 pub = new_pub();
	char			 a[SERIAL_HEXLEN + 1], b[SERIAL_HEXLEN + 1];
	char			*args[1];
	uint64_t		 n0, n1, n2;
	time_t			 when;
	bool			 changed;

	issue(pub, "CN=a", a);
	issue(pub, "CN=b", b);
	n0 = crl_file_number();
	ck_assert(!crl_lists(a, &when));
	args[0] = a;
	ck_assert_int_eq(revoke_certs(ca, args, 1, 0, 7, &changed, &notes,
	    &err), 0);
	n1 = crl_file_number();
	ck_assert_uint_gt(n1, n0);
	ck_assert(crl_lists(a, &when));
	ck_assert(!crl_lists(b, &when));
	args[0] = b;
	ck_assert_int_eq(revoke_certs(ca, args, 1, 0, 7, &changed, &notes,
	    &err), 0);
	n2 = crl_file_number();
	ck_assert_uint_gt(n2, n1);
	ck_assert(crl_lists(a, &when));
	ck_assert(crl_lists(b, &when));
	gnutls_pubkey_deinit(pub);
}
END_TEST

/* Revoking again is a note: the row, its reason and crl.pem stay. */
START_TEST(revoke_twice)
{
	gnutls_pubkey_t		 pub = new_pub();
	struct ledger_row	 first, again;
	char			 s[SERIAL_HEXLEN + 1], want[128], *args[1];
	uint64_t		 number;
	bool			 changed;

	issue(pub, "CN=twice", s);
	args[0] = s;
	ck_assert_int_eq(revoke_certs(ca, args, 1, 3, 7, &changed, &notes,
	    &err), 0);
	lookup(s, &first);
	number = crl_file_number();
	memset(&notes, 0, sizeof(notes));
	ck_assert_int_eq(revoke_certs(ca, args, 1, CRL_REASON_KEY_COMPROMISE,
	    7, &changed, &notes, &err), 0);
	ck_assert(!changed);
	snprintf(want, sizeof(want), "serial %s: already revoked; nothing "
	    "changed", s);
	ck_assert_uint_eq(notes.n, 1);
	ck_assert_str_eq(notes.msg[0], want);
	lookup(s, &again);
	ck_assert_int_eq(again.reason, 3);
	ck_assert_int_eq(again.revoked_at, first.revoked_at);
	ck_assert_uint_eq(crl_file_number(), number);
	ledger_row_clear(&first);
	ledger_row_clear(&again);
	gnutls_pubkey_deinit(pub);
}
END_TEST

/* An unknown serial fails before anything, named first, changes. */
START_TEST(revoke_unknown)
{
	gnutls_pubkey_t		 pub = new_pub();
	char			 s[SERIAL_HEXLEN + 1], want[512], *args[2];
	char			 unknown[] = "0badc0de";
	uint64_t		 number;
	bool			 changed = true;

	issue(pub, "CN=kept", s);
	number = crl_file_number();
	args[0] = s;
	args[1] = unknown;
	ck_assert_int_eq(revoke_certs(ca, args, 2, 0, 7, &changed, &notes,
	    &err), -1);
	ck_assert(!changed);
	snprintf(want, sizeof(want), "serial 0badc0de: not in the ledger of "
	    "%s", cadir);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(status_of(s), STATUS_VALID);
	ck_assert_uint_eq(crl_file_number(), number);
	gnutls_pubkey_deinit(pub);
}
END_TEST

/* cACompromise is refused for a leaf, and nothing changes. */
START_TEST(ca_compromise_leaf)
{
	gnutls_pubkey_t		 pub = new_pub();
	char			 s[SERIAL_HEXLEN + 1], want[128], *args[1];
	uint64_t		 number;
	bool			 changed;

	issue(pub, "CN=leaf", s);
	number = crl_file_number();
	args[0] = s;
	ck_assert_int_eq(revoke_certs(ca, args, 1, CRL_REASON_CA_COMPROMISE,
	    7, &changed, &notes, &err), -1);
	snprintf(want, sizeof(want), "serial %s: cACompromise is only for CA "
	    "certificates", s);
	ck_assert_str_eq(err.msg, want);
	ck_assert_int_eq(status_of(s), STATUS_VALID);
	ck_assert_uint_eq(crl_file_number(), number);
	gnutls_pubkey_deinit(pub);
}
END_TEST

/* keyCompromise revokes the other certificates of the key, only them. */
START_TEST(key_compromise_same_key)
{
	gnutls_pubkey_t		 pub = new_pub(), other = new_pub();
	struct ledger_row	 row;
	char			 a[SERIAL_HEXLEN + 1], b[SERIAL_HEXLEN + 1];
	char			 c[SERIAL_HEXLEN + 1], want[256], *args[1];
	time_t			 when;
	bool			 changed;

	issue(pub, "CN=a", a);
	issue(pub, "CN=b", b);
	issue(other, "CN=c", c);
	args[0] = a;
	ck_assert_msg(revoke_certs(ca, args, 1, CRL_REASON_KEY_COMPROMISE, 7,
	    &changed, &notes, &err) == 0, "%s", err.msg);
	ck_assert(changed);
	lookup(b, &row);
	ck_assert_int_eq(row.status, STATUS_REVOKED);
	ck_assert_int_eq(row.reason, CRL_REASON_KEY_COMPROMISE);
	ledger_row_clear(&row);
	ck_assert_int_eq(status_of(c), STATUS_VALID);
	snprintf(want, sizeof(want), "serial %s: holds the same key as %s; "
	    "revoked too (keyCompromise)", b, a);
	ck_assert(noted(want));
	ck_assert(crl_lists(a, &when));
	ck_assert(crl_lists(b, &when));
	ck_assert(!crl_lists(c, &when));
	gnutls_pubkey_deinit(pub);
	gnutls_pubkey_deinit(other);
}
END_TEST

/* Nothing new, but crl.pem gone: a new CRL is published all the same. */
START_TEST(republish_when_behind)
{
	gnutls_pubkey_t		 pub = new_pub();
	char			 s[SERIAL_HEXLEN + 1], *args[1], *path;
	uint64_t		 number;
	time_t			 when;
	bool			 changed;

	issue(pub, "CN=behind", s);
	args[0] = s;
	ck_assert_int_eq(revoke_certs(ca, args, 1, 0, 7, &changed, &notes,
	    &err), 0);
	number = crl_file_number();
	path = file_join(cadir, CA_CRL);
	ck_assert_int_eq(unlink(path), 0);
	free(path);
	memset(&notes, 0, sizeof(notes));
	ck_assert_int_eq(revoke_certs(ca, args, 1, 0, 7, &changed, &notes,
	    &err), 0);
	ck_assert(!changed);
	ck_assert(noted("was older than the ledger; publishing a new CRL"));
	ck_assert_uint_gt(crl_file_number(), number);
	ck_assert(crl_lists(s, &when));
	gnutls_pubkey_deinit(pub);
}
END_TEST

static Suite *
revoke_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("revoke");
	tc = tcase_create("revoke");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, revoke_by_serial);
	tcase_add_test(tc, crl_number_increases);
	tcase_add_test(tc, revoke_twice);
	tcase_add_test(tc, revoke_unknown);
	tcase_add_test(tc, ca_compromise_leaf);
	tcase_add_test(tc, key_compromise_same_key);
	tcase_add_test(tc, republish_when_behind);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(revoke_suite)
