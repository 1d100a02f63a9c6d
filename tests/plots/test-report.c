/* `reclaimsim report DIR`: one self-contained HTML page, checked as text and
 * in a real browser (headless Chromium: the DOM and a screenshot). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "plots/plot.h"
#include "plots/plottest.h"
#include "plots/report.h"

/* A 10-minute run of a scenario whose name needs escaping, reported once
 * (without plotting first: report must plot by itself). */
typedef struct Fixture {
    char *tmp;  /* temporary directory, removed at the end */
    char *out;  /* the run directory */
    char *html; /* report.html as text */
} Fixture;

#define NASTY_NAME "a<b>&\"c'"

static int setup(void **state)
{
    Fixture *f = g_new0(Fixture, 1);
    f->tmp = test_tmpdir();
    f->out = g_build_filename(f->tmp, "out", NULL);
    g_autofree char *src = test_source_path("scenarios/limit.json");
    const char *set_name = "name=\"a<b>&\\\"c'\""; /* a JSON string value */
    const char *run[] = {"run", "--quiet", "--set", "duration=10m", "--set", set_name,
                         "-o", f->out, src, NULL};
    g_autofree char *err = NULL;
    if (plottest_run(run, NULL, &err) != 0) {
        g_printerr("run failed: %s\n", err);
        return -1;
    }
    const char *report[] = {"report", f->out, NULL};
    g_free(err);
    err = NULL;
    if (plottest_run(report, NULL, &err) != 0) {
        g_printerr("report failed: %s\n", err);
        return -1;
    }
    f->html = plottest_read(f->out, "report.html");
    *state = f;
    return f->html != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    Fixture *f = *state;
    test_rmtree(f->tmp);
    g_free(f->tmp);
    g_free(f->out);
    g_free(f->html);
    g_free(f);
    return 0;
}

static guint count(const char *text, const char *needle)
{
    guint n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle)) {
        n++;
    }
    return n;
}

/* The scenario name is user text: it appears escaped, never as markup. */
static void test_report_escapes_the_scenario_name(void **state)
{
    Fixture *f = *state;
    assert_non_null(strstr(f->html, "<h1>reclaimsim report: a&lt;b&gt;&amp;&quot;c&apos;</h1>"));
    assert_null(strstr(f->html, NASTY_NAME));
}

/* Self-contained: the plots inline, nothing fetched (no scripts, links,
 * images or URLs other than the SVG namespaces). */
static void test_report_is_self_contained_with_the_plots_inline(void **state)
{
    Fixture *f = *state;
    guint n = 0;
    plot_specs(&n);
    assert_int_equal(count(f->html, "<svg"), n);
    assert_int_equal(count(f->html, "<?xml"), 0);
    assert_null(strstr(f->html, "<script"));
    assert_null(strstr(f->html, "<link"));
    assert_null(strstr(f->html, "<img"));
    assert_null(strstr(f->html, " src="));
    guint urls = count(f->html, "http://") + count(f->html, "https://");
    guint namespaces = count(f->html, "\"http://www.w3.org/2000/svg\"") +
                       count(f->html, "\"http://www.w3.org/1999/xlink\"");
    assert_int_equal(urls, namespaces);
    assert_int_equal(count(f->html, "id=\"gnuplot_canvas\""), 0); /* ids made unique */
    assert_int_equal(count(f->html, "id=\"vm-perf-gnuplot_canvas\""), 1);
    g_autofree char *plots = g_build_filename(f->out, "plots", "host-free.png", NULL);
    assert_true(g_file_test(plots, G_FILE_TEST_IS_REGULAR)); /* report plotted first */
    /* gnuplot escaped the name in its SVG too: it parses, the text is intact */
    g_autofree char *svg = g_build_filename(f->out, "plots", "host-free.svg", NULL);
    GString *text = plottest_svg_text(svg, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text->str, NASTY_NAME ": host free memory and memory states"));
    g_string_free(text, TRUE);
}

/* The tables hold the run's values: limit.json's VM "app", 32 GiB, and the
 * time in state adding up to the 10 minutes. */
static void test_report_tables_hold_the_run_values(void **state)
{
    Fixture *f = *state;
    assert_non_null(strstr(f->html, "<tr><th>policy</th><td>esxi</td></tr>"));
    assert_non_null(strstr(f->html, "<tr><th>duration (h:mm:ss)</th><td class=\"n\">0:10:00</td>"));
    assert_non_null(strstr(f->html, "<tr><th>VMs</th><td class=\"n\">1</td></tr>"));
    assert_non_null(strstr(f->html, "<tr><td>app</td><td class=\"n\">32768</td>"));
    assert_non_null(strstr(f->html, "The scenario sets no SLA."));
    assert_int_equal(count(f->html, "<tr><td>high</td>") + count(f->html, "<tr><td>low</td>"), 2);
}

/* ---- in a real browser ---- */

static const char *chromium_binary(void)
{
    static const char *const candidates[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser"};
    for (guint i = 0; i < G_N_ELEMENTS(candidates); i++) {
        if (g_file_test(candidates[i], G_FILE_TEST_IS_EXECUTABLE)) {
            return candidates[i];
        }
    }
    return NULL;
}

/* Runs headless Chromium on URL with one extra option (--dump-dom or
 * --screenshot=FILE); returns stdout, NULL on failure. A fresh profile in
 * TMP, no network services, bounded by timeout(1). */
static char *chromium(const Fixture *f, const char *option, const char *url)
{
    g_autofree char *profile = g_build_filename(f->tmp, "chromium-profile", NULL);
    g_autofree char *user_data = g_strconcat("--user-data-dir=", profile, NULL);
    const char *argv[] = {"timeout", "120", chromium_binary(), "--headless", "--no-sandbox",
                          "--disable-gpu", "--disable-quic", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update",
                          "--disable-sync", "--hide-scrollbars", user_data,
                          "--window-size=1280,2000", option, url, NULL};
    char *out = NULL;
    int status = -1;
    gboolean ok = g_spawn_sync(NULL, (char **)argv, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out,
                               NULL, &status, NULL);
    if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_free(out);
        return NULL;
    }
    return out;
}

static char *report_url(const Fixture *f)
{
    g_autofree char *path = g_build_filename(f->out, "report.html", NULL);
    return g_filename_to_uri(path, NULL, NULL);
}

static void test_report_in_chromium_has_the_tables_and_the_plots(void **state)
{
    Fixture *f = *state;
    if (chromium_binary() == NULL) {
        print_message("skipped: no /usr/bin/chromium (scripts/deps.sh installs Debian's chromium)\n");
        skip();
    }
    g_autofree char *url = report_url(f);
    g_autofree char *dom = chromium(f, "--dump-dom", url);
    assert_non_null(dom);
    static const char *const ids[] = {"scenario-table", "states-table", "reclaimed-table",
                                      "vms-table",      "sla-verdict",  "fig-host-free",
                                      "fig-reclaimed",  "fig-vm-memory", "fig-vm-perf",
                                      "fig-vm-active"};
    for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
        g_autofree char *attr = g_strdup_printf("id=\"%s\"", ids[i]);
        assert_non_null(strstr(dom, attr));
    }
    assert_int_equal(count(dom, "<svg"), 5);
    assert_non_null(strstr(dom, "where each VM's configured memory is"));
    assert_non_null(strstr(dom, "<td>app</td>"));
}

/* The screenshot of the report has far more in it than one of a blank page
 * of the same size (PNG sizes: a white page compresses to almost nothing). */
static void test_report_screenshot_in_chromium_is_not_blank(void **state)
{
    Fixture *f = *state;
    if (chromium_binary() == NULL) {
        print_message("skipped: no /usr/bin/chromium (scripts/deps.sh installs Debian's chromium)\n");
        skip();
    }
    g_autofree char *shot = g_build_filename(f->tmp, "report.png", NULL);
    g_autofree char *blank = g_build_filename(f->tmp, "blank.png", NULL);
    g_autofree char *shot_opt = g_strconcat("--screenshot=", shot, NULL);
    g_autofree char *blank_opt = g_strconcat("--screenshot=", blank, NULL);
    g_autofree char *url = report_url(f);
    g_free(chromium(f, shot_opt, url));
    g_free(chromium(f, blank_opt, "about:blank"));
    guint32 w = 0, h = 0, bw = 0, bh = 0;
    assert_true(plottest_png_size(shot, &w, &h));
    assert_true(plottest_png_size(blank, &bw, &bh));
    assert_int_equal(w, bw);
    assert_int_equal(h, bh);
    GStatBuf s1, s2;
    assert_int_equal(g_stat(shot, &s1), 0);
    assert_int_equal(g_stat(blank, &s2), 0);
    assert_true(s1.st_size > 10 * s2.st_size);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_escapes_the_scenario_name),
        cmocka_unit_test(test_report_is_self_contained_with_the_plots_inline),
        cmocka_unit_test(test_report_tables_hold_the_run_values),
        cmocka_unit_test(test_report_in_chromium_has_the_tables_and_the_plots),
        cmocka_unit_test(test_report_screenshot_in_chromium_is_not_blank),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
