/* The figures of a sweep and what is left out (see sweepfigs.h). */
#include "plots/sweepfigs.h"

#include <math.h>

#include "sim/out/grid.h"

const char *plot_sweep_script(PlotSweepKind kind)
{
    return kind >= PLOT_SWEEP_MAP_PERF ? "sweep-map" : "sweep-lines";
}

static void figure_free(gpointer p)
{
    PlotSweepFigure *f = p;
    g_free(f->name);
    g_free(f->title);
    g_free(f->about);
    g_free(f);
}

static PlotSweepFigure *add(PlotSweepPlan *plan, PlotSweepKind kind, char *name, char *title,
                            char *about)
{
    PlotSweepFigure *f = g_new0(PlotSweepFigure, 1);
    f->kind = kind;
    f->name = name;
    f->title = title;
    f->about = about;
    g_ptr_array_add(plan->figures, f);
    return f;
}

static void note(PlotSweepPlan *plan, char *text)
{
    g_ptr_array_add(plan->notes, text);
}

static const char *dim_key(const PlotSweepData *d, guint dim)
{
    return sim_grid_vary_key(d->grid, d->dims[dim].vary);
}

/* Whether any drawn cell has a value of `fig` (or, fig < 0, an SLA verdict). */
static bool any_value(const PlotSweepData *d, int fig)
{
    gsize n = d->slices_shown * d->n_series * plot_sweep_dim_n(d, 0) * plot_sweep_dim_n(d, 1);
    for (gsize i = 0; i < n; i++) {
        if (fig < 0 ? d->cells[i].sla_n > 0 : d->cells[i].fig[fig].n > 0) {
            return true;
        }
    }
    return false;
}

/* "; each point the mean over the N seeds, bars from the lowest to the highest" */
static const char *seeds_text(const PlotSweepData *d)
{
    return d->n_seeds > 1 ? " Each point is the mean over the seeds that ran, its bar spans "
                            "the lowest to the highest seed."
                          : "";
}

static void plan_lines(const PlotSweepData *d, PlotSweepPlan *plan)
{
    const char *key = dim_key(d, 0);
    add(plan, PLOT_SWEEP_LINES_PERF, g_strdup("sweep-perf"),
        g_strdup_printf("performance index against %s", key),
        g_strdup_printf("Left, the mean over the VMs of each VM's performance index "
                        "(perf_index_mean); right, the worst VM's (perf_index_worst), the one "
                        "the SLA is about (1.0 = no stall). One line per policy.%s",
                        seeds_text(d)));
    if (any_value(d, PLOT_SWEEP_BELOW_VM_S)) {
        add(plan, PLOT_SWEEP_LINES_BELOW, g_strdup("sweep-below-sla"),
            g_strdup_printf("time below the SLA against %s", key),
            g_strdup_printf("Time the VMs' performance index spent below the SLA: summed over "
                            "the VMs (below_sla_vm_s), and of the VM longest below it "
                            "(below_sla_worst_s). One line per policy.%s",
                            seeds_text(d)));
    } else {
        note(plan, g_strdup("The scenario sets no SLA: no figure of the time below it."));
    }
    add(plan, PLOT_SWEEP_LINES_PEAK, g_strdup("sweep-peak-memory"),
        g_strdup_printf("peak memory by mechanism against %s", key),
        g_strdup_printf("The peak over the run of the host-wide memory each mechanism held: in "
                        "balloons, saved by page sharing, saved by compression, host-swapped "
                        "(peak_*_mb). One line per policy.%s",
                        seeds_text(d)));
}

/* " at KEY=VALUE, ..." for a slice of a sweep of more than two keys, else "". */
static char *slice_suffix(const PlotSweepData *d, guint64 slice)
{
    if (d->n_dims <= 2) {
        return g_strdup("");
    }
    g_autofree char *text = plot_sweep_slice_text(d, slice);
    return g_strdup_printf(", %s", text);
}

/* NAME-POLICY[-SLICE], both counted from 1: names that are safe as file names. */
static char *map_name(const PlotSweepData *d, const char *what, guint series, guint64 slice)
{
    return d->n_dims > 2 ? g_strdup_printf("sweep-map-%s-%u-%" G_GUINT64_FORMAT, what,
                                           series + 1, slice + 1)
                         : g_strdup_printf("sweep-map-%s-%u", what, series + 1);
}

static void plan_map(const PlotSweepData *d, PlotSweepPlan *plan, guint series, guint64 slice,
                     bool sla)
{
    g_autofree char *at = slice_suffix(d, slice);
    g_autofree char *pol = d->series_named ? g_strdup_printf("policy %s", d->series[series])
                                           : g_strdup(d->series[series]);
    PlotSweepFigure *f = NULL;
    if (!sla) {
        f = add(plan, PLOT_SWEEP_MAP_PERF, map_name(d, "perf", series, slice),
                g_strdup_printf("mean performance index, %s%s", pol, at),
                g_strdup_printf("Each cell: the mean over the VMs of each VM's performance index "
                                "(perf_index_mean) under %s%s, the mean over the seeds that ran. "
                                "Grey cells: no point of the cell ran (failed or not run).",
                                pol, at));
    } else {
        f = add(plan, PLOT_SWEEP_MAP_SLA, map_name(d, "sla", series, slice),
                g_strdup_printf("%s, %s%s",
                                d->n_seeds > 1 ? "share of the seeds meeting the SLA"
                                               : "SLA met or not",
                                pol, at),
                g_strdup_printf("Each cell: how many of its seeds met the SLA (every VM's mean "
                                "performance index at or above it) under %s%s. Grey cells: no "
                                "point of the cell ran (failed or not run).",
                                pol, at));
    }
    f->series = series;
    f->slice = slice;
}

static void plan_maps(const PlotSweepData *d, PlotSweepPlan *plan)
{
    bool sla = any_value(d, -1);
    for (guint64 s = 0; s < d->slices_shown; s++) {
        for (guint k = 0; k < d->n_series; k++) {
            plan_map(d, plan, k, s, false);
            if (sla) {
                plan_map(d, plan, k, s, true);
            }
        }
    }
    if (!sla) {
        note(plan, g_strdup("The scenario sets no SLA: no maps of the SLA verdict."));
    }
    if (d->n_dims > 2) {
        note(plan, g_strdup_printf(
                       "%u keys take several values: the maps are over %s and %s, one per "
                       "policy and combination of the other keys' values (%" G_GUINT64_FORMAT
                       " combinations; %" G_GUINT64_FORMAT " drawn, at most %d maps in all).",
                       d->n_dims, dim_key(d, 0), dim_key(d, 1), d->n_slices, d->slices_shown,
                       PLOT_SWEEP_MAPS_MAX));
    }
}

PlotSweepPlan *plot_sweep_plan_new(const PlotSweepData *d)
{
    PlotSweepPlan *plan = g_new0(PlotSweepPlan, 1);
    plan->figures = g_ptr_array_new_with_free_func(figure_free);
    plan->notes = g_ptr_array_new_with_free_func(g_free);
    if (d->n_ok == 0) {
        note(plan, g_strdup("No point of the sweep ran to the end: nothing to plot."));
    } else if (d->n_dims == 0) {
        note(plan, g_strdup("No key takes more than one value: there is no axis to plot "
                            "against; the table has every point."));
    } else if (d->n_dims == 1) {
        plan_lines(d, plan);
    } else {
        plan_maps(d, plan);
    }
    if (d->n_failed > 0) {
        note(plan, g_strdup_printf("%" G_GUINT64_FORMAT " failed point%s %s left out of the "
                                   "figures.",
                                   d->n_failed, d->n_failed == 1 ? "" : "s",
                                   d->n_failed == 1 ? "is" : "are"));
    }
    if (d->n_rows < d->n_points) {
        note(plan, g_strdup_printf("%" G_GUINT64_FORMAT " of the %" G_GUINT64_FORMAT
                                   " points have not run yet (an interrupted sweep; the same "
                                   "command runs them).",
                                   d->n_points - d->n_rows, d->n_points));
    }
    return plan;
}

void plot_sweep_plan_free(PlotSweepPlan *plan)
{
    if (plan == NULL) {
        return;
    }
    g_ptr_array_unref(plan->figures);
    g_ptr_array_unref(plan->notes);
    g_free(plan);
}
