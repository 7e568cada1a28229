/* serial.c: random serials and the hex forms people paste. */
#include "config.h"

#include "unit.h"

START_TEST(new_serial)
{
	struct serial	 a, b;
	struct cakit_err err;
	int		 i;

	for (i = 0; i < 2000; i++) {
		ck_assert_int_eq(serial_new(&a, &err), 0);
		ck_assert_uint_eq(a.len, SERIAL_LEN);
		ck_assert_uint_eq(a.b[0] & 0x80, 0);
		ck_assert_uint_ne(a.b[0], 0);
		ck_assert_int_eq(serial_new(&b, &err), 0);
		ck_assert(memcmp(a.b, b.b, SERIAL_LEN) != 0);
	}
}
END_TEST

START_TEST(parse_forms)
{
	static const char *forms[] = {
		"7a30f913984cebff86da4a0886853bf87aad140c",
		"7A30F913984CEBFF86DA4A0886853BF87AAD140C",
		"7a:30:f9:13:98:4c:eb:ff:86:da:4a:08:86:85:3b:f8:7a:ad:14:0c",
		"0x7a30f913984cebff86da4a0886853bf87aad140c",
		"007a30f913984cebff86da4a0886853bf87aad140c",
	};
	struct serial	 s;
	struct cakit_err err;
	char		 hex[SERIAL_HEXLEN + 1];
	size_t		 i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		ck_assert_int_eq(serial_parse(forms[i], &s, &err), 0);
		serial_hex(&s, hex);
		ck_assert_str_eq(hex, forms[0]);
	}
	ck_assert_int_eq(serial_parse("abc", &s, &err), 0);
	serial_hex(&s, hex);
	ck_assert_str_eq(hex, "0abc");
}
END_TEST

START_TEST(parse_bad)
{
	struct serial	 s;
	struct cakit_err err;

	ck_assert_int_eq(serial_parse("", &s, &err), -1);
	ck_assert_int_eq(serial_parse("xyz", &s, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "hexadecimal"));
	ck_assert_int_eq(serial_parse("12'; DROP TABLE certs", &s, &err), -1);
	ck_assert_int_eq(serial_parse("00", &s, &err), -1);
	ck_assert_int_eq(serial_parse(
	    "7a30f913984cebff86da4a0886853bf87aad140c01", &s, &err), -1);
	ck_assert_ptr_nonnull(strstr(err.msg, "longer"));
}
END_TEST

static Suite *
serial_suite(void)
{
	Suite	*s = suite_create("serial");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, new_serial);
	tcase_add_test(tc, parse_forms);
	tcase_add_test(tc, parse_bad);
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(serial_suite)
