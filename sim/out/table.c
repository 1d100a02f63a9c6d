/*
 * The terminal summary: see sim/out/table.h. Numbers come from the same
 * aggregates as summary.json (sim/out/stats.h, sim/out/sla.h), so the two
 * never disagree.
 */
#include "sim/out/table.h"

#include "sim/out/sla.h"
#include "sim/out/stats.h"

static void print_vm_table(const SimRecorder *r, const SimRunTotals *t, FILE *out)
{
    int width = 2; /* "VM" */
    for (guint vm = 0; vm < sim_recorder_n_vms(r); vm++) {
        width = MAX(width, (int)g_utf8_strlen(sim_recorder_vm_name(r, vm), -1));
    }
    /* What each mechanism holds of the VM at the end: the balloon, pages
     * sharing saves (shrdsvd), compressed pages (zip) and host-swapped ones. */
    fprintf(out, "%-*s  %12s  %12s  %14s  %12s  %8s  %10s\n", width, "VM", "balloon MiB",
            "sharing MiB", "compressed MiB", "swapped MiB", "stall %", "perf index");
    for (guint vm = 0; vm < sim_recorder_n_vms(r); vm++) {
        SimVmStats st;
        sim_stats_vm(r, t, vm, &st);
        const char *name = sim_recorder_vm_name(r, vm);
        /* Pad by characters, not bytes, so UTF-8 names stay aligned. */
        int pad = width - (int)g_utf8_strlen(name, -1);
        fprintf(out, "%s%*s  %12.2f  %12.2f  %14.2f  %12.2f  %8.2f  %10.4f\n", name, pad, "",
                st.final.mctlsz_mb, st.final.shrdsvd_mb, st.final.zip_mb, st.final.swcur_mb,
                st.mean.stall_pct, st.mean.perf_index);
    }
}

static void print_state_table(const SimRunTotals *t, FILE *out)
{
    double total = 0.0;
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        total += t->time_in_state_s[s];
    }
    fprintf(out, "%-5s  %10s  %7s\n", "state", "time", "share");
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        double secs = t->time_in_state_s[s];
        guint64 whole = secs > 0 ? (guint64)(secs + 0.5) : 0;
        fprintf(out, "%-5s  %4" G_GUINT64_FORMAT ":%02u:%02u  %6.1f%%\n",
                host_state_to_string((HostState)s), whole / 3600, (unsigned)(whole / 60 % 60),
                (unsigned)(whole % 60), total > 0 ? 100.0 * secs / total : 0.0);
    }
}

/* Peak memory each mechanism held back, host-wide (summary.json reclaimed_mb). */
static void print_reclaimed(const SimRunTotals *t, FILE *out)
{
    fprintf(out, "reclaimed (peak MiB): balloon %.0f, sharing %.0f, compression %.0f, swap %.0f\n",
            t->reclaimed_balloon_mb, t->reclaimed_shared_mb, t->reclaimed_compressed_mb,
            t->reclaimed_swapped_mb);
}

static void print_sla(const SimRecorder *r, const SimRunTotals *t, FILE *out)
{
    const SimScenario *sc = sim_recorder_scenario(r);
    SimSlaVerdict res = sim_sla_evaluate(sc, t);
    if (res.worst_vm < 0) {
        fprintf(out, "SLA perf index >= %.4f: met (no VMs)\n", sc->sla_perf_index);
        return;
    }
    fprintf(out, "SLA perf index >= %.4f: %s (worst VM %s, mean %.4f)\n", sc->sla_perf_index,
            res.met ? "met" : "NOT met", sim_recorder_vm_name(r, (guint)res.worst_vm),
            res.worst_perf);
}

void sim_table_print(const SimRecorder *recorder, const SimRunTotals *totals, FILE *out)
{
    g_return_if_fail(recorder != NULL && totals != NULL && out != NULL);
    g_return_if_fail(totals->n_vms == sim_recorder_n_vms(recorder));
    g_return_if_fail(totals->vms != NULL || totals->n_vms == 0);
    print_vm_table(recorder, totals, out);
    fputc('\n', out);
    print_state_table(totals, out);
    fputc('\n', out);
    print_reclaimed(totals, out);
    /* Only a scenario with an SLA has a verdict to print. */
    if (sim_recorder_scenario(recorder)->has_sla) {
        fputc('\n', out);
        print_sla(recorder, totals, out);
    }
}
