/*
 * The runs of `reclaimsim sweep` (docs/sweep.md): a list of grid points
 * (sim/out/grid.h) run on local cores, each a scenario loaded with the
 * point's overrides and run to the end, its figures those of `compare`
 * (sim/out/compare.h). Worker threads take the next point from a shared
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

typedef struct SimSweepSpec {
    const char *scenario; /* the scenario file; NULL: the built-in default */
    const SimGrid *grid;
    const char *const *sets; /* the fixed --set overrides, may be NULL */
    const guint64 *ids;      /* the points to run, in the order to take them */
    guint64 n_ids;
    guint jobs;            /* threads, >= 1 */
    const char *keep_runs; /* when not NULL: each point's outputs go to KEEP_RUNS/<id>/ */
} SimSweepSpec;

/* Runs the points; false with the writer's error when `done` failed, or
 * with "interrupted by SIGINT" after an interrupt (SIM_ERROR_RUNTIME). A
 * point that fails is a result, not an error. */
bool sim_sweep_run(const SimSweepSpec *spec, SimSweepDone done, void *data, GError **error);

/* The folder of point `id` under KEEP_RUNS: its id in decimal, zero-padded
 * to the digits of the largest id so a listing sorts in point order. */
char *sim_sweep_run_folder(const SimGrid *grid, guint64 id);
