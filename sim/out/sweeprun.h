/*
 * The runs of `reclaimsim sweep` and `reclaimsim capacity` (docs/sweep.md):
 * a list of points run on local cores, each a scenario loaded with the
 * point's overrides and run to the end, its figures those of `compare`
 * (sim/out/compare.h). A point is described whole (SimSweepPoint, in
 * sim/out/sweeppoint.h: its overrides, seed and folder), so the runner
 * needs no grid and a point can be sent to another process as it is. Worker threads take the next point from a shared
 * counter (a thread that finishes early takes more); every finished point
 * is handed to one callback on the calling thread, the one writer of the
 * results (sim/out/sweepdb.h). Points share nothing mutable (see
 * sim/out/comparerun.h), so a point's figures do not depend on the number
 * of threads or on which points ran beside it.
 *
 * Under mpirun (sim/out/sweepmpi.h) the other ranks take points too: the
 * calling thread hands the next point to each free slot of theirs, and
 * their results come to the same callback, so a caller does not know
 * where a point ran (and its figures do not depend on it).
 *
 * An interrupt (sim/interrupt.h) stops the taking of points; a point cut
 * short by it is not handed over (it is missing, not failed), and the
 * points that finished before are.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/out/sweeppoint.h"

/* Called on the calling thread for each finished point, in the order they
 * finish; false (with `error` set) stops the sweep: a write failed. The
 * callee does not own `result`. */
typedef bool (*SimSweepDone)(const SimSweepResult *result, void *data, GError **error);

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
