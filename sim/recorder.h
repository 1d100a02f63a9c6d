/*
 * The recorder: keeps the samples taken every `sample_interval` and writes
 * the outputs of docs/design.md section 5 (host.csv, vms.csv, summary.json). All
 * values are already in the units of the columns (MiB, MiB/s, %, index); the
 * model fills the structs, the recorder only formats, aggregates and writes.
 * It writes into a directory it is given; sim/outdir.h makes that a staging
 * directory that replaces DIR only when every file is complete.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>

#include "sim/scenario.h"

/* Host memory states, most relaxed first (6.0+ names). */
typedef enum {
    SIM_HOST_HIGH,
    SIM_HOST_CLEAR,
    SIM_HOST_SOFT,
    SIM_HOST_HARD,
    SIM_HOST_LOW,
    SIM_HOST_STATE_MAX
} SimHostState;
const char *sim_host_state_to_string(SimHostState state);

/* One row of host.csv. */
typedef struct SimHostSample {
    double time_s;
    SimHostState state;
    double free_mb, min_free_mb, overhead_mb, shared_mb, shrdsvd_mb, zip_mb, swcur_mb,
        mctlsz_mb, swr_mbps, sww_mbps;
} SimHostSample;

/* The numeric columns of vms.csv, in column order (time_s and vm excluded). */
#define SIM_VM_FIELDS(X)                                                                           \
    X(memsz_mb)                                                                                    \
    X(grant_mb)                                                                                    \
    X(consumed_mb)                                                                                 \
    X(sztgt_mb)                                                                                    \
    X(active_mb)                                                                                   \
    X(mctlsz_mb)                                                                                   \
    X(mctltgt_mb)                                                                                  \
    X(mctlmax_mb)                                                                                  \
    X(swcur_mb)                                                                                    \
    X(swtgt_mb)                                                                                    \
    X(swr_mbps)                                                                                    \
    X(sww_mbps)                                                                                    \
    X(zip_mb)                                                                                      \
    X(zsaved_mb)                                                                                   \
    X(shrd_mb)                                                                                     \
    X(zero_mb)                                                                                     \
    X(shrdsvd_mb)                                                                                  \
    X(guest_free_mb)                                                                               \
    X(guest_cache_mb)                                                                              \
    X(guest_swap_mb)                                                                               \
    X(stall_pct)                                                                                   \
    X(perf_index)

#define SIM_VM_FIELD_DECL(name) double name;
/* One row of vms.csv for one VM. */
typedef struct SimVmSample {
    SIM_VM_FIELDS(SIM_VM_FIELD_DECL)
} SimVmSample;
#undef SIM_VM_FIELD_DECL

/* One VM's figures over the run, kept by the run as it goes (not read from
 * the samples): summary.json's `mean` and the stall and performance index
 * of the table and the SLA. */
typedef struct SimVmTotals {
    double on_s;      /* time the VM was powered on (workload ticks run), s */
    double stalled_s; /* of that, time its vCPUs waited on memory, s */
    SimVmSample mean; /* every column's time-weighted mean (docs/model.md) */
} SimVmTotals;

/* Totals the model reports at the end for summary.json, from its own
 * accounting over the simulated time, so they do not depend on
 * sample_interval (docs/model.md, "Outputs"). */
typedef struct SimRunTotals {
    double min_free_mb;
    double thresholds_mb[SIM_HOST_STATE_MAX]; /* high, clear, soft, hard, low */
    /* s in each state: the integral of the state signal host.csv samples */
    double time_in_state_s[SIM_HOST_STATE_MAX];
    /* reclaimed memory by mechanism, MiB: peak over the run */
    double reclaimed_balloon_mb, reclaimed_shared_mb, reclaimed_compressed_mb,
        reclaimed_swapped_mb;
    guint n_vms;            /* entries in vms: the recorder's VMs */
    const SimVmTotals *vms; /* scenario order; borrowed from the run */
} SimRunTotals;

typedef struct SimRecorder SimRecorder;

/* `vm_names` are borrowed from the scenario, which must outlive the recorder. */
SimRecorder *sim_recorder_new(const SimScenario *scenario, const char *policy_name);
void sim_recorder_free(SimRecorder *recorder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimRecorder, sim_recorder_free)

/* Appends one sample: the host row and one row per VM (scenario order). */
void sim_recorder_add(SimRecorder *recorder, const SimHostSample *host, const SimVmSample *vms);

guint sim_recorder_n_samples(const SimRecorder *recorder);
const SimHostSample *sim_recorder_host_sample(const SimRecorder *recorder, guint i);
const SimVmSample *sim_recorder_vm_sample(const SimRecorder *recorder, guint i, guint vm);

/*
 * Writes host.csv, vms.csv, summary.json and esxtop.csv (sim/esxtop.h)
 * into the existing directory `dir`. Messages name the files in `shown`
 * (the directory the user named, when `dir` is the staging directory that
 * will replace it; NULL: `dir`). Numbers are printed with a fixed format so
 * the same run gives byte-identical files. Stops with an error when an
 * interrupt was caught (sim/interrupt.h).
 */
bool sim_recorder_write(SimRecorder *recorder, const SimRunTotals *totals, const char *dir,
                        const char *shown, GError **error);

/*
 * Prints a short aligned table for the terminal: per VM the final balloon
 * and swap sizes, stall % and performance index over the run (from
 * `totals`); the host's time in each state; the SLA verdict when the
 * scenario has one.
 */
void sim_recorder_print_summary(const SimRecorder *recorder, const SimRunTotals *totals,
                                FILE *out);
