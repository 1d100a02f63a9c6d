/*
 * A sweep read back from DIR/sweep.sqlite for its plots and report
 * (plots/sweepplot.h). Only the database is read, read-only: the grid is
 * rebuilt from the database's own description of it (the `grid` row,
 * through sim/out/grid.h), so every point id maps to its values, policy
 * and seed exactly as the sweep numbered them.
 *
 * The plots draw *cells*: one combination of the varied values and a
 * policy, i.e. a point's seeds together. Only the keys that take more than
 * one value are dimensions of the plots (a `--vary KEY=v` is a fixed key);
 * the first two dimensions are the axes, the combinations of the others
 * (more than two dimensions) are *slices*, of which the first
 * `slices_shown` are drawn (PLOT_SWEEP_MAPS_MAX). Cells hold the ok points'
 * statistics per figure; failed points only count.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/out/grid.h"

/* Most heat maps one sweep draws (2 per policy and slice): past it the
 * report says how many slices were left out (docs/sweep.md, "Plots"). */
#define PLOT_SWEEP_MAPS_MAX 24

/* Most points the report's table lists, and most errors it quotes. */
#define PLOT_SWEEP_TABLE_MAX 500
#define PLOT_SWEEP_ERRORS_MAX 20

/* The figures of a point the plots and the report use, the columns of
 * `points` of the same names. */
typedef enum {
    PLOT_SWEEP_PERF_MEAN,     /* perf_index_mean */
    PLOT_SWEEP_PERF_WORST,    /* perf_index_worst */
    PLOT_SWEEP_BELOW_VM_S,    /* below_sla_vm_s */
    PLOT_SWEEP_BELOW_WORST_S, /* below_sla_worst_s */
    PLOT_SWEEP_STALL,         /* stall_pct_mean */
    PLOT_SWEEP_PEAK_BALLOON,  /* peak_balloon_mb, then shared, compressed, swapped */
    PLOT_SWEEP_PEAK_SHARED,
    PLOT_SWEEP_PEAK_COMPRESSED,
    PLOT_SWEEP_PEAK_SWAPPED,
    PLOT_SWEEP_FIG_MAX
} PlotSweepFig;

/* The column name of a figure ("perf_index_mean", ...). */
const char *plot_sweep_fig_column(PlotSweepFig fig);

/* One point as the report's tables show it. */
typedef struct PlotSweepRow {
    guint64 id;
    bool ok;
    char *policy; /* NULL when the point did not load */
    char *seed;   /* the seed's text, NULL when it did not load */
    char *error;  /* NULL when ok */
    int sla_met;  /* 1, 0, -1 without a verdict */
    double fig[PLOT_SWEEP_FIG_MAX];
} PlotSweepRow;

/* n, sum, min and max of one figure over a cell's ok points with a value. */
typedef struct PlotSweepStat {
    guint n;
    double sum, min, max;
} PlotSweepStat;

/* The mean, NaN when the cell has no value. */
double plot_sweep_stat_mean(const PlotSweepStat *s);

typedef struct PlotSweepCell {
    guint ok, failed;      /* the cell's points in the database, by status */
    guint sla_n, sla_met;  /* ok points with a verdict; those that met the SLA */
    PlotSweepStat fig[PLOT_SWEEP_FIG_MAX];
} PlotSweepCell;

/* How one dimension's values are drawn. */
typedef struct PlotSweepAxis {
    guint vary;      /* the --vary it is, in grid order */
    guint n;         /* its values */
    bool numeric;    /* numbers, sizes, durations, percentages: at their value */
    double scale;    /* the value in the unit of the numeric column / scale = in `unit` */
    const char *unit; /* "GiB", "min", "%", ... NULL for plain numbers and text */
    char *label;     /* the axis label: "host.memory (GiB)" */
} PlotSweepAxis;

typedef struct PlotSweepData {
    char *dir;            /* as given */
    char *name;           /* the scenario's name, for the titles */
    char *scenario;       /* the `sweep` rows: scenario path, command, --set overrides (JSON) */
    char *command;
    char *sets;
    double sla;           /* the SLA line: NaN without one, or when a vary sets the SLA */
    SimGrid *grid;        /* rebuilt from the `grid` row */
    guint64 n_points;     /* of the grid */
    guint64 n_rows;       /* in the database */
    guint64 n_ok, n_failed;
    guint n_series;       /* the lines of a figure: the policies, or 1 */
    char **series;        /* their names */
    bool series_named;    /* false: series[0] says which policy in words ("the scenario's") */
    guint n_seeds;        /* seeds per point, at least 1 */
    guint n_dims;         /* keys with more than one value */
    PlotSweepAxis *dims;  /* n_dims, grid order */
    guint64 n_slices;     /* combinations of the dimensions past the second (1 with two or fewer) */
    guint64 slices_shown; /* the first slices drawn */
    PlotSweepCell *cells; /* slices_shown x n_series x n(dim 0) x n(dim 1), see plot_sweep_cell */
    GPtrArray *table;     /* PlotSweepRow: the first PLOT_SWEEP_TABLE_MAX points by id */
    GPtrArray *errors;    /* PlotSweepRow: the first PLOT_SWEEP_ERRORS_MAX failed points */
} PlotSweepData;

/* Reads DIR/sweep.sqlite. A missing or foreign database is SIM_ERROR_USAGE
 * (exit 2, "DIR/sweep.sqlite: error: ..."); a read failure SIM_ERROR_IO. */
PlotSweepData *plot_sweep_data_load(const char *dir, GError **error);
void plot_sweep_data_free(PlotSweepData *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PlotSweepData, plot_sweep_data_free)

/* Values along dimension `dim` (1 past the last dimension). */
guint plot_sweep_dim_n(const PlotSweepData *d, guint dim);

/* The cell of slice `slice` (< slices_shown), series `series`, value i0 of
 * dimension 0 and i1 of dimension 1 (0 where there is none). */
const PlotSweepCell *plot_sweep_cell(const PlotSweepData *d, guint64 slice, guint series,
                                     guint i0, guint i1);

/* A value of a dimension as drawn: numeric axes the value in the axis'
 * unit, text axes the value's index. */
double plot_sweep_axis_x(const PlotSweepData *d, const PlotSweepAxis *a, guint index);

/* The tic label of a value: the number in the axis' unit ("%g"), or the
 * value as given. Caller frees. */
char *plot_sweep_axis_label(const PlotSweepData *d, const PlotSweepAxis *a, guint index);

/* The unit of a time axis: s up to 10 min, min up to 2 h, h above; the
 * divisor, *unit its name. */
double plot_sweep_duration_scale(double max_s, const char **unit);

/* "KEY=VALUE, ..." of the dimensions past the second at slice `slice`. Caller frees. */
char *plot_sweep_slice_text(const PlotSweepData *d, guint64 slice);
