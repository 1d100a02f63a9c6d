/*
 * What the databases of sweep and capacity share: see sim/out/pointdb.h.
 * Through the sqlite3 C API with prepared statements, values bound, never
 * pasted into SQL; identifiers are quoted.
 */
#include "sim/out/pointdb.h"

#include <math.h>
#include <string.h>

#include "host/state.h"
#include "sim/error.h"
#include "sim/out/format.h"
#include "sim/out/outdir.h"

/* How long a write waits for a lock another connection holds (a `sqlite3`
 * reading the database meanwhile), ms. */
#define BUSY_TIMEOUT_MS 10000

struct SimPointDb {
    sqlite3 *db;
    char *shown;
    char *kind;
    guint n_columns;
    sqlite3_stmt *insert;
};

bool sim_point_db_fail(SimPointDb *d, GError **error, const char *what)
{
    g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot %s: %s", d->shown, what,
                d->db != NULL ? sqlite3_errmsg(d->db) : "out of memory");
    return false;
}

static bool exec(SimPointDb *d, const char *sql, GError **error)
{
    char *msg = NULL;
    if (sqlite3_exec(d->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot write: %s", d->shown,
                    msg != NULL ? msg : sqlite3_errmsg(d->db));
        sqlite3_free(msg);
        return false;
    }
    return true;
}

void sim_point_db_append_ident(GString *sql, const char *name)
{
    g_string_append_c(sql, '"');
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '"') {
            g_string_append_c(sql, '"');
        }
        g_string_append_c(sql, *p);
    }
    g_string_append_c(sql, '"');
}

void sim_point_db_columns_sql(GString *sql)
{
    g_string_append(sql, "policy TEXT, seed INTEGER, "
                         "status TEXT NOT NULL CHECK (status IN ('ok', 'failed')), "
                         "error TEXT, warnings TEXT, sla_met INTEGER, "
                         "perf_index_mean REAL, perf_index_worst REAL, worst_vm TEXT, "
                         "below_sla_vm_s REAL, below_sla_worst_s REAL, below_sla_worst_vm TEXT, "
                         "stall_pct_mean REAL");
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        g_string_append_printf(sql, ", peak_%s_mb REAL", sim_mech_to_string((SimMech)m));
    }
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        g_string_append_printf(sql, ", mean_%s_mb REAL", sim_mech_to_string((SimMech)m));
    }
    g_string_append(sql, ", swap_read_mb REAL, swap_written_mb REAL");
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        g_string_append_printf(sql, ", time_%s_s REAL", host_state_to_string((HostState)s));
    }
}

guint sim_point_db_n_columns(void)
{
    return 13 + 2 * SIM_MECH_MAX + 2 + HOST_STATE_MAX;
}

static bool write_meta(SimPointDb *d, const SimPointDbSpec *spec, GError **error)
{
    g_autofree char *sql = g_strdup_printf("INSERT INTO %s (name, value) VALUES (?1, ?2)", d->kind);
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) == SQLITE_OK;
    for (guint i = 0; ok && i < spec->n_meta; i++) {
        sqlite3_bind_text(st, 1, spec->meta[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, spec->meta[i].value, -1, SQLITE_STATIC);
        ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_reset(st) == SQLITE_OK;
    }
    sqlite3_finalize(st);
    return ok || sim_point_db_fail(d, error, "write");
}

/* The tables come in one transaction: a kill leaves all or nothing. */
static bool create(SimPointDb *d, const SimPointDbSpec *spec, GError **error)
{
    g_autofree char *meta = g_strdup_printf(
        "CREATE TABLE %s (name TEXT PRIMARY KEY, value TEXT NOT NULL);\n", d->kind);
    return exec(d, "BEGIN", error) && exec(d, meta, error) && exec(d, spec->schema, error) &&
           write_meta(d, spec, error) && exec(d, "COMMIT", error);
}

/* The value of meta row `name`, NULL when absent. */
static char *meta_get(SimPointDb *d, const char *name)
{
    g_autofree char *sql = g_strdup_printf("SELECT value FROM %s WHERE name = ?1", d->kind);
    sqlite3_stmt *st = NULL;
    char *value = NULL;
    if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            value = g_strdup((const char *)sqlite3_column_text(st, 0));
        }
    }
    sqlite3_finalize(st);
    return value;
}

/* The database must hold this command: each compared meta row equal. */
static bool check_same(SimPointDb *d, const SimPointDbSpec *spec, GError **error)
{
    for (guint i = 0; i < spec->n_meta; i++) {
        const SimPointMeta *m = &spec->meta[i];
        g_autofree char *had = m->compared ? meta_get(d, m->name) : NULL;
        if (!m->compared) {
            continue;
        }
        if (had == NULL) {
            return sim_error_at(error, SIM_ERROR_USAGE, d->shown, 0, 0,
                                "not a %s database of reclaimsim (no \"%s\" in its %s "
                                "table); use another -o DIR",
                                d->kind, m->name, d->kind);
        }
        if (strcmp(had, m->value) != 0) {
            g_autofree char *cmd = meta_get(d, "command");
            return sim_error_at(error, SIM_ERROR_USAGE, d->shown, 0, 0,
                                "holds another %s (%s: %s there, %s now); it was made by: %s; "
                                "rerun that command to finish it, or use another -o DIR",
                                d->kind, m->name, had, m->value, cmd != NULL ? cmd : "?");
        }
    }
    return true;
}

/* An existing file: a database with the KIND table, or refused. One
 * without any table is one whose creation a kill cut short: *empty, and it
 * is made again. */
static bool is_our_db(SimPointDb *d, bool *empty, GError **error)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(d->db,
                                "SELECT count(*), count(CASE WHEN name = ?1 THEN 1 END) "
                                "FROM sqlite_master",
                                -1, &st, NULL);
    sqlite3_bind_text(st, 1, d->kind, -1, SQLITE_STATIC);
    bool read = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    *empty = read && sqlite3_column_int(st, 0) == 0;
    bool found = read && sqlite3_column_int(st, 1) == 1;
    sqlite3_finalize(st);
    if (!found && !*empty) {
        return sim_error_at(error, SIM_ERROR_USAGE, d->shown, 0, 0,
                            "is not a %s database of reclaimsim%s%s; use another -o DIR", d->kind,
                            rc != SQLITE_OK ? ": " : "",
                            rc != SQLITE_OK ? sqlite3_errmsg(d->db) : "");
    }
    return true;
}

static bool prepare_insert(SimPointDb *d, GError **error)
{
    GString *sql = g_string_new("INSERT INTO points VALUES (");
    for (guint i = 1; i <= d->n_columns; i++) {
        g_string_append_printf(sql, "%s?%u", i > 1 ? ", " : "", i);
    }
    g_string_append(sql, ")");
    bool ok = sqlite3_prepare_v2(d->db, sql->str, -1, &d->insert, NULL) == SQLITE_OK;
    g_string_free(sql, TRUE);
    return ok || sim_point_db_fail(d, error, "prepare the insert");
}

SimPointDb *sim_point_db_open(const SimPointDbSpec *spec, bool *resumed, GError **error)
{
    g_autoptr(SimPointDb) d = g_new0(SimPointDb, 1);
    d->shown = g_strdup(spec->shown != NULL ? spec->shown : spec->path);
    d->kind = g_strdup(spec->kind);
    d->n_columns = spec->n_columns;
    *resumed = g_file_test(spec->path, G_FILE_TEST_EXISTS);
    int rc = sqlite3_open_v2(
        spec->path, &d->db,
        SQLITE_OPEN_READWRITE | (*resumed ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) {
        sim_point_db_fail(d, error, "open");
        return NULL;
    }
    sqlite3_busy_timeout(d->db, BUSY_TIMEOUT_MS);
    /* WAL: a commit is one append to the log, and a killed process loses
     * no committed point; NORMAL syncs at checkpoints, enough for that
     * (a power cut may lose the last points, which a rerun recomputes). */
    bool empty = false;
    if (*resumed && !is_our_db(d, &empty, error)) {
        return NULL;
    }
    *resumed = *resumed && !empty;
    if (*resumed && !check_same(d, spec, error)) {
        return NULL;
    }
    if (!exec(d, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", error) ||
        (!*resumed && !create(d, spec, error)) || !prepare_insert(d, error)) {
        return NULL;
    }
    return g_steal_pointer(&d);
}

void sim_point_db_close(SimPointDb *db)
{
    if (db == NULL) {
        return;
    }
    sqlite3_finalize(db->insert);
    sqlite3_close(db->db); /* the last connection: checkpoints and removes the log */
    g_free(db->shown);
    g_free(db->kind);
    g_free(db);
}

sqlite3 *sim_point_db_handle(SimPointDb *db)
{
    return db->db;
}

sqlite3_stmt *sim_point_db_insert(SimPointDb *db)
{
    sqlite3_reset(db->insert);
    sqlite3_clear_bindings(db->insert);
    return db->insert;
}

bool sim_point_db_insert_done(SimPointDb *db, int next_column, GError **error)
{
    g_assert((guint)next_column == db->n_columns + 1);
    int rc = sqlite3_step(db->insert);
    sqlite3_reset(db->insert);
    return rc == SQLITE_DONE || sim_point_db_fail(db, error, "write");
}

/* ---- one point ---- */

void sim_point_db_bind_real(sqlite3_stmt *st, int *col, double v)
{
    if (isfinite(v)) {
        sqlite3_bind_double(st, (*col)++, v);
    } else {
        sqlite3_bind_null(st, (*col)++);
    }
}

void sim_point_db_bind_text(sqlite3_stmt *st, int *col, const char *text)
{
    if (text != NULL) {
        sqlite3_bind_text(st, (*col)++, text, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(st, (*col)++);
    }
}

static void bind_figures(sqlite3_stmt *st, const SimCompareRow *row, bool ok, int *col)
{
    if (ok && row->sla_met >= 0) {
        sqlite3_bind_int(st, (*col)++, row->sla_met);
    } else {
        sqlite3_bind_null(st, (*col)++);
    }
    sim_point_db_bind_real(st, col, ok ? row->perf_mean : NAN);
    sim_point_db_bind_real(st, col, ok ? row->perf_worst : NAN);
    sim_point_db_bind_text(st, col, ok ? row->worst_vm : NULL);
    sim_point_db_bind_real(st, col, ok ? row->below_sla_s : NAN);
    sim_point_db_bind_real(st, col, ok ? row->below_worst_s : NAN);
    sim_point_db_bind_text(st, col, ok ? row->below_worst_vm : NULL);
    sim_point_db_bind_real(st, col, ok ? row->stall_pct_mean : NAN);
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        sim_point_db_bind_real(st, col, ok ? row->peak_mb[m] : NAN);
    }
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        sim_point_db_bind_real(st, col, ok ? row->mean_mb[m] : NAN);
    }
    sim_point_db_bind_real(st, col, ok ? row->swap_read_mb : NAN);
    sim_point_db_bind_real(st, col, ok ? row->swap_written_mb : NAN);
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        sim_point_db_bind_real(st, col, ok ? row->time_in_state_s[s] : NAN);
    }
}

void sim_point_db_bind_result(sqlite3_stmt *st, int *col, const SimSweepResult *r)
{
    sim_point_db_bind_text(st, col, r->policy);
    if (r->has_seed) {
        sqlite3_bind_int64(st, (*col)++, (sqlite3_int64)r->seed);
    } else {
        sqlite3_bind_null(st, (*col)++);
    }
    sim_point_db_bind_text(st, col, r->ok ? "ok" : "failed");
    sim_point_db_bind_text(st, col, r->error);
    sim_point_db_bind_text(st, col, r->warnings);
    bind_figures(st, &r->row, r->ok, col);
}

bool sim_point_db_count(SimPointDb *d, guint64 *points, guint64 *failed, GError **error)
{
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(d->db,
                                 "SELECT count(*), count(CASE WHEN status = 'failed' THEN 1 END) "
                                 "FROM points",
                                 -1, &st, NULL) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW;
    if (ok) {
        *points = (guint64)sqlite3_column_int64(st, 0);
        *failed = (guint64)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return ok || sim_point_db_fail(d, error, "read");
}

/* ---- CSV ---- */

/* A cell as SQLite renders it (REAL with 15 significant digits: the same
 * bytes for the same value), quoted as RFC 4180 asks; NULL is empty. */
static void csv_cell(GString *out, sqlite3_stmt *st, int col)
{
    if (col > 0) {
        g_string_append_c(out, ',');
    }
    if (sqlite3_column_type(st, col) != SQLITE_NULL) {
        sim_format_csv_text(out, (const char *)sqlite3_column_text(st, col));
    }
}

bool sim_point_db_export_csv(SimPointDb *d, const char *path, GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(d->db, "SELECT * FROM points ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
        return sim_point_db_fail(d, error, "read");
    }
    GString *out = g_string_new(NULL);
    int n = sqlite3_column_count(st);
    for (int c = 0; c < n; c++) {
        g_string_append(out, c > 0 ? "," : "");
        sim_format_csv_text(out, sqlite3_column_name(st, c));
    }
    g_string_append_c(out, '\n');
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < n; c++) {
            csv_cell(out, st, c);
        }
        g_string_append_c(out, '\n');
    }
    sqlite3_finalize(st);
    bool ok = rc == SQLITE_DONE || sim_point_db_fail(d, error, "read");
    ok = ok && sim_outdir_write_file(path, out->str, out->len, error);
    g_string_free(out, TRUE);
    return ok;
}
