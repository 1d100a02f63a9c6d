/* Tests of sim/out/format.c: the fixed text of numbers, times and CSV cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sim/out/format.h"

/* sim_format_number(v, decimals) as a string the caller frees. */
static char *number(double v, int decimals)
{
    GString *out = g_string_new(NULL);
    sim_format_number(out, v, decimals);
    return g_string_free(out, FALSE);
}

static void test_format_number_has_fixed_decimals_and_no_negative_zero(void **state)
{
    (void)state;
    g_autofree char *two = number(824.0, 2);
    assert_string_equal(two, "824.00");
    g_autofree char *four = number(0.97, 4);
    assert_string_equal(four, "0.9700");
    g_autofree char *rounded = number(2.345678, 2);
    assert_string_equal(rounded, "2.35");
    /* A rounding residue below zero prints as zero. */
    g_autofree char *residue = number(-0.001, 2);
    assert_string_equal(residue, "0.00");
    g_autofree char *neg_zero = number(-0.0, 0);
    assert_string_equal(neg_zero, "0");
    g_autofree char *negative = number(-0.006, 2);
    assert_string_equal(negative, "-0.01");
}

static void test_format_number_spells_nan_and_infinities_the_same_everywhere(void **state)
{
    (void)state;
    g_autofree char *nan_text = number(NAN, 2);
    g_autofree char *inf = number(INFINITY, 2);
    g_autofree char *ninf = number(-INFINITY, 2);
    assert_string_equal(nan_text, "nan");
    assert_string_equal(inf, "inf");
    assert_string_equal(ninf, "-inf");
    /* The largest double in full: 309 digits and the decimals, not cut. */
    g_autofree char *big = number(1.7976931348623157e308, 2);
    assert_int_equal(strlen(big), 309 + 3);
}

static void test_format_time_is_whole_seconds_or_milliseconds(void **state)
{
    (void)state;
    GString *out = g_string_new(NULL);
    sim_format_time(out, 20.0);
    g_string_append_c(out, ' ');
    sim_format_time(out, 40.5);
    g_string_append_c(out, ' ');
    sim_format_time(out, 0.0004);
    assert_string_equal(out->str, "20 40.500 0.000");
    g_string_free(out, TRUE);
}

static void test_format_csv_text_quotes_only_when_needed(void **state)
{
    (void)state;
    GString *out = g_string_new(NULL);
    const char *cells[] = {"vm-1", "a,b", "say \"hi\"", "two\nlines", "cr\r"};
    for (guint i = 0; i < G_N_ELEMENTS(cells); i++) {
        sim_format_csv_text(out, cells[i]);
        g_string_append_c(out, '|');
    }
    assert_string_equal(out->str, "vm-1|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"|\"cr\r\"|");
    g_string_free(out, TRUE);
}

static void test_format_csv_quoted_always_quotes(void **state)
{
    (void)state;
    GString *out = g_string_new(NULL);
    sim_format_csv_quoted(out, "Free MBytes");
    sim_format_csv_quoted(out, "");
    sim_format_csv_quoted(out, "x\"y");
    assert_string_equal(out->str, "\"Free MBytes\"\"\"\"x\"\"y\"");
    g_string_free(out, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_number_has_fixed_decimals_and_no_negative_zero),
        cmocka_unit_test(test_format_number_spells_nan_and_infinities_the_same_everywhere),
        cmocka_unit_test(test_format_time_is_whole_seconds_or_milliseconds),
        cmocka_unit_test(test_format_csv_text_quotes_only_when_needed),
        cmocka_unit_test(test_format_csv_quoted_always_quotes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
