/*
 * The database of `reclaimsim capacity`: see sim/out/capacitydb.h. The
 * tables, transactions and shared columns are sim/out/pointdb.c's.
 */
#include "sim/out/capacitydb.h"

#include <math.h>

#include "sim/error.h"
#include "sim/out/pointdb.h"
#include "sim/units.h"

struct SimCapacityDb {
    SimPointDb *points;
    const SimCapacityPlan *plan;
    sqlite3_stmt *find;
};

/* The grown value's columns: KEY (an INTEGER count, or the size as --set
 * took it) and, for memory, KEY_mib to sort and plot by. */
static char *mib_column(const SimCapacityPlan *plan)
{
    return plan->memory ? g_strconcat(plan->key, "_mib", NULL) : NULL;
}

static char *schema_sql(const SimCapacityPlan *plan)
{
    GString *sql = g_string_new("CREATE TABLE points (id INTEGER PRIMARY KEY, "
                                "search INTEGER NOT NULL, round INTEGER NOT NULL, ");
    sim_point_db_append_ident(sql, plan->key);
    g_string_append(sql, plan->memory ? " TEXT NOT NULL, " : " INTEGER NOT NULL, ");
    g_autofree char *mib = mib_column(plan);
    if (mib != NULL) {
        sim_point_db_append_ident(sql, mib);
        g_string_append(sql, " REAL NOT NULL, ");
    }
    sim_point_db_columns_sql(sql);
    g_string_append(sql, ");\nCREATE UNIQUE INDEX points_search ON points (search, ");
    sim_point_db_append_ident(sql, plan->key);
    g_string_append(sql, ");\n");
    return g_string_free(sql, FALSE);
}

static bool prepare_find(SimCapacityDb *d, GError **error)
{
    GString *sql = g_string_new("SELECT status = 'ok' AND sla_met = 1 FROM points "
                                "WHERE search = ?1 AND ");
    sim_point_db_append_ident(sql, d->plan->key);
    g_string_append(sql, " = ?2");
    bool ok = sqlite3_prepare_v2(sim_point_db_handle(d->points), sql->str, -1, &d->find, NULL) ==
              SQLITE_OK;
    g_string_free(sql, TRUE);
    return ok || sim_point_db_fail(d->points, error, "read");
}

SimCapacityDb *sim_capacity_db_open(const char *path, const char *shown,
                                    const SimCapacityPlan *plan,
                                    const SimSweepIdentity *identity, bool *resumed,
                                    GError **error)
{
    g_autofree char *schema = schema_sql(plan);
    g_autofree char *described = sim_capacity_describe(plan);
    const SimPointMeta meta[] = {
        {"format", SIM_CAPACITY_DB_FORMAT, true},
        {"reclaimsim", RECLAIMSIM_VERSION, true},
        {"scenario_sha256", identity->scenario_sha256, true},
        {"sets", identity->sets, true},
        {"search", described, true},
        {"scenario", identity->scenario, false},
        {"command", identity->command, false},
    };
    SimPointDbSpec spec = {.path = path,
                           .shown = shown,
                           .kind = "capacity",
                           .schema = schema,
                           .meta = meta,
                           .n_meta = G_N_ELEMENTS(meta),
                           .n_columns = 4 + plan->memory + sim_point_db_n_columns()};
    g_autoptr(SimCapacityDb) d = g_new0(SimCapacityDb, 1);
    d->plan = plan;
    d->points = sim_point_db_open(&spec, resumed, error);
    if (d->points == NULL || !prepare_find(d, error)) {
        return NULL;
    }
    return g_steal_pointer(&d);
}

void sim_capacity_db_close(SimCapacityDb *db)
{
    if (db != NULL) {
        sqlite3_finalize(db->find);
        sim_point_db_close(db->points);
        g_free(db);
    }
}

/* The value as its column holds it. */
static void bind_grown(const SimCapacityPlan *plan, sqlite3_stmt *st, int *col, gint64 value)
{
    if (plan->memory) {
        g_autofree char *text = sim_capacity_value_text(plan, value);
        sim_point_db_bind_text(st, col, text);
    } else {
        sqlite3_bind_int64(st, (*col)++, value);
    }
}

bool sim_capacity_db_find(SimCapacityDb *d, guint lane, gint64 value, bool *found, bool *pass,
                          GError **error)
{
    int col = 2;
    sqlite3_reset(d->find);
    sqlite3_bind_int64(d->find, 1, lane);
    bind_grown(d->plan, d->find, &col, value);
    int rc = sqlite3_step(d->find);
    *found = rc == SQLITE_ROW;
    *pass = *found && sqlite3_column_int(d->find, 0) == 1;
    sqlite3_reset(d->find);
    return rc == SQLITE_ROW || rc == SQLITE_DONE || sim_point_db_fail(d->points, error, "read");
}

bool sim_capacity_db_add(SimCapacityDb *d, guint64 id, guint lane, guint round, gint64 value,
                         const SimSweepResult *r, GError **error)
{
    sqlite3_stmt *st = sim_point_db_insert(d->points);
    int col = 1;
    sqlite3_bind_int64(st, col++, (sqlite3_int64)id);
    sqlite3_bind_int64(st, col++, lane);
    sqlite3_bind_int64(st, col++, round);
    bind_grown(d->plan, st, &col, value);
    if (d->plan->memory) {
        sqlite3_bind_double(st, col++, (double)((guint64)value * d->plan->step) / (double)SIM_MIB);
    }
    sim_point_db_bind_result(st, &col, r);
    return sim_point_db_insert_done(d->points, col, error);
}

bool sim_capacity_db_count(SimCapacityDb *d, guint64 *points, guint64 *failed, GError **error)
{
    return sim_point_db_count(d->points, points, failed, error);
}

static json_t *cell_json(sqlite3_stmt *st, int c)
{
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_INTEGER:
        return json_integer(sqlite3_column_int64(st, c));
    case SQLITE_FLOAT:
        return json_real(sqlite3_column_double(st, c));
    case SQLITE_NULL:
        return json_null();
    default:
        return json_string((const char *)sqlite3_column_text(st, c));
    }
}

json_t *sim_capacity_db_rows(SimCapacityDb *d, GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(sim_point_db_handle(d->points), "SELECT * FROM points ORDER BY id", -1,
                           &st, NULL) != SQLITE_OK) {
        sim_point_db_fail(d->points, error, "read");
        return NULL;
    }
    json_t *rows = json_array();
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *row = json_object();
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            json_object_set_new(row, sqlite3_column_name(st, c), cell_json(st, c));
        }
        json_array_append_new(rows, row);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        json_decref(rows);
        sim_point_db_fail(d->points, error, "read");
        return NULL;
    }
    return rows;
}

static double column_real(sqlite3_stmt *st, int c)
{
    return sqlite3_column_type(st, c) == SQLITE_NULL ? NAN : sqlite3_column_double(st, c);
}

GArray *sim_capacity_db_curve(SimCapacityDb *d, GError **error)
{
    GString *sql = g_string_new("SELECT search, ");
    g_autofree char *mib = mib_column(d->plan);
    sim_point_db_append_ident(sql, mib != NULL ? mib : d->plan->key);
    g_string_append(sql, ", perf_index_mean, perf_index_worst FROM points ORDER BY search, 2");
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(sim_point_db_handle(d->points), sql->str, -1, &st, NULL) ==
              SQLITE_OK;
    g_string_free(sql, TRUE);
    if (!ok) {
        sim_point_db_fail(d->points, error, "read");
        return NULL;
    }
    GArray *curve = g_array_new(FALSE, FALSE, sizeof(SimCapacityPoint));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        SimCapacityPoint p = {.lane = (guint)sqlite3_column_int64(st, 0),
                              .x = sqlite3_column_double(st, 1),
                              .perf_mean = column_real(st, 2),
                              .perf_worst = column_real(st, 3)};
        p.x = mib != NULL ? p.x / 1024 : p.x;
        g_array_append_val(curve, p);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        g_array_unref(curve);
        sim_point_db_fail(d->points, error, "read");
        return NULL;
    }
    return curve;
}
