/*
 * The numeric vms.csv columns by index, and each VM's aggregates over them
 * (summary.json's final, mean and max; the terminal table). The columns are
 * SIM_VM_FIELDS of sim/run/recorder.h, the one list: their order here is the
 * order of vms.csv and of summary.json's keys.
 */
#pragma once

#include <glib.h>
#include <stddef.h>

#include "sim/run/recorder.h"

#define SIM_STATS_COUNT_FIELD(name) +1
/* Numeric vms.csv columns (time_s and vm excluded). */
enum { SIM_STATS_N_FIELDS = 0 SIM_VM_FIELDS(SIM_STATS_COUNT_FIELD) };
#undef SIM_STATS_COUNT_FIELD

/* Column `field` (< SIM_STATS_N_FIELDS): its name, the offset of its double
 * in SimVmSample, its value in `sample`. */
const char *sim_stats_field_name(guint field);
size_t sim_stats_field_offset(guint field);
double sim_stats_field_value(const SimVmSample *sample, guint field);

/* One VM's figures over the run, in the units of the columns. */
typedef struct SimVmStats {
    SimVmSample final; /* the last row, at the end of the run; nan without rows */
    SimVmSample mean;  /* the run's time-weighted mean: the model's (SimVmTotals) */
    SimVmSample max;   /* the largest row value; nan without rows */
} SimVmStats;

/*
 * `final` and `max` from the recorder's rows of VM `vm`, `mean` from the
 * model's totals (so it does not depend on sample_interval). The max of a
 * rate, stall % or perf index leaves out the first row, which covers no time
 * (its rates read 0 and its perf index 1), unless it is the only row.
 */
void sim_stats_vm(const SimRecorder *recorder, const SimRunTotals *totals, guint vm,
                  SimVmStats *stats);
