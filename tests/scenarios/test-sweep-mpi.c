/* `reclaimsim sweep` under Open MPI's mpirun (issue 13, item 4), built and
 * registered only with MPI: three ranks on this machine (--oversubscribe)
 * give the database and CSV of one process, to the byte; a usage error
 * under mpirun exits 2 and the job ends; an mpirun sweep interrupted
 * (SIGINT to mpirun, which sends SIGTERM to the ranks) and rerun under
 * mpirun gives the database of an uninterrupted single-process sweep.
 * mpirun refuses root unless told: the allow-run-as-root variables are set
 * in the child's environment only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>

#include "support/testutil.h"

#define PAGES "host.page_size=2MiB"

typedef TestScenario Fixture;

static int setup(void **state)
{
    *state = test_scenario_new("scenarios/limit.json");
    return 0;
}

static int teardown(void **state)
{
    test_scenario_free(*state);
    return 0;
}

/* The environment of mpirun: root allowed; under ASan, Open MPI's own
 * leaks at exit suppressed (tests/scenarios/lsan-mpi.supp), which needs
 * its components kept loaded and whole stacks (the slow unwinder: Open MPI
 * is built without frame pointers) to name the library. */
static char **mpi_env(void)
{
    char **env = g_get_environ();
    env = g_environ_setenv(env, "OMPI_ALLOW_RUN_AS_ROOT", "1", TRUE);
    env = g_environ_setenv(env, "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", TRUE);
    env = g_environ_setenv(env, "OMPI_MCA_mca_base_component_disable_dlclose", "1", TRUE);
    g_autofree char *lsan = g_strdup_printf(
        "suppressions=%s/scenarios/lsan-mpi.supp:print_suppressions=0:fast_unwind_on_malloc=0",
        RECLAIMSIM_TESTS_DIR);
    return g_environ_setenv(env, "LSAN_OPTIONS", lsan, TRUE);
}

/* argv of `mpirun --oversubscribe -np N reclaimsim ARGS...` (NULL-ended). */
static GPtrArray *mpi_argv(int np, const char *const *args)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(a, g_strdup(MPIEXEC));
    g_ptr_array_add(a, g_strdup("--oversubscribe"));
    g_ptr_array_add(a, g_strdup("-np"));
    g_ptr_array_add(a, g_strdup_printf("%d", np));
    g_ptr_array_add(a, g_strdup(RECLAIMSIM_BIN));
    for (guint i = 0; args[i] != NULL; i++) {
        g_ptr_array_add(a, g_strdup(args[i]));
    }
    g_ptr_array_add(a, NULL);
    return a;
}

/* Runs mpirun to its end; its exit code, -1 for a signal. */
/* Under the sanitizers, the leak checker of each rank symbolizes Open MPI's
 * suppressed leaks at exit and, on some mapping of Open MPI's that is not an
 * object file, prints "LLVMSymbolizer: error reading file: ...": the tool's
 * words, not reclaimsim's, so they are taken out of what the ranks said. */
static void drop_symbolizer_noise(char *err)
{
    static const char noise[] = "LLVMSymbolizer: error reading file:";
    GString *kept = g_string_new(NULL);
    for (char *line = err; *line != '\0';) {
        char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) + 1 : strlen(line);
        if (strncmp(line, noise, sizeof(noise) - 1) != 0) {
            g_string_append_len(kept, line, (gssize)len);
        }
        line += len;
    }
    memcpy(err, kept->str, kept->len + 1);
    g_string_free(kept, TRUE);
}

static int mpirun(int np, const char *const *args, char **err)
{
    g_autoptr(GPtrArray) a = mpi_argv(np, args);
    g_auto(GStrv) env = mpi_env();
    int status = 0;
    GError *error = NULL;
    g_autofree char *out = NULL;
    if (!g_spawn_sync(NULL, (char **)a->pdata, env, G_SPAWN_DEFAULT, NULL, NULL, &out, err,
                      &status, &error)) {
        fail_msg("mpirun: %s", error->message);
    }
    if (err != NULL && *err != NULL) {
        drop_symbolizer_noise(*err);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The sqlite3 tool's output for `query` on DIR/sweep.sqlite; NULL when it
 * fails (a database the run has not made yet). */
static char *sql(const char *dir, const char *query)
{
    g_autofree char *db = g_build_filename(dir, "sweep.sqlite", NULL);
    return test_sqlite3(db, query, NULL);
}

static guint64 count_points(const char *dir)
{
    g_autofree char *db = g_build_filename(dir, "sweep.sqlite", NULL);
    g_autofree char *n = g_file_test(db, G_FILE_TEST_EXISTS)
                             ? sql(dir, "SELECT count(*) FROM points")
                             : NULL;
    return n != NULL ? g_ascii_strtoull(n, NULL, 10) : 0;
}

static void assert_same_sweep(const char *a, const char *b)
{
    g_autofree char *da = sql(a, ".dump");
    g_autofree char *db = sql(b, ".dump");
    assert_non_null(da);
    assert_string_equal(da, db);
    g_autofree char *ca = test_read_file(a, "sweep.csv");
    g_autofree char *cb = test_read_file(b, "sweep.csv");
    assert_string_equal(ca, cb);
}

/* 2 sizes x 2 policies x 3 seeds: 12 points of ten simulated minutes. */
#define GRID                                                                                   \
    "--vary", "host.memory=8GiB:12GiB:4GiB", "--policies", "esxi,kvm-mom", "--seeds", "3",     \
        "--set", "duration=10m", "--set", PAGES, "--set", "sla.perf_index=0.5", "-q"

static void test_three_ranks_same_db(void **state)
{
    Fixture *f = *state;
    g_autofree char *one = g_build_filename(f->tmp, "one", NULL);
    g_autofree char *three = g_build_filename(f->tmp, "three", NULL);
    const char *alone[] = {"sweep", f->scenario, GRID, "--jobs", "1", "-o", one, NULL};
    assert_int_equal(test_run_binary(alone, NULL, NULL), 0);
    const char *ranks[] = {"sweep", f->scenario, GRID, "-o", three, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(mpirun(3, ranks, &err), 0);
    assert_string_equal(err, "");
    assert_int_equal(count_points(three), 12);
    assert_same_sweep(one, three);
    /* the built-in default scenario goes to the ranks too */
    g_autofree char *d1 = g_build_filename(f->tmp, "d1", NULL);
    g_autofree char *d3 = g_build_filename(f->tmp, "d3", NULL);
    const char *def1[] = {"sweep", "--vary", "host.memory=48GiB,64GiB", "--set", "duration=1m",
                          "--set", PAGES, "-q", "--jobs", "1", "-o", d1, NULL};
    const char *def3[] = {"sweep", "--vary", "host.memory=48GiB,64GiB", "--set", "duration=1m",
                          "--set", PAGES, "-q", "-o", d3, NULL};
    assert_int_equal(test_run_binary(def1, NULL, NULL), 0);
    assert_int_equal(mpirun(3, def3, NULL), 0);
    assert_same_sweep(d1, d3);
}

/* Exit 2 under mpirun, before anything is made, and the job ends: the
 * other ranks were told to stop. */
static void test_usage_error_ends_job(void **state)
{
    Fixture *f = *state;
    g_autofree char *out = g_build_filename(f->tmp, "bad", NULL);
    const char *bad_vary[] = {"sweep", f->scenario, "--vary", "host.memroy=8GiB", "-o", out, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(mpirun(3, bad_vary, &err), 2);
    assert_non_null(strstr(err, "unknown key \"memroy\""));
    assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
    const char *bad_option[] = {"sweep", f->scenario, "--no-such-option", NULL};
    g_autofree char *o_err = NULL;
    assert_int_equal(mpirun(2, bad_option, &o_err), 2);
    assert_non_null(strstr(o_err, "reclaimsim: Unknown option --no-such-option"));
    const char *version[] = {"--version", NULL};
    g_autofree char *v_err = NULL;
    assert_int_equal(mpirun(2, version, &v_err), 0);
    assert_string_equal(v_err, "");
}

/* 8 sizes x 4 seeds: 32 points of a fifth of a second or so (4 KiB
 * pages), long enough to interrupt in the middle. */
#define LONG_GRID                                                                             \
    "--vary", "host.memory=8GiB:15GiB:1GiB", "--seeds", "4", "--set", "duration=2m", "-q"
#define LONG_POINTS 32

static void test_interrupt_and_resume(void **state)
{
    Fixture *f = *state;
    g_autofree char *whole = g_build_filename(f->tmp, "whole", NULL);
    g_autofree char *cut = g_build_filename(f->tmp, "cut", NULL);
    const char *alone[] = {"sweep", f->scenario, LONG_GRID, "--jobs", "2", "-o", whole, NULL};
    assert_int_equal(test_run_binary(alone, NULL, NULL), 0);
    const char *ranks[] = {"sweep", f->scenario, LONG_GRID, "-o", cut, NULL};
    g_autoptr(GPtrArray) a = mpi_argv(3, ranks);
    g_auto(GStrv) env = mpi_env();
    GPid pid = 0;
    GError *error = NULL;
    if (!g_spawn_async(NULL, (char **)a->pdata, env,
                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                           G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, &pid, &error)) {
        fail_msg("mpirun: %s", error->message);
    }
    int status = 0;
    while (count_points(cut) < 10 && waitpid(pid, &status, WNOHANG) == 0) {
        g_usleep(20 * 1000);
    }
    kill(pid, SIGINT);
    waitpid(pid, &status, 0);
    assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    guint64 kept = count_points(cut);
    assert_true(kept >= 10 && kept < LONG_POINTS);
    g_autofree char *csv = g_build_filename(cut, "sweep.csv", NULL);
    assert_false(g_file_test(csv, G_FILE_TEST_EXISTS));
    assert_int_equal(mpirun(3, ranks, NULL), 0);
    assert_same_sweep(cut, whole);
}

/* capacity under mpirun: its rounds of probes go to the ranks through
 * the same runner; the database and capacity.json equal a single
 * process's. */
static void test_capacity_three_ranks(void **state)
{
    Fixture *f = *state;
    g_autofree char *small = test_source_path("tests/data/capacity/small.json");
    g_autofree char *one = g_build_filename(f->tmp, "cap1", NULL);
    g_autofree char *three = g_build_filename(f->tmp, "cap3", NULL);
    const char *alone[] = {"capacity", small, "--grow", "web", "--seeds", "2", "--policies",
                           "esxi,kvm-mom", "-q", "--jobs", "1", "-o", one, NULL};
    const char *ranks[] = {"capacity", small, "--grow", "web", "--seeds", "2", "--policies",
                           "esxi,kvm-mom", "-q", "-o", three, NULL};
    assert_int_equal(test_run_binary(alone, NULL, NULL), 0);
    assert_int_equal(mpirun(3, ranks, NULL), 0);
    g_autofree char *db1 = g_build_filename(one, "capacity.sqlite", NULL);
    g_autofree char *db3 = g_build_filename(three, "capacity.sqlite", NULL);
    const char *d1[] = {"sqlite3", "-batch", db1, ".dump", NULL};
    const char *d3[] = {"sqlite3", "-batch", db3, ".dump", NULL};
    g_autofree char *dump1 = NULL;
    g_autofree char *dump3 = NULL;
    assert_true(g_spawn_sync(NULL, (char **)d1, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &dump1,
                             NULL, NULL, NULL));
    assert_true(g_spawn_sync(NULL, (char **)d3, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &dump3,
                             NULL, NULL, NULL));
    assert_non_null(strstr(dump1, "INSERT INTO points"));
    assert_string_equal(dump1, dump3);
    g_autofree char *j1 = test_read_file(one, "capacity.json");
    g_autofree char *j3 = test_read_file(three, "capacity.json");
    assert_string_equal(j1, j3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_usage_error_ends_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_three_ranks_same_db, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupt_and_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_capacity_three_ranks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
