/*
 * file.c: secrets are read only into memory that is wiped, and the
 * comparison of paths by the file they name.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include <gnutls/crypto.h>

#include "unit.h"

#define MASK	0x5a

/*
 * The secret the tests look for, kept masked (each byte XOR MASK), so
 * that the search does not find the test's own copy.
 */
static unsigned char	 masked[128];
static size_t		 masked_len;

/*
 * Whether [p, end) holds the unmasked secret.  It reads raw memory, the
 * redzones of AddressSanitizer's builds included.
 */
__attribute__((no_sanitize_address))
static int
holds(const unsigned char *p, const unsigned char *end)
{
	size_t	 i;

	for (; p + masked_len <= end; p++) {
		for (i = 0; i < masked_len; i++)
			if (p[i] != (masked[i] ^ MASK))
				break;
		if (i == masked_len)
			return 1;
	}
	return 0;
}

/*
 * Whether the heap or the stack of this process still holds the secret.
 * It allocates nothing, so that it cannot overwrite a freed copy.
 */
static int
secret_left(void)
{
	static char	 maps[65536];
	char		*line, *nl;
	unsigned long	 a, b;
	ssize_t		 n, len = 0;
	int		 fd, found = 0;

	ck_assert_int_ne(fd = open("/proc/self/maps", O_RDONLY), -1);
	while ((n = read(fd, maps + len, sizeof(maps) - 1 - len)) > 0)
		len += n;
	close(fd);
	maps[len] = '\0';
	for (line = maps; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		if ((strstr(line, "[heap]") != NULL ||
		    strstr(line, "[stack]") != NULL) &&
		    sscanf(line, "%lx-%lx", &a, &b) == 2)
			found |= holds((const unsigned char *)(uintptr_t)a,
			    (const unsigned char *)(uintptr_t)b);
	}
	return found;
}

/* Write text to path, mode 0600, and wipe it. */
static void
write_secret(const char *path, char *text, size_t len)
{
	int	 fd;

	ck_assert_int_ne(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600),
	    -1);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	gnutls_memset(text, 0, len);
}

/* A random secret of n hex digits at p, remembered masked. */
static void
make_secret(char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	 r;
	size_t		 i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(gnutls_rnd(GNUTLS_RND_NONCE, &r, 1), 0);
		p[i] = hex[r & 15];
		masked[i] = p[i] ^ MASK;
	}
	masked_len = n;
}

START_TEST(passphrase_wiped)
{
	struct cakit_err err;
	char		*text, *pass = NULL, *path;

	unit_tmpdir();
	path = unit_path("pass");
	/* A passphrase line, then enough to need more than one read. */
	text = xcalloc(1, 4000);
	make_secret(text, 64);
	text[64] = '\n';
	memset(text + 65, '#', 4000 - 65);
	write_secret(path, text, 4000);
	free(text);
	ck_assert(!secret_left());
	ck_assert_int_eq(file_read_passphrase(path, &pass, &err), 0);
	ck_assert_uint_eq(strlen(pass), 64);
	ck_assert(secret_left());
	file_secret_free(pass, strlen(pass));
	ck_assert_msg(!secret_left(), "the passphrase is still in memory");
	free(path);
	unit_rmdir();
}
END_TEST

/* A secret read in several growths: no outgrown buffer keeps it. */
START_TEST(growth_wiped)
{
	struct cakit_err err;
	gnutls_datum_t	 d;
	char		*text, *path, *hole = NULL, *guard = NULL;
	int		 i;

	unit_tmpdir();
	path = unit_path("big");
	/*
	 * A hole the first buffer fits, with a block in use after it: the
	 * buffer cannot grow in place, so growing leaves an old block.
	 */
	for (i = 0; i < 64; i++) {
		/* Until the two are neighbours (glibc: a 16-byte header). */
		hole = xmalloc(4096);
		guard = xmalloc(2048);
		if (guard == hole + 4096 + 16)
			break;
	}
	text = xcalloc(1, 40000);
	memset(text, '#', 40000);
	/* Past the allocator's own words at the start of a free block. */
	make_secret(text + 2000, 64);
	write_secret(path, text, 40000);
	free(text);
	free(hole);
	ck_assert(!secret_left());
	ck_assert_int_eq(file_read_secret(path, FILE_MAX, &d, &err), 0);
	ck_assert_uint_eq(d.size, 40000);
	file_secret_free(d.data, d.size);
	ck_assert_msg(!secret_left(), "an outgrown buffer kept the secret");
	free(guard);
	free(path);
	unit_rmdir();
}
END_TEST

START_TEST(key_pem_wiped)
{
	struct cakit_err err;
	gnutls_x509_privkey_t xkey;
	gnutls_privkey_t key;
	gnutls_datum_t	 pem;
	char		*path, *line;

	unit_tmpdir();
	path = unit_path("k.pem");
	ck_assert_ptr_nonnull(xkey = key_generate(KEY_ECDSA_P256, &err));
	ck_assert_int_eq(key_export_pem(xkey, NULL, &pem, &err), 0);
	gnutls_x509_privkey_deinit(xkey);
	/* The first line of base64 is the secret looked for. */
	line = strchr((char *)pem.data, '\n') + 1;
	for (masked_len = 0; line[masked_len] != '\n'; masked_len++)
		masked[masked_len] = line[masked_len] ^ MASK;
	write_secret(path, (char *)pem.data, pem.size);
	gnutls_free(pem.data);
	ck_assert(!secret_left());
	ck_assert_ptr_nonnull(key = key_load(path, NULL, &err));
	gnutls_privkey_deinit(key);
	ck_assert_msg(!secret_left(), "the key's PEM is still in memory");
	free(path);
	unit_rmdir();
}
END_TEST

START_TEST(secret_not_fifo)
{
	struct cakit_err err;
	gnutls_datum_t	 d;
	char		*path;

	unit_tmpdir();
	path = unit_path("fifo");
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	/* Would block forever without O_NONBLOCK: nobody writes. */
	ck_assert_int_eq(file_read_secret(path, 100, &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "is a FIFO"));
	ck_assert_int_eq(file_read_secret("/dev/zero", 100, &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "is a character device"));
	free(path);
	unit_rmdir();
}
END_TEST

/* A limit of SIZE_MAX means none: the whole file, and one octet over max refused. */
START_TEST(read_limits)
{
	struct cakit_err	 err;
	gnutls_datum_t		 d = { NULL, 0 };
	char			*p;
	int			 fd;

	unit_tmpdir();
	p = unit_path("f");
	ck_assert_int_ne(fd = open(p, O_WRONLY | O_CREAT, 0600), -1);
	ck_assert_int_eq(write(fd, "0123456789", 10), 10);
	close(fd);
	ck_assert_int_eq(file_read(p, SIZE_MAX, &d, &err), 0);
	ck_assert_uint_eq(d.size, 10);
	free(d.data);
	ck_assert_int_eq(file_read(p, 10, &d, &err), 0);
	ck_assert_uint_eq(d.size, 10);
	free(d.data);
	ck_assert_int_eq(file_read(p, 9, &d, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "larger than 9 bytes"));
	free(p);
	unit_rmdir();
}
END_TEST

START_TEST(same_file)
{
	char	*a, *b, *sub, *up, *link, *hard;
	int	 fd;

	unit_tmpdir();
	a = unit_path("a");
	sub = unit_path("sub");
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	b = unit_path("sub/../a");
	/* Not there yet: the same directory and name. */
	ck_assert(file_same(a, b));
	ck_assert(!file_same(a, sub));
	up = unit_path("sub/up");
	ck_assert_int_eq(symlink("..", up), 0);
	free(b);
	b = unit_path("sub/up/a");
	ck_assert(file_same(a, b));
	/* There: by inode, through symbolic and hard links. */
	ck_assert_int_ne(fd = open(a, O_WRONLY | O_CREAT, 0600), -1);
	close(fd);
	ck_assert(file_same(a, b));
	link = unit_path("link");
	ck_assert_int_eq(symlink("a", link), 0);
	ck_assert(file_same(a, link));
	hard = unit_path("hard");
	ck_assert_int_eq(linkat(AT_FDCWD, a, AT_FDCWD, hard, 0), 0);
	ck_assert(file_same(hard, b));
	ck_assert(!file_same(hard, sub));
	free(a);
	free(b);
	free(sub);
	free(up);
	free(link);
	free(hard);
	unit_rmdir();
}
END_TEST

static Suite *
file_suite(void)
{
	Suite	*s = suite_create("file");
	TCase	*tc = tcase_create("file");

	/*
	 * The scans look for the secret in glibc's heap, which an
	 * AddressSanitizer build replaces with its own allocator (and
	 * growth_wiped's probing blocks would count as leaks there): they
	 * prove something only in the plain build, which make check runs.
	 */
#if !defined(__SANITIZE_ADDRESS__)
	tcase_add_test(tc, passphrase_wiped);
	tcase_add_test(tc, growth_wiped);
	tcase_add_test(tc, key_pem_wiped);
#else
	(void)passphrase_wiped;
	(void)growth_wiped;
	(void)key_pem_wiped;
#endif
	tcase_add_test(tc, secret_not_fifo);
	tcase_add_test(tc, read_limits);
	tcase_add_test(tc, same_file);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(file_suite)
