/*
 * The run's result files: host.csv, vms.csv and summary.json (docs/design.md
 * section 5) from the recorder's samples, and the terminal summary. Every
 * number goes through one fixed format so the same run gives byte-identical
 * files. The files go into a directory the caller gives (sim/out/outdir.h
 * stages and publishes it).
 */
#include "sim/out/results.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/out/esxtop.h"
#include "sim/units.h"

/* Decimals of the CSV columns and of the reals in summary.json. */
#define CSV_DECIMALS 2
#define PERF_INDEX_DECIMALS 4
#define JSON_SCALE 1e4 /* reals rounded to 4 decimals */


/* The numeric vms.csv columns as (name, offset), generated from SIM_VM_FIELDS. */
typedef struct VmField {
    const char *name;
    size_t offset; /* of the double in SimVmSample */
} VmField;

#define VM_FIELD_ENTRY(field) {#field, offsetof(SimVmSample, field)},
static const VmField vm_fields[] = {SIM_VM_FIELDS(VM_FIELD_ENTRY)};
#undef VM_FIELD_ENTRY
#define N_VM_FIELDS G_N_ELEMENTS(vm_fields)

static inline double vm_field_value(const SimVmSample *sample, guint field)
{
    return G_STRUCT_MEMBER(double, sample, vm_fields[field].offset);
}

static inline int vm_field_decimals(guint field)
{
    return vm_fields[field].offset == offsetof(SimVmSample, perf_index) ? PERF_INDEX_DECIMALS
                                                                        : CSV_DECIMALS;
}

/* Unchecked row access for the loops below; indices come from the loop bounds. */
static inline const SimVmSample *vm_row(const SimRecorder *r, guint i, guint vm)
{
    return sim_recorder_vm_sample(r, i, vm);
}

static const char *vm_name(const SimRecorder *recorder, guint vm)
{
    return g_array_index(sim_recorder_scenario(recorder)->vms, SimVmConfig, vm).name;
}

/* ---- number formatting ------------------------------------------------- */

/*
 * Appends v with a fixed number of decimals. "-0.00" becomes "0.00" (a tiny
 * negative rounding residue must not change the bytes), and non-finite
 * values print as nan/inf rather than the platform's spelling.
 */
static void append_number(GString *out, double v, int decimals)
{
    if (isnan(v)) {
        g_string_append(out, "nan");
        return;
    }
    if (isinf(v)) {
        g_string_append(out, v > 0 ? "inf" : "-inf");
        return;
    }
    char buf[G_ASCII_DTOSTR_BUF_SIZE + 320]; /* %f of DBL_MAX has 309 digits */
    g_snprintf(buf, sizeof buf, "%.*f", decimals, v);
    const char *text = buf;
    if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1)) {
        text = buf + 1;
    }
    g_string_append(out, text);
}

/* time_s: whole seconds without decimals, otherwise milliseconds. */
static void append_time(GString *out, double time_s)
{
    append_number(out, time_s, time_s == floor(time_s) ? 0 : 3);
}

/* A CSV cell, quoted as RFC 4180 asks when it holds a comma, quote or newline. */
static void append_csv_text(GString *out, const char *text)
{
    if (strpbrk(text, ",\"\r\n") == NULL) {
        g_string_append(out, text);
        return;
    }
    g_string_append_c(out, '"');
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '"') {
            g_string_append_c(out, '"');
        }
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

/* ---- files --------------------------------------------------------------- */

/* "out/x/vms.csv: error: cannot write: No space left on device" */
static bool io_error(GError **error, const char *what, const char *path, int errsv)
{
    g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot %s: %s", path, what,
                g_strerror(errsv));
    return false;
}

/*
 * A file written through a line buffer: rows are built in `line` and
 * streamed, so vms.csv of a long run never sits in memory as a whole.
 */
typedef struct OutFile {
    FILE *fp;
    char *shown; /* the name messages give: NAME in the directory the user named */
    GString *line;
    int errsv;   /* errno of the first failed write, 0 while none */
} OutFile;

/* Opens NAME in `dir`; messages name it in `shown_dir`. */
static bool out_open(OutFile *f, const char *dir, const char *shown_dir, const char *name,
                     GError **error)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    f->shown = g_build_filename(shown_dir, name, NULL);
    f->line = g_string_sized_new(256);
    f->errsv = 0;
    f->fp = fopen(path, "w");
    if (f->fp == NULL) {
        return io_error(error, "write", f->shown, errno);
    }
    return true;
}

/* Writes the buffered line, keeping the errno of the first failure (a full
 * disk: ENOSPC); after one, the rest is not attempted. */
static void out_flush_line(OutFile *f)
{
    if (f->errsv == 0 && f->line->len > 0 &&
        fwrite(f->line->str, 1, f->line->len, f->fp) != f->line->len) {
        f->errsv = errno != 0 ? errno : EIO;
    }
    g_string_truncate(f->line, 0);
}

/* A full disk may show at fwrite, fflush, fsync or fclose: each is checked
 * and the first errno reported. fsync, so the rename that publishes the
 * directory never publishes files whose blocks were not yet written. */
static bool out_close(OutFile *f, GError **error)
{
    int errsv = f->errsv;
    bool opened = f->fp != NULL;
    if (opened && errsv == 0 && (fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0)) {
        errsv = errno;
    }
    if (opened && fclose(f->fp) != 0 && errsv == 0) {
        errsv = errno;
    }
    g_string_free(f->line, TRUE);
    bool ok = opened && (errsv == 0 || io_error(error, "write", f->shown, errsv));
    g_free(f->shown);
    return ok;
}

static bool write_host_csv(const SimRecorder *r, const char *dir, const char *shown,
                           GError **error)
{
    OutFile f;
    if (!out_open(&f, dir, shown, "host.csv", error)) {
        return out_close(&f, NULL);
    }
    g_string_append(f.line, "time_s,state,free_mb,min_free_mb,overhead_mb,shared_mb,"
                            "shrdsvd_mb,zip_mb,swcur_mb,mctlsz_mb,swr_mbps,sww_mbps\n");
    for (guint i = 0; i < sim_recorder_n_samples(r); i++) {
        const SimHostSample *s = sim_recorder_host_sample(r, i);
        const double cols[] = {s->free_mb,    s->min_free_mb, s->overhead_mb, s->shared_mb,
                               s->shrdsvd_mb, s->zip_mb,      s->swcur_mb,    s->mctlsz_mb,
                               s->swr_mbps,   s->sww_mbps};
        append_time(f.line, s->time_s);
        g_string_append_c(f.line, ',');
        g_string_append(f.line, host_state_to_string(s->state));
        for (guint c = 0; c < G_N_ELEMENTS(cols); c++) {
            g_string_append_c(f.line, ',');
            append_number(f.line, cols[c], CSV_DECIMALS);
        }
        g_string_append_c(f.line, '\n');
        out_flush_line(&f);
    }
    out_flush_line(&f);
    return out_close(&f, error);
}

static bool write_vms_csv(const SimRecorder *r, const char *dir, const char *shown,
                          GError **error)
{
    OutFile f;
    if (!out_open(&f, dir, shown, "vms.csv", error)) {
        return out_close(&f, NULL);
    }
    g_string_append(f.line, "time_s,vm");
    for (guint c = 0; c < N_VM_FIELDS; c++) {
        g_string_append_c(f.line, ',');
        g_string_append(f.line, vm_fields[c].name);
    }
    g_string_append_c(f.line, '\n');
    for (guint i = 0; i < sim_recorder_n_samples(r); i++) {
        double time_s = sim_recorder_host_sample(r, i)->time_s;
        for (guint vm = 0; vm < sim_recorder_n_vms(r); vm++) {
            const SimVmSample *s = vm_row(r, i, vm);
            append_time(f.line, time_s);
            g_string_append_c(f.line, ',');
            append_csv_text(f.line, vm_name(r, vm));
            for (guint c = 0; c < N_VM_FIELDS; c++) {
                g_string_append_c(f.line, ',');
                append_number(f.line, vm_field_value(s, c), vm_field_decimals(c));
            }
            g_string_append_c(f.line, '\n');
            out_flush_line(&f);
        }
    }
    out_flush_line(&f);
    return out_close(&f, error);
}

/* ---- aggregates ---------------------------------------------------------- */

/* Position in vm_fields of the field at `offset`. */
static guint field_index(size_t offset)
{
    for (guint c = 0; c < N_VM_FIELDS; c++) {
        if (vm_fields[c].offset == offset) {
            return c;
        }
    }
    g_assert_not_reached();
}

/* Rates and stall describe the interval that ends at their row; the other
 * columns are levels read at the row's instant. */
static bool vm_field_is_interval(guint field)
{
    size_t off = vm_fields[field].offset;
    return off == offsetof(SimVmSample, swr_mbps) || off == offsetof(SimVmSample, sww_mbps) ||
           off == offsetof(SimVmSample, stall_pct) || off == offsetof(SimVmSample, perf_index);
}

/* Final, mean and maximum of every vms.csv field of one VM. */
typedef struct VmStats {
    double final[N_VM_FIELDS]; /* the last row, at the end of the run */
    double mean[N_VM_FIELDS];  /* the run's time-weighted mean (SimVmTotals) */
    double max[N_VM_FIELDS];   /* largest row value (see vm_stats_compute) */
} VmStats;

/*
 * `final` and `max` come from the rows, `mean` from the model's totals. The
 * max of a rate or stall column leaves out the first row, which covers no
 * time (its rates read 0 and its perf index 1). O(samples) per VM, once at
 * the end.
 */
static void vm_stats_compute(const SimRecorder *r, const SimRunTotals *t, guint vm, VmStats *st)
{
    guint n = sim_recorder_n_samples(r);
    for (guint c = 0; c < N_VM_FIELDS; c++) {
        st->final[c] = NAN;
        st->mean[c] = vm_field_value(&t->vms[vm].mean, c);
        st->max[c] = NAN;
    }
    for (guint i = 0; i < n; i++) {
        const SimVmSample *s = vm_row(r, i, vm);
        for (guint c = 0; c < N_VM_FIELDS; c++) {
            double v = vm_field_value(s, c);
            if (i > 0 || n == 1 || !vm_field_is_interval(c)) {
                st->max[c] = isnan(st->max[c]) ? v : MAX(st->max[c], v);
            }
            st->final[c] = v;
        }
    }
}

/* The SLA view of a run: every VM's performance index and the worst VM. */
typedef struct SlaResult {
    int worst_vm;      /* index of the lowest perf index, -1 without VMs */
    double worst_perf; /* its perf index over the run */
    bool all_met;      /* every VM's perf index >= the scenario's threshold */
} SlaResult;

/* On the model's totals, so the verdict does not depend on sample_interval. */
static SlaResult sla_evaluate(const SimRecorder *r, const SimRunTotals *t)
{
    SlaResult res = {.worst_vm = -1, .worst_perf = NAN, .all_met = true};
    for (guint vm = 0; vm < sim_recorder_n_vms(r); vm++) {
        double perf = t->vms[vm].mean.perf_index;
        /* Strictly lower: ties keep the first VM in scenario order. */
        if (res.worst_vm < 0 || perf < res.worst_perf) {
            res.worst_vm = (int)vm;
            res.worst_perf = perf;
        }
        if (sim_recorder_scenario(r)->has_sla && !(perf >= sim_recorder_scenario(r)->sla_perf_index)) {
            res.all_met = false;
        }
    }
    return res;
}

/* ---- summary.json -------------------------------------------------------- */

/* Reals rounded to 4 decimals so the file is stable and readable; -0 becomes 0. */
static json_t *json_round(double v)
{
    if (!isfinite(v)) {
        return json_null();
    }
    return json_real(round(v * JSON_SCALE) / JSON_SCALE + 0.0);
}

static json_t *json_states(const double values[HOST_STATE_MAX])
{
    json_t *o = json_object();
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        json_object_set_new(o, host_state_to_string((HostState)s), json_round(values[s]));
    }
    return o;
}

static json_t *json_vm_fields(const double values[N_VM_FIELDS])
{
    json_t *o = json_object();
    for (guint c = 0; c < N_VM_FIELDS; c++) {
        json_object_set_new(o, vm_fields[c].name, json_round(values[c]));
    }
    return o;
}

static json_t *json_host(const SimRecorder *r, const SimRunTotals *t)
{
    json_t *host = json_object();
    json_object_set_new(host, "memory_mb", json_round((double)sim_recorder_scenario(r)->host.memory / (double)SIM_MIB));
    json_object_set_new(host, "min_free_mb", json_round(t->min_free_mb));
    json_object_set_new(host, "thresholds_mb", json_states(t->thresholds_mb));
    json_object_set_new(host, "time_in_state_s", json_states(t->time_in_state_s));
    json_t *reclaimed = json_object();
    json_object_set_new(reclaimed, "balloon", json_round(t->reclaimed_balloon_mb));
    json_object_set_new(reclaimed, "shared", json_round(t->reclaimed_shared_mb));
    json_object_set_new(reclaimed, "compressed", json_round(t->reclaimed_compressed_mb));
    json_object_set_new(reclaimed, "swapped", json_round(t->reclaimed_swapped_mb));
    json_object_set_new(host, "reclaimed_mb", reclaimed);
    return host;
}

static json_t *json_vms(const SimRecorder *r, const SimRunTotals *t)
{
    json_t *vms = json_array();
    for (guint vm = 0; vm < sim_recorder_n_vms(r); vm++) {
        VmStats st;
        vm_stats_compute(r, t, vm, &st);
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(vm_name(r, vm)));
        json_object_set_new(o, "final", json_vm_fields(st.final));
        json_object_set_new(o, "mean", json_vm_fields(st.mean));
        json_object_set_new(o, "max", json_vm_fields(st.max));
        json_array_append_new(vms, o);
    }
    return vms;
}

/* perf_index and met are null without an SLA (met vacuously true without
 * VMs); worst_vm is null without VMs. */
static json_t *json_sla(const SimRecorder *r, const SimRunTotals *t)
{
    const SimScenario *sc = sim_recorder_scenario(r);
    SlaResult res = sla_evaluate(r, t);
    json_t *sla = json_object();
    json_object_set_new(sla, "perf_index",
                        sc->has_sla ? json_round(sc->sla_perf_index) : json_null());
    json_object_set_new(sla, "met", sc->has_sla ? json_boolean(res.all_met) : json_null());
    json_object_set_new(sla, "worst_vm",
                        res.worst_vm >= 0 ? json_string(vm_name(r, (guint)res.worst_vm))
                                          : json_null());
    return sla;
}

/* Seeds above INT64_MAX (possible from --seed) do not fit a JSON integer: a string then. */
static json_t *json_seed(uint64_t seed)
{
    if (seed <= (uint64_t)INT64_MAX) {
        return json_integer((json_int_t)seed);
    }
    char buf[32];
    g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, (guint64)seed);
    return json_string(buf);
}

static bool write_summary(const SimRecorder *r, const SimRunTotals *t, const char *dir,
                          const char *shown, GError **error)
{
    /* The run fills one SimVmTotals per VM: anything else is a caller's bug. */
    g_assert(t->n_vms == sim_recorder_n_vms(r) && (t->vms != NULL || t->n_vms == 0));
    const SimScenario *sc = sim_recorder_scenario(r);
    json_t *root = json_object();
    json_object_set_new(root, "scenario", json_string(sc->name != NULL ? sc->name : ""));
    json_object_set_new(root, "policy", json_string(sim_recorder_policy(r)));
    json_object_set_new(root, "seed", json_seed(sc->seed));
    json_object_set_new(root, "duration_s", json_round(sim_time_to_s(sc->duration)));
    json_object_set_new(root, "host", json_host(r, t));
    json_object_set_new(root, "vms", json_vms(r, t));
    json_object_set_new(root, "sla", json_sla(r, t));
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (text == NULL) {
        /* Only out of memory, or a string that is not UTF-8 (a VM name). */
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
                    "%s/summary.json: error: cannot write: cannot encode JSON", shown);
        return false;
    }
    OutFile f;
    bool ok = out_open(&f, dir, shown, "summary.json", error);
    if (ok) {
        g_string_append(f.line, text);
        g_string_append_c(f.line, '\n');
        out_flush_line(&f);
    }
    free(text);
    return ok ? out_close(&f, error) : out_close(&f, NULL);
}

/* ---- writing into a directory ------------------------------------------ */

/* An interrupt (sim/interrupt.h) is checked between files: a long run's
 * vms.csv takes seconds to write. */
bool sim_results_write(const SimRecorder *recorder, const SimRunTotals *totals, const char *dir,
                        const char *shown, GError **error)
{
    g_return_val_if_fail(recorder != NULL && totals != NULL && dir != NULL, false);
    g_return_val_if_fail(error == NULL || *error == NULL, false);
    const SimRecorder *r = recorder;
    shown = shown != NULL ? shown : dir;
    g_autofree char *esxtop = g_build_filename(dir, "esxtop.csv", NULL);
    g_autofree char *esxtop_shown = g_build_filename(shown, "esxtop.csv", NULL);
    return write_host_csv(r, dir, shown, error) && sim_interrupt_check(error) &&
           write_vms_csv(r, dir, shown, error) && sim_interrupt_check(error) &&
           write_summary(r, totals, dir, shown, error) && sim_interrupt_check(error) &&
           sim_esxtop_write(sim_recorder_scenario(r), r, esxtop, esxtop_shown, error);
}

/* ---- terminal summary ---------------------------------------------------- */

static void print_vm_table(const SimRecorder *r, const SimRunTotals *t, FILE *out)
{
    int width = 2; /* "VM" */
    for (guint vm = 0; vm < sim_recorder_n_vms(r); vm++) {
        width = MAX(width, (int)g_utf8_strlen(vm_name(r, vm), -1));
    }
    /* What each mechanism holds of the VM at the end: the balloon, pages
     * sharing saves (shrdsvd), compressed pages (zip) and host-swapped ones. */
    fprintf(out, "%-*s  %12s  %12s  %14s  %12s  %8s  %10s\n", width, "VM", "balloon MiB",
            "sharing MiB", "compressed MiB", "swapped MiB", "stall %", "perf index");
    for (guint vm = 0; vm < sim_recorder_n_vms(r); vm++) {
        VmStats st;
        vm_stats_compute(r, t, vm, &st);
        const char *name = vm_name(r, vm);
        /* Pad by characters, not bytes, so UTF-8 names stay aligned. */
        int pad = width - (int)g_utf8_strlen(name, -1);
        fprintf(out, "%s%*s  %12.2f  %12.2f  %14.2f  %12.2f  %8.2f  %10.4f\n", name, pad, "",
                st.final[field_index(offsetof(SimVmSample, mctlsz_mb))],
                st.final[field_index(offsetof(SimVmSample, shrdsvd_mb))],
                st.final[field_index(offsetof(SimVmSample, zip_mb))],
                st.final[field_index(offsetof(SimVmSample, swcur_mb))],
                st.mean[field_index(offsetof(SimVmSample, stall_pct))],
                st.mean[field_index(offsetof(SimVmSample, perf_index))]);
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
        fprintf(out, "%-5s  %4" G_GUINT64_FORMAT ":%02u:%02u  %6.1f%%\n", host_state_to_string((HostState)s),
                whole / 3600, (unsigned)(whole / 60 % 60), (unsigned)(whole % 60),
                total > 0 ? 100.0 * secs / total : 0.0);
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
    if (!sc->has_sla) {
        return;
    }
    SlaResult res = sla_evaluate(r, t);
    if (res.worst_vm < 0) {
        fprintf(out, "SLA perf index >= %.4f: met (no VMs)\n", sc->sla_perf_index);
        return;
    }
    fprintf(out, "SLA perf index >= %.4f: %s (worst VM %s, mean %.4f)\n", sc->sla_perf_index,
            res.all_met ? "met" : "NOT met", vm_name(r, (guint)res.worst_vm), res.worst_perf);
}

void sim_results_print_summary(const SimRecorder *recorder, const SimRunTotals *totals, FILE *out)
{
    g_return_if_fail(recorder != NULL && totals != NULL && out != NULL);
    g_return_if_fail(totals->n_vms == sim_recorder_n_vms(recorder));
    g_return_if_fail(totals->vms != NULL || totals->n_vms == 0);
    print_vm_table(recorder, totals, out);
    fputc('\n', out);
    print_state_table(totals, out);
    fputc('\n', out);
    print_reclaimed(totals, out);
    if (sim_recorder_scenario(recorder)->has_sla) {
        fputc('\n', out);
    }
    print_sla(recorder, totals, out);
}
