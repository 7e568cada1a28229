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
	{ "dir",		required_argument, NULL, 'd' },
	{ "dns",		required_argument, NULL, OPT_DNS },
	{ "email",		required_argument, NULL, OPT_EMAIL },
	{ "help",		no_argument,	   NULL, 'h' },
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
	{ "version",		no_argument,	   NULL, 'V' },
	{ NULL,			0,		   NULL, 0 },
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

static int
add_name(struct san_list *l, enum san_type t, const char *opt,
    const char *value)
{
	struct cakit_err	 err = { "", 0 };

	/*
	 * A malformed name is refused as one in a request is (exit 1,
	 * issue 2), though before anything is touched.
	 */
	if (san_add(l, t, value, strlen(value), &err) == -1) {
		prefix_err(&err, opt);
		return cli_fail(&err);
	}
	return 0;
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

/* Standard output, which may fail after the commit like any file. */
static int
print_out(const void *data, size_t len, struct cakit_err *err)
{
	if ((len > 0 && fwrite(data, 1, len, stdout) != len) ||
	    fflush(stdout) != 0) {
		err_set(err, "standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct issue_opts	 o;
	struct cakit_err	 err = { "", 0 };
	struct cakit_notes	 notes = { .n = 0 };
	struct san_list		 sans = { NULL, 0 };
	struct ledger_row	 row;
	struct buf		 out = { 0 };
	struct ca		*ca = NULL;
	struct req		*req = NULL;
	gnutls_datum_t		 in = { NULL, 0 }, pem = { NULL, 0 };
	const char		*dir = NULL, *output = NULL, *new_key = NULL;
	const char		*renew = NULL, *passfile = NULL, *csr = "-";
	const char		*files[5];
	enum key_type		 kt = KEY_ECDSA_P256;
	long long		 n;
	bool			 json = false, kt_set = false, names = false;
	bool			 batch = false, profile_set = false;
	bool			 backdate = false;
	size_t			 issued, unwritten, elen;
	int			 c, i, rc = 1;

	cli_setup("ca-sign");
	/*
	 * A reader that went away is an output failure like any other,
	 * reported (exit 3 after the commit), not a silent death.
	 */
	(void)signal(SIGPIPE, SIG_IGN);
	memset(&row, 0, sizeof(row));
	memset(&o, 0, sizeof(o));
	o.profile = PROFILE_SERVER;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":Vd:ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'V':
			cli_version();
			rc = 0;
			goto out;
		case 'd':
			dir = optarg;
			break;
		case 'h':
			usage(stdout);
			rc = 0;
			goto out;
		case 'o':
			output = optarg;
			break;
		case OPT_BACKDATE:
			if (cli_number("--backdate", optarg, 0, BACKDATE_MAX,
			    &n) == -1) {
				rc = 2;
				goto out;
			}
			backdate = true;
			o.backdate = n == 0 ? -1 : n;
			break;
		case OPT_BATCH:
			batch = true;
			break;
		case OPT_DAYS:
			if (cli_number("--days", optarg, 1, DAYS_MAX,
			    &n) == -1) {
				rc = 2;
				goto out;
			}
			o.days = n;
			break;
		case OPT_DNS:
		case OPT_EMAIL:
		case OPT_IP:
		case OPT_URI:
			names = true;
			if (add_name(&sans, c == OPT_DNS ? SAN_DNS :
			    c == OPT_EMAIL ? SAN_EMAIL : c == OPT_IP ? SAN_IP :
			    SAN_URI, c == OPT_DNS ? "--dns" : c == OPT_EMAIL ?
			    "--email" : c == OPT_IP ? "--ip" : "--uri",
			    optarg) != 0) {
				rc = 1;
				goto out;
			}
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_KEY_PASS:
			passfile = optarg;
			break;
		case OPT_KEY_TYPE:
			if (key_type_parse(optarg, &kt) == -1) {
				rc = cli_usage_error("--key-type '%.40s': "
				    "unknown; use one of " KEY_TYPE_NAMES,
				    optarg);
				goto out;
			}
			kt_set = true;
			break;
		case OPT_NEW_KEY:
			new_key = optarg;
			break;
		case OPT_PROFILE:
			profile_set = true;
			if (profile_parse(optarg, &o.profile) == -1) {
				rc = cli_usage_error("--profile '%.40s': "
				    "unknown; use server, client or peer",
				    optarg);
				goto out;
			}
			break;
		case OPT_RENEW:
			renew = optarg;
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
	argc -= optind;
	argv += optind;
	if (argc > 1) {
		rc = cli_usage_error("more than one CSR given");
		goto out;
	}
	if (batch && (new_key != NULL || renew != NULL || names ||
	    o.subject != NULL)) {
		rc = cli_usage_error("--batch takes subjects and names from "
		    "each request");
		goto out;
	}
	if (argc == 1)
		csr = argv[0];
	if (new_key != NULL && argc == 1) {
		rc = cli_usage_error("--new-key makes its own request; do not "
		    "give a CSR");
		goto out;
	}
	if (kt_set && new_key == NULL) {
		rc = cli_usage_error("--key-type is for --new-key");
		goto out;
	}
	if (renew != NULL && (argc == 1 || new_key != NULL || names ||
	    o.subject != NULL || profile_set)) {
		rc = cli_usage_error("--renew takes the key, subject, names and "
		    "profile from the certificate it renews");
		goto out;
	}
	if (renew != NULL && backdate) {
		rc = cli_usage_error("--backdate is not for --renew, which "
		    "backdates by the default %d s", BACKDATE_DEFAULT);
		goto out;
	}
	if (output != NULL && new_key != NULL && file_same(output, new_key)) {
		rc = cli_usage_error("-o and --new-key name the same file");
		goto out;
	}
	o.sans = &sans;
	dir = opt_ca_dir(dir);

	/* An unwritable -o is refused now: after the commit it is too late. */
	if (output != NULL && batch && !file_is_dir(output)) {
		err_set(&err, "%s: not a directory (with --batch, -o names "
		    "the directory for the certificates)", output);
		rc = cli_fail(&err);
		goto out;
	}
	if (output != NULL && !batch &&
	    file_check_writable(output, &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if ((ca = ca_open(dir, 0, cli_passfile(passfile), &err)) == NULL ||
	    (output != NULL && ca_check_output(ca, output, &err) == -1) ||
	    (new_key != NULL && ca_check_output(ca, new_key, &err) == -1) ||
	    (new_key != NULL && file_check_new(new_key, &err) == -1) ||
	    ca_check_usable(ca, time(NULL), &err) == -1) {
		rc = cli_fail(&err);
		goto out;
	}
	if (batch) {
		rc = batch_run(ca, &o, csr, output, stdout, json, &issued,
		    &unwritten, &notes, &err);
		cli_notes(&notes);
		if (rc == -1 && unwritten > 0) {
			/* batch_run's message gives the serial. */
			elen = strlen(err.msg);
			snprintf(err.msg + elen, sizeof(err.msg) - elen,
			    ": export each with ca-bundle -d %s --chain SERIAL "
			    "(ca-list -d %s --json lists them)", dir, dir);
			cli_fail(&err);
			rc = 3;
		} else if (rc == -1) {
			if (issued > 0)
				fprintf(stderr, "%s: %zu certificates were "
				    "issued before the failure\n", cli_prog,
				    issued);
			rc = cli_fail(&err);
		}
		goto out;
	}
	if (renew != NULL) {
		if (issue_renew(ca, renew, o.days, time(NULL), &row, &notes,
		    &err) == -1)
			goto fail;
	} else if (new_key != NULL) {
		if (issue_new_key(ca, &o, kt, new_key, time(NULL), &row,
		    &notes, &err) == -1) {
			if (row.der.data == NULL)
				goto fail;
			cli_notes(&notes);
			rc = issued_fail(&err, row.serial, dir, true);
			goto out;
		}
	} else {
		if (file_read(csr, FILE_MAX, &in, &err) == -1 ||
		    (req = req_parse(&in, &notes, &err)) == NULL ||
		    issue_cert(ca, &o, req->pub, req, time(NULL), &row,
		    &notes, &err) == -1)
			goto fail;
	}
	cli_notes(&notes);

	/* The row is committed: now, and only now, the certificate goes out. */
	if (gnutls_pem_base64_encode2("CERTIFICATE", &row.der, &pem) < 0) {
		err_set(&err, "encoding the certificate");
		rc = issued_fail(&err, row.serial, dir, false);
		goto out;
	}
	if (output != NULL && file_write_atomic(output, pem.data, pem.size,
	    0644, &err) == -1) {
		rc = issued_fail(&err, row.serial, dir, false);
		goto out;
	}
	if (json) {
		i = 0;
		if (output != NULL) {
			files[i++] = "certificate";
			files[i++] = output;
		}
		if (new_key != NULL) {
			files[i++] = "key";
			files[i++] = new_key;
		}
		files[i] = NULL;
		row_json(&out, &row, time(NULL), files, output == NULL);
		buf_addc(&out, '\n');
		if (print_out(out.p, out.len, &err) == -1) {
			rc = issued_fail(&err, row.serial, dir, false);
			goto out;
		}
	} else if (output == NULL &&
	    print_out(pem.data, pem.size, &err) == -1) {
		rc = issued_fail(&err, row.serial, dir, false);
		goto out;
	}
	rc = 0;
	goto out;
fail:
	cli_notes(&notes);
	rc = cli_fail(&err);
out:
	gnutls_free(pem.data);
	free(in.data);
	buf_free(&out);
	ledger_row_clear(&row);
	san_list_free(&sans);
	req_free(req);
	ca_free(ca);
	return rc;
}
