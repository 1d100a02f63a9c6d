/* Helpers of explain's cause rules: one VM's records, read safely. See
 * plots/explain-private.h. */
#include "plots/explain-private.h"

#include <stdarg.h>
#include <string.h>

double explain_col(const ExplainVm *e, guint t, PlotVmCol col)
{
    double v = plot_rundata_vm(e->rec->run, e->vm, t, col);
    return isfinite(v) ? v : 0.0;
}

double explain_ext(const ExplainVm *e, guint t, PlotRecCol x)
{
    double v = plot_records_extra(e->rec, e->vm, t, x);
    return isfinite(v) ? v : 0.0;
}

double explain_taken(const ExplainVm *e, guint t)
{
    return explain_col(e, t, PLOT_VM_MCTLSZ) + explain_col(e, t, PLOT_VM_ZIP) +
           explain_col(e, t, PLOT_VM_SWCUR);
}

const char *explain_state(const ExplainVm *e, guint t)
{
    return g_ptr_array_index(e->rec->state_names, e->state_at[t]);
}

double explain_config(const ExplainVm *e, const char *key)
{
    json_t *v = json_object_get(e->config, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

void explain_add(ExplainVm *e, const char *cause, json_t *facts, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ExplainCause *c = g_new0(ExplainCause, 1);
    c->cause = cause;
    c->text = g_strdup_vprintf(fmt, ap);
    c->facts = facts != NULL ? facts : json_object();
    va_end(ap);
    g_ptr_array_add(e->causes, c);
}

char *explain_mb(double mb)
{
    if (fabs(mb) >= 1024) {
        return g_strdup_printf("%.0f MiB (%.1f GiB)", mb, mb / 1024);
    }
    return g_strdup_printf("%.0f MiB", mb);
}

char *explain_hms(double s)
{
    long long total = isfinite(s) && s > 0 ? (long long)(s + 0.5) : 0;
    return g_strdup_printf("%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
}

bool explain_has_row(const ExplainVm *e, guint t)
{
    return isfinite(plot_rundata_vm(e->rec->run, e->vm, t, PLOT_VM_MEMSZ));
}

/* Whether the host was below its high state at time index t: any state but
 * "high" is one where a policy may reclaim. */
bool explain_pressed(const ExplainVm *e, guint t)
{
    return strcmp(explain_state(e, t), "high") != 0;
}

/* What it held above its scheduler target at t, MiB. */
double explain_gap_at(const ExplainVm *e, guint t)
{
    return explain_col(e, t, PLOT_VM_CONSUMED) - explain_ext(e, t, PLOT_REC_SZTGT);
}

/* The time index where the host wanted most of its memory back, or -1. */
int explain_worst_gap(const ExplainVm *e, double *held)
{
    int best = -1;
    double peak = 0;
    *held = 0;
    for (guint t = 0; t < e->rec->run->n_times; t++) {
        if (!explain_has_row(e, t)) {
            continue;
        }
        peak = MAX(peak, explain_col(e, t, PLOT_VM_CONSUMED));
        double tgt = explain_ext(e, t, PLOT_REC_SZTGT);
        if (explain_pressed(e, t) && peak - tgt > EXPLAIN_MIN_MB &&
            (best < 0 || tgt < explain_ext(e, (guint)best, PLOT_REC_SZTGT))) {
            best = (int)t;
            *held = peak;
        }
    }
    return best;
}

/* Largest value of vms.csv extra column `x` over the run, and its first time. */
double explain_ext_peak(const ExplainVm *e, PlotRecCol x, double *at_s)
{
    double peak = 0;
    *at_s = 0;
    for (guint t = 0; t < e->rec->run->n_times; t++) {
        if (explain_has_row(e, t) && explain_ext(e, t, x) > peak) {
            peak = explain_ext(e, t, x);
            *at_s = e->rec->run->times[t];
        }
    }
    return peak;
}

json_t *explain_summary_vm(const PlotRecords *rec, const char *name)
{
    return g_hash_table_lookup(rec->summary_vms, name);
}
