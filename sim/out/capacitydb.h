/*
 * DIR/capacity.sqlite, the probes of `reclaimsim capacity` (schema in
 * docs/capacity.md): a table `capacity` saying which search it holds
 * (compared by a rerun, as sweep's), and a table `points` with one row per
 * probe: its id (the order the searches asked for it), its lane (`search`),
 * round, the grown value, then the same columns as sweep's points
 * (sim/out/pointdb.h). Each probe is one transaction: a killed process
 * loses no probe it wrote, and a rerun reads them back.
 */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#include "sim/out/capacityplan.h"
#include "sim/out/sweeprun.h"
#include "sim/out/sweepdb.h"

#define SIM_CAPACITY_DB_FORMAT "1"
#define SIM_CAPACITY_DB_NAME "capacity.sqlite"

typedef struct SimCapacityDb SimCapacityDb;

/* Opens or creates `path` for `plan`; a database of another search (or not
 * of capacity) is refused (SIM_ERROR_USAGE). The plan must outlive it. */
SimCapacityDb *sim_capacity_db_open(const char *path, const char *shown,
                                    const SimCapacityPlan *plan,
                                    const SimSweepIdentity *identity, bool *resumed,
                                    GError **error);
void sim_capacity_db_close(SimCapacityDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimCapacityDb, sim_capacity_db_close)

/* The probe of `lane` at `value`, when the database has it: *found, and
 * whether it met the SLA (a failed probe did not). */
bool sim_capacity_db_find(SimCapacityDb *db, guint lane, gint64 value, bool *found, bool *pass,
                          GError **error);

/* Writes one finished probe. */
bool sim_capacity_db_add(SimCapacityDb *db, guint64 id, guint lane, guint round, gint64 value,
                         const SimSweepResult *result, GError **error);

bool sim_capacity_db_count(SimCapacityDb *db, guint64 *points, guint64 *failed, GError **error);

/* Every row of `points` by id, each an object of its columns (NULL as
 * null, REAL at full precision). NULL with an error. */
json_t *sim_capacity_db_rows(SimCapacityDb *db, GError **error);

/* One probe of the curve: the grown value in its plotting unit (a count;
 * host memory in GiB) and the figures; a failed probe has NaN figures. */
typedef struct SimCapacityPoint {
    guint lane;
    double x;
    double perf_mean;
    double perf_worst;
} SimCapacityPoint;

/* The probes by lane, then value. A GArray of SimCapacityPoint. */
GArray *sim_capacity_db_curve(SimCapacityDb *db, GError **error);
