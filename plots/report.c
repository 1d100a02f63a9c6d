/* The HTML report of a run (see report.h). */
#include "plots/report.h"

#include <math.h>
#include <string.h>

#include "plots/explain.h"
#include "plots/html.h"
#include "plots/plot.h"
#include "plots/rundata.h"
#include "sim/error.h"
#include "sim/out/outdir.h"

/* Appends printf-formatted text with every %s argument already escaped by
 * the caller: the format itself is trusted markup. */
#define emit(html, ...) g_string_append_printf((html), __VA_ARGS__)

static void emit_duration(GString *html, double s)
{
    if (!isfinite(s)) {
        g_string_append(html, "-");
        return;
    }
    long total = lround(s);
    emit(html, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
}

static const char *summary_string(const PlotRunData *d, const char *key, const char *fallback)
{
    json_t *v = json_object_get(d->summary, key);
    return json_is_string(v) ? json_string_value(v) : fallback;
}

/* A number of one VM of summary.json: vm[group][key], NaN when absent. */
static double vm_stat(json_t *vm, const char *group, const char *key)
{
    json_t *v = json_object_get(json_object_get(vm, group), key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static void emit_head(GString *html, const PlotRunData *d)
{
    g_autofree char *title =
        g_strconcat("reclaimsim report: ", summary_string(d, "scenario", "run"), NULL);
    plot_html_head(html, title);
}

/* Scenario summary: host, VMs, policy, seed, duration. */
static void emit_scenario(GString *html, const PlotRunData *d)
{
    double host_mb = plot_rundata_summary_number(d, "host", "memory_mb", NULL);
    double configured = 0;
    json_t *vms = json_object_get(d->summary, "vms");
    for (size_t v = 0; v < json_array_size(vms); v++) {
        double memsz = vm_stat(json_array_get(vms, v), "final", "memsz_mb");
        configured += isfinite(memsz) ? memsz : 0;
    }
    g_string_append(html, "<h2 id=\"scenario\">Scenario</h2>\n<table id=\"scenario-table\">\n");
    g_string_append(html, "<tr><th>scenario</th><td>");
    plot_html_text(html, summary_string(d, "scenario", "-"));
    g_string_append(html, "</td></tr>\n<tr><th>policy</th><td>");
    plot_html_text(html, summary_string(d, "policy", "-"));
    g_string_append(html, "</td></tr>\n<tr><th>seed</th><td class=\"n\">");
    plot_html_number(html, plot_rundata_summary_number(d, "seed", NULL), 0);
    g_string_append(html, "</td></tr>\n<tr><th>duration (h:mm:ss)</th><td class=\"n\">");
    emit_duration(html, plot_rundata_summary_number(d, "duration_s", NULL));
    g_string_append(html, "</td></tr>\n<tr><th>host memory (GiB)</th><td class=\"n\">");
    plot_html_number(html, host_mb / 1024, 2);
    g_string_append(html, "</td></tr>\n<tr><th>minFree (MiB)</th><td class=\"n\">");
    plot_html_number(html, plot_rundata_summary_number(d, "host", "min_free_mb", NULL), 2);
    emit(html, "</td></tr>\n<tr><th>VMs</th><td class=\"n\">%u</td></tr>\n", d->n_vms);
    g_string_append(html, "<tr><th>configured VM memory (GiB)</th><td class=\"n\">");
    plot_html_number(html, configured / 1024, 2);
    g_string_append(html, "</td></tr>\n<tr><th>overcommit (configured / host)</th><td class=\"n\">");
    plot_html_number(html, configured / host_mb, 2);
    g_string_append(html, "</td></tr>\n</table>\n");
}

static void emit_sla(GString *html, const PlotRunData *d)
{
    double sla = plot_rundata_sla(d);
    json_t *s = json_object_get(d->summary, "sla");
    json_t *worst = json_object_get(s, "worst_vm");
    g_string_append(html, "<h2 id=\"sla\">SLA</h2>\n<p id=\"sla-verdict\">");
    if (!isfinite(sla)) {
        g_string_append(html, "The scenario sets no SLA.");
    } else {
        bool met = json_is_true(json_object_get(s, "met"));
        emit(html, "Mean performance index of every VM &ge; %.4f: <span class=\"%s\">%s</span>",
             sla, met ? "met" : "missed", met ? "met" : "NOT met");
    }
    if (json_is_string(worst)) {
        g_string_append(html, " (worst VM: ");
        plot_html_text(html, json_string_value(worst));
        g_string_append(html, ")");
    }
    g_string_append(html, "</p>\n");
}

static void emit_states(GString *html, const PlotRunData *d)
{
    static const char *const states[] = {"high", "clear", "soft", "hard", "low"};
    double total = 0;
    for (guint i = 0; i < G_N_ELEMENTS(states); i++) {
        double s = plot_rundata_summary_number(d, "host", "time_in_state_s", states[i], NULL);
        total += isfinite(s) ? s : 0;
    }
    g_string_append(html, "<h2 id=\"states\">Time in each memory state</h2>\n"
                          "<table id=\"states-table\">\n<thead><tr><th>state</th>"
                          "<th>threshold (MiB)</th><th>time (h:mm:ss)</th><th>share</th>"
                          "</tr></thead>\n<tbody>\n");
    for (guint i = 0; i < G_N_ELEMENTS(states); i++) {
        double s = plot_rundata_summary_number(d, "host", "time_in_state_s", states[i], NULL);
        emit(html, "<tr><td>%s</td><td class=\"n\">", states[i]);
        double mb = plot_rundata_summary_number(d, "host", "thresholds_mb", states[i], NULL);
        plot_html_number(html, mb, 2);
        g_string_append(html, "</td><td class=\"n\">");
        emit_duration(html, s);
        g_string_append(html, "</td><td class=\"n\">");
        plot_html_number(html, total > 0 ? 100 * s / total : NAN, 1);
        g_string_append(html, "%</td></tr>\n");
    }
    g_string_append(html, "</tbody>\n</table>\n");
}

/* Peak memory per mechanism, with the colour each has in the plots
 * (plots/common.gp, Okabe-Ito). */
static void emit_reclaimed(GString *html, const PlotRunData *d)
{
    static const struct {
        const char *key, *label, *colour;
    } rows[] = {
        {"balloon", "balloon", "#E69F00"},
        {"shared", "page sharing (saved)", "#009E73"},
        {"compressed", "compression", "#56B4E9"},
        {"swapped", "host swap", "#D55E00"},
    };
    g_string_append(html, "<h2 id=\"reclaimed\">Memory reclaimed by mechanism</h2>\n"
                          "<table id=\"reclaimed-table\">\n<thead><tr><th>mechanism</th>"
                          "<th>peak (MiB)</th></tr></thead>\n<tbody>\n");
    for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
        emit(html,
             "<tr><td><span class=\"swatch\" style=\"background:%s\"></span>%s</td>"
             "<td class=\"n\">",
             rows[i].colour, rows[i].label);
        double mb = plot_rundata_summary_number(d, "host", "reclaimed_mb", rows[i].key, NULL);
        plot_html_number(html, mb, 2);
        g_string_append(html, "</td></tr>\n");
    }
    g_string_append(html, "</tbody>\n</table>\n<p>Peak over the run of the host-wide total "
                          "each mechanism held (summary.json <code>host.reclaimed_mb</code>).</p>\n");
}

/* The per-VM columns: (group, key, decimals, header). */
static const struct {
    const char *group, *key;
    int decimals;
    const char *header;
} vm_cols[] = {
    {"final", "memsz_mb", 0, "configured MiB"},
    {"mean", "consumed_mb", 0, "consumed MiB mean"},
    {"max", "consumed_mb", 0, "consumed MiB max"},
    {"mean", "active_mb", 0, "active MiB mean"},
    {"max", "active_mb", 0, "active MiB max"},
    {"mean", "mctlsz_mb", 0, "balloon MiB mean"},
    {"max", "mctlsz_mb", 0, "balloon MiB max"},
    {"final", "mctlsz_mb", 0, "balloon MiB final"},
    {"max", "swcur_mb", 0, "swapped MiB max"},
    {"final", "swcur_mb", 0, "swapped MiB final"},
    {"max", "zip_mb", 0, "compressed MiB max"},
    {"mean", "stall_pct", 2, "stall % mean"},
    {"max", "stall_pct", 2, "stall % max"},
    {"mean", "perf_index", 4, "perf index mean"},
};

static void emit_vms(GString *html, const PlotRunData *d)
{
    json_t *vms = json_object_get(d->summary, "vms");
    double sla = plot_rundata_sla(d);
    g_string_append(html, "<h2 id=\"vms\">Virtual machines</h2>\n<div class=\"wide\">\n"
                          "<table id=\"vms-table\">\n"
                          "<thead><tr><th>VM</th>");
    for (guint c = 0; c < G_N_ELEMENTS(vm_cols); c++) {
        emit(html, "<th>%s</th>", vm_cols[c].header);
    }
    g_string_append(html, "</tr></thead>\n<tbody>\n");
    for (size_t v = 0; v < json_array_size(vms); v++) {
        json_t *vm = json_array_get(vms, v);
        json_t *name = json_object_get(vm, "name");
        g_string_append(html, "<tr><td>");
        plot_html_text(html, json_is_string(name) ? json_string_value(name) : "?");
        g_string_append(html, "</td>");
        for (guint c = 0; c < G_N_ELEMENTS(vm_cols); c++) {
            double x = vm_stat(vm, vm_cols[c].group, vm_cols[c].key);
            bool below = strcmp(vm_cols[c].key, "perf_index") == 0 && isfinite(sla) && x < sla;
            g_string_append(html, below ? "<td class=\"n missed\">" : "<td class=\"n\">");
            plot_html_number(html, x, vm_cols[c].decimals);
            g_string_append(html, "</td>");
        }
        g_string_append(html, "</tr>\n");
    }
    g_string_append(html, "</tbody>\n</table>\n</div>\n");
}

/* Why each VM lost memory: the text of `reclaimsim explain DIR` (plots/explain.h). */
static bool emit_explain(GString *html, const char *dir, GError **error)
{
    g_autoptr(PlotRecords) rec = plot_records_load(dir, error);
    g_autoptr(PlotExplain) x = rec != NULL ? plot_explain_new(rec, NULL, error) : NULL;
    if (x != NULL) {
        plot_explain_html(x, html);
    }
    return x != NULL;
}

static bool emit_figures(GString *html, const PlotRunData *d, GError **error)
{
    guint n = 0;
    const PlotSpec *specs = plot_specs(&n);
    const char *scenario = summary_string(d, "scenario", "run");
    g_string_append(html, "<h2 id=\"plots\">Plots</h2>\n");
    for (guint i = 0; i < n; i++) {
        g_autofree char *file = g_strconcat(specs[i].name, ".svg", NULL);
        g_autofree char *path = g_build_filename(d->dir, "plots", file, NULL);
        g_autofree char *svg = NULL;
        GError *local = NULL;
        if (!g_file_get_contents(path, &svg, NULL, &local)) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: %s", path, local->message);
            g_error_free(local);
            return false;
        }
        g_autofree char *title = g_strdup_printf("%s: %s", scenario, specs[i].title);
        plot_html_figure(html, specs[i].name, svg, title, specs[i].about);
    }
    return true;
}

/* True when DIR/plots holds every figure's SVG. */
static bool plots_present(const char *dir)
{
    guint n = 0;
    const PlotSpec *specs = plot_specs(&n);
    for (guint i = 0; i < n; i++) {
        g_autofree char *file = g_strconcat(specs[i].name, ".svg", NULL);
        g_autofree char *path = g_build_filename(dir, "plots", file, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            return false;
        }
    }
    return true;
}

bool plot_report_write(const char *dir, GError **error)
{
    if (!sim_outdir_check_run(dir, error)) {
        return false;
    }
    g_autoptr(PlotRunData) d = plot_rundata_load(dir, error);
    if (d == NULL || (!plots_present(dir) && !plot_render(dir, error))) {
        return false;
    }
    g_autoptr(GString) html = g_string_new(NULL);
    emit_head(html, d);
    emit_scenario(html, d);
    emit_sla(html, d);
    emit_states(html, d);
    emit_reclaimed(html, d);
    emit_vms(html, d);
    if (!emit_explain(html, dir, error) || !emit_figures(html, d, error)) {
        return false;
    }
    plot_html_foot(html, "from host.csv, vms.csv and summary.json");
    /* through a temporary file and a rename: the old report or the new one */
    g_autofree char *path = g_build_filename(dir, "report.html", NULL);
    return sim_outdir_write_file(path, html->str, html->len, error);
}
