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
	{ "dir",		required_argument, NULL, 'd' },
	{ "help",		no_argument,	   NULL, 'h' },
	{ "key",		required_argument, NULL, OPT_KEY },
	{ "passphrase-file",	required_argument, NULL, OPT_PASS },
	{ "pkcs12",		required_argument, NULL, OPT_PKCS12 },
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL,			0,		   NULL, 0 },
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

int
main(int argc, char *argv[])
{
	struct cakit_err	 err = { "", 0 };
	struct buf		 out = { 0 };
	struct ca		*ca = NULL;
	char			*dirs[DIRS_MAX];
	const char		*chain = NULL, *pkcs12 = NULL, *key = NULL;
	const char		*cert = NULL, *pass = NULL;
	size_t			 ndirs = 0;
	bool			 crl = false;
	int			 c, modes, rc = 1;

	cli_setup("ca-bundle");
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":Vd:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'V':
			cli_version();
			return 0;
		case 'd':
			if (ndirs == DIRS_MAX)
				return cli_usage_error("more than %d -d",
				    DIRS_MAX);
			dirs[ndirs++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_CERT:
			cert = optarg;
			break;
		case OPT_CHAIN:
			chain = optarg;
			break;
		case OPT_CRL:
			crl = true;
			break;
		case OPT_KEY:
			key = optarg;
			break;
		case OPT_PASS:
			pass = optarg;
			break;
		case OPT_PKCS12:
			pkcs12 = optarg;
			break;
		default:
			return cli_bad_option(c, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("unexpected argument '%.40s'",
		    argv[optind]);
	modes = (chain != NULL) + crl + (pkcs12 != NULL);
	if (modes > 1)
		return cli_usage_error("--chain, --crl and --pkcs12 exclude "
		    "each other");
	if (modes == 1 && ndirs > 1)
		return cli_usage_error("several -d make a trust bundle only");
	if (pkcs12 != NULL && (key == NULL || cert == NULL || pass == NULL))
		return cli_usage_error("--pkcs12 needs --key, --cert and "
		    "--passphrase-file");
	if (pkcs12 == NULL && (key != NULL || cert != NULL || pass != NULL))
		return cli_usage_error("--key, --cert and --passphrase-file "
		    "go with --pkcs12");
	if (ndirs == 0)
		dirs[ndirs++] = (char *)opt_ca_dir(NULL);

	if (modes == 0) {
		if (bundle_trust(dirs, ndirs, &out, &err) == -1)
			goto fail;
	} else {
		/* The PKCS#12 file is new: refused now if anything is there. */
		if (pkcs12 != NULL && file_check_new(pkcs12, &err) == -1)
			goto fail;
		if ((ca = ca_open(dirs[0], CA_OPEN_NOKEY, NULL, &err)) == NULL)
			goto fail;
		if (chain != NULL && bundle_chain(ca, chain, &out, &err) == -1)
			goto fail;
		if (crl && bundle_crls(ca, &out, &err) == -1)
			goto fail;
		if (pkcs12 != NULL && ca_check_output(ca, pkcs12, &err) == -1)
			goto fail;
		if (pkcs12 != NULL && bundle_pkcs12(ca, pkcs12, key, cert,
		    pass, &err) == -1)
			goto fail;
	}
	rc = cli_print(out.p, out.len);
	goto out;
fail:
	rc = cli_fail(&err);
out:
	buf_free(&out);
	ca_free(ca);
	return rc;
}
