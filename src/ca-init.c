/*
 * ca-init: make a certificate authority, root or intermediate.
 */
#include "config.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define PATH_LEN_MAX	16

enum {
	OPT_CRL_URL = CHAR_MAX + 1,
	OPT_DAYS,
	OPT_EXCLUDE_DNS,
	OPT_EXCLUDE_IP,
	OPT_EXIST_OK,
	OPT_JSON,
	OPT_KEY_PASS,
	OPT_KEY_TYPE,
	OPT_KEY_URI,
	OPT_MAX_DAYS,
	OPT_PARENT,
	OPT_PARENT_PASS,
	OPT_PATH_LEN,
	OPT_PERMIT_DNS,
	OPT_PERMIT_IP,
	OPT_SUBJECT,
};

static const struct option longopts[] = {
	{ "crl-url",		required_argument, NULL, OPT_CRL_URL },
	{ "days",		required_argument, NULL, OPT_DAYS },
	{ "exclude-dns",	required_argument, NULL, OPT_EXCLUDE_DNS },
	{ "exclude-ip",		required_argument, NULL, OPT_EXCLUDE_IP },
	{ "exist-ok",		no_argument,	   NULL, OPT_EXIST_OK },
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "key-passphrase-file", required_argument, NULL, OPT_KEY_PASS },
	{ "key-type",		required_argument, NULL, OPT_KEY_TYPE },
	{ "key-uri",		required_argument, NULL, OPT_KEY_URI },
	{ "max-days",		required_argument, NULL, OPT_MAX_DAYS },
	{ "parent",		required_argument, NULL, OPT_PARENT },
	{ "parent-passphrase-file", required_argument, NULL, OPT_PARENT_PASS },
	{ "path-len",		required_argument, NULL, OPT_PATH_LEN },
	{ "permit-dns",		required_argument, NULL, OPT_PERMIT_DNS },
	{ "permit-ip",		required_argument, NULL, OPT_PERMIT_IP },
	{ "subject",		required_argument, NULL, OPT_SUBJECT },
	CLI_LONGOPTS_END,
};

/* What the command line asks for. */
struct args {
	struct ca_init_opts	 o;
	struct san_list		 permit;	/* nameConstraints */
	struct san_list		 exclude;
	bool			 json;
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ca-init [-d DIR] --subject DN [--key-type TYPE] [--days N]\n"
"               [--path-len N] [--crl-url URL] [--parent DIR]\n"
"               [--max-days N] [--permit-dns DOMAIN]... [--permit-ip CIDR]...\n"
"               [--exclude-dns DOMAIN]... [--exclude-ip CIDR]...\n"
"               [--key-uri PKCS11-URI] [--key-passphrase-file FILE]\n"
"               [--parent-passphrase-file FILE]\n"
"               [--exist-ok] [--json]\n"
"\n"
"Make a certificate authority in DIR: ca.key, ca.crt, ledger.db, crl.pem.\n"
"\n"
"  -d, --dir DIR          CA directory (default $CA_DIR, else .)\n"
"      --subject DN       RFC 4514 name, e.g. 'CN=Example Root CA,O=Example'\n"
"      --key-type TYPE    " KEY_TYPE_NAMES "\n"
"                         (default ecdsa-p256)\n"
"      --days N           validity in days (default 3650, at most %d)\n"
"      --path-len N       pathLenConstraint: CA levels allowed below (0-%d)\n"
"      --crl-url URL      CRL distribution point put in issued certificates\n"
"      --parent DIR       make an intermediate signed by the CA in DIR\n"
"      --max-days N       refuse to issue certificates valid longer than N days\n"
"      --permit-dns DOMAIN\n"
"                         nameConstraints: issue only for DOMAIN and below\n"
"      --permit-ip CIDR   nameConstraints: issue only for addresses in CIDR\n"
"      --exclude-dns DOMAIN\n"
"                         nameConstraints: never issue for DOMAIN and below\n"
"      --exclude-ip CIDR  nameConstraints: never issue for addresses in CIDR\n"
"      --key-uri URI      generate the key in a PKCS#11 token (URI with\n"
"                         token= and object=); ca.key holds only the URI\n"
"      --key-passphrase-file FILE\n"
"                         encrypt ca.key with the first line of FILE (with\n"
"                         --key-uri: the token's PIN)\n"
"      --parent-passphrase-file FILE\n"
"                         passphrase of the parent's key\n"
"                         (default $CA_KEY_PASSPHRASE_FILE)\n"
"      --exist-ok         succeed without change if DIR already holds a CA\n"
"                         that matches every option given\n"
"      --json             print the CA certificate's details as JSON\n"
"  -h, --help             print this help and exit\n"
"  -V, --version          print the version and exit\n",
	    DAYS_MAX, PATH_LEN_MAX);
}

/* --crl-url: a URI as ca-sign's --uri takes it; CLI_CONTINUE or 2. */
static int
check_url(const char *url)
{
	struct cakit_err	 err = { "", 0 };
	struct san_list		 l = { NULL, 0 };
	int			 rc = CLI_CONTINUE;

	if (san_add(&l, SAN_URI, url, strlen(url), &err) == -1)
		rc = cli_usage_error("--crl-url: %s", err.msg);
	san_list_free(&l);
	return rc;
}

/* --permit-dns or --exclude-dns; CLI_CONTINUE or 2. */
static int
add_dns_constraint(int c, const char *value, struct args *a)
{
	struct cakit_err	 err = { "", 0 };
	unsigned char		 ipbuf[16];
	const char		*opt, *ipopt;

	opt = c == OPT_PERMIT_DNS ? "--permit-dns" : "--exclude-dns";
	ipopt = c == OPT_PERMIT_DNS ? "--permit-ip" : "--exclude-ip";
	/* The library's hint would be ca-sign's --ip. */
	if (inet_pton(AF_INET, value, ipbuf) == 1 ||
	    inet_pton(AF_INET6, value, ipbuf) == 1)
		return cli_usage_error("%s '%.64s': an IP address, not a "
		    "domain name; use %s", opt, value, ipopt);
	if (strchr(value, '*') != NULL ||
	    san_add(c == OPT_PERMIT_DNS ? &a->permit : &a->exclude, SAN_DNS,
	    value, strlen(value), &err) == -1)
		return cli_usage_error("%s '%.64s': not a domain name%s%s",
		    opt, value, err.msg[0] ? ": " : "", err.msg);
	return CLI_CONTINUE;
}

/* --permit-ip or --exclude-ip; CLI_CONTINUE or 2. */
static int
add_ip_constraint(int c, const char *value, struct args *a)
{
	struct cakit_err	 err = { "", 0 };

	if (san_add_cidr(c == OPT_PERMIT_IP ? &a->permit : &a->exclude, value,
	    &err) == -1)
		return cli_usage_error("%s %s", c == OPT_PERMIT_IP ?
		    "--permit-ip" : "--exclude-ip", err.msg);
	return CLI_CONTINUE;
}

/* One option; CLI_CONTINUE, or the exit status to end with. */
static int
parse_option(int c, char *const argv[], struct args *a)
{
	struct cakit_err	 err = { "", 0 };
	long long		 n;

	switch (c) {
	case OPT_CRL_URL:
		a->o.crl_url = optarg;
		return check_url(optarg);
	case OPT_DAYS:
		if (cli_number("--days", optarg, 1, DAYS_MAX, &n) == -1)
			return 2;
		a->o.days = n;
		return CLI_CONTINUE;
	case OPT_EXCLUDE_DNS:
	case OPT_PERMIT_DNS:
		return add_dns_constraint(c, optarg, a);
	case OPT_EXCLUDE_IP:
	case OPT_PERMIT_IP:
		return add_ip_constraint(c, optarg, a);
	case OPT_EXIST_OK:
		a->o.exist_ok = true;
		return CLI_CONTINUE;
	case OPT_JSON:
		a->json = true;
		return CLI_CONTINUE;
	case OPT_KEY_PASS:
		a->o.passphrase_file = optarg;
		return CLI_CONTINUE;
	case OPT_KEY_TYPE:
		if (key_type_parse(optarg, &a->o.key_type) == -1)
			return cli_usage_error("--key-type '%.40s': unknown; "
			    "use one of " KEY_TYPE_NAMES, optarg);
		a->o.key_type_set = true;
		return CLI_CONTINUE;
	case OPT_KEY_URI:
		if (!key_is_uri(optarg))
			return cli_usage_error("--key-uri '%.64s': not a "
			    "pkcs11: URI", optarg);
		a->o.key_uri = optarg;
		return CLI_CONTINUE;
	case OPT_MAX_DAYS:
		if (cli_number("--max-days", optarg, 1, DAYS_MAX, &n) == -1)
			return 2;
		a->o.max_days = n;
		return CLI_CONTINUE;
	case OPT_PARENT:
		a->o.parent = optarg;
		return CLI_CONTINUE;
	case OPT_PARENT_PASS:
		a->o.parent_passphrase_file = optarg;
		return CLI_CONTINUE;
	case OPT_PATH_LEN:
		if (cli_number("--path-len", optarg, 0, PATH_LEN_MAX,
		    &n) == -1)
			return 2;
		a->o.path_len = n;
		return CLI_CONTINUE;
	case OPT_SUBJECT:
		if (dn_check(optarg, &err) == -1)
			return cli_usage_error("%s", err.msg);
		a->o.subject = optarg;
		return CLI_CONTINUE;
	default:
		return cli_option(c, argv, usage, &a->o.dir);
	}
}

/* The options, checked; CLI_CONTINUE, or the exit status to end with. */
static int
parse_args(int argc, char *argv[], struct args *a)
{
	int	 c, rc;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts,
	    NULL)) != -1)
		if ((rc = parse_option(c, argv, a)) != CLI_CONTINUE)
			return rc;
	if (optind != argc)
		return cli_operand_error(argv[optind]);
	if (a->o.subject == NULL)
		return cli_usage_error("--subject is required");
	a->o.permit = &a->permit;
	a->o.exclude = &a->exclude;
	/* Making a CA where one happens to stand would be a surprise. */
	if ((a->o.dir = opt_ca_dir(a->o.dir, NULL)) == NULL)
		return cli_usage_error("no CA directory: give -d DIR (-d . for "
		    "the current one) or set CA_DIR");
	/*
	 * $CA_KEY_PASSPHRASE_FILE unlocks existing keys (the parent's);
	 * only --key-passphrase-file encrypts the new one.
	 */
	a->o.parent_passphrase_file =
	    cli_passfile(a->o.parent_passphrase_file);
	return CLI_CONTINUE;
}

/* The CA certificate's row and the CA's files as JSON on stdout; 0 or 1. */
static int
print_json(const char *dir, const struct ledger_row *row)
{
	struct buf	 out = { 0 };
	char		*crt, *key, *db, *crl;
	const char	*files[9];
	int		 rc;

	crt = file_join(dir, CA_CRT);
	key = file_join(dir, CA_KEY);
	db = ledger_location(dir);
	crl = file_join(dir, CA_CRL);
	files[0] = "certificate"; files[1] = crt;
	files[2] = "key"; files[3] = key;
	files[4] = "ledger"; files[5] = db;
	files[6] = "crl"; files[7] = crl;
	files[8] = NULL;
	row_json(&out, row, time(NULL), files, false);
	buf_addc(&out, '\n');
	rc = cli_print(out.p, out.len);
	buf_free(&out);
	free(crt);
	free(key);
	free(db);
	free(crl);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct cakit_err	 err = { "", 0 };
	struct cakit_notes	 notes = { .n = 0 };
	struct args		 a;
	struct ledger_row	 row;
	bool			 existed, plain_note;
	int			 rc = 1;

	cli_setup("ca-init");
	memset(&row, 0, sizeof(row));
	memset(&a, 0, sizeof(a));
	a.o.key_type = KEY_ECDSA_P256;
	a.o.path_len = -1;
	if ((rc = parse_args(argc, argv, &a)) != CLI_CONTINUE)
		goto out;
	rc = 1;

	plain_note = a.o.passphrase_file == NULL && a.o.key_uri == NULL &&
	    cli_passfile(NULL) != NULL;
	if (ca_init(&a.o, time(NULL), &row, &existed, &notes, &err) == -1) {
		cli_notes(&notes);
		rc = cli_fail(&err);
		goto out;
	}
	if (!existed && plain_note)
		notes_add(&notes, "the new key is not encrypted: "
		    "$CA_KEY_PASSPHRASE_FILE unlocks only existing keys; "
		    "--key-passphrase-file encrypts a new one");
	cli_notes(&notes);
	if (existed)
		fprintf(stderr, "%s: %s already holds a CA; nothing changed\n",
		    cli_prog, a.o.dir);
	if (a.json && print_json(a.o.dir, &row) != 0)
		goto out;
	rc = 0;
out:
	san_list_free(&a.permit);
	san_list_free(&a.exclude);
	ledger_row_clear(&row);
	return rc;
}
