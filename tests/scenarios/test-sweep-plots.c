/* The plots and report of `reclaimsim sweep` through the real binary and
 * the real gnuplot (issue 13): one varied key gives line figures whose
 * data files hold the database's means, minima and maxima over the seeds
 * (read back with the sqlite3 tool); two keys give heat maps per policy;
 * more keys slices of them, capped; a failed point is left out and
 * counted; `plot DIR` and `report DIR` remake the same bytes; gnuplot
 * missing fails the plots, not the sweep's database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "plots/plottest.h"

/* scenarios/limit.json for a simulated minute on 2 MiB pages: a point
 * takes milliseconds (as tests/scenarios/test-sweep.c). */
#define DURATION "duration=1m"
#define PAGES "host.page_size=2MiB"
#define SLA "sla.perf_index=0.5"

typedef TestScenario Fixture;

static int setup(void **state)
{
    *state = test_scenario_new("scenarios/limit.json");
    return 0;
}

static int teardown(void **state)
{
    test_scenario_free(*state);
    return 0;
}

/* `reclaimsim sweep SCENARIO ARGS... --set DURATION --set PAGES -q -o OUT`
 * with `env` (NULL-ended, may be NULL); the exit code. */
static int sweep(const Fixture *f, const char *out, const char *const *args,
                 const char *const *env, char **err)
{
    g_autoptr(GPtrArray) a = g_ptr_array_new();
    g_ptr_array_add(a, (gpointer) "sweep");
    g_ptr_array_add(a, f->scenario);
    for (guint i = 0; args[i] != NULL; i++) {
        g_ptr_array_add(a, (gpointer)args[i]);
    }
    const char *tail[] = {"--set", DURATION, "--set", PAGES, "-q", "-o", out, NULL};
    for (guint i = 0; tail[i] != NULL; i++) {
        g_ptr_array_add(a, (gpointer)tail[i]);
    }
    g_ptr_array_add(a, NULL);
    return plottest_run((const char *const *)a->pdata, env, err);
}

/* The sqlite3 tool's output for `query` on DIR/sweep.sqlite ('|' separated). */
static char *sql(const char *dir, const char *query)
{
    return test_sql(dir, "sweep.sqlite", query);
}

/* Rows of a text table: lines split on `sep`, empty lines dropped. */
static GPtrArray *rows_of(const char *text, const char *sep)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        if (lines[i][0] != '\0' && lines[i][0] != '#') {
            g_ptr_array_add(rows, g_strsplit_set(lines[i], sep, -1));
        }
    }
    return rows;
}

/* Block `index` of a line figure's data file (blocks end in two blank
 * lines, as gnuplot's `index` counts them): its rows, split on spaces. */
static GPtrArray *dat_block(const char *dir, const char *name, guint index)
{
    g_autofree char *file = g_strconcat(name, ".dat", NULL);
    g_autofree char *plots = g_build_filename(dir, "plots", NULL);
    g_autofree char *text = plottest_read(plots, file);
    assert_non_null(text);
    g_auto(GStrv) blocks = g_strsplit(text, "\n\n\n", -1);
    assert_true(index < g_strv_length(blocks));
    return rows_of(blocks[index], " ");
}

static double num(const char *text)
{
    return strcmp(text, "NaN") == 0 ? NAN : g_ascii_strtod(text, NULL);
}

/* Equal to the 15 significant digits the sqlite3 tool prints. */
static void assert_close(double got, const char *want)
{
    double w = g_ascii_strtod(want, NULL);
    if (!(fabs(got - w) <= 1e-12 + 1e-12 * fabs(w))) {
        fail_msg("plotted %.17g, the database says %s", got, want);
    }
}

/* Every row of a line figure's block against the database's aggregates
 * (`query`: x, avg, min, max, count of ok points, ordered by x). */
static void check_block(const char *dir, const char *name, guint index, const char *query)
{
    g_autoptr(GPtrArray) got = dat_block(dir, name, index);
    g_autofree char *text = sql(dir, query);
    g_autoptr(GPtrArray) want = rows_of(text, "|");
    assert_int_equal(got->len, want->len);
    for (guint r = 0; r < got->len; r++) {
        char **g = got->pdata[r], **w = want->pdata[r];
        assert_int_equal(g_strv_length(g), 6);
        for (guint c = 0; c < 4; c++) {
            assert_close(num(g[c]), w[c]);
        }
        assert_string_equal(g[4], w[4]); /* seeds that ran */
        assert_string_equal(g[5], "0");  /* none failed */
    }
}

static char *plots_list(const char *dir)
{
    g_autofree char *plots = g_build_filename(dir, "plots", NULL);
    return test_list_dir(plots);
}

static guint count(const char *text, const char *needle)
{
    guint n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

static GString *svg_text(const char *dir, const char *name)
{
    g_autofree char *file = g_strconcat(name, ".svg", NULL);
    g_autofree char *path = g_build_filename(dir, "plots", file, NULL);
    GError *error = NULL;
    GString *text = plottest_svg_text(path, &error);
    if (text == NULL) {
        fail_msg("%s: %s", path, error->message);
    }
    return text;
}

static void assert_png_size(const char *dir, const char *name, guint32 width, guint32 height)
{
    g_autofree char *file = g_strconcat(name, ".png", NULL);
    g_autofree char *path = g_build_filename(dir, "plots", file, NULL);
    guint32 w = 0, h = 0;
    assert_true(plottest_png_size(path, &w, &h));
    assert_int_equal(w, width);
    assert_int_equal(h, height);
}

static const char *const one_key[] = {"--vary",     "host.memory=8GiB:12GiB:2GiB",
                                      "--policies", "esxi,kvm-mom",
                                      "--seeds",    "2",
                                      "--set",      SLA,
                                      NULL};

/* One key: three line figures; each block is the database's mean, min
 * and max over the seeds of its policy and value, in the figure's unit. */
static void test_one_key(void **state)
{
    Fixture *f = *state;
    g_autofree char *out = g_build_filename(f->tmp, "one", NULL);
    assert_int_equal(sweep(f, out, one_key, NULL, NULL), 0);
    g_autofree char *list = plots_list(out);
    assert_string_equal(list, "sweep-below-sla.dat sweep-below-sla.png sweep-below-sla.svg "
                              "sweep-peak-memory.dat sweep-peak-memory.png sweep-peak-memory.svg "
                              "sweep-perf.dat sweep-perf.png sweep-perf.svg");
    /* x in GiB (8 to 12 GiB); block (panel - 1) * 2 + policy - 1 */
    check_block(out, "sweep-perf", 0,
                "SELECT \"host.memory_mib\" / 1024, avg(perf_index_mean), min(perf_index_mean), "
                "max(perf_index_mean), count(*) FROM points WHERE policy = 'esxi' AND status = "
                "'ok' GROUP BY 1 ORDER BY 1");
    check_block(out, "sweep-perf", 3,
                "SELECT \"host.memory_mib\" / 1024, avg(perf_index_worst), "
                "min(perf_index_worst), max(perf_index_worst), count(*) FROM points WHERE "
                "policy = 'kvm-mom' GROUP BY 1 ORDER BY 1");
    /* peak memory reaches GiB: in GiB; below the SLA: seconds (a minute's run) */
    check_block(out, "sweep-peak-memory", 7,
                "SELECT \"host.memory_mib\" / 1024, avg(peak_swapped_mb) / 1024, "
                "min(peak_swapped_mb) / 1024, max(peak_swapped_mb) / 1024, count(*) FROM points "
                "WHERE policy = 'kvm-mom' GROUP BY 1 ORDER BY 1");
    check_block(out, "sweep-below-sla", 0,
                "SELECT \"host.memory_mib\" / 1024, avg(below_sla_vm_s), min(below_sla_vm_s), "
                "max(below_sla_vm_s), count(*) FROM points WHERE policy = 'esxi' GROUP BY 1 "
                "ORDER BY 1");
    /* what the titles and the SLA line come from */
    g_autofree char *rows = sql(out, "SELECT value FROM sweep WHERE name IN ('name', "
                                     "'sla_perf_index') ORDER BY name");
    assert_string_equal(rows, "limit\n0.5\n");
    /* the seeds differ somewhere: the bars are not all empty */
    g_autofree char *spread = sql(out, "SELECT count(*) > 0 FROM (SELECT 1 FROM points GROUP BY "
                                       "\"host.memory\", policy HAVING min(perf_index_mean) < "
                                       "max(perf_index_mean))");
    assert_string_equal(spread, "1\n");
    /* titles, axis labels with units, legend */
    GString *t = svg_text(out, "sweep-perf");
    assert_non_null(strstr(t->str, "limit: performance index against host.memory"));
    assert_non_null(strstr(t->str, "one line per policy; mean over 2 seeds, bars from the "
                                   "lowest to the highest"));
    assert_non_null(strstr(t->str, "host.memory (GiB)"));
    assert_non_null(strstr(t->str, "performance index (1.0 = no stall)"));
    assert_non_null(strstr(t->str, "\nesxi\n"));
    assert_non_null(strstr(t->str, "\nkvm-mom\n"));
    assert_non_null(strstr(t->str, "SLA: performance index >= 0.50"));
    g_string_free(t, TRUE);
    GString *p = svg_text(out, "sweep-peak-memory");
    assert_non_null(strstr(p->str, "peak memory (GiB)"));
    assert_non_null(strstr(p->str, "host-swapped (peak_swapped_mb)"));
    g_string_free(p, TRUE);
    /* two panels side by side: 90 + 100 + 400 px; 2 x 2: 90 + 100 + 2 x 260 + 65 */
    assert_png_size(out, "sweep-perf", 1200, 590);
    assert_png_size(out, "sweep-peak-memory", 1100, 775);
    /* the report: every figure inline, every point in the table */
    g_autofree char *html = plottest_read(out, "report.html");
    assert_non_null(html);
    assert_int_equal(count(html, "<figure id=\"fig-sweep-"), 3);
    assert_int_equal(count(html, "id=\"sweep-perf-gnuplot_canvas\""), 1);
    assert_int_equal(count(html, "id=\"gnuplot_canvas\""), 0);
    g_autofree char *table = g_strdup(strstr(html, "<table id=\"points-table\">"));
    assert_non_null(table);
    *strstr(table, "</table>") = '\0';
    assert_int_equal(count(table, "<tr><td class=\"n\">"), 12);
    assert_non_null(strstr(html, "--vary host.memory=8GiB:12GiB:2GiB"));
    assert_non_null(strstr(html, "<tr><th>failed</th><td class=\"n\">0</td></tr>"));
}

/* One line of a heat map's data file: ix iy value "text" rgb seeds_ok failed. */
static char **map_cell(GPtrArray *rows, guint ix, guint iy, guint nx)
{
    char **row = rows->pdata[iy * nx + ix];
    assert_int_equal(atoi(row[0]), ix);
    assert_int_equal(atoi(row[1]), iy);
    return row;
}

/* Two keys: two heat maps per policy, each cell the database's mean over
 * the seeds (and the seeds that met the SLA). */
static void test_two_keys(void **state)
{
    Fixture *f = *state;
    g_autofree char *out = g_build_filename(f->tmp, "two", NULL);
    const char *args[] = {"--vary",  "host.memory=8GiB,12GiB", "--vary",     "vms.0.limit=6GiB,10GiB",
                          "--seeds", "2",                      "--policies", "esxi,kvm-mom",
                          "--set",   SLA,                      NULL};
    assert_int_equal(sweep(f, out, args, NULL, NULL), 0);
    g_autofree char *list = plots_list(out);
    assert_string_equal(list, "sweep-map-perf-1.dat sweep-map-perf-1.png sweep-map-perf-1.svg "
                              "sweep-map-perf-2.dat sweep-map-perf-2.png sweep-map-perf-2.svg "
                              "sweep-map-sla-1.dat sweep-map-sla-1.png sweep-map-sla-1.svg "
                              "sweep-map-sla-2.dat sweep-map-sla-2.png sweep-map-sla-2.svg");
    g_autofree char *plots = g_build_filename(out, "plots", NULL);
    g_autofree char *perf = plottest_read(plots, "sweep-map-perf-2.dat");
    g_autofree char *sla = plottest_read(plots, "sweep-map-sla-2.dat");
    g_autoptr(GPtrArray) perf_rows = rows_of(perf, " ");
    g_autoptr(GPtrArray) sla_rows = rows_of(sla, " ");
    assert_int_equal(perf_rows->len, 4);
    g_autofree char *text = sql(out, "SELECT \"host.memory_mib\" = 12288, "
                                     "\"vms.0.limit_mib\" = 10240, avg(perf_index_mean), "
                                     "sum(sla_met), count(*) FROM points WHERE policy = "
                                     "'kvm-mom' GROUP BY 1, 2 ORDER BY 1, 2");
    g_autoptr(GPtrArray) want = rows_of(text, "|");
    assert_int_equal(want->len, 4);
    for (guint r = 0; r < want->len; r++) {
        char **w = want->pdata[r];
        guint ix = (guint)atoi(w[0]), iy = (guint)atoi(w[1]);
        char **p = map_cell(perf_rows, ix, iy, 2);
        assert_close(num(p[2]), w[2]);
        g_autofree char *label = g_strdup_printf("\"%.3f\"", num(p[2]));
        assert_string_equal(p[3], label);
        assert_string_equal(p[5], w[4]);
        char **s = map_cell(sla_rows, ix, iy, 2);
        g_autofree char *share = g_strdup_printf("%.17g", atof(w[3]) / atof(w[4]));
        assert_close(num(s[2]), share);
        g_autofree char *of = g_strdup_printf("\"%s/%s\"", w[3], w[4]);
        assert_string_equal(s[3], of);
    }
    GString *t = svg_text(out, "sweep-map-perf-2");
    assert_non_null(strstr(t->str, "limit: mean performance index, policy kvm-mom"));
    assert_non_null(strstr(t->str, "host.memory (GiB)"));
    assert_non_null(strstr(t->str, "vms.0.limit (GiB)"));
    assert_non_null(strstr(t->str, "mean performance index (1.0 = no stall)"));
    g_string_free(t, TRUE);
    assert_png_size(out, "sweep-map-sla-1", 1000, 700);
    g_autofree char *html = plottest_read(out, "report.html");
    assert_int_equal(count(html, "<figure id=\"fig-sweep-map-"), 4);
}

/* More than two keys: maps of the first two per policy and combination of
 * the others, at most PLOT_SWEEP_MAPS_MAX (24), the rest said in the report. */
static void test_more_keys(void **state)
{
    Fixture *f = *state;
    g_autofree char *out = g_build_filename(f->tmp, "more", NULL);
    const char *args[] = {"--vary",     "host.memory=8GiB,12GiB",
                          "--vary",     "vms.0.limit=6GiB,10GiB",
                          "--vary",     "host.overhead=100MiB:700MiB:100MiB",
                          "--policies", "esxi,kvm-mom",
                          "--set",      SLA,
                          NULL};
    assert_int_equal(sweep(f, out, args, NULL, NULL), 0);
    g_autofree char *list = plots_list(out);
    /* 7 combinations, 2 policies, 2 maps: 6 combinations fit in 24 maps */
    assert_int_equal(count(list, ".svg"), 24);
    assert_non_null(strstr(list, "sweep-map-sla-2-6.svg"));
    assert_null(strstr(list, "sweep-map-perf-1-7.svg"));
    GString *t = svg_text(out, "sweep-map-perf-2-6");
    assert_non_null(strstr(t->str, "limit: mean performance index, policy kvm-mom, "
                                   "host.overhead=600MiB"));
    g_string_free(t, TRUE);
    g_autofree char *html = plottest_read(out, "report.html");
    assert_non_null(strstr(html, "3 keys take several values: the maps are over host.memory "
                                 "and vms.0.limit, one per policy and combination of the other "
                                 "keys&apos; values (7 combinations; 6 drawn, at most 24 maps in "
                                 "all)."));
}

/* A point that fails is left out of the figures and counted; the sweep
 * still exits 1 for it, after making the plots. Every value loads beside
 * the others' first values (sweep refuses it before running otherwise);
 * only 3 GiB of host memory with 4 GiB of overhead does not: its cell is
 * "failed", in grey. */
static void test_failed_point(void **state)
{
    Fixture *f = *state;
    g_autofree char *out = g_build_filename(f->tmp, "fail", NULL);
    const char *args[] = {"--vary", "host.memory=8GiB,3GiB", "--vary", "host.overhead=2GiB,4GiB",
                          NULL};
    g_autofree char *err = NULL;
    assert_int_equal(sweep(f, out, args, NULL, &err), 1);
    assert_non_null(strstr(err, "1 of 4 points failed"));
    g_autofree char *plots = g_build_filename(out, "plots", NULL);
    g_autofree char *perf = plottest_read(plots, "sweep-map-perf-1.dat");
    g_autoptr(GPtrArray) rows = rows_of(perf, " ");
    assert_int_equal(rows->len, 4);
    char **failed = map_cell(rows, 1, 1, 2);
    assert_string_equal(failed[2], "NaN");
    assert_string_equal(failed[3], "\"failed\"");
    assert_string_equal(failed[5], "0");
    assert_string_equal(failed[6], "1");
    g_autofree char *text = sql(out, "SELECT perf_index_mean FROM points WHERE id = 1");
    g_auto(GStrv) want = g_strsplit(text, "\n", -1);
    char **fine = map_cell(rows, 0, 1, 2);
    assert_close(num(fine[2]), want[0]);
    assert_string_equal(fine[6], "0");
    /* no SLA in limit.json: no map of the SLA verdict, and the report says so */
    g_autofree char *list = plots_list(out);
    assert_null(strstr(list, "sla"));
    g_autofree char *html = plottest_read(out, "report.html");
    assert_non_null(strstr(html, "<li>1 failed point is left out of the figures.</li>"));
    assert_non_null(strstr(html, "The scenario sets no SLA: no maps of the SLA verdict."));
    assert_non_null(strstr(html, "<li>point 3: "));
    assert_non_null(strstr(html, "must be smaller than host memory"));
}

/* Values that are not numbers: one category each, at 0, 1, ... in the
 * order given, labelled with the values. */
static void test_text_key(void **state)
{
    Fixture *f = *state;
    g_autofree char *out = g_build_filename(f->tmp, "text", NULL);
    const char *args[] = {"--vary", "host.policy=kvm-mom,esxi,balloon-only", NULL};
    assert_int_equal(sweep(f, out, args, NULL, NULL), 0);
    g_autoptr(GPtrArray) rows = dat_block(out, "sweep-perf", 1);
    assert_int_equal(rows->len, 3);
    g_autofree char *text = sql(out, "SELECT perf_index_worst FROM points ORDER BY id");
    g_auto(GStrv) want = g_strsplit(text, "\n", -1);
    for (guint i = 0; i < 3; i++) {
        char **row = rows->pdata[i];
        g_autofree char *x = g_strdup_printf("%u", i);
        assert_string_equal(row[0], x);
        assert_close(num(row[1]), want[i]);
    }
    GString *t = svg_text(out, "sweep-perf");
    const char *kvm = strstr(t->str, "\nkvm-mom\n");
    const char *esxi = strstr(t->str, "\nesxi\n");
    const char *balloon = strstr(t->str, "\nballoon-only\n");
    assert_true(kvm != NULL && esxi != NULL && balloon != NULL);
    assert_true(kvm < esxi && esxi < balloon); /* tics in the order given */
    assert_non_null(strstr(t->str, "\nhost.policy\n")); /* no unit */
    g_string_free(t, TRUE);
}

static char *read_all(const char *dir)
{
    GString *all = g_string_new(NULL);
    g_autofree char *plots = g_build_filename(dir, "plots", NULL);
    g_autofree char *names = test_list_dir(plots);
    g_auto(GStrv) list = g_strsplit(names, " ", -1);
    for (guint i = 0; list[i] != NULL; i++) {
        gchar *data = NULL;
        gsize len = 0;
        g_autofree char *path = g_build_filename(plots, list[i], NULL);
        assert_true(g_file_get_contents(path, &data, &len, NULL));
        g_string_append_printf(all, "== %s %zu\n", list[i], (size_t)len);
        g_string_append_len(all, data, (gssize)len);
        g_free(data);
    }
    g_autofree char *html = plottest_read(dir, "report.html");
    g_string_append(all, html);
    return g_string_free(all, FALSE);
}

/* The same sweep gives the same bytes: at another --jobs, and when `plot
 * DIR` and `report DIR` make them again (report renders missing plots). */
static void test_same_bytes(void **state)
{
    Fixture *f = *state;
    g_autofree char *a = g_build_filename(f->tmp, "a", NULL);
    g_autofree char *b = g_build_filename(f->tmp, "b", NULL);
    const char *jobs1[] = {"--vary", "host.memory=8GiB:12GiB:2GiB", "--policies", "esxi,kvm-mom",
                           "--seeds", "2", "--set", SLA, "--jobs", "1", NULL};
    const char *jobs2[] = {"--vary", "host.memory=8GiB:12GiB:2GiB", "--policies", "esxi,kvm-mom",
                           "--seeds", "2", "--set", SLA, "--jobs", "2", NULL};
    assert_int_equal(sweep(f, a, jobs1, NULL, NULL), 0);
    assert_int_equal(sweep(f, b, jobs2, NULL, NULL), 0);
    g_autofree char *first = read_all(a);
    g_autofree char *other = read_all(b);
    assert_string_equal(first, other);
    const char *plot[] = {"plot", a, NULL};
    const char *report[] = {"report", a, NULL};
    assert_int_equal(plottest_run(plot, NULL, NULL), 0);
    assert_int_equal(plottest_run(report, NULL, NULL), 0);
    g_autofree char *again = read_all(a);
    assert_string_equal(first, again);
    g_autofree char *plots = g_build_filename(a, "plots", NULL);
    test_rmtree(plots);
    assert_int_equal(plottest_run(report, NULL, NULL), 0);
    g_autofree char *remade = read_all(a);
    assert_string_equal(first, remade);
}

/* Without gnuplot the sweep's points are all kept, the plots fail as
 * `run --plot` fails (exit 1, the message names gnuplot), and `report
 * DIR` makes them later. */
static void test_no_gnuplot(void **state)
{
    Fixture *f = *state;
    g_autofree char *out = g_build_filename(f->tmp, "nognuplot", NULL);
    const char *env[] = {"RECLAIMSIM_GNUPLOT=/nonexistent/gnuplot", NULL};
    g_autofree char *err = NULL;
    assert_int_equal(sweep(f, out, one_key, env, &err), 1);
    assert_true(g_str_has_prefix(err, "reclaimsim: plot: cannot run gnuplot "
                                      "(\"/nonexistent/gnuplot\")"));
    g_autofree char *list = test_list_dir(out);
    assert_string_equal(list, ".reclaimsim-output sweep.csv sweep.sqlite");
    g_autofree char *n = sql(out, "SELECT count(*) FROM points WHERE status = 'ok'");
    assert_string_equal(n, "12\n");
    const char *report[] = {"report", out, NULL};
    assert_int_equal(plottest_run(report, NULL, NULL), 0);
    g_autofree char *after = test_list_dir(out);
    assert_string_equal(after, ".reclaimsim-output plots report.html sweep.csv sweep.sqlite");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_more_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_point, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_same_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_gnuplot, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
