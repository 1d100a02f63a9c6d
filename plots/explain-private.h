/*
 * Inside explain (plots/explain.c, causes.c, explainfmt.c): one VM's
 * records as the cause rules read them, and what they conclude.
 */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>

#include "plots/explain.h"
#include "plots/records.h"

/* Mechanisms that take memory from a VM, in the order they are shown. */
typedef enum {
    EXPLAIN_BALLOON,     /* mctlsz_mb */
    EXPLAIN_SHARING,     /* shrdsvd_mb: saved by sharing, which costs the VM nothing until written */
    EXPLAIN_COMPRESSION, /* zip_mb: its memory held compressed */
    EXPLAIN_SWAP,        /* swcur_mb: its memory in host swap */
    EXPLAIN_MECH_MAX
} ExplainMech;

/* One mechanism's hold on a VM over the run, MiB. */
typedef struct ExplainLoss {
    double peak;      /* largest sample */
    double peak_at_s; /* time of the first sample at the peak */
    double final;     /* last sample the VM has */
} ExplainLoss;

/* One cause, or one finding that a cause did not apply. */
typedef struct ExplainCause {
    const char *cause; /* "limit", "host-state", "idle-tax", ... (docs/model.md) */
    char *text;        /* one sentence with its figures and times */
    json_t *facts;     /* the figures, MiB and s, by name */
} ExplainCause;

/* One VM's records, read by the cause rules. */
typedef struct ExplainVm {
    const PlotRecords *rec;
    guint vm;              /* index in rec->run */
    const char *name;
    json_t *summary_vm;    /* its entry of summary.json vms[] (borrowed) */
    json_t *config;        /* its "config", or NULL for a run written before it */
    json_t *host_config;   /* summary.json host.config, or NULL */
    guint *state_at;       /* n_times: host state index at each vms.csv time */
    ExplainLoss loss[EXPLAIN_MECH_MAX];
    double taken_peak;     /* peak of balloon + compression + host swap, MiB */
    double taken_peak_at_s;
    double taken_final;
    GPtrArray *causes;     /* ExplainCause *, in the order found */
} ExplainVm;

/* Below this, MiB taken is rounding and sampling, not a loss (assumption). */
#define EXPLAIN_MIN_MB 1.0

/* Value of vms.csv column `col` / extra column `x` of the VM at time index t; 0 where no row. */
double explain_col(const ExplainVm *e, guint t, PlotVmCol col);
double explain_ext(const ExplainVm *e, guint t, PlotRecCol x);
/* balloon + compression + host swap at t, MiB. */
double explain_taken(const ExplainVm *e, guint t);
/* Name of the host state at time index t. */
const char *explain_state(const ExplainVm *e, guint t);
/* A number of the VM's config (NaN when absent or null). */
double explain_config(const ExplainVm *e, const char *key);

/* Whether the VM has a vms.csv row at time index t. */
bool explain_has_row(const ExplainVm *e, guint t);
/* Whether the host was below its high state at t: any state but "high" is
 * one where a policy may reclaim. */
bool explain_pressed(const ExplainVm *e, guint t);
/* What it held above its scheduler target at t (consumed - sztgt), MiB. */
double explain_gap_at(const ExplainVm *e, guint t);
/* The time index where the host, below high, set the VM's lowest target below
 * the most it had held so far (`held`, MiB), or -1 when its target never fell below it. */
int explain_worst_gap(const ExplainVm *e, double *held);

/* Largest value of extra column `x` over the run (0 at least), and its first time. */
double explain_ext_peak(const ExplainVm *e, PlotRecCol x, double *at_s);

/* summary.json's entry of the VM named `name` (not by position: the
 * summary and vms.csv need not agree on the order), or NULL. */
json_t *explain_summary_vm(const PlotRecords *rec, const char *name);

/* Adds a cause; `facts` is stolen. */
G_GNUC_PRINTF(4, 5)
void explain_add(ExplainVm *e, const char *cause, json_t *facts, const char *fmt, ...);

/* "20480 MiB (20.0 GiB)" or "512 MiB". Caller frees. */
char *explain_mb(double mb);
/* "H:MM:SS" of simulated time. */
char *explain_hms(double s);

/* The cause rules, each adding what the records support: the scheduler's
 * (plots/causes.c, which runs them all) and the mechanisms' (plots/mechcauses.c). */
void explain_causes(ExplainVm *e);
void explain_cause_cap(ExplainVm *e);
void explain_cause_driver(ExplainVm *e);
void explain_cause_no_host_swap(ExplainVm *e);
void explain_cause_compression_off(ExplainVm *e);
void explain_cause_nothing_taken(ExplainVm *e);

struct PlotExplain {
    const PlotRecords *rec;
    GPtrArray *vms; /* ExplainVm * */
};
