/* Tests of sim/out/outfile.c on a real file system: lines, errors and the
 * full disk of /dev/full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "sim/error.h"
#include "sim/out/outfile.h"
#include "support/testutil.h"

static void test_outfile_writes_the_lines_flushed_in_order(void **state)
{
    const char *tmp = *state;
    GError *error = NULL;
    SimOutfile *f = sim_outfile_open_in(tmp, NULL, "a.csv", &error);
    g_assert_no_error(error);
    assert_non_null(f);
    g_string_append(sim_outfile_line(f), "x,y\n");
    sim_outfile_flush_line(f);
    assert_int_equal(sim_outfile_line(f)->len, 0);
    g_string_append(sim_outfile_line(f), "1,2\n");
    sim_outfile_flush_line(f);
    assert_false(sim_outfile_failed(f));
    assert_true(sim_outfile_close(f, &error));
    g_assert_no_error(error);
    g_autofree char *path = g_build_filename(tmp, "a.csv", NULL);
    g_autofree char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    assert_string_equal(text, "x,y\n1,2\n");
}

/* An existing file is replaced, not appended to. */
static void test_outfile_truncates_an_existing_file(void **state)
{
    const char *tmp = *state;
    g_autofree char *path = g_build_filename(tmp, "b.csv", NULL);
    assert_true(g_file_set_contents(path, "old old old\n", -1, NULL));
    SimOutfile *f = sim_outfile_open(path, NULL, NULL);
    assert_non_null(f);
    g_string_append(sim_outfile_line(f), "new\n");
    sim_outfile_flush_line(f);
    assert_true(sim_outfile_close(f, NULL));
    g_autofree char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    assert_string_equal(text, "new\n");
}

/* Messages name the file in the directory the user gave, not the one opened. */
static void test_outfile_open_error_names_the_shown_file(void **state)
{
    const char *tmp = *state;
    g_autofree char *blocker = g_build_filename(tmp, "vms.csv", NULL);
    assert_int_equal(g_mkdir(blocker, 0777), 0); /* fopen("vms.csv", "w") fails: EISDIR */
    GError *error = NULL;
    assert_null(sim_outfile_open_in(tmp, "out/x", "vms.csv", &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_IO));
    g_autofree char *want =
        g_strdup_printf("out/x/vms.csv: error: cannot write: %s", g_strerror(EISDIR));
    assert_string_equal(error->message, want);
    g_clear_error(&error);
}

/* /dev/full takes the open and fails the writes with ENOSPC, as a full disk
 * does: small lines fail at the flush in close, a line larger than stdio's
 * buffer at once; either way close reports it, naming the shown file. */
static void test_outfile_full_disk_fails_at_close_with_enospc(void **state)
{
    (void)state;
    if (access("/dev/full", W_OK) != 0) {
        skip();
    }
    GError *error = NULL;
    SimOutfile *f = sim_outfile_open("/dev/full", "out/x/host.csv", &error);
    g_assert_no_error(error);
    g_string_append(sim_outfile_line(f), "time_s\n");
    sim_outfile_flush_line(f);
    assert_false(sim_outfile_close(f, &error));
    g_autofree char *want =
        g_strdup_printf("out/x/host.csv: error: cannot write: %s", g_strerror(ENOSPC));
    assert_string_equal(error->message, want);
    g_clear_error(&error);

    f = sim_outfile_open("/dev/full", "out/x/vms.csv", &error);
    g_assert_no_error(error);
    GString *line = sim_outfile_line(f);
    g_string_set_size(line, 1 << 20); /* past any stdio buffer */
    memset(line->str, 'x', line->len);
    sim_outfile_flush_line(f);
    assert_true(sim_outfile_failed(f));
    assert_false(sim_outfile_close(f, &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_IO));
    assert_true(g_str_has_suffix(error->message, g_strerror(ENOSPC)));
    g_clear_error(&error);
}

/* The JSON outputs' layout: indented by 2, keys in the order set, reals
 * rounded to 4 decimals (-0 as 0, NaN as null), a seed past INT64_MAX as a
 * string, and a final newline. */
static void test_outfile_writes_json_in_the_outputs_layout(void **state)
{
    const char *tmp = *state;
    json_t *root = json_object();
    json_object_set_new(root, "z", sim_outfile_json_real(1.234567));
    json_object_set_new(root, "a", sim_outfile_json_real(-0.00001));
    json_object_set_new(root, "nan", sim_outfile_json_real(NAN));
    json_object_set_new(root, "seed", sim_outfile_json_seed(42));
    json_object_set_new(root, "big", sim_outfile_json_seed(G_MAXUINT64));
    GError *error = NULL;
    assert_true(sim_outfile_write_json(tmp, "out/x", "s.json", root, &error));
    g_assert_no_error(error);
    json_decref(root);
    g_autofree char *path = g_build_filename(tmp, "s.json", NULL);
    g_autofree char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    assert_string_equal(text, "{\n  \"z\": 1.2346,\n  \"a\": 0.0,\n  \"nan\": null,\n"
                              "  \"seed\": 42,\n  \"big\": \"18446744073709551615\"\n}\n");
}

/* A tree jansson cannot encode (a string that is not UTF-8) makes no file
 * and fails naming the shown file. */
static void test_outfile_json_that_cannot_be_encoded_makes_no_file(void **state)
{
    const char *tmp = *state;
    json_t *root = json_object();
    json_object_set_new(root, "name", json_stringn_nocheck("a\xff", 2));
    GError *error = NULL;
    assert_false(sim_outfile_write_json(tmp, "out/x", "s.json", root, &error));
    json_decref(root);
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_IO));
    assert_string_equal(error->message, "out/x/s.json: error: cannot write: cannot encode JSON");
    g_clear_error(&error);
    g_autofree char *path = g_build_filename(tmp, "s.json", NULL);
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

/* An exact half in binary (2189.90625 MiB, a page count in MiB) rounds
 * away from zero in the JSON value, and the CSV cell printed from
 * sim_outfile_round shows the same digits; printf alone shows 2189.9062.
 * compare.csv and compare.json disagreed this way (test-compare). */
static void test_outfile_round_is_the_json_value_and_prints_the_same(void **state)
{
    (void)state;
    const double halves[] = {2189.90625, -2189.90625, 0.00005, 1.23445};
    for (size_t i = 0; i < G_N_ELEMENTS(halves); i++) {
        json_t *real = sim_outfile_json_real(halves[i]);
        assert_true(json_real_value(real) == sim_outfile_round(halves[i]));
        json_decref(real);
    }
    assert_true(sim_outfile_round(2189.90625) == 2189.9063);
    assert_true(sim_outfile_round(-2189.90625) == -2189.9063);
    char cell[32];
    g_snprintf(cell, sizeof cell, "%.4f", sim_outfile_round(2189.90625));
    assert_string_equal(cell, "2189.9063");
    assert_true(signbit(sim_outfile_round(-0.00001)) == 0); /* -0 is 0 */
}

#define TMP_TEST(test)                                                                             \
    cmocka_unit_test_setup_teardown(test, test_tmpdir_setup, test_tmpdir_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TMP_TEST(test_outfile_writes_the_lines_flushed_in_order),
        TMP_TEST(test_outfile_truncates_an_existing_file),
        TMP_TEST(test_outfile_open_error_names_the_shown_file),
        cmocka_unit_test(test_outfile_full_disk_fails_at_close_with_enospc),
        TMP_TEST(test_outfile_writes_json_in_the_outputs_layout),
        TMP_TEST(test_outfile_json_that_cannot_be_encoded_makes_no_file),
        cmocka_unit_test(test_outfile_round_is_the_json_value_and_prints_the_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
