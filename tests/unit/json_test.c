/* Unit tests of JSON parsing with limits (suite json) and RFC 8785 canonicalisation (suite jcs).
 *
 * Expected values come from RFC 8785 itself (the section 3.2.2 and 3.2.3 examples, every row of
 * Appendix B), from ECMA-262's Number::toString rules worked by hand, and from an independent
 * implementation of those rules in Python (whose repr() finds shortest digits by another method). */
#include "cairn/buf.h"
#include "cairn/error.h"
#include "cairn/json.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------------------------
 * Helpers. */

static int parse_str(json_t **out, const char *text, const cairn_json_limits *limits, const char *what)
{
	return cairn_json_parse(out, text, strlen(text), limits, what);
}

/* Parses text (which must succeed) and returns its canonical form; the caller frees it. */
static char *canonical_of(const char *text)
{
	json_t *value = NULL;
	int err = parse_str(&value, text, NULL, "test input");
	cr_assert_eq(err, 0, "parsing %s: %s", text, cairn_error_message());
	cairn_buf out = CAIRN_BUF_INIT;
	err = cairn_json_canonicalize(value, &out);
	cr_assert_eq(err, 0, "canonicalizing %s: %s", text, cairn_error_message());
	json_decref(value);
	return (char *)cairn_buf_detach(&out, NULL);
}

static void assert_canonical(const char *input, const char *expected)
{
	char *got = canonical_of(input);
	cr_assert_str_eq(got, expected, "input %s", input);
	free(got);
}

static double double_from_bits(uint64_t bits)
{
	double value;
	memcpy(&value, &bits, sizeof value);
	return value;
}

static void assert_number(double value, const char *expected)
{
	cairn_buf out = CAIRN_BUF_INIT;
	int err = cairn_json_format_number(value, &out);
	cr_assert_eq(err, 0, "formatting %a: %s", value, cairn_error_message());
	cr_assert_str_eq(cairn_buf_cstr(&out), expected, "formatting %a", value);
	cairn_buf_free(&out);
}

static void assert_refused(const char *text, size_t len, const cairn_json_limits *limits, int code,
			   const char *message_part)
{
	json_t *value = (json_t *)1;
	int err = cairn_json_parse(&value, text, len, limits, "doc.json");
	cr_assert_eq(err, code, "parsing %.*s gave %d (%s), expected %d", (int)len, text, err,
		     cairn_error_message(), code);
	cr_assert_null(value, "out must be NULL on failure");
	cr_assert(strstr(cairn_error_message(), message_part) != NULL, "message \"%s\" lacks \"%s\"",
		  cairn_error_message(), message_part);
	cr_assert(strncmp(cairn_error_message(), "doc.json:", 9) == 0, "message \"%s\" does not name the input",
		  cairn_error_message());
}

/* ---------------------------------------------------------------------------------------------
 * RFC 8785 Appendix B: every row of the number serialisation table (IEEE 754 bits -> JSON). */

Test(jcs, rfc8785_appendix_b_number_samples)
{
	static const struct {
		uint64_t bits;
		const char *expected;
	} rows[] = {
		{0x0000000000000000, "0"},
		{0x8000000000000000, "0"}, /* minus zero */
		{0x0000000000000001, "5e-324"},
		{0x8000000000000001, "-5e-324"},
		{0x7fefffffffffffff, "1.7976931348623157e+308"},
		{0xffefffffffffffff, "-1.7976931348623157e+308"},
		{0x4340000000000000, "9007199254740992"},
		{0xc340000000000000, "-9007199254740992"},
		{0x4430000000000000, "295147905179352830000"},
		{0x44b52d02c7e14af5, "9.999999999999997e+22"},
		{0x44b52d02c7e14af6, "1e+23"},
		{0x44b52d02c7e14af7, "1.0000000000000001e+23"},
		{0x444b1ae4d6e2ef4e, "999999999999999700000"},
		{0x444b1ae4d6e2ef4f, "999999999999999900000"},
		{0x444b1ae4d6e2ef50, "1e+21"},
		{0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
		{0x3eb0c6f7a0b5ed8d, "0.000001"},
		{0x41b3de4355555553, "333333333.3333332"},
		{0x41b3de4355555554, "333333333.33333325"},
		{0x41b3de4355555555, "333333333.3333333"},
		{0x41b3de4355555556, "333333333.3333334"},
		{0x41b3de4355555557, "333333333.33333343"},
		{0xbecbf647612f3696, "-0.0000033333333333333333"},
		{0x43143ff3c1cb0959, "1424953923781206.2"}, /* round to even */
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		assert_number(double_from_bits(rows[i].bits), rows[i].expected);

	/* The table's NaN (7fffffffffffffff) and Infinity (7ff0000000000000) rows: errors. */
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_json_format_number(double_from_bits(0x7fffffffffffffff), &out), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "NaN") != NULL);
	cr_assert_eq(cairn_json_format_number(double_from_bits(0x7ff0000000000000), &out), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "Infinity") != NULL);
	cr_assert_eq(cairn_json_format_number(-INFINITY, &out), CAIRN_EINVAL);
	cr_assert_eq(out.len, 0, "nothing is written on error");
	cairn_buf_free(&out);
}

/* The layout rules of ECMA-262 Number::toString, worked by hand from the spec. */
Test(jcs, number_layout_follows_ecmascript)
{
	assert_number(1e21, "1e+21");
	assert_number(1e20, "100000000000000000000");
	assert_number(123456789012345680000.0, "123456789012345680000");
	assert_number(0.000001, "0.000001");
	assert_number(0.0000012345, "0.0000012345");
	assert_number(1e-7, "1e-7");
	assert_number(1.5e-7, "1.5e-7");
	assert_number(123e-20, "1.23e-18");
	assert_number(-123e-20, "-1.23e-18");
	assert_number(1, "1");
	assert_number(-1, "-1");
	assert_number(100, "100");
	assert_number(0.5, "0.5");
	assert_number(0.1, "0.1");
	assert_number(0.1 + 0.2, "0.30000000000000004");
	assert_number(1.5, "1.5");
	assert_number(-0.0, "0");
	assert_number(1e300, "1e+300");
	assert_number(1.25e+100, "1.25e+100");
	assert_number(4.35, "4.35");
	assert_number(9007199254740993.0, "9007199254740992");
	assert_number(2.2250738585072014e-308, "2.2250738585072014e-308"); /* smallest normal */
	assert_number(pow(2, -1022) - pow(2, -1074), "2.225073858507201e-308");  /* largest subnormal */
	/* Powers of two where the closest 16-digit decimal (6.189700196426901e+26 for 2^89) lies in
	 * the narrow gap below and misses, but the next one up reads back (values from Python's repr). */
	assert_number(ldexp(1, 89), "6.189700196426902e+26");
	assert_number(ldexp(1, 122), "5.316911983139664e+36");
	assert_number(ldexp(1, -1017), "7.120236347223045e-307");
}

/* Numbers checked against an independent implementation: Python's repr() gives the shortest digits
 * that read back (David Gay's algorithm, a different method from ours), and a few lines of Python
 * lay them out by the ES rules. The set covers every power of two (where the gap below a double is
 * half the gap above, the hard case for shortest digits) and many random bit patterns. */
Test(jcs, number_format_matches_independent_python)
{
	if (system("python3 -c 'import decimal' >/dev/null 2>&1") != 0)
		cr_skip_test("python3 is not available");
	char path[] = "/tmp/cairn-json-numbers-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	FILE *list = fdopen(fd, "w");
	cr_assert_not_null(list);
	enum { RANDOM_COUNT = 20000 };
	static uint64_t bits[2 * 2046 + RANDOM_COUNT];
	size_t count = 0;
	for (uint64_t exponent = 1; exponent < 2047; exponent++) {
		bits[count++] = exponent << 52;                        /* a power of two */
		bits[count++] = (exponent << 52) | 0x000fffffffffffff; /* just below the next */
	}
	uint64_t state = 0x9E3779B97F4A7C15u ^ (uint64_t)time(NULL);
	while (count < sizeof bits / sizeof bits[0]) {
		/* splitmix64: cheap, well-spread bit patterns */
		uint64_t z = (state += 0x9E3779B97F4A7C15u);
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
		z ^= z >> 31;
		if (((z >> 52) & 0x7ff) == 0x7ff)
			continue; /* NaN or infinity */
		bits[count++] = z;
	}
	for (size_t i = 0; i < count; i++)
		fprintf(list, "%016llx\n", (unsigned long long)bits[i]);
	cr_assert_eq(fclose(list), 0);

	char command[1024];
	snprintf(command, sizeof command,
		 "python3 -c '\n"
		 "import struct, sys, decimal\n"
		 "for line in open(sys.argv[1]):\n"
		 "    x = struct.unpack(\">d\", bytes.fromhex(line.strip()))[0]\n"
		 "    sign, digits, exp = decimal.Decimal(repr(abs(x))).as_tuple()\n"
		 "    s = \"\".join(map(str, digits)).rstrip(\"0\") or \"0\"\n"
		 "    k = len(s); n = exp + len(digits)\n"
		 "    if x == 0: out = \"0\"\n"
		 "    elif k <= n <= 21: out = s + \"0\" * (n - k)\n"
		 "    elif 0 < n <= 21: out = s[:n] + \".\" + s[n:]\n"
		 "    elif -6 < n <= 0: out = \"0.\" + \"0\" * -n + s\n"
		 "    else: out = s[0] + (\".\" + s[1:] if k > 1 else \"\") + \"e\" + (\"+\" if n - 1 >= 0 else \"-\") + str(abs(n - 1))\n"
		 "    print((\"-\" if x < 0 else \"\") + out)\n"
		 "' %s",
		 path);
	FILE *expected = popen(command, "r");
	cr_assert_not_null(expected);
	char line[128];
	size_t checked = 0, mismatches = 0;
	cairn_buf out = CAIRN_BUF_INIT;
	while (checked < count && fgets(line, sizeof line, expected) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		cairn_buf_clear(&out);
		cr_assert_eq(cairn_json_format_number(double_from_bits(bits[checked]), &out), 0);
		if (strcmp(cairn_buf_cstr(&out), line) != 0 && mismatches++ < 10)
			cr_log_error("bits %016llx: got %s, python says %s", (unsigned long long)bits[checked],
				     cairn_buf_cstr(&out), line);
		checked++;
	}
	cairn_buf_free(&out);
	cr_assert_eq(pclose(expected), 0, "python3 failed");
	unlink(path);
	cr_assert_eq(checked, count, "python3 answered %zu of %zu numbers", checked, count);
	cr_assert_eq(mismatches, 0, "%zu of %zu numbers differ from the independent formatter", mismatches, count);
}

/* ---------------------------------------------------------------------------------------------
 * RFC 8785 examples and canonicalisation rules. */

/* Section 3.2.2: the example object and its canonical form. */
Test(jcs, rfc8785_section_3_2_2_example)
{
	const char *input = "{\n"
			    "  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
			    "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
			    "  \"literals\": [null, true, false]\n"
			    "}";
	assert_canonical(input, "{\"literals\":[null,true,false],"
				"\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
				"\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

/* Section 3.2.3: property sorting by UTF-16 code units. */
Test(jcs, rfc8785_section_3_2_3_sorting)
{
	const char *input = "{\n"
			    "  \"\\u20ac\": \"Euro Sign\",\n"
			    "  \"\\r\": \"Carriage Return\",\n"
			    "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
			    "  \"1\": \"One\",\n"
			    "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
			    "  \"\\u0080\": \"Control\",\n"
			    "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
			    "}";
	/* The RFC lists the order: \r, 1, U+0080, U+00F6, U+20AC, U+1F600, U+FB33. */
	assert_canonical(input, "{\"\\r\":\"Carriage Return\","
				"\"1\":\"One\","
				"\"\xc2\x80\":\"Control\","
				"\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\","
				"\"\xe2\x82\xac\":\"Euro Sign\","
				"\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
				"\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

/* UTF-8 byte order would put U+E000..U+FFFF before anything above U+FFFF; UTF-16 order does not. */
Test(jcs, sorting_is_by_utf16_code_units_not_utf8_bytes)
{
	assert_canonical("{\"\\ue000\":1,\"\\ud83d\\ude00\":2}", "{\"\xf0\x9f\x98\x80\":2,\"\xee\x80\x80\":1}");
	assert_canonical("{\"\\uffff\":1,\"\\ud800\\udc00\":2}", "{\"\xf0\x90\x80\x80\":2,\"\xef\xbf\xbf\":1}");
	/* Two characters above U+FFFF with the same high surrogate: by the low surrogate. */
	assert_canonical("{\"\\ud83d\\ude01\":1,\"\\ud83d\\ude00\":2}",
			 "{\"\xf0\x9f\x98\x80\":2,\"\xf0\x9f\x98\x81\":1}");
	/* Prefixes first; plain ASCII by code; raw names (a newline sorts as 0x0a). */
	assert_canonical("{\"aa\":1,\"a\":2,\"\":3,\"B\":4,\"b\\n\":5,\"b\":6}",
			 "{\"\":3,\"B\":4,\"a\":2,\"aa\":1,\"b\":6,\"b\\n\":5}");
	/* Sorting ignores locale: p, e-acute, e-circumflex by code point. */
	assert_canonical("{\"sin\":1,\"p\\u00eache\":2,\"p\\u00e9ch\\u00e9\":3,\"peach\":4}",
			 "{\"peach\":4,\"p\xc3\xa9\x63h\xc3\xa9\":3,\"p\xc3\xaa\x63he\":2,\"sin\":1}");
}

Test(jcs, nested_structures_sorted_recursively_arrays_kept_in_order)
{
	assert_canonical("{ \"1\": {\"f\": {\"f\": \"hi\", \"F\": 5}, \"\\n\": 56.0}, \"10\": { }, \"\": \"empty\","
			 " \"a\": { }, \"111\": [ {\"e\": \"yes\", \"E\": \"no\"} ], \"A\": { } }",
			 "{\"\":\"empty\",\"1\":{\"\\n\":56,\"f\":{\"F\":5,\"f\":\"hi\"}},\"10\":{},"
			 "\"111\":[{\"E\":\"no\",\"e\":\"yes\"}],\"A\":{},\"a\":{}}");
	assert_canonical("[ 56, { \"d\": true, \"10\": null, \"1\": [ ] } ]", "[56,{\"1\":[],\"10\":null,\"d\":true}]");
	assert_canonical("[3, 1, 2]", "[3,1,2]");
	assert_canonical(" \"top\" ", "\"top\"");
	assert_canonical("[]", "[]");
	assert_canonical("{}", "{}");
}

/* Section 3.2.2.2: which characters are escaped and how. */
Test(jcs, string_escapes_are_minimal)
{
	static const char *expected[32] = {
		"\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
		"\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e", "\\u000f",
		"\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
		"\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
	};
	for (int c = 0; c < 32; c++) {
		char raw[3] = {'x', (char)c, 'y'};
		json_t *value = json_stringn(raw, sizeof raw); /* jansson allows NUL in built strings */
		cr_assert_not_null(value);
		cairn_buf out = CAIRN_BUF_INIT;
		cr_assert_eq(cairn_json_canonicalize(value, &out), 0);
		char want[16];
		snprintf(want, sizeof want, "\"x%sy\"", expected[c]);
		cr_assert_str_eq(cairn_buf_cstr(&out), want, "control character 0x%02x", c);
		json_decref(value);
		cairn_buf_free(&out);
	}
	/* '/', DEL, U+2028 and U+2029, and non-ASCII are written as they are. */
	assert_canonical("\"\\/\\u007f\\u2028\\u2029\\u00e9\"", "\"/\x7f\xe2\x80\xa8\xe2\x80\xa9\xc3\xa9\"");
	assert_canonical("\"\\\"\\\\\"", "\"\\\"\\\\\"");
	/* Unicode is not normalised: A + combining ring stays two characters. */
	assert_canonical("\"A\\u030a\"", "\"A\xcc\x8a\"");
}

Test(jcs, integers_are_written_as_doubles)
{
	/* RFC 8785 reads every number as an IEEE 754 double: 2^53 + 1 becomes 2^53. */
	json_t *value = json_integer(9007199254740993LL);
	cairn_buf out = CAIRN_BUF_INIT;
	cr_assert_eq(cairn_json_canonicalize(value, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "9007199254740992");
	json_decref(value);
	cairn_buf_clear(&out);
	value = json_integer(INT64_MAX);
	cr_assert_eq(cairn_json_canonicalize(value, &out), 0);
	cr_assert_str_eq(cairn_buf_cstr(&out), "9223372036854776000");
	json_decref(value);
	cairn_buf_free(&out);
	assert_canonical("[0, -0, 7, -42, 1.0, 56.0, 1e2]", "[0,0,7,-42,1,56,100]");
}

Test(jcs, refuses_what_has_no_canonical_form_and_leaves_output_untouched)
{
	cairn_buf out = CAIRN_BUF_INIT;
	cairn_buf_append_str(&out, "kept");

	/* A string that is not UTF-8 (possible when built with the _nocheck functions). */
	json_t *array = json_array();
	json_array_append_new(array, json_string("fine"));
	json_array_append_new(array, json_stringn_nocheck("\xed\xa0\x80", 3)); /* an encoded surrogate */
	cr_assert_eq(cairn_json_canonicalize(array, &out), CAIRN_EINVAL);
	cr_assert(strstr(cairn_error_message(), "UTF-8") != NULL);
	cr_assert_str_eq(cairn_buf_cstr(&out), "kept");
	json_decref(array);

	json_t *object = json_object();
	json_object_set_new_nocheck(object, "\xc0\xaf", json_null()); /* overlong '/' */
	cr_assert_eq(cairn_json_canonicalize(object, &out), CAIRN_EINVAL);
	cr_assert_str_eq(cairn_buf_cstr(&out), "kept");
	json_decref(object);

	/* Nesting past the bound, built in memory. */
	json_t *root = json_array(), *tip = root;
	for (int i = 0; i < 1000; i++) {
		json_t *inner = json_array();
		json_array_append_new(tip, inner);
		tip = inner;
	}
	cr_assert_eq(cairn_json_canonicalize(root, &out), CAIRN_ETOOBIG);
	cr_assert_str_eq(cairn_buf_cstr(&out), "kept");
	json_decref(root);
	cairn_buf_free(&out);
}

/* canonicalize(parse(canonicalize(x))) == canonicalize(x). */
Test(jcs, canonical_form_is_a_fixed_point)
{
	static const char *inputs[] = {
		"{\"b\": [1e20, 1e21, 1e-7, 0.000001, -0.0, 123456789012345678901234567890], \"a\": \"x\"}",
		"[9223372036854775807, -9223372036854775808, 9223372036854775808, -9223372036854775809]",
		"[9007199254740993, 4.35, 0.1, 1.7976931348623157e308, 5e-324, 2.5e-323]",
		"{\"\\u20ac\": {\"\\ud83d\\ude00\": [\"\\u0001\\u001f\\b\\f\\n\\r\\t\", {}], \"\\uffff\": null}}",
		"[[[[[[[[[[true]]]]]]]]], {\"deep\": {\"deeper\": {\"deepest\": false}}}]",
		"\"\\\\u0000 written out, and a \\\\ backslash\"",
		"[1, 1.0, 1.5, -1.5e300, 3.0e-310]",
	};
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		char *first = canonical_of(inputs[i]);
		char *second = canonical_of(first);
		cr_assert_str_eq(second, first, "input %s", inputs[i]);
		free(first);
		free(second);
	}
}

/* ---------------------------------------------------------------------------------------------
 * Parsing with limits. */

Test(json, parses_a_document)
{
	json_t *value;
	cr_assert_eq(parse_str(&value, "{\"a\": [1, 2.5, \"x\", true, null]}", NULL, "doc.json"), 0);
	cr_assert(json_is_object(value));
	json_t *a = json_object_get(value, "a");
	cr_assert_eq(json_array_size(a), 5);
	cr_assert_eq(json_integer_value(json_array_get(a, 0)), 1);
	cr_assert_float_eq(json_real_value(json_array_get(a, 1)), 2.5, 0);
	json_decref(value);
	/* Any value may be the top level (RFC 8259). */
	cr_assert_eq(parse_str(&value, " 42 ", NULL, NULL), 0);
	cr_assert_eq(json_integer_value(value), 42);
	json_decref(value);
}

Test(json, refuses_over_the_size_limit_before_parsing)
{
	cairn_json_limits limits = {.max_bytes = 10, .max_depth = 0};
	json_t *value;
	cr_assert_eq(parse_str(&value, "[1,2,3,4]", &limits, "doc.json"), 0); /* 9 bytes */
	json_decref(value);
	assert_refused("[1,2,3,4,5]", 11, &limits, CAIRN_ETOOBIG, "larger than the limit of 10 bytes");
	/* Refused by its length alone: this text would not even parse. */
	assert_refused("garbage garbage", 15, &limits, CAIRN_ETOOBIG, "15 bytes");
}

Test(json, refuses_nesting_past_the_depth_limit)
{
	cairn_json_limits limits = {.max_bytes = 0, .max_depth = 5};
	json_t *value;
	cr_assert_eq(parse_str(&value, "[{\"a\":[[{}]]}]", &limits, "doc.json"), 0); /* exactly 5 */
	json_decref(value);
	/* The sixth opening bracket is at line 2, column 3. */
	assert_refused("[{\"a\":[[\n [[]]]]}]", 18, &limits, CAIRN_ETOOBIG, "doc.json:2:3: nested deeper than the limit of 5");
	/* Brackets inside strings, even after escaped quotes, are not nesting. */
	cr_assert_eq(parse_str(&value, "[\"[[[[[[[[\\\"[[[[{{{{\", \"\\\\\", [[[]]]]", &limits, "doc.json"), 0);
	json_decref(value);
	/* The default limit. */
	char deep[2 * 129 + 1];
	memset(deep, '[', 129);
	memset(deep + 129, ']', 129);
	assert_refused(deep, 258, NULL, CAIRN_ETOOBIG, "limit of 128");
	cr_assert_eq(cairn_json_parse(&value, deep + 1, 256, NULL, "doc.json"), 0);
	json_decref(value);
}

Test(json, refuses_a_very_deep_document_quickly)
{
	enum { DEPTH = 100000 };
	char *deep = malloc(2 * DEPTH);
	cr_assert_not_null(deep);
	memset(deep, '[', DEPTH);
	memset(deep + DEPTH, ']', DEPTH);
	clock_t start = clock();
	assert_refused(deep, 2 * DEPTH, NULL, CAIRN_ETOOBIG, "doc.json:1:129: nested deeper");
	/* Unclosed, and with objects: the same. */
	for (size_t i = 0; i + 5 <= DEPTH; i += 5)
		memcpy(deep + i, "{\"a\":", 5);
	assert_refused(deep, DEPTH, NULL, CAIRN_ETOOBIG, "nested deeper");
	cr_assert_lt((double)(clock() - start) / CLOCKS_PER_SEC, 1.0);
	free(deep);
}

Test(json, refuses_duplicate_keys)
{
	const char *doc = "{\"a\": 1, \"a\": 2}";
	assert_refused(doc, strlen(doc), NULL, CAIRN_EINVAL, "duplicate object key");
	doc = "[{\"x\": {\"k\": true, \"j\": 0, \"k\": false}}]";
	assert_refused(doc, strlen(doc), NULL, CAIRN_EINVAL, "duplicate object key");
	/* The same name written two ways is still a duplicate. */
	doc = "{\"\\u0061\": 1, \"a\": 2}";
	assert_refused(doc, strlen(doc), NULL, CAIRN_EINVAL, "duplicate object key");
}

Test(json, refuses_trailing_data)
{
	assert_refused("{} x", 4, NULL, CAIRN_EINVAL, "end of file expected");
	assert_refused("[1]]", 4, NULL, CAIRN_EINVAL, "end of file expected");
	assert_refused("{\"a\":1}{\"b\":2}", 14, NULL, CAIRN_EINVAL, "end of file expected");
	assert_refused("1 2", 3, NULL, CAIRN_EINVAL, "end of file expected");
	assert_refused("[1]\0", 4, NULL, CAIRN_EINVAL, "doc.json:1:");
	/* Trailing whitespace is not data. */
	json_t *value;
	cr_assert_eq(parse_str(&value, "[1] \n\t ", NULL, "doc.json"), 0);
	json_decref(value);
}

Test(json, refuses_invalid_utf8)
{
	static const char *bad[] = {
		"[\"\xff\"]",             /* never valid */
		"[\"\xc0\xaf\"]",         /* overlong '/' */
		"[\"\xe0\x80\xaf\"]",     /* overlong, three bytes */
		"[\"\xed\xa0\x80\"]",     /* an encoded surrogate (U+D800) */
		"[\"\xf4\x90\x80\x80\"]", /* above U+10FFFF */
		"[\"\xe2\x82\"]",         /* truncated */
		"[\"\x80\"]",             /* a lone continuation byte */
		"{\"\xff\": 1}",          /* in a key */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_refused(bad[i], strlen(bad[i]), NULL, CAIRN_EINVAL, "invalid UTF-8");
}

Test(json, refuses_lone_surrogate_escapes)
{
	static const char *bad[] = {"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud83d x\"",
				    "\"\\ude00\\ud83d\"", "{\"\\udbff\": 1}"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_refused(bad[i], strlen(bad[i]), NULL, CAIRN_EINVAL, "invalid Unicode");
	/* A proper pair is U+1F600, four bytes of UTF-8. */
	json_t *value;
	cr_assert_eq(parse_str(&value, "\"\\ud83d\\ude00\"", NULL, "doc.json"), 0);
	cr_assert_str_eq(json_string_value(value), "\xf0\x9f\x98\x80");
	json_decref(value);
}

Test(json, refuses_nul_characters)
{
	assert_refused("[\"a\\u0000b\"]", 12, NULL, CAIRN_EINVAL, "\\u0000 is not allowed");
	assert_refused("{\"a\\u0000\": 1}", 14, NULL, CAIRN_EINVAL, "\\u0000");
	assert_refused("[\"a\0b\"]", 7, NULL, CAIRN_EINVAL, "control character");
}

Test(json, refuses_other_malformed_input)
{
	assert_refused("", 0, NULL, CAIRN_EINVAL, "doc.json:1:0:");
	assert_refused("[01]", 4, NULL, CAIRN_EINVAL, "invalid token");
	assert_refused("[1,]", 4, NULL, CAIRN_EINVAL, "doc.json:1:");
	assert_refused("{'a': 1}", 8, NULL, CAIRN_EINVAL, "doc.json:1:");
	assert_refused("[NaN]", 5, NULL, CAIRN_EINVAL, "invalid token");
	assert_refused("[1e400]", 7, NULL, CAIRN_EINVAL, "real number overflow");
	assert_refused("\xef\xbb\xbf[]", 5, NULL, CAIRN_EINVAL, "doc.json:1:"); /* a byte order mark */
}

Test(json, errors_name_the_input_line_and_column)
{
	json_t *value;
	const char *doc = "{\n  \"a\": [1, 2],\n  \"b\": tru\n}";
	cr_assert_eq(parse_str(&value, doc, NULL, "policy.json"), CAIRN_EINVAL);
	cr_assert_str_eq(cairn_error_message(), "policy.json:3:10: invalid token near 'tru'");
	cr_assert_eq(parse_str(&value, "[1, 2", NULL, NULL), CAIRN_EINVAL);
	cr_assert(strncmp(cairn_error_message(), "JSON document:1:", 16) == 0, "%s", cairn_error_message());
}

/* Integers beyond 64 bits are read as the nearest double (RFC 8785 reads every number so);
 * integers that fit stay exact. */
Test(json, integers_beyond_64_bits_are_read_as_doubles)
{
	json_t *value;
	cr_assert_eq(parse_str(&value,
			       "[9223372036854775807, -9223372036854775808, 9223372036854775808, -9223372036854775809,"
			       " 100000000000000000000, {\"n\": 123456789012345678901234567890}, \"99999999999999999999\"]",
			       NULL, "doc.json"),
		     0);
	cr_assert(json_is_integer(json_array_get(value, 0)));
	cr_assert_eq(json_integer_value(json_array_get(value, 0)), INT64_MAX);
	cr_assert(json_is_integer(json_array_get(value, 1)));
	cr_assert_eq(json_integer_value(json_array_get(value, 1)), INT64_MIN);
	cr_assert(json_is_real(json_array_get(value, 2)));
	cr_assert_float_eq(json_real_value(json_array_get(value, 2)), 9223372036854775808.0, 0);
	cr_assert(json_is_real(json_array_get(value, 3)));
	cr_assert_float_eq(json_real_value(json_array_get(value, 3)), -9223372036854775808.0, 0);
	cr_assert_float_eq(json_real_value(json_array_get(value, 4)), 1e20, 0);
	cr_assert_float_eq(json_real_value(json_object_get(json_array_get(value, 5), "n")), 1.2345678901234568e29, 0);
	cr_assert_str_eq(json_string_value(json_array_get(value, 6)), "99999999999999999999", "strings untouched");
	json_decref(value);
	/* Malformed big numbers stay malformed. */
	assert_refused("[012345678901234567890]", 23, NULL, CAIRN_EINVAL, "invalid token");
	assert_refused("[-]", 3, NULL, CAIRN_EINVAL, "doc.json:1:");
}

Test(json, parse_file_reads_and_names_the_file)
{
	char path[] = "/tmp/cairn-json-test-XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	const char *doc = "{\"ok\": true}";
	cr_assert_eq(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
	close(fd);
	json_t *value;
	cr_assert_eq(cairn_json_parse_file(&value, path), 0);
	cr_assert(json_is_true(json_object_get(value, "ok")));
	json_decref(value);

	fd = open(path, O_WRONLY | O_TRUNC);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, "{\"ok\": }", 8), 8);
	close(fd);
	cr_assert_eq(cairn_json_parse_file(&value, path), CAIRN_EINVAL);
	cr_assert_null(value);
	cr_assert(strncmp(cairn_error_message(), path, strlen(path)) == 0, "%s", cairn_error_message());
	unlink(path);
	cr_assert_eq(cairn_json_parse_file(&value, path), CAIRN_ENOENT);
}
