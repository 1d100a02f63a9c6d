/* The error domain: exit codes, and messages kept on one line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/error.h"

static void check_line(const char *in, const char *expected)
{
    g_autofree char *out = sim_error_one_line(in);
    assert_string_equal(out, expected);
}

static void test_error_one_line_escapes_c0_controls_and_del(void **state)
{
    (void)state;
    check_line("a\nb", "a\\nb");
    check_line("a\r\n\tb", "a\\r\\n\\tb");
    check_line("bell\a esc\x1b[31m", "bell\\x07 esc\\x1b[31m");
    check_line("del\x7f", "del\\x7f");
}

static void test_error_one_line_escapes_c1_controls_byte_by_byte(void **state)
{
    (void)state;
    /* U+0085 NEXT LINE and U+009B CSI are C1 controls, two bytes each in UTF-8. */
    check_line("x\xc2\x85y\xc2\x9b", "x\\xc2\\x85y\\xc2\\x9b");
}

static void test_error_one_line_keeps_printable_utf8(void **state)
{
    (void)state;
    check_line("caf\xc3\xa9 \xc2\xa0\xe2\x82\xac \"q\" \\",
               "caf\xc3\xa9 \xc2\xa0\xe2\x82\xac \"q\" \\");
}

static void test_error_one_line_escapes_bytes_that_are_not_utf8(void **state)
{
    (void)state;
    /* a lone continuation byte, a truncated sequence at the end */
    check_line("a\x80z\xe2\x82", "a\\x80z\\xe2\\x82");
}

static void test_error_exit_codes_split_input_from_runtime(void **state)
{
    (void)state;
    g_autoptr(GError) range = g_error_new_literal(SIM_ERROR, SIM_ERROR_RANGE, "r");
    g_autoptr(GError) io = g_error_new_literal(SIM_ERROR, SIM_ERROR_IO, "i");
    g_autoptr(GError) other = g_error_new_literal(G_FILE_ERROR, G_FILE_ERROR_NOENT, "o");
    assert_int_equal(sim_error_exit_code(NULL), SIM_EXIT_OK);
    assert_int_equal(sim_error_exit_code(range), SIM_EXIT_BAD_INPUT);
    assert_int_equal(sim_error_exit_code(io), SIM_EXIT_RUNTIME);
    assert_int_equal(sim_error_exit_code(other), SIM_EXIT_RUNTIME);
}

static void test_error_place_leaves_out_a_zero_line_or_column(void **state)
{
    (void)state;
    g_autofree char *whole = sim_error_place("web.csv", 0, 7);
    g_autofree char *line = sim_error_place("web.csv", 3, 0);
    g_autofree char *cell = sim_error_place("web.csv", 3, 9);
    assert_string_equal(whole, "web.csv");
    assert_string_equal(line, "web.csv:3");
    assert_string_equal(cell, "web.csv:3:9");
}

static void test_error_at_is_one_located_error_line_with_its_code(void **state)
{
    (void)state;
    g_autoptr(GError) e = NULL;
    assert_false(sim_error_at(&e, SIM_ERROR_PARSE, "run/host.csv", 12, 4,
                              "expected a number, got \"%s\"", "x"));
    assert_true(g_error_matches(e, SIM_ERROR, SIM_ERROR_PARSE));
    assert_string_equal(e->message, "run/host.csv:12:4: error: expected a number, got \"x\"");
    assert_int_equal(sim_error_exit_code(e), SIM_EXIT_BAD_INPUT);
}

static void test_error_cause_at_has_no_error_word_for_the_caller_to_wrap(void **state)
{
    (void)state;
    g_autoptr(GError) e = NULL;
    assert_false(sim_error_cause_at(&e, SIM_ERROR_VALUE, "web.csv", 3, 0, "time_s %g", 1.5));
    assert_string_equal(e->message, "web.csv:3: time_s 1.5");
    g_autoptr(GError) whole = NULL;
    sim_error_cause_at(&whole, SIM_ERROR_VALUE, "web.csv", 0, 0, "empty trace");
    assert_string_equal(whole->message, "web.csv: empty trace");
}

static void test_error_at_keeps_the_first_error_and_accepts_no_error(void **state)
{
    (void)state;
    g_autoptr(GError) e = NULL;
    sim_error_at(&e, SIM_ERROR_USAGE, "out", 0, 0, "first");
    sim_error_at(&e, SIM_ERROR_IO, "out", 0, 0, "second");
    assert_string_equal(e->message, "out: error: first");
    assert_true(g_error_matches(e, SIM_ERROR, SIM_ERROR_USAGE));
    assert_false(sim_error_at(NULL, SIM_ERROR_USAGE, "out", 0, 0, "dropped"));
}

static void test_warning_at_appends_a_located_line_and_accepts_no_list(void **state)
{
    (void)state;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    sim_warning_at(warnings, "cap.csv", 0, 0, "%u rows skipped", 2u);
    sim_warning_at(warnings, "cap.csv", 5, 2, "odd");
    sim_warning_at(NULL, "cap.csv", 0, 0, "dropped");
    assert_int_equal(warnings->len, 2);
    assert_string_equal(g_ptr_array_index(warnings, 0), "cap.csv: 2 rows skipped");
    assert_string_equal(g_ptr_array_index(warnings, 1), "cap.csv:5:2: odd");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_one_line_escapes_c0_controls_and_del),
        cmocka_unit_test(test_error_one_line_escapes_c1_controls_byte_by_byte),
        cmocka_unit_test(test_error_one_line_keeps_printable_utf8),
        cmocka_unit_test(test_error_one_line_escapes_bytes_that_are_not_utf8),
        cmocka_unit_test(test_error_exit_codes_split_input_from_runtime),
        cmocka_unit_test(test_error_place_leaves_out_a_zero_line_or_column),
        cmocka_unit_test(test_error_at_is_one_located_error_line_with_its_code),
        cmocka_unit_test(test_error_cause_at_has_no_error_word_for_the_caller_to_wrap),
        cmocka_unit_test(test_error_at_keeps_the_first_error_and_accepts_no_error),
        cmocka_unit_test(test_warning_at_appends_a_located_line_and_accepts_no_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
