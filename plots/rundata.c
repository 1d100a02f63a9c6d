/* Reading a run directory back: host.csv, vms.csv and summary.json. */
#include "plots/rundata.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "plots/runcsv.h"
#include "sim/error.h"
#include "sim/load/csv.h"

/* Every column name is a contract (docs/design.md section 5). */
static const char *const host_columns[PLOT_HOST_MAX] = {
    "time_s", "free_mb", "shrdsvd_mb", "zip_mb", "swcur_mb", "mctlsz_mb",
};
static const char *const vm_columns[PLOT_VM_MAX] = {
    "memsz_mb", "consumed_mb", "active_mb", "mctlsz_mb", "swcur_mb", "zip_mb",
    "zsaved_mb", "shrd_mb", "shrdsvd_mb", "stall_pct", "perf_index",
};

/*
 * A run writes a vms.csv row for every VM at every sample, so its VM x time
 * matrix has as many cells as the file has rows. A file whose matrix would
 * be far larger (distinct VMs and times on every row: a few KiB of text
 * asking for gigabytes) is not a run's output; up to this many cells, or
 * twice the rows, are laid out.
 */
#define VM_MATRIX_MIN_CELLS 65536

static bool load_host(PlotRunData *d, GError **error)
{
    PlotCsv csv;
    int index[PLOT_HOST_MAX];
    bool ok = plot_csv_open(&csv, d->dir, "host.csv", error) && plot_csv_header(&csv, error) &&
              plot_csv_columns(&csv, host_columns, PLOT_HOST_MAX, index, error);
    guint width = ok ? sim_csv_n_cells(csv.csv) : 0;
    GArray *rows = g_array_new(FALSE, FALSE, sizeof(double));
    int got = ok ? 1 : -1;
    while (got == 1 && (got = plot_csv_next(&csv, error)) == 1) {
        got = plot_csv_row_width(&csv, width, error) ? 1 : -1;
        for (guint c = 0; got == 1 && c < PLOT_HOST_MAX; c++) {
            double v = 0;
            got = plot_csv_number(&csv, (guint)index[c], &v, error) ? 1 : -1;
            g_array_append_val(rows, v);
        }
    }
    if (got == 0 && rows->len == 0) {
        plot_csv_error(error, &csv, -1, "no samples after the header");
        got = -1;
    }
    d->n_host = rows->len / PLOT_HOST_MAX;
    d->host = (double *)(void *)g_array_free(rows, FALSE);
    plot_csv_clear(&csv);
    return got == 0;
}

/* One parsed line of vms.csv before the matrix is laid out. */
typedef struct VmRow {
    guint t;                  /* index into times */
    guint vm;                 /* index into names */
    double v[PLOT_VM_MAX];    /* the wanted columns */
} VmRow;

/* Parses the time and VM of one line; new VMs and times are appended. */
static bool vm_row_keys(const PlotCsv *csv, int time_index, int vm_index, GHashTable *ids,
                        GPtrArray *names, GArray *times, VmRow *row, GError **error)
{
    double t = 0;
    if (!plot_csv_number(csv, (guint)time_index, &t, error)) {
        return false;
    }
    if (times->len == 0 || t > g_array_index(times, double, times->len - 1)) {
        g_array_append_val(times, t);
    } else if (t < g_array_index(times, double, times->len - 1)) {
        plot_csv_error(error, csv, time_index, "time_s goes backwards");
        return false;
    }
    row->t = times->len - 1;
    const char *name = sim_csv_cell(csv->csv, (guint)vm_index);
    gpointer id = NULL;
    if (!g_hash_table_lookup_extended(ids, name, NULL, &id)) {
        id = GUINT_TO_POINTER(names->len);
        g_ptr_array_add(names, g_strdup(name));
        g_hash_table_insert(ids, g_strdup(name), id);
    }
    row->vm = GPOINTER_TO_UINT(id);
    return true;
}

/* Lays the rows out as [vm][time][column]; a VM without a row at a time is NaN. */
static void vm_matrix(PlotRunData *d, GArray *rows, GPtrArray *names, GArray *times)
{
    d->n_vms = names->len;
    d->n_times = times->len;
    g_ptr_array_add(names, NULL);
    d->vm_names = (char **)g_ptr_array_free(names, FALSE);
    d->times = (double *)(void *)g_array_free(times, FALSE);
    gsize n = (gsize)d->n_vms * d->n_times * PLOT_VM_MAX;
    d->vm = g_new(double, n);
    for (gsize i = 0; i < n; i++) {
        d->vm[i] = NAN;
    }
    for (guint r = 0; r < rows->len; r++) {
        const VmRow *row = &g_array_index(rows, VmRow, r);
        memcpy(&d->vm[((gsize)row->vm * d->n_times + row->t) * PLOT_VM_MAX], row->v,
               sizeof row->v);
    }
}

/* Whether the VM x time matrix stays within VM_MATRIX_MIN_CELLS or twice the rows. */
static bool matrix_fits(const PlotCsv *csv, guint n_vms, guint n_times, guint n_rows, GError **error)
{
    if ((gsize)n_vms * n_times <= MAX((gsize)VM_MATRIX_MIN_CELLS, 2 * (gsize)n_rows)) {
        return true;
    }
    return sim_error_at(error, SIM_ERROR_VALUE, csv->path, 0, 0,
                        "%u VMs at %u times in %u rows: not the output of a run (which has a row "
                        "for every VM at every time)",
                        n_vms, n_times, n_rows);
}

static bool load_vms(PlotRunData *d, GError **error)
{
    PlotCsv csv;
    static const char *const keys[] = {"time_s", "vm"};
    int key_index[2], index[PLOT_VM_MAX];
    bool ok = plot_csv_open(&csv, d->dir, "vms.csv", error) && plot_csv_header(&csv, error) &&
              plot_csv_columns(&csv, keys, 2, key_index, error) &&
              plot_csv_columns(&csv, vm_columns, PLOT_VM_MAX, index, error);
    guint width = ok ? sim_csv_n_cells(csv.csv) : 0;
    g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GArray *times = g_array_new(FALSE, FALSE, sizeof(double));
    g_autoptr(GArray) rows = g_array_new(FALSE, FALSE, sizeof(VmRow));
    int got = ok ? 1 : -1;
    while (got == 1 && (got = plot_csv_next(&csv, error)) == 1) {
        VmRow row;
        bool good = plot_csv_row_width(&csv, width, error) &&
                    vm_row_keys(&csv, key_index[0], key_index[1], ids, names, times, &row, error);
        for (guint c = 0; good && c < PLOT_VM_MAX; c++) {
            good = plot_csv_number(&csv, (guint)index[c], &row.v[c], error);
        }
        if (good) {
            g_array_append_val(rows, row);
        }
        got = good ? 1 : -1;
    }
    if (got == 0 && rows->len == 0) {
        plot_csv_error(error, &csv, -1, "no samples after the header");
        got = -1;
    }
    if (got == 0 && !matrix_fits(&csv, names->len, times->len, rows->len, error)) {
        got = -1;
        g_ptr_array_set_size(names, 0); /* nothing to lay out */
        g_array_set_size(times, 0);
        g_array_set_size(rows, 0);
    }
    vm_matrix(d, rows, names, times);
    plot_csv_clear(&csv);
    return got == 0;
}

/* The summary keys the plots and the report cannot do without. */
static bool load_summary(PlotRunData *d, GError **error)
{
    g_autofree char *path = g_build_filename(d->dir, "summary.json", NULL);
    g_autofree char *text = plot_csv_read_output(path, error);
    if (text == NULL) {
        return false;
    }
    json_error_t jerr;
    d->summary = json_loads(text, 0, &jerr);
    if (d->summary == NULL) {
        g_autofree char *shown = sim_error_one_line(jerr.text); /* jansson quotes the bad bytes */
        g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE, "%s:%d:%d: error: %s", path, jerr.line,
                    jerr.column, shown);
        return false;
    }
    static const char *const thresholds[] = {"high", "clear", "soft", "hard", "low"};
    for (guint i = 0; i < G_N_ELEMENTS(thresholds); i++) {
        double v = plot_rundata_summary_number(d, "host", "thresholds_mb", thresholds[i], NULL);
        if (!(v > 0)) {
            return sim_error_at(error, SIM_ERROR_VALUE, path, 0, 0,
                                "expected a positive number at /host/thresholds_mb/%s",
                                thresholds[i]);
        }
    }
    if (!json_is_array(json_object_get(d->summary, "vms"))) {
        return sim_error_at(error, SIM_ERROR_VALUE, path, 0, 0, "expected an array at /vms");
    }
    return true;
}

PlotRunData *plot_rundata_load(const char *dir, GError **error)
{
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        sim_error_at(error, SIM_ERROR_USAGE, dir, 0, 0,
                     "no such directory (expected the output directory of a run)");
        return NULL;
    }
    g_autoptr(PlotRunData) d = g_new0(PlotRunData, 1);
    d->dir = g_strdup(dir);
    if (!load_host(d, error) || !load_vms(d, error) || !load_summary(d, error)) {
        return NULL;
    }
    return g_steal_pointer(&d);
}

void plot_rundata_free(PlotRunData *d)
{
    if (d == NULL) {
        return;
    }
    g_free(d->dir);
    g_free(d->host);
    g_strfreev(d->vm_names);
    g_free(d->times);
    g_free(d->vm);
    json_decref(d->summary);
    g_free(d);
}

double plot_rundata_summary_number(const PlotRunData *d, ...)
{
    va_list ap;
    va_start(ap, d);
    json_t *node = d->summary;
    for (const char *key = va_arg(ap, const char *); key != NULL; key = va_arg(ap, const char *)) {
        node = json_object_get(node, key); /* NULL-safe: a missing level stays NULL */
    }
    va_end(ap);
    return json_is_number(node) ? json_number_value(node) : NAN;
}

double plot_rundata_sla(const PlotRunData *d)
{
    return plot_rundata_summary_number(d, "sla", "perf_index", NULL);
}
