/*
 * Issuing: the policy that decides what goes into a leaf certificate,
 * the signature, and the ledger row that must be committed before the
 * certificate is shown to anyone.
 */
#include "config.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cakit.h"

/* Who is issuing: user@host, for the ledger. */
static char *
issuer_identity(void)
{
	struct passwd	*pw;
	struct buf	 b = { 0 };
	char		 host[256];

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	if ((pw = getpwuid(geteuid())) != NULL)
		buf_printf(&b, "%s@%s", pw->pw_name, host);
	else
		buf_printf(&b, "uid %u@%s", (unsigned int)geteuid(), host);
	return buf_str(&b);
}

/* The moment of issue: r was issued at now, by this user on this host. */
void
issue_stamp(struct ledger_row *r, time_t now)
{
	free(r->issued_by);
	r->issued_at = now;
	r->issued_by = issuer_identity();
}

/*
 * The notBefore of a certificate (or thisUpdate of a CRL) made at now
 * to last life seconds: backdated, for relying parties whose clocks are
 * behind, by backdate seconds (0 for BACKDATE_DEFAULT, negative for
 * none), by at most a tenth of life, and never to before the issuer's
 * notBefore (none for a root: issuer NULL).  The caller adds life to
 * the result, so the validity period is the one asked for.
 */
time_t
validity_start(time_t now, time_t life, long backdate,
    gnutls_x509_crt_t issuer)
{
	time_t	 b, floor;

	b = backdate == 0 ? BACKDATE_DEFAULT : backdate < 0 ? 0 : backdate;
	if (b > life / 10)
		b = life / 10;
	if (issuer != NULL &&
	    (floor = gnutls_x509_crt_get_activation_time(issuer)) != -1 &&
	    now - b < floor)
		b = now > floor ? now - floor : 0;
	return now - b;
}

/*
 * The validity of a certificate issued at now for days: it starts at
 * validity_start (backdate as there) and ends days later, but never
 * after the issuer's certificate (none for a root: issuer NULL); a cut
 * is noted, naming the issuer as whose ("the CA").
 */
void
issue_validity(struct cert_tbs *t, time_t now, int days, long backdate,
    gnutls_x509_crt_t issuer, const char *whose, struct cakit_notes *notes)
{
	time_t	 life = (time_t)days * 86400, end;
	char	 when[32];

	t->not_before = validity_start(now, life, backdate, issuer);
	t->not_after = t->not_before + life;
	if (issuer == NULL)
		return;
	end = gnutls_x509_crt_get_expiration_time(issuer);
	if (t->not_after > end) {
		t->not_after = end;
		json_time_rfc3339(end, when);
		notes_add(notes, "validity cut to end with %s certificate on %s",
		    whose, when);
	}
}

/*
 * Sign s->tbs under a new random serial and record its row in
 * s->ledger, drawing another serial while the ledger already holds one
 * (SERIAL_TRIES at most).  Returns the certificate, which the caller
 * deinits, with row describing it, stamped and filled for the caller to
 * clear; NULL on failure, row cleared.
 */
gnutls_x509_crt_t
issue_sign(const struct issue_signing *s, struct ledger_row *row,
    struct cakit_err *err)
{
	struct serial		 serial;
	gnutls_x509_crt_t	 crt;
	int			 tries, ret;

	memset(row, 0, sizeof(*row));
	for (tries = 0; tries < SERIAL_TRIES; tries++) {
		if (serial_new(&serial, err) == -1 ||
		    (crt = cert_build(s->tbs, &serial, s->issuer, s->key,
		    err)) == NULL)
			return NULL;
		if ((s->check != NULL && s->check(s->arg, crt, err) == -1) ||
		    row_fill(row, crt, s->tbs->profile, s->tbs->sans,
		    err) == -1)
			goto fail;
		issue_stamp(row, s->now);
		if (s->replaces != NULL)
			row->replaces = xstrdup(s->replaces);
		if (s->ledger == NULL ||
		    (ret = ledger_insert(s->ledger, row, err)) == 0)
			return crt;
		if (ret == -1)
			goto fail;
		ledger_row_clear(row);
		gnutls_x509_crt_deinit(crt);
	}
	err_set(err, "no unused serial number after %d tries", SERIAL_TRIES);
	return NULL;
fail:
	ledger_row_clear(row);
	gnutls_x509_crt_deinit(crt);
	return NULL;
}

/* "CN=<value>" with RFC 4514 2.4 escapes. */
static char *
cn_from(const char *value)
{
	struct buf	 b = { 0 };
	const char	*p;

	buf_add(&b, "CN=", 3);
	for (p = value; *p != '\0'; p++) {
		if (strchr(",+\"\\<>;=", *p) != NULL ||
		    (p == value && (*p == '#' || *p == ' ')) ||
		    (p[1] == '\0' && *p == ' '))
			buf_addc(&b, '\\');
		buf_addc(&b, *p);
	}
	return buf_str(&b);
}

/*
 * Inside the transaction, so that no revocation can slip in between:
 * refuse a key that is the CA's own or of a CA above it, that this CA
 * certified as a CA, or that it revoked for keyCompromise.
 */
static int
key_allowed(struct ca *ca, gnutls_pubkey_t pub, struct cakit_err *err)
{
	unsigned char	 id[KEY_ID_LEN], ca_id[KEY_ID_LEN];
	char		 serial[SERIAL_HEXLEN + 1], *name;
	unsigned int	 i;
	bool		 is_ca;
	int		 ret;

	if (key_id(pub, id, err) == -1)
		return -1;
	for (i = 0; i <= ca->nchain; i++) {
		if (key_id_crt(i == 0 ? ca->crt : ca->chain[i - 1], ca_id,
		    err) == -1)
			return -1;
		if (memcmp(id, ca_id, KEY_ID_LEN) == 0) {
			name = cert_subject(i == 0 ? ca->crt : ca->chain[i - 1]);
			err_set(err, "the request's key is the key of the CA "
			    "'%.200s'; a CA's key is never certified for "
			    "anything else: make a new key", name);
			free(name);
			return -1;
		}
	}
	if ((ret = ledger_key_use(ca->ledger, id, serial, &is_ca, err)) != 0) {
		if (ret == 1 && is_ca)
			err_set(err, "the request's key is the key of the CA "
			    "certificate %s issued by this CA; make a new key",
			    serial);
		else if (ret == 1)
			err_set(err, "the request's key was revoked for "
			    "keyCompromise (serial %s) and is never certified "
			    "again: make a new key", serial);
		return -1;
	}
	return 0;
}

/*
 * Inside the transaction: a revoked certificate is never renewed with
 * its old key, however it was revoked.
 */
static int
renewable(struct ca *ca, const char *serial, struct cakit_err *err)
{
	struct ledger_row	 old;
	char			 when[32];
	int			 ret;

	if ((ret = ledger_get(ca->ledger, serial, &old, err)) != 0) {
		if (ret == 1)
			err_set(err, "serial %s: not in the ledger", serial);
		return -1;
	}
	ret = old.status == STATUS_REVOKED ? -1 : 0;
	if (ret == -1) {
		json_time_rfc3339(old.revoked_at, when);
		err_set(err, "serial %s: revoked (%s) on %s; a revoked "
		    "certificate is not renewed with its key: issue a new one "
		    "for a new key", serial, crl_reason_name(old.reason),
		    when);
	}
	ledger_row_clear(&old);
	return ret;
}

/*
 * The names a leaf gets, into sans: those given (the command line's, a
 * renewal's), else the request's.  A server needs a host name.
 */
static int
leaf_sans(const struct issue_opts *o, const struct req *req,
    struct san_list *sans, struct cakit_err *err)
{
	if (o->sans != NULL && o->sans->n > 0)
		san_list_copy(sans, o->sans);
	else if (req != NULL)
		san_list_copy(sans, &req->sans);
	if ((o->profile == PROFILE_SERVER || o->profile == PROFILE_PEER) &&
	    !san_list_has_host(sans)) {
		err_set(err, "a %s certificate needs at least one DNS or IP "
		    "name (--dns, --ip): TLS clients ignore the CN",
		    profile_name(o->profile));
		return -1;
	}
	return 0;
}

/*
 * The subject a leaf gets, into t: the one given, else the request's,
 * else CN= its first name, in *cn for the caller to free.
 */
static int
leaf_subject(const struct issue_opts *o, const struct req *req,
    const struct san_list *sans, struct cert_tbs *t, char **cn,
    struct cakit_err *err)
{
	if (o->subject != NULL) {
		/* A renewal's subject comes from the ledger, not the user. */
		if (dn_check(o->subject, err) == -1)
			return -1;
		t->subject = o->subject;
	} else if (req != NULL && (req->subject[0] != '\0' || sans->n > 0)) {
		/*
		 * The ledger keeps the subject as RFC 4514 text, from which
		 * a renewal encodes it again: refuse what GnuTLS cannot
		 * read back, such as a multi-valued RDN.
		 */
		if (req->subject[0] != '\0' && dn_check(req->subject,
		    NULL) == -1) {
			err_set(err, "the CSR's subject '%.200s' cannot be "
			    "renewed from its RFC 4514 form (multi-valued "
			    "RDNs are not supported); give --subject",
			    req->subject);
			return -1;
		}
		t->crq = req->crq;
	} else if (req == NULL && sans->n > 0)
		t->subject = *cn = cn_from(sans->v[0].value);
	else {
		err_set(err, "no subject and no alternative names: give "
		    "--subject or a name (--dns, --ip, --email, --uri)");
		return -1;
	}
	return 0;
}

/* A leaf's validity: within the CA's limits, noted when it is long. */
static int
leaf_validity(struct ca *ca, const struct issue_opts *o, time_t now,
    struct cert_tbs *t, struct cakit_notes *notes, struct cakit_err *err)
{
	int	 days;

	if (policy_days(ca, o->days, &days, err) == -1)
		return -1;
	issue_validity(t, now, days, o->backdate, ca->crt, "the CA", notes);
	if ((o->profile == PROFILE_SERVER || o->profile == PROFILE_PEER) &&
	    t->not_after - t->not_before > (time_t)SERVER_DAYS_APPLE * 86400)
		notes_add(notes, "warning: a server certificate valid for more "
		    "than %d days is rejected by Apple platforms",
		    SERVER_DAYS_APPLE);
	return 0;
}

/* issue_sign's check of each leaf: the CA's policy on what it signs. */
struct leaf_policy {
	const struct ca		*ca;
	const struct san_list	*sans;
};

static int
leaf_policy_check(void *arg, gnutls_x509_crt_t crt, struct cakit_err *err)
{
	const struct leaf_policy	*p = arg;

	return policy_check_crt(p->ca, crt, p->sans, err);
}

/*
 * Inside the caller's transaction: apply the policy, sign a leaf for
 * pub (from req, when there is one) issued at now and insert its row,
 * which is filled for the caller to clear.
 */
static int
issue_in_tx(struct ca *ca, const struct issue_opts *o, gnutls_pubkey_t pub,
    struct req *req, time_t now, struct ledger_row *row,
    struct cakit_notes *notes, struct cakit_err *err)
{
	struct san_list		 sans = { NULL, 0 };
	struct cert_tbs		 t;
	struct leaf_policy	 policy;
	struct issue_signing	 s;
	gnutls_x509_crt_t	 crt;
	char			*cn = NULL;
	int			 rc = -1;

	memset(row, 0, sizeof(*row));
	memset(&t, 0, sizeof(t));
	if (ca_check_usable(ca, now, err) == -1 ||
	    (o->replaces != NULL && renewable(ca, o->replaces, err) == -1) ||
	    key_allowed(ca, pub, err) == -1 ||
	    leaf_sans(o, req, &sans, err) == -1)
		goto out;
	t.profile = o->profile;
	t.pub = pub;
	t.sans = &sans;
	t.path_len = -1;
	t.crl_url = ca->settings.crl_url;
	if (leaf_subject(o, req, &sans, &t, &cn, err) == -1 ||
	    policy_check_names(ca, &sans, err) == -1 ||
	    leaf_validity(ca, o, now, &t, notes, err) == -1)
		goto out;

	policy.ca = ca;
	policy.sans = &sans;
	memset(&s, 0, sizeof(s));
	s.tbs = &t;
	s.issuer = ca->crt;
	s.key = ca->key;
	s.ledger = ca->ledger;
	s.replaces = o->replaces;
	s.now = now;
	s.check = leaf_policy_check;
	s.arg = &policy;
	if ((crt = issue_sign(&s, row, err)) == NULL)
		goto out;
	gnutls_x509_crt_deinit(crt);
	rc = 0;
out:
	san_list_free(&sans);
	free(cn);
	return rc;
}

/*
 * Sign a leaf for pub (from req, when there is one), issued at now, and
 * commit its ledger row; row is filled for the caller, who clears it.
 * Nothing is recorded on failure.
 */
int
issue_cert(struct ca *ca, const struct issue_opts *o, gnutls_pubkey_t pub,
    struct req *req, time_t now, struct ledger_row *row,
    struct cakit_notes *notes, struct cakit_err *err)
{
	if (ledger_begin(ca->ledger, err) == -1)
		return -1;
	if (issue_in_tx(ca, o, pub, req, now, row, notes, err) == -1) {
		ledger_rollback(ca->ledger);
		return -1;
	}
	test_kill_point("sign-before-commit");
	if (ledger_commit(ca->ledger, err) == -1) {
		ledger_row_clear(row);
		return -1;
	}
	test_kill_point("sign-after-commit");
	return 0;
}

/*
 * Sign n requests issued at now in one transaction, all or none:
 * rows[i] is filled for reqs[i].  On failure *failed is the index of
 * the request at fault (n when the commit failed) and nothing is
 * recorded.
 */
int
issue_batch(struct ca *ca, const struct issue_opts *o, struct req **reqs,
    size_t n, time_t now, struct ledger_row *rows, size_t *failed,
    struct cakit_notes *notes, struct cakit_err *err)
{
	size_t	 i, j;

	*failed = 0;
	if (ledger_begin(ca->ledger, err) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (issue_in_tx(ca, o, reqs[i]->pub, reqs[i], now, &rows[i],
		    notes, err) == -1)
			goto fail;
	test_kill_point("sign-before-commit");
	if (ledger_commit(ca->ledger, err) == -1) {
		for (j = 0; j < n; j++)
			ledger_row_clear(&rows[j]);
		*failed = n;
		return -1;
	}
	return 0;
fail:
	ledger_rollback(ca->ledger);
	for (j = 0; j < i; j++)
		ledger_row_clear(&rows[j]);
	*failed = i;
	return -1;
}

/*
 * Make a key pair, certify it, and only then put the key in keyfile
 * (mode 0600 from creation; an existing file is never replaced).  A
 * failure after the commit leaves row filled: the certificate exists.
 */
int
issue_new_key(struct ca *ca, const struct issue_opts *o, enum key_type kt,
    const char *keyfile, time_t now, struct ledger_row *row,
    struct cakit_notes *notes, struct cakit_err *err)
{
	gnutls_x509_privkey_t	 key = NULL;
	gnutls_privkey_t	 pk = NULL;
	gnutls_pubkey_t		 pub = NULL;
	gnutls_datum_t		 pem = { NULL, 0 };
	char			*tmp = NULL;
	int			 ret, rc = -1;

	memset(row, 0, sizeof(*row));
	if (file_exists(keyfile)) {
		err_set(err, "%s: already exists; refusing to overwrite a key",
		    keyfile);
		return -1;
	}
	if ((key = key_generate(kt, err)) == NULL)
		goto out;
	if ((ret = gnutls_privkey_init(&pk)) < 0 ||
	    (ret = gnutls_privkey_import_x509(pk, key, 0)) < 0 ||
	    (ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, pk, 0, 0)) < 0) {
		err_gnutls(err, ret, "new key");
		goto out;
	}
	if (key_export_pem(key, NULL, &pem, err) == -1 ||
	    (tmp = file_write_temp_secret(keyfile, pem.data, pem.size,
	    err)) == NULL)
		goto out;
	if (issue_cert(ca, o, pub, NULL, now, row, notes, err) == -1) {
		file_discard(tmp);
		goto out;
	}
	test_kill_point("newkey-before-publish");
	/* Committed: on failure row stays filled, to say what was issued. */
	if (file_publish(tmp, keyfile, true, err) == -1)
		goto out;
	rc = 0;
out:
	free(tmp);
	if (pem.data != NULL)
		file_secret_free(pem.data, pem.size);
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(pk);
	gnutls_x509_privkey_deinit(key);
	return rc;
}

/*
 * Renew at now: the same key, subject, names and profile as the
 * ledger's copy of the certificate named by arg, with a new serial and
 * validity.
 */
int
issue_renew(struct ca *ca, const char *arg, int days, time_t now,
    struct ledger_row *row, struct cakit_notes *notes, struct cakit_err *err)
{
	struct ledger_row	 old;
	struct issue_opts	 o;
	struct san_list		 sans = { NULL, 0 };
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_pubkey_t		 pub = NULL;
	int			 ret, rc = -1;

	memset(row, 0, sizeof(*row));
	if (ca_lookup(ca, arg, &old, err) == -1)
		return -1;
	if (old.profile == PROFILE_CA) {
		err_set(err, "serial %s: a CA certificate; make a new "
		    "intermediate with ca-init --parent instead", old.serial);
		goto out;
	}
	if ((crt = cert_import(&old.der, err)) == NULL ||
	    san_list_parse(&sans, old.sans, err) == -1)
		goto out;
	if ((ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_x509(pub, crt, 0)) < 0) {
		err_gnutls(err, ret, "serial %s: public key", old.serial);
		goto out;
	}
	memset(&o, 0, sizeof(o));
	o.profile = old.profile;
	o.days = days;
	o.subject = old.subject[0] != '\0' ? old.subject : NULL;
	o.sans = &sans;
	o.replaces = old.serial;
	rc = issue_cert(ca, &o, pub, NULL, now, row, notes, err);
out:
	gnutls_pubkey_deinit(pub);
	gnutls_x509_crt_deinit(crt);
	san_list_free(&sans);
	ledger_row_clear(&old);
	return rc;
}
