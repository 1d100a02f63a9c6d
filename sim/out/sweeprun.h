/*
 * The runs of `reclaimsim sweep` and `reclaimsim capacity` (docs/sweep.md):
 * a list of points run on local cores, each a scenario loaded with the
 * point's overrides and run to the end, its figures those of `compare`
 * (sim/out/compare.h). A point is described whole (SimSweepPoint: its
 * overrides, seed and folder), so the runner needs no grid and a point can
 * be sent to another process as it is. Worker threads take the next point from a shared
 * counter (a thread that finishes early takes more); every finished point
 * is handed to one callback on the calling thread, the one writer of the
 * results (sim/out/sweepdb.h). Points share nothing mutable (see
 * sim/out/comparerun.h), so a point's figures do not depend on the number
 * of threads or on which points ran beside it.
 *
 * An interrupt (sim/interrupt.h) stops the taking of points; a point cut
 * short by it is not handed over (it is missing, not failed), and the
 * points that finished before are.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/out/compare.h"
#include "sim/out/grid.h"

/* One finished point. */
typedef struct SimSweepResult {
    guint64 id;
    bool ok;           /* false: `error` says why (the scenario did not load, the run failed) */
    char *error;       /* one line, NULL when ok */
    char *policy;      /* the policy: as --policies named it, else the run's; NULL if unknown */
    guint64 seed;      /* the seed it ran with */
    bool has_seed;     /* false when the scenario did not load */
    char *warnings;    /* the loader's and the run's warnings, one per line; NULL: none */
    SimCompareRow row; /* the figures when ok */
} SimSweepResult;

void sim_sweep_result_free(SimSweepResult *result);

/* Called on the calling thread for each finished point, in the order they
 * finish; false (with `error` set) stops the sweep: a write failed. The
 * callee does not own `result`. */
typedef bool (*SimSweepDone)(const SimSweepResult *result, void *data, GError **error);

/* One point to run. */
typedef struct SimSweepPoint {
    guint64 id;         /* the caller's number for it, handed back in the result */
    char **sets;        /* every override, in order (the scenario's file is the base) */
    char *policy;       /* the name to record; NULL: the run's policy */
    guint64 seed;       /* 0: the scenario's */
    char *keep_dir;     /* when not NULL: the point's full outputs go there */
} SimSweepPoint;

void sim_sweep_point_clear(SimSweepPoint *point);

/* The points `ids` of `grid` with the fixed overrides `sets` (may be
 * NULL); with `keep_runs`, each kept in KEEP_RUNS/<id>/. A GArray of
 * SimSweepPoint that clears its elements. */
GArray *sim_sweep_points_of_grid(const SimGrid *grid, const char *const *sets,
                                 const guint64 *ids, guint64 n_ids, const char *keep_runs);

typedef struct SimSweepSpec {
    const char *scenario; /* the scenario file; NULL: the built-in default */
    const SimSweepPoint *points; /* in the order to take them */
    guint64 n_points;
    guint jobs; /* threads, >= 1 */
} SimSweepSpec;

/* Runs the points; false with the writer's error when `done` failed, or
 * with "interrupted by SIGINT" after an interrupt (SIM_ERROR_RUNTIME). A
 * point that fails is a result, not an error. */
bool sim_sweep_run(const SimSweepSpec *spec, SimSweepDone done, void *data, GError **error);

/* Loads and runs one point on the calling thread. Never NULL; a point cut
 * short by an interrupt comes back with ok false and *interrupted set. */
SimSweepResult *sim_sweep_run_point(const char *scenario, const SimSweepPoint *point,
                                    bool *interrupted);

/* The folder of point `id` under KEEP_RUNS: its id in decimal, zero-padded
 * to the digits of the largest id so a listing sorts in point order. */
char *sim_sweep_run_folder(const SimGrid *grid, guint64 id);
