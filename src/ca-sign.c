/*
 * ca-sign: issue a leaf certificate from a request, for a new key, or
 * as the renewal of one already issued.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	OPT_BACKDATE = CHAR_MAX + 1,
	OPT_BATCH,
	OPT_DAYS,
	OPT_DNS,
	OPT_EMAIL,
	OPT_IP,
	OPT_JSON,
	OPT_KEY_PASS,
	OPT_KEY_TYPE,
	OPT_NEW_KEY,
	OPT_PROFILE,
	OPT_RENEW,
	OPT_SUBJECT,
	OPT_URI,
};

static const struct option longopts[] = {
	{ "backdate",		required_argument, NULL, OPT_BACKDATE },
	{ "batch",		no_argument,	   NULL, OPT_BATCH },
	{ "days",		required_argument, NULL, OPT_DAYS },
	{ "dns",		required_argument, NULL, OPT_DNS },
	{ "email",		required_argument, NULL, OPT_EMAIL },
	{ "ip",			required_argument, NULL, OPT_IP },
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "key-passphrase-file", required_argument, NULL, OPT_KEY_PASS },
	{ "key-type",		required_argument, NULL, OPT_KEY_TYPE },
	{ "new-key",		required_argument, NULL, OPT_NEW_KEY },
	{ "output",		required_argument, NULL, 'o' },
	{ "profile",		required_argument, NULL, OPT_PROFILE },
	{ "renew",		required_argument, NULL, OPT_RENEW },
	{ "subject",		required_argument, NULL, OPT_SUBJECT },
	{ "uri",		required_argument, NULL, OPT_URI },
	CLI_LONGOPTS_END,
};

/* What ca-sign does: one mode, set by its option, as signify's verbs. */
enum mode {
	MODE_CSR,		/* sign a request: the default */
	MODE_NEW_KEY,		/* --new-key: make a key and sign it */
	MODE_RENEW,		/* --renew: reissue a certificate */
	MODE_BATCH,		/* --batch: sign many requests */
};

/* The modes that take nothing from the command line but options. */
#define BATCH_ALONE	"--batch takes subjects and names from each request"
#define RENEW_ALONE	"--renew takes the key, subject, names and profile " \
			"from the certificate it renews"

/* What the command line asks for. */
struct args {
	enum mode		 mode;
	const char		*new_key;	/* MODE_NEW_KEY: the key file */
	const char		*renew;		/* MODE_RENEW: serial or file */
	const char		*csr;		/* MODE_CSR, MODE_BATCH; "-" */
	struct issue_opts	 o;
	struct san_list		 sans;		/* o.sans */
	const char		*dir;
	const char		*output;
	const char		*passfile;
	enum key_type		 kt;
	bool			 json;
	/* Options given, which some modes refuse. */
	bool			 backdate;
	bool			 kt_set;
	bool			 names;
	bool			 profile_set;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ca-sign [-d DIR] [--profile server|client|peer] [--days N]\n"
"               [--dns NAME]... [--ip ADDR]... [--email ADDR]... [--uri URI]...\n"
"               [--subject DN] [--backdate SECONDS] [-o FILE] [--json] [CSR|-]\n"
"       ca-sign [-d DIR] --new-key KEYFILE [--key-type TYPE] [options]\n"
"       ca-sign [-d DIR] --renew SERIAL|CERTFILE [--days N] [-o FILE] [--json]\n"
"       ca-sign [-d DIR] --batch [--profile NAME] [--days N] [-o OUTDIR]\n"
"               [--json] [CSRDIR|-]\n"
"\n"
"Sign a PKCS#10 request (PEM or DER, from CSR or standard input), or make\n"
"a key and sign it, and print the certificate (PEM) or write it to FILE.\n"
"\n"
"  -d, --dir DIR          CA directory (default $CA_DIR, else .)\n"
"      --profile NAME     server (default), client or peer (both)\n"
"      --days N           validity in days (default 365, at most %d)\n"
"      --backdate SECONDS notBefore this far in the past (default %d, 0-%d;\n"
"                         at most a tenth of the validity)\n"
"      --dns NAME         DNS name (repeatable); replaces the CSR's names\n"
"      --ip ADDR          IPv4 or IPv6 address (repeatable)\n"
"      --email ADDR       email address (repeatable)\n"
"      --uri URI          URI (repeatable)\n"
"      --subject DN       RFC 4514 subject instead of the CSR's\n"
"      --new-key KEYFILE  make a key pair, write the key to KEYFILE (0600)\n"
"      --key-type TYPE    with --new-key: " KEY_TYPE_NAMES "\n"
"                         (default ecdsa-p256)\n"
"      --renew SERIAL|CERTFILE\n"
"                         reissue a certificate for the same key and names\n"
"      --batch            sign every request in CSRDIR, or every PEM request\n"
"                         on standard input, committing in groups\n"
"  -o, --output FILE      write the certificate to FILE instead of stdout\n"
"                         (with --batch: a directory, one NAME.crt each)\n"
"      --key-passphrase-file FILE\n"
"                         passphrase of ca.key (default $CA_KEY_PASSPHRASE_FILE)\n"
"      --json             print the result as JSON\n"
"  -h, --help             print this help and exit\n"
"  -V, --version          print the version and exit\n",
	    DAYS_MAX, BACKDATE_DEFAULT, BACKDATE_MAX);
}

/* --dns, --email, --ip or --uri; CLI_CONTINUE, or the exit status. */
static int
add_name(struct args *a, enum san_type t, const char *opt, const char *value)
{
	struct cakit_err	 err = { "", 0 };

	/*
	 * A malformed name is refused as one in a request is (exit 1,
	 * issue 2), though before anything is touched.
	 */
	if (san_add(&a->sans, t, value, strlen(value), &err) == -1) {
		err_prefix(&err, opt);
		return cli_fail(&err);
	}
	a->names = true;
	return CLI_CONTINUE;
}

/*
 * --new-key, --renew or --batch.  A second mode is a usage error, said
 * as it always was: --batch's message if either is --batch, else
 * --renew's.
 */
static int
set_mode(struct args *a, enum mode m)
{
	if (a->mode != MODE_CSR && a->mode != m)
		return cli_usage_error("%s", a->mode == MODE_BATCH ||
		    m == MODE_BATCH ? BATCH_ALONE : RENEW_ALONE);
	a->mode = m;
	return CLI_CONTINUE;
}

/* One option; CLI_CONTINUE, or the exit status to end with. */
static int
parse_option(int c, char *const argv[], struct args *a)
{
	struct cakit_err	 err = { "", 0 };
	long long		 n;

	switch (c) {
	case 'o':
		a->output = optarg;
		return CLI_CONTINUE;
	case OPT_BACKDATE:
		if (cli_number("--backdate", optarg, 0, BACKDATE_MAX,
		    &n) == -1)
			return 2;
		a->backdate = true;
		a->o.backdate = n == 0 ? -1 : n;
		return CLI_CONTINUE;
	case OPT_BATCH:
		return set_mode(a, MODE_BATCH);
	case OPT_DAYS:
		if (cli_number("--days", optarg, 1, DAYS_MAX, &n) == -1)
			return 2;
		a->o.days = n;
		return CLI_CONTINUE;
	case OPT_DNS:
		return add_name(a, SAN_DNS, "--dns", optarg);
	case OPT_EMAIL:
		return add_name(a, SAN_EMAIL, "--email", optarg);
	case OPT_IP:
		return add_name(a, SAN_IP, "--ip", optarg);
	case OPT_JSON:
		a->json = true;
		return CLI_CONTINUE;
	case OPT_KEY_PASS:
		a->passfile = optarg;
		return CLI_CONTINUE;
	case OPT_KEY_TYPE:
		if (key_type_parse(optarg, &a->kt) == -1)
			return cli_usage_error("--key-type '%.40s': unknown; "
			    "use one of " KEY_TYPE_NAMES, optarg);
		a->kt_set = true;
		return CLI_CONTINUE;
	case OPT_NEW_KEY:
		a->new_key = optarg;
		return set_mode(a, MODE_NEW_KEY);
	case OPT_PROFILE:
		a->profile_set = true;
		if (profile_parse(optarg, &a->o.profile) == -1)
			return cli_usage_error("--profile '%.40s': unknown; "
			    "use server, client or peer", optarg);
		return CLI_CONTINUE;
	case OPT_RENEW:
		a->renew = optarg;
		return set_mode(a, MODE_RENEW);
	case OPT_SUBJECT:
		if (dn_check(optarg, &err) == -1)
			return cli_usage_error("%s", err.msg);
		a->o.subject = optarg;
		return CLI_CONTINUE;
	case OPT_URI:
		return add_name(a, SAN_URI, "--uri", optarg);
	default:
		return cli_option(c, argv, usage, &a->dir);
	}
}

/*
 * The options against the mode and the operands (at most one CSR);
 * CLI_CONTINUE, or the exit status to end with.
 */
static int
check_args(int argc, char *const argv[], struct args *a)
{
	if (argc > 1)
		return cli_usage_error("more than one CSR given");
	if (a->mode == MODE_BATCH && (a->names || a->o.subject != NULL))
		return cli_usage_error("%s", BATCH_ALONE);
	if (argc == 1)
		a->csr = argv[0];
	if (a->mode == MODE_NEW_KEY && argc == 1)
		return cli_usage_error("--new-key makes its own request; do "
		    "not give a CSR");
	if (a->kt_set && a->mode != MODE_NEW_KEY)
		return cli_usage_error("--key-type is for --new-key");
	if (a->mode == MODE_RENEW && (argc == 1 || a->names ||
	    a->o.subject != NULL || a->profile_set))
		return cli_usage_error("%s", RENEW_ALONE);
	if (a->mode == MODE_RENEW && a->backdate)
		return cli_usage_error("--backdate is not for --renew, which "
		    "backdates by the default %d s", BACKDATE_DEFAULT);
	if (a->output != NULL && a->mode == MODE_NEW_KEY &&
	    file_same(a->output, a->new_key))
		return cli_usage_error("-o and --new-key name the same file");
	a->o.sans = &a->sans;
	a->dir = opt_ca_dir(a->dir, ".");
	return CLI_CONTINUE;
}

/* The options, checked; CLI_CONTINUE, or the exit status to end with. */
static int
parse_args(int argc, char *argv[], struct args *a)
{
	int	 c, rc;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "o:", longopts,
	    NULL)) != -1)
		if ((rc = parse_option(c, argv, a)) != CLI_CONTINUE)
			return rc;
	return check_args(argc - optind, argv + optind, a);
}

/*
 * The CA, and every output checked first: after the commit it is too
 * late.  Returns the CA (ca_free) or NULL after printing why.
 */
static struct ca *
open_ca(const struct args *a)
{
	struct cakit_err	 err = { "", 0 };
	struct ca		*ca = NULL;

	if (a->output != NULL && a->mode == MODE_BATCH &&
	    !file_is_dir(a->output)) {
		err_set(&err, "%s: not a directory (with --batch, -o names "
		    "the directory for the certificates)", a->output);
		goto fail;
	}
	if (a->output != NULL && a->mode != MODE_BATCH &&
	    file_check_writable(a->output, &err) == -1)
		goto fail;
	if ((ca = cli_open_ca(a->dir, 0, a->passfile)) == NULL)
		return NULL;
	if ((a->output != NULL && ca_check_output(ca, a->output, &err) == -1) ||
	    (a->mode == MODE_NEW_KEY && (ca_check_output(ca, a->new_key,
	    &err) == -1 || file_check_new(a->new_key, &err) == -1)) ||
	    ca_check_usable(ca, time(NULL), &err) == -1)
		goto fail;
	return ca;
fail:
	cli_fail(&err);
	ca_free(ca);
	return NULL;
}

/*
 * A failure after the commit: the certificate exists, so the message
 * says so, with its serial and what to do, and the exit status is 3,
 * so that no script retries and issues a second one.
 */
static int
issued_fail(struct cakit_err *err, const char *serial, const char *dir,
    bool key_lost)
{
	size_t	 n = strlen(err->msg);

	if (key_lost)
		snprintf(err->msg + n, sizeof(err->msg) - n, "; the "
		    "certificate was issued and recorded as serial %s, but "
		    "its new key could not be written and is lost: revoke it "
		    "with ca-revoke -d %s %s", serial, dir, serial);
	else
		snprintf(err->msg + n, sizeof(err->msg) - n, "; the "
		    "certificate was issued and recorded as serial %s: export "
		    "it with ca-bundle -d %s --chain %s", serial, dir, serial);
	cli_fail(err);
	return 3;
}

/* --batch: the exit status, 3 if any certificate was not shown. */
static int
sign_batch(struct ca *ca, const struct args *a)
{
	struct cakit_err	 err = { "", 0 };
	struct cakit_notes	 notes = { .n = 0 };
	size_t			 issued, unwritten, len;
	int			 ret;

	ret = batch_run(ca, &a->o, a->csr, a->output, stdout, a->json,
	    &issued, &unwritten, &notes, &err);
	cli_notes(&notes);
	if (ret == 0)
		return 0;
	if (unwritten > 0) {
		/* batch_run's message gives the serial. */
		len = strlen(err.msg);
		snprintf(err.msg + len, sizeof(err.msg) - len, ": export each "
		    "with ca-bundle -d %s --chain SERIAL (ca-list -d %s --json "
		    "lists them)", a->dir, a->dir);
		cli_fail(&err);
		return 3;
	}
	if (issued > 0)
		fprintf(stderr, "%s: %zu certificates were issued before the "
		    "failure\n", cli_prog, issued);
	return cli_fail(&err);
}

/* The request from a file or standard input, signed; 0 or -1. */
static int
issue_csr(struct ca *ca, const struct args *a, struct ledger_row *row,
    struct cakit_notes *notes, struct cakit_err *err)
{
	gnutls_datum_t	 in = { NULL, 0 };
	struct req	*req = NULL;
	int		 rc = -1;

	if (file_read(a->csr, FILE_MAX, &in, err) == -1 ||
	    (req = req_parse(&in, notes, err)) == NULL ||
	    issue_cert(ca, &a->o, req->pub, req, time(NULL), row, notes,
	    err) == -1)
		goto out;
	rc = 0;
out:
	free(in.data);
	req_free(req);
	return rc;
}

/*
 * The certificate out, once its row is committed: to -o, and PEM or
 * JSON on stdout, which may fail like any file; 0 or -1.
 */
static int
show_cert(const struct ledger_row *row, const struct args *a,
    struct cakit_err *err)
{
	struct buf	 show = { 0 };
	int		 rc = -1;

	if (emit_cert(row, a->output, a->mode == MODE_NEW_KEY ? a->new_key :
	    NULL, a->json, time(NULL), &show, err) == -1)
		goto out;
	if (a->json)
		buf_addc(&show, '\n');
	if (show.len > 0 && cli_write(show.p, show.len, err) == -1)
		goto out;
	rc = 0;
out:
	buf_free(&show);
	return rc;
}

/* One certificate, by the mode; the exit status. */
static int
sign_one(struct ca *ca, const struct args *a)
{
	struct cakit_err	 err = { "", 0 };
	struct cakit_notes	 notes = { .n = 0 };
	struct ledger_row	 row;
	int			 ret, rc = 1;

	memset(&row, 0, sizeof(row));
	if (a->mode == MODE_RENEW)
		ret = issue_renew(ca, a->renew, a->o.days, time(NULL), &row,
		    &notes, &err);
	else if (a->mode == MODE_NEW_KEY)
		ret = issue_new_key(ca, &a->o, a->kt, a->new_key, time(NULL),
		    &row, &notes, &err);
	else
		ret = issue_csr(ca, a, &row, &notes, &err);
	cli_notes(&notes);
	/* A new key that could not be written after the commit is lost. */
	if (ret == -1 && a->mode == MODE_NEW_KEY && row.der.data != NULL) {
		rc = issued_fail(&err, row.serial, a->dir, true);
		goto out;
	}
	if (ret == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if (show_cert(&row, a, &err) == -1) {
		rc = issued_fail(&err, row.serial, a->dir, false);
		goto out;
	}
	rc = 0;
out:
	ledger_row_clear(&row);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct args	 a;
	struct ca	*ca = NULL;
	int		 rc = 1;

	cli_setup("ca-sign");
	/*
	 * A reader that went away is an output failure like any other,
	 * reported (exit 3 after the commit), not a silent death.
	 */
	(void)signal(SIGPIPE, SIG_IGN);
	memset(&a, 0, sizeof(a));
	a.mode = MODE_CSR;
	a.csr = "-";
	a.o.profile = PROFILE_SERVER;
	a.kt = KEY_ECDSA_P256;
	if ((rc = parse_args(argc, argv, &a)) != CLI_CONTINUE)
		goto out;
	rc = 1;

	if ((ca = open_ca(&a)) == NULL)
		goto out;
	if (a.mode == MODE_BATCH)
		rc = sign_batch(ca, &a);
	else
		rc = sign_one(ca, &a);
out:
	san_list_free(&a.sans);
	ca_free(ca);
	return rc;
}
