/*
 * host.csv and vms.csv from the recorder's samples: see sim/out/csv.h. Rows
 * are streamed one at a time through sim/out/outfile.h.
 */
#include "sim/out/csv.h"

#include <stddef.h>

#include "sim/out/format.h"
#include "sim/out/outfile.h"
#include "sim/out/stats.h"

#define HOST_HEADER                                                                                \
    "time_s,state,free_mb,min_free_mb,overhead_mb,shared_mb,shrdsvd_mb,zip_mb,swcur_mb,"           \
    "mctlsz_mb,swr_mbps,sww_mbps\n"

static void append_host_row(GString *line, const SimHostSample *s)
{
    const double cols[] = {s->free_mb, s->min_free_mb, s->overhead_mb, s->shared_mb, s->shrdsvd_mb,
                           s->zip_mb,  s->swcur_mb,    s->mctlsz_mb,   s->swr_mbps,  s->sww_mbps};
    sim_format_time(line, s->time_s);
    g_string_append_c(line, ',');
    g_string_append(line, host_state_to_string(s->state));
    for (guint c = 0; c < G_N_ELEMENTS(cols); c++) {
        g_string_append_c(line, ',');
        sim_format_number(line, cols[c], SIM_CSV_DECIMALS);
    }
    g_string_append_c(line, '\n');
}

bool sim_csv_write_host(const SimRecorder *recorder, const char *dir, const char *shown,
                        GError **error)
{
    g_return_val_if_fail(recorder != NULL && dir != NULL, false);
    SimOutfile *f = sim_outfile_open_in(dir, shown, "host.csv", error);
    if (f == NULL) {
        return false;
    }
    g_string_append(sim_outfile_line(f), HOST_HEADER);
    sim_outfile_flush_line(f);
    for (guint i = 0; i < sim_recorder_n_samples(recorder) && !sim_outfile_failed(f); i++) {
        append_host_row(sim_outfile_line(f), sim_recorder_host_sample(recorder, i));
        sim_outfile_flush_line(f);
    }
    return sim_outfile_close(f, error);
}

static void append_vms_header(GString *line)
{
    g_string_append(line, "time_s,vm");
    for (guint c = 0; c < SIM_STATS_N_FIELDS; c++) {
        g_string_append_c(line, ',');
        g_string_append(line, sim_stats_field_name(c));
    }
    g_string_append_c(line, '\n');
}

static void append_vm_row(GString *line, double time_s, const char *name, const SimVmSample *s)
{
    sim_format_time(line, time_s);
    g_string_append_c(line, ',');
    sim_format_csv_text(line, name);
    for (guint c = 0; c < SIM_STATS_N_FIELDS; c++) {
        bool perf = sim_stats_field_offset(c) == offsetof(SimVmSample, perf_index);
        g_string_append_c(line, ',');
        sim_format_number(line, sim_stats_field_value(s, c),
                          perf ? SIM_CSV_PERF_INDEX_DECIMALS : SIM_CSV_DECIMALS);
    }
    g_string_append_c(line, '\n');
}

bool sim_csv_write_vms(const SimRecorder *recorder, const char *dir, const char *shown,
                       GError **error)
{
    g_return_val_if_fail(recorder != NULL && dir != NULL, false);
    SimOutfile *f = sim_outfile_open_in(dir, shown, "vms.csv", error);
    if (f == NULL) {
        return false;
    }
    append_vms_header(sim_outfile_line(f));
    sim_outfile_flush_line(f);
    for (guint i = 0; i < sim_recorder_n_samples(recorder) && !sim_outfile_failed(f); i++) {
        double time_s = sim_recorder_host_sample(recorder, i)->time_s;
        for (guint vm = 0; vm < sim_recorder_n_vms(recorder); vm++) {
            append_vm_row(sim_outfile_line(f), time_s, sim_recorder_vm_name(recorder, vm),
                          sim_recorder_vm_sample(recorder, i, vm));
            sim_outfile_flush_line(f);
        }
    }
    return sim_outfile_close(f, error);
}
