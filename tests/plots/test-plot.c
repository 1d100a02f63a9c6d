/* `reclaimsim plot DIR` through the real binary and real gnuplot: every
 * figure in both formats, readable files, titles and thresholds from the
 * run, "other" with many VMs, and the error exits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <math.h>

#include "plots/plot.h"
#include "plots/rundata.h"
#include "plots/plottest.h"

/* A small scenario (6 VMs, 7 GiB on a 4 GiB host, with an SLA) run for 10
 * minutes and plotted once, shared by the tests. Small so that the suite
 * stays fast under the sanitizers too. */
static const char small_scenario[] =
    "{\"name\": \"small\", \"duration\": \"10m\", \"seed\": 1,\n"
    " \"host\": {\"memory\": \"4GiB\", \"overhead\": \"256MiB\"},\n"
    " \"vms\": [{\"name\": \"web\", \"count\": 4, \"memory\": \"1GiB\",\n"
    "           \"guest\": {\"kernel\": \"64MiB\", \"swap\": \"256MiB\"},\n"
    "           \"workload\": {\"memory\": \"600MiB\", \"active\": \"300MiB\", "
    "\"page_cache\": \"128MiB\"}},\n"
    "          {\"name\": \"db\", \"count\": 2, \"memory\": \"1536MiB\",\n"
    "           \"guest\": {\"kernel\": \"64MiB\", \"swap\": \"256MiB\"},\n"
    "           \"workload\": {\"memory\": \"1GiB\", \"active\": \"600MiB\"}}],\n"
    " \"sla\": {\"perf_index\": 0.95}}\n";

typedef struct Fixture {
    char *tmp; /* temporary directory, removed at the end */
    char *out; /* the run directory, TMP/out */
} Fixture;

static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);
    f->tmp = test_tmpdir();
    f->out = g_build_filename(f->tmp, "out", NULL);
    g_autofree char *path = g_build_filename(f->tmp, "small.json", NULL);
    g_autofree char *err = NULL;
    const char *run[] = {"run", "--quiet", "-o", f->out, path, NULL};
    const char *plot[] = {"plot", f->out, NULL};
    int code = g_file_set_contents(path, small_scenario, -1, NULL) ? 0 : -1;
    code = code == 0 ? plottest_run(run, NULL, &err) : code;
    if (code == 0) {
        g_free(err);
        err = NULL;
        code = plottest_run(plot, NULL, &err);
    }
    *state = f;
    if (code != 0) {
        g_printerr("run or plot failed (%d): %s\n", code, err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    test_rmtree(f->tmp);
    g_free(f->tmp);
    g_free(f->out);
    g_free(f);
    return 0;
}

static char *plot_file(const char *out, const char *name, const char *ext)
{
    g_autofree char *base = g_strconcat(name, ext, NULL);
    return g_build_filename(out, "plots", base, NULL);
}

static void test_plot_writes_every_figure_as_png_and_svg(void **state)
{
    Fixture *f = *state;
    guint n = 0;
    const PlotSpec *specs = plot_specs(&n);
    assert_int_equal(n, 5);
    for (guint i = 0; i < n; i++) {
        g_autofree char *png = plot_file(f->out, specs[i].name, ".png");
        g_autofree char *svg = plot_file(f->out, specs[i].name, ".svg");
        assert_true(g_file_test(png, G_FILE_TEST_IS_REGULAR));
        assert_true(g_file_test(svg, G_FILE_TEST_IS_REGULAR));
    }
}

/* Host-wide figures are 1200 x 620; 6 VMs make 2 rows of 3 panels: 1400
 * wide, 90 + 100 + 2 x 250 = 690 high. */
static void test_plot_pngs_have_the_signature_and_the_planned_size(void **state)
{
    Fixture *f = *state;
    static const struct {
        const char *name;
        guint32 width, height;
    } expect[] = {
        {"host-free", 1200, 620}, {"reclaimed", 1200, 620}, {"vm-memory", 1400, 690},
        {"vm-perf", 1400, 690},   {"vm-active", 1400, 690},
    };
    for (guint i = 0; i < G_N_ELEMENTS(expect); i++) {
        g_autofree char *png = plot_file(f->out, expect[i].name, ".png");
        guint32 w = 0, h = 0;
        assert_true(plottest_png_size(png, &w, &h));
        assert_int_equal(w, expect[i].width);
        assert_int_equal(h, expect[i].height);
        GStatBuf st;
        assert_int_equal(g_stat(png, &st), 0);
        assert_true(st.st_size > 20000); /* drawn, not an empty canvas */
    }
}

static void test_plot_svgs_parse_as_xml_and_carry_their_titles(void **state)
{
    Fixture *f = *state;
    guint n = 0;
    const PlotSpec *specs = plot_specs(&n);
    for (guint i = 0; i < n; i++) {
        g_autofree char *svg = plot_file(f->out, specs[i].name, ".svg");
        GError *error = NULL;
        GString *text = plottest_svg_text(svg, &error);
        assert_null(error);
        g_autofree char *title = g_strdup_printf("small: %s", specs[i].title);
        assert_non_null(strstr(text->str, title));
        assert_non_null(strstr(text->str, "time since start (h:mm)"));
        g_string_free(text, TRUE);
    }
}

/* The threshold labels are the values of summary.json, in MiB and in % of
 * minFree; the time axis of a 10-minute run is labelled 0:00 .. 0:10. */
static void test_plot_labels_the_thresholds_of_the_summary(void **state)
{
    Fixture *f = *state;
    g_autoptr(PlotRunData) d = plot_rundata_load(f->out, NULL);
    assert_non_null(d);
    double min_free = plot_rundata_summary_number(d, "host", "min_free_mb", NULL);
    double soft = plot_rundata_summary_number(d, "host", "thresholds_mb", "soft", NULL);
    g_autofree char *want = g_strdup_printf("soft %.0f%%: %.0f MiB", 100 * soft / min_free, soft);
    /* minFree of 4 GiB is 6% = 245.76 MiB; soft is 64% of it */
    assert_string_equal(want, "soft 64%: 157 MiB");
    g_autofree char *svg = plot_file(f->out, "host-free", ".svg");
    GString *text = plottest_svg_text(svg, NULL);
    assert_non_null(strstr(text->str, want));
    assert_non_null(strstr(text->str, "clear = minFree 100%"));
    assert_non_null(strstr(text->str, "\n0:10\n"));
    assert_null(strstr(text->str, "other")); /* 6 VMs: one panel each */
    g_string_free(text, TRUE);
}

/* The run's files read back: 10 minutes at 20 s is 31 samples of 6 VMs. */
static void test_plot_reads_the_run_files_back(void **state)
{
    Fixture *f = *state;
    g_autoptr(PlotRunData) d = plot_rundata_load(f->out, NULL);
    assert_non_null(d);
    assert_int_equal(d->n_host, 31);
    assert_int_equal(d->n_times, 31);
    assert_int_equal(d->n_vms, 6);
    assert_string_equal(d->vm_names[0], "web-1");
    assert_string_equal(d->vm_names[5], "db-2");
    assert_true(plot_rundata_vm(d, 4, 30, PLOT_VM_MEMSZ) == 1536.0); /* db-1 */
    assert_true(plot_rundata_host(d, 30, PLOT_HOST_TIME) == 600.0);
    assert_true(plot_rundata_sla(d) == 0.95);
}

/* 128 small VMs: 15 panels for the VMs that reclaimed most, the other 113
 * summed (memory) or averaged (performance) in the 16th panel. */
static void test_plot_groups_vms_beyond_sixteen_panels_as_other(void **state)
{
    (void)state;
    static const char scenario[] =
        "{\"name\": \"many\", \"duration\": \"3m\", \"host\": {\"memory\": \"6GiB\", "
        "\"overhead\": \"512MiB\"}, \"vms\": [{\"name\": \"vm\", \"count\": 128, "
        "\"memory\": \"64MiB\", \"guest\": {\"kernel\": \"16MiB\", \"swap\": \"32MiB\"}, "
        "\"workload\": {\"memory\": \"40MiB\", \"active\": \"16MiB\"}}]}";
    g_autofree char *tmp = test_tmpdir();
    g_autofree char *path = g_build_filename(tmp, "many.json", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    assert_true(g_file_set_contents(path, scenario, -1, NULL));
    const char *argv[] = {"run", "--quiet", "--plot", "-o", out, path, NULL};
    assert_int_equal(plottest_run(argv, NULL, NULL), 0);
    g_autofree char *memory = plot_file(out, "vm-memory", ".svg");
    g_autofree char *perf = plot_file(out, "vm-perf", ".svg");
    GString *text = plottest_svg_text(memory, NULL);
    assert_non_null(strstr(text->str, "other 113 VMs (sum)"));
    assert_non_null(strstr(text->str, "top 15 of 128 VMs by peak memory reclaimed"));
    g_string_free(text, TRUE);
    text = plottest_svg_text(perf, NULL);
    assert_non_null(strstr(text->str, "other 113 VMs (mean)"));
    g_string_free(text, TRUE);
    g_autofree char *png = plot_file(out, "vm-memory", ".png");
    guint32 w = 0, h = 0;
    assert_true(plottest_png_size(png, &w, &h));
    assert_int_equal(w, 1400);
    assert_int_equal(h, 90 + 100 + 4 * 250); /* 4 rows of 4 panels */
    test_rmtree(tmp);
}

/* A copy of the run's three files in a new directory, without `skip`. */
static char *copy_run(const char *out, const char *skip)
{
    static const char *const files[] = {"host.csv", "vms.csv", "summary.json"};
    char *dir = test_tmpdir();
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        if (skip == NULL || strcmp(files[i], skip) != 0) {
            g_autofree char *text = plottest_read(out, files[i]);
            g_autofree char *path = g_build_filename(dir, files[i], NULL);
            assert_true(g_file_set_contents(path, text, -1, NULL));
        }
    }
    return dir;
}

static void assert_no_plots_staging(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    for (const char *name = g_dir_read_name(d); name != NULL; name = g_dir_read_name(d)) {
        assert_false(g_str_has_prefix(name, ".plots")); /* no staging left behind */
    }
    g_dir_close(d);
}

static void assert_no_plots(const char *dir)
{
    g_autofree char *plots = g_build_filename(dir, "plots", NULL);
    assert_false(g_file_test(plots, G_FILE_TEST_EXISTS));
    assert_no_plots_staging(dir);
}

static void test_plot_of_a_missing_directory_exits_2(void **state)
{
    (void)state;
    const char *argv[] = {"plot", "/nonexistent/run", NULL};
    g_autofree char *err = NULL;
    assert_int_equal(plottest_run(argv, NULL, &err), 2);
    assert_string_equal(err, "/nonexistent/run: error: no such directory (expected the output "
                             "directory of a run)\n");
    const char *none[] = {"plot", NULL};
    assert_int_equal(plottest_run(none, NULL, NULL), 2);
}

static void test_plot_without_vms_csv_exits_2_naming_it(void **state)
{
    Fixture *f = *state;
    g_autofree char *dir = copy_run(f->out, "vms.csv");
    const char *argv[] = {"plot", dir, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(plottest_run(argv, NULL, &err), 2);
    g_autofree char *want = g_strdup_printf("%s/vms.csv: error: cannot read the run output", dir);
    assert_true(g_str_has_prefix(err, want));
    assert_no_plots(dir);
    test_rmtree(dir);
}

static void test_plot_of_a_malformed_csv_exits_2_at_its_line_and_column(void **state)
{
    Fixture *f = *state;
    g_autofree char *dir = copy_run(f->out, NULL);
    g_autofree char *host = g_build_filename(dir, "host.csv", NULL);
    assert_true(g_file_set_contents(
        host,
        "time_s,state,free_mb,min_free_mb,overhead_mb,shared_mb,shrdsvd_mb,zip_mb,swcur_mb,"
        "mctlsz_mb,swr_mbps,sww_mbps\n0,high,abc,1269.76,2048,0,0,0,0,0,0,0\n",
        -1, NULL));
    const char *argv[] = {"plot", dir, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(plottest_run(argv, NULL, &err), 2);
    g_autofree char *want = g_strdup_printf("%s:2:8: error: expected a number, got \"abc\"\n", host);
    assert_string_equal(err, want);
    assert_true(g_file_set_contents(host, "time_s,free_mb\n0,1\n", -1, NULL));
    g_free(err);
    err = NULL;
    assert_int_equal(plottest_run(argv, NULL, &err), 2);
    assert_non_null(strstr(err, "host.csv:1:1: error: missing column \"shrdsvd_mb\""));
    assert_no_plots(dir);
    test_rmtree(dir);
}

static void test_plot_of_a_malformed_summary_exits_2(void **state)
{
    Fixture *f = *state;
    g_autofree char *dir = copy_run(f->out, NULL);
    g_autofree char *summary = g_build_filename(dir, "summary.json", NULL);
    assert_true(g_file_set_contents(summary, "{\"host\": {}, \"vms\": []}", -1, NULL));
    const char *argv[] = {"plot", dir, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(plottest_run(argv, NULL, &err), 2);
    assert_non_null(strstr(err, "expected a positive number at /host/thresholds_mb/high"));
    assert_no_plots(dir);
    test_rmtree(dir);
}

/* A script gnuplot rejects: exit 1, the script named, gnuplot's own
 * message quoted, and no DIR/plots left half written. */
static void test_plot_exits_1_naming_the_script_gnuplot_rejects(void **state)
{
    Fixture *f = *state;
    g_autofree char *dir = copy_run(f->out, NULL);
    g_autofree char *scripts = test_tmpdir();
    static const char *const names[] = {"common.gp", "panels.gp", "host-free.gp", "reclaimed.gp",
                                        "vm-memory.gp", "vm-active.gp"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *src = test_source_path("plots");
        g_autofree char *text = plottest_read(src, names[i]);
        g_autofree char *dst = g_build_filename(scripts, names[i], NULL);
        assert_true(g_file_set_contents(dst, text, -1, NULL));
    }
    g_autofree char *bad = g_build_filename(scripts, "vm-perf.gp", NULL);
    assert_true(g_file_set_contents(bad, "plot no_such_function(x)\n", -1, NULL));
    g_autofree char *env0 = g_strconcat("RECLAIMSIM_PLOTS_DIR=", scripts, NULL);
    const char *env[] = {env0, NULL};
    const char *argv[] = {"plot", dir, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(plottest_run(argv, env, &err), 1);
    g_autofree char *want = g_strdup_printf("reclaimsim: plot: gnuplot failed on %s", bad);
    assert_true(g_str_has_prefix(err, want));
    assert_non_null(strstr(err, "no_such_function"));
    assert_no_plots(dir);
    test_rmtree(scripts);
    test_rmtree(dir);
}

static void test_plot_exits_1_when_gnuplot_cannot_run(void **state)
{
    Fixture *f = *state;
    g_autofree char *dir = copy_run(f->out, NULL);
    const char *env[] = {"RECLAIMSIM_GNUPLOT=/nonexistent/gnuplot", NULL};
    const char *argv[] = {"plot", dir, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(plottest_run(argv, env, &err), 1);
    assert_true(g_str_has_prefix(err, "reclaimsim: plot: cannot run gnuplot "
                                      "(\"/nonexistent/gnuplot\")"));
    assert_no_plots(dir);
    test_rmtree(dir);
}

/* Plotting again replaces the figures whole (runs last: it re-plots the
 * shared run). */
static void test_plot_again_replaces_the_plots(void **state)
{
    Fixture *f = *state;
    g_autofree char *stale = g_build_filename(f->out, "plots", "stale.txt", NULL);
    assert_true(g_file_set_contents(stale, "x", -1, NULL));
    const char *argv[] = {"plot", f->out, NULL};
    assert_int_equal(plottest_run(argv, NULL, NULL), 0);
    assert_false(g_file_test(stale, G_FILE_TEST_EXISTS));
    g_autofree char *png = plot_file(f->out, "vm-perf", ".png");
    assert_true(g_file_test(png, G_FILE_TEST_IS_REGULAR));
    assert_no_plots_staging(f->out);
}

/* Runs reclaimsim in working directory `cwd`; the exit code, stderr in *err. */
static int run_in(const char *cwd, const char *const *argv, char **err)
{
    g_autoptr(GPtrArray) args = g_ptr_array_new();
    g_ptr_array_add(args, (gpointer)RECLAIMSIM_BIN);
    for (const char *const *a = argv; *a != NULL; a++) {
        g_ptr_array_add(args, (gpointer)*a);
    }
    g_ptr_array_add(args, NULL);
    int status = -1;
    if (!g_spawn_sync(cwd, (char **)args->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                      NULL, err, &status, NULL)) {
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void assert_plotted(const char *cwd, const char *dir)
{
    g_autofree char *out = g_build_filename(cwd, dir, NULL);
    g_autofree char *png = plot_file(out, "vm-perf", ".png");
    g_autofree char *svg = plot_file(out, "host-free", ".svg");
    assert_true(g_file_test(png, G_FILE_TEST_IS_REGULAR));
    assert_true(g_file_test(svg, G_FILE_TEST_IS_REGULAR));
    assert_no_plots_staging(out);
}

/*
 * As README shows, from a working directory that is neither the source nor
 * the build tree: `run --plot -o out/x` and `plot out/x` with relative
 * paths; then DIRs whose names have spaces and quotes, or a newline (a
 * run's folder renamed so: plot reads whatever folder it is given).
 */
static void test_plot_relative_and_odd_directories_from_another_working_directory(void **state)
{
    Fixture *f = *state;
    g_autofree char *cwd = g_build_filename(f->tmp, "elsewhere", NULL);
    assert_int_equal(g_mkdir_with_parents(cwd, 0700), 0);
    g_autofree char *scenario = g_build_filename(cwd, "small.json", NULL);
    assert_true(g_file_set_contents(scenario, small_scenario, -1, NULL));
    const char *const runs[][7] = {
        {"run", "--quiet", "--plot", "-o", "out/x", "small.json", NULL},
        {"plot", "out/x", NULL},
        {"plot", "./out/../out/x/", NULL},
        {"run", "--quiet", "-o", "it's a \"run\"", "small.json", NULL},
        {"plot", "it's a \"run\"", NULL},
        {"plot", "new\nline", NULL},
    };
    const char *const dirs[] = {"out/x", "out/x", "out/x", NULL, "it's a \"run\"", "new\nline"};
    for (guint k = 0; k < G_N_ELEMENTS(runs); k++) {
        if (k == 5) {
            g_autofree char *from = g_build_filename(cwd, "it's a \"run\"", NULL);
            g_autofree char *to = g_build_filename(cwd, "new\nline", NULL);
            assert_int_equal(g_rename(from, to), 0);
        }
        g_autofree char *err = NULL;
        int code = run_in(cwd, runs[k], &err);
        if (code != 0) {
            fail_msg("%s %s exited %d: %s", runs[k][0], runs[k][1], code, err);
        }
        if (dirs[k] != NULL) {
            assert_plotted(cwd, dirs[k]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plot_writes_every_figure_as_png_and_svg),
        cmocka_unit_test(test_plot_pngs_have_the_signature_and_the_planned_size),
        cmocka_unit_test(test_plot_svgs_parse_as_xml_and_carry_their_titles),
        cmocka_unit_test(test_plot_labels_the_thresholds_of_the_summary),
        cmocka_unit_test(test_plot_reads_the_run_files_back),
        cmocka_unit_test(test_plot_groups_vms_beyond_sixteen_panels_as_other),
        cmocka_unit_test(test_plot_of_a_missing_directory_exits_2),
        cmocka_unit_test(test_plot_without_vms_csv_exits_2_naming_it),
        cmocka_unit_test(test_plot_of_a_malformed_csv_exits_2_at_its_line_and_column),
        cmocka_unit_test(test_plot_of_a_malformed_summary_exits_2),
        cmocka_unit_test(test_plot_exits_1_naming_the_script_gnuplot_rejects),
        cmocka_unit_test(test_plot_exits_1_when_gnuplot_cannot_run),
        cmocka_unit_test(test_plot_relative_and_odd_directories_from_another_working_directory),
        cmocka_unit_test(test_plot_again_replaces_the_plots),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
