/* `reclaimsim compare` through the real binary (issue 12 point 4): on the
 * shipped overcommitted default scenario, the ranking follows the physics;
 * compare.csv and compare.json agree with each policy's summary.json; each
 * DIR/POLICY is what `run -o DIR/POLICY` writes; --jobs changes no byte;
 * the plots are real PNG and SVG; bad usage exits 2 and writes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "plots/plottest.h"
#include "support/testutil.h"

/* scenarios/default.json is overcommitted (12 VMs, about 1.4x its 64 GiB
 * host); ten minutes already reach the soft state under every policy. */
#define DURATION "duration=10m"
static const char *const policies[] = {"esxi", "swap-only", "balloon-only", "no-sharing"};
#define POLICIES "esxi,swap-only,balloon-only,no-sharing"

typedef struct Fixture {
    char *tmp;     /* removed at the end */
    char *out;     /* TMP/out: the comparison all tests read */
    char *scenario;
    json_t *compare; /* TMP/out/compare.json */
} Fixture;

static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);
    *state = f;
    f->tmp = test_tmpdir();
    f->out = g_build_filename(f->tmp, "out", NULL);
    f->scenario = test_source_path("scenarios/default.json");
    const char *argv[] = {"compare", f->scenario, "--policies", POLICIES, "--set", DURATION,
                          "--jobs", "2", "-q", "-o", f->out, NULL};
    g_autofree char *err = NULL;
    int code = test_run_binary(argv, NULL, &err);
    g_autofree char *path = g_build_filename(f->out, "compare.json", NULL);
    f->compare = code == 0 ? json_load_file(path, 0, NULL) : NULL;
    if (f->compare == NULL) {
        g_printerr("compare failed (%d): %s\n", code, err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    json_decref(f->compare);
    test_rmtree(f->tmp);
    g_free(f->tmp);
    g_free(f->out);
    g_free(f->scenario);
    g_free(f);
    return 0;
}

/* compare.json's object of `policy`. */
static json_t *row_of(const Fixture *f, const char *policy)
{
    json_t *rows = json_object_get(f->compare, "policies");
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *row = json_array_get(rows, i);
        if (g_strcmp0(json_string_value(json_object_get(row, "policy")), policy) == 0) {
            return row;
        }
    }
    fail_msg("no row for %s", policy);
    return NULL;
}

static double num(json_t *o, const char *group, const char *key)
{
    json_t *v = group != NULL ? json_object_get(json_object_get(o, group), key)
                              : json_object_get(o, key);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

static void test_compare_ranking_follows_the_physics(void **state)
{
    Fixture *f = *state;
    json_t *esxi = row_of(f, "esxi"), *swap = row_of(f, "swap-only");
    json_t *balloon = row_of(f, "balloon-only"), *nosharing = row_of(f, "no-sharing");
    /* Host swap stalls every fault on a disk read; the balloon lets the
     * guest choose its victims first. */
    assert_true(num(swap, NULL, "perf_index_mean") < num(esxi, NULL, "perf_index_mean"));
    assert_true(num(swap, "swap_mb", "written") > num(esxi, "swap_mb", "written"));
    /* balloon-only has neither compression nor host swap */
    assert_true(num(balloon, "peak_mb", "compressed") == 0.0);
    assert_true(num(balloon, "peak_mb", "swapped") == 0.0);
    assert_true(num(balloon, "swap_mb", "written") == 0.0);
    assert_true(num(balloon, "peak_mb", "balloon") > 0.0);
    /* no-sharing shares nothing; swap-only inflates no balloon */
    assert_true(num(nosharing, "peak_mb", "shared") == 0.0);
    assert_true(num(nosharing, "mean_mb", "shared") == 0.0);
    assert_true(num(esxi, "peak_mb", "shared") > 0.0);
    assert_true(num(swap, "peak_mb", "balloon") == 0.0);
}

static json_t *load_summary(const Fixture *f, const char *policy)
{
    g_autofree char *path = g_build_filename(f->out, policy, "summary.json", NULL);
    json_t *s = json_load_file(path, 0, NULL);
    assert_non_null(s);
    return s;
}

/* The VMs' sums and means of summary.json, as docs/model.md defines each figure. */
static void check_vm_figures(json_t *row, json_t *summary)
{
    static const char *const mech_cols[][2] = {{"balloon", "mctlsz_mb"}, {"shared", "shrdsvd_mb"},
                                              {"compressed", "zsaved_mb"}, {"swapped", "swcur_mb"}};
    json_t *vms = json_object_get(summary, "vms");
    double duration = num(summary, NULL, "duration_s"), n = (double)json_array_size(vms);
    double perf = 0, stall = 0, read = 0, mech[4] = {0};
    for (size_t v = 0; v < json_array_size(vms); v++) {
        json_t *vm = json_array_get(vms, v);
        perf += num(vm, "mean", "perf_index") / n;
        stall += num(vm, "mean", "stall_pct") / n;
        read += num(vm, "mean", "swr_mbps") * duration;
        for (int m = 0; m < 4; m++) {
            mech[m] += num(vm, "mean", mech_cols[m][1]);
        }
    }
    /* summary.json rounds each VM's figure to 4 decimals: sums differ by that */
    assert_true(fabs(num(row, NULL, "perf_index_mean") - perf) < 1e-4);
    assert_true(fabs(num(row, NULL, "stall_pct_mean") - stall) < 1e-3);
    assert_true(fabs(num(row, "swap_mb", "read") - read) < 12 * 0.5e-4 * duration + 1e-3);
    for (int m = 0; m < 4; m++) {
        assert_true(fabs(num(row, "mean_mb", mech_cols[m][0]) - mech[m]) < 1e-2);
    }
}

static void check_host_figures(json_t *row, json_t *summary)
{
    static const char *const mechs[] = {"balloon", "shared", "compressed", "swapped"};
    static const char *const states[] = {"high", "clear", "soft", "hard", "low"};
    json_t *host = json_object_get(summary, "host");
    for (size_t m = 0; m < G_N_ELEMENTS(mechs); m++) {
        assert_true(num(row, "peak_mb", mechs[m]) == num(host, "reclaimed_mb", mechs[m]));
    }
    for (size_t s = 0; s < G_N_ELEMENTS(states); s++) {
        assert_true(num(row, "time_in_state_s", states[s]) ==
                    num(host, "time_in_state_s", states[s]));
    }
    json_t *sla = json_object_get(summary, "sla");
    assert_string_equal(json_string_value(json_object_get(row, "worst_vm")),
                        json_string_value(json_object_get(sla, "worst_vm")));
    assert_true(json_equal(json_object_get(row, "sla_met"), json_object_get(sla, "met")));
}

static void test_compare_json_agrees_with_each_summary(void **state)
{
    Fixture *f = *state;
    json_t *rows = json_object_get(f->compare, "policies");
    assert_int_equal(json_array_size(rows), G_N_ELEMENTS(policies));
    for (size_t i = 0; i < G_N_ELEMENTS(policies); i++) {
        json_t *row = json_array_get(rows, i);
        assert_string_equal(json_string_value(json_object_get(row, "policy")), policies[i]);
        json_t *summary = load_summary(f, policies[i]);
        assert_string_equal(json_string_value(json_object_get(summary, "policy")), policies[i]);
        check_vm_figures(row, summary);
        check_host_figures(row, summary);
        json_decref(summary);
    }
}

/* Every cell of compare.csv is compare.json's value (4 decimals in both). */
static void test_compare_csv_agrees_with_compare_json(void **state)
{
    Fixture *f = *state;
    static const char *const cols[][3] = {
        {"perf_index_mean", NULL, "perf_index_mean"}, {"peak_swapped_mb", "peak_mb", "swapped"},
        {"mean_balloon_mb", "mean_mb", "balloon"},    {"swap_written_mb", "swap_mb", "written"},
        {"time_soft_s", "time_in_state_s", "soft"},   {"below_sla_vm_s", NULL, "below_sla_vm_s"},
        {"stall_pct_mean", NULL, "stall_pct_mean"}};
    GPtrArray *rows = test_csv_rows(f->out, "compare.csv");
    assert_int_equal(rows->len, 1 + G_N_ELEMENTS(policies));
    char **header = g_ptr_array_index(rows, 0);
    for (guint r = 1; r < rows->len; r++) {
        char **cells = g_ptr_array_index(rows, r);
        json_t *row = row_of(f, cells[test_csv_column(header, "policy")]);
        for (size_t c = 0; c < G_N_ELEMENTS(cols); c++) {
            double v = g_ascii_strtod(cells[test_csv_column(header, cols[c][0])], NULL);
            assert_true(fabs(v - num(row, cols[c][1], cols[c][2])) < 1e-9);
        }
        assert_string_equal(cells[test_csv_column(header, "worst_vm")],
                            json_string_value(json_object_get(row, "worst_vm")));
    }
    g_ptr_array_free(rows, TRUE);
}

/* The sum of every VM's seconds below the SLA, read from vms.csv the way
 * docs/model.md defines it: a row under the SLA counts its interval. */
static double seconds_below_sla(const char *dir, double sla)
{
    GPtrArray *rows = test_csv_rows(dir, "vms.csv");
    char **header = g_ptr_array_index(rows, 0);
    int tcol = test_csv_column(header, "time_s"), vcol = test_csv_column(header, "vm");
    int pcol = test_csv_column(header, "perf_index");
    /* VM name -> 1 + index into `last`, the time of its previous row */
    g_autoptr(GHashTable) index = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GArray) last = g_array_new(FALSE, FALSE, sizeof(double));
    double below = 0;
    for (guint r = 1; r < rows->len; r++) {
        char **cells = g_ptr_array_index(rows, r);
        double t = g_ascii_strtod(cells[tcol], NULL);
        guint at = GPOINTER_TO_UINT(g_hash_table_lookup(index, cells[vcol]));
        if (at == 0) {
            g_array_append_val(last, t);
            g_hash_table_insert(index, cells[vcol], GUINT_TO_POINTER(last->len));
            continue;
        }
        if (g_ascii_strtod(cells[pcol], NULL) < sla) {
            below += t - g_array_index(last, double, at - 1);
        }
        g_array_index(last, double, at - 1) = t;
    }
    g_ptr_array_free(rows, TRUE);
    return below;
}

static void test_compare_time_below_sla_is_read_from_vms_csv(void **state)
{
    Fixture *f = *state;
    double sla = num(f->compare, NULL, "sla_perf_index");
    for (size_t i = 0; i < G_N_ELEMENTS(policies); i++) {
        g_autofree char *dir = g_build_filename(f->out, policies[i], NULL);
        double want = seconds_below_sla(dir, sla);
        assert_true(want > 0);
        assert_true(fabs(num(row_of(f, policies[i]), NULL, "below_sla_vm_s") - want) < 1e-6);
    }
}

/* Every file of two trees, byte for byte (names listed, then contents). */
static void assert_same_tree(const char *a, const char *b)
{
    g_autofree char *la = test_list_dir(a), *lb = test_list_dir(b);
    assert_string_equal(la, lb);
    g_auto(GStrv) names = g_strsplit(la, " ", -1);
    for (guint i = 0; names[i] != NULL && names[i][0] != '\0'; i++) {
        g_autofree char *pa = g_build_filename(a, names[i], NULL);
        g_autofree char *pb = g_build_filename(b, names[i], NULL);
        if (g_file_test(pa, G_FILE_TEST_IS_DIR)) {
            assert_same_tree(pa, pb);
            continue;
        }
        g_autofree char *ta = NULL, *tb = NULL;
        gsize na = 0, nb = 0;
        assert_true(g_file_get_contents(pa, &ta, &na, NULL));
        assert_true(g_file_get_contents(pb, &tb, &nb, NULL));
        assert_int_equal(na, nb);
        assert_memory_equal(ta, tb, na);
    }
}

/* DIR/esxi is exactly what `run --policy esxi -o DIR` writes. */
static void test_compare_policy_folder_is_what_run_writes(void **state)
{
    Fixture *f = *state;
    g_autofree char *run = g_build_filename(f->tmp, "run-esxi", NULL);
    g_autofree char *esxi = g_build_filename(f->out, "esxi", NULL);
    const char *argv[] = {"run", f->scenario, "--policy", "esxi", "--set", DURATION, "-q",
                          "-o", run, NULL};
    assert_int_equal(test_run_binary(argv, NULL, NULL), 0);
    assert_same_tree(run, esxi);
}

/* Shorter runs, one thread against more threads than policies. */
static void test_compare_outputs_do_not_depend_on_jobs(void **state)
{
    Fixture *f = *state;
    g_autofree char *one = g_build_filename(f->tmp, "jobs-1", NULL);
    g_autofree char *four = g_build_filename(f->tmp, "jobs-4", NULL);
    const char *a[] = {"compare", f->scenario, "--policies", "esxi,swap-only,no-sharing", "--set",
                       "duration=3m", "-q", "--jobs", "1", "-o", one, NULL};
    const char *b[] = {"compare", f->scenario, "--policies", "esxi,swap-only,no-sharing", "--set",
                       "duration=3m", "-q", "--jobs", "4", "-o", four, NULL};
    assert_int_equal(test_run_binary(a, NULL, NULL), 0);
    assert_int_equal(test_run_binary(b, NULL, NULL), 0);
    assert_same_tree(one, four);
}

static void test_compare_plots_are_png_and_svg_with_every_policy(void **state)
{
    Fixture *f = *state;
    static const char *const figures[] = {"compare-free", "compare-perf", "compare-reclaimed"};
    for (size_t i = 0; i < G_N_ELEMENTS(figures); i++) {
        g_autofree char *png = g_strdup_printf("%s/plots/%s.png", f->out, figures[i]);
        g_autofree char *svg = g_strdup_printf("%s/plots/%s.svg", f->out, figures[i]);
        guint32 w = 0, h = 0;
        assert_true(plottest_png_size(png, &w, &h));
        assert_true(w >= 1000 && h >= 600);
        GError *error = NULL;
        GString *text = plottest_svg_text(svg, &error);
        assert_null(error);
        assert_non_null(strstr(text->str, "default: "));
        for (size_t p = 0; p < G_N_ELEMENTS(policies); p++) {
            assert_non_null(strstr(text->str, policies[p]));
        }
        g_string_free(text, TRUE);
    }
    g_autofree char *html = plottest_read(f->out, "report.html");
    assert_non_null(html);
    for (size_t p = 0; p < G_N_ELEMENTS(policies); p++) {
        g_autofree char *link = g_strdup_printf("href=\"%s/summary.json\"", policies[p]);
        assert_non_null(strstr(html, link));
    }
    assert_non_null(strstr(html, "id=\"fig-compare-reclaimed\""));
    assert_null(strstr(html, "<?xml")); /* the SVGs are inline, without their prolog */
}

/* Bad usage: exit 2, one line on stderr, no output directory. */
static void expect_usage_error(const Fixture *f, const char *const *extra, const char *line)
{
    g_autofree char *out = g_build_filename(f->tmp, "bad", NULL);
    GPtrArray *argv = g_ptr_array_new();
    g_ptr_array_add(argv, (gpointer) "compare");
    g_ptr_array_add(argv, f->scenario);
    for (const char *const *e = extra; *e != NULL; e++) {
        g_ptr_array_add(argv, (gpointer)*e);
    }
    g_ptr_array_add(argv, (gpointer) "-o");
    g_ptr_array_add(argv, out);
    g_ptr_array_add(argv, NULL);
    g_autofree char *err = NULL;
    assert_int_equal(test_run_binary((const char *const *)argv->pdata, NULL, &err), 2);
    g_autofree char *want = g_strconcat(line, "\n", NULL);
    assert_string_equal(err, want);
    assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
    g_ptr_array_free(argv, TRUE);
}

static void test_compare_bad_usage_exits_2_and_writes_nothing(void **state)
{
    Fixture *f = *state;
    const char *empty[] = {"--policies", "", NULL};
    const char *hole[] = {"--policies", "esxi,,swap-only", NULL};
    const char *twice[] = {"--policies", "esxi,swap-only,esxi", NULL};
    const char *none[] = {NULL};
    const char *single[] = {"--policy", "esxi", "--policies", "esxi", NULL};
    expect_usage_error(f, empty, "reclaimsim: --policies: expected policy names separated by "
                                 "commas, got \"\"");
    expect_usage_error(f, hole, "reclaimsim: --policies: expected policy names separated by "
                                "commas, got \"esxi,,swap-only\"");
    expect_usage_error(f, twice, "reclaimsim: --policies: policy \"esxi\" is given twice");
    expect_usage_error(f, none, "reclaimsim: compare needs --policies P1,P2,... (and takes no "
                                "--policy)");
    expect_usage_error(f, single, "reclaimsim: compare needs --policies P1,P2,... (and takes no "
                                  "--policy)");
    g_autofree char *err = NULL;
    const char *argv[] = {"compare", f->scenario, "--policies", "esxi,nope", NULL};
    assert_int_equal(test_run_binary(argv, NULL, &err), 2);
    assert_non_null(strstr(err, "reclaimsim: --policies: unknown policy \"nope\" (known policies: "
                                "esxi, "));
    static const char *const jobs[] = {"0", "-1", "100000", "two", "", "1.5"};
    for (size_t i = 0; i < G_N_ELEMENTS(jobs); i++) {
        const char *bad[] = {"--policies", "esxi", "--jobs", jobs[i], NULL};
        g_autofree char *line = g_strdup_printf(
            "reclaimsim: --jobs: expected a whole number from 1 to 256, got \"%s\"", jobs[i]);
        expect_usage_error(f, bad, line);
    }
}

/* An existing folder that reclaimsim did not write is refused before any
 * run, and replaced whole with --force. */
static void test_compare_refuses_a_foreign_directory_unless_forced(void **state)
{
    Fixture *f = *state;
    g_autofree char *dir = g_build_filename(f->tmp, "mine", NULL);
    g_autofree char *file = g_build_filename(dir, "notes.txt", NULL);
    assert_int_equal(g_mkdir(dir, 0777), 0);
    assert_true(g_file_set_contents(file, "mine", -1, NULL));
    const char *argv[] = {"compare", f->scenario, "--policies", "balloon-only", "--set",
                          "duration=1m", "-q", "-o", dir, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(test_run_binary(argv, NULL, &err), 2);
    assert_non_null(strstr(err, "exists and is not a reclaimsim output"));
    assert_true(g_file_test(file, G_FILE_TEST_EXISTS));
    const char *forced[] = {"compare", f->scenario, "--policies", "balloon-only", "--set",
                            "duration=1m", "-q", "--force", "-o", dir, NULL};
    assert_int_equal(test_run_binary(forced, NULL, NULL), 0);
    assert_false(g_file_test(file, G_FILE_TEST_EXISTS));
    g_autofree char *list = test_list_dir(dir);
    assert_string_equal(list, ".reclaimsim-output balloon-only compare.csv compare.json plots "
                              "report.html");
}

/* A policy that fails at run time (its init refuses the host) is a
 * runtime failure: exit 1, one line naming the policy and why, and no
 * output folder, even though the other policy's run succeeded. */
static void test_compare_runtime_failure_exits_1_and_writes_nothing(void **state)
{
    Fixture *f = *state;
    g_autofree char *out = g_build_filename(f->tmp, "failed", NULL);
    g_autofree char *list_arg = g_strconcat("esxi,", INIT_FAILS_PLUGIN, NULL);
    const char *argv[] = {"compare", f->scenario, "--policies", list_arg, "--set", "duration=1m",
                          "--jobs", "2", "-q", "-o", out, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(test_run_binary(argv, NULL, &err), 1);
    print_message("%s", err);
    g_autofree char *want = g_strdup_printf("reclaimsim: compare: policy %s failed: this policy "
                                            "cannot run a host of ",
                                            INIT_FAILS_PLUGIN);
    assert_non_null(strstr(err, want));
    assert_null(strchr(strchr(err, '\n') + 1, '\n')); /* one line */
    assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
    g_autofree char *list = test_list_dir(f->tmp);
    assert_null(strstr(list, "failed")); /* no staging folder left either */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compare_ranking_follows_the_physics),
        cmocka_unit_test(test_compare_json_agrees_with_each_summary),
        cmocka_unit_test(test_compare_csv_agrees_with_compare_json),
        cmocka_unit_test(test_compare_time_below_sla_is_read_from_vms_csv),
        cmocka_unit_test(test_compare_policy_folder_is_what_run_writes),
        cmocka_unit_test(test_compare_outputs_do_not_depend_on_jobs),
        cmocka_unit_test(test_compare_plots_are_png_and_svg_with_every_policy),
        cmocka_unit_test(test_compare_bad_usage_exits_2_and_writes_nothing),
        cmocka_unit_test(test_compare_refuses_a_foreign_directory_unless_forced),
        cmocka_unit_test(test_compare_runtime_failure_exits_1_and_writes_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
