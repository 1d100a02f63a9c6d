/*
 * compare.csv and compare.json: see sim/out/compare.h. Both are small (one
 * row per policy), so each is built whole and written through
 * sim/out/outfile.h.
 */
#include "sim/out/compare.h"

#include <jansson.h>
#include <math.h>

#include "sim/out/format.h"
#include "sim/out/outfile.h"

#define COMPARE_DECIMALS 4 /* as summary.json's reals */

/* ---- compare.csv ---- */

static void csv_header(GString *line)
{
    g_string_append(line, "policy,perf_index_mean,perf_index_worst,worst_vm,below_sla_vm_s,"
                          "below_sla_worst_s,below_sla_worst_vm,stall_pct_mean");
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        g_string_append_printf(line, ",peak_%s_mb", sim_mech_to_string((SimMech)m));
    }
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        g_string_append_printf(line, ",mean_%s_mb", sim_mech_to_string((SimMech)m));
    }
    g_string_append(line, ",swap_read_mb,swap_written_mb");
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        g_string_append_printf(line, ",time_%s_s", host_state_to_string((HostState)s));
    }
    g_string_append(line, ",sla_met\n");
}

/* A number cell, as compare.json has it; empty for NaN (no value), as a
 * spreadsheet reads it. */
static void csv_number(GString *line, double v)
{
    g_string_append_c(line, ',');
    if (isfinite(v)) {
        sim_format_number(line, sim_outfile_round(v), COMPARE_DECIMALS);
    }
}

static void csv_text(GString *line, const char *text)
{
    g_string_append_c(line, ',');
    sim_format_csv_text(line, text != NULL ? text : "");
}

static void csv_row(GString *line, const SimCompareRow *r)
{
    sim_format_csv_text(line, r->policy);
    csv_number(line, r->perf_mean);
    csv_number(line, r->perf_worst);
    csv_text(line, r->worst_vm);
    csv_number(line, r->below_sla_s);
    csv_number(line, r->below_worst_s);
    csv_text(line, r->below_worst_vm);
    csv_number(line, r->stall_pct_mean);
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        csv_number(line, r->peak_mb[m]);
    }
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        csv_number(line, r->mean_mb[m]);
    }
    csv_number(line, r->swap_read_mb);
    csv_number(line, r->swap_written_mb);
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        csv_number(line, r->time_in_state_s[s]);
    }
    csv_text(line, r->sla_met < 0 ? "" : r->sla_met ? "true" : "false");
    g_string_append_c(line, '\n');
}

static bool write_csv(const SimCompareRow *rows, guint n, const char *dir, const char *shown,
                      GError **error)
{
    SimOutfile *f = sim_outfile_open_in(dir, shown, "compare.csv", error);
    if (f == NULL) {
        return false;
    }
    csv_header(sim_outfile_line(f));
    for (guint i = 0; i < n; i++) {
        csv_row(sim_outfile_line(f), &rows[i]);
    }
    sim_outfile_flush_line(f);
    return sim_outfile_close(f, error);
}

/* ---- compare.json ---- */

static json_t *json_text(const char *text)
{
    return text != NULL ? json_string(text) : json_null();
}

static json_t *json_mechs(const double mb[SIM_MECH_MAX])
{
    json_t *o = json_object();
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        json_object_set_new(o, sim_mech_to_string((SimMech)m), sim_outfile_json_real(mb[m]));
    }
    return o;
}

static json_t *json_row(const SimCompareRow *r)
{
    json_t *o = json_object();
    json_object_set_new(o, "policy", json_string(r->policy));
    json_object_set_new(o, "perf_index_mean", sim_outfile_json_real(r->perf_mean));
    json_object_set_new(o, "perf_index_worst", sim_outfile_json_real(r->perf_worst));
    json_object_set_new(o, "worst_vm", json_text(r->worst_vm));
    json_object_set_new(o, "below_sla_vm_s", sim_outfile_json_real(r->below_sla_s));
    json_object_set_new(o, "below_sla_worst_s", sim_outfile_json_real(r->below_worst_s));
    json_object_set_new(o, "below_sla_worst_vm", json_text(r->below_worst_vm));
    json_object_set_new(o, "stall_pct_mean", sim_outfile_json_real(r->stall_pct_mean));
    json_object_set_new(o, "peak_mb", json_mechs(r->peak_mb));
    json_object_set_new(o, "mean_mb", json_mechs(r->mean_mb));
    json_t *swap = json_object();
    json_object_set_new(swap, "read", sim_outfile_json_real(r->swap_read_mb));
    json_object_set_new(swap, "written", sim_outfile_json_real(r->swap_written_mb));
    json_object_set_new(o, "swap_mb", swap);
    json_t *states = json_object();
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        json_object_set_new(states, host_state_to_string((HostState)s),
                            sim_outfile_json_real(r->time_in_state_s[s]));
    }
    json_object_set_new(o, "time_in_state_s", states);
    json_object_set_new(o, "sla_met", r->sla_met < 0 ? json_null() : json_boolean(r->sla_met));
    return o;
}

/* The whole document; the caller json_decref()s it. */
static json_t *compare_json(const SimCompareHead *head, const SimCompareRow *rows, guint n)
{
    json_t *root = json_object();
    json_object_set_new(root, "scenario", json_string(head->scenario != NULL ? head->scenario : ""));
    json_object_set_new(root, "seed", sim_outfile_json_seed(head->seed));
    json_object_set_new(root, "duration_s", sim_outfile_json_real(head->duration_s));
    json_object_set_new(root, "sla_perf_index", sim_outfile_json_real(head->sla_perf_index));
    json_t *policies = json_array();
    for (guint i = 0; i < n; i++) {
        json_array_append_new(policies, json_row(&rows[i]));
    }
    json_object_set_new(root, "policies", policies);
    return root;
}

/* Fails to encode only out of memory, or on a name that is not UTF-8. */
static bool write_json(const SimCompareHead *head, const SimCompareRow *rows, guint n,
                       const char *dir, const char *shown, GError **error)
{
    json_t *root = compare_json(head, rows, n);
    bool ok = sim_outfile_write_json(dir, shown, "compare.json", root, error);
    json_decref(root);
    return ok;
}

bool sim_compare_write(const SimCompareHead *head, const SimCompareRow *rows, guint n,
                       const char *dir, const char *shown, GError **error)
{
    g_return_val_if_fail(head != NULL && (rows != NULL || n == 0) && dir != NULL, false);
    shown = shown != NULL ? shown : dir;
    return write_csv(rows, n, dir, shown, error) && write_json(head, rows, n, dir, shown, error);
}
