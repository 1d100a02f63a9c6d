/*
 * The recorder: keeps the samples taken every `sample_interval` for the
 * outputs of docs/design.md section 5. All values are already in the units
 * of the columns (MiB, MiB/s, %, index); the model fills the structs, the
 * recorder only records. The writers of sim/out/ (sim/out/results.h) turn
 * the samples and the run's totals into files once the run is over.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "host/state.h"
#include "sim/scenario.h"

/* One row of host.csv. */
typedef struct SimHostSample {
    double time_s;
    HostState state;
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
    double thresholds_mb[HOST_STATE_MAX]; /* high, clear, soft, hard, low */
    /* s in each state: the integral of the state signal host.csv samples */
    double time_in_state_s[HOST_STATE_MAX];
    /* reclaimed memory by mechanism, MiB: peak over the run */
    double reclaimed_balloon_mb, reclaimed_shared_mb, reclaimed_compressed_mb,
        reclaimed_swapped_mb;
    guint n_vms;            /* entries in vms: the recorder's VMs */
    const SimVmTotals *vms; /* scenario order; borrowed from the run */
    /* the policy's settings as the run used them, as a scenario gives them
     * ("10s", "20%"): n_settings names and values, borrowed from the run */
    guint n_settings;
    const char *const *setting_names;
    const char *const *setting_values;
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

/* What the writers need besides the samples: the scenario (VM names, SLA),
 * the policy's name and the VMs per sample. */
const SimScenario *sim_recorder_scenario(const SimRecorder *recorder);
const char *sim_recorder_policy(const SimRecorder *recorder);
guint sim_recorder_n_vms(const SimRecorder *recorder);
/* The name of VM `vm` (< sim_recorder_n_vms()), borrowed from the scenario. */
const char *sim_recorder_vm_name(const SimRecorder *recorder, guint vm);
