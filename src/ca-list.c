/*
 * ca-list: query the ledger, and check a CA for monitoring.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CHECK_DAYS_DEFAULT 2

enum {
	OPT_CHECK = CHAR_MAX + 1,
	OPT_DAYS,
	OPT_EXPIRED,
	OPT_EXPIRING,
	OPT_INDEX,
	OPT_JSON,
	OPT_REVOKED,
	OPT_SUBJECT,
	OPT_VALID,
};

static const struct option longopts[] = {
	{ "check",		no_argument,	   NULL, OPT_CHECK },
	{ "days",		required_argument, NULL, OPT_DAYS },
	{ "expired",		no_argument,	   NULL, OPT_EXPIRED },
	{ "expiring",		required_argument, NULL, OPT_EXPIRING },
	{ "json",		no_argument,	   NULL, OPT_JSON },
	{ "openssl-index",	no_argument,	   NULL, OPT_INDEX },
	{ "revoked",		no_argument,	   NULL, OPT_REVOKED },
	{ "subject",		required_argument, NULL, OPT_SUBJECT },
	{ "valid",		no_argument,	   NULL, OPT_VALID },
	CLI_LONGOPTS_END,
};

/* What the command line asks for. */
struct args {
	const char		*dir;
	struct ledger_filter	 f;
	enum list_format	 fmt;
	bool			 check;
	int			 days;		/* with --check */
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: ca-list [-d DIR] [--valid|--revoked|--expired] [--expiring DAYS]\n"
"               [--subject TEXT] [--json|--openssl-index]\n"
"       ca-list [-d DIR] --check [--days N]\n"
"\n"
"List the certificates in the CA's ledger, or check the CA for monitoring.\n"
"\n"
"  -d, --dir DIR          CA directory (default $CA_DIR, else .)\n"
"      --valid            only certificates neither revoked nor expired\n"
"      --revoked          only revoked certificates\n"
"      --expired          only expired certificates\n"
"      --expiring DAYS    only valid certificates expiring within DAYS\n"
"      --subject TEXT     only subjects containing TEXT (any case)\n"
"      --json             print a JSON array\n"
"      --openssl-index    print OpenSSL's index.txt (for openssl ocsp -index)\n"
"      --check            exit 1 if the CRL's nextUpdate is within N days or\n"
"                         the CA certificate expires within 30 days\n"
"      --days N           with --check: N (default %d)\n"
"  -h, --help             print this help and exit\n"
"  -V, --version          print the version and exit\n",
	    CHECK_DAYS_DEFAULT);
}

/* The options, checked; CLI_CONTINUE, or the exit status to end with. */
static int
parse_args(int argc, char *argv[], struct args *a)
{
	long long	 n;
	bool		 days_set = false;
	int		 c, rc, nstatus = 0, nfmt = 0;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (c) {
		case OPT_CHECK:
			a->check = true;
			break;
		case OPT_DAYS:
			if (cli_number("--days", optarg, 0, DAYS_MAX, &n) == -1)
				return 2;
			a->days = n;
			days_set = true;
			break;
		case OPT_EXPIRED:
			a->f.status = STATUS_EXPIRED;
			nstatus++;
			break;
		case OPT_EXPIRING:
			if (cli_number("--expiring", optarg, 0, DAYS_MAX,
			    &n) == -1)
				return 2;
			a->f.expiring_days = n;
			break;
		case OPT_INDEX:
			a->fmt = LIST_INDEX;
			nfmt++;
			break;
		case OPT_JSON:
			a->fmt = LIST_JSON;
			nfmt++;
			break;
		case OPT_REVOKED:
			a->f.status = STATUS_REVOKED;
			nstatus++;
			break;
		case OPT_SUBJECT:
			a->f.subject = optarg;
			break;
		case OPT_VALID:
			a->f.status = STATUS_VALID;
			nstatus++;
			break;
		default:
			if ((rc = cli_option(c, argv, usage, &a->dir)) !=
			    CLI_CONTINUE)
				return rc;
			break;
		}
	}
	if (optind != argc)
		return cli_operand_error(argv[optind]);
	if (nstatus > 1)
		return cli_usage_error("--valid, --revoked and --expired "
		    "exclude each other");
	if (nfmt > 1)
		return cli_usage_error("--json and --openssl-index exclude "
		    "each other");
	if (a->check && (nstatus > 0 || nfmt > 0 || a->f.subject != NULL ||
	    a->f.expiring_days >= 0))
		return cli_usage_error("--check takes only --days");
	if (days_set && !a->check)
		return cli_usage_error("--days goes with --check");
	return CLI_CONTINUE;
}

int
main(int argc, char *argv[])
{
	struct cakit_err	 err = { "", 0 };
	struct args		 a;
	struct ca		*ca = NULL;
	char			 status[256];
	int			 rc = 1;

	cli_setup("ca-list");
	memset(&a, 0, sizeof(a));
	a.f.status = -1;
	a.f.expiring_days = -1;
	a.fmt = LIST_TABLE;
	a.days = CHECK_DAYS_DEFAULT;
	if ((rc = parse_args(argc, argv, &a)) != CLI_CONTINUE)
		goto out;
	rc = 1;

	if ((ca = cli_open_ca(a.dir, CA_OPEN_NOKEY, NULL)) == NULL)
		goto out;
	a.f.now = time(NULL);
	if (a.check) {
		if (list_check(ca, a.days, a.f.now, status, sizeof(status),
		    &err) == -1) {
			rc = cli_fail(&err);
			goto out;
		}
		printf("%s: ok: %s\n", cli_prog, status);
		rc = cli_print("", 0);
		goto out;
	}
	if (list_print(ca, &a.f, a.fmt, stdout, &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	rc = cli_print("", 0);
out:
	ca_free(ca);
	return rc;
}
