/*
 * cakit: the internal library.  Every binary is a thin main() over it;
 * this header is the map of the modules, each under its own comment.
 * Actions return 0 or -1 and describe a failure once into a struct
 * cakit_err; constructors return a pointer or NULL; objects from
 * x_new/x_load/x_parse are freed with x_free, which accepts NULL.
 */
#ifndef CAKIT_H
#define CAKIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <gnutls/abstract.h>
#include <gnutls/pkcs11.h>
#include <gnutls/x509-ext.h>

/* err.c: one error message, and the notes (warnings) an action leaves. */
struct cakit_err {
	char	 msg[1024];
	int	 kind;		/* ERR_*, for the mains' hints; 0 if none */
};

#define ERR_KEY_LOCKED		1	/* a key's passphrase or PIN: none or wrong */
#define ERR_PARENT_KEY_LOCKED	2	/* the same for a parent CA's key */

#define NOTES_MAX	16
struct cakit_notes {
	char	 msg[NOTES_MAX][512];
	size_t	 n;
};

/* Describe a failure into err (NULL: say nothing). */
void	 err_set(struct cakit_err *err, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The same, followed by GnuTLS's words for its error code ret. */
void	 err_gnutls(struct cakit_err *err, int ret, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Put "what: " before the message already in err. */
void	 err_prefix(struct cakit_err *err, const char *what);
/* Leave a warning for the binary to print; beyond NOTES_MAX, dropped. */
void	 notes_add(struct cakit_notes *notes, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* test.c: where the crash and race tests stop or slow a process. */
/* SIGKILL or sleep here if CAKIT_TEST_KILL_AT/_DELAY_AT name this point. */
void	 test_kill_point(const char *name);

/*
 * buf.c: a growable byte buffer, and allocation that never fails (out
 * of memory aborts).  A zeroed struct buf is empty; buf_free frees it.
 */
struct buf {
	unsigned char	*p;
	size_t		 len;
	size_t		 cap;
};

void	 buf_add(struct buf *b, const void *data, size_t len);
void	 buf_reserve(struct buf *b, size_t more);
void	 buf_addc(struct buf *b, int c);
void	 buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* The contents as a string, owned by b (NUL-terminated, not counted). */
char	*buf_str(struct buf *b);
void	 buf_free(struct buf *b);
/* Allocations the caller frees with free(3). */
void	*xmalloc(size_t size);
void	*xcalloc(size_t n, size_t size);
void	*xreallocarray(void *p, size_t n, size_t size);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t max);

/* opt.c: command-line values, checked before anything is touched. */
/* Parse a decimal in [min, max] into *n: 0, or -1 if it is not one. */
int	 opt_number(const char *s, long long min, long long max,
	    long long *n);
/* The CA directory: the option, else $CA_DIR, else fallback (borrowed). */
const char *opt_ca_dir(const char *opt, const char *fallback);

/* file.c: bounded reads, atomic replaceable files, secret files. */
#define FILE_MAX	(1024 * 1024)

/*
 * Reads fill out with at most max bytes; the caller frees out->data
 * with gnutls_free, or a secret's with file_secret_free.  path "-" is
 * standard input; name only names fd in messages.
 */
int	 file_read(const char *path, size_t max, gnutls_datum_t *out,
	    struct cakit_err *err);
int	 file_read_fd(int fd, const char *name, size_t max,
	    gnutls_datum_t *out, struct cakit_err *err);
/* A regular file only (no FIFO, device or stdin), into wiped memory. */
int	 file_read_secret(const char *path, size_t max, gnutls_datum_t *out,
	    struct cakit_err *err);
/* The first line of a secret file, into *out (file_secret_free). */
int	 file_read_passphrase(const char *path, char **out,
	    struct cakit_err *err);
/* Wipe len bytes at p and free p (NULL is fine). */
void	 file_secret_free(void *p, size_t len);

/* Replace path atomically with data, mode from the start. */
int	 file_write_atomic(const char *path, const void *data, size_t len,
	    int mode, struct cakit_err *err);
/*
 * Temporaries beside path, flushed to disk, removed by a fatal signal
 * until published or discarded: their name, which the caller frees,
 * or NULL.  _pem encodes data under label; _secret is mode 0600 and,
 * where Linux allows, unnamed.
 */
char	*file_write_temp(const char *path, const void *data, size_t len,
	    int mode, struct cakit_err *err);
char	*file_write_temp_pem(const char *path, const char *label,
	    const void *data, size_t len, int mode, struct cakit_err *err);
char	*file_write_temp_secret(const char *path, const void *data,
	    size_t len, struct cakit_err *err);
/* Move tmp to path (noclobber: never replace); tmp is gone afterwards. */
int	 file_publish(const char *tmp, const char *path, bool noclobber,
	    struct cakit_err *err);
/* Remove a temporary that will not be published. */
void	 file_discard(const char *tmp);
/* Make the names just added to dir survive a crash. */
void	 file_sync_dir(const char *dir);
/* Remove published temporaries when SIGINT, SIGTERM... end the run. */
void	 file_signals_init(void);

/* Whether two paths name one file (./x, symbolic and hard links). */
bool	 file_same(const char *a, const char *b);
bool	 file_exists(const char *path);
bool	 file_is_dir(const char *path);
/* 0 if an output may go to path, else -1 with the reason in err. */
int	 file_check_writable(const char *path, struct cakit_err *err);
int	 file_check_replaceable(const char *path, struct cakit_err *err);
int	 file_check_new(const char *path, struct cakit_err *err);
/* "dir/name", which the caller frees. */
char	*file_join(const char *dir, const char *name);

/* serial.c: certificate serial numbers. */
#define SERIAL_LEN	20
#define SERIAL_HEXLEN	(SERIAL_LEN * 2)

struct serial {
	unsigned char	 b[SERIAL_LEN];
	size_t		 len;
};

/* A fresh random serial: positive, SERIAL_LEN octets, from GnuTLS. */
int	 serial_new(struct serial *s, struct cakit_err *err);
/* Hex text (RFC 5280 4.1.2.2 limits) into *s. */
int	 serial_parse(const char *hex, struct serial *s, struct cakit_err *err);
int	 serial_from_crt(gnutls_x509_crt_t crt, struct serial *s,
	    struct cakit_err *err);
/* Lower-case hex, NUL-terminated, into out. */
void	 serial_hex(const struct serial *s, char out[SERIAL_HEXLEN + 1]);

/* names.c: distinguished names and subject alternative names. */
enum san_type {
	SAN_DNS,
	SAN_IP,
	SAN_EMAIL,
	SAN_URI,
};

struct san {
	enum san_type	 type;
	char		*value;		/* canonical text form */
	unsigned char	 ip[32];	/* address, or address and mask */
	size_t		 iplen;
};

struct san_list {
	struct san	*v;
	size_t		 n;
};

#define SAN_MAX		100

/* 0 when dn is an RFC 4514 name cakit will put in a certificate. */
int	 dn_check(const char *dn, struct cakit_err *err);
/*
 * Append to b the subject of the DER certificate der in OpenSSL's
 * index.txt form ("/CN=x/O=y"); "/" when it has none or cannot be read.
 */
void	 dn_index_subject(struct buf *b, const gnutls_datum_t *der);
/*
 * Validate len bytes of text as a name of type t, append its canonical
 * form (a duplicate is dropped): 0 or -1.  l owns what it holds.
 */
int	 san_add(struct san_list *l, enum san_type t, const char *text,
	    size_t len, struct cakit_err *err);
/* The same for a name of GnuTLS type type, as a request holds it. */
int	 san_add_raw(struct san_list *l, gnutls_x509_subject_alt_name_t type,
	    const unsigned char *data, size_t len, struct cakit_err *err);
/* Append an address range "ADDR/BITS" for nameConstraints: 0 or -1. */
int	 san_add_cidr(struct san_list *l, const char *text,
	    struct cakit_err *err);
/* Append copies of src's names to dst: 0, or -1 past SAN_MAX. */
int	 san_list_copy(struct san_list *dst, const struct san_list *src);
/* s as GnuTLS takes it; d borrows from s. */
void	 san_datum(const struct san *s, gnutls_datum_t *d);
/* Whether l holds a DNS name or an address (what TLS clients match). */
bool	 san_list_has_host(const struct san_list *l);
/* "DNS:a<sep>IP:b"; the caller frees it. */
char	*san_list_join(const struct san_list *l, const char *sep);
/* Append the names of san_list_join(l, "\n") text: 0 or -1. */
int	 san_list_parse(struct san_list *l, const char *text,
	    struct cakit_err *err);
/* Free the names l holds and empty it. */
void	 san_list_free(struct san_list *l);
/* The prefix of t's text form: "DNS", "IP", "email", "URI" (static). */
const char *san_prefix(enum san_type t);
/* The one map of enum san_type to GnuTLS's types: GnuTLS's type for t. */
gnutls_x509_subject_alt_name_t san_gnutls_type(enum san_type t);
/* *t for GnuTLS's gnutls_type: 0, or -1 for a type cakit does not take. */
int	 san_type_from_gnutls(unsigned int gnutls_type, enum san_type *t);
/* san_prefix of gnutls_type's kind, or "other" (static). */
const char *san_gnutls_prefix(unsigned int gnutls_type);

/* key.c: key generation and the keys cakit accepts. */
enum key_type {
	KEY_ECDSA_P256,
	KEY_ECDSA_P384,
	KEY_ED25519,
	KEY_RSA_2048,
	KEY_RSA_3072,
	KEY_RSA_4096,
};

#define KEY_TYPE_NAMES \
	"ecdsa-p256, ecdsa-p384, ed25519, rsa-2048, rsa-3072, rsa-4096"

/* *t for a name of KEY_TYPE_NAMES: 0, or -1 for any other. */
int	 key_type_parse(const char *name, enum key_type *t);
/* *t for pub: 0, or -1 when pub is of no type cakit generates. */
int	 key_type_of(gnutls_pubkey_t pub, enum key_type *t);
/* A new key of type t, freed with gnutls_x509_privkey_deinit; or NULL. */
gnutls_x509_privkey_t key_generate(enum key_type t, struct cakit_err *err);
/*
 * key as PKCS#8 PEM into *out, under PBES2 AES-256 when pass is not
 * NULL: 0 or -1.  The caller wipes and frees out->data (file_secret_free).
 */
int	 key_export_pem(gnutls_x509_privkey_t key, const char *pass,
	    gnutls_datum_t *out, struct cakit_err *err);
#define KEY_ID_LEN	32	/* SHA-256 of the SubjectPublicKeyInfo */

/* 0 when cakit certifies keys like pub; -1 saying why not. */
int	 key_check_pub(gnutls_pubkey_t pub, struct cakit_err *err);
/* The ledger's identity of pub into id: 0 or -1. */
int	 key_id(gnutls_pubkey_t pub, unsigned char id[KEY_ID_LEN],
	    struct cakit_err *err);
/* The same for the key of crt. */
int	 key_id_crt(gnutls_x509_crt_t crt, unsigned char id[KEY_ID_LEN],
	    struct cakit_err *err);
/* Whether pub is an RSA key (RSA leaves may encipher keys too). */
bool	 key_is_rsa(gnutls_pubkey_t pub);
/* Whether a and b are the same key (false if either is unreadable). */
bool	 key_matches(gnutls_pubkey_t a, gnutls_pubkey_t b);
/*
 * The private key in the file path (or the PKCS#11 URI it holds),
 * decrypted with pass; freed with gnutls_privkey_deinit.  NULL on
 * failure, with err->kind ERR_KEY_LOCKED for a missing or wrong pass.
 */
gnutls_privkey_t key_load(const char *path, const char *pass,
	    struct cakit_err *err);
/* Whether s is a PKCS#11 URI. */
bool	 key_is_uri(const char *s);
/*
 * Log in to tokens with a copy of pin from now on; key_token_done
 * wipes it.
 */
void	 key_token_pin(const char *pin);
/* Wipe and forget the PIN that key_token_pin kept. */
void	 key_token_done(void);
/*
 * The token's private key that uri names; freed with
 * gnutls_privkey_deinit; or NULL.
 */
gnutls_privkey_t key_import_uri(const char *uri, struct cakit_err *err);
/*
 * A new key of type t in the token uri names (its object= the label);
 * *key_uri names exactly the new pair and is freed by the caller.
 * Returns the key, freed with gnutls_privkey_deinit; or NULL.
 */
gnutls_privkey_t key_generate_token(const char *uri, enum key_type t,
	    char **key_uri, struct cakit_err *err);
/* Delete the pair key_generate_token made: 0 or -1. */
int	 key_delete_token(const char *key_uri);

/* req.c: PKCS#10 requests from outside, checked before any use. */
struct req {
	gnutls_x509_crq_t	 crq;
	gnutls_pubkey_t		 pub;
	char			*subject;	/* RFC 4514, may be "" */
	struct san_list		 sans;
};

/* A PEM or DER request, checked; NULL on error.  Freed with req_free. */
struct req *req_parse(const gnutls_datum_t *in, struct cakit_notes *notes,
	    struct cakit_err *err);
void	 req_free(struct req *req);

/* cert.c: profiles and the certificates they produce. */
enum profile {
	PROFILE_SERVER,
	PROFILE_CLIENT,
	PROFILE_PEER,
	PROFILE_CA,
};

#define DAYS_MAX	36500
#define SERVER_DAYS_APPLE 825

/* *p for a leaf profile's name: 0, or -1 (also for "ca"). */
int	 profile_parse(const char *name, enum profile *p);
/* p's name, or "unknown" (static). */
const char *profile_name(enum profile p);

struct cert_tbs {
	enum profile		 profile;
	gnutls_pubkey_t		 pub;		/* subject's key */
	gnutls_x509_crq_t	 crq;		/* subject DN if subject NULL */
	const char		*subject;	/* RFC 4514 */
	const struct san_list	*sans;
	time_t			 not_before;
	time_t			 not_after;
	int			 path_len;	/* CA only, -1 for none */
	const char		*crl_url;	/* NULL for none */
	const struct san_list	*permit;	/* CA only: nameConstraints */
	const struct san_list	*exclude;
};

/*
 * The certificate t describes, signed by issuer_key as issuer (NULL:
 * self-signed); freed with gnutls_x509_crt_deinit; or NULL.
 */
gnutls_x509_crt_t cert_build(const struct cert_tbs *t,
	    const struct serial *serial, gnutls_x509_crt_t issuer,
	    gnutls_privkey_t issuer_key, struct cakit_err *err);
/*
 * crt encoded into *out: 0 or -1; the caller frees out->data with
 * gnutls_free.
 */
int	 cert_export(gnutls_x509_crt_t crt, gnutls_x509_crt_fmt_t fmt,
	    gnutls_datum_t *out, struct cakit_err *err);
/* A certificate from PEM or DER; freed with gnutls_x509_crt_deinit. */
gnutls_x509_crt_t cert_import(const gnutls_datum_t *d,
	    struct cakit_err *err);
/* The same from the file path. */
gnutls_x509_crt_t cert_load(const char *path, struct cakit_err *err);
/*
 * Every PEM certificate in the file path into *list and *n: 0 or -1;
 * freed with cert_list_free.
 */
int	 cert_load_list(const char *path, gnutls_x509_crt_t **list,
	    unsigned int *n, struct cakit_err *err);
/* The subject as RFC 4514 text ("" when empty); the caller frees it. */
char	*cert_subject(gnutls_x509_crt_t crt);
/* Whether crt is a CA, and its pathLenConstraint (-1: none): 0 or -1. */
int	 cert_ca_path_len(gnutls_x509_crt_t crt, bool *is_ca, int *path_len);
void	 cert_list_free(gnutls_x509_crt_t *list, unsigned int n);

/* text.c: UTF-8, and text that is safe to show on a terminal. */
/* Length of the valid UTF-8 sequence at s (its code point in *cp), or 0. */
size_t	 text_utf8_decode(const unsigned char *s, unsigned int *cp);
/* Controls, bidirectional overrides, line separators: never shown raw. */
bool	 text_unsafe(unsigned int cp);
/* Append str to b with unsafe characters and stray bytes escaped. */
void	 text_visible(struct buf *b, const char *str);
/* 0, or -1 naming what and the first unsafe character of str. */
int	 text_check(const char *what, const char *str, struct cakit_err *err);

/* json.c: JSON text, valid whatever bytes the strings hold. */
/* Append str to b as a JSON string, escaped. */
void	 json_str(struct buf *b, const char *str);
/* Append t to b as a JSON string in RFC 3339 UTC. */
void	 json_time(struct buf *b, time_t t);
/* t in RFC 3339 UTC ("2026-01-31T12:00:00Z") into out. */
void	 json_time_rfc3339(time_t t, char out[32]);

/*
 * ledger.c: the record of every certificate a CA issued, one interface
 * over its backends (ledger-sqlite.c, the only one for now), which no
 * other file knows.  LEDGER_VERSION is the schema every backend
 * migrates an older ledger to when it opens it.
 */
#define LEDGER_VERSION	5

enum cert_status {
	STATUS_VALID,
	STATUS_REVOKED,
	STATUS_EXPIRED,
};

struct ledger;

struct ledger_row {
	char		 serial[SERIAL_HEXLEN + 1];
	char		*subject;
	char		*sans;		/* newline separated "DNS:x" */
	enum profile	 profile;
	time_t		 not_before;
	time_t		 not_after;
	time_t		 issued_at;
	enum cert_status status;	/* STATUS_VALID or STATUS_REVOKED */
	time_t		 revoked_at;
	int		 reason;	/* RFC 5280 CRLReason */
	char		*replaces;	/* serial or NULL */
	char		*issued_by;	/* user@host, since version 2 */
	gnutls_datum_t	 der;
	unsigned char	 key_id[KEY_ID_LEN];	/* written, not read back */
};

/* The files a ledger occupies in its directory; NULL-terminated lists. */
struct ledger_files {
	const char *const *kept;	/* hold it closed; ca-init moves them */
	const char *const *transient;	/* beside them while it is open */
};

/* Static, not freed. */
const struct ledger_files *ledger_files(void);
/* Where the ledger of the CA in dir is, for people; the caller frees it. */
char	*ledger_location(const char *dir);
/* The ledger of the CA in dir, migrated; NULL on error.  ledger_free. */
struct ledger *ledger_open(const char *dir, struct cakit_err *err);
/* A new ledger in dir (ca-init only); NULL on error.  ledger_close. */
struct ledger *ledger_create(const char *dir, struct cakit_err *err);
/* Closes and frees l: 0 if the whole ledger is in its kept files. */
int	 ledger_close(struct ledger *l, struct cakit_err *err);
void	 ledger_free(struct ledger *l);
/* Transactions: 0 or -1; a failed commit rolls back. */
int	 ledger_begin(struct ledger *l, struct cakit_err *err);
int	 ledger_commit(struct ledger *l, struct cakit_err *err);
void	 ledger_rollback(struct ledger *l);
/* 0 inserted, 1 the serial is taken, -1 error. */
int	 ledger_insert(struct ledger *l, const struct ledger_row *row,
	    struct cakit_err *err);
/* 0 found (row the caller clears with ledger_row_clear), 1 absent, -1. */
int	 ledger_get(struct ledger *l, const char *serial,
	    struct ledger_row *row, struct cakit_err *err);
/* The number of rows in *n: 0 or -1. */
int	 ledger_count(struct ledger *l, long long *n, struct cakit_err *err);
/* 0 revoked now, 1 it already was, -1 error. */
int	 ledger_revoke(struct ledger *l, const char *serial, time_t when,
	    int reason, struct cakit_err *err);
/* 1 the key is blocked (serial, *is_ca say by which), 0 not, -1 error. */
int	 ledger_key_use(struct ledger *l, const unsigned char *key_id,
	    char serial[SERIAL_HEXLEN + 1], bool *is_ca,
	    struct cakit_err *err);
/* The other valid serials of serial's key: *serials and each the caller's. */
int	 ledger_same_key(struct ledger *l, const char *serial,
	    char ***serials, size_t *n, struct cakit_err *err);
struct crl_source;
/* The revocations, for the CRL, in src; freed with ledger_revoked_free. */
int	 ledger_revoked(struct ledger *l, struct crl_source *src,
	    struct cakit_err *err);
void	 ledger_revoked_free(struct crl_source *src);
/* The number of the last CRL taken, in *number: 0 or -1. */
int	 ledger_crl_number(struct ledger *l, uint64_t *number,
	    struct cakit_err *err);
/* Takes and stores the next CRL number, above the last and floor: 0/-1. */
int	 ledger_crl_number_next(struct ledger *l, uint64_t floor,
	    uint64_t *number, struct cakit_err *err);
struct ledger_filter {
	int		 status;	/* enum cert_status, or -1 for all */
	long long	 expiring_days;	/* -1 for no limit */
	const char	*subject;	/* substring, any case; or NULL */
	time_t		 now;
	bool		 with_der;
};

/* cb for each row f selects, by expiry; cb's non-zero return stops it. */
int	 ledger_list(struct ledger *l, const struct ledger_filter *f,
	    int (*cb)(const struct ledger_row *row, void *arg), void *arg,
	    struct cakit_err *err);
void	 ledger_row_clear(struct ledger_row *row);

/* A CA's settings, kept in its ledger; the strings are the struct's. */
struct ca_settings {
	char	*crl_url;	/* CRL URL for what it issues, or NULL */
	int	 max_days;	/* longest validity it issues; 0: no limit */
	char	*parent_dir;	/* an intermediate's parent, or NULL */
	time_t	 issued_at;	/* when ca-init made it, -1 if not recorded */
	char	*issued_by;	/* by whom, user@host; or NULL */
};

/* Loads s (cleared with ledger_settings_clear, also on failure): 0/-1. */
int	 ledger_settings_load(struct ledger *l, struct ca_settings *s,
	    struct cakit_err *err);
/* Stores every field of s; NULL, 0 or -1 removes the setting: 0/-1. */
int	 ledger_settings_store(struct ledger *l, const struct ca_settings *s,
	    struct cakit_err *err);
void	 ledger_settings_clear(struct ca_settings *s);

/* ca.c: a CA directory: its certificate, key and ledger. */
#define CA_KEY		"ca.key"
#define CA_CRT		"ca.crt"
#define CA_CHAIN	"chain.pem"
#define CA_CRL		"crl.pem"

struct ca {
	char			*dir;
	gnutls_x509_crt_t	 crt;
	gnutls_privkey_t	 key;
	struct ledger		*ledger;
	struct ca_settings	 settings;
	gnutls_x509_crt_t	*chain;		/* issuers above, to the root */
	unsigned int		 nchain;
};

struct ca_init_opts {
	const char	*dir;
	const char	*subject;
	enum key_type	 key_type;
	int		 days;
	int		 path_len;	/* -1 for none */
	const char	*crl_url;
	const char	*parent;	/* parent CA directory or NULL */
	const char	*passphrase_file;	/* encrypts the new key */
	const char	*key_uri;	/* PKCS#11: generate the key there */
	const char	*parent_passphrase_file;
	int		 max_days;	/* 0: no limit */
	const struct san_list *permit;	/* nameConstraints, may be NULL */
	const struct san_list *exclude;
	bool		 exist_ok;
	long		 backdate;	/* 0: BACKDATE_DEFAULT, -1: none */
	bool		 key_type_set;	/* key_type was asked for */
};

#define CA_OPEN_NOKEY	0x01	/* certificate and ledger only */

/*
 * The files of a CA directory, in the order messages name them and
 * ca-init moves them into place: ca.key, the ledger's kept files (and
 * with CA_FILES_ALL its transient ones), crl.pem, chain.pem, ca.crt
 * last.  The i-th name, static, or NULL past the last.
 */
#define CA_FILES_ALL	0x01
const char *ca_file(size_t i, int flags);
/* The CA in dir (flags CA_OPEN_*); NULL on error.  Freed with ca_free. */
struct ca *ca_open(const char *dir, int flags, const char *passfile,
	    struct cakit_err *err);
void	 ca_free(struct ca *ca);
/* 0 while the CA's certificate is valid at now, else -1. */
int	 ca_check_usable(const struct ca *ca, time_t now,
	    struct cakit_err *err);
/*
 * The row of a serial or a certificate file (which must be the one
 * recorded under its serial): 0, or -1.  Cleared by ledger_row_clear.
 */
int	 ca_lookup(struct ca *ca, const char *arg, struct ledger_row *row,
	    struct cakit_err *err);
/* -1 if path is one of the CA's own files, however it is spelt. */
int	 ca_check_output(const struct ca *ca, const char *path,
	    struct cakit_err *err);
/* -1 if others may write to the directory dir. */
int	 ca_check_dir_mode(const char *dir, struct cakit_err *err);
/* Whether dir holds a CA's files but no ca.crt (described into err). */
bool	 ca_incomplete(const char *dir, struct cakit_err *err);

/* init.c: making a CA, root or intermediate. */
/*
 * 0 with row describing the CA made at now, or the existing one
 * accepted (*existed), for the caller to clear; or -1.
 */
int	 ca_init(const struct ca_init_opts *o, time_t now,
	    struct ledger_row *row, bool *existed, struct cakit_notes *notes,
	    struct cakit_err *err);
/* Whether a ca-init was interrupted in dir (or is running there). */
bool	 init_interrupted(const char *dir);
/* What the options say of a CA certificate for pub, validity aside. */
void	 init_tbs(const struct ca_init_opts *o, gnutls_pubkey_t pub,
	    struct cert_tbs *t);

/* init-exist.c: ca-init --exist-ok, an existing CA against the options. */
/*
 * 0 when the CA in o->dir is the one o describes, with row describing
 * it (with its real issue time) for the caller to clear; else -1 with
 * every difference in err.
 */
int	 init_existing(const struct ca_init_opts *o, struct ledger_row *row,
	    struct cakit_err *err);

/* policy.c: what a CA may sign. */
/*
 * 0 when every name of sans is inside the nameConstraints of ca and
 * the CAs above it; -1 naming the first that is not.
 */
int	 policy_check_names(const struct ca *ca, const struct san_list *sans,
	    struct cakit_err *err);
/* 0 when the subject of built (with the names sans) is inside them. */
int	 policy_check_crt(const struct ca *ca, gnutls_x509_crt_t built,
	    const struct san_list *sans, struct cakit_err *err);
/* *out: the days to grant for a request of days (0: the default). */
int	 policy_days(const struct ca *ca, int days, int *out,
	    struct cakit_err *err);
/*
 * Whether the name d of GnuTLS type type is inside nc as every
 * verifier reads it.
 */
bool	 policy_nc_allows(gnutls_x509_name_constraints_t nc,
	    unsigned int type, const gnutls_datum_t *d);

/* row.c: a ledger row that describes a certificate, and its JSON. */
/* Fill r from crt, without the stamp of issue; r is cleared by the caller. */
int	 row_fill(struct ledger_row *r, gnutls_x509_crt_t crt, enum profile p,
	    const struct san_list *sans, struct cakit_err *err);
/* STATUS_REVOKED, else STATUS_EXPIRED after notAfter, else STATUS_VALID. */
enum cert_status row_status(const struct ledger_row *r, time_t now);
/* "valid", "revoked" or "expired" (static). */
const char *row_status_name(enum cert_status s);
/* Append r as a JSON object to b; files: NULL-terminated name, path pairs. */
void	 row_json(struct buf *b, const struct ledger_row *r, time_t now,
	    const char *const *files, bool with_pem);

/* issue.c: signing one certificate and recording it. */
struct issue_opts {
	enum profile		 profile;
	int			 days;		/* 0 for the default */
	const char		*subject;
	const struct san_list	*sans;		/* command line, may be empty */
	const char		*replaces;	/* serial being renewed */
	long			 backdate;	/* 0: default, -1: none */
};

/* notBefore goes back this far unless told otherwise (as step-ca). */
#define BACKDATE_DEFAULT 60
#define BACKDATE_MAX	86400

/* Serials drawn for one certificate before a taken one is an error. */
#define SERIAL_TRIES	4

/* One certificate for issue_sign to sign and record. */
struct issue_signing {
	const struct cert_tbs	*tbs;
	gnutls_x509_crt_t	 issuer;	/* NULL: self-signed */
	gnutls_privkey_t	 key;		/* the issuer's key */
	struct ledger		*ledger;	/* records the row; NULL: none */
	const char		*replaces;	/* the row's, or NULL */
	time_t			 now;		/* the moment of issue */
	/* May refuse each certificate made, before it is recorded (0/-1). */
	int			(*check)(void *arg, gnutls_x509_crt_t crt,
				    struct cakit_err *err);
	void			*arg;
};

/* notBefore for a validity of life seconds from now; see issue.c. */
time_t	 validity_start(time_t now, time_t life, long backdate,
	    gnutls_x509_crt_t issuer);
/* t's validity: days from validity_start, cut to the issuer's notAfter. */
void	 issue_validity(struct cert_tbs *t, time_t now, int days,
	    long backdate, gnutls_x509_crt_t issuer, const char *whose,
	    struct cakit_notes *notes);
/* Stamp r as issued at now by this user@host (r owns issued_by). */
void	 issue_stamp(struct ledger_row *r, time_t now);
/* The certificate (caller deinits), row filled (caller clears); or NULL. */
gnutls_x509_crt_t issue_sign(const struct issue_signing *s,
	    struct ledger_row *row, struct cakit_err *err);
/* 0 with row filled and committed (caller clears row), or -1. */
int	 issue_cert(struct ca *ca, const struct issue_opts *o,
	    gnutls_pubkey_t pub, struct req *req, time_t now,
	    struct ledger_row *row, struct cakit_notes *notes,
	    struct cakit_err *err);
/* 0 with rows[0..n) committed (caller clears), or -1 and *failed. */
int	 issue_batch(struct ca *ca, const struct issue_opts *o,
	    struct req **reqs, size_t n, time_t now, struct ledger_row *rows,
	    size_t *failed, struct cakit_notes *notes, struct cakit_err *err);
/*
 * 0 with the key in keyfile and row filled, or -1; the caller clears
 * row, which a failure after the commit leaves filled.
 */
int	 issue_new_key(struct ca *ca, const struct issue_opts *o,
	    enum key_type kt, const char *keyfile, time_t now,
	    struct ledger_row *row, struct cakit_notes *notes,
	    struct cakit_err *err);
/* 0 with row filled for the renewal (caller clears), or -1. */
int	 issue_renew(struct ca *ca, const char *arg, int days, time_t now,
	    struct ledger_row *row, struct cakit_notes *notes,
	    struct cakit_err *err);

/* emit.c: showing a certificate just issued: a file, PEM or JSON. */
/*
 * Encode row's certificate as PEM and, unless path is NULL, write it
 * there (mode 0644, replaced atomically).  Then append to show what the
 * output shows: with json, the row as a JSON object naming path
 * ("certificate") and key_path ("key"), those not NULL, and holding the
 * PEM if path is NULL; else the PEM if path is NULL, else nothing.
 * Returns 0, or -1 with err set and nothing appended.  show stays the
 * caller's.
 */
int	 emit_cert(const struct ledger_row *row, const char *path,
	    const char *key_path, bool json, time_t now, struct buf *show,
	    struct cakit_err *err);

/* batch.c: ca-sign --batch. */
/*
 * Sign every request in path (a directory of CSR files, or "-" for PEM
 * requests on standard input); each certificate goes to a file in
 * outdir, or to out as PEM, or as JSON with json.  0, or -1 with
 * *issued those shown and *unwritten those issued but not shown.
 */
int	 batch_run(struct ca *ca, const struct issue_opts *o,
	    const char *path, const char *outdir, FILE *out, bool json,
	    size_t *issued, size_t *unwritten, struct cakit_notes *notes,
	    struct cakit_err *err);

/*
 * crl.c, crl-publish.c: RFC 5280 CRLs, one module.  crl.c holds the one
 * table of revocation reasons, builds CRLs (encoded by der.c, signed by
 * the CA's key) and reads their dates and number back; crl-publish.c
 * reads, numbers and publishes a CA's crl.pem.
 */
#define CRL_DAYS_DEFAULT 7
#define CRL_DAYS_MAX	366

/* The RFC 5280 5.3.1 CRLReason codes cakit's code names. */
#define CRL_REASON_UNSPECIFIED		0
#define CRL_REASON_KEY_COMPROMISE	1
#define CRL_REASON_CA_COMPROMISE	2

struct crl_entry {
	struct serial	 serial;
	time_t		 revoked_at;
	int		 reason;	/* 0 (unspecified) omits reasonCode */
};

/* Entries one at a time: next gives 1, or 0 at the end, or -1. */
struct crl_source {
	int	(*next)(void *, struct crl_entry *, struct cakit_err *);
	int	(*rewind)(void *, struct cakit_err *);
	void	*arg;
};

/* What crl_head_read finds in a CRL file. */
struct crl_head {
	time_t		 this_update;
	time_t		 next_update;	/* -1 when absent */
	uint64_t	 number;	/* when numbered */
	bool		 numbered;	/* it has a cRLNumber cakit can read */
};

/*
 * The reasons cakit records and puts in CRLs (certificateHold is not
 * one).  crl_reason_parse: the code of a name, any case; 0, or -1
 * naming the names it takes.  crl_reason_name: the name of a code, static,
 * "unknown" when not in the table.  crl_reason_index_name: OpenSSL's
 * spelling in index.txt, static, or NULL when index.txt gives none.
 */
int	 crl_reason_parse(const char *name, int *code,
	    struct cakit_err *err);
const char *crl_reason_name(int code);
const char *crl_reason_index_name(int code);
/*
 * Build and sign a v2 CRL of the entries src yields (two passes: src
 * must rewind to the same entries), issued by ca_crt under ca_key, and
 * append its DER CertificateList to out_der, which the caller owns.  An
 * entry whose reason is not in the table is refused.  0, or -1 with err
 * set and out_der as it was.
 */
int	 crl_build_src(gnutls_x509_crt_t ca_crt, gnutls_privkey_t ca_key,
	    const struct crl_source *src, uint64_t crl_number,
	    time_t this_update, time_t next_update, struct buf *out_der,
	    struct cakit_err *err);
/* crl_build_src over the n entries of an array. */
int	 crl_build(gnutls_x509_crt_t ca_crt, gnutls_privkey_t ca_key,
	    const struct crl_entry *entries, size_t n, uint64_t crl_number,
	    time_t this_update, time_t next_update, struct buf *out_der,
	    struct cakit_err *err);
/* The dates of a DER CRL, of which only the start is needed; 0 or -1. */
int	 crl_times(const gnutls_datum_t *der, time_t *this_update,
	    time_t *next_update, struct cakit_err *err);
/* The cRLNumber of a whole DER CRL; 0, or -1 when it has none. */
int	 crl_number(const gnutls_datum_t *der, uint64_t *number,
	    struct cakit_err *err);

/* The dates and number of the PEM CRL file at path; 0 or -1. */
int	 crl_head_read(const char *path, struct crl_head *head,
	    struct cakit_err *err);
/*
 * The lock every writer of dir's crl.pem holds: a descriptor, which
 * crl_unlock closes (-1 is ignored), or -1 when it cannot be had.
 */
int	 crl_lock(const char *dir, struct cakit_err *err);
void	 crl_unlock(int fd);
/* The number of dir's crl.pem: 1, or 0 when it has no readable one. */
int	 crl_disk_number(const char *dir, uint64_t *number);
/*
 * In the caller's transaction, under crl_lock: take the next number
 * (*numberp) and sign the CRL of every revocation, valid for days from
 * now, into a temporary beside crl.pem.  Returns its path, which the
 * caller frees after crl_install (or file_discard), or NULL.
 */
char	*crl_prepare(struct ca *ca, time_t now, int days, uint64_t *numberp,
	    struct cakit_err *err);
/*
 * After the commit, under crl_lock: rename tmp over crl.pem, unless
 * crl.pem holds number or a higher one already; tmp is gone afterwards.
 * 0 or -1.
 */
int	 crl_install(struct ca *ca, const char *tmp, uint64_t number,
	    struct cakit_err *err);
/*
 * Under crl_lock: *behind when crl.pem is missing or older than the
 * ledger's last CRL; 0 or -1.
 */
int	 crl_behind(struct ca *ca, bool *behind, struct cakit_err *err);
/*
 * Sign and publish a new CRL, valid for days from now, from a
 * transaction of its own: crl_publish takes the lock, crl_publish_locked
 * is for a caller that holds it.  0 or -1.
 */
int	 crl_publish(struct ca *ca, time_t now, int days,
	    struct cakit_err *err);
int	 crl_publish_locked(struct ca *ca, time_t now, int days,
	    struct cakit_err *err);

/*
 * revoke.c: revocation, recorded in the ledger with the CRL's number.
 * revoke_certs revokes the certificates named in args (nargs serials
 * or certificate files) for reason (a code from crl_reason_parse) and
 * publishes a CRL valid for crl_days.  All names are resolved before
 * anything changes; one already revoked gets a note; keyCompromise
 * revokes the other certificates of the same key too.  When nothing is
 * new but crl.pem is behind the ledger, a new CRL is published all the
 * same.  *changed says whether the ledger changed.  0 or -1.
 */
int	 revoke_certs(struct ca *ca, char *const *args, size_t nargs,
	    int reason, int crl_days, bool *changed,
	    struct cakit_notes *notes, struct cakit_err *err);

/* bundle.c: trust bundles, server chains, CRL bundles, PKCS#12. */
/*
 * Append to out, as PEM, the certificates of the n CA directories
 * dirs and of those above them, each once: 0 or -1.
 */
int	 bundle_trust(char *const *dirs, size_t n, struct buf *out,
	    struct cakit_err *err);
/*
 * Append the certificate that cert (a serial or a file) names, which
 * ca issued, then ca's intermediates (not the root): 0 or -1.
 */
int	 bundle_chain(struct ca *ca, const char *cert, struct buf *out,
	    struct cakit_err *err);
/*
 * Append ca's trust bundle, then the CRL of each CA from ca up to the
 * root: 0 or -1.
 */
int	 bundle_crls(struct ca *ca, struct buf *out, struct cakit_err *err);
/*
 * Write a new PKCS#12 file at path (0600, never replacing a file):
 * the key in keyfile, the certificate cert names (which ca issued and
 * the key must match) and ca's intermediates, under the passphrase in
 * passfile.  0 or -1.
 */
int	 bundle_pkcs12(struct ca *ca, const char *path, const char *keyfile,
	    const char *cert, const char *passfile, struct cakit_err *err);

/* list.c: ca-list's outputs and its monitoring check. */
enum list_format {
	LIST_TABLE,
	LIST_JSON,
	LIST_INDEX,
};

/* Print the rows f selects to out as fmt, streaming: 0 or -1. */
int	 list_print(struct ca *ca, struct ledger_filter *f,
	    enum list_format fmt, FILE *out, struct cakit_err *err);
/*
 * For monitoring: -1 with the problem in err (the CRL's nextUpdate
 * within days, crl.pem behind the ledger, the CA expiring within 30
 * days); else 0 with both dates described in status.
 */
int	 list_check(struct ca *ca, int days, time_t now, char *status,
	    size_t len, struct cakit_err *err);

#endif /* !CAKIT_H */
