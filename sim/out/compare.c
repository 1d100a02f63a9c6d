/*
 * The figures of one policy's run and the terminal table: see
 * sim/out/compare.h. Files: sim/out/comparefile.c.
 */
#include "sim/out/compare.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "sim/out/sla.h"
#include "sim/units.h"

const char *sim_mech_to_string(SimMech mech)
{
    static const char *const names[SIM_MECH_MAX] = {"balloon", "shared", "compressed", "swapped"};
    g_return_val_if_fail(mech < SIM_MECH_MAX, NULL);
    return names[mech];
}

const char *sim_compare_state_name(guint state)
{
    g_return_val_if_fail(state < HOST_STATE_MAX, NULL);
    return host_state_to_string((HostState)state);
}

/* Seconds VM `vm` spent under `sla`: each vms.csv row's performance index
 * covers the interval since the row before, so a row under the SLA counts
 * that whole interval (the t = 0 row covers none). Resolution:
 * sample_interval (docs/model.md). */
static double seconds_below(const SimRecorder *r, guint vm, double sla)
{
    double below = 0;
    for (guint i = 1; i < sim_recorder_n_samples(r); i++) {
        if (sim_recorder_vm_sample(r, i, vm)->perf_index < sla) {
            below += sim_recorder_host_sample(r, i)->time_s -
                     sim_recorder_host_sample(r, i - 1)->time_s;
        }
    }
    return below;
}

static void fill_below_sla(SimCompareRow *row, const SimRecorder *r, const SimScenario *sc)
{
    row->below_sla_s = row->below_worst_s = NAN;
    if (!sc->has_sla) {
        return;
    }
    row->below_sla_s = 0;
    for (guint vm = 0; vm < sim_recorder_n_vms(r); vm++) {
        double s = seconds_below(r, vm, sc->sla_perf_index);
        row->below_sla_s += s;
        /* strictly more: ties keep the first VM, as the SLA's worst_vm does */
        if (row->below_worst_vm == NULL || s > row->below_worst_s) {
            g_free(row->below_worst_vm);
            row->below_worst_vm = g_strdup(sim_recorder_vm_name(r, vm));
            row->below_worst_s = s;
        }
    }
}

/* The means of summary.json's vms[].mean: each VM's level means summed into
 * host-wide ones (the host-wide totals are those sums at every instant, see
 * run.c reclaimed_now), rates times the duration into MiB moved. */
static void fill_vm_sums(SimCompareRow *row, const SimRunTotals *t, double duration_s)
{
    double perf = 0, stall = 0;
    for (guint vm = 0; vm < t->n_vms; vm++) {
        const SimVmSample *m = &t->vms[vm].mean;
        perf += m->perf_index;
        stall += m->stall_pct;
        row->mean_mb[SIM_MECH_BALLOON] += m->mctlsz_mb;
        row->mean_mb[SIM_MECH_SHARED] += m->shrdsvd_mb;
        row->mean_mb[SIM_MECH_COMPRESSED] += m->zsaved_mb;
        row->mean_mb[SIM_MECH_SWAPPED] += m->swcur_mb;
        row->swap_read_mb += m->swr_mbps * duration_s;
        row->swap_written_mb += m->sww_mbps * duration_s;
    }
    row->perf_mean = t->n_vms > 0 ? perf / t->n_vms : NAN;
    row->stall_pct_mean = t->n_vms > 0 ? stall / t->n_vms : NAN;
}

void sim_compare_row_fill(SimCompareRow *row, const SimRecorder *recorder,
                          const SimRunTotals *totals)
{
    g_return_if_fail(row != NULL && recorder != NULL && totals != NULL);
    g_return_if_fail(totals->n_vms == sim_recorder_n_vms(recorder));
    const SimScenario *sc = sim_recorder_scenario(recorder);
    *row = (SimCompareRow){.policy = g_strdup(sim_recorder_policy(recorder))};
    fill_vm_sums(row, totals, sim_time_to_s(sc->duration));
    SimSlaVerdict sla = sim_sla_evaluate(sc, totals);
    row->perf_worst = sla.worst_perf;
    row->worst_vm = sla.worst_vm >= 0 ? g_strdup(sim_recorder_vm_name(recorder, (guint)sla.worst_vm))
                                      : NULL;
    row->sla_met = sc->has_sla ? sla.met : -1;
    fill_below_sla(row, recorder, sc);
    const double peaks[SIM_MECH_MAX] = {totals->reclaimed_balloon_mb, totals->reclaimed_shared_mb,
                                        totals->reclaimed_compressed_mb,
                                        totals->reclaimed_swapped_mb};
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        row->peak_mb[m] = peaks[m];
    }
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        row->time_in_state_s[s] = totals->time_in_state_s[s];
    }
}

void sim_compare_row_clear(SimCompareRow *row)
{
    if (row == NULL) {
        return;
    }
    g_clear_pointer(&row->policy, g_free);
    g_clear_pointer(&row->worst_vm, g_free);
    g_clear_pointer(&row->below_worst_vm, g_free);
}

/* ---- exact JSON for another process ---- */

static json_t *pack_double(double v)
{
    guint64 bits = 0;
    memcpy(&bits, &v, sizeof bits);
    char hex[17];
    g_snprintf(hex, sizeof hex, "%016" G_GINT64_MODIFIER "x", bits);
    return json_string(hex);
}

static bool unpack_double(const json_t *json, double *v)
{
    const char *hex = json_string_value(json);
    guint64 bits = 0;
    if (hex == NULL || strlen(hex) != 16 ||
        !g_ascii_string_to_unsigned(hex, 16, 0, G_MAXUINT64, &bits, NULL)) {
        return false;
    }
    memcpy(v, &bits, sizeof *v);
    return true;
}

/* A name, or JSON null for none. */
static json_t *pack_name(const char *name)
{
    return name != NULL ? json_string(name) : json_null();
}

static bool unpack_name(const json_t *json, char **name)
{
    *name = json_is_string(json) ? g_strdup(json_string_value(json)) : NULL;
    return json_is_string(json) || json_is_null(json);
}

/* The doubles of a row in one order, packed as one array. */
static guint row_doubles(SimCompareRow *row, double **out)
{
    guint n = 0;
    double *const fixed[] = {&row->perf_mean,      &row->perf_worst,   &row->below_sla_s,
                             &row->below_worst_s,  &row->stall_pct_mean, &row->swap_read_mb,
                             &row->swap_written_mb};
    for (guint i = 0; i < G_N_ELEMENTS(fixed); i++) {
        out[n++] = fixed[i];
    }
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        out[n++] = &row->peak_mb[m];
        out[n++] = &row->mean_mb[m];
    }
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        out[n++] = &row->time_in_state_s[s];
    }
    return n;
}

#define ROW_DOUBLES (7 + 2 * SIM_MECH_MAX + HOST_STATE_MAX)

json_t *sim_compare_row_pack(const SimCompareRow *row)
{
    g_return_val_if_fail(row != NULL, NULL);
    SimCompareRow copy = *row; /* shallow: only its doubles are read */
    double *v[ROW_DOUBLES];
    guint n = row_doubles(&copy, v);
    json_t *numbers = json_array();
    for (guint i = 0; i < n; i++) {
        json_array_append_new(numbers, pack_double(*v[i]));
    }
    return json_pack("{s:o, s:o, s:o, s:o, s:i}", "policy", pack_name(row->policy), "worst_vm",
                     pack_name(row->worst_vm), "below_worst_vm", pack_name(row->below_worst_vm),
                     "numbers", numbers, "sla_met", row->sla_met);
}

bool sim_compare_row_unpack(const json_t *json, SimCompareRow *row)
{
    g_return_val_if_fail(row != NULL, false);
    *row = (SimCompareRow){0};
    double *v[ROW_DOUBLES];
    guint n = row_doubles(row, v);
    const json_t *numbers = json_object_get(json, "numbers");
    const json_t *met = json_object_get(json, "sla_met");
    bool ok = unpack_name(json_object_get(json, "policy"), &row->policy) &&
              unpack_name(json_object_get(json, "worst_vm"), &row->worst_vm) &&
              unpack_name(json_object_get(json, "below_worst_vm"), &row->below_worst_vm) &&
              json_array_size(numbers) == n && json_is_integer(met) &&
              json_integer_value(met) >= -1 && json_integer_value(met) <= 1;
    for (guint i = 0; ok && i < n; i++) {
        ok = unpack_double(json_array_get(numbers, i), v[i]);
    }
    if (!ok) {
        sim_compare_row_clear(row);
        return false;
    }
    row->sla_met = (int)json_integer_value(met);
    return true;
}

/* ---- the terminal table ---- */

/* Widths in characters of the policy and worst-VM columns: the widest
 * name, at least the header's. */
typedef struct Widths {
    int policy, vm;
} Widths;

static int text_width(const char *text)
{
    return text != NULL ? (int)g_utf8_strlen(text, -1) : 1;
}

static Widths widths_of(const SimCompareRow *rows, guint n)
{
    Widths w = {.policy = 6, .vm = 8}; /* "policy", "worst VM" */
    for (guint i = 0; i < n; i++) {
        w.policy = MAX(w.policy, text_width(rows[i].policy));
        w.vm = MAX(w.vm, text_width(rows[i].worst_vm));
    }
    return w;
}

/* Text left-aligned in `width` characters (not bytes: UTF-8 names stay aligned). */
static void print_text(FILE *out, const char *text, int width)
{
    fprintf(out, "%s%*s", text != NULL ? text : "-", width - text_width(text), "");
}

static const char *verdict(int met)
{
    return met < 0 ? "-" : met ? "met" : "NOT met";
}

/* A number, or "-" for NaN, right-aligned in `width`. */
static void print_cell(FILE *out, double v, int width, int decimals)
{
    if (isfinite(v)) {
        fprintf(out, "  %*.*f", width, decimals, v);
    } else {
        fprintf(out, "  %*s", width, "-");
    }
}

static void print_row(FILE *out, const SimCompareRow *r, Widths w)
{
    print_text(out, r->policy, w.policy);
    print_cell(out, r->perf_mean, 6, 4);
    print_cell(out, r->perf_worst, 6, 4);
    fputs("  ", out);
    print_text(out, r->worst_vm, w.vm);
    print_cell(out, r->below_sla_s, 8, 0);
    print_cell(out, r->stall_pct_mean, 7, 2);
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        print_cell(out, r->peak_mb[m], 10, 0);
    }
    print_cell(out, r->swap_read_mb, 7, 0);
    print_cell(out, r->swap_written_mb, 7, 0);
    fprintf(out, "  %s\n", verdict(r->sla_met));
}

/* Two header lines: groups over the columns, then the columns. */
void sim_compare_print(const SimCompareHead *head, const SimCompareRow *rows, guint n, FILE *out)
{
    g_return_if_fail(head != NULL && (rows != NULL || n == 0) && out != NULL);
    Widths w = widths_of(rows, n);
    fprintf(out, "%*s  %-*s  %-8s  %-7s  %-46s  %s\n", w.policy, "", 16 + w.vm,
            "VM perf index", "below", "", "peak reclaimed, host-wide (MiB)", "host swap (MiB)");
    fprintf(out, "%-*s  %6s  %6s  %-*s  %8s  %7s  %10s  %10s  %10s  %10s  %7s  %7s  %s\n",
            w.policy, "policy", "mean", "worst", w.vm, "worst VM", "SLA VM-s", "stall %",
            "balloon", "shared", "compressed", "swapped", "read", "written", "SLA");
    for (guint i = 0; i < n; i++) {
        print_row(out, &rows[i], w);
    }
    if (isfinite(head->sla_perf_index)) {
        fprintf(out, "SLA: every VM's mean performance index >= %.4f\n", head->sla_perf_index);
    }
}
