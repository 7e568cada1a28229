/*
 * der.c: every encoder against encodings worked out by hand from
 * X.690 and checked with openssl asn1parse.
 */
#include "config.h"

#include "unit.h"
#include "der.h"

static struct buf	 b;
static struct cakit_err	 err;

static void
setup(void)
{
	memset(&b, 0, sizeof(b));
	memset(&err, 0, sizeof(err));
}

static void
teardown(void)
{
	buf_free(&b);
}

/* The buffer in lower-case hex, in a static array big enough for tests. */
static const char *
hexof(const struct buf *x)
{
	static char	 s[1024];
	size_t		 i;

	ck_assert_uint_lt(x->len * 2, sizeof(s));
	for (i = 0; i < x->len; i++)
		snprintf(s + 2 * i, 3, "%02x", x->p[i]);
	s[2 * i] = '\0';
	return s;
}

/* Check the buffer holds exactly the hex, then empty it for the next. */
#define EXPECT(hex) do {					\
	ck_assert_str_eq(hexof(&b), (hex));			\
	b.len = 0;						\
} while (0)

START_TEST(test_header_lengths)
{
	der_header(&b, DER_SEQUENCE, 0);
	EXPECT("3000");
	der_header(&b, DER_SEQUENCE, 127);
	EXPECT("307f");
	der_header(&b, DER_SEQUENCE, 128);
	EXPECT("308180");
	der_header(&b, DER_SEQUENCE, 255);
	EXPECT("3081ff");
	der_header(&b, DER_SEQUENCE, 256);
	EXPECT("30820100");
	der_header(&b, DER_SEQUENCE, 65535);
	EXPECT("3082ffff");
	der_header(&b, DER_SEQUENCE, 65536);
	EXPECT("3083010000");
	der_header(&b, DER_OCTET_STRING, 0x01000000);
	EXPECT("048401000000");
}
END_TEST

START_TEST(test_header_len)
{
	ck_assert_uint_eq(der_header_len(0), 2);
	ck_assert_uint_eq(der_header_len(127), 2);
	ck_assert_uint_eq(der_header_len(128), 3);
	ck_assert_uint_eq(der_header_len(255), 3);
	ck_assert_uint_eq(der_header_len(256), 4);
	ck_assert_uint_eq(der_header_len(65535), 4);
	ck_assert_uint_eq(der_header_len(65536), 5);
}
END_TEST

/*
 * Every length a size_t can hold gets a header that fits in
 * DER_HEADER_MAX, der_header_len says how long it is, and der_header
 * writes the same octets (the CRL's outer header was once assumed to
 * fit in six).  At each boundary of the number of length octets.
 */
START_TEST(test_header_put)
{
	static const struct {
		uint64_t	 len;
		const char	*hex;
	} v[] = {
		{ 0, "3000" },
		{ 127, "307f" },
		{ 128, "308180" },
		{ 255, "3081ff" },
		{ 256, "30820100" },
		{ 65535, "3082ffff" },
		{ 65536, "3083010000" },
		{ 0xffffff, "3083ffffff" },
		{ 0x1000000, "308401000000" },
		{ 0xffffffff, "3084ffffffff" },
		{ 0x100000000ULL, "30850100000000" },
		{ 0xffffffffffULL, "3085ffffffffff" },
		{ 0x10000000000ULL, "3086010000000000" },
		{ 0xffffffffffffffffULL, "3088ffffffffffffffff" },
	};
	unsigned char	 h[DER_HEADER_MAX + 1];
	size_t		 i, n;

	ck_assert_uint_eq(der_header_len(SIZE_MAX), DER_HEADER_MAX);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (v[i].len > SIZE_MAX)
			continue;
		memset(h, 0xee, sizeof(h));
		n = der_header_put(h, DER_SEQUENCE, (size_t)v[i].len);
		ck_assert_uint_eq(n, strlen(v[i].hex) / 2);
		ck_assert_uint_eq(n, der_header_len((size_t)v[i].len));
		ck_assert_uint_le(n, DER_HEADER_MAX);
		ck_assert_uint_eq(h[DER_HEADER_MAX], 0xee);
		der_header(&b, DER_SEQUENCE, (size_t)v[i].len);
		ck_assert_uint_eq(b.len, n);
		ck_assert_int_eq(memcmp(b.p, h, n), 0);
		EXPECT(v[i].hex);
	}
}
END_TEST

START_TEST(test_wrap)
{
	struct buf	 c = { NULL, 0, 0 };
	size_t		 i;

	der_wrap(&b, DER_SEQUENCE, &c);
	EXPECT("3000");

	for (i = 0; i < 200; i++)
		buf_addc(&c, i);
	der_wrap(&b, DER_CONTEXT_CONS(0), &c);
	ck_assert_uint_eq(b.len, 3 + 200);
	ck_assert_int_eq(memcmp(b.p, "\xa0\x81\xc8", 3), 0);
	ck_assert_int_eq(memcmp(b.p + 3, c.p, 200), 0);
	buf_free(&c);
}
END_TEST

START_TEST(test_wrap_large)
{
	struct buf	 c = { NULL, 0, 0 };
	unsigned char	 zero[4096];

	memset(zero, 0, sizeof(zero));
	while (c.len < 65536)
		buf_add(&c, zero, sizeof(zero));
	der_wrap(&b, DER_SEQUENCE, &c);
	ck_assert_uint_eq(b.len, 5 + 65536);
	ck_assert_int_eq(memcmp(b.p, "\x30\x83\x01\x00\x00", 5), 0);
	buf_free(&c);
}
END_TEST

START_TEST(test_integer)
{
	static const unsigned char	 z[] = { 0x00, 0x00 };
	static const unsigned char	 x7f[] = { 0x7f };
	static const unsigned char	 x80[] = { 0x80 };
	static const unsigned char	 lead[] = { 0x00, 0x00, 0x01, 0x00 };
	static const unsigned char	 leadhi[] = { 0x00, 0xff, 0x01 };
	unsigned char			 ff[20];

	der_integer(&b, NULL, 0);
	EXPECT("020100");
	der_integer(&b, z, sizeof(z));
	EXPECT("020100");
	der_integer(&b, x7f, sizeof(x7f));
	EXPECT("02017f");
	der_integer(&b, x80, sizeof(x80));
	EXPECT("02020080");
	der_integer(&b, lead, sizeof(lead));
	EXPECT("02020100");
	der_integer(&b, leadhi, sizeof(leadhi));
	EXPECT("020300ff01");

	/* The largest serial RFC 5280 4.1.2.2 allows needs 21 octets. */
	memset(ff, 0xff, sizeof(ff));
	der_integer(&b, ff, sizeof(ff));
	EXPECT("021500ffffffffffffffffffffffffffffffffffffffff");
}
END_TEST

START_TEST(test_uint)
{
	der_uint(&b, 0);
	EXPECT("020100");
	der_uint(&b, 1);
	EXPECT("020101");
	der_uint(&b, 0x7f);
	EXPECT("02017f");
	der_uint(&b, 0x80);
	EXPECT("02020080");
	der_uint(&b, 0x100);
	EXPECT("02020100");
	der_uint(&b, 0x7fffffffffffffffULL);
	EXPECT("02087fffffffffffffff");
	der_uint(&b, UINT64_MAX);
	EXPECT("020900ffffffffffffffff");
}
END_TEST

START_TEST(test_enumerated)
{
	der_enumerated(&b, 0);
	EXPECT("0a0100");
	der_enumerated(&b, 1);
	EXPECT("0a0101");
	der_enumerated(&b, 9);
	EXPECT("0a0109");
	der_enumerated(&b, 200);
	EXPECT("0a0200c8");
}
END_TEST

START_TEST(test_oid)
{
	ck_assert_int_eq(der_oid(&b, "2.5.29.20", &err), 0);
	EXPECT("0603551d14");
	ck_assert_int_eq(der_oid(&b, "2.5.29.21", &err), 0);
	EXPECT("0603551d15");
	ck_assert_int_eq(der_oid(&b, "1.2.840.10045.4.3.2", &err), 0);
	EXPECT("06082a8648ce3d040302");
	ck_assert_int_eq(der_oid(&b, "1.2.840.113549.1.1.11", &err), 0);
	EXPECT("06092a864886f70d01010b");
	ck_assert_int_eq(der_oid(&b, "1.3.101.112", &err), 0);
	EXPECT("06032b6570");
	ck_assert_int_eq(der_oid(&b, "0.0", &err), 0);
	EXPECT("060100");
	/* Under 2 the second arc is unbounded (X.690 8.19.4). */
	ck_assert_int_eq(der_oid(&b, "2.999.3", &err), 0);
	EXPECT("0603883703");
	ck_assert_int_eq(der_oid(&b, "1.2.18446744073709551615", &err), 0);
	EXPECT("060b2a81ffffffffffffffff7f");
}
END_TEST

START_TEST(test_oid_bad)
{
	static const char	*bad[] = {
		"", "1", "3.1", "1.40", "0.39.1x", "1..2", "1.2.", ".1.2",
		"01.2", "1.02", "1.2.a", "1.2.-3", "1.2.18446744073709551616",
		"1 .2",
	};
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = '\0';
		ck_assert_msg(der_oid(&b, bad[i], &err) == -1,
		    "accepted '%s'", bad[i]);
		ck_assert_uint_eq(b.len, 0);
		ck_assert_ptr_nonnull(strstr(err.msg, "not a dotted object "
		    "identifier"));
		ck_assert_ptr_nonnull(strstr(err.msg, bad[i]));
	}
	ck_assert_int_eq(der_oid(&b, "0.39.1", &err), 0);
}
END_TEST

START_TEST(test_oid_raw)
{
	static const unsigned char	 crl_number[] = { 0x55, 0x1d, 0x14 };

	der_oid_raw(&b, crl_number, sizeof(crl_number));
	EXPECT("0603551d14");
}
END_TEST

START_TEST(test_simple)
{
	der_null(&b);
	EXPECT("0500");
	der_boolean(&b, true);
	EXPECT("0101ff");
	der_boolean(&b, false);
	EXPECT("010100");
	der_octet_string(&b, "", 0);
	EXPECT("0400");
	der_octet_string(&b, "\x01\x02", 2);
	EXPECT("04020102");
	der_bit_string(&b, "", 0);
	EXPECT("030100");
	der_bit_string(&b, "\xaa\x55", 2);
	EXPECT("030300aa55");
}
END_TEST

/* "YYMMDDHHMMSSZ" or "YYYYMMDDHHMMSSZ" in hex after the header. */
static void
expect_time(time_t t, const char *hdr, const char *text)
{
	char	 want[64];
	size_t	 i;

	b.len = 0;
	ck_assert_int_eq(der_time(&b, t, &err), 0);
	ck_assert(der_time_valid(t));
	snprintf(want, sizeof(want), "%s", hdr);
	for (i = 0; text[i] != '\0'; i++)
		snprintf(want + strlen(want), 3, "%02x",
		    (unsigned char)text[i]);
	ck_assert_str_eq(hexof(&b), want);
	b.len = 0;
}

START_TEST(test_time)
{
	expect_time(0, "170d", "700101000000Z");
	expect_time(1700000000, "170d", "231114221320Z");
	/* RFC 5280 4.1.2.5: UTCTime through 2049, then GeneralizedTime. */
	expect_time(2524607999LL, "170d", "491231235959Z");
	expect_time(2524608000LL, "180f", "20500101000000Z");
	expect_time(-631152000LL, "170d", "500101000000Z");
	expect_time(-631152001LL, "180f", "19491231235959Z");
	expect_time(253402300799LL, "180f", "99991231235959Z");
	expect_time(-62167219200LL, "180f", "00000101000000Z");
}
END_TEST

START_TEST(test_time_bad)
{
	ck_assert(!der_time_valid(253402300800LL));
	ck_assert_int_eq(der_time(&b, 253402300800LL, &err), -1);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "time 253402300800"));
	ck_assert(!der_time_valid(-62167219201LL));
	ck_assert_int_eq(der_time(&b, -62167219201LL, &err), -1);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

/* A whole nested structure: an Extension as crl.c writes it. */
START_TEST(test_nested)
{
	struct buf	 v = { NULL, 0, 0 }, ext = { NULL, 0, 0 };

	der_enumerated(&v, 1);
	ck_assert_int_eq(der_oid(&ext, "2.5.29.21", &err), 0);
	der_octet_string(&ext, v.p, v.len);
	der_wrap(&b, DER_SEQUENCE, &ext);
	EXPECT("300a0603551d1504030a0101");
	buf_free(&v);
	buf_free(&ext);
}
END_TEST

static Suite *
der_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("der");
	tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_header_lengths);
	tcase_add_test(tc, test_header_len);
	tcase_add_test(tc, test_header_put);
	tcase_add_test(tc, test_wrap);
	tcase_add_test(tc, test_wrap_large);
	tcase_add_test(tc, test_integer);
	tcase_add_test(tc, test_uint);
	tcase_add_test(tc, test_enumerated);
	tcase_add_test(tc, test_oid);
	tcase_add_test(tc, test_oid_bad);
	tcase_add_test(tc, test_oid_raw);
	tcase_add_test(tc, test_simple);
	tcase_add_test(tc, test_time);
	tcase_add_test(tc, test_time_bad);
	tcase_add_test(tc, test_nested);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(der_suite)
