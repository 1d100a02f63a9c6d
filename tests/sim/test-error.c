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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_one_line_escapes_c0_controls_and_del),
        cmocka_unit_test(test_error_one_line_escapes_c1_controls_byte_by_byte),
        cmocka_unit_test(test_error_one_line_keeps_printable_utf8),
        cmocka_unit_test(test_error_one_line_escapes_bytes_that_are_not_utf8),
        cmocka_unit_test(test_error_exit_codes_split_input_from_runtime),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
