/* Tests of sim/out/results.c: every file of a run into the directory given. */
#include "fixture.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "sim/error.h"
#include "sim/out/results.h"

/* The writers write into a directory that exists (sim/out/outdir.h makes it). */
static void write_ok(Fixture *f, const char *dir)
{
    GError *error = NULL;
    assert_int_equal(g_mkdir_with_parents(dir, 0777), 0);
    assert_true(sim_results_write(f->recorder, f->totals, dir, NULL, &error));
    g_assert_no_error(error);
}

static void test_results_are_byte_identical_when_written_twice(void **state)
{
    Fixture *f = *state;
    g_autofree char *one = g_build_filename(f->tmp, "one", NULL);
    g_autofree char *two = g_build_filename(f->tmp, "nested", "two", NULL);
    write_ok(f, one);
    write_ok(f, two);
    const char *files[] = {"host.csv", "vms.csv", "summary.json", "esxtop.csv"};
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *a = fixture_read(one, files[i]);
        g_autofree char *b = fixture_read(two, files[i]);
        assert_string_equal(a, b);
    }
}

static void test_results_are_four_files_in_the_directory_given(void **state)
{
    Fixture *f = *state;
    write_ok(f, f->tmp);
    g_autofree char *entries = test_list_dir(f->tmp);
    assert_string_equal(entries, "esxtop.csv host.csv summary.json vms.csv");
}

/* Messages name the file in the directory the user gave, not the one written. */
static void test_results_write_error_names_the_shown_directory(void **state)
{
    Fixture *f = *state;
    g_autofree char *blocker = g_build_filename(f->tmp, "vms.csv", NULL);
    assert_int_equal(g_mkdir(blocker, 0777), 0); /* fopen("vms.csv", "w") fails: EISDIR */
    GError *error = NULL;
    assert_false(sim_results_write(f->recorder, f->totals, f->tmp, "out/x", &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_IO));
    g_autofree char *want =
        g_strdup_printf("out/x/vms.csv: error: cannot write: %s", g_strerror(EISDIR));
    assert_string_equal(error->message, want);
    g_clear_error(&error);
    /* It stopped at vms.csv: host.csv was written, summary.json was not. */
    g_autofree char *entries = test_list_dir(f->tmp);
    assert_string_equal(entries, "host.csv vms.csv");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_results_are_byte_identical_when_written_twice),
        FIXTURE_TEST(test_results_are_four_files_in_the_directory_given),
        FIXTURE_TEST(test_results_write_error_names_the_shown_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
