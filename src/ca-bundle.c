/*
 * ca-bundle: trust bundles, server chains, CRL bundles and PKCS#12.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define DIRS_MAX	16

enum {
	OPT_CERT = CHAR_MAX + 1,
	OPT_CHAIN,
	OPT_CRL,
	OPT_KEY,
	OPT_PASS,
	OPT_PKCS12,
};

static const struct option longopts[] = {
	{ "cert",		required_argument, NULL, OPT_CERT },
	{ "chain",		required_argument, NULL, OPT_CHAIN },
	{ "crl",		no_argument,	   NULL, OPT_CRL },
	{ "key",		required_argument, NULL, OPT_KEY },
	{ "passphrase-file",	required_argument, NULL, OPT_PASS },
	{ "pkcs12",		required_argument, NULL, OPT_PKCS12 },
	CLI_LONGOPTS_END,
};

/* What the command line asks for. */
struct args {
	char		*dirs[DIRS_MAX];
	size_t		 ndirs;
	const char	*chain;
	bool		 crl;
	const char	*pkcs12;
	const char	*key;
	const char	*cert;
	const char	*pass;
};

static void
usage(FILE *f)
{
	fputs(
"usage: ca-bundle [-d DIR]...\n"
"       ca-bundle [-d DIR] --chain SERIAL|CERTFILE\n"
"       ca-bundle [-d DIR] --crl\n"
"       ca-bundle [-d DIR] --pkcs12 OUT --key KEYFILE --cert CERTFILE\n"
"                 --passphrase-file FILE\n"
"\n"
"Print the trust bundle of one or more CAs (PEM), a server's chain, the\n"
"certificates and CRLs of a chain, or write a PKCS#12 file.\n"
"\n"
"  -d, --dir DIR          CA directory (default $CA_DIR, else .); repeat it\n"
"                         to bundle several CAs\n"
"      --chain SERIAL|CERTFILE\n"
"                         the certificate, then the intermediates above it\n"
"                         (not the root): what a TLS server sends\n"
"      --crl              the CA certificates, then every CA's CRL\n"
"      --pkcs12 OUT       write key, certificate and intermediates to OUT\n"
"      --key KEYFILE      with --pkcs12: the private key\n"
"      --cert CERTFILE    with --pkcs12: the certificate\n"
"      --passphrase-file FILE\n"
"                         with --pkcs12: its passphrase (first line of FILE)\n"
"  -h, --help             print this help and exit\n"
"  -V, --version          print the version and exit\n", f);
}

/* The options, checked; CLI_CONTINUE, or the exit status to end with. */
static int
parse_args(int argc, char *argv[], struct args *a)
{
	int	 c, rc, modes;

	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'd':
			if (a->ndirs == DIRS_MAX)
				return cli_usage_error("more than %d -d",
				    DIRS_MAX);
			a->dirs[a->ndirs++] = optarg;
			break;
		case OPT_CERT:
			a->cert = optarg;
			break;
		case OPT_CHAIN:
			a->chain = optarg;
			break;
		case OPT_CRL:
			a->crl = true;
			break;
		case OPT_KEY:
			a->key = optarg;
			break;
		case OPT_PASS:
			a->pass = optarg;
			break;
		case OPT_PKCS12:
			a->pkcs12 = optarg;
			break;
		default:
			if ((rc = cli_option(c, argv, usage, NULL)) !=
			    CLI_CONTINUE)
				return rc;
			break;
		}
	}
	if (optind != argc)
		return cli_operand_error(argv[optind]);
	modes = (a->chain != NULL) + a->crl + (a->pkcs12 != NULL);
	if (modes > 1)
		return cli_usage_error("--chain, --crl and --pkcs12 exclude "
		    "each other");
	if (modes == 1 && a->ndirs > 1)
		return cli_usage_error("several -d make a trust bundle only");
	if (a->pkcs12 != NULL && (a->key == NULL || a->cert == NULL ||
	    a->pass == NULL))
		return cli_usage_error("--pkcs12 needs --key, --cert and "
		    "--passphrase-file");
	if (a->pkcs12 == NULL && (a->key != NULL || a->cert != NULL ||
	    a->pass != NULL))
		return cli_usage_error("--key, --cert and --passphrase-file "
		    "go with --pkcs12");
	if (a->ndirs == 0)
		a->dirs[a->ndirs++] = (char *)opt_ca_dir(NULL, ".");
	return CLI_CONTINUE;
}

/* --chain, --crl or --pkcs12: what one CA gives; 0 or -1. */
static int
bundle_one(const struct args *a, struct buf *out, struct cakit_err *err)
{
	struct ca	*ca = NULL;
	int		 rc = -1;

	/* The PKCS#12 file is new: refused now if anything is there. */
	if (a->pkcs12 != NULL && file_check_new(a->pkcs12, err) == -1)
		goto out;
	if ((ca = ca_open(a->dirs[0], CA_OPEN_NOKEY, NULL, err)) == NULL)
		goto out;
	if (a->chain != NULL && bundle_chain(ca, a->chain, out, err) == -1)
		goto out;
	if (a->crl && bundle_crls(ca, out, err) == -1)
		goto out;
	if (a->pkcs12 != NULL && (ca_check_output(ca, a->pkcs12, err) == -1 ||
	    bundle_pkcs12(ca, a->pkcs12, a->key, a->cert, a->pass,
	    err) == -1))
		goto out;
	rc = 0;
out:
	ca_free(ca);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct cakit_err	 err = { "", 0 };
	struct args		 a;
	struct buf		 out = { 0 };
	int			 rc = 1;

	cli_setup("ca-bundle");
	memset(&a, 0, sizeof(a));
	if ((rc = parse_args(argc, argv, &a)) != CLI_CONTINUE)
		goto out;

	if (a.chain == NULL && !a.crl && a.pkcs12 == NULL) {
		if (bundle_trust(a.dirs, a.ndirs, &out, &err) == -1)
			goto fail;
	} else if (bundle_one(&a, &out, &err) == -1)
		goto fail;
	rc = cli_print(out.p, out.len);
	goto out;
fail:
	rc = cli_fail(&err);
out:
	buf_free(&out);
	return rc;
}
