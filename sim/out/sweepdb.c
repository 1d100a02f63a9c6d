/*
 * The database of `reclaimsim sweep`: see sim/out/sweepdb.h and the schema
 * in docs/sweep.md. The tables, the transactions and the figure columns
 * are sim/out/pointdb.c's; here are the grid's columns (the varied keys)
 * and the missing points.
 */
#include "sim/out/sweepdb.h"

#include <math.h>
#include <string.h>

#include "sim/error.h"
#include "sim/out/pointdb.h"

struct SimSweepDb {
    SimPointDb *points;
    const SimGrid *grid;
};

/* The numeric column beside a varied key's values: KEY_mib, KEY_s,
 * KEY_pct; NULL when the values are numbers themselves or text. */
static char *number_column(const SimGrid *g, guint vary)
{
    static const char *const suffix[] = {NULL, NULL, "_mib", "_s", "_pct"};
    const char *s = suffix[sim_grid_vary_kind(g, vary)];
    return s != NULL ? g_strconcat(sim_grid_vary_key(g, vary), s, NULL) : NULL;
}

/* Columns of `points`: id, per vary its value (and number), the figures. */
static guint n_columns(const SimGrid *g)
{
    guint n = 1 + sim_point_db_n_columns();
    for (guint i = 0; i < sim_grid_n_varies(g); i++) {
        g_autofree char *num = number_column(g, i);
        n += 1 + (num != NULL);
    }
    return n;
}

static char *schema_sql(const SimGrid *g)
{
    GString *sql = g_string_new("CREATE TABLE points (id INTEGER PRIMARY KEY");
    for (guint i = 0; i < sim_grid_n_varies(g); i++) {
        g_string_append(sql, ", ");
        sim_point_db_append_ident(sql, sim_grid_vary_key(g, i));
        g_string_append(sql, sim_grid_vary_kind(g, i) == SIM_VARY_NUMBER ? " NUMERIC" : " TEXT");
        g_autofree char *num = number_column(g, i);
        if (num != NULL) {
            g_string_append(sql, ", ");
            sim_point_db_append_ident(sql, num);
            g_string_append(sql, " REAL");
        }
    }
    g_string_append(sql, ", ");
    sim_point_db_columns_sql(sql);
    g_string_append(sql, ");\n");
    for (guint i = 0; i < sim_grid_n_varies(g); i++) {
        g_autofree char *num = number_column(g, i);
        g_string_append_printf(sql, "CREATE INDEX points_vary_%u ON points (", i);
        sim_point_db_append_ident(sql, num != NULL ? num : sim_grid_vary_key(g, i));
        g_string_append(sql, ");\n");
    }
    return g_string_free(sql, FALSE);
}

SimSweepDb *sim_sweep_db_open(const char *path, const char *shown, const SimGrid *grid,
                              const SimSweepIdentity *identity, bool *resumed, GError **error)
{
    g_autofree char *schema = schema_sql(grid);
    g_autofree char *described = sim_grid_describe(grid);
    g_autofree char *points = g_strdup_printf("%" G_GUINT64_FORMAT, sim_grid_n_points(grid));
    char num[G_ASCII_DTOSTR_BUF_SIZE];
    const char *sla = identity->has_sla && isfinite(identity->sla_perf_index)
                          ? g_ascii_dtostr(num, sizeof num, identity->sla_perf_index)
                          : "none";
    const SimPointMeta meta[] = {
        {"format", SIM_SWEEP_DB_FORMAT, true},
        {"reclaimsim", RECLAIMSIM_VERSION, true},
        {"scenario_sha256", identity->scenario_sha256, true},
        {"sets", identity->sets, true},
        {"grid", described, true},
        {"points", points, false},
        {"scenario", identity->scenario, false},
        {"command", identity->command, false},
        {"name", identity->name != NULL ? identity->name : "", false},
        {"sla_perf_index", sla, false},
    };
    SimPointDbSpec spec = {.path = path,
                           .shown = shown,
                           .kind = "sweep",
                           .schema = schema,
                           .meta = meta,
                           .n_meta = G_N_ELEMENTS(meta),
                           .n_columns = n_columns(grid)};
    SimPointDb *db = sim_point_db_open(&spec, resumed, error);
    if (db == NULL) {
        return NULL;
    }
    SimSweepDb *d = g_new0(SimSweepDb, 1);
    d->points = db;
    d->grid = grid;
    return d;
}

void sim_sweep_db_close(SimSweepDb *db)
{
    if (db != NULL) {
        sim_point_db_close(db->points);
        g_free(db);
    }
}

GArray *sim_sweep_db_missing(SimSweepDb *d, GError **error)
{
    guint64 n = sim_grid_n_points(d->grid);
    g_autofree guint8 *have = g_new0(guint8, MAX(n, 1));
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(sim_point_db_handle(d->points), "SELECT id FROM points", -1, &st,
                           NULL) != SQLITE_OK) {
        sim_point_db_fail(d->points, error, "read");
        return NULL;
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(st, 0);
        if (id >= 0 && (guint64)id < n) {
            have[id] = 1;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        sim_point_db_fail(d->points, error, "read");
        return NULL;
    }
    GArray *missing = g_array_new(FALSE, FALSE, sizeof(guint64));
    for (guint64 id = 0; id < n; id++) {
        if (!have[id]) {
            g_array_append_val(missing, id);
        }
    }
    return missing;
}

/* A varied key's value: a JSON integer as INTEGER, other numbers as REAL. */
static void bind_value(sqlite3_stmt *st, int *col, const SimGrid *g, guint vary, guint index)
{
    const char *text = sim_grid_vary_value(g, vary, index);
    gint64 i = 0;
    if (sim_grid_vary_kind(g, vary) != SIM_VARY_NUMBER) {
        sim_point_db_bind_text(st, col, text);
    } else if (g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &i, NULL)) {
        sqlite3_bind_int64(st, (*col)++, i);
    } else {
        sqlite3_bind_double(st, (*col)++, sim_grid_vary_number(g, vary, index));
    }
}

bool sim_sweep_db_add(SimSweepDb *d, const SimSweepResult *r, GError **error)
{
    const SimGrid *g = d->grid;
    sqlite3_stmt *st = sim_point_db_insert(d->points);
    int col = 1;
    g_autofree guint *value = g_new0(guint, MAX(sim_grid_n_varies(g), 1));
    SimGridPoint p = {.value = value};
    sim_grid_point(g, r->id, &p);
    sqlite3_bind_int64(st, col++, (sqlite3_int64)r->id);
    for (guint i = 0; i < sim_grid_n_varies(g); i++) {
        bind_value(st, &col, g, i, value[i]);
        g_autofree char *num = number_column(g, i);
        if (num != NULL) {
            sim_point_db_bind_real(st, &col, sim_grid_vary_number(g, i, value[i]));
        }
    }
    sim_point_db_bind_result(st, &col, r);
    return sim_point_db_insert_done(d->points, col, error);
}

bool sim_sweep_db_count(SimSweepDb *d, guint64 *points, guint64 *failed, GError **error)
{
    return sim_point_db_count(d->points, points, failed, error);
}

bool sim_sweep_db_export_csv(SimSweepDb *d, const char *path, GError **error)
{
    return sim_point_db_export_csv(d->points, path, error);
}
