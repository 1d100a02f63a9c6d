/* DIR/report.html of `reclaimsim compare` (see compare.h): the comparison
 * table and the figures, self-contained like the run report (the page
 * parts both share, plots/html.h). */
#include "plots/compare.h"

#include <math.h>

#include "plots/html.h"
#include "sim/error.h"
#include "sim/out/comparerun.h"
#include "sim/out/outfile.h"

#define emit(html, ...) g_string_append_printf((html), __VA_ARGS__)

/* One number cell, "-" for NaN (no value). */
static void emit_cell(GString *html, double v, int decimals)
{
    g_string_append(html, "<td class=\"n\">");
    plot_html_number(html, v, decimals);
    g_string_append(html, "</td>");
}

static void emit_head(GString *html, const SimCompareHead *head)
{
    g_autofree char *title = g_strconcat("reclaimsim comparison: ", head->scenario, NULL);
    g_autofree char *name = plot_html_escape(head->scenario);
    plot_html_head(html, title);
    emit(html,
         "<p id=\"what\">Scenario %s, seed %" G_GUINT64_FORMAT
         ", %.0f s simulated under each policy",
         name, head->seed, head->duration_s);
    if (isfinite(head->sla_perf_index)) {
        emit(html, "; SLA: every VM's mean performance index &ge; %.4f", head->sla_perf_index);
    }
    g_string_append(html, ". Each policy's full outputs are in its folder "
                          "(<code>POLICY/summary.json</code>, <code>host.csv</code>, "
                          "<code>vms.csv</code>, <code>esxtop.csv</code>).</p>\n");
}

static const char *const headers[] = {
    "policy", "perf index mean", "perf index worst", "worst VM", "VM-s below SLA",
    "worst VM-s below SLA", "VM longest below SLA", "stall % mean",
    "balloon MiB peak", "shared MiB peak", "compressed MiB peak", "swapped MiB peak",
    "balloon MiB mean", "shared MiB mean", "compressed MiB mean", "swapped MiB mean",
    "swap read MiB", "swap written MiB"};

static void emit_header(GString *html)
{
    g_string_append(html, "<thead><tr>");
    for (guint i = 0; i < G_N_ELEMENTS(headers); i++) {
        emit(html, "<th>%s</th>", headers[i]);
    }
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        emit(html, "<th>time %s (s)</th>", sim_compare_state_name((guint)s));
    }
    g_string_append(html, "<th>SLA</th></tr></thead>\n");
}

static void emit_row(GString *html, const SimCompareRow *r, guint k)
{
    g_autofree char *folder = sim_compare_folder(r->policy);
    g_autofree char *href = plot_html_escape(folder);
    emit(html, "<tr><td><span class=\"swatch\" style=\"background:%s\"></span>"
               "<a href=\"%s/summary.json\">", plot_compare_colour(k), href);
    plot_html_text(html, r->policy);
    g_string_append(html, "</a></td>");
    emit_cell(html, r->perf_mean, 4);
    emit_cell(html, r->perf_worst, 4);
    g_string_append(html, "<td>");
    plot_html_text(html, r->worst_vm);
    g_string_append(html, "</td>");
    emit_cell(html, r->below_sla_s, 0);
    emit_cell(html, r->below_worst_s, 0);
    g_string_append(html, "<td>");
    plot_html_text(html, r->below_worst_vm);
    g_string_append(html, "</td>");
    emit_cell(html, r->stall_pct_mean, 2);
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        emit_cell(html, r->peak_mb[m], 0);
    }
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        emit_cell(html, r->mean_mb[m], 0);
    }
    emit_cell(html, r->swap_read_mb, 0);
    emit_cell(html, r->swap_written_mb, 0);
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        emit_cell(html, r->time_in_state_s[s], 0);
    }
    emit(html, "<td class=\"%s\">%s</td></tr>\n", r->sla_met == 0 ? "missed" : "met",
         r->sla_met < 0 ? "-" : r->sla_met ? "met" : "NOT met");
}

static void emit_table(GString *html, const SimCompareRow *rows, guint n)
{
    g_string_append(html, "<h2 id=\"table\">Policies side by side</h2>\n<div class=\"wide\">\n"
                          "<table id=\"compare-table\">\n");
    emit_header(html);
    g_string_append(html, "<tbody>\n");
    for (guint k = 0; k < n; k++) {
        emit_row(html, &rows[k], k);
    }
    g_string_append(html, "</tbody>\n</table>\n</div>\n<p>The same figures are in "
                          "<code>compare.csv</code> and <code>compare.json</code>; what each "
                          "means is in docs/model.md, \"Comparing policies\".</p>\n");
}

static bool emit_figures(GString *html, const SimCompareHead *head, const char *stage,
                         const char *shown, GError **error)
{
    guint n = 0;
    const PlotCompareSpec *specs = plot_compare_specs(&n);
    g_string_append(html, "<h2 id=\"plots\">Plots</h2>\n");
    for (guint i = 0; i < n; i++) {
        g_autofree char *file = g_strconcat(specs[i].name, ".svg", NULL);
        g_autofree char *path = g_build_filename(stage, "plots", file, NULL);
        g_autofree char *svg = NULL;
        if (!g_file_get_contents(path, &svg, NULL, NULL)) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s/plots/%s: error: cannot read", shown,
                        file);
            return false;
        }
        g_autofree char *title = g_strdup_printf("%s: %s", head->scenario, specs[i].title);
        plot_html_figure(html, specs[i].name, svg, title, specs[i].about);
    }
    return true;
}

bool plot_compare_report(const SimCompareHead *head, const SimCompareRow *rows, guint n,
                         const char *stage, const char *shown, GError **error)
{
    g_autoptr(GString) html = g_string_new(NULL);
    emit_head(html, head);
    emit_table(html, rows, n);
    if (!emit_figures(html, head, stage, shown, error)) {
        return false;
    }
    plot_html_foot(html, "compare from each policy's run");
    SimOutfile *f = sim_outfile_open_in(stage, shown, "report.html", error);
    if (f == NULL) {
        return false;
    }
    g_string_append_len(sim_outfile_line(f), html->str, (gssize)html->len);
    sim_outfile_flush_line(f);
    return sim_outfile_close(f, error);
}
