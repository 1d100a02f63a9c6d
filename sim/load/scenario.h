/*
 * The scenario loader (docs/design.md section 3): JSON text and --set
 * overrides in, a validated SimScenario (sim/scenario.h) out, or one error
 * line "FILE:LINE:COL: error: MESSAGE (at /pointer)".
 */
#pragma once

#include <glib.h>

#include "sim/scenario.h"

/*
 * Bounds of what a scenario may ask of a run (docs/model.md, "Run size
 * bounds"); the loader checks them before anything is allocated for the run.
 */
/* Shortest period of any periodic process (balloon poll, balance, sampling). */
#define SIM_SCENARIO_MIN_PERIOD SIM_MS
/* Longest duration and period: 100 years, so that a time plus a period stays in SimTime. */
#define SIM_SCENARIO_MAX_TIME (36500 * SIM_DAY)
/* Pages of one VM: 32-bit page indexes, less one partition chunk (sim/partition.c
 * rounds the count up to 4096-slot chunks in 32 bits). */
#define SIM_SCENARIO_MAX_VM_PAGES (UINT64_C(4294967296) - 4096)
/* Memory the run's model may need, by the estimate of docs/model.md. */
#define SIM_SCENARIO_MAX_RUN_BYTES (UINT64_C(32) << 30)
/* Events the run may process: about 10 hours at the default scenario's rate. */
#define SIM_SCENARIO_MAX_EVENTS 1e9

/*
 * Loads and validates a scenario file. On any problem returns NULL and sets
 * an error whose message is "FILE:LINE:COL: error: MESSAGE (at /pointer)".
 */
SimScenario *sim_scenario_load(const char *path, GError **error);

/* The same from text in memory; `path` only names it in messages. */
SimScenario *sim_scenario_load_text(const char *path, const char *text, gsize len,
                                    GError **error);

/*
 * Applies "--set KEY=VALUE" overrides before validation: KEY is a dotted
 * path ("host.memory", "vms.0.count"), VALUE a JSON value or a bare string.
 */
SimScenario *sim_scenario_load_with_overrides(const char *path, const char *const *sets,
                                              GError **error);

/* The same from text in memory (a sweep point another MPI rank read):
 * `path` names it in messages and places the traces it names, as if read
 * from there. */
SimScenario *sim_scenario_load_text_with_overrides(const char *path, const char *text, gsize len,
                                                   const char *const *sets, GError **error);

/* The built-in default scenario (scenarios/default.json, compiled in). */
const char *sim_scenario_default_text(void);

/*
 * What the run needs, as the loader estimated it to check the bounds above
 * (docs/model.md, "Run size bounds"): an upper estimate, not a measure.
 */
typedef struct SimRunEstimate {
    double pages;   /* configured pages of all VMs */
    double phases;  /* workload phases of all VMs (a repeating trace counted by its loops) */
    double samples; /* sample rows, t = 0 and the end included */
    double bytes;   /* page state + share table + samples + phases + per-VM structures */
    double events;  /* events the queue would run */
} SimRunEstimate;

/* The estimate of a loaded scenario (recomputed; O(VMs)). */
SimRunEstimate sim_scenario_estimate(const SimScenario *scenario);
