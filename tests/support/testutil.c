#include "support/testutil.h"

#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stddef.h>

#include <cmocka.h>

int test_run_binary(const char *const *argv, char **out, char **err)
{
    GPtrArray *args = g_ptr_array_new();
    g_ptr_array_add(args, (gpointer)RECLAIMSIM_BIN);
    for (const char *const *a = argv; *a != NULL; a++) {
        g_ptr_array_add(args, (gpointer)*a);
    }
    g_ptr_array_add(args, NULL);
    int status = 0;
    GError *error = NULL;
    gboolean ok = g_spawn_sync(NULL, (char **)args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               out, err, &status, &error);
    g_ptr_array_free(args, TRUE);
    if (!ok) {
        g_printerr("spawn failed: %s\n", error->message);
        g_error_free(error);
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char *test_sqlite3(const char *db, const char *query, char **err)
{
    const char *argv[] = {"sqlite3", "-batch", "-cmd", ".timeout 10000", db, query, NULL};
    char *out = NULL;
    char *stderr_text = NULL;
    int status = 0;
    bool ran = g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                            &stderr_text, &status, NULL) &&
               g_spawn_check_wait_status(status, NULL);
    if (err != NULL) {
        *err = stderr_text;
    } else {
        g_free(stderr_text);
    }
    if (!ran) {
        g_clear_pointer(&out, g_free);
    }
    return out;
}

char *test_sql(const char *dir, const char *file, const char *query)
{
    g_autofree char *db = g_build_filename(dir, file, NULL);
    g_autofree char *err = NULL;
    char *out = test_sqlite3(db, query, &err);
    if (out == NULL) {
        g_error("sqlite3 %s \"%s\": %s", db, query, err);
    }
    return out;
}

char *test_read_file(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;
    GError *error = NULL;
    if (!g_file_get_contents(path, &text, NULL, &error)) {
        g_error("%s", error->message);
    }
    return text;
}

TestScenario *test_scenario_new(const char *relative)
{
    TestScenario *t = g_new0(TestScenario, 1);
    t->tmp = test_tmpdir();
    t->scenario = test_source_path(relative);
    return t;
}

void test_scenario_free(TestScenario *t)
{
    test_rmtree(t->tmp);
    g_free(t->tmp);
    g_free(t->scenario);
    g_free(t);
}

char *test_tmpdir(void)
{
    GError *error = NULL;
    char *dir = g_dir_make_tmp("reclaimsim-test-XXXXXX", &error);
    g_assert_no_error(error);
    return dir;
}

static void rmtree_in(const char *path)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR) && !g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
        GDir *dir = g_dir_open(path, 0, NULL);
        const char *name = NULL;
        while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
            char *child = g_build_filename(path, name, NULL);
            rmtree_in(child);
            g_free(child);
        }
        if (dir != NULL) {
            g_dir_close(dir);
        }
        g_rmdir(path);
    } else {
        g_unlink(path);
    }
}

void test_rmtree(const char *path)
{
    if (path != NULL) {
        rmtree_in(path);
    }
}

int test_tmpdir_setup(void **state)
{
    *state = test_tmpdir();
    return 0;
}

int test_tmpdir_teardown(void **state)
{
    test_rmtree(*state);
    g_free(*state);
    return 0;
}

char *test_source_path(const char *relative)
{
    return g_build_filename(RECLAIMSIM_SOURCE_DIR, relative, NULL);
}

/* ---- model helpers (tests/support/model.h) ---- */
#include "support/model.h"

static TestModel *model_from_scenario(SimScenario *sc)
{
    TestModel *m = g_new0(TestModel, 1);
    m->scenario = sc;
    m->violation = g_string_new(NULL);
    GError *error = NULL;
    m->run = sim_run_new(sc, NULL, &error);
    g_assert_no_error(error);
    return m;
}

SimScenario *test_scenario_load_ok(const char *text)
{
    GError *error = NULL;
    SimScenario *sc = sim_scenario_load_text("t.json", text, strlen(text), &error);
    if (sc == NULL) {
        g_error("%s", error->message);
    }
    return sc;
}

TestModel *test_model_new(const char *json)
{
    GError *error = NULL;
    SimScenario *sc = sim_scenario_load_text("test.json", json, strlen(json), &error);
    g_assert_no_error(error);
    return model_from_scenario(sc);
}

TestModel *test_model_newf(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    g_autofree char *json = g_strdup_vprintf(format, args);
    va_end(args);
    return test_model_new(json);
}

TestModel *test_model_from_file_with_sets(const char *relative, const char *const *sets)
{
    GError *error = NULL;
    char *path = test_source_path(relative);
    SimScenario *sc = sim_scenario_load_with_overrides(path, sets, &error);
    g_free(path);
    g_assert_no_error(error);
    return model_from_scenario(sc);
}

TestModel *test_model_from_file_with(const char *relative, const char *set)
{
    const char *sets[] = {set, NULL};
    return test_model_from_file_with_sets(relative, set != NULL ? sets : NULL);
}

TestModel *test_model_from_file(const char *relative)
{
    return test_model_from_file_with(relative, NULL);
}

static void check_hook(SimRun *run, void *data)
{
    TestModel *m = data;
    m->checks++;
    if (m->violation->len == 0 && !sim_run_check(run, m->violation)) {
        g_string_prepend(m->violation, "conservation broken: ");
        g_string_append_printf(m->violation, " at t=%.3f s", sim_time_to_s(sim_run_now(run)));
    }
}

void test_model_check_every_event(TestModel *m)
{
    sim_run_set_hook(m->run, check_hook, m);
}

void test_model_free(TestModel *m)
{
    if (m == NULL) {
        return;
    }
    sim_run_free(m->run);
    sim_scenario_free(m->scenario);
    g_string_free(m->violation, TRUE);
    g_free(m);
}

const SimVmSample *test_model_last_vm(const TestModel *m, guint vm)
{
    const SimRecorder *rec = sim_run_recorder(m->run);
    guint n = sim_recorder_n_samples(rec);
    g_assert(n > 0);
    return sim_recorder_vm_sample(rec, n - 1, vm);
}

void test_model_execute(TestModel *m)
{
    GError *error = NULL;
    sim_run_execute(m->run, &error);
    g_assert_no_error(error);
}

double test_model_fleet_mean_perf(const TestModel *m)
{
    guint n = m->scenario->vms->len;
    double sum = 0;
    for (guint i = 0; i < n; i++) {
        sum += test_model_mean_perf(m, i);
    }
    return n > 0 ? sum / n : 0.0;
}

/* The run's own figure (as summary.json's), not a mean over the samples. */
double test_model_mean_perf(const TestModel *m, guint vm)
{
    const SimRunTotals *t = sim_run_totals(m->run);
    g_assert(vm < t->n_vms);
    return t->vms[vm].mean.perf_index;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *test_list_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (const char *name = g_dir_read_name(d); name != NULL; name = g_dir_read_name(d)) {
        g_ptr_array_add(names, g_strdup(name));
    }
    g_dir_close(d);
    g_ptr_array_sort(names, compare_names);
    g_ptr_array_add(names, NULL);
    char *joined = g_strjoinv(" ", (char **)names->pdata);
    g_ptr_array_unref(names);
    return joined;
}

/* A run's plain CSV file (host.csv, vms.csv) as rows of cells: no quoting,
 * which the tests' VM names do not need. Free with g_ptr_array_unref. */
GPtrArray *test_csv_rows(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++) {
        g_ptr_array_add(rows, g_strsplit(lines[i], ",", -1));
    }
    return rows;
}

/* The index of column `name` in a header row; aborts the test when absent. */
int test_csv_column(char **header, const char *name)
{
    for (int c = 0; header[c] != NULL; c++) {
        if (strcmp(header[c], name) == 0) {
            return c;
        }
    }
    g_error("no column %s", name);
    return -1;
}

void test_assert_same_lists(const HostPages *a, const HostPages *b)
{
    for (unsigned cls = 0; cls < HOST_USE_MAX * HOST_RES_MAX; cls++) {
        uint32_t n = sim_partition_count(a->lists, cls);
        assert_int_equal(sim_partition_count(b->lists, cls), n);
        for (uint32_t i = 0; i < n; i++) {
            assert_int_equal(sim_partition_member(a->lists, cls, i),
                             sim_partition_member(b->lists, cls, i));
        }
    }
    assert_memory_equal(a->count, b->count, sizeof(a->count));
}
