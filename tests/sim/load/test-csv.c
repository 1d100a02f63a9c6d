/* The one CSV reader (sim/load/csv.c): its dialects, line numbers and text checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim/error.h"
#include "sim/load/csv.h"

/*
 * Reads `text` to the end and shows what the reader made of it, one line
 * read a line: "LINE:[cell|cell]" (with "@COL" after each cell when
 * `cols`), so that each test compares the whole reading with one string.
 */
static char *read_all(const char *text, char separator, SimCsvFlags flags, bool cols)
{
    g_autofree char *copy = g_strdup(text);
    g_autoptr(SimCsv) csv = sim_csv_new("t.csv", copy, separator, flags);
    GString *out = g_string_new(NULL);
    while (sim_csv_next(csv, NULL) == SIM_CSV_LINE) {
        g_string_append_printf(out, "%u:[", sim_csv_line(csv));
        for (guint i = 0; i < sim_csv_n_cells(csv); i++) {
            g_string_append_printf(out, "%s%s", i > 0 ? "|" : "", sim_csv_cell(csv, i));
            if (cols) {
                g_string_append_printf(out, "@%u", sim_csv_col(csv, i));
            }
        }
        g_string_append(out, "]\n");
    }
    g_string_append_printf(out, "end %u", sim_csv_line(csv));
    return g_string_free(out, FALSE);
}

static void check(const char *text, char separator, SimCsvFlags flags, const char *expected)
{
    g_autofree char *got = read_all(text, separator, flags, false);
    assert_string_equal(got, expected);
}

static void test_csv_plain_splits_at_every_separator_and_keeps_a_trailing_empty_cell(void **state)
{
    (void)state;
    check("a,b,,c,\n\"q,r\"\n", ',', SIM_CSV_PLAIN, "1:[a|b||c|]\n2:[\"q|r\"]\nend 2");
}

static void test_csv_crlf_line_ends_drop_one_cr_in_plain_files(void **state)
{
    (void)state;
    check("a,b\r\nc\r\r\n\r\nd", ',', SIM_CSV_PLAIN, "1:[a|b]\n2:[c\r]\n4:[d]\nend 4");
}

static void test_csv_quoted_cells_hold_separators_and_end_at_the_closing_quote(void **state)
{
    (void)state;
    check("\"a,b\",\"c\"d,\"e\n", ',', SIM_CSV_PDH, "1:[a,b|cd|e]\nend 1");
}

static void test_csv_doubled_quotes_inside_a_quoted_cell_are_one_quote(void **state)
{
    (void)state;
    check("\"say \"\"hi\"\"\",\"\"\"\"\n", ',', SIM_CSV_PDH, "1:[say \"hi\"|\"]\nend 1");
}

static void test_csv_a_trailing_comma_gives_no_cell_in_esxtop_captures(void **state)
{
    (void)state;
    check("\"a\",\"b\",\n\"c\",,\n\"d\"\n", ',', SIM_CSV_PDH, "1:[a|b]\n2:[c|]\n3:[d]\nend 3");
}

static void test_csv_an_unquoted_cell_runs_to_the_next_comma_with_its_quotes(void **state)
{
    (void)state;
    /* esxtop's T-state cell: the quotes inside it are text, the columns after it stay */
    check("\"t\",   -\"\\\\h\\x\",\"next\",\n", ',', SIM_CSV_PDH,
          "1:[t|   -\"\\\\h\\x\"|next]\nend 1");
}

static void test_csv_esxtop_captures_drop_every_cr_and_skip_lines_of_one_empty_cell(void **state)
{
    (void)state;
    check("\"a\",\r\r\n,\n\"\"\n\r\n\"b\"", ',', SIM_CSV_PDH, "1:[a]\n5:[b]\nend 5");
}

static void test_csv_trimmed_traces_skip_blank_lines_and_comments(void **state)
{
    (void)state;
    check("# head\n  a , b \r\n \t\n#x,y\nc;d\n", ',', SIM_CSV_TRIM | SIM_CSV_COMMENTS,
          "2:[a | b]\n5:[c;d]\nend 5");
    check("# not a comment\n 1;2 \n", ';', SIM_CSV_TRIM, "1:[# not a comment]\n2:[1|2]\nend 2");
}

static void test_csv_an_empty_file_has_no_line(void **state)
{
    (void)state;
    check("", ',', SIM_CSV_PLAIN, "end 0");
    check("\n\r\n", ',', SIM_CSV_PLAIN, "end 2");
    check(" \n\t\n", ';', SIM_CSV_TRIM, "end 2");
}

static void test_csv_columns_are_bytes_from_the_start_of_the_line_as_written(void **state)
{
    (void)state;
    g_autofree char *trim = read_all("  ab, c\n", ',', SIM_CSV_TRIM, true);
    assert_string_equal(trim, "1:[ab@3| c@6]\nend 1");
    g_autofree char *pdh = read_all("\"x\"\"y\",\xc3\xa9,z\n", ',', SIM_CSV_PDH, true);
    assert_string_equal(pdh, "1:[x\"y@1|\xc3\xa9@8|z@11]\nend 1");
}

static void test_csv_a_nul_byte_is_found_at_its_line_and_byte_column(void **state)
{
    (void)state;
    const char text[] = "ab\nc\xc3\xa9\0d\n";
    guint line = 0, col = 0;
    assert_true(sim_csv_find_nul(text, sizeof text - 1, &line, &col));
    assert_int_equal(line, 2);
    assert_int_equal(col, 4);
    assert_false(sim_csv_find_nul(text, 5, &line, &col));
}

static void test_csv_check_text_names_the_line_of_a_nul_byte(void **state)
{
    (void)state;
    const char text[] = "time_s\n0,web\0";
    g_autoptr(GError) e = NULL;
    assert_false(sim_csv_check_text("web.csv", text, sizeof text - 1, &e));
    assert_true(g_error_matches(e, SIM_ERROR, SIM_ERROR_VALUE));
    assert_string_equal(e->message, "web.csv:2: a NUL byte at column 6: not a text file");
    assert_true(sim_csv_check_text("web.csv", text, sizeof text - 2, NULL));
}

static void test_csv_more_cells_than_the_limit_is_an_error_at_its_line_and_column(void **state)
{
    (void)state;
    g_autofree char *text = g_strdup("a,b\n\nc,d,e,f\n");
    g_autoptr(SimCsv) csv = sim_csv_new("run/host.csv", text, ',', SIM_CSV_PLAIN);
    sim_csv_set_max_cells(csv, 3);
    g_autoptr(GError) e = NULL;
    assert_int_equal(sim_csv_next(csv, &e), SIM_CSV_LINE);
    assert_int_equal(sim_csv_next(csv, &e), SIM_CSV_FAILED);
    assert_true(g_error_matches(e, SIM_ERROR, SIM_ERROR_PARSE));
    assert_string_equal(e->message, "run/host.csv:3:7: error: more than 3 columns");
    assert_int_equal(sim_error_exit_code(e), SIM_EXIT_BAD_INPUT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_plain_splits_at_every_separator_and_keeps_a_trailing_empty_cell),
        cmocka_unit_test(test_csv_crlf_line_ends_drop_one_cr_in_plain_files),
        cmocka_unit_test(test_csv_quoted_cells_hold_separators_and_end_at_the_closing_quote),
        cmocka_unit_test(test_csv_doubled_quotes_inside_a_quoted_cell_are_one_quote),
        cmocka_unit_test(test_csv_a_trailing_comma_gives_no_cell_in_esxtop_captures),
        cmocka_unit_test(test_csv_an_unquoted_cell_runs_to_the_next_comma_with_its_quotes),
        cmocka_unit_test(test_csv_esxtop_captures_drop_every_cr_and_skip_lines_of_one_empty_cell),
        cmocka_unit_test(test_csv_trimmed_traces_skip_blank_lines_and_comments),
        cmocka_unit_test(test_csv_an_empty_file_has_no_line),
        cmocka_unit_test(test_csv_columns_are_bytes_from_the_start_of_the_line_as_written),
        cmocka_unit_test(test_csv_a_nul_byte_is_found_at_its_line_and_byte_column),
        cmocka_unit_test(test_csv_check_text_names_the_line_of_a_nul_byte),
        cmocka_unit_test(test_csv_more_cells_than_the_limit_is_an_error_at_its_line_and_column),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
