/*
 * The runs of `reclaimsim compare`: the same scenario and seed under each
 * policy, in parallel on local cores (a GThreadPool), each run's outputs in
 * a folder of its own exactly as `reclaimsim run -o DIR/POLICY` writes them
 * (sim/out/results.h, with the output marker of sim/out/outdir.h), and its
 * row of figures (sim/out/compare.h).
 *
 * A run shares nothing mutable with another: the scenario is read-only
 * data (sim/scenario.h), every random stream, queue and recorder belongs to
 * its run, and the only process-wide state, the interrupt flag of
 * sim/interrupt.h, is the one every run must see. So each run gives the
 * same bytes whatever the number of threads and whatever ran beside it.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/out/compare.h"
#include "sim/run/run.h"

/* Most threads --jobs may ask for: far above any local core count, low
 * enough that a typo (--jobs 1000000) is refused rather than obeyed. */
#define SIM_COMPARE_JOBS_MAX 256

typedef struct SimCompareSpec {
    const SimScenario *scenario; /* read by every run at once, never written */
    const char *const *policies; /* n_policies registry names, no duplicates */
    guint n_policies;
    guint jobs;                  /* threads, 1..SIM_COMPARE_JOBS_MAX */
    const char *stage;           /* existing directory that receives POLICY/ folders */
    const char *shown;           /* the directory messages name instead of `stage` */
    /* Progress of all runs together, simulated time done of the total
     * (called from the runs' threads, one call at a time); may be NULL. */
    SimRunProgress progress;
    void *progress_data;
} SimCompareSpec;

/* The folder of a policy's outputs: its name made a safe folder name
 * (sim_outdir_name_for: registry names stay as they are). Caller frees. */
char *sim_compare_folder(const char *policy);

/*
 * Runs every policy, writes STAGE/POLICY/ and fills rows[i] for
 * policies[i] (the caller clears them with sim_compare_row_clear(), also
 * after a failure). Warnings of the runs are appended to `warnings` as
 * strings "POLICY: MESSAGE", in policy order. On failure, the error of the
 * first failing policy in list order, prefixed with its name.
 */
bool sim_compare_run(const SimCompareSpec *spec, SimCompareRow *rows, GPtrArray *warnings,
                     GError **error);
