/* A run's records for explain: see plots/records.h. */
#include "plots/records.h"

#include <math.h>
#include <string.h>

#include "plots/runcsv.h"

static const char *const rec_columns[PLOT_REC_MAX] = {
    "sztgt_mb", "mctltgt_mb", "mctlmax_mb", "swtgt_mb", "guest_swap_mb",
};

/* The index of state `name` in r->state_names, added when new. A run
 * writes a handful of states; the list is searched in O(states). */
static guint state_index(PlotRecords *r, const char *name)
{
    for (guint i = 0; i < r->state_names->len; i++) {
        if (strcmp(g_ptr_array_index(r->state_names, i), name) == 0) {
            return i;
        }
    }
    g_ptr_array_add(r->state_names, g_strdup(name));
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
            r->host_state[row++] = state_index(r, name);
        }
    }
    plot_csv_clear(&csv);
    return got == 0;
}

/* The VM index of `name` among the run's VMs, -1 when rundata did not see it. */
static int vm_index(const PlotRunData *d, const char *name)
{
    for (guint v = 0; v < d->n_vms; v++) {
        if (strcmp(d->vm_names[v], name) == 0) {
            return (int)v;
        }
    }
    return -1;
}

/* Places one vms.csv row's extra columns; `t` follows the rows' ascending times.
 * O(VMs) per row for the name: explain runs once on a finished run. */
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
    int vm = vm_index(d, sim_csv_cell(csv->csv, (guint)keys[1]));
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
    if (r->run == NULL || !load_states(r, error) || !load_extra(r, error)) {
        return NULL;
    }
    return g_steal_pointer(&r);
}

void plot_records_free(PlotRecords *r)
{
    if (r == NULL) {
        return;
    }
    plot_rundata_free(r->run);
    g_free(r->host_state);
    if (r->state_names != NULL) {
        g_ptr_array_unref(r->state_names);
    }
    g_free(r->extra);
    g_free(r);
}
