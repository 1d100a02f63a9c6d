/* The figures and the report of `reclaimsim compare` (see compare.h). */
#include "plots/compare.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>

#include "plots/gnuplot.h"
#include "plots/plot.h"
#include "plots/rundata.h"
#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/out/comparerun.h"

/* What every figure draws from. */
typedef struct Compare {
    const SimCompareHead *head;
    const SimCompareRow *rows;
    guint n;
    PlotRunData **runs; /* n, each policy's folder read back */
} Compare;

/* ---- the data of the figures ---- */

/* The fleet's mean performance index at time index t: the mean over the
 * VMs with a row then (as compare.csv's perf_index_mean is over the VMs). */
static double fleet_perf(const PlotRunData *d, guint t)
{
    double sum = 0;
    guint count = 0;
    for (guint vm = 0; vm < d->n_vms; vm++) {
        double v = plot_rundata_vm(d, vm, t, PLOT_VM_PERF);
        if (!isnan(v)) {
            sum += v;
            count++;
        }
    }
    return count > 0 ? sum / count : NAN;
}

/* Host-wide MiB of mechanism m at time index t: the VMs' columns summed, the
 * same columns summary.json's reclaimed_mb sums (sim/out/compare.h). */
static double mech_mb(const PlotRunData *d, guint t, SimMech m)
{
    static const PlotVmCol cols[SIM_MECH_MAX] = {PLOT_VM_MCTLSZ, PLOT_VM_SHRDSVD, PLOT_VM_ZSAVED,
                                                 PLOT_VM_SWCUR};
    double sum = 0;
    for (guint vm = 0; vm < d->n_vms; vm++) {
        double v = plot_rundata_vm(d, vm, t, cols[m]);
        sum += isnan(v) ? 0 : v;
    }
    return sum;
}

static void dat_point(GString *dat, double t, double v)
{
    g_string_append_printf(dat, "%.0f ", t);
    if (isfinite(v)) {
        g_string_append_printf(dat, "%.4f\n", v);
    } else {
        g_string_append(dat, "NaN\n");
    }
}

/* ---- the figures ---- */

/* The parameters of every figure: common.gp's and the policies' names,
 * colours and dash patterns. */
static void params_common(const Compare *c, GString *p, const PlotCompareSpec *spec,
                          double width, double height)
{
    double tmax = MAX(c->head->duration_s, 60); /* gnuplot refuses an empty time axis */
    g_autofree char *title = g_strdup_printf("%s: %s", c->head->scenario, spec->title);
    g_autofree char *out = g_build_filename("stage", spec->name, NULL);
    g_autofree char *datafile = g_strconcat(spec->name, ".dat", NULL);
    plot_param_str(p, "plotsdir", "gp");
    plot_param_str(p, "out", out);
    plot_param_str(p, "datafile", datafile);
    plot_param_str(p, "title_text", title);
    plot_param_num(p, "width", width);
    plot_param_num(p, "height", height);
    plot_param_num(p, "tmax", tmax);
    plot_param_num(p, "xstep", plot_time_step(tmax, 12));
    plot_param_num(p, "n_pol", c->n);
    g_string_append_printf(p, "array pnames[%u]\narray pcolours[%u]\narray pdashes[%u]\n", c->n,
                           c->n, c->n);
    for (guint k = 0; k < c->n; k++) {
        g_autofree char *name = g_strdup_printf("pnames[%u]", k + 1);
        g_autofree char *colour = g_strdup_printf("pcolours[%u]", k + 1);
        g_autofree char *dash = g_strdup_printf("pdashes[%u]", k + 1);
        plot_param_str(p, name, c->rows[k].policy);
        plot_param_str(p, colour, plot_compare_colour(k));
        plot_param_num(p, dash, plot_compare_dash(k));
    }
}

/* Free memory on a log axis (as plots/host-free.gp), floored at half the
 * lowest policy's low threshold. */
static void figure_free(const Compare *c, GString *p, GString *dat)
{
    double ymin = INFINITY, ymax = 1, min_free = NAN;
    for (guint k = 0; k < c->n; k++) {
        const PlotRunData *d = c->runs[k];
        double low = plot_rundata_summary_number(d, "host", "thresholds_mb", "low", NULL);
        double mf = plot_rundata_summary_number(d, "host", "min_free_mb", NULL);
        ymin = MIN(ymin, low / 2);
        ymax = MAX(ymax, plot_rundata_summary_number(d, "host", "thresholds_mb", "high", NULL));
        min_free = k == 0 || mf == min_free ? mf : NAN; /* NaN once two differ */
        for (guint r = 0; r < d->n_host; r++) {
            ymax = MAX(ymax, plot_rundata_host(d, r, PLOT_HOST_FREE));
        }
    }
    ymin = isfinite(ymin) && ymin > 0 ? ymin : 1;
    for (guint k = 0; k < c->n; k++) {
        const PlotRunData *d = c->runs[k];
        for (guint r = 0; r < d->n_host; r++) {
            dat_point(dat, plot_rundata_host(d, r, PLOT_HOST_TIME),
                      MAX(plot_rundata_host(d, r, PLOT_HOST_FREE), ymin));
        }
        g_string_append(dat, "\n\n");
    }
    plot_param_num(p, "ymin", ymin);
    plot_param_num(p, "ymax", ymax * 2);
    plot_param_num(p, "min_free", min_free);
}

/* The t = 0 row covers no time (its index reads 1): left out, as the
 * figure of each run's vm-perf leaves it out of its ranking. */
static void figure_perf(const Compare *c, GString *p, GString *dat)
{
    double lo = isfinite(c->head->sla_perf_index) ? c->head->sla_perf_index : 1;
    for (guint k = 0; k < c->n; k++) {
        const PlotRunData *d = c->runs[k];
        for (guint t = d->n_times > 1 ? 1 : 0; t < d->n_times; t++) {
            double v = fleet_perf(d, t);
            lo = isfinite(v) ? MIN(lo, v) : lo;
            dat_point(dat, d->times[t], v);
        }
        g_string_append(dat, "\n\n");
    }
    plot_param_num(p, "perf_lo", MAX(0, floor((lo - 0.02) * 20) / 20));
    plot_param_num(p, "has_sla", isfinite(c->head->sla_perf_index));
    plot_param_num(p, "sla", isfinite(c->head->sla_perf_index) ? c->head->sla_perf_index : 0);
}

/* The panel layout of panels.gp for 2 x 2 panels, in screen fractions
 * from pixel sizes (as plots/plot.c lays out its small multiples). */
static void panels_2x2(GString *p, double width, double height)
{
    plot_param_num(p, "n_panels", SIM_MECH_MAX);
    plot_param_num(p, "rows", 2);
    plot_param_num(p, "cols", 2);
    plot_param_num(p, "m_left", 85 / width);
    plot_param_num(p, "m_right", 1 - 25 / width);
    plot_param_num(p, "m_bottom", 100 / height);
    plot_param_num(p, "m_top", 1 - 90 / height);
    plot_param_num(p, "s_x", 70 / width);
    plot_param_num(p, "s_y", 65 / height);
    plot_param_num(p, "key_y", 28 / height);
    plot_param_num(p, "key_h", 30 / height);
}

static void figure_reclaimed(const Compare *c, GString *p, GString *dat)
{
    static const char *const titles[SIM_MECH_MAX] = {
        "in balloons (mctlsz)", "saved by page sharing (shrdsvd)",
        "saved by compression (zsaved)", "host-swapped (swcur)"};
    double max = 0;
    for (guint k = 0; k < c->n; k++) {
        for (guint t = 0; t < c->runs[k]->n_times; t++) {
            for (int m = 0; m < SIM_MECH_MAX; m++) {
                max = MAX(max, mech_mb(c->runs[k], t, (SimMech)m));
            }
        }
    }
    const char *unit = NULL;
    double scale = plot_unit_scale(max, &unit);
    g_string_append_printf(p, "array names[%d]\n", SIM_MECH_MAX);
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        g_autofree char *key = g_strdup_printf("names[%d]", m + 1);
        plot_param_str(p, key, titles[m]);
        for (guint k = 0; k < c->n; k++) {
            const PlotRunData *d = c->runs[k];
            for (guint t = 0; t < d->n_times; t++) {
                dat_point(dat, d->times[t], mech_mb(d, t, (SimMech)m) / scale);
            }
            g_string_append(dat, "\n\n");
        }
    }
    plot_param_str(p, "unit", unit);
    plot_param_str(p, "subtitle", "host-wide, one line per policy");
    panels_2x2(p, 1100, 760);
}

/* Aligned with plot_compare_specs(): each figure's data, parameters and size. */
typedef struct Preparer {
    void (*fill)(const Compare *c, GString *params, GString *dat);
    double width, height;
} Preparer;

static const Preparer preparers[] = {
    {figure_free, 1200, 620},
    {figure_perf, 1200, 620},
    {figure_reclaimed, 1100, 760},
};

static bool write_work_file(const char *work, const char *name, const char *suffix,
                            const GString *text, GError **error)
{
    g_autofree char *base = g_strconcat(name, suffix, NULL);
    g_autofree char *path = g_build_filename(work, base, NULL);
    return g_file_set_contents(path, text->str, (gssize)text->len, error);
}

/* Each figure's data and parameters into the scratch directory, then
 * gnuplot; an interrupt is checked after each (as plot_render does). */
static bool render_figures(const Compare *c, const char *plots, const char *shown,
                           GError **error)
{
    guint n_specs = 0;
    const PlotCompareSpec *specs = plot_compare_specs(&n_specs);
    g_assert(n_specs == G_N_ELEMENTS(preparers));
    g_autofree char *scripts = plot_scripts_dir();
    char *work = plot_work_new(plots, scripts, error);
    bool ok = work != NULL;
    for (guint i = 0; ok && i < n_specs; i++) {
        g_autoptr(GString) params = g_string_new("# written by reclaimsim compare\n");
        g_autoptr(GString) dat = g_string_new(NULL);
        params_common(c, params, &specs[i], preparers[i].width, preparers[i].height);
        preparers[i].fill(c, params, dat);
        ok = write_work_file(work, specs[i].name, ".params.gp", params, error) &&
             write_work_file(work, specs[i].name, ".dat", dat, error) &&
             plot_gnuplot_render(work, scripts, specs[i].name, plots, shown, error) &&
             sim_interrupt_check(error);
    }
    plot_work_free(work);
    return ok;
}

/* Each policy's folder read back, as `reclaimsim plot` reads a run. */
static bool load_runs(Compare *c, const char *stage, GError **error)
{
    c->runs = g_new0(PlotRunData *, MAX(c->n, 1));
    for (guint k = 0; k < c->n; k++) {
        g_autofree char *folder = sim_compare_folder(c->rows[k].policy);
        g_autofree char *dir = g_build_filename(stage, folder, NULL);
        c->runs[k] = plot_rundata_load(dir, error);
        if (c->runs[k] == NULL) {
            return false;
        }
    }
    return true;
}

static void free_runs(Compare *c)
{
    for (guint k = 0; c->runs != NULL && k < c->n; k++) {
        plot_rundata_free(c->runs[k]);
    }
    g_free(c->runs);
}

bool plot_compare_write(const char *stage, const char *shown, const SimCompareHead *head,
                        const SimCompareRow *rows, guint n, GError **error)
{
    g_return_val_if_fail(stage != NULL && shown != NULL && head != NULL, false);
    Compare c = {.head = head, .rows = rows, .n = n};
    g_autofree char *plots = g_build_filename(stage, "plots", NULL);
    g_autofree char *plots_shown = g_build_filename(shown, "plots", NULL);
    bool ok = load_runs(&c, stage, error);
    if (ok && g_mkdir(plots, 0777) != 0) {
        int errsv = errno;
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot create: %s", plots_shown,
                    g_strerror(errsv));
        ok = false;
    }
    ok = ok && render_figures(&c, plots, plots_shown, error) &&
         plot_compare_report(head, rows, n, stage, shown, error);
    free_runs(&c);
    return ok;
}
