/*
 * ca-revoke: revoke certificates and publish the CRL.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum {
	OPT_CRL = CHAR_MAX + 1,
	OPT_CRL_DAYS,
	OPT_JSON,
	OPT_KEY_PASS,
	OPT_REASON,
};

static const struct option longopts[] = {
	{ "crl",		no_argument,	   NULL, OPT_CRL },
	{ "crl-days",		required_argument, NULL, OPT_CRL_DAYS },
	{ "dir",		required_argument, NULL, 'd' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "key-passphrase-file", required_argument, NULL, OPT_KEY_PASS },
	{ "reason",		required_argument, NULL, OPT_REASON },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL,			0,		   NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ca-revoke [-d DIR] [--reason REASON] [--crl-days N] [--json]\n"
"                 SERIAL|CERTFILE...\n"
"       ca-revoke [-d DIR] --crl [--crl-days N]\n"
"\n"
"Revoke certificates this CA issued and write a new crl.pem, or (--crl)\n"
"only sign a fresh CRL.\n"
"\n"
"  -d, --dir DIR          CA directory (default $CA_DIR, else .)\n"
"      --reason REASON    unspecified (default), keyCompromise, cACompromise,\n"
"                         affiliationChanged, superseded,\n"
"                         cessationOfOperation, privilegeWithdrawn\n"
"      --crl              only re-sign the CRL (run it from cron)\n"
"      --crl-days N       the CRL's nextUpdate, in days (default %d, 1-%d)\n"
"      --key-passphrase-file FILE\n"
"                         passphrase of ca.key (default $CA_KEY_PASSPHRASE_FILE)\n"
"      --json             print the revoked certificates as a JSON array\n"
"  -h, --help             print this help and exit\n"
"  -V, --version          print the version and exit\n",
	    CRL_DAYS_DEFAULT, CRL_DAYS_MAX);
}

int
main(int argc, char *argv[])
{
	struct cakit_err	 err = { "", 0 };
	struct cakit_notes	 notes = { .n = 0 };
	struct ledger_row	 row;
	struct buf		 out = { 0 };
	struct ca		*ca = NULL;
	const char		*dir = NULL, *passfile = NULL;
	long long		 n;
	bool			 crl_only = false, json = false, changed;
	bool			 reason_set = false;
	int			 c, i, reason = 0, crl_days = CRL_DAYS_DEFAULT;
	int			 rc = 1;

	cli_setup("ca-revoke");
	memset(&row, 0, sizeof(row));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":Vd:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'V':
			cli_version();
			return 0;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_CRL:
			crl_only = true;
			break;
		case OPT_CRL_DAYS:
			if (cli_number("--crl-days", optarg, 1, CRL_DAYS_MAX,
			    &n) == -1)
				return 2;
			crl_days = n;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_KEY_PASS:
			passfile = optarg;
			break;
		case OPT_REASON:
			if (crl_reason_parse(optarg, &reason) == -1)
				return cli_usage_error("--reason '%.40s': "
				    "unknown reason", optarg);
			reason_set = true;
			break;
		default:
			return cli_bad_option(c, argv);
		}
	}
	argc -= optind;
	argv += optind;
	if (crl_only && argc > 0)
		return cli_usage_error("--crl takes no certificates");
	if (!crl_only && argc == 0)
		return cli_usage_error("name a serial or certificate file to "
		    "revoke, or give --crl");
	if (crl_only && (reason_set || json))
		return cli_usage_error("--crl takes only --crl-days");
	dir = opt_ca_dir(dir);

	if ((ca = ca_open(dir, 0, cli_passfile(passfile), &err)) == NULL) {
		rc = cli_fail(&err);
		goto out;
	}
	if (crl_only) {
		if (crl_publish(ca, time(NULL), crl_days, &err) == -1) {
			rc = cli_fail(&err);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (revoke_certs(ca, argv, argc, reason, crl_days, &changed, &notes,
	    &err) == -1) {
		cli_notes(&notes);
		rc = cli_fail(&err);
		goto out;
	}
	cli_notes(&notes);
	if (json) {
		buf_addc(&out, '[');
		for (i = 0; i < argc; i++) {
			if (ca_lookup(ca, argv[i], &row, &err) == -1) {
				rc = cli_fail(&err);
				goto out;
			}
			buf_add(&out, i == 0 ? "\n" : ",\n", i == 0 ? 1 : 2);
			row_json(&out, &row, time(NULL), NULL, false);
			ledger_row_clear(&row);
		}
		buf_add(&out, "\n]\n", 3);
		if ((rc = cli_print(out.p, out.len)) != 0)
			goto out;
	}
	rc = 0;
out:
	buf_free(&out);
	ledger_row_clear(&row);
	ca_free(ca);
	return rc;
}
