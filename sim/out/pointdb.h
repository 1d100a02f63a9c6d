/*
 * What the SQLite databases of `reclaimsim sweep` (sim/out/sweepdb.h) and
 * `reclaimsim capacity` (sim/out/capacitydb.h) share: a table KIND of
 * (name, value) rows saying which command the database holds, compared
 * when a rerun opens it; a table `points` with one row per finished point,
 * whose columns after the caller's own (what the point is) are the same
 * in both (the run's policy, seed, status and compare's figures:
 * docs/sweep.md); WAL mode, one transaction per point, so a killed process
 * loses no point it wrote. One connection, used by one thread.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "sim/out/sweeprun.h"

/* A row of the KIND table. */
typedef struct SimPointMeta {
    const char *name;
    const char *value;
    bool compared; /* a rerun must have the same value */
} SimPointMeta;

typedef struct SimPointDbSpec {
    const char *path;
    const char *shown;   /* the name in messages; NULL: path */
    const char *kind;    /* "sweep", "capacity": the table of meta rows, and in messages */
    const char *schema;  /* CREATE TABLE points (...) and its indexes */
    const SimPointMeta *meta;
    guint n_meta;
    guint n_columns;     /* of `points`, for the insert */
} SimPointDbSpec;

typedef struct SimPointDb SimPointDb;

/*
 * Opens spec->path: creates it with its tables when it does not exist (or
 * a kill cut its creation short); else it must be a database of this kind
 * whose compared meta rows equal spec's, or it is refused (SIM_ERROR_USAGE)
 * naming what differs and the command that made it (meta row "command").
 * *resumed says which.
 */
SimPointDb *sim_point_db_open(const SimPointDbSpec *spec, bool *resumed, GError **error);
void sim_point_db_close(SimPointDb *db);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimPointDb, sim_point_db_close)

sqlite3 *sim_point_db_handle(SimPointDb *db);

/* Sets "SHOWN: error: cannot WHAT: SQLITE MESSAGE" (SIM_ERROR_IO); false. */
bool sim_point_db_fail(SimPointDb *db, GError **error, const char *what);

/* The insert of one row of `points`, bindings cleared, bound by the caller
 * from column 1 on; then sim_point_db_insert_done() with the next column. */
sqlite3_stmt *sim_point_db_insert(SimPointDb *db);
bool sim_point_db_insert_done(SimPointDb *db, int next_column, GError **error);

/* Rows of `points`, and how many of them failed. */
bool sim_point_db_count(SimPointDb *db, guint64 *points, guint64 *failed, GError **error);

/* `points` as CSV ordered by id, written whole to `path`. */
bool sim_point_db_export_csv(SimPointDb *db, const char *path, GError **error);

/* The shared columns, after the caller's: their SQL definitions (no
 * leading comma), their number, and the binding of a finished point. */
void sim_point_db_columns_sql(GString *sql);
guint sim_point_db_n_columns(void);
void sim_point_db_bind_result(sqlite3_stmt *st, int *col, const SimSweepResult *r);

/* "KEY" as an SQL identifier: in double quotes, quotes inside doubled. */
void sim_point_db_append_ident(GString *sql, const char *name);
/* A REAL, NULL when not finite; a TEXT, NULL when NULL. */
void sim_point_db_bind_real(sqlite3_stmt *st, int *col, double v);
void sim_point_db_bind_text(sqlite3_stmt *st, int *col, const char *text);
