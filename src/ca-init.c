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
	{ "dir",		required_argument, NULL, 'd' },
	{ "exclude-dns",	required_argument, NULL, OPT_EXCLUDE_DNS },
	{ "exclude-ip",		required_argument, NULL, OPT_EXCLUDE_IP },
	{ "exist-ok",		no_argument,	   NULL, OPT_EXIST_OK },
	{ "help",		no_argument,	   NULL, 'h' },
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
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL,			0,		   NULL, 0 },
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

int
main(int argc, char *argv[])
{
	struct ca_init_opts	 o;
	struct cakit_err	 err = { "", 0 };
	struct cakit_notes	 notes = { .n = 0 };
	struct ledger_row	 row;
	struct buf		 out = { 0 };
	struct san_list		 urls = { NULL, 0 };
	struct san_list		 permit = { NULL, 0 }, exclude = { NULL, 0 };
	char			*crt = NULL, *key = NULL, *db = NULL, *crl = NULL;
	const char		*files[9];
	long long		 n;
	unsigned char		 ipbuf[16];
	bool			 json = false, existed, plain_note;
	int			 c, rc = 1;

	cli_setup("ca-init");
	memset(&row, 0, sizeof(row));
	memset(&o, 0, sizeof(o));
	o.key_type = KEY_ECDSA_P256;
	o.path_len = -1;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":Vd:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'V':
			cli_version();
			rc = 0;
			goto out;
		case 'd':
			o.dir = optarg;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		case OPT_CRL_URL:
			if (san_add(&urls, SAN_URI, optarg, strlen(optarg),
			    &err) == -1) {
				rc = cli_usage_error("--crl-url: %s", err.msg);
				goto out;
			}
			o.crl_url = optarg;
			break;
		case OPT_DAYS:
			if (cli_number("--days", optarg, 1, DAYS_MAX,
			    &n) == -1) {
				rc = 2;
				goto out;
			}
			o.days = n;
			break;
		case OPT_EXCLUDE_DNS:
		case OPT_PERMIT_DNS:
			/* The library's hint would be ca-sign's --ip. */
			if (inet_pton(AF_INET, optarg, ipbuf) == 1 ||
			    inet_pton(AF_INET6, optarg, ipbuf) == 1) {
				rc = cli_usage_error("%s '%.64s': an IP address, "
				    "not a domain name; use %s", c ==
				    OPT_PERMIT_DNS ? "--permit-dns" :
				    "--exclude-dns", optarg, c == OPT_PERMIT_DNS ?
				    "--permit-ip" : "--exclude-ip");
				goto out;
			}
			if (strchr(optarg, '*') != NULL ||
			    san_add(c == OPT_PERMIT_DNS ? &permit : &exclude,
			    SAN_DNS, optarg, strlen(optarg), &err) == -1) {
				rc = cli_usage_error("%s '%.64s': not a domain "
				    "name%s%s", c == OPT_PERMIT_DNS ?
				    "--permit-dns" : "--exclude-dns", optarg,
				    err.msg[0] ? ": " : "", err.msg);
				goto out;
			}
			break;
		case OPT_EXCLUDE_IP:
		case OPT_PERMIT_IP:
			if (san_add_cidr(c == OPT_PERMIT_IP ? &permit :
			    &exclude, optarg, &err) == -1) {
				rc = cli_usage_error("%s %s", c == OPT_PERMIT_IP ?
				    "--permit-ip" : "--exclude-ip", err.msg);
				goto out;
			}
			break;
		case OPT_EXIST_OK:
			o.exist_ok = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_KEY_PASS:
			o.passphrase_file = optarg;
			break;
		case OPT_KEY_TYPE:
			if (key_type_parse(optarg, &o.key_type) == -1) {
				rc = cli_usage_error("--key-type '%.40s': "
				    "unknown; use one of " KEY_TYPE_NAMES,
				    optarg);
				goto out;
			}
			o.key_type_set = true;
			break;
		case OPT_KEY_URI:
			if (!key_is_uri(optarg)) {
				rc = cli_usage_error("--key-uri '%.64s': not "
				    "a pkcs11: URI", optarg);
				goto out;
			}
			o.key_uri = optarg;
			break;
		case OPT_MAX_DAYS:
			if (cli_number("--max-days", optarg, 1, DAYS_MAX,
			    &n) == -1) {
				rc = 2;
				goto out;
			}
			o.max_days = n;
			break;
		case OPT_PARENT:
			o.parent = optarg;
			break;
		case OPT_PARENT_PASS:
			o.parent_passphrase_file = optarg;
			break;
		case OPT_PATH_LEN:
			if (cli_number("--path-len", optarg, 0, PATH_LEN_MAX,
			    &n) == -1) {
				rc = 2;
				goto out;
			}
			o.path_len = n;
			break;
		case OPT_SUBJECT:
			if (dn_check(optarg, &err) == -1) {
				rc = cli_usage_error("%s", err.msg);
				goto out;
			}
			o.subject = optarg;
			break;
		default:
			rc = cli_bad_option(c, argv);
			goto out;
		}
	}
	if (optind != argc) {
		rc = cli_usage_error("unexpected argument '%.40s'",
		    argv[optind]);
		goto out;
	}
	if (o.subject == NULL) {
		rc = cli_usage_error("--subject is required");
		goto out;
	}
	o.permit = &permit;
	o.exclude = &exclude;
	o.dir = opt_ca_dir(o.dir);
	/*
	 * $CA_KEY_PASSPHRASE_FILE unlocks existing keys (the parent's);
	 * only --key-passphrase-file encrypts the new one.
	 */
	o.parent_passphrase_file = cli_passfile(o.parent_passphrase_file);
	plain_note = o.passphrase_file == NULL && o.key_uri == NULL &&
	    cli_passfile(NULL) != NULL;

	if (ca_init(&o, time(NULL), &row, &existed, &notes, &err) == -1) {
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
		    cli_prog, o.dir);
	if (json) {
		crt = file_join(o.dir, CA_CRT);
		key = file_join(o.dir, CA_KEY);
		db = ledger_location(o.dir);
		crl = file_join(o.dir, CA_CRL);
		files[0] = "certificate"; files[1] = crt;
		files[2] = "key"; files[3] = key;
		files[4] = "ledger"; files[5] = db;
		files[6] = "crl"; files[7] = crl;
		files[8] = NULL;
		row_json(&out, &row, time(NULL), files, false);
		buf_addc(&out, '\n');
		if (cli_print(out.p, out.len) != 0)
			goto out;
	}
	rc = 0;
out:
	san_list_free(&urls);
	san_list_free(&permit);
	san_list_free(&exclude);
	ledger_row_clear(&row);
	buf_free(&out);
	free(crt);
	free(key);
	free(db);
	free(crl);
	return rc;
}
