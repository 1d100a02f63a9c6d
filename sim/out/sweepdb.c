/*
 * The database of `reclaimsim sweep`: see sim/out/sweepdb.h and the schema
 * in docs/sweep.md. Through the sqlite3 C API with prepared statements,
 * values bound, never pasted into SQL; identifiers (the varied keys) are
 * quoted.
 */
#include "sim/out/sweepdb.h"

#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "host/state.h"
#include "sim/error.h"
#include "sim/out/format.h"
#include "sim/out/outdir.h"

/* How long a write waits for a lock another connection holds (a `sqlite3`
 * reading the database meanwhile), ms. */
#define BUSY_TIMEOUT_MS 10000

struct SimSweepDb {
    sqlite3 *db;
    char *shown;
    const SimGrid *grid;
    sqlite3_stmt *insert;
};

/* The `sweep` rows compared between two commands (name, value). */
typedef struct Meta {
    const char *name;
    const char *value;
    bool compared;
} Meta;

static bool db_fail(SimSweepDb *d, GError **error, const char *what)
{
    g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot %s: %s", d->shown, what,
                d->db != NULL ? sqlite3_errmsg(d->db) : "out of memory");
    return false;
}

static bool exec(SimSweepDb *d, const char *sql, GError **error)
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

/* "KEY" as an SQL identifier: in double quotes, quotes inside doubled. */
static void append_ident(GString *sql, const char *name)
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

/* The numeric column beside a varied key's values: KEY_mib, KEY_s,
 * KEY_pct; NULL when the values are numbers themselves or text. */
static char *number_column(const SimGrid *g, guint vary)
{
    static const char *const suffix[] = {NULL, NULL, "_mib", "_s", "_pct"};
    const char *s = suffix[sim_grid_vary_kind(g, vary)];
    return s != NULL ? g_strconcat(sim_grid_vary_key(g, vary), s, NULL) : NULL;
}

/* The columns after the varied keys, in table order. */
static void figure_columns(GString *sql)
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

/* Columns of `points`: id, per vary its value (and number), the figures. */
static guint n_columns(const SimGrid *g)
{
    guint n = 1 + 13 + 2 * SIM_MECH_MAX + 2 + HOST_STATE_MAX;
    for (guint i = 0; i < sim_grid_n_varies(g); i++) {
        g_autofree char *num = number_column(g, i);
        n += 1 + (num != NULL);
    }
    return n;
}

static char *schema_sql(const SimGrid *g)
{
    GString *sql = g_string_new("CREATE TABLE sweep (name TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
                                "CREATE TABLE points (id INTEGER PRIMARY KEY");
    for (guint i = 0; i < sim_grid_n_varies(g); i++) {
        g_string_append(sql, ", ");
        append_ident(sql, sim_grid_vary_key(g, i));
        g_string_append(sql, sim_grid_vary_kind(g, i) == SIM_VARY_NUMBER ? " NUMERIC" : " TEXT");
        g_autofree char *num = number_column(g, i);
        if (num != NULL) {
            g_string_append(sql, ", ");
            append_ident(sql, num);
            g_string_append(sql, " REAL");
        }
    }
    g_string_append(sql, ", ");
    figure_columns(sql);
    g_string_append(sql, ");\n");
    for (guint i = 0; i < sim_grid_n_varies(g); i++) {
        g_autofree char *num = number_column(g, i);
        g_string_append_printf(sql, "CREATE INDEX points_vary_%u ON points (", i);
        append_ident(sql, num != NULL ? num : sim_grid_vary_key(g, i));
        g_string_append(sql, ");\n");
    }
    return g_string_free(sql, FALSE);
}

/* The rows of `sweep`; owned[] (SWEEP_OWNED) receives the texts made here. */
#define SWEEP_OWNED 3
static GPtrArray *meta_rows(const SimGrid *g, const SimSweepIdentity *id, char **owned)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func(g_free);
    char num[G_ASCII_DTOSTR_BUF_SIZE];
    owned[0] = sim_grid_describe(g);
    owned[1] = g_strdup_printf("%" G_GUINT64_FORMAT, sim_grid_n_points(g));
    owned[2] = g_strdup(id->has_sla && isfinite(id->sla_perf_index)
                            ? g_ascii_dtostr(num, sizeof num, id->sla_perf_index)
                            : "none");
    const Meta meta[] = {
        {"format", SIM_SWEEP_DB_FORMAT, true},
        {"reclaimsim", RECLAIMSIM_VERSION, true},
        {"scenario_sha256", id->scenario_sha256, true},
        {"sets", id->sets, true},
        {"grid", owned[0], true},
        {"points", owned[1], false},
        {"scenario", id->scenario, false},
        {"command", id->command, false},
        {"name", id->name != NULL ? id->name : "", false},
        {"sla_perf_index", owned[2], false},
    };
    for (guint i = 0; i < G_N_ELEMENTS(meta); i++) {
        g_ptr_array_add(rows, g_memdup2(&meta[i], sizeof meta[i]));
    }
    return rows;
}

static bool write_meta(SimSweepDb *d, GPtrArray *rows, GError **error)
{
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(d->db, "INSERT INTO sweep (name, value) VALUES (?1, ?2)", -1, &st,
                                 NULL) == SQLITE_OK;
    for (guint i = 0; ok && i < rows->len; i++) {
        const Meta *m = rows->pdata[i];
        sqlite3_bind_text(st, 1, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, m->value, -1, SQLITE_STATIC);
        ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_reset(st) == SQLITE_OK;
    }
    sqlite3_finalize(st);
    return ok || db_fail(d, error, "write");
}

static bool create(SimSweepDb *d, const SimSweepIdentity *id, GError **error)
{
    g_autofree char *schema = schema_sql(d->grid);
    char *owned[SWEEP_OWNED] = {NULL};
    g_autoptr(GPtrArray) rows = meta_rows(d->grid, id, owned);
    bool ok = exec(d, "BEGIN", error) && exec(d, schema, error) && write_meta(d, rows, error) &&
              exec(d, "COMMIT", error);
    for (guint i = 0; i < SWEEP_OWNED; i++) {
        g_free(owned[i]);
    }
    return ok;
}

/* The value of `sweep` row `name`, NULL when absent. */
static char *meta_get(SimSweepDb *d, const char *name)
{
    sqlite3_stmt *st = NULL;
    char *value = NULL;
    if (sqlite3_prepare_v2(d->db, "SELECT value FROM sweep WHERE name = ?1", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            value = g_strdup((const char *)sqlite3_column_text(st, 0));
        }
    }
    sqlite3_finalize(st);
    return value;
}

/* The database must hold this sweep: each compared `sweep` row equal. */
static bool check_same(SimSweepDb *d, const SimSweepIdentity *id, GError **error)
{
    char *owned[SWEEP_OWNED] = {NULL};
    g_autoptr(GPtrArray) rows = meta_rows(d->grid, id, owned);
    bool ok = true;
    for (guint i = 0; ok && i < rows->len; i++) {
        const Meta *m = rows->pdata[i];
        g_autofree char *had = meta_get(d, m->name);
        if (!m->compared) {
            continue;
        }
        if (had == NULL) {
            ok = sim_error_at(error, SIM_ERROR_USAGE, d->shown, 0, 0,
                              "not a sweep database of reclaimsim (no \"%s\" in its sweep "
                              "table); use another -o DIR",
                              m->name);
        } else if (strcmp(had, m->value) != 0) {
            g_autofree char *cmd = meta_get(d, "command");
            ok = sim_error_at(error, SIM_ERROR_USAGE, d->shown, 0, 0,
                              "holds another sweep (%s: %s there, %s now); it was made by: %s; "
                              "rerun that command to finish it, or use another -o DIR",
                              m->name, had, m->value, cmd != NULL ? cmd : "?");
        }
    }
    for (guint i = 0; i < SWEEP_OWNED; i++) {
        g_free(owned[i]);
    }
    return ok;
}

/* An existing file: a database with a `sweep` table, or refused. One
 * without any table is one whose creation a kill cut short (the tables
 * come in one transaction): *empty, and it is made again. */
static bool is_sweep_db(SimSweepDb *d, bool *empty, GError **error)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(d->db,
                                "SELECT count(*), count(CASE WHEN name = 'sweep' THEN 1 END) "
                                "FROM sqlite_master",
                                -1, &st, NULL);
    bool read = rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW;
    *empty = read && sqlite3_column_int(st, 0) == 0;
    bool found = read && sqlite3_column_int(st, 1) == 1;
    sqlite3_finalize(st);
    if (!found && !*empty) {
        return sim_error_at(error, SIM_ERROR_USAGE, d->shown, 0, 0,
                            "is not a sweep database of reclaimsim%s%s; use another -o DIR",
                            rc != SQLITE_OK ? ": " : "",
                            rc != SQLITE_OK ? sqlite3_errmsg(d->db) : "");
    }
    return true;
}

static bool prepare_insert(SimSweepDb *d, GError **error)
{
    GString *sql = g_string_new("INSERT INTO points VALUES (");
    guint n = n_columns(d->grid);
    for (guint i = 1; i <= n; i++) {
        g_string_append_printf(sql, "%s?%u", i > 1 ? ", " : "", i);
    }
    g_string_append(sql, ")");
    bool ok = sqlite3_prepare_v2(d->db, sql->str, -1, &d->insert, NULL) == SQLITE_OK;
    g_string_free(sql, TRUE);
    return ok || db_fail(d, error, "prepare the insert");
}

SimSweepDb *sim_sweep_db_open(const char *path, const char *shown, const SimGrid *grid,
                              const SimSweepIdentity *identity, bool *resumed, GError **error)
{
    g_autoptr(SimSweepDb) d = g_new0(SimSweepDb, 1);
    d->shown = g_strdup(shown != NULL ? shown : path);
    d->grid = grid;
    *resumed = g_file_test(path, G_FILE_TEST_EXISTS);
    int rc = sqlite3_open_v2(
        path, &d->db,
        SQLITE_OPEN_READWRITE | (*resumed ? 0 : SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) {
        db_fail(d, error, "open");
        return NULL;
    }
    sqlite3_busy_timeout(d->db, BUSY_TIMEOUT_MS);
    /* WAL: a commit is one append to the log, and a killed process loses
     * no committed point; NORMAL syncs at checkpoints, enough for that
     * (a power cut may lose the last points, which a rerun recomputes). */
    bool empty = false;
    if (*resumed && !is_sweep_db(d, &empty, error)) {
        return NULL;
    }
    *resumed = *resumed && !empty;
    if (*resumed && !check_same(d, identity, error)) {
        return NULL;
    }
    if (!exec(d, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL", error) ||
        (!*resumed && !create(d, identity, error)) || !prepare_insert(d, error)) {
        return NULL;
    }
    return g_steal_pointer(&d);
}

void sim_sweep_db_close(SimSweepDb *db)
{
    if (db == NULL) {
        return;
    }
    sqlite3_finalize(db->insert);
    sqlite3_close(db->db); /* the last connection: checkpoints and removes the log */
    g_free(db->shown);
    g_free(db);
}

GArray *sim_sweep_db_missing(SimSweepDb *d, GError **error)
{
    guint64 n = sim_grid_n_points(d->grid);
    g_autofree guint8 *have = g_new0(guint8, MAX(n, 1));
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(d->db, "SELECT id FROM points", -1, &st, NULL) != SQLITE_OK) {
        db_fail(d, error, "read");
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
        db_fail(d, error, "read");
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

/* ---- one point ---- */

static void bind_real(sqlite3_stmt *st, int *col, double v)
{
    if (isfinite(v)) {
        sqlite3_bind_double(st, (*col)++, v);
    } else {
        sqlite3_bind_null(st, (*col)++);
    }
}

static void bind_text(sqlite3_stmt *st, int *col, const char *text)
{
    if (text != NULL) {
        sqlite3_bind_text(st, (*col)++, text, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(st, (*col)++);
    }
}

/* A varied key's value: a JSON integer as INTEGER, other numbers as REAL. */
static void bind_value(sqlite3_stmt *st, int *col, const SimGrid *g, guint vary, guint index)
{
    const char *text = sim_grid_vary_value(g, vary, index);
    gint64 i = 0;
    if (sim_grid_vary_kind(g, vary) != SIM_VARY_NUMBER) {
        bind_text(st, col, text);
    } else if (g_ascii_string_to_signed(text, 10, G_MININT64, G_MAXINT64, &i, NULL)) {
        sqlite3_bind_int64(st, (*col)++, i);
    } else {
        sqlite3_bind_double(st, (*col)++, sim_grid_vary_number(g, vary, index));
    }
}

static void bind_point(SimSweepDb *d, const SimSweepResult *r, int *col)
{
    const SimGrid *g = d->grid;
    g_autofree guint *value = g_new0(guint, MAX(sim_grid_n_varies(g), 1));
    SimGridPoint p = {.value = value};
    sim_grid_point(g, r->id, &p);
    sqlite3_bind_int64(d->insert, (*col)++, (sqlite3_int64)r->id);
    for (guint i = 0; i < sim_grid_n_varies(g); i++) {
        bind_value(d->insert, col, g, i, value[i]);
        g_autofree char *num = number_column(g, i);
        if (num != NULL) {
            bind_real(d->insert, col, sim_grid_vary_number(g, i, value[i]));
        }
    }
    bind_text(d->insert, col, r->policy);
    if (r->has_seed) {
        sqlite3_bind_int64(d->insert, (*col)++, (sqlite3_int64)r->seed);
    } else {
        sqlite3_bind_null(d->insert, (*col)++);
    }
    bind_text(d->insert, col, r->ok ? "ok" : "failed");
    bind_text(d->insert, col, r->error);
    bind_text(d->insert, col, r->warnings);
}

static void bind_figures(sqlite3_stmt *st, const SimCompareRow *row, bool ok, int *col)
{
    if (ok && row->sla_met >= 0) {
        sqlite3_bind_int(st, (*col)++, row->sla_met);
    } else {
        sqlite3_bind_null(st, (*col)++);
    }
    bind_real(st, col, ok ? row->perf_mean : NAN);
    bind_real(st, col, ok ? row->perf_worst : NAN);
    bind_text(st, col, ok ? row->worst_vm : NULL);
    bind_real(st, col, ok ? row->below_sla_s : NAN);
    bind_real(st, col, ok ? row->below_worst_s : NAN);
    bind_text(st, col, ok ? row->below_worst_vm : NULL);
    bind_real(st, col, ok ? row->stall_pct_mean : NAN);
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        bind_real(st, col, ok ? row->peak_mb[m] : NAN);
    }
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        bind_real(st, col, ok ? row->mean_mb[m] : NAN);
    }
    bind_real(st, col, ok ? row->swap_read_mb : NAN);
    bind_real(st, col, ok ? row->swap_written_mb : NAN);
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        bind_real(st, col, ok ? row->time_in_state_s[s] : NAN);
    }
}

bool sim_sweep_db_add(SimSweepDb *d, const SimSweepResult *r, GError **error)
{
    int col = 1;
    sqlite3_reset(d->insert);
    sqlite3_clear_bindings(d->insert);
    bind_point(d, r, &col);
    bind_figures(d->insert, &r->row, r->ok, &col);
    g_assert((guint)col == n_columns(d->grid) + 1);
    int rc = sqlite3_step(d->insert);
    sqlite3_reset(d->insert);
    return rc == SQLITE_DONE || db_fail(d, error, "write");
}

bool sim_sweep_db_count(SimSweepDb *d, guint64 *points, guint64 *failed, GError **error)
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
    return ok || db_fail(d, error, "read");
}

/* ---- sweep.csv ---- */

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

bool sim_sweep_db_export_csv(SimSweepDb *d, const char *path, GError **error)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(d->db, "SELECT * FROM points ORDER BY id", -1, &st, NULL) != SQLITE_OK) {
        return db_fail(d, error, "read");
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
    bool ok = rc == SQLITE_DONE || db_fail(d, error, "read");
    ok = ok && sim_outdir_write_file(path, out->str, out->len, error);
    g_string_free(out, TRUE);
    return ok;
}
