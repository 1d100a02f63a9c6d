/* The curve of `reclaimsim capacity`: see plots/capacityplot.h. */
#include "plots/capacityplot.h"

#include <math.h>

#include "plots/compare.h"
#include "plots/gnuplot.h"
#include "plots/plot.h"
#include "sim/out/outdir.h"

#define FIGURE "capacity"
#define WIDTH 1200
#define HEIGHT 680

/* One block per lane: x, mean, worst of its probes that ran (a failed
 * probe has no figures and no point). */
static void data_of(const PlotCapacity *f, GString *dat, double *xmin, double *xmax, double *lo)
{
    for (guint lane = 0; lane < f->n_lanes; lane++) {
        for (guint i = 0; i < f->n_points; i++) {
            const SimCapacityPoint *p = &f->points[i];
            *xmin = MIN(*xmin, p->x);
            *xmax = MAX(*xmax, p->x);
            if (p->lane != lane || !isfinite(p->perf_worst)) {
                continue;
            }
            *lo = MIN(*lo, p->perf_worst);
            g_string_append_printf(dat, "%.6g %.6f %.6f\n", p->x, p->perf_mean, p->perf_worst);
        }
        g_string_append(dat, "\n\n"); /* gnuplot's `index`: blocks apart by two blank lines */
    }
}

static void params_of(const PlotCapacity *f, GString *p, double xmin, double xmax, double lo)
{
    double pad = MAX((xmax - xmin) * 0.03, 0.5);
    plot_param_str(p, "plotsdir", "gp");
    plot_param_str(p, "out", "stage/" FIGURE);
    plot_param_str(p, "datafile", FIGURE ".dat");
    plot_param_str(p, "title_text", f->title);
    plot_param_str(p, "xlabel_text", f->xlabel);
    plot_param_num(p, "width", WIDTH);
    plot_param_num(p, "height", HEIGHT);
    plot_param_num(p, "tmax", 60); /* common.gp's time axis, replaced by the script */
    plot_param_num(p, "xstep", 60);
    plot_param_num(p, "xmin", xmin - pad);
    plot_param_num(p, "xmax", xmax + pad);
    plot_param_num(p, "perf_lo", MAX(0, floor((lo - 0.02) * 20) / 20));
    plot_param_num(p, "sla", f->sla);
    plot_param_num(p, "n_lanes", f->n_lanes);
    g_string_append_printf(p, "array lnames[%u]\narray lcolours[%u]\narray ldashes[%u]\n",
                           f->n_lanes, f->n_lanes, f->n_lanes);
    for (guint k = 0; k < f->n_lanes; k++) {
        g_autofree char *name = g_strdup_printf("lnames[%u]", k + 1);
        g_autofree char *colour = g_strdup_printf("lcolours[%u]", k + 1);
        g_autofree char *dash = g_strdup_printf("ldashes[%u]", k + 1);
        plot_param_str(p, name, f->labels[k]);
        plot_param_str(p, colour, plot_compare_colour(k));
        plot_param_num(p, dash, plot_compare_dash(k));
    }
}

static bool write_work_file(const char *work, const char *name, const GString *text,
                            GError **error)
{
    g_autofree char *path = g_build_filename(work, name, NULL);
    return g_file_set_contents(path, text->str, (gssize)text->len, error);
}

bool plot_capacity_write(const char *dir, const PlotCapacity *f, GError **error)
{
    g_autofree char *shown = g_build_filename(dir, "plots", NULL);
    g_autoptr(SimOutdir) plots = sim_outdir_new(shown, SIM_OUTDIR_PART, error);
    const char *stage = plots != NULL ? sim_outdir_stage(plots, error) : NULL;
    if (stage == NULL) {
        return false;
    }
    double xmin = INFINITY, xmax = -INFINITY, lo = f->sla;
    g_autoptr(GString) dat = g_string_new(NULL);
    g_autoptr(GString) params = g_string_new("# written by reclaimsim capacity\n");
    data_of(f, dat, &xmin, &xmax, &lo);
    if (!isfinite(xmin)) {
        xmin = xmax = 0;
    }
    params_of(f, params, xmin, xmax, lo);
    g_autofree char *scripts = plot_scripts_dir();
    char *work = plot_work_new(stage, scripts, error);
    bool ok = work != NULL && write_work_file(work, FIGURE ".params.gp", params, error) &&
              write_work_file(work, FIGURE ".dat", dat, error) &&
              plot_gnuplot_render(work, scripts, FIGURE, stage, shown, error) &&
              sim_outdir_commit(plots, error);
    plot_work_free(work);
    return ok;
}
