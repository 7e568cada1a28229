/*
 * The binaries' common part: setup, the options every command takes,
 * opening the CA, and errors and notes as one line each.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

const char *cli_prog = "cakit";

void
cli_setup(const char *prog)
{
	int	 ret;

	cli_prog = prog;
	opterr = 0;
	umask(077);
	file_signals_init();
	if ((ret = gnutls_global_init()) < 0) {
		fprintf(stderr, "%s: GnuTLS: %s\n", prog, gnutls_strerror(ret));
		exit(1);
	}
}

/*
 * One diagnostic line, its names escaped: a message quotes what came
 * from outside, which must neither break the line nor disguise it.
 */
static void
cli_line(const char *msg)
{
	struct buf	 b = { 0 };

	text_visible(&b, msg);
	fprintf(stderr, "%s: %s\n", cli_prog, buf_str(&b));
	buf_free(&b);
}

void
cli_notes(const struct cakit_notes *notes)
{
	size_t	 i;

	for (i = 0; i < notes->n; i++)
		cli_line(notes->msg[i]);
}

/*
 * The library says what is wrong with a key; each command names the
 * option of its own that gives the passphrase or PIN, and no other.
 */
static const struct {
	const char	*prog;
	int		 kind;
	const char	*opt;
} hints[] = {
	{ "ca-init", ERR_KEY_LOCKED, "--key-passphrase-file" },
	{ "ca-init", ERR_PARENT_KEY_LOCKED, "--parent-passphrase-file" },
	{ "ca-revoke", ERR_KEY_LOCKED, "--key-passphrase-file" },
	{ "ca-sign", ERR_KEY_LOCKED, "--key-passphrase-file" },
};

int
cli_fail(const struct cakit_err *err)
{
	char	 line[sizeof(err->msg) + 64];
	size_t	 i, len;

	snprintf(line, sizeof(line), "%s", err->msg[0] != '\0' ? err->msg :
	    "failed");
	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (err->kind == hints[i].kind &&
		    strcmp(cli_prog, hints[i].prog) == 0) {
			len = strlen(line);
			snprintf(line + len, sizeof(line) - len, "; give it "
			    "with %s", hints[i].opt);
		}
	cli_line(line);
	return 1;
}

int
cli_usage_error(const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s: ", cli_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see %s --help)\n", cli_prog);
	return 2;
}

/*
 * An option getopt_long refused (with opterr 0 and a leading ':' in the
 * option string, so that c is ':' for a missing value): one line, not
 * getopt's message under argv[0] followed by the whole usage.  Returns
 * the exit status 2.
 */
static int
cli_bad_option(int c, char *const argv[])
{
	const char	*arg = argv[optind - 1];
	int		 len = (int)strcspn(arg, "=");

	if (optopt > 0 && optopt <= CHAR_MAX)
		return cli_usage_error(c == ':' ? "option -%c needs a value" :
		    "unknown option -%c", optopt);
	if (c == ':')
		return cli_usage_error("option '%.*s' needs a value", len, arg);
	if (optopt != 0)
		return cli_usage_error("option '%.*s' takes no value", len,
		    arg);
	return cli_usage_error("unknown option '%.*s'", len, arg);
}

int
cli_operand_error(const char *arg)
{
	return cli_usage_error("unexpected argument '%.40s'", arg);
}

int
cli_number(const char *opt, const char *s, long long min, long long max,
    long long *out)
{
	if (opt_number(s, min, max, out) == 0)
		return 0;
	cli_usage_error("%s '%.40s': expected a whole number from %lld to "
	    "%lld", opt, s, min, max);
	return -1;
}

int
cli_option(int c, char *const argv[], void (*usage)(FILE *), const char **dir)
{
	switch (c) {
	case 'V':
		cli_version();
		return 0;
	case 'd':
		if (dir == NULL)
			break;
		*dir = optarg;
		return CLI_CONTINUE;
	case 'h':
		usage(stdout);
		return 0;
	}
	return cli_bad_option(c, argv);
}

struct ca *
cli_open_ca(const char *dir, int flags, const char *passfile)
{
	struct cakit_err	 err = { "", 0 };
	struct ca		*ca;

	if ((flags & CA_OPEN_NOKEY) == 0)
		passfile = cli_passfile(passfile);
	if ((ca = ca_open(opt_ca_dir(dir, "."), flags, passfile, &err)) == NULL)
		cli_fail(&err);
	return ca;
}

void
cli_version(void)
{
	printf("%s (cakit) %s\n", cli_prog, PACKAGE_VERSION);
	printf("GnuTLS %s\n", gnutls_check_version(NULL));
}

int
cli_write(const void *data, size_t len, struct cakit_err *err)
{
	/* fwrite's buffer must not be NULL, even for nothing (C11 7.1.4). */
	if ((len > 0 && fwrite(data, 1, len, stdout) != len) ||
	    fflush(stdout) != 0) {
		err_set(err, "standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
cli_print(const void *data, size_t len)
{
	struct cakit_err	 err = { "", 0 };

	if (cli_write(data, len, &err) == -1)
		return cli_fail(&err);
	return 0;
}

const char *
cli_passfile(const char *opt)
{
	const char	*env;

	if (opt != NULL)
		return opt;
	if ((env = getenv("CA_KEY_PASSPHRASE_FILE")) != NULL && *env != '\0')
		return env;
	return NULL;
}
