/*
 * Request ingestion and policy, up to the signed certificate: the input
 * is a CSR (PEM or DER) as ca-sign reads it.  What req_parse accepts is
 * taken through the checks issue_cert makes and signed with cert_build
 * by CAs made in memory, one plain and one with nameConstraints; then
 * the certificate is held to what cakit promises of it.  A broken
 * promise aborts.  The same is done with the request signed again by a
 * key of the harness, so that mutations get past the signature check.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cakit.h"
#include "fuzz.h"

static struct ca	*ca_plain, *ca_nc;
static struct serial	 serial;
static gnutls_privkey_t	 req_key;	/* signs requests again */
static gnutls_pubkey_t	 req_pub;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct san_list		 permit = { NULL, 0 }, exclude = { NULL, 0 };
	struct cakit_err	 err;

	(void)argc;
	(void)argv;
	gnutls_global_init();
	if (san_add(&permit, SAN_DNS, "example.com", 11, &err) == -1 ||
	    san_add(&permit, SAN_DNS, "example.org", 11, &err) == -1 ||
	    san_add_cidr(&permit, "10.0.0.0/8", &err) == -1 ||
	    san_add_cidr(&permit, "2001:db8::/32", &err) == -1 ||
	    san_add(&exclude, SAN_DNS, "secret.example.com", 18, &err) == -1)
		fuzz_fail("constraints: %s", err.msg);
	ca_plain = fuzz_ca_new("CN=cakit fuzz root,O=cakit", NULL, NULL,
	    "http://crl.example.net/root.crl");
	ca_nc = fuzz_ca_new("CN=cakit fuzz constrained,O=cakit", &permit,
	    &exclude, NULL);
	san_list_free(&permit);
	san_list_free(&exclude);
	if (gnutls_privkey_init(&req_key) < 0 ||
	    gnutls_privkey_generate(req_key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0 ||
	    gnutls_pubkey_init(&req_pub) < 0 ||
	    gnutls_pubkey_import_privkey(req_pub, req_key, 0, 0) < 0)
		fuzz_fail("request key");
	/* A fixed serial: issue_cert's random one changes nothing here. */
	memset(&serial, 0x5a, sizeof(serial.b));
	serial.len = SERIAL_LEN;
	return 0;
}

static bool
san_equal(const struct san *a, const struct san *b)
{
	return a->type == b->type && strcmp(a->value, b->value) == 0 &&
	    a->iplen == b->iplen && memcmp(a->ip, b->ip, a->iplen) == 0;
}

static void
list_equal(const char *what, const struct san_list *a,
    const struct san_list *b)
{
	size_t	 i;

	if (a->n != b->n)
		fuzz_fail("%s: %zu names, not %zu", what, b->n, a->n);
	for (i = 0; i < a->n; i++)
		if (!san_equal(&a->v[i], &b->v[i]))
			fuzz_fail("%s: name %zu is %s:%s, not %s:%s", what, i,
			    san_prefix(b->v[i].type), b->v[i].value,
			    san_prefix(a->v[i].type), a->v[i].value);
}

/* What req_parse hands over is valid and canonical. */
static void
check_req(const struct req *req)
{
	struct san_list		 again = { NULL, 0 };
	struct cakit_err	 err;
	size_t			 i;

	if (req->crq == NULL || req->pub == NULL || req->subject == NULL)
		fuzz_fail("req_parse: a request with parts missing");
	if (req->sans.n > SAN_MAX)
		fuzz_fail("req_parse: %zu names", req->sans.n);
	for (i = 0; i < req->sans.n; i++) {
		const struct san *s = &req->sans.v[i];

		if (san_add(&again, s->type, s->value, strlen(s->value),
		    &err) == -1)
			fuzz_fail("req_parse: name %s:%s does not validate "
			    "again: %s", san_prefix(s->type), s->value,
			    err.msg);
	}
	list_equal("req_parse: names validated again", &req->sans, &again);
	san_list_free(&again);
}

/*
 * The subjectAltName of crt, read back as a relying party reads it,
 * holds exactly the names of l, in order.
 */
static void
check_cert_sans(gnutls_x509_crt_t crt, const struct san_list *l)
{
	static const unsigned int types[] = {
		[SAN_DNS] = GNUTLS_SAN_DNSNAME,
		[SAN_IP] = GNUTLS_SAN_IPADDRESS,
		[SAN_EMAIL] = GNUTLS_SAN_RFC822NAME,
		[SAN_URI] = GNUTLS_SAN_URI,
	};
	gnutls_subject_alt_names_t	 sans = NULL;
	gnutls_datum_t			 ext = { NULL, 0 }, d;
	unsigned int			 crit, type;
	size_t				 i;
	int				 ret;

	ret = gnutls_x509_crt_get_extension_by_oid2(crt, "2.5.29.17", 0, &ext,
	    &crit);
	if (ret == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE && l->n == 0)
		return;
	if (ret < 0)
		fuzz_fail("certificate: no subjectAltName for %zu names: %s",
		    l->n, gnutls_strerror(ret));
	if (l->n == 0)
		fuzz_fail("certificate: a subjectAltName with no names given");
	if ((ret = gnutls_subject_alt_names_init(&sans)) < 0 ||
	    (ret = gnutls_x509_ext_import_subject_alt_names(&ext, sans,
	    0)) < 0)
		fuzz_fail("certificate: subjectAltName undecodable: %s",
		    gnutls_strerror(ret));
	for (i = 0; i < l->n; i++) {
		const struct san *s = &l->v[i];

		if (gnutls_subject_alt_names_get(sans, i, &type, &d,
		    NULL) < 0)
			fuzz_fail("certificate: name %zu (%s:%s) missing", i,
			    san_prefix(s->type), s->value);
		if (type != types[s->type] || (s->type == SAN_IP ?
		    d.size != s->iplen || memcmp(d.data, s->ip, d.size) != 0 :
		    d.size != strlen(s->value) ||
		    memcmp(d.data, s->value, d.size) != 0))
			fuzz_fail("certificate: name %zu is not %s:%s", i,
			    san_prefix(s->type), s->value);
	}
	if (gnutls_subject_alt_names_get(sans, i, &type, &d, NULL) !=
	    GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
		fuzz_fail("certificate: more names than the %zu given", l->n);
	gnutls_subject_alt_names_deinit(sans);
	gnutls_free(ext.data);
}

/* A leaf that parses, verifies under its CA and says what was asked. */
static void
check_cert(const struct ca *ca, enum profile p, const struct req *req,
    const struct san_list *sans, const struct ledger_row *row)
{
	gnutls_x509_crt_t	 crt = NULL;
	unsigned int		 status, critical, ca_flag = 1, usage = 0;
	int			 ret, pathlen;
	char			*subject;

	if ((ret = gnutls_x509_crt_init(&crt)) < 0 ||
	    (ret = gnutls_x509_crt_import(crt, &row->der,
	    GNUTLS_X509_FMT_DER)) < 0)
		fuzz_fail("certificate: does not import: %s",
		    gnutls_strerror(ret));
	ret = gnutls_x509_crt_verify(crt, &ca->crt, 1,
	    GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
	    GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS, &status);
	if (ret < 0 || status != 0)
		fuzz_fail("certificate: does not verify under its CA (%s, "
		    "status 0x%x)", gnutls_strerror(ret), status);
	if (gnutls_x509_crt_get_basic_constraints(crt, &critical, &ca_flag,
	    &pathlen) < 0 || ca_flag || !critical)
		fuzz_fail("certificate: basicConstraints is not a critical "
		    "CA:FALSE");
	if (gnutls_x509_crt_get_key_usage(crt, &usage, &critical) < 0 ||
	    (usage & (GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN)) != 0)
		fuzz_fail("certificate: keyUsage 0x%x allows signing "
		    "certificates or CRLs", usage);
	if (strcmp(profile_name(p), profile_name(row->profile)) != 0)
		fuzz_fail("ledger row: profile %s, not %s",
		    profile_name(row->profile), profile_name(p));
	subject = cert_subject(crt);
	if (strcmp(subject, req->subject) != 0)
		fuzz_fail("certificate: subject '%s', not the request's '%s'",
		    subject, req->subject);
	if (strcmp(subject, row->subject) != 0)
		fuzz_fail("ledger row: subject '%s', not '%s'", row->subject,
		    subject);
	free(subject);
	check_cert_sans(crt, sans);
	gnutls_x509_crt_deinit(crt);
}

/*
 * What issue_renew does with the ledger row: the subject as text and
 * the names from their ledger form must give the same certificate
 * subject and names again, or none at all.
 */
static void
check_renew(const struct ca *ca, enum profile p, const struct req *req,
    const struct san_list *sans, const struct ledger_row *row)
{
	struct san_list		 back = { NULL, 0 };
	struct cert_tbs		 t;
	struct cakit_err	 err;
	gnutls_x509_crt_t	 crt = NULL;
	char			*subject;

	if (san_list_parse(&back, row->sans, &err) == -1)
		fuzz_fail("ledger names '%s' do not parse: %s", row->sans,
		    err.msg);
	list_equal("ledger names parsed back", sans, &back);
	if (row->subject[0] == '\0')
		goto out;
	memset(&t, 0, sizeof(t));
	t.profile = p;
	t.pub = req->pub;
	t.subject = row->subject;
	t.sans = &back;
	t.path_len = -1;
	t.not_before = FUZZ_NOW;
	t.not_after = FUZZ_NOW + 86400;
	/*
	 * A renewal that fails is a clean refusal (ca-sign --renew exits
	 * 1), though a bug all the same: GnuTLS cannot read back every
	 * subject it prints, such as a multi-valued RDN.  A renewal that
	 * changes the subject is not clean at all.
	 */
	if ((crt = cert_build(&t, &serial, ca->crt, ca->key, &err)) == NULL) {
		if (getenv("FUZZ_VERBOSE") != NULL)
			fprintf(stderr, "fuzz_req: renewal of '%s' fails: "
			    "%s\n", row->subject, err.msg);
		goto out;
	}
	subject = cert_subject(crt);
	if (strcmp(subject, row->subject) != 0)
		fuzz_fail("renewal: subject '%s' became '%s'", row->subject,
		    subject);
	free(subject);
	check_cert_sans(crt, &back);
out:
	gnutls_x509_crt_deinit(crt);
	san_list_free(&back);
}

/* issue_cert without the ledger: its checks, then the certificate. */
static void
issue(const struct ca *ca, enum profile p, const struct req *req)
{
	struct san_list		 sans = { NULL, 0 };
	struct cert_tbs		 t;
	struct ledger_row	 row;
	struct cakit_err	 err;
	gnutls_x509_crt_t	 crt = NULL;
	int			 days;

	memset(&row, 0, sizeof(row));
	memset(&t, 0, sizeof(t));
	if (ca_check_usable(ca, FUZZ_NOW, &err) == -1)
		fuzz_fail("%s", err.msg);
	if (san_list_copy(&sans, &req->sans) == -1)
		fuzz_fail("san_list_copy");
	if ((p == PROFILE_SERVER || p == PROFILE_PEER) &&
	    !san_list_has_host(&sans))
		goto out;
	t.profile = p;
	t.pub = req->pub;
	t.sans = &sans;
	t.path_len = -1;
	t.crl_url = ca->settings.crl_url;
	if (req->subject[0] != '\0' || sans.n > 0)
		t.crq = req->crq;
	else
		goto out;
	if (policy_check_names(ca, &sans, &err) == -1 ||
	    policy_days(ca, 0, &days, &err) == -1)
		goto out;
	issue_validity(&t, FUZZ_NOW, days, -1, ca->crt, "the CA", NULL);
	if ((crt = cert_build(&t, &serial, ca->crt, ca->key, &err)) == NULL) {
		/* A clean refusal, but worth knowing about. */
		if (getenv("FUZZ_VERBOSE") != NULL)
			fprintf(stderr, "fuzz_req: cert_build: %s\n", err.msg);
		goto out;
	}
	if (policy_check_crt(ca, crt, &sans, &err) == -1)
		goto out;
	if (row_fill(&row, crt, p, &sans, &err) == -1)
		fuzz_fail("row_fill: %s", err.msg);
	check_cert(ca, p, req, &sans, &row);
	check_renew(ca, p, req, &sans, &row);
out:
	ledger_row_clear(&row);
	gnutls_x509_crt_deinit(crt);
	san_list_free(&sans);
}

/* req_parse, then issue_cert's checks and certificates under each CA. */
static void
run(const gnutls_datum_t *in)
{
	struct cakit_notes	 notes;
	struct cakit_err	 err;
	struct req		*req;

	memset(&notes, 0, sizeof(notes));
	if ((req = req_parse(in, &notes, &err)) == NULL)
		return;
	check_req(req);
	issue(ca_plain, PROFILE_SERVER, req);
	issue(ca_plain, PROFILE_CLIENT, req);
	issue(ca_plain, PROFILE_PEER, req);
	issue(ca_nc, PROFILE_SERVER, req);
	issue(ca_nc, PROFILE_CLIENT, req);
	req_free(req);
}

/*
 * The request GnuTLS decodes from the input, signed again with the
 * harness's key.  A mutated request almost never keeps a valid
 * signature, so without this the fuzzer would hardly get past
 * req_parse's signature check.  Returns DER the caller frees with
 * gnutls_free, or -1.
 */
static int
resign(const gnutls_datum_t *in, gnutls_datum_t *out)
{
	gnutls_x509_crq_t	 crq = NULL;
	int			 ret;

	out->data = NULL;
	out->size = 0;
	if (gnutls_x509_crq_init(&crq) < 0)
		fuzz_fail("gnutls_x509_crq_init");
	ret = gnutls_x509_crq_import(crq, in,
	    memmem(in->data, in->size, "-----BEGIN", 10) != NULL ?
	    GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER);
	if (ret >= 0)
		ret = gnutls_x509_crq_set_pubkey(crq, req_pub);
	if (ret >= 0)
		ret = gnutls_x509_crq_privkey_sign(crq, req_key,
		    GNUTLS_DIG_SHA256, 0);
	if (ret >= 0)
		ret = gnutls_x509_crq_export2(crq, GNUTLS_X509_FMT_DER, out);
	gnutls_x509_crq_deinit(crq);
	return ret < 0 ? -1 : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gnutls_datum_t		 in, der;

	if (size > FILE_MAX)
		return 0;
	in.data = (unsigned char *)data;
	in.size = size;
	run(&in);
	if (resign(&in, &der) == 0)
		run(&der);
	gnutls_free(der.data);
	return 0;
}
