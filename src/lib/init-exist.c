/*
 * ca-init --exist-ok: an existing CA held against the options.  It is
 * accepted only when each option given describes it, and every
 * difference is named, in the words of the option that asked.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cakit.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Name constraints as text, "permit DNS:x, exclude IP:a/n", sorted,
 * so that the order of the options does not matter.
 */
static void
nc_text(gnutls_x509_crt_t crt, struct buf *b)
{
	gnutls_x509_name_constraints_t	 nc = NULL;
	gnutls_datum_t			 d;
	struct buf			 one = { 0 };
	char				**v = NULL;
	char				 addr[INET6_ADDRSTRLEN];
	unsigned int			 type, crit, i, k, bits, j;
	size_t				 n = 0;
	int				 ret;

	if (gnutls_x509_name_constraints_init(&nc) < 0)
		goto out;
	if (gnutls_x509_crt_get_name_constraints(crt, nc, 0, &crit) < 0)
		goto out;
	for (k = 0; k < 2; k++)
		for (i = 0;; i++) {
			ret = k == 0 ?
			    gnutls_x509_name_constraints_get_permitted(nc, i,
			    &type, &d) :
			    gnutls_x509_name_constraints_get_excluded(nc, i,
			    &type, &d);
			if (ret < 0)
				break;
			buf_printf(&one, "%s ", k == 0 ? "permit" : "exclude");
			if (type == GNUTLS_SAN_IPADDRESS &&
			    (d.size == 8 || d.size == 32)) {
				inet_ntop(d.size == 8 ? AF_INET : AF_INET6,
				    d.data, addr, sizeof(addr));
				for (bits = 0, j = d.size / 2; j < d.size; j++)
					bits += __builtin_popcount(d.data[j]);
				buf_printf(&one, "IP:%s/%u", addr, bits);
			} else
				buf_printf(&one, "%s:%.*s",
				    san_gnutls_prefix(type), (int)d.size,
				    (char *)d.data);
			v = xreallocarray(v, n + 1, sizeof(*v));
			v[n++] = buf_str(&one);
			memset(&one, 0, sizeof(one));
		}
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_str);
out:
	for (i = 0; i < n; i++) {
		buf_printf(b, "%s%s", i > 0 ? ", " : "", v[i]);
		free(v[i]);
	}
	free(v);
	if (nc != NULL)
		gnutls_x509_name_constraints_deinit(nc);
	buf_addc(b, '\0');
}

/* What a certificate says of its key: "ecdsa-p256", ... or "other". */
static const char *
crt_key_type(gnutls_x509_crt_t crt)
{
	static const char *const names[] = {
		[KEY_ECDSA_P256] = "ecdsa-p256", [KEY_ECDSA_P384] = "ecdsa-p384",
		[KEY_ED25519] = "ed25519", [KEY_RSA_2048] = "rsa-2048",
		[KEY_RSA_3072] = "rsa-3072", [KEY_RSA_4096] = "rsa-4096",
	};
	gnutls_pubkey_t	 pub = NULL;
	enum key_type	 t;
	const char	*name = "other";

	if (gnutls_pubkey_init(&pub) >= 0 &&
	    gnutls_pubkey_import_x509(pub, crt, 0) >= 0 &&
	    key_type_of(pub, &t) == 0)
		name = names[t];
	gnutls_pubkey_deinit(pub);
	return name;
}

static void
differs(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
differs(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	 one[512];

	va_start(ap, fmt);
	vsnprintf(one, sizeof(one), fmt, ap);
	va_end(ap);
	buf_printf(b, "%s%s", b->len > 0 ? "; " : "", one);
}

/*
 * What this run would write, from the same code: a certificate with
 * row's validity under a throwaway key, to compare with the existing
 * one where the options were given.  Returns it (the caller deinits)
 * or NULL.
 */
static gnutls_x509_crt_t
ca_would_make(const struct ca_init_opts *o, const struct ledger_row *row,
    struct cakit_err *err)
{
	struct cert_tbs		 t;
	struct serial		 serial;
	gnutls_x509_privkey_t	 xk = NULL;
	gnutls_privkey_t	 k = NULL;
	gnutls_pubkey_t		 pub = NULL;
	gnutls_x509_crt_t	 wcrt = NULL;
	int			 ret;

	memset(&t, 0, sizeof(t));
	if ((xk = key_generate(KEY_ECDSA_P256, err)) == NULL ||
	    (ret = gnutls_privkey_init(&k)) < 0 ||
	    (ret = gnutls_privkey_import_x509(k, xk, 0)) < 0 ||
	    (ret = gnutls_pubkey_init(&pub)) < 0 ||
	    (ret = gnutls_pubkey_import_privkey(pub, k, 0, 0)) < 0) {
		if (xk != NULL)
			err_gnutls(err, ret, "comparing with the existing CA");
		goto out;
	}
	init_tbs(o, pub, &t);
	t.not_before = row->not_before;
	t.not_after = row->not_after;
	if (serial_new(&serial, err) == 0)
		wcrt = cert_build(&t, &serial, NULL, k, err);
out:
	gnutls_pubkey_deinit(pub);
	gnutls_privkey_deinit(k);
	gnutls_x509_privkey_deinit(xk);
	return wcrt;
}

/*
 * Where the existing CA's certificate differs from wcrt, what the
 * options ask for, in what they name: each difference into why.
 */
static void
compare_crt(const struct ca_init_opts *o, const struct ca *ca,
    gnutls_x509_crt_t wcrt, struct buf *why)
{
	static const char *const type_names[] = {
		[KEY_ECDSA_P256] = "ecdsa-p256", [KEY_ECDSA_P384] = "ecdsa-p384",
		[KEY_ED25519] = "ed25519", [KEY_RSA_2048] = "rsa-2048",
		[KEY_RSA_3072] = "rsa-3072", [KEY_RSA_4096] = "rsa-4096",
	};
	struct buf		 have = { 0 }, want = { 0 };
	gnutls_datum_t		 dh = { NULL, 0 }, dw = { NULL, 0 };
	char			*subj = NULL;
	char			 pl1[16], pl2[16];
	time_t			 nb, na, v;
	bool			 is_ca;
	int			 pl, wpl;

	if (gnutls_x509_crt_get_raw_dn(ca->crt, &dh) < 0 ||
	    gnutls_x509_crt_get_raw_dn(wcrt, &dw) < 0 ||
	    dh.size != dw.size || memcmp(dh.data, dw.data, dh.size) != 0) {
		subj = cert_subject(ca->crt);
		differs(why, "subject '%.200s' where --subject asks '%.200s'",
		    subj, o->subject);
	}
	if (o->key_type_set &&
	    strcmp(crt_key_type(ca->crt), type_names[o->key_type]) != 0)
		differs(why, "a key of type %s where --key-type asks %s",
		    crt_key_type(ca->crt), type_names[o->key_type]);
	if (o->path_len >= 0) {
		(void)cert_ca_path_len(ca->crt, &is_ca, &pl);
		(void)cert_ca_path_len(wcrt, &is_ca, &wpl);
		if (pl != wpl) {
			snprintf(pl1, sizeof(pl1), "%d", pl);
			snprintf(pl2, sizeof(pl2), "%d", wpl);
			differs(why, "pathLenConstraint %s where --path-len "
			    "asks %s", pl < 0 ? "none" : pl1, pl2);
		}
	}
	if ((o->permit != NULL && o->permit->n > 0) ||
	    (o->exclude != NULL && o->exclude->n > 0)) {
		nc_text(ca->crt, &have);
		nc_text(wcrt, &want);
		if (strcmp((char *)have.p, (char *)want.p) != 0)
			differs(why, "name constraints '%.200s' where the "
			    "options ask '%.200s'", *have.p ? (char *)have.p :
			    "none", (char *)want.p);
	}
	if (o->days > 0) {
		/* An intermediate's validity may have been cut to its parent's. */
		nb = gnutls_x509_crt_get_activation_time(ca->crt);
		na = gnutls_x509_crt_get_expiration_time(ca->crt);
		v = na - nb;
		if (v != (time_t)o->days * 86400 && !(ca->nchain > 0 &&
		    v < (time_t)o->days * 86400 && na ==
		    gnutls_x509_crt_get_expiration_time(ca->chain[0])))
			differs(why, "a validity of %lld %s where --days asks "
			    "%d", (long long)(v % 86400 == 0 ? v / 86400 : v),
			    v % 86400 == 0 ? "days" : "seconds", o->days);
	}
	buf_free(&have);
	buf_free(&want);
	gnutls_free(dh.data);
	gnutls_free(dw.data);
	free(subj);
}

/*
 * Where the existing CA's settings and key file differ from what the
 * options ask for: each difference into why.
 */
static int
compare_settings(const struct ca_init_opts *o, const struct ca *ca,
    struct buf *why, struct cakit_err *err)
{
	gnutls_datum_t		 kf = { NULL, 0 };
	char			*keypath = NULL;
	char			 pl1[16];
	int			 rc = -1;

	if (o->crl_url != NULL && (ca->settings.crl_url == NULL ||
	    strcmp(ca->settings.crl_url, o->crl_url) != 0))
		differs(why, "CRL URL %.200s where --crl-url asks %.200s",
		    ca->settings.crl_url != NULL ? ca->settings.crl_url :
		    "none", o->crl_url);
	if (o->max_days > 0 && ca->settings.max_days != o->max_days) {
		snprintf(pl1, sizeof(pl1), "%d", ca->settings.max_days);
		differs(why, "max-days %s where --max-days asks %d",
		    ca->settings.max_days == 0 ? "none" : pl1, o->max_days);
	}
	keypath = file_join(o->dir, CA_KEY);
	if ((o->key_uri != NULL || o->passphrase_file != NULL) &&
	    file_read(keypath, FILE_MAX, &kf, err) == -1)
		goto out;
	if (o->key_uri != NULL && (kf.size < strlen(o->key_uri) ||
	    memcmp(kf.data, o->key_uri, strlen(o->key_uri)) != 0 ||
	    (kf.size > strlen(o->key_uri) &&
	    strchr(";\r\n", kf.data[strlen(o->key_uri)]) == NULL)))
		differs(why, "a key that is not %.200s where --key-uri asks "
		    "for it", o->key_uri);
	if (o->key_uri == NULL && o->passphrase_file != NULL &&
	    memmem(kf.data, kf.size, "ENCRYPTED", 9) == NULL)
		differs(why, "an unencrypted key where --key-passphrase-file "
		    "asks for an encrypted one");
	rc = 0;
out:
	if (kf.data != NULL)
		file_secret_free(kf.data, kf.size);
	free(keypath);
	return rc;
}

/*
 * The existing CA's parent and its moment of issue, into row; a
 * parent that is not the one --parent names is a difference, into why.
 */
static int
existing_issue(const struct ca_init_opts *o, struct ca *ca,
    struct ledger_row *row, struct buf *why, struct cakit_err *err)
{
	struct ca		*parent = NULL;
	struct ledger_row	 prow;
	char			*pdir = NULL;
	bool			 found = false;
	int			 ret, rc = -1;

	memset(&prow, 0, sizeof(prow));
	/*
	 * The parent: the one asked for, else the one recorded.  The issue
	 * time and issuer: from the parent's ledger, else from this CA's
	 * own (ca-init records them for a root), else notBefore.
	 */
	if (o->parent != NULL)
		pdir = xstrdup(o->parent);
	else if (ca->settings.parent_dir != NULL)
		pdir = xstrdup(ca->settings.parent_dir);
	if (pdir != NULL &&
	    (parent = ca_open(pdir, CA_OPEN_NOKEY, NULL, err)) == NULL &&
	    o->parent != NULL)
		goto out;
	if (parent != NULL) {
		if ((ret = ledger_get(parent->ledger, row->serial, &prow,
		    err)) == -1)
			goto out;
		found = ret == 0 && prow.der.size == row->der.size &&
		    memcmp(prow.der.data, row->der.data, row->der.size) == 0;
	}
	if (o->parent != NULL && !found)
		differs(why, "a certificate %s where --parent asks for one "
		    "issued by the CA in %.200s", ca->nchain > 0 ?
		    "issued by another CA" : "of a root CA", o->parent);
	free(row->issued_by);
	row->issued_by = NULL;
	if (found) {
		row->issued_at = prow.issued_at;
		row->issued_by = prow.issued_by;
		prow.issued_by = NULL;
	} else {
		row->issued_at = ca->settings.issued_at != -1 ?
		    ca->settings.issued_at : row->not_before;
		row->issued_by = ca->settings.issued_by;
		ca->settings.issued_by = NULL;
	}
	if (row->issued_by == NULL)
		row->issued_by = xstrdup("unknown");
	rc = 0;
out:
	ledger_row_clear(&prow);
	ca_free(parent);
	free(pdir);
	return rc;
}

/*
 * The CA already in o->dir, under --exist-ok: accepted only when it is
 * what every option given asks for, else described with each
 * difference.  row describes it, with its real issue time: the one in
 * its parent's ledger for an intermediate, else the one its own ledger
 * recorded, else its notBefore.  On failure row is cleared.
 */
int
init_existing(const struct ca_init_opts *o, struct ledger_row *row,
    struct cakit_err *err)
{
	struct ca		*ca = NULL;
	struct buf		 why = { 0 };
	gnutls_x509_crt_t	 wcrt = NULL;
	int			 rc = -1;

	if ((ca = ca_open(o->dir, CA_OPEN_NOKEY, NULL, err)) == NULL ||
	    row_fill(row, ca->crt, PROFILE_CA, NULL, err) == -1 ||
	    (wcrt = ca_would_make(o, row, err)) == NULL)
		goto out;
	compare_crt(o, ca, wcrt, &why);
	if (compare_settings(o, ca, &why, err) == -1 ||
	    existing_issue(o, ca, row, &why, err) == -1)
		goto out;
	if (why.len > 0) {
		buf_addc(&why, '\0');
		err_set(err, "%s: exists with %.900s", o->dir, (char *)why.p);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		ledger_row_clear(row);
	buf_free(&why);
	gnutls_x509_crt_deinit(wcrt);
	ca_free(ca);
	return rc;
}
