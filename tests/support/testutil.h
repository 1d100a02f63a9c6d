/* Helpers shared by the tests: running the real binary, reading files. */
#pragma once

#include <glib.h>

/* Runs the built reclaimsim with `argv` (NULL-terminated, without argv[0]).
 * Returns the exit code; stdout/stderr are returned when the pointers are set. */
int test_run_binary(const char *const *argv, char **out, char **err);

/* A fresh temporary directory, removed by test_rmtree(). */
char *test_tmpdir(void);
void test_rmtree(const char *path);
/* A cmocka setup and teardown that give a test a fresh test_tmpdir() as its
 * state and remove it after the test, even when it fails. */
int test_tmpdir_setup(void **state);
int test_tmpdir_teardown(void **state);
/* The names of the entries of `dir` (hidden ones too), sorted, joined by spaces. */
char *test_list_dir(const char *dir);

/* Absolute path of a file under the source tree. */
char *test_source_path(const char *relative);

/* The state of a test that runs one shipped scenario: a fresh temporary
 * folder and the scenario's absolute path (test_source_path). */
typedef struct TestScenario {
    char *tmp;
    char *scenario;
} TestScenario;
TestScenario *test_scenario_new(const char *relative);
void test_scenario_free(TestScenario *t);

/* The text of DIR/NAME; aborts the test when it cannot be read. */
char *test_read_file(const char *dir, const char *name);

/* A run's plain CSV file (host.csv, vms.csv) as rows of cells (char **). */
GPtrArray *test_csv_rows(const char *dir, const char *name);
/* The index of column `name` in a header row; aborts the test when absent. */
int test_csv_column(char **header, const char *name);

/* The sqlite3 tool's output for `query` on `db` (-batch, cells apart by
 * '|', waiting up to 10 s for a lock the writer holds); NULL when it
 * fails, with its stderr in *err when err is not NULL. */
char *test_sqlite3(const char *db, const char *query, char **err);
/* test_sqlite3 on DIR/FILE; aborts the test, with sqlite3's message, when
 * it fails. */
char *test_sql(const char *dir, const char *file, const char *query);
