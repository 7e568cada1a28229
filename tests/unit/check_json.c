/*
 * json.c: strings escaped into valid JSON whatever bytes they hold, and
 * times in RFC 3339.
 */
#include "config.h"

#include "unit.h"

/* json_str of in, as a C string the caller frees. */
static char *
str(const char *in)
{
	struct buf	 b = { 0 };

	json_str(&b, in);
	return buf_str(&b);
}

static const struct {
	const char	*what;
	const char	*in;
	const char	*out;
} cases[] = {
	{ "plain text", "CN=a b", "\"CN=a b\"" },
	{ "empty", "", "\"\"" },
	{ "quote", "a\"b", "\"a\\\"b\"" },
	{ "backslash", "a\\b", "\"a\\\\b\"" },
	{ "an escape cannot be forged", "\\u0041", "\"\\\\u0041\"" },
	{ "newline", "a\nb", "\"a\\nb\"" },
	{ "tab", "a\tb", "\"a\\u0009b\"" },
	{ "carriage return", "a\rb", "\"a\\u000db\"" },
	{ "escape", "\x1b[31m", "\"\\u001b[31m\"" },
	{ "U+0001", "\x01", "\"\\u0001\"" },
	{ "U+001F", "\x1f", "\"\\u001f\"" },
	{ "DEL", "\x7f", "\"\\u007f\"" },
	{ "C1 control U+009B", "\xc2\x9b", "\"\\u009b\"" },
	{ "U+2028 line separator", "a\xe2\x80\xa8z", "\"a\\u2028z\"" },
	{ "U+2029 paragraph separator", "a\xe2\x80\xa9z", "\"a\\u2029z\"" },
	{ "U+202E right-to-left override", "\xe2\x80\xae", "\"\\u202e\"" },
	{ "UTF-8 kept", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92",
	    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92\"" },
	{ "a lone continuation byte", "a\x80z", "\"a\\ufffdz\"" },
	{ "0xff", "\xff", "\"\\ufffd\"" },
	{ "a truncated sequence", "\xc3z", "\"\\ufffdz\"" },
	{ "a sequence cut by the end", "\xe2\x82", "\"\\ufffd\\ufffd\"" },
	{ "an overlong '/'", "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
	{ "an overlong NUL", "\xe0\x80\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "a surrogate", "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "beyond U+10FFFF", "\xf4\x90\x80\x80",
	    "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "a quote after a bad byte", "\xc3\"", "\"\\ufffd\\\"\"" },
};

START_TEST(escapes)
{
	char	*out;

	out = str(cases[_i].in);
	ck_assert_msg(strcmp(out, cases[_i].out) == 0, "%s: got %s, want %s",
	    cases[_i].what, out, cases[_i].out);
	free(out);
}
END_TEST

/* Appends: what the buffer held stays in front. */
START_TEST(appends)
{
	struct buf	 b = { 0 };
	char		*out;

	buf_printf(&b, "{\"a\":");
	json_str(&b, "x");
	buf_printf(&b, "}");
	out = buf_str(&b);
	ck_assert_str_eq(out, "{\"a\":\"x\"}");
	free(out);
}
END_TEST

static const struct {
	time_t		 t;
	const char	*text;
} times[] = {
	{ 0, "1970-01-01T00:00:00Z" },
	{ 1769860800, "2026-01-31T12:00:00Z" },
	{ 951782400, "2000-02-29T00:00:00Z" },
	{ 2524607999, "2049-12-31T23:59:59Z" },
	{ 4102444800, "2100-01-01T00:00:00Z" },
};

START_TEST(rfc3339)
{
	char	 s[32];

	memset(s, 'x', sizeof(s));
	json_time_rfc3339(times[_i].t, s);
	ck_assert_str_eq(s, times[_i].text);
}
END_TEST

/* The same in UTC whatever the time zone. */
START_TEST(rfc3339_utc)
{
	char	 s[32];

	setenv("TZ", "EST+5", 1);
	tzset();
	json_time_rfc3339(1769860800, s);
	setenv("TZ", "UTC", 1);
	tzset();
	ck_assert_str_eq(s, "2026-01-31T12:00:00Z");
}
END_TEST

START_TEST(time_string)
{
	struct buf	 b = { 0 };
	char		*out;

	json_time(&b, times[_i].t);
	out = buf_str(&b);
	ck_assert_int_eq(out[0], '"');
	ck_assert_int_eq(strncmp(out + 1, times[_i].text,
	    strlen(times[_i].text)), 0);
	ck_assert_str_eq(out + 1 + strlen(times[_i].text), "\"");
	free(out);
}
END_TEST

static Suite *
json_suite(void)
{
	Suite	*s = suite_create("json");
	TCase	*tc = tcase_create("core");

	tcase_add_loop_test(tc, escapes, 0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, appends);
	tcase_add_loop_test(tc, rfc3339, 0, sizeof(times) / sizeof(times[0]));
	tcase_add_test(tc, rfc3339_utc);
	tcase_add_loop_test(tc, time_string, 0,
	    sizeof(times) / sizeof(times[0]));
	suite_add_tcase(s, tc);
	return s;
}

UNIT_MAIN(json_suite)
