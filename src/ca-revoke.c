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
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "key-passphrase-file", required_argument, NULL, OPT_KEY_PASS },
	{ "reason",		required_argument, NULL, OPT_REASON },
	CLI_LONGOPTS_END,
};

/* What the command line asks for. */
struct args {
	const char	*dir;
	const char	*passfile;
	char *const	*certs;		/* serials or certificate files */
	int		 ncerts;
	bool		 crl_only;
	bool		 json;
	int		 reason;
	int		 crl_days;
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

/* The options, checked; CLI_CONTINUE, or the exit status to end with. */
static int
parse_args(int argc, char *argv[], struct args *a)
{
	struct cakit_err	 err = { "", 0 };
	long long		 n;
	bool			 reason_set = false;
	int			 c, rc;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (c) {
		case OPT_CRL:
			a->crl_only = true;
			break;
		case OPT_CRL_DAYS:
			if (cli_number("--crl-days", optarg, 1, CRL_DAYS_MAX,
			    &n) == -1)
				return 2;
			a->crl_days = n;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_KEY_PASS:
			a->passfile = optarg;
			break;
		case OPT_REASON:
			if (crl_reason_parse(optarg, &a->reason, &err) == -1)
				return cli_usage_error("--%s", err.msg);
			reason_set = true;
			break;
		default:
			if ((rc = cli_option(c, argv, usage, &a->dir)) !=
			    CLI_CONTINUE)
				return rc;
			break;
		}
	}
	a->certs = argv + optind;
	a->ncerts = argc - optind;
	if (a->crl_only && a->ncerts > 0)
		return cli_usage_error("--crl takes no certificates");
	if (!a->crl_only && a->ncerts == 0)
		return cli_usage_error("name a serial or certificate file to "
		    "revoke, or give --crl");
	if (a->crl_only && (reason_set || a->json))
		return cli_usage_error("--crl takes only --crl-days");
	return CLI_CONTINUE;
}

/* The revoked certificates' rows, as a JSON array on stdout; 0 or 1. */
static int
print_json(struct ca *ca, char *const *certs, int ncerts)
{
	struct cakit_err	 err = { "", 0 };
	struct ledger_row	 row;
	struct buf		 out = { 0 };
	int			 i, rc = 1;

	memset(&row, 0, sizeof(row));
	buf_addc(&out, '[');
	for (i = 0; i < ncerts; i++) {
		if (ca_lookup(ca, certs[i], &row, &err) == -1) {
			rc = cli_fail(&err);
			goto out;
		}
		buf_add(&out, i == 0 ? "\n" : ",\n", i == 0 ? 1 : 2);
		row_json(&out, &row, time(NULL), NULL, false);
		ledger_row_clear(&row);
	}
	buf_add(&out, "\n]\n", 3);
	rc = cli_print(out.p, out.len);
out:
	ledger_row_clear(&row);
	buf_free(&out);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct cakit_err	 err = { "", 0 };
	struct cakit_notes	 notes = { .n = 0 };
	struct args		 a;
	struct ca		*ca = NULL;
	bool			 changed;
	int			 rc = 1;

	cli_setup("ca-revoke");
	memset(&a, 0, sizeof(a));
	a.crl_days = CRL_DAYS_DEFAULT;
	if ((rc = parse_args(argc, argv, &a)) != CLI_CONTINUE)
		goto out;
	rc = 1;

	if ((ca = cli_open_ca(a.dir, 0, a.passfile)) == NULL)
		goto out;
	if (a.crl_only) {
		if (crl_publish(ca, time(NULL), a.crl_days, &err) == -1) {
			rc = cli_fail(&err);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (revoke_certs(ca, a.certs, a.ncerts, a.reason, a.crl_days,
	    &changed, &notes, &err) == -1) {
		cli_notes(&notes);
		rc = cli_fail(&err);
		goto out;
	}
	cli_notes(&notes);
	if (a.json && (rc = print_json(ca, a.certs, a.ncerts)) != 0)
		goto out;
	rc = 0;
out:
	ca_free(ca);
	return rc;
}
