/* The curve of `reclaimsim capacity` (docs/capacity.md): the grown value
 * (a VM count, or host memory in GiB) against the worst and the mean
 * performance index of each probe, one colour per search (policy and
 * seed), the worst VM's solid, the mean dashed, and the SLA line; rendered
 * by gnuplot (plots/capacity.gp) into DIR/plots/capacity.png and .svg. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/out/capacitydb.h"

typedef struct PlotCapacity {
    const char *title;
    const char *xlabel;
    double sla;                  /* the SLA's perf_index */
    const char *const *labels;   /* per lane: "esxi seed 2" */
    guint n_lanes;
    const SimCapacityPoint *points; /* by lane, then value; NaN figures: a failed probe */
    guint n_points;
} PlotCapacity;

/* Replaces DIR/plots/ (a part of DIR: sim_outdir_new's SIM_OUTDIR_PART)
 * with the figure, only when it rendered. Errors as plot_render(). */
bool plot_capacity_write(const char *dir, const PlotCapacity *figure, GError **error);
