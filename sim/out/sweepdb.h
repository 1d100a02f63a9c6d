/*
 * DIR/sweep.sqlite, the results of `reclaimsim sweep` (schema in
 * docs/sweep.md): a table `sweep` saying which sweep it holds, and a table
 * `points` with one row per finished point, keyed by the point's id
 * (sim/out/grid.h). One connection, used by one thread (the sweep's
 * writer). Each point is its own transaction in WAL mode: a killed process
 * loses no point it wrote, and a rerun finds which points are missing.
 * Nothing in a row depends on when or on how many threads it ran, so the
 * same command gives the same rows.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/out/grid.h"
#include "sim/out/sweeprun.h"

/* The version of the schema, in the `sweep` table (row "format"). */
#define SIM_SWEEP_DB_FORMAT "1"
#define SIM_SWEEP_DB_NAME "sweep.sqlite"
#define SIM_SWEEP_CSV_NAME "sweep.csv"

/* What makes two commands the same sweep (with the grid itself). */
typedef struct SimSweepIdentity {
    const char *scenario;        /* the path as given, or "<built-in>": shown, not compared */
    const char *scenario_sha256; /* of the scenario's text */
    const char *sets;            /* the fixed --set overrides as a JSON array */
    const char *command;         /* the command without -o and --jobs: shown, not compared */
    const char *name;            /* the scenario's name (titles of the plots): shown, not compared */
    bool has_sla;                /* the first point's SLA (the plots' SLA line): recorded, */
    double sla_perf_index;       /* not compared (it follows from the scenario) */
} SimSweepIdentity;

typedef struct SimSweepDb SimSweepDb;

/*
 * Opens `path` (messages name `shown`): creates the database with its
 * tables when it does not exist; else it must hold the same sweep (format,
 * reclaimsim version, scenario text, --set overrides and grid), or it is
 * refused (SIM_ERROR_USAGE) with what differs. *resumed says which.
 */
SimSweepDb *sim_sweep_db_open(const char *path, const char *shown, const SimGrid *grid,
                              const SimSweepIdentity *identity, bool *resumed, GError **error);
void sim_sweep_db_close(SimSweepDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimSweepDb, sim_sweep_db_close)

/* The ids of the points not in the database yet, in grid order. Caller
 * frees (g_array_unref). */
GArray *sim_sweep_db_missing(SimSweepDb *db, GError **error);

/* Writes one finished point (one transaction). */
bool sim_sweep_db_add(SimSweepDb *db, const SimSweepResult *result, GError **error);

/* Points in the database, and how many of them failed. */
bool sim_sweep_db_count(SimSweepDb *db, guint64 *points, guint64 *failed, GError **error);

/* The table `points` as CSV in point order, written whole to `path`
 * (through a temporary file, sim_outdir_write_file). */
bool sim_sweep_db_export_csv(SimSweepDb *db, const char *path, GError **error);
