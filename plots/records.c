/* A run's records for explain: see plots/records.h. */
#include "plots/records.h"

#include <math.h>
#include <string.h>

#include "plots/runcsv.h"

static const char *const rec_columns[PLOT_REC_MAX] = {
    "sztgt_mb", "mctltgt_mb", "mctlmax_mb", "swtgt_mb", "guest_swap_mb",
};

/* The index of state `raw` in r->state_names, added when new; `ids` maps
 * the names to their index, so a file with a new state on every row stays
 * O(rows). */
static guint state_index(PlotRecords *r, GHashTable *ids, const char *raw)
{
    /* valid UTF-8: state names go into explain's JSON keys and text */
    g_autofree char *name = g_utf8_make_valid(raw, -1);
    gpointer id = NULL;
    if (g_hash_table_lookup_extended(ids, name, NULL, &id)) {
        return GPOINTER_TO_UINT(id);
    }
    g_hash_table_insert(ids, g_strdup(name), GUINT_TO_POINTER(r->state_names->len));
    g_ptr_array_add(r->state_names, g_steal_pointer(&name));
    return r->state_names->len - 1;
}

/* host.csv's state column, row by row: plot_rundata_load read the same rows. */
static bool load_states(PlotRecords *r, GError **error)
{
    PlotCsv csv;
    static const char *const keys[] = {"state"};
    int index = -1;
    bool ok = plot_csv_open(&csv, r->run->dir, "host.csv", error) &&
              plot_csv_header(&csv, error) && plot_csv_columns(&csv, keys, 1, &index, error);
    r->host_state = g_new0(guint, r->run->n_host);
    g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint row = 0, width = ok ? sim_csv_n_cells(csv.csv) : 0;
    int got = ok ? 1 : -1;
    while (got == 1 && (got = plot_csv_next(&csv, error)) == 1) {
        if (!plot_csv_row_width(&csv, width, error)) {
            got = -1;
            break;
        }
        const char *name = sim_csv_cell(csv.csv, (guint)index);
        if (row >= r->run->n_host || *name == '\0') {
            plot_csv_error(error, &csv, index, "%s", row >= r->run->n_host
                                                       ? "the file changed while it was read"
                                                       : "empty state");
            got = -1;
        } else {
            r->host_state[row++] = state_index(r, ids, name);
        }
    }
    plot_csv_clear(&csv);
    return got == 0;
}

int plot_records_vm(const PlotRecords *r, const char *name)
{
    return (int)GPOINTER_TO_UINT(g_hash_table_lookup(r->vm_ids, name)) - 1;
}

/* The name tables: rundata's VMs and summary.json's entries, by name (the
 * first entry of a name wins). */
static void index_vms(PlotRecords *r)
{
    const PlotRunData *d = r->run;
    r->vm_ids = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint v = 0; v < d->n_vms; v++) {
        g_hash_table_insert(r->vm_ids, d->vm_names[v], GUINT_TO_POINTER(v + 1));
    }
    r->summary_vms = g_hash_table_new(g_str_hash, g_str_equal);
    json_t *vms = json_object_get(d->summary, "vms");
    for (size_t i = json_array_size(vms); i-- > 0;) {
        json_t *vm = json_array_get(vms, i);
        const char *name = json_string_value(json_object_get(vm, "name"));
        if (name != NULL) {
            g_hash_table_insert(r->summary_vms, (gpointer)name, vm);
        }
    }
}

/* Places one vms.csv row's extra columns; `t` follows the rows' ascending times. */
static bool place_row(PlotRecords *r, const PlotCsv *csv, const int *keys, const int *index,
                      guint *t, GError **error)
{
    const PlotRunData *d = r->run;
    double time = 0;
    if (!plot_csv_number(csv, (guint)keys[0], &time, error)) {
        return false;
    }
    while (*t < d->n_times && d->times[*t] < time) {
        (*t)++;
    }
    int vm = plot_records_vm(r, sim_csv_cell(csv->csv, (guint)keys[1]));
    if (*t >= d->n_times || d->times[*t] != time || vm < 0) {
        return plot_csv_error(error, csv, -1, "the file changed while it was read");
    }
    double *cell = &r->extra[((gsize)vm * d->n_times + *t) * PLOT_REC_MAX];
    for (guint c = 0; c < PLOT_REC_MAX; c++) {
        if (!plot_csv_number(csv, (guint)index[c], &cell[c], error)) {
            return false;
        }
    }
    return true;
}

static bool load_extra(PlotRecords *r, GError **error)
{
    PlotCsv csv;
    static const char *const keys[] = {"time_s", "vm"};
    int key_index[2], index[PLOT_REC_MAX];
    bool ok = plot_csv_open(&csv, r->run->dir, "vms.csv", error) &&
              plot_csv_header(&csv, error) && plot_csv_columns(&csv, keys, 2, key_index, error) &&
              plot_csv_columns(&csv, rec_columns, PLOT_REC_MAX, index, error);
    gsize n = (gsize)r->run->n_vms * r->run->n_times * PLOT_REC_MAX;
    r->extra = g_new(double, n);
    for (gsize i = 0; i < n; i++) {
        r->extra[i] = NAN;
    }
    guint t = 0, width = ok ? sim_csv_n_cells(csv.csv) : 0;
    int got = ok ? 1 : -1;
    while (got == 1 && (got = plot_csv_next(&csv, error)) == 1) {
        got = plot_csv_row_width(&csv, width, error) &&
                      place_row(r, &csv, key_index, index, &t, error)
                  ? 1
                  : -1;
    }
    plot_csv_clear(&csv);
    return got == 0;
}

PlotRecords *plot_records_load(const char *dir, GError **error)
{
    g_autoptr(PlotRecords) r = g_new0(PlotRecords, 1);
    r->state_names = g_ptr_array_new_with_free_func(g_free);
    r->run = plot_rundata_load(dir, error);
    if (r->run == NULL) {
        return NULL;
    }
    index_vms(r);
    if (!load_states(r, error) || !load_extra(r, error)) {
        return NULL;
    }
    return g_steal_pointer(&r);
}

void plot_records_free(PlotRecords *r)
{
    if (r == NULL) {
        return;
    }
    if (r->vm_ids != NULL) {
        g_hash_table_unref(r->vm_ids); /* keys borrowed from run: freed first */
        g_hash_table_unref(r->summary_vms);
    }
    plot_rundata_free(r->run);
    g_free(r->host_state);
    if (r->state_names != NULL) {
        g_ptr_array_unref(r->state_names);
    }
    g_free(r->extra);
    g_free(r);
}
