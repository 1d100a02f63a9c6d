/*
 * The figures of `reclaimsim compare` (docs/model.md, "Comparing
 * policies"): one row per policy, each figure read from that run's own
 * records, the recorder (vms.csv's rows) and the totals (summary.json),
 * through the same helpers as summary.json (sim/out/stats.h, sim/out/sla.h),
 * so compare.csv and compare.json never disagree with DIR/POLICY/summary.json.
 * The writers of compare.csv and compare.json and the terminal table.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>

#include "host/state.h"
#include "sim/run/recorder.h"

/* The reclamation mechanisms, in the order of summary.json's reclaimed_mb. */
typedef enum {
    SIM_MECH_BALLOON,    /* in balloons (mctlsz) */
    SIM_MECH_SHARED,     /* saved by page sharing (shrdsvd) */
    SIM_MECH_COMPRESSED, /* saved by compression (zsaved) */
    SIM_MECH_SWAPPED,    /* host-swapped (swcur) */
    SIM_MECH_MAX
} SimMech;

/* "balloon", "shared", "compressed", "swapped": summary.json's keys. */
const char *sim_mech_to_string(SimMech mech);

/* The name of host state `state` (< HOST_STATE_MAX), for the writers
 * above sim/out that may not call host/ (plots/comparereport.c). */
const char *sim_compare_state_name(guint state);

/* One policy's figures. Names are copies; NaN where a figure has no value
 * (no VMs; no SLA for the SLA figures). */
typedef struct SimCompareRow {
    char *policy;          /* the policy's registry name */
    double perf_mean;      /* mean over the VMs of summary.json vms[].mean.perf_index */
    double perf_worst;     /* the lowest of those: sla.worst_vm's */
    char *worst_vm;        /* its name, NULL without VMs */
    double below_sla_s;    /* VM-seconds under sla.perf_index, summed over the VMs */
    double below_worst_s;  /* the most any one VM spent under it, s */
    char *below_worst_vm;  /* that VM (ties: the first in scenario order), NULL without */
    double stall_pct_mean; /* mean over the VMs of vms[].mean.stall_pct */
    double peak_mb[SIM_MECH_MAX]; /* host-wide peak: summary.json host.reclaimed_mb */
    double mean_mb[SIM_MECH_MAX]; /* host-wide time-weighted mean: the VMs' means summed */
    double swap_read_mb;          /* MiB the host swapped in over the run, all VMs */
    double swap_written_mb;       /* MiB it swapped out */
    double time_in_state_s[HOST_STATE_MAX]; /* summary.json host.time_in_state_s */
    int sla_met;           /* 1 met, 0 not met, -1 no SLA in the scenario */
} SimCompareRow;

/* Fills `row` from a finished run. O(samples x VMs) for the time below the SLA. */
void sim_compare_row_fill(SimCompareRow *row, const SimRecorder *recorder,
                          const SimRunTotals *totals);

/* Frees the names of `row` (not `row`). NULL-safe. */
void sim_compare_row_clear(SimCompareRow *row);

/* `row` as a JSON object for another process (a sweep point's result sent
 * back by an MPI rank, sim/out/sweeppoint.h): every field, each double as
 * the hex digits of its 64 bits, so the row read back is the same to the
 * bit (NaN, -0 and subnormals included). Not for people: compare.json is. */
struct json_t *sim_compare_row_pack(const SimCompareRow *row);

/* The row of sim_compare_row_pack(); false when `json` is not one (the row
 * is then cleared). `row` is overwritten. */
bool sim_compare_row_unpack(const struct json_t *json, SimCompareRow *row);

/* What the comparison was of: written at the head of compare.json. */
typedef struct SimCompareHead {
    const char *scenario;
    guint64 seed;
    double duration_s;
    double sla_perf_index; /* NaN without an SLA */
} SimCompareHead;

/* compare.csv and compare.json into the existing directory `dir`; messages
 * name them in `shown` (NULL: `dir`). Fixed number formats: the same runs
 * give the same bytes. */
bool sim_compare_write(const SimCompareHead *head, const SimCompareRow *rows, guint n,
                       const char *dir, const char *shown, GError **error);

/* The terminal table: one aligned line per policy. */
void sim_compare_print(const SimCompareHead *head, const SimCompareRow *rows, guint n,
                       FILE *out);
