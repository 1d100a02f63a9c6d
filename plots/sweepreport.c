/* DIR/report.html of a sweep (see sweepplot.h): the command, the grid, the
 * counts, the figures and the points, in the page parts the run and
 * compare reports share (plots/html.h). */
#include "plots/sweepplot.h"

#include <jansson.h>
#include <math.h>

#include "plots/html.h"
#include "plots/sweepfigs.h"
#include "sim/error.h"
#include "sim/out/outdir.h"

/* Values of a key the grid table lists before "...". */
#define GRID_VALUES_MAX 50

#define emit(html, ...) g_string_append_printf((html), __VA_ARGS__)

static void emit_head(GString *html, const PlotSweepData *d)
{
    g_autofree char *title = g_strconcat("reclaimsim sweep: ", d->name, NULL);
    plot_html_head(html, title);
    g_string_append(html, "<p id=\"what\">Scenario <code>");
    plot_html_text(html, d->scenario);
    emit(html,
         "</code> run at every combination of the varied keys' values, policies and seeds: "
         "%" G_GUINT64_FORMAT " points. Every point's figures are in <code>sweep.sqlite</code> "
         "and <code>sweep.csv</code> (docs/sweep.md).</p>\n",
         d->n_points);
    g_string_append(html, "<h2 id=\"command\">Command</h2>\n<pre><code>");
    plot_html_text(html, d->command);
    g_string_append(html, "</code></pre>\n");
}

static void emit_values(GString *html, const PlotSweepData *d, guint vary)
{
    guint n = sim_grid_vary_n_values(d->grid, vary);
    for (guint i = 0; i < MIN(n, GRID_VALUES_MAX); i++) {
        g_string_append(html, i > 0 ? ", " : "");
        plot_html_text(html, sim_grid_vary_value(d->grid, vary, i));
    }
    if (n > GRID_VALUES_MAX) {
        emit(html, ", ... (%u more)", n - GRID_VALUES_MAX);
    }
}

static void emit_grid_row(GString *html, const char *what, const char *value)
{
    emit(html, "<tr><th>%s</th><td>", what);
    plot_html_text(html, value);
    g_string_append(html, "</td></tr>\n");
}

/* The --set overrides, a JSON array in the database, as "K=V, K=V"; "none". */
static char *sets_text(const char *json)
{
    json_t *a = json != NULL ? json_loads(json, 0, NULL) : NULL;
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *set = json_string_value(json_array_get(a, i));
        g_string_append_printf(s, "%s%s", i > 0 ? ", " : "", set != NULL ? set : "?");
    }
    json_decref(a);
    if (s->len == 0) {
        g_string_append(s, "none");
    }
    return g_string_free(s, FALSE);
}

static void emit_grid(GString *html, const PlotSweepData *d)
{
    g_string_append(html, "<h2 id=\"grid\">Grid</h2>\n<table id=\"grid-table\">\n");
    for (guint i = 0; i < sim_grid_n_varies(d->grid); i++) {
        guint n = sim_grid_vary_n_values(d->grid, i);
        g_string_append(html, "<tr><th>");
        plot_html_text(html, sim_grid_vary_key(d->grid, i));
        emit(html, "</th><td>%u value%s: ", n, n == 1 ? " (held fixed)" : "s");
        emit_values(html, d, i);
        g_string_append(html, "</td></tr>\n");
    }
    g_autofree char *policies = sim_grid_n_policies(d->grid) > 0
                                    ? g_strjoinv(", ", d->series)
                                    : g_strdup("the scenario's");
    emit_grid_row(html, "policies", policies);
    g_autofree char *seeds = sim_grid_n_seeds(d->grid) > 0
                                 ? g_strdup_printf("1 to %u", sim_grid_n_seeds(d->grid))
                                 : g_strdup("the scenario's");
    emit_grid_row(html, "seeds", seeds);
    g_autofree char *sets = sets_text(d->sets);
    emit_grid_row(html, "fixed (--set)", sets);
    g_autofree char *sla = isfinite(d->sla)
                               ? g_strdup_printf("every VM's mean performance index >= %.4g",
                                                 d->sla)
                               : g_strdup("none, unknown or varied");
    emit_grid_row(html, "SLA", sla);
    g_string_append(html, "</table>\n");
}

static void emit_counts(GString *html, const PlotSweepData *d, const PlotSweepPlan *plan)
{
    g_string_append(html, "<h2 id=\"counts\">Points</h2>\n<table id=\"counts-table\">\n");
    emit(html,
         "<tr><th>in the grid</th><td class=\"n\">%" G_GUINT64_FORMAT "</td></tr>\n"
         "<tr><th>ran</th><td class=\"n\">%" G_GUINT64_FORMAT "</td></tr>\n"
         "<tr><th>failed</th><td class=\"n%s\">%" G_GUINT64_FORMAT "</td></tr>\n"
         "<tr><th>not run yet</th><td class=\"n\">%" G_GUINT64_FORMAT "</td></tr>\n",
         d->n_points, d->n_ok, d->n_failed > 0 ? " missed" : "", d->n_failed,
         d->n_points - d->n_rows);
    g_string_append(html, "</table>\n");
    if (plan->notes->len > 0) {
        g_string_append(html, "<ul id=\"notes\">\n");
        for (guint i = 0; i < plan->notes->len; i++) {
            g_string_append(html, "<li>");
            plot_html_text(html, plan->notes->pdata[i]);
            g_string_append(html, "</li>\n");
        }
        g_string_append(html, "</ul>\n");
    }
}

static bool emit_figures(GString *html, const PlotSweepData *d, const PlotSweepPlan *plan,
                         GError **error)
{
    if (plan->figures->len == 0) {
        return true;
    }
    g_string_append(html, "<h2 id=\"plots\">Plots</h2>\n");
    for (guint i = 0; i < plan->figures->len; i++) {
        const PlotSweepFigure *f = plan->figures->pdata[i];
        g_autofree char *file = g_strconcat(f->name, ".svg", NULL);
        g_autofree char *path = g_build_filename(d->dir, "plots", file, NULL);
        g_autofree char *svg = NULL;
        GError *local = NULL;
        if (!g_file_get_contents(path, &svg, NULL, &local)) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: %s", path, local->message);
            g_error_free(local);
            return false;
        }
        g_autofree char *title = g_strdup_printf("%s: %s", d->name, f->title);
        plot_html_figure(html, f->name, svg, title, f->about);
    }
    g_string_append(html, "<p>Each figure's data is beside it, <code>plots/NAME.dat</code>.</p>\n");
    return true;
}

static void emit_errors(GString *html, const PlotSweepData *d)
{
    if (d->n_failed == 0) {
        return;
    }
    g_string_append(html, "<h2 id=\"failed\">Failed points</h2>\n<ul id=\"errors\">\n");
    for (guint i = 0; i < d->errors->len; i++) {
        const PlotSweepRow *row = d->errors->pdata[i];
        emit(html, "<li>point %" G_GUINT64_FORMAT ": ", row->id);
        plot_html_text(html, row->error);
        g_string_append(html, "</li>\n");
    }
    g_string_append(html, "</ul>\n");
    if (d->n_failed > d->errors->len) {
        emit(html, "<p>The first %u of %" G_GUINT64_FORMAT " failed points; every error is in "
                   "<code>sweep.sqlite</code> (<code>SELECT id, error FROM points WHERE status = "
                   "'failed'</code>).</p>\n",
             d->errors->len, d->n_failed);
    }
}

/* ---- the table of points ---- */

static const struct {
    PlotSweepFig fig;
    const char *header;
    int decimals;
} table_figs[] = {
    {PLOT_SWEEP_PERF_MEAN, "perf index mean", 4},
    {PLOT_SWEEP_PERF_WORST, "perf index worst", 4},
    {PLOT_SWEEP_BELOW_VM_S, "VM-s below SLA", 0},
    {PLOT_SWEEP_STALL, "stall % mean", 2},
    {PLOT_SWEEP_PEAK_BALLOON, "balloon MiB peak", 0},
    {PLOT_SWEEP_PEAK_SHARED, "shared MiB peak", 0},
    {PLOT_SWEEP_PEAK_COMPRESSED, "compressed MiB peak", 0},
    {PLOT_SWEEP_PEAK_SWAPPED, "swapped MiB peak", 0},
};

static void emit_table_head(GString *html, const PlotSweepData *d)
{
    g_string_append(html, "<thead><tr><th>id</th>");
    for (guint i = 0; i < sim_grid_n_varies(d->grid); i++) {
        g_string_append(html, "<th>");
        plot_html_text(html, sim_grid_vary_key(d->grid, i));
        g_string_append(html, "</th>");
    }
    g_string_append(html, "<th>policy</th><th>seed</th><th>status</th><th>SLA</th>");
    for (guint i = 0; i < G_N_ELEMENTS(table_figs); i++) {
        emit(html, "<th>%s</th>", table_figs[i].header);
    }
    g_string_append(html, "</tr></thead>\n");
}

static void emit_table_row(GString *html, const PlotSweepData *d, const PlotSweepRow *row,
                           guint *value)
{
    SimGridPoint p = {.value = value};
    sim_grid_point(d->grid, row->id, &p);
    emit(html, "<tr><td class=\"n\">%" G_GUINT64_FORMAT "</td>", row->id);
    for (guint i = 0; i < sim_grid_n_varies(d->grid); i++) {
        g_string_append(html, "<td>");
        plot_html_text(html, sim_grid_vary_value(d->grid, i, value[i]));
        g_string_append(html, "</td>");
    }
    g_string_append(html, "<td>");
    plot_html_text(html, row->policy);
    g_string_append(html, "</td><td class=\"n\">");
    plot_html_text(html, row->seed);
    emit(html, "</td><td%s>%s</td>", row->ok ? "" : " class=\"missed\"",
         row->ok ? "ok" : "failed");
    emit(html, "<td class=\"%s\">%s</td>", row->sla_met == 0 ? "missed" : "met",
         row->sla_met < 0 ? "-" : row->sla_met ? "met" : "NOT met");
    for (guint i = 0; i < G_N_ELEMENTS(table_figs); i++) {
        g_string_append(html, "<td class=\"n\">");
        plot_html_number(html, row->fig[table_figs[i].fig], table_figs[i].decimals);
        g_string_append(html, "</td>");
    }
    g_string_append(html, "</tr>\n");
}

static void emit_table(GString *html, const PlotSweepData *d)
{
    g_string_append(html, "<h2 id=\"table\">Every point</h2>\n");
    if (d->n_rows > d->table->len) {
        emit(html, "<p>The first %u of the %" G_GUINT64_FORMAT " points in the database, by id; "
                   "all of them are in <code>sweep.csv</code> and <code>sweep.sqlite</code>.</p>\n",
             d->table->len, d->n_rows);
    }
    g_string_append(html, "<div class=\"wide\">\n<table id=\"points-table\">\n");
    emit_table_head(html, d);
    g_string_append(html, "<tbody>\n");
    g_autofree guint *value = g_new0(guint, MAX(sim_grid_n_varies(d->grid), 1));
    for (guint i = 0; i < d->table->len; i++) {
        emit_table_row(html, d, d->table->pdata[i], value);
    }
    g_string_append(html, "</tbody>\n</table>\n</div>\n<p>What each figure means: "
                          "docs/model.md, \"Comparing policies\"; the columns: docs/sweep.md.</p>\n");
}

/* ---- the page ---- */

static bool write_report(const PlotSweepData *d, const PlotSweepPlan *plan, GError **error)
{
    g_autoptr(GString) html = g_string_new(NULL);
    emit_head(html, d);
    emit_grid(html, d);
    emit_counts(html, d, plan);
    if (!emit_figures(html, d, plan, error)) {
        return false;
    }
    emit_errors(html, d);
    emit_table(html, d);
    plot_html_foot(html, "from sweep.sqlite");
    g_autofree char *path = g_build_filename(d->dir, "report.html", NULL);
    return sim_outdir_write_file(path, html->str, html->len, error);
}

/* True when DIR/plots holds every figure of the plan. */
static bool plots_present(const PlotSweepData *d, const PlotSweepPlan *plan)
{
    for (guint i = 0; i < plan->figures->len; i++) {
        const PlotSweepFigure *f = plan->figures->pdata[i];
        g_autofree char *file = g_strconcat(f->name, ".svg", NULL);
        g_autofree char *path = g_build_filename(d->dir, "plots", file, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
            return false;
        }
    }
    return true;
}

static bool make(const char *dir, bool always_plot, GError **error)
{
    g_autoptr(PlotSweepData) d = plot_sweep_data_load(dir, error);
    if (d == NULL) {
        return false;
    }
    g_autoptr(PlotSweepPlan) plan = plot_sweep_plan_new(d);
    bool plot = always_plot || !plots_present(d, plan);
    return (!plot || plot_sweep_render_plan(d, plan, error)) && write_report(d, plan, error);
}

bool plot_sweep_report(const char *dir, GError **error)
{
    return make(dir, false, error);
}

bool plot_sweep_write(const char *dir, GError **error)
{
    return make(dir, true, error);
}
