/* Reading a run directory back: host.csv, vms.csv and summary.json. */
#include "plots/rundata.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "sim/error.h"
#include "sim/load/csv.h"
#include "sim/load/readfile.h"

/* Every column name is a contract (docs/design.md section 5). */
static const char *const host_columns[PLOT_HOST_MAX] = {
    "time_s", "free_mb", "shrdsvd_mb", "zip_mb", "swcur_mb", "mctlsz_mb",
};
static const char *const vm_columns[PLOT_VM_MAX] = {
    "memsz_mb", "consumed_mb", "active_mb", "mctlsz_mb", "swcur_mb", "zip_mb",
    "zsaved_mb", "shrd_mb", "shrdsvd_mb", "stall_pct", "perf_index",
};

/* The widest row we accept; vms.csv has 24 columns today. */
#define CSV_MAX_FIELDS 256

/*
 * A run writes a vms.csv row for every VM at every sample, so its VM x time
 * matrix has as many cells as the file has rows. A file whose matrix would
 * be far larger (distinct VMs and times on every row: a few KiB of text
 * asking for gigabytes) is not a run's output; up to this many cells, or
 * twice the rows, are laid out.
 */
#define VM_MATRIX_MIN_CELLS 65536

/* A CSV file of the run in memory, read line by line (sim/load/csv.h). */
typedef struct Csv {
    char *path;  /* DIR/NAME, for messages */
    char *text;  /* the whole file, NUL-terminated, split in place by `csv` */
    SimCsv *csv; /* the reader; NULL when the file could not be read */
} Csv;

static void csv_clear(Csv *csv)
{
    sim_csv_free(csv->csv);
    g_free(csv->path);
    g_free(csv->text);
}

/* "PATH:LINE:COL: error: MESSAGE" at cell `cell` of the current line, or at its start (-1). */
#define csv_error(error, c, cell, ...)                                                            \
    sim_error_at((error), SIM_ERROR_PARSE, (c)->path, sim_csv_line((c)->csv),                     \
                 (cell) >= 0 ? sim_csv_col((c)->csv, (guint)(cell)) : 1, __VA_ARGS__)

/* Reads DIR/NAME whole: regular files only, bounded (sim/load/readfile.h), no NUL byte. */
static char *read_output(const char *path, GError **error)
{
    gsize len = 0;
    g_autoptr(GError) local = NULL;
    char *text = sim_read_file(path, SIM_READFILE_TRACE_MAX, SIM_READFILE_PLAIN, &len, &local);
    if (text == NULL) {
        sim_error_at(error, SIM_ERROR_VALUE, path, 0, 0, "cannot read the run output: %s",
                     local->message);
        return NULL;
    }
    guint line = 0, col = 0;
    if (sim_csv_find_nul(text, len, &line, &col)) {
        sim_error_at(error, SIM_ERROR_PARSE, path, line, col, "a NUL byte");
        g_free(text);
        return NULL;
    }
    return text;
}

/* Opens DIR/NAME: a run writes plain CSV, with at most CSV_MAX_FIELDS cells a line. */
static bool csv_open(Csv *csv, const char *dir, const char *name, GError **error)
{
    memset(csv, 0, sizeof *csv);
    csv->path = g_build_filename(dir, name, NULL);
    csv->text = read_output(csv->path, error);
    if (csv->text == NULL) {
        return false;
    }
    csv->csv = sim_csv_new(csv->path, csv->text, ',', SIM_CSV_PLAIN);
    sim_csv_set_max_cells(csv->csv, CSV_MAX_FIELDS);
    return true;
}

/* The next non-empty line: 1 with a line, 0 at the end of the file, -1 on error. */
static int csv_next(Csv *csv, GError **error)
{
    SimCsvStatus got = sim_csv_next(csv->csv, error);
    return got == SIM_CSV_LINE ? 1 : got == SIM_CSV_END ? 0 : -1;
}

/* Reads the header line. */
static bool csv_header(Csv *csv, GError **error)
{
    int got = csv_next(csv, error);
    if (got == 0) {
        csv_error(error, csv, -1, "empty file, expected a header line");
    }
    return got == 1;
}

/* Maps each wanted column name to its index in the header line. */
static bool csv_columns(Csv *csv, const char *const *names, guint n, int *index, GError **error)
{
    for (guint i = 0; i < n; i++) {
        index[i] = -1;
        for (guint f = 0; f < sim_csv_n_cells(csv->csv); f++) {
            if (strcmp(sim_csv_cell(csv->csv, f), names[i]) == 0) {
                index[i] = (int)f;
            }
        }
        if (index[i] < 0) {
            csv_error(error, csv, -1, "missing column \"%s\"", names[i]);
            return false;
        }
    }
    return true;
}

static bool csv_number(const Csv *csv, guint field, double *out, GError **error)
{
    const char *text = sim_csv_cell(csv->csv, field);
    char *end = NULL;
    double v = g_ascii_strtod(text, &end);
    if (*text == '\0' || *end != '\0' || !isfinite(v)) {
        g_autofree char *shown = sim_error_one_line(text);
        csv_error(error, csv, (int)field, "expected a number, got \"%s\"", shown);
        return false;
    }
    *out = v;
    return true;
}

static bool csv_row_width(const Csv *csv, guint expected, GError **error)
{
    guint n = sim_csv_n_cells(csv->csv);
    if (n != expected) {
        csv_error(error, csv, -1, "%u columns, the header has %u", n, expected);
        return false;
    }
    return true;
}

static bool load_host(PlotRunData *d, GError **error)
{
    Csv csv;
    int index[PLOT_HOST_MAX];
    bool ok = csv_open(&csv, d->dir, "host.csv", error) && csv_header(&csv, error) &&
              csv_columns(&csv, host_columns, PLOT_HOST_MAX, index, error);
    guint width = ok ? sim_csv_n_cells(csv.csv) : 0;
    GArray *rows = g_array_new(FALSE, FALSE, sizeof(double));
    int got = ok ? 1 : -1;
    while (got == 1 && (got = csv_next(&csv, error)) == 1) {
        got = csv_row_width(&csv, width, error) ? 1 : -1;
        for (guint c = 0; got == 1 && c < PLOT_HOST_MAX; c++) {
            double v = 0;
            got = csv_number(&csv, (guint)index[c], &v, error) ? 1 : -1;
            g_array_append_val(rows, v);
        }
    }
    if (got == 0 && rows->len == 0) {
        csv_error(error, &csv, -1, "no samples after the header");
        got = -1;
    }
    d->n_host = rows->len / PLOT_HOST_MAX;
    d->host = (double *)(void *)g_array_free(rows, FALSE);
    csv_clear(&csv);
    return got == 0;
}

/* One parsed line of vms.csv before the matrix is laid out. */
typedef struct VmRow {
    guint t;                  /* index into times */
    guint vm;                 /* index into names */
    double v[PLOT_VM_MAX];    /* the wanted columns */
} VmRow;

/* Parses the time and VM of one line; new VMs and times are appended. */
static bool vm_row_keys(const Csv *csv, int time_index, int vm_index, GHashTable *ids,
                        GPtrArray *names, GArray *times, VmRow *row, GError **error)
{
    double t = 0;
    if (!csv_number(csv, (guint)time_index, &t, error)) {
        return false;
    }
    if (times->len == 0 || t > g_array_index(times, double, times->len - 1)) {
        g_array_append_val(times, t);
    } else if (t < g_array_index(times, double, times->len - 1)) {
        csv_error(error, csv, time_index, "time_s goes backwards");
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
static bool matrix_fits(const Csv *csv, guint n_vms, guint n_times, guint n_rows, GError **error)
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
    Csv csv;
    static const char *const keys[] = {"time_s", "vm"};
    int key_index[2], index[PLOT_VM_MAX];
    bool ok = csv_open(&csv, d->dir, "vms.csv", error) && csv_header(&csv, error) &&
              csv_columns(&csv, keys, 2, key_index, error) &&
              csv_columns(&csv, vm_columns, PLOT_VM_MAX, index, error);
    guint width = ok ? sim_csv_n_cells(csv.csv) : 0;
    g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    GArray *times = g_array_new(FALSE, FALSE, sizeof(double));
    g_autoptr(GArray) rows = g_array_new(FALSE, FALSE, sizeof(VmRow));
    int got = ok ? 1 : -1;
    while (got == 1 && (got = csv_next(&csv, error)) == 1) {
        VmRow row;
        bool good = csv_row_width(&csv, width, error) &&
                    vm_row_keys(&csv, key_index[0], key_index[1], ids, names, times, &row, error);
        for (guint c = 0; good && c < PLOT_VM_MAX; c++) {
            good = csv_number(&csv, (guint)index[c], &row.v[c], error);
        }
        if (good) {
            g_array_append_val(rows, row);
        }
        got = good ? 1 : -1;
    }
    if (got == 0 && rows->len == 0) {
        csv_error(error, &csv, -1, "no samples after the header");
        got = -1;
    }
    if (got == 0 && !matrix_fits(&csv, names->len, times->len, rows->len, error)) {
        got = -1;
        g_ptr_array_set_size(names, 0); /* nothing to lay out */
        g_array_set_size(times, 0);
        g_array_set_size(rows, 0);
    }
    vm_matrix(d, rows, names, times);
    csv_clear(&csv);
    return got == 0;
}

/* The summary keys the plots and the report cannot do without. */
static bool load_summary(PlotRunData *d, GError **error)
{
    g_autofree char *path = g_build_filename(d->dir, "summary.json", NULL);
    g_autofree char *text = read_output(path, error);
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
