/* Which figures a sweep gets, their names, titles and captions, and what
 * is not drawn and why: the one list the rendering (plots/sweepplot.c)
 * and the report (plots/sweepreport.c) read. */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "plots/sweepdata.h"

typedef enum {
    PLOT_SWEEP_LINES_PERF,  /* mean and worst performance index, with the SLA */
    PLOT_SWEEP_LINES_BELOW, /* time below the SLA */
    PLOT_SWEEP_LINES_PEAK,  /* peak memory by mechanism */
    PLOT_SWEEP_MAP_PERF,    /* heat map: mean performance index */
    PLOT_SWEEP_MAP_SLA,     /* heat map: share of the seeds that met the SLA */
} PlotSweepKind;

typedef struct PlotSweepFigure {
    PlotSweepKind kind;
    char *name;    /* DIR/plots/NAME.png, NAME.svg, NAME.dat */
    char *title;   /* after "SCENARIO: " */
    char *about;   /* the report's caption */
    guint series;  /* maps: the policy */
    guint64 slice; /* maps: the combination of the other keys' values */
} PlotSweepFigure;

typedef struct PlotSweepPlan {
    GPtrArray *figures; /* PlotSweepFigure, in report order */
    GPtrArray *notes;   /* char *: what is not drawn, and why */
} PlotSweepPlan;

PlotSweepPlan *plot_sweep_plan_new(const PlotSweepData *d);
void plot_sweep_plan_free(PlotSweepPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PlotSweepPlan, plot_sweep_plan_free)

/* The script that draws a kind: "sweep-lines" or "sweep-map". */
const char *plot_sweep_script(PlotSweepKind kind);

/* Renders the plan's figures into DIR/plots/ (plot_sweep_render without
 * reading the database again). */
bool plot_sweep_render_plan(const PlotSweepData *d, const PlotSweepPlan *plan, GError **error);
