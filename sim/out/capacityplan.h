/*
 * What `reclaimsim capacity` searches (docs/capacity.md): the key grown,
 * its bounds and step, the probes per round, the fixed overrides and the
 * lanes (one search per policy and seed). Shared by the runs
 * (sim/out/capacityrun.h), the database (sim/out/capacitydb.h) and the
 * outputs.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/out/capacity.h"
#include "sim/out/grid.h"

/* What is searched: the key, its bounds, the lanes. */
typedef struct SimCapacityPlan {
    const char *scenario; /* the scenario file; NULL: the built-in default */
    char *key;            /* the --set key grown: "vms.0.count", "host.memory" */
    char *vm;             /* the VM entry's name (count searches), else NULL */
    bool memory;          /* host memory: a value is a number of `step` bytes */
    guint64 step;         /* bytes per value (memory); 1 for counts */
    SimCapGoal goal;
    gint64 lo, start, hi; /* values: counts, or host memory in steps */
    guint width;          /* probes per lane per round */
    char **sets;          /* the fixed overrides, before the grown key (--seed, --set, --sla) */
    SimGrid *lanes;       /* --policies and --seeds without --vary: lane i is its point i */
    double sla;           /* the SLA's perf_index the verdicts are against */
} SimCapacityPlan;

void sim_capacity_plan_clear(SimCapacityPlan *plan);

/* Lanes: policy-major, then seed, as sweep orders its points. */
guint sim_capacity_n_lanes(const SimCapacityPlan *plan);

/* The --set value of a value: "12" for a count, "96GiB" for memory. */
char *sim_capacity_value_text(const SimCapacityPlan *plan, gint64 value);

/* The search as canonical JSON (key, goal, bounds, step, width, policies,
 * seeds, SLA): two commands are the same search when these texts are equal. */
char *sim_capacity_describe(const SimCapacityPlan *plan);

