/* plots/rundata.c on run folders a user or a fuzzer made (issue 9): what
 * the reader refuses, with the one-line error it gives, found by
 * tests/fuzz/fuzz-rundata.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "plots/rundata.h"
#include "sim/error.h"
#include "support/testutil.h"

static const char host_csv[] = "time_s,free_mb,shrdsvd_mb,zip_mb,swcur_mb,mctlsz_mb\n"
                               "0,100,0,0,0,0\n";
static const char vms_header[] = "time_s,vm,memsz_mb,consumed_mb,active_mb,mctlsz_mb,swcur_mb,"
                                 "zip_mb,zsaved_mb,shrd_mb,shrdsvd_mb,stall_pct,perf_index\n";
static const char summary_json[] =
    "{\"host\": {\"thresholds_mb\": {\"high\": 5, \"clear\": 4, \"soft\": 3, \"hard\": 2, "
    "\"low\": 1}}, \"vms\": []}";

/* A run folder in a fresh temporary directory with these three files. */
static char *make_run(const char *host, const char *vms, gssize vms_len, const char *summary)
{
    char *dir = test_tmpdir();
    g_autofree char *h = g_build_filename(dir, "host.csv", NULL);
    g_autofree char *v = g_build_filename(dir, "vms.csv", NULL);
    g_autofree char *s = g_build_filename(dir, "summary.json", NULL);
    assert_true(g_file_set_contents(h, host, -1, NULL));
    assert_true(g_file_set_contents(v, vms, vms_len, NULL));
    assert_true(g_file_set_contents(s, summary, -1, NULL));
    return dir;
}

/* Loads DIR, expects failure, returns the message with DIR replaced by "DIR". */
static char *load_error(const char *dir)
{
    g_autoptr(GError) e = NULL;
    g_autoptr(PlotRunData) d = plot_rundata_load(dir, &e);
    assert_null(d);
    assert_non_null(e);
    assert_int_equal(sim_error_exit_code(e), SIM_EXIT_BAD_INPUT);
    g_auto(GStrv) parts = g_strsplit(e->message, dir, -1);
    return g_strjoinv("DIR", parts);
}

static void test_rundata_reads_a_dense_run(void **state)
{
    (void)state;
    g_autofree char *vms =
        g_strconcat(vms_header, "0,a,1,1,1,0,0,0,0,0,0,0,1\n", "0,b,2,2,2,0,0,0,0,0,0,0,1\n", NULL);
    g_autofree char *dir = make_run(host_csv, vms, -1, summary_json);
    g_autoptr(PlotRunData) d = plot_rundata_load(dir, NULL);
    assert_non_null(d);
    assert_int_equal(d->n_vms, 2);
    assert_int_equal(d->n_times, 1);
    assert_true(plot_rundata_vm(d, 1, 0, PLOT_VM_MEMSZ) == 2.0);
    test_rmtree(dir);
}

/* 300 rows, each a new VM at a new time: 90,000 cells for 300 rows. */
static void test_rundata_refuses_a_matrix_far_larger_than_its_rows(void **state)
{
    (void)state;
    GString *vms = g_string_new(vms_header);
    for (int i = 0; i < 300; i++) {
        g_string_append_printf(vms, "%d,vm%d,1,1,1,0,0,0,0,0,0,0,1\n", i, i);
    }
    g_autofree char *dir = make_run(host_csv, vms->str, -1, summary_json);
    g_string_free(vms, TRUE);
    g_autofree char *msg = load_error(dir);
    assert_string_equal(msg, "DIR/vms.csv: error: 300 VMs at 300 times in 300 rows: not the "
                             "output of a run (which has a row for every VM at every time)");
    test_rmtree(dir);
}

static void test_rundata_escapes_control_characters_of_a_bad_number(void **state)
{
    (void)state;
    g_autofree char *host = g_strconcat(host_csv, "60,1\x01\t2,0,0,0,0\r\n", NULL);
    g_autofree char *dir = make_run(host, vms_header, -1, summary_json);
    g_autofree char *msg = load_error(dir);
    assert_string_equal(msg, "DIR/host.csv:3:4: error: expected a number, got \"1\\x01\\t2\"");
    test_rmtree(dir);
}

static void test_rundata_refuses_a_nul_byte_at_its_place(void **state)
{
    (void)state;
    g_autofree char *vms = g_strconcat(vms_header, "0,a,1,1,1,0,0,0,0,0,0,0,1\n0,b", NULL);
    gsize len = strlen(vms) + 1; /* the NUL byte of the string, then more text */
    g_autofree char *with_nul = g_strconcat(vms, "_,x\n", NULL);
    with_nul[len - 1] = '\0';
    g_autofree char *dir = make_run(host_csv, with_nul, (gssize)len + 4, summary_json);
    g_autofree char *msg = load_error(dir);
    assert_string_equal(msg, "DIR/vms.csv:3:4: error: a NUL byte");
    test_rmtree(dir);
}

static void test_rundata_refuses_a_fifo_without_blocking(void **state)
{
    (void)state;
    g_autofree char *dir = make_run(host_csv, vms_header, -1, summary_json);
    g_autofree char *fifo = g_build_filename(dir, "summary.json", NULL);
    g_unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    g_autofree char *vms = g_strconcat(vms_header, "0,a,1,1,1,0,0,0,0,0,0,0,1\n", NULL);
    g_autofree char *v = g_build_filename(dir, "vms.csv", NULL);
    assert_true(g_file_set_contents(v, vms, -1, NULL));
    g_autofree char *msg = load_error(dir);
    assert_string_equal(msg, "DIR/summary.json: error: cannot read the run output: not a "
                             "regular file (a FIFO)");
    test_rmtree(dir);
}

static void test_rundata_escapes_the_json_error_text(void **state)
{
    (void)state;
    g_autofree char *vms = g_strconcat(vms_header, "0,a,1,1,1,0,0,0,0,0,0,0,1\n", NULL);
    g_autofree char *dir = make_run(host_csv, vms, -1, "{\"host\": \x01}");
    g_autofree char *msg = load_error(dir);
    assert_null(strchr(msg, '\x01'));
    assert_true(g_str_has_prefix(msg, "DIR/summary.json:1:"));
    test_rmtree(dir);
}

static void test_rundata_an_empty_file_is_an_error_about_the_whole_file(void **state)
{
    (void)state;
    g_autofree char *dir = make_run("", vms_header, -1, summary_json);
    g_autofree char *msg = load_error(dir);
    assert_string_equal(msg, "DIR/host.csv: error: empty file, expected a header line");
    test_rmtree(dir);
}

static void test_rundata_refuses_a_line_of_more_than_256_columns_where_it_passes_them(void **state)
{
    (void)state;
    GString *host = g_string_new(host_csv);
    for (int i = 0; i < 300; i++) {
        g_string_append(host, "0,");
    }
    g_string_append_c(host, '\n');
    g_autofree char *dir = make_run(host->str, vms_header, -1, summary_json);
    g_string_free(host, TRUE);
    g_autofree char *msg = load_error(dir);
    assert_string_equal(msg, "DIR/host.csv:3:513: error: more than 256 columns");
    test_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rundata_reads_a_dense_run),
        cmocka_unit_test(test_rundata_refuses_a_matrix_far_larger_than_its_rows),
        cmocka_unit_test(test_rundata_escapes_control_characters_of_a_bad_number),
        cmocka_unit_test(test_rundata_refuses_a_nul_byte_at_its_place),
        cmocka_unit_test(test_rundata_refuses_a_fifo_without_blocking),
        cmocka_unit_test(test_rundata_escapes_the_json_error_text),
        cmocka_unit_test(test_rundata_an_empty_file_is_an_error_about_the_whole_file),
        cmocka_unit_test(test_rundata_refuses_a_line_of_more_than_256_columns_where_it_passes_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
