/* Reading a sweep's database back for its plots and report (see sweepdata.h). */
#include "plots/sweepdata.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "plots/gnuplot.h"
#include "plots/sweepplot.h"
#include "sim/error.h"
#include "sim/out/sweepdb.h"

/* How long a read waits for the lock of a sweep writing meanwhile, ms. */
#define BUSY_TIMEOUT_MS 10000

static const char *const fig_columns[PLOT_SWEEP_FIG_MAX] = {
    "perf_index_mean",  "perf_index_worst", "below_sla_vm_s",     "below_sla_worst_s",
    "stall_pct_mean",   "peak_balloon_mb",  "peak_shared_mb",     "peak_compressed_mb",
    "peak_swapped_mb",
};

const char *plot_sweep_fig_column(PlotSweepFig fig)
{
    return fig_columns[fig];
}

double plot_sweep_stat_mean(const PlotSweepStat *s)
{
    return s->n > 0 ? s->sum / s->n : NAN;
}

static void stat_add(PlotSweepStat *s, double v)
{
    if (isnan(v)) {
        return;
    }
    s->min = s->n == 0 ? v : MIN(s->min, v);
    s->max = s->n == 0 ? v : MAX(s->max, v);
    s->sum += v;
    s->n++;
}

static char *db_path(const char *dir)
{
    return g_build_filename(dir, SIM_SWEEP_DB_NAME, NULL);
}

bool plot_sweep_is_dir(const char *dir)
{
    g_autofree char *path = db_path(dir);
    return g_file_test(path, G_FILE_TEST_IS_REGULAR);
}

/* ---- the `sweep` table and the grid ---- */

typedef struct Reader {
    PlotSweepData *d;
    sqlite3 *db;
    char *shown; /* DIR/sweep.sqlite, for messages */
    GHashTable *meta;
} Reader;

static bool read_fail(Reader *r, GError **error)
{
    return sim_error_at(error, SIM_ERROR_IO, r->shown, 0, 0, "cannot read: %s",
                        r->db != NULL ? sqlite3_errmsg(r->db) : "out of memory");
}

static bool foreign(Reader *r, GError **error, const char *why)
{
    return sim_error_at(error, SIM_ERROR_USAGE, r->shown, 0, 0,
                        "is not a sweep database this reclaimsim reads (%s)", why);
}

static bool read_meta(Reader *r, GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT name, value FROM sweep", -1, &st, NULL) != SQLITE_OK) {
        return foreign(r, error, sqlite3_errmsg(r->db));
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        g_hash_table_insert(r->meta, g_strdup((const char *)sqlite3_column_text(st, 0)),
                            g_strdup((const char *)sqlite3_column_text(st, 1)));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        return read_fail(r, error);
    }
    const char *format = g_hash_table_lookup(r->meta, "format");
    if (format == NULL || strcmp(format, SIM_SWEEP_DB_FORMAT) != 0) {
        g_autofree char *why = g_strdup_printf("format %s, not " SIM_SWEEP_DB_FORMAT,
                                               format != NULL ? format : "missing");
        return foreign(r, error, why);
    }
    return g_hash_table_lookup(r->meta, "grid") != NULL || foreign(r, error, "no grid");
}

static const char *meta(const Reader *r, const char *name)
{
    return g_hash_table_lookup(r->meta, name);
}

/* The grid again from its JSON: each vary from its argument as given. */
static bool rebuild_grid(Reader *r, GError **error)
{
    json_t *root = json_loads(meta(r, "grid"), 0, NULL);
    json_t *varies = json_object_get(root, "vary"), *policies = json_object_get(root, "policies");
    json_t *seeds = json_object_get(root, "seeds");
    bool ok = json_is_array(varies) && json_is_integer(seeds) && json_integer_value(seeds) >= 0 &&
              (json_is_null(policies) || json_is_array(policies));
    r->d->grid = sim_grid_new();
    for (size_t i = 0; ok && i < json_array_size(varies); i++) {
        json_t *v = json_array_get(varies, i);
        const char *key = json_string_value(json_object_get(v, "key"));
        const char *given = json_string_value(json_object_get(v, "given"));
        g_autofree char *arg =
            key != NULL && given != NULL ? g_strdup_printf("%s=%s", key, given) : NULL;
        ok = arg != NULL && sim_grid_add_vary(r->d->grid, arg, NULL);
    }
    g_autoptr(GStrvBuilder) names = g_strv_builder_new();
    for (size_t i = 0; ok && i < json_array_size(policies); i++) {
        const char *p = json_string_value(json_array_get(policies, i));
        ok = p != NULL;
        g_strv_builder_add(names, p != NULL ? p : "");
    }
    g_auto(GStrv) list = g_strv_builder_end(names);
    if (ok && json_is_array(policies)) {
        sim_grid_set_policies(r->d->grid, (const char *const *)list);
    }
    if (ok) {
        sim_grid_set_seeds(r->d->grid, (guint)json_integer_value(seeds));
    }
    g_autofree char *again = ok ? sim_grid_describe(r->d->grid) : NULL;
    ok = ok && sim_grid_check(r->d->grid, NULL, NULL) && strcmp(again, meta(r, "grid")) == 0;
    json_decref(root);
    return ok || foreign(r, error, "its grid does not parse");
}

/* ---- the dimensions ---- */

double plot_sweep_duration_scale(double max_s, const char **unit)
{
    *unit = max_s >= 7200 ? "h" : max_s >= 600 ? "min" : "s";
    return max_s >= 7200 ? 3600 : max_s >= 600 ? 60 : 1;
}

static void axis_unit(const SimGrid *g, PlotSweepAxis *a)
{
    double max = 0;
    for (guint i = 0; i < a->n; i++) {
        max = MAX(max, fabs(sim_grid_vary_number(g, a->vary, i)));
    }
    a->scale = 1;
    switch (sim_grid_vary_kind(g, a->vary)) {
    case SIM_VARY_SIZE:
        a->scale = plot_unit_scale(max, &a->unit);
        break;
    case SIM_VARY_DURATION:
        a->scale = plot_sweep_duration_scale(max, &a->unit);
        break;
    case SIM_VARY_PERCENT:
        a->unit = "%";
        break;
    default:
        break;
    }
    a->numeric = sim_grid_vary_kind(g, a->vary) != SIM_VARY_TEXT;
    const char *key = sim_grid_vary_key(g, a->vary);
    a->label = a->unit != NULL ? g_strdup_printf("%s (%s)", key, a->unit) : g_strdup(key);
}

/* The keys with more than one value, and how many slices the maps show. */
static void find_dims(PlotSweepData *d)
{
    const SimGrid *g = d->grid;
    d->dims = g_new0(PlotSweepAxis, MAX(sim_grid_n_varies(g), 1));
    for (guint i = 0; i < sim_grid_n_varies(g); i++) {
        if (sim_grid_vary_n_values(g, i) > 1) {
            PlotSweepAxis *a = &d->dims[d->n_dims++];
            a->vary = i;
            a->n = sim_grid_vary_n_values(g, i);
            axis_unit(g, a);
        }
    }
    d->n_slices = 1;
    for (guint i = 2; i < d->n_dims; i++) {
        d->n_slices *= d->dims[i].n;
    }
    /* two maps (performance, SLA) per policy and slice */
    guint64 fit = MAX(1, PLOT_SWEEP_MAPS_MAX / (2 * d->n_series));
    d->slices_shown = d->n_dims > 2 ? MIN(d->n_slices, fit) : 1;
}

guint plot_sweep_dim_n(const PlotSweepData *d, guint dim)
{
    return dim < d->n_dims ? d->dims[dim].n : 1;
}

static gsize cell_index(const PlotSweepData *d, guint64 slice, guint series, guint i0, guint i1)
{
    return ((slice * d->n_series + series) * plot_sweep_dim_n(d, 0) + i0) *
               plot_sweep_dim_n(d, 1) +
           i1;
}

const PlotSweepCell *plot_sweep_cell(const PlotSweepData *d, guint64 slice, guint series,
                                     guint i0, guint i1)
{
    return &d->cells[cell_index(d, slice, series, i0, i1)];
}

double plot_sweep_axis_x(const PlotSweepData *d, const PlotSweepAxis *a, guint index)
{
    return a->numeric ? sim_grid_vary_number(d->grid, a->vary, index) / a->scale : index;
}

char *plot_sweep_axis_label(const PlotSweepData *d, const PlotSweepAxis *a, guint index)
{
    if (!a->numeric) {
        return g_strdup(sim_grid_vary_value(d->grid, a->vary, index));
    }
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    return g_strdup(g_ascii_formatd(buf, sizeof buf, "%g", plot_sweep_axis_x(d, a, index)));
}

/* The slice of a point: its values of dimensions 2, 3, ... as one number,
 * the first of them changing slowest (grid order). */
static guint64 slice_of(const PlotSweepData *d, const guint *value)
{
    guint64 s = 0;
    for (guint i = 2; i < d->n_dims; i++) {
        s = s * d->dims[i].n + value[d->dims[i].vary];
    }
    return s;
}

char *plot_sweep_slice_text(const PlotSweepData *d, guint64 slice)
{
    GString *s = g_string_new(NULL);
    for (guint i = d->n_dims; i-- > 2;) {
        guint index = (guint)(slice % d->dims[i].n);
        slice /= d->dims[i].n;
        g_autofree char *one = g_strdup_printf("%s=%s", sim_grid_vary_key(d->grid, d->dims[i].vary),
                                               sim_grid_vary_value(d->grid, d->dims[i].vary, index));
        g_string_prepend(s, one);
        if (i > 2) {
            g_string_prepend(s, ", ");
        }
    }
    return g_string_free(s, FALSE);
}

/* ---- the points ---- */

static char *column_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return sqlite3_column_type(st, col) == SQLITE_NULL || t == NULL ? NULL
                                                                     : g_strdup((const char *)t);
}

static void row_free(gpointer p)
{
    PlotSweepRow *row = p;
    g_free(row->policy);
    g_free(row->seed);
    g_free(row->error);
    g_free(row);
}

/* Columns of the SELECT: id, status, policy, seed, error, sla_met, the figures. */
#define COL_FIG 6

static PlotSweepRow *row_read(sqlite3_stmt *st)
{
    PlotSweepRow *row = g_new0(PlotSweepRow, 1);
    row->id = (guint64)sqlite3_column_int64(st, 0);
    row->ok = g_strcmp0((const char *)sqlite3_column_text(st, 1), "ok") == 0;
    row->policy = column_text(st, 2);
    row->seed = column_text(st, 3);
    row->error = column_text(st, 4);
    row->sla_met = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 5);
    for (int f = 0; f < PLOT_SWEEP_FIG_MAX; f++) {
        row->fig[f] = sqlite3_column_type(st, COL_FIG + f) == SQLITE_NULL
                          ? NAN
                          : sqlite3_column_double(st, COL_FIG + f);
    }
    return row;
}

/* Adds a point to its cell when its slice is drawn. */
static void cell_add(PlotSweepData *d, const PlotSweepRow *row, guint *value)
{
    SimGridPoint p = {.value = value};
    sim_grid_point(d->grid, row->id, &p);
    guint series = (guint)(row->id / d->n_seeds % d->n_series);
    guint64 slice = slice_of(d, value);
    if (slice >= d->slices_shown) {
        return;
    }
    guint i0 = d->n_dims > 0 ? value[d->dims[0].vary] : 0;
    guint i1 = d->n_dims > 1 ? value[d->dims[1].vary] : 0;
    PlotSweepCell *c = &d->cells[cell_index(d, slice, series, i0, i1)];
    if (!row->ok) {
        c->failed++;
        return;
    }
    c->ok++;
    c->sla_n += row->sla_met >= 0;
    c->sla_met += row->sla_met == 1;
    for (int f = 0; f < PLOT_SWEEP_FIG_MAX; f++) {
        stat_add(&c->fig[f], row->fig[f]);
    }
}

/* Without --policies the one line is named by the points' policy when they share it. */
typedef struct SeriesName {
    char *name;
    bool mixed;
} SeriesName;

static void keep_row(PlotSweepData *d, PlotSweepRow *row, SeriesName *one)
{
    if (row->ok && row->policy != NULL && !one->mixed) {
        one->mixed = one->name != NULL && strcmp(one->name, row->policy) != 0;
        if (one->name == NULL) {
            one->name = g_strdup(row->policy);
        }
    }
    if (!row->ok && d->errors->len < PLOT_SWEEP_ERRORS_MAX) {
        g_ptr_array_add(d->errors, row);
        if (d->table->len < PLOT_SWEEP_TABLE_MAX) {
            PlotSweepRow *copy = g_memdup2(row, sizeof *row);
            copy->policy = g_strdup(row->policy);
            copy->seed = g_strdup(row->seed);
            copy->error = g_strdup(row->error);
            g_ptr_array_add(d->table, copy);
        }
    } else if (d->table->len < PLOT_SWEEP_TABLE_MAX) {
        g_ptr_array_add(d->table, row);
    } else {
        row_free(row);
    }
}

static void name_series(PlotSweepData *d, const SeriesName *one)
{
    d->series = g_new0(char *, d->n_series + 1);
    if (sim_grid_n_policies(d->grid) > 0) {
        g_autofree guint *value = g_new0(guint, MAX(sim_grid_n_varies(d->grid), 1));
        for (guint i = 0; i < d->n_series; i++) {
            SimGridPoint p = {.value = value};
            sim_grid_point(d->grid, (guint64)i * d->n_seeds, &p);
            d->series[i] = g_strdup(p.policy);
        }
        d->series_named = true;
    } else {
        d->series_named = one->name != NULL && !one->mixed;
        d->series[0] = g_strdup(one->name != NULL && !one->mixed ? one->name
                                : one->mixed                     ? "each point's policy"
                                                                 : "the scenario's policy");
    }
}

static bool read_points(Reader *r, GError **error)
{
    PlotSweepData *d = r->d;
    GString *sql = g_string_new("SELECT id, status, policy, seed, error, sla_met");
    for (int f = 0; f < PLOT_SWEEP_FIG_MAX; f++) {
        g_string_append_printf(sql, ", %s", fig_columns[f]);
    }
    g_string_append(sql, " FROM points ORDER BY id");
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(r->db, sql->str, -1, &st, NULL);
    g_string_free(sql, TRUE);
    if (rc != SQLITE_OK) {
        return foreign(r, error, sqlite3_errmsg(r->db));
    }
    g_autofree guint *value = g_new0(guint, MAX(sim_grid_n_varies(d->grid), 1));
    SeriesName one = {NULL, false};
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        PlotSweepRow *row = row_read(st);
        if (row->id >= d->n_points) { /* not a point of this grid: not this sweep's */
            row_free(row);
            continue;
        }
        d->n_rows++;
        d->n_ok += row->ok;
        d->n_failed += !row->ok;
        cell_add(d, row, value);
        keep_row(d, row, &one);
    }
    sqlite3_finalize(st);
    name_series(d, &one);
    g_free(one.name);
    return rc == SQLITE_DONE || read_fail(r, error);
}

/* ---- the whole ---- */

/* The scenario's name: the `name` row, else the file's name without .json. */
static char *scenario_name(const Reader *r)
{
    const char *name = meta(r, "name");
    const char *path = meta(r, "scenario");
    if (name != NULL && *name != '\0') {
        return g_strdup(name);
    }
    if (path == NULL || strcmp(path, "<built-in>") == 0) {
        return g_strdup("default");
    }
    g_autofree char *base = g_path_get_basename(path);
    return g_str_has_suffix(base, ".json") ? g_strndup(base, strlen(base) - 5)
                                           : g_steal_pointer(&base);
}

/* The SLA of the first point, unless a vary changes it from point to point. */
static double sweep_sla(const Reader *r)
{
    const char *text = meta(r, "sla_perf_index");
    char *end = NULL;
    double sla = text != NULL ? g_ascii_strtod(text, &end) : NAN;
    for (guint i = 0; i < sim_grid_n_varies(r->d->grid); i++) {
        const char *key = sim_grid_vary_key(r->d->grid, i);
        if (strcmp(key, "sla") == 0 || g_str_has_prefix(key, "sla.")) {
            return NAN;
        }
    }
    return end != NULL && *end == '\0' && end != text ? sla : NAN;
}

static void fill_head(Reader *r)
{
    PlotSweepData *d = r->d;
    d->name = scenario_name(r);
    d->scenario = g_strdup(meta(r, "scenario"));
    d->command = g_strdup(meta(r, "command"));
    d->sets = g_strdup(meta(r, "sets"));
    d->sla = sweep_sla(r);
    d->n_points = sim_grid_n_points(d->grid);
    d->n_seeds = MAX(sim_grid_n_seeds(d->grid), 1);
    d->n_series = MAX(sim_grid_n_policies(d->grid), 1);
    find_dims(d);
    d->cells = g_new0(PlotSweepCell, d->slices_shown * d->n_series * plot_sweep_dim_n(d, 0) *
                                         plot_sweep_dim_n(d, 1));
}

static bool open_db(Reader *r, const char *path, GError **error)
{
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        return sim_error_at(error, SIM_ERROR_USAGE, r->d->dir, 0, 0,
                            "holds no " SIM_SWEEP_DB_NAME " (expected the output directory of a "
                            "sweep)");
    }
    /* Read-write, queries only: the last connection to a database in WAL
     * mode removes its -wal and -shm files on closing, unless it is a
     * read-only one, which would leave them in DIR (read-only it is when
     * the file may not be written). */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW;
    if (sqlite3_open_v2(path, &r->db, flags, NULL) != SQLITE_OK) {
        sqlite3_close(r->db);
        r->db = NULL;
        flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW;
        if (sqlite3_open_v2(path, &r->db, flags, NULL) != SQLITE_OK) {
            return read_fail(r, error);
        }
    }
    if (sqlite3_exec(r->db, "PRAGMA query_only = 1", NULL, NULL, NULL) != SQLITE_OK) {
        return read_fail(r, error);
    }
    sqlite3_busy_timeout(r->db, BUSY_TIMEOUT_MS);
    return true;
}

PlotSweepData *plot_sweep_data_load(const char *dir, GError **error)
{
    g_autoptr(PlotSweepData) d = g_new0(PlotSweepData, 1);
    d->dir = g_strdup(dir);
    d->table = g_ptr_array_new_with_free_func(row_free);
    d->errors = g_ptr_array_new_with_free_func(row_free);
    g_autofree char *path = db_path(dir);
    Reader r = {.d = d, .shown = path, .meta = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                                      g_free, g_free)};
    bool ok = open_db(&r, path, error) && read_meta(&r, error) && rebuild_grid(&r, error);
    if (ok) {
        fill_head(&r);
        ok = read_points(&r, error);
    }
    sqlite3_close(r.db);
    g_hash_table_unref(r.meta);
    return ok ? g_steal_pointer(&d) : NULL;
}

void plot_sweep_data_free(PlotSweepData *d)
{
    if (d == NULL) {
        return;
    }
    g_free(d->dir);
    g_free(d->name);
    g_free(d->scenario);
    g_free(d->command);
    g_free(d->sets);
    sim_grid_free(d->grid);
    g_strfreev(d->series);
    for (guint i = 0; d->dims != NULL && i < d->n_dims; i++) {
        g_free(d->dims[i].label);
    }
    g_free(d->dims);
    g_free(d->cells);
    if (d->table != NULL) {
        g_ptr_array_unref(d->table);
    }
    if (d->errors != NULL) {
        g_ptr_array_unref(d->errors);
    }
    g_free(d);
}
