/*
 * A run's records as `reclaimsim explain` reads them: what plot and report
 * read (plots/rundata.h), plus the host's state at every host.csv row and
 * the vms.csv columns that say why a VM lost memory (its scheduler and
 * balloon targets, its balloon cap, its swap target, its guest swap).
 * Every file error is one line naming the file, and its line where it
 * applies, with exit code 2 (bad input).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "plots/rundata.h"

/* vms.csv columns beyond PlotVmCol, in this order in PlotRecords.extra. */
typedef enum {
    PLOT_REC_SZTGT,      /* sztgt_mb: the memory scheduler's target */
    PLOT_REC_MCTLTGT,    /* mctltgt_mb: the balloon's target */
    PLOT_REC_MCTLMAX,    /* mctlmax_mb: the balloon's cap */
    PLOT_REC_SWTGT,      /* swtgt_mb: the host's swap target */
    PLOT_REC_GUEST_SWAP, /* guest_swap_mb: in the guest's own swap */
    PLOT_REC_MAX
} PlotRecCol;

typedef struct PlotRecords {
    PlotRunData *run;   /* host.csv, vms.csv and summary.json as plot reads them */
    guint *host_state;  /* n_host: index into state_names of each host.csv row */
    GPtrArray *state_names; /* char *: the distinct states of host.csv, first seen first */
    double *extra;      /* run->n_vms x run->n_times x PLOT_REC_MAX; NaN where no row */
    GHashTable *vm_ids; /* VM name -> its index in run + 1 */
    GHashTable *summary_vms; /* VM name -> its entry of summary.json vms[] (borrowed) */
} PlotRecords;

/* The VM named `name`'s index in run, or -1. O(1). */
int plot_records_vm(const PlotRecords *records, const char *name);

PlotRecords *plot_records_load(const char *dir, GError **error);
void plot_records_free(PlotRecords *records);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PlotRecords, plot_records_free)

static inline double plot_records_extra(const PlotRecords *r, guint vm, guint t, PlotRecCol col)
{
    return r->extra[((gsize)vm * r->run->n_times + t) * PLOT_REC_MAX + col];
}
