/*
 * The vms.csv columns by index and a VM's final, mean and max over them:
 * see sim/out/stats.h.
 */
#include "sim/out/stats.h"

#include <math.h>

/* The numeric vms.csv columns as (name, offset), generated from SIM_VM_FIELDS. */
typedef struct VmField {
    const char *name;
    size_t offset; /* of the double in SimVmSample */
} VmField;

#define VM_FIELD_ENTRY(field) {#field, offsetof(SimVmSample, field)},
static const VmField vm_fields[] = {SIM_VM_FIELDS(VM_FIELD_ENTRY)};
#undef VM_FIELD_ENTRY
G_STATIC_ASSERT(G_N_ELEMENTS(vm_fields) == SIM_STATS_N_FIELDS);

const char *sim_stats_field_name(guint field)
{
    g_return_val_if_fail(field < SIM_STATS_N_FIELDS, NULL);
    return vm_fields[field].name;
}

size_t sim_stats_field_offset(guint field)
{
    g_return_val_if_fail(field < SIM_STATS_N_FIELDS, 0);
    return vm_fields[field].offset;
}

double sim_stats_field_value(const SimVmSample *sample, guint field)
{
    return G_STRUCT_MEMBER(double, sample, vm_fields[field].offset);
}

/* Rates and stall describe the interval that ends at their row; the other
 * columns are levels read at the row's instant. */
static bool field_is_interval(guint field)
{
    size_t off = vm_fields[field].offset;
    return off == offsetof(SimVmSample, swr_mbps) || off == offsetof(SimVmSample, sww_mbps) ||
           off == offsetof(SimVmSample, stall_pct) || off == offsetof(SimVmSample, perf_index);
}

/* O(samples x columns) per VM, once at the end of the run. */
void sim_stats_vm(const SimRecorder *recorder, const SimRunTotals *totals, guint vm,
                  SimVmStats *stats)
{
    g_return_if_fail(recorder != NULL && totals != NULL && stats != NULL);
    g_return_if_fail(vm < sim_recorder_n_vms(recorder) && vm < totals->n_vms);
    guint n = sim_recorder_n_samples(recorder);
    stats->mean = totals->vms[vm].mean;
    for (guint c = 0; c < SIM_STATS_N_FIELDS; c++) {
        G_STRUCT_MEMBER(double, &stats->final, vm_fields[c].offset) = NAN;
        G_STRUCT_MEMBER(double, &stats->max, vm_fields[c].offset) = NAN;
    }
    for (guint i = 0; i < n; i++) {
        const SimVmSample *s = sim_recorder_vm_sample(recorder, i, vm);
        for (guint c = 0; c < SIM_STATS_N_FIELDS; c++) {
            size_t off = vm_fields[c].offset;
            double v = G_STRUCT_MEMBER(double, s, off);
            double *max = &G_STRUCT_MEMBER(double, &stats->max, off);
            if (i > 0 || n == 1 || !field_is_interval(c)) {
                *max = isnan(*max) ? v : MAX(*max, v);
            }
            G_STRUCT_MEMBER(double, &stats->final, off) = v;
        }
    }
}
