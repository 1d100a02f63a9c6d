/*
 * One point of `reclaimsim sweep` and `reclaimsim capacity` (docs/sweep.md):
 * its description (SimSweepPoint: the overrides, seed and folder, whole, so
 * a point needs no grid), its run (a scenario loaded with the point's
 * overrides and run to the end, its figures those of `compare`,
 * sim/out/compare.h) and its result; and both as JSON text, exact to the
 * bit, to send a point to another MPI rank and its result back
 * (sim/out/sweepmpi.h). The runner of many points is sim/out/sweeprun.h.
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

/* Loads and runs one point on the calling thread. Never NULL; a point cut
 * short by an interrupt comes back with ok false and *interrupted set. */
SimSweepResult *sim_sweep_run_point(const char *scenario, const SimSweepPoint *point,
                                    bool *interrupted);

/* The same with the scenario's text given (`text` of `len` bytes, read by
 * another process): `scenario` names it in messages and places its traces
 * (NULL with `text` NULL: the built-in default). */
SimSweepResult *sim_sweep_run_point_text(const char *scenario, const char *text, gsize len,
                                         const SimSweepPoint *point, bool *interrupted);

/* The folder of point `id` under KEEP_RUNS: its id in decimal, zero-padded
 * to the digits of the largest id so a listing sorts in point order. */
char *sim_sweep_run_folder(const SimGrid *grid, guint64 id);

/* A point and a result as one line of JSON text, and back: every field,
 * doubles to the bit (sim_compare_row_pack). The parsers return false
 * (SIM_ERROR_VALUE) on text no packer wrote; `point` is cleared first. */
char *sim_sweep_point_pack(const SimSweepPoint *point);
bool sim_sweep_point_unpack(const char *text, SimSweepPoint *point, GError **error);
char *sim_sweep_result_pack(const SimSweepResult *result);
SimSweepResult *sim_sweep_result_unpack(const char *text, GError **error);
