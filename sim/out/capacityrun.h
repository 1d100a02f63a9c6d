/*
 * The runs of `reclaimsim capacity` (docs/capacity.md): one search
 * (sim/out/capacity.h) per policy and seed, each a *lane*, all driven
 * round by round. A round's probes of every lane go to the sweep runner
 * at once (sim/out/sweeprun.h: local threads, and whatever else it runs
 * points on), so --jobs and more lanes share the cores. A probe already in
 * the database (an earlier, interrupted command) is read back instead of
 * run: the searches are deterministic, so the same command asks for the
 * same probes, numbered alike (their ids are their order of asking).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/out/capacitydb.h"
#include "sim/out/capacityplan.h"
#include "sim/out/sweeprun.h"

/* After each finished probe: probes done by this command so far. */
typedef void (*SimCapacityProgress)(guint64 done, void *data);

typedef struct SimCapacityRun {
    SimCapAnswer *answers; /* per lane */
    guint64 run;           /* probes run by this command */
    guint64 reused;        /* probes read back from the database */
    guint rounds;
} SimCapacityRun;

void sim_capacity_run_clear(SimCapacityRun *run);

/* Runs the searches to their ends on `jobs` threads, each finished probe
 * written to `db`. False after an interrupt or a failed write (every probe
 * finished before is in the database). */
bool sim_capacity_run(const SimCapacityPlan *plan, SimCapacityDb *db, guint jobs,
                      SimCapacityProgress progress, void *data, SimCapacityRun *out,
                      GError **error);

/* The answer of one policy over its seeds: the safe one (the smallest
 * count, the largest host), and the spread of the seeds' answers. */
typedef struct SimCapacityOverall {
    bool found;      /* every seed has an answer */
    gint64 value;    /* the safe answer */
    gint64 lowest;   /* the seeds' answers, lowest and highest */
    gint64 highest;
    bool at_limit;   /* the safe answer is at its seed's limit */
    bool monotone;   /* every seed's probes were */
} SimCapacityOverall;

/* Policy `policy` (an index of --policies; 0 without): over its lanes. */
SimCapacityOverall sim_capacity_overall(const SimCapacityPlan *plan, const SimCapAnswer *answers,
                                        guint policy);

/* DIR/capacity.json (docs/capacity.md), written whole: the search, each
 * lane's answer, each policy's overall one and every probe from `db`;
 * `own_policy` names the lanes of the scenario's own policy. */
bool sim_capacity_write_json(const char *path, const char *scenario_name, const char *own_policy,
                             const SimCapacityPlan *plan, const SimCapacityRun *run,
                             SimCapacityDb *db, GError **error);
