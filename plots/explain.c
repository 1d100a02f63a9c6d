/*
 * explain: one VM's losses by mechanism, read from its records, and the
 * helpers the cause rules (plots/causes.c) share. See plots/explain.h.
 */
#include "plots/explain-private.h"

#include <string.h>

#include "sim/error.h"

static void cause_free(gpointer p)
{
    ExplainCause *c = p;
    g_free(c->text);
    json_decref(c->facts);
    g_free(c);
}

static void vm_free(gpointer p)
{
    ExplainVm *e = p;
    g_free(e->state_at);
    g_ptr_array_unref(e->causes);
    g_free(e);
}

/* The host state at each vms.csv time: the last host.csv row at or before it
 * (a run samples both at the same times). O(rows) in all. */
static guint *states_at_times(const PlotRecords *rec)
{
    const PlotRunData *d = rec->run;
    guint *at = g_new0(guint, MAX(d->n_times, 1));
    guint row = 0;
    for (guint t = 0; t < d->n_times; t++) {
        while (row + 1 < d->n_host && plot_rundata_host(d, row + 1, PLOT_HOST_TIME) <= d->times[t]) {
            row++;
        }
        at[t] = rec->host_state[row];
    }
    return at;
}

/* Peak (first time reached), and final value of one series. */
static void track(ExplainLoss *l, double v, double time_s, bool first)
{
    if (first || v > l->peak) {
        l->peak = v;
        l->peak_at_s = time_s;
    }
    l->final = v;
}

static void vm_losses(ExplainVm *e)
{
    static const PlotVmCol cols[EXPLAIN_MECH_MAX] = {PLOT_VM_MCTLSZ, PLOT_VM_SHRDSVD, PLOT_VM_ZIP,
                                                     PLOT_VM_SWCUR};
    const PlotRunData *d = e->rec->run;
    ExplainLoss taken = {0};
    bool first = true;
    for (guint t = 0; t < d->n_times; t++) {
        if (!isfinite(plot_rundata_vm(d, e->vm, t, PLOT_VM_MEMSZ))) {
            continue; /* no row of this VM at this time */
        }
        for (int m = 0; m < EXPLAIN_MECH_MAX; m++) {
            track(&e->loss[m], explain_col(e, t, cols[m]), d->times[t], first);
        }
        track(&taken, explain_taken(e, t), d->times[t], first);
        first = false;
    }
    e->taken_peak = taken.peak;
    e->taken_peak_at_s = taken.peak_at_s;
    e->taken_final = taken.final;
}

static ExplainVm *vm_new(const PlotRecords *rec, guint vm)
{
    ExplainVm *e = g_new0(ExplainVm, 1);
    e->rec = rec;
    e->vm = vm;
    e->name = rec->run->vm_names[vm];
    e->summary_vm = explain_summary_vm(rec, e->name);
    json_t *config = json_object_get(e->summary_vm, "config");
    e->config = json_is_object(config) ? config : NULL;
    json_t *host = json_object_get(json_object_get(rec->run->summary, "host"), "config");
    e->host_config = json_is_object(host) ? host : NULL;
    e->state_at = states_at_times(rec);
    e->causes = g_ptr_array_new_with_free_func(cause_free);
    vm_losses(e);
    explain_causes(e);
    return e;
}

/* "no VM \"x\" in DIR (its VMs: a, b, c)". */
static bool unknown_vm(const PlotRunData *d, const char *vm, GError **error)
{
    g_autofree char *known = g_strjoinv(", ", d->vm_names);
    g_autofree char *shown = sim_error_one_line(vm);
    g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                "reclaimsim: explain: no VM \"%s\" in %s (its VMs: %s)", shown, d->dir, known);
    return false;
}

PlotExplain *plot_explain_new(const PlotRecords *records, const char *vm, GError **error)
{
    const PlotRunData *d = records->run;
    int only = -1;
    for (guint v = 0; vm != NULL && v < d->n_vms; v++) {
        only = strcmp(d->vm_names[v], vm) == 0 ? (int)v : only;
    }
    if (vm != NULL && only < 0) {
        unknown_vm(d, vm, error);
        return NULL;
    }
    PlotExplain *x = g_new0(PlotExplain, 1);
    x->rec = records;
    x->vms = g_ptr_array_new_with_free_func(vm_free);
    for (guint v = 0; v < d->n_vms; v++) {
        if (only < 0 || (guint)only == v) {
            g_ptr_array_add(x->vms, vm_new(records, v));
        }
    }
    return x;
}

void plot_explain_free(PlotExplain *x)
{
    if (x == NULL) {
        return;
    }
    g_ptr_array_unref(x->vms);
    g_free(x);
}
