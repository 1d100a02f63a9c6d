/* The outputs of a run, read back from DIR (host.csv, vms.csv, summary.json;
 * docs/design.md section 5) for plotting and the report. Only the files are read:
 * plot and report work on any directory a run wrote, by any version. */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

/* host.csv columns the plots use, in this order in PlotRunData.host. */
typedef enum {
    PLOT_HOST_TIME,    /* time_s */
    PLOT_HOST_FREE,    /* free_mb */
    PLOT_HOST_SHRDSVD, /* shrdsvd_mb: saved by page sharing */
    PLOT_HOST_ZIP,     /* zip_mb: held compressed */
    PLOT_HOST_SWCUR,   /* swcur_mb: host-swapped */
    PLOT_HOST_MCTLSZ,  /* mctlsz_mb: in balloons */
    PLOT_HOST_MAX
} PlotHostCol;

/* vms.csv columns the plots and the report use. */
typedef enum {
    PLOT_VM_MEMSZ,    /* memsz_mb: configured */
    PLOT_VM_CONSUMED, /* consumed_mb */
    PLOT_VM_ACTIVE,   /* active_mb: sampled estimate */
    PLOT_VM_MCTLSZ,   /* mctlsz_mb: ballooned */
    PLOT_VM_SWCUR,    /* swcur_mb: host-swapped */
    PLOT_VM_ZIP,      /* zip_mb: guest memory held compressed */
    PLOT_VM_ZSAVED,   /* zsaved_mb: saved by compression */
    PLOT_VM_SHRD,     /* shrd_mb: guest memory on shared frames */
    PLOT_VM_SHRDSVD,  /* shrdsvd_mb: saved by sharing */
    PLOT_VM_STALL,    /* stall_pct */
    PLOT_VM_PERF,     /* perf_index */
    PLOT_VM_MAX
} PlotVmCol;

typedef struct PlotRunData {
    char *dir;          /* the run directory as given */
    guint n_host;       /* rows of host.csv */
    double *host;       /* n_host x PLOT_HOST_MAX, row-major */
    guint n_vms;        /* distinct VMs of vms.csv, in first-seen order */
    char **vm_names;    /* n_vms names, NULL-terminated */
    guint n_times;      /* distinct time_s values of vms.csv, ascending */
    double *times;      /* n_times, seconds */
    double *vm;         /* n_vms x n_times x PLOT_VM_MAX; NaN where a VM has no row */
    json_t *summary;    /* summary.json, checked for the keys the plots use */
} PlotRunData;

/* Reads the three files of DIR. Errors are SIM_ERROR with a code that maps
 * to exit 2 (bad input): a missing directory or file, a malformed line
 * (FILE:LINE:COL: error: ...), a summary without the expected keys. */
PlotRunData *plot_rundata_load(const char *dir, GError **error);
void plot_rundata_free(PlotRunData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PlotRunData, plot_rundata_free)

static inline double plot_rundata_host(const PlotRunData *d, guint row, PlotHostCol col)
{
    return d->host[(gsize)row * PLOT_HOST_MAX + col];
}

static inline double plot_rundata_vm(const PlotRunData *d, guint vm, guint t, PlotVmCol col)
{
    return d->vm[((gsize)vm * d->n_times + t) * PLOT_VM_MAX + col];
}

/* summary.json number at a path of object keys ("host", "memory_mb", NULL);
 * NaN when absent or not a number. */
double plot_rundata_summary_number(const PlotRunData *d, ...) G_GNUC_NULL_TERMINATED;

/* The summary's SLA perf index, or NaN when the scenario has none. */
double plot_rundata_sla(const PlotRunData *d);
