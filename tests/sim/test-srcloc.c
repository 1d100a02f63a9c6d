/* Source locations: JSON pointers to offsets, offsets to line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/srcloc.h"

static const char doc[] =
    "{\n"
    "  \"name\": \"a \\\"quoted\\\" {[ name\",\n"
    "  \"host\": {\"memory\": \"16GiB\", \"swap\": {\"cache\": {\"size\": 0}}},\n"
    "  \"vms\": [\n"
    "    {\"name\": \"web\", \"tags\": [1, [2, 3], {\"x\": \"]\"}]},\n"
    "    {\"name\": \"db\", \"memory\": 4096}\n"
    "  ],\n"
    "  \"a/b\": 1, \"m~n\": 2, \"caf\\u00e9\": 3, \"\\ud83d\\ude00\": 4\n"
    "}\n";

/* Line and column of `pointer` in doc, or fails the test when it is not found. */
static void where(const char *pointer, SimSrcLocTarget target, guint *line, guint *col)
{
    g_autoptr(SimSrcLoc) loc = sim_srcloc_new(doc, strlen(doc));
    gsize offset = 0;
    if (!sim_srcloc_find(loc, pointer, target, &offset)) {
        fail_msg("%s not found", pointer);
    }
    sim_srcloc_line_col(loc, offset, line, col);
}

static void assert_at(const char *pointer, SimSrcLocTarget target, guint line, guint col)
{
    guint l = 0;
    guint c = 0;
    where(pointer, target, &l, &c);
    if (l != line || c != col) {
        fail_msg("%s: got %u:%u, want %u:%u", pointer, l, c, line, col);
    }
}

static void test_srcloc_empty_pointer_is_the_whole_document(void **state)
{
    (void)state;
    assert_at("", SIM_SRCLOC_VALUE, 1, 1);
    g_autoptr(SimSrcLoc) loc = sim_srcloc_new("\n\n  [1]", 7);
    gsize offset = 0;
    assert_true(sim_srcloc_find(loc, "", SIM_SRCLOC_VALUE, &offset));
    assert_int_equal(offset, 4);
}

static void test_srcloc_finds_nested_member_values(void **state)
{
    (void)state;
    assert_at("/host", SIM_SRCLOC_VALUE, 3, 11);
    assert_at("/host/memory", SIM_SRCLOC_VALUE, 3, 22);
    assert_at("/host/swap/cache/size", SIM_SRCLOC_VALUE, 3, 58);
}

static void test_srcloc_finds_member_keys(void **state)
{
    (void)state;
    assert_at("/host/memory", SIM_SRCLOC_KEY, 3, 12);
    assert_at("/vms", SIM_SRCLOC_KEY, 4, 3);
    assert_at("/vms/1/memory", SIM_SRCLOC_KEY, 6, 20);
}

static void test_srcloc_finds_array_elements(void **state)
{
    (void)state;
    assert_at("/vms/0", SIM_SRCLOC_VALUE, 5, 5);
    assert_at("/vms/1", SIM_SRCLOC_VALUE, 6, 5);
    assert_at("/vms/1/memory", SIM_SRCLOC_VALUE, 6, 30);
    assert_at("/vms/0/tags/1/1", SIM_SRCLOC_VALUE, 5, 37);
    /* An array element has no key: KEY gives its value. */
    assert_at("/vms/1", SIM_SRCLOC_KEY, 6, 5);
}

static void test_srcloc_skips_strings_with_escapes_and_brackets(void **state)
{
    (void)state;
    /* The name holds \" and brackets; the tags hold "]" inside an object. */
    assert_at("/host", SIM_SRCLOC_KEY, 3, 3);
    assert_at("/vms/0/tags/2/x", SIM_SRCLOC_VALUE, 5, 47);
    assert_at("/vms/1/name", SIM_SRCLOC_VALUE, 6, 14);
}

static void test_srcloc_matches_keys_written_with_escapes(void **state)
{
    (void)state;
    assert_at("/caf\xc3\xa9", SIM_SRCLOC_KEY, 8, 23);
    assert_at("/\xf0\x9f\x98\x80", SIM_SRCLOC_VALUE, 8, 55);
}

static void test_srcloc_unescapes_pointer_tokens(void **state)
{
    (void)state;
    assert_at("/a~1b", SIM_SRCLOC_KEY, 8, 3);
    assert_at("/m~0n", SIM_SRCLOC_VALUE, 8, 20);
}

static void test_srcloc_reports_missing_values(void **state)
{
    (void)state;
    g_autoptr(SimSrcLoc) loc = sim_srcloc_new(doc, strlen(doc));
    gsize offset = 0;
    assert_false(sim_srcloc_find(loc, "/nope", SIM_SRCLOC_VALUE, &offset));
    assert_false(sim_srcloc_find(loc, "/vms/2", SIM_SRCLOC_VALUE, &offset));
    assert_false(sim_srcloc_find(loc, "/vms/01", SIM_SRCLOC_VALUE, &offset));
    assert_false(sim_srcloc_find(loc, "/vms/x", SIM_SRCLOC_VALUE, &offset));
    assert_false(sim_srcloc_find(loc, "/host/memory/x", SIM_SRCLOC_VALUE, &offset));
    assert_false(sim_srcloc_find(loc, "host", SIM_SRCLOC_VALUE, &offset));
}

static void test_srcloc_column_counts_characters_not_bytes(void **state)
{
    (void)state;
    const char text[] = "{\"d\": \"gr\xc3\xb6\xc3\x9f"
                        "e\", \"x\": 1}";
    g_autoptr(SimSrcLoc) loc = sim_srcloc_new(text, strlen(text));
    gsize offset = 0;
    guint line = 0;
    guint col = 0;
    assert_true(sim_srcloc_find(loc, "/x", SIM_SRCLOC_KEY, &offset));
    assert_int_equal(offset, 17);
    sim_srcloc_line_col(loc, offset, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 16); /* 17 bytes, 15 characters before it */
}

static void test_srcloc_line_col_of_line_starts_and_the_end(void **state)
{
    (void)state;
    g_autoptr(SimSrcLoc) loc = sim_srcloc_new("ab\ncd\n\nx", 8);
    guint line = 0;
    guint col = 0;
    sim_srcloc_line_col(loc, 0, &line, &col);
    assert_true(line == 1 && col == 1);
    sim_srcloc_line_col(loc, 2, &line, &col); /* the newline ends line 1 */
    assert_true(line == 1 && col == 3);
    sim_srcloc_line_col(loc, 3, &line, &col);
    assert_true(line == 2 && col == 1);
    sim_srcloc_line_col(loc, 6, &line, &col);
    assert_true(line == 3 && col == 1);
    sim_srcloc_line_col(loc, 7, &line, &col);
    assert_true(line == 4 && col == 1);
    sim_srcloc_line_col(loc, 100, &line, &col);
    assert_true(line == 4 && col == 2);
}

static void test_srcloc_keeps_text_with_nul_bytes(void **state)
{
    (void)state;
    g_autoptr(SimSrcLoc) loc = sim_srcloc_new("a\0b\nc", 5);
    guint line = 0;
    guint col = 0;
    sim_srcloc_line_col(loc, 4, &line, &col);
    assert_true(line == 2 && col == 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_srcloc_empty_pointer_is_the_whole_document),
        cmocka_unit_test(test_srcloc_finds_nested_member_values),
        cmocka_unit_test(test_srcloc_finds_member_keys),
        cmocka_unit_test(test_srcloc_finds_array_elements),
        cmocka_unit_test(test_srcloc_skips_strings_with_escapes_and_brackets),
        cmocka_unit_test(test_srcloc_matches_keys_written_with_escapes),
        cmocka_unit_test(test_srcloc_unescapes_pointer_tokens),
        cmocka_unit_test(test_srcloc_reports_missing_values),
        cmocka_unit_test(test_srcloc_column_counts_characters_not_bytes),
        cmocka_unit_test(test_srcloc_line_col_of_line_starts_and_the_end),
        cmocka_unit_test(test_srcloc_keeps_text_with_nul_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
