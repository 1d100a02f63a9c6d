/* `reclaimsim sweep` through the real binary (issue 13): the grid's points
 * in grid order in DIR/sweep.sqlite, read back with the sqlite3 tool; the
 * same rows at --jobs 1 and 2; an interrupted sweep (SIGINT, SIGKILL)
 * resumed by the same command gives the rows of an uninterrupted one; a
 * point's figures are those of `run` on that point (its summary.json), and
 * a resumed sweep makes the plots and report of an uninterrupted one; a
 * failing point is recorded and exits 1; bad --vary and foreign DIRs exit 2
 * and touch nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>

#include "support/testutil.h"

/* scenarios/limit.json: one VM under a limit on a small host; a minute is
 * enough for every state; 2 MiB pages make a point take milliseconds. */
#define DURATION "duration=1m"
#define PAGES "host.page_size=2MiB"
#define SLA "sla.perf_index=0.5"

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

/* The sweep every test runs unless it says otherwise: 2 sizes x 2
 * policies x 2 seeds = 8 points. `extra` are more arguments (NULL-ended). */
static int sweep(const Fixture *f, const char *out, const char *jobs, const char *const *extra,
                 char **err)
{
    g_autoptr(GPtrArray) a = g_ptr_array_new();
    const char *base[] = {"sweep",      f->scenario,
                          "--vary",     "host.memory=8GiB:12GiB:4GiB",
                          "--policies", "esxi,kvm-mom",
                          "--seeds",    "2",
                          "--set",      DURATION,
                          "--set",      PAGES,
                          "--set",      SLA,
                          "--jobs",     jobs,
                          "-q",         "-o",
                          out};
    for (guint i = 0; i < G_N_ELEMENTS(base); i++) {
        g_ptr_array_add(a, (gpointer)base[i]);
    }
    for (guint i = 0; extra != NULL && extra[i] != NULL; i++) {
        g_ptr_array_add(a, (gpointer)extra[i]);
    }
    g_ptr_array_add(a, NULL);
    return test_run_binary((const char *const *)a->pdata, NULL, err);
}

/* The sqlite3 tool's output for `query` on DB (-batch, '|' separated),
 * NULL when it fails and `may_fail`. */
static char *sql_run(const char *db, const char *query, bool may_fail)
{
    g_autofree char *err = NULL;
    char *out = test_sqlite3(db, query, &err);
    if (out == NULL && !may_fail) {
        fail_msg("sqlite3 %s \"%s\": %s", db, query, err);
    }
    return out;
}

static char *sql(const char *db, const char *query)
{
    return sql_run(db, query, false);
}

static char *dump(const char *dir)
{
    g_autofree char *db = g_build_filename(dir, "sweep.sqlite", NULL);
    return sql(db, ".dump");
}

/* Points in DIR's database; 0 before it has its tables. */
static guint64 count_points(const char *dir)
{
    g_autofree char *db = g_build_filename(dir, "sweep.sqlite", NULL);
    if (!g_file_test(db, G_FILE_TEST_EXISTS)) {
        return 0;
    }
    g_autofree char *n = sql_run(db, "SELECT count(*) FROM points", true);
    return n != NULL ? g_ascii_strtoull(n, NULL, 10) : 0;
}

/* Points in grid order: the first --vary slowest, then policy, then seed;
 * every figure of compare's row, and the same bytes at --jobs 1 and 2. */
static void test_jobs(void **state)
{
    Fixture *f = *state;
    g_autofree char *one = g_build_filename(f->tmp, "one", NULL);
    g_autofree char *two = g_build_filename(f->tmp, "two", NULL);
    g_autofree char *err = NULL;
    assert_int_equal(sweep(f, one, "1", NULL, &err), 0);
    g_clear_pointer(&err, g_free);
    assert_int_equal(sweep(f, two, "2", NULL, &err), 0);
    g_autofree char *db = g_build_filename(one, "sweep.sqlite", NULL);
    g_autofree char *rows = sql(db, "SELECT id, \"host.memory\", \"host.memory_mib\", policy, "
                                    "seed, status FROM points ORDER BY id");
    assert_string_equal(rows, "0|8GiB|8192.0|esxi|1|ok\n"
                              "1|8GiB|8192.0|esxi|2|ok\n"
                              "2|8GiB|8192.0|kvm-mom|1|ok\n"
                              "3|8GiB|8192.0|kvm-mom|2|ok\n"
                              "4|12GiB|12288.0|esxi|1|ok\n"
                              "5|12GiB|12288.0|esxi|2|ok\n"
                              "6|12GiB|12288.0|kvm-mom|1|ok\n"
                              "7|12GiB|12288.0|kvm-mom|2|ok\n");
    /* every figure has a value on a run with an SLA */
    g_autofree char *nulls = sql(db, "SELECT count(*) FROM points WHERE sla_met IS NULL OR "
                                     "perf_index_mean IS NULL OR below_sla_vm_s IS NULL OR "
                                     "peak_swapped_mb IS NULL OR time_low_s IS NULL");
    assert_string_equal(nulls, "0\n");
    g_autofree char *index = sql(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                     "tbl_name = 'points'");
    assert_string_equal(index, "points_vary_0\n");
    g_autofree char *d1 = dump(one);
    g_autofree char *d2 = dump(two);
    assert_string_equal(d1, d2);
    g_autofree char *c1 = test_read_file(one, "sweep.csv");
    g_autofree char *c2 = test_read_file(two, "sweep.csv");
    assert_string_equal(c1, c2);
    assert_true(g_str_has_prefix(c1, "id,host.memory,host.memory_mib,policy,seed,status,error,"));
    g_auto(GStrv) lines = g_strsplit(c1, "\n", -1);
    assert_int_equal(g_strv_length(lines) - 1, 8 + 1);
}

/* A point's row against `run` of that point: summary.json's figures. */
static void test_point_is_run(void **state)
{
    Fixture *f = *state;
    g_autofree char *out = g_build_filename(f->tmp, "sweep", NULL);
    g_autofree char *run = g_build_filename(f->tmp, "run", NULL);
    assert_int_equal(sweep(f, out, "2", NULL, NULL), 0);
    const char *argv[] = {"run",      f->scenario, "--set",  DURATION, "--set",
                          PAGES,      "--set",     SLA,      "--set",  "host.memory=12GiB",
                          "--policy", "kvm-mom",   "--seed", "2",      "-q",
                          "-o",       run,         NULL};
    assert_int_equal(test_run_binary(argv, NULL, NULL), 0);
    g_autofree char *path = g_build_filename(run, "summary.json", NULL);
    json_t *s = json_load_file(path, 0, NULL);
    assert_non_null(s);
    g_autofree char *db = g_build_filename(out, "sweep.sqlite", NULL);
    g_autofree char *row = sql(db, "SELECT perf_index_mean, sla_met, peak_balloon_mb, "
                                   "peak_swapped_mb, time_soft_s, time_low_s, worst_vm "
                                   "FROM points WHERE id = 7");
    g_auto(GStrv) cell = g_strsplit(g_strstrip(row), "|", -1);
    assert_int_equal(g_strv_length(cell), 7);
    json_t *host = json_object_get(s, "host");
    json_t *rec = json_object_get(host, "reclaimed_mb");
    json_t *states = json_object_get(host, "time_in_state_s");
    json_t *sla = json_object_get(s, "sla");
    /* one VM: its mean is the mean over the VMs; summary.json rounds to 4 decimals */
    json_t *vm = json_array_get(json_object_get(s, "vms"), 0);
    assert_int_equal(json_array_size(json_object_get(s, "vms")), 1);
    assert_true(
        fabs(g_ascii_strtod(cell[0], NULL) -
             json_number_value(json_object_get(json_object_get(vm, "mean"), "perf_index"))) < 1e-4);
    assert_int_equal(atoi(cell[1]), json_is_true(json_object_get(sla, "met")));
    assert_true(fabs(g_ascii_strtod(cell[2], NULL) -
                     json_number_value(json_object_get(rec, "balloon"))) < 1e-4);
    assert_true(fabs(g_ascii_strtod(cell[3], NULL) -
                     json_number_value(json_object_get(rec, "swapped"))) < 1e-4);
    assert_true(fabs(g_ascii_strtod(cell[4], NULL) -
                     json_number_value(json_object_get(states, "soft"))) < 1e-4);
    assert_true(fabs(g_ascii_strtod(cell[5], NULL) -
                     json_number_value(json_object_get(states, "low"))) < 1e-4);
    assert_string_equal(cell[6], json_string_value(json_object_get(sla, "worst_vm")));
    assert_true(json_number_value(json_object_get(rec, "swapped")) > 0); /* not a trivial point */
    json_decref(s);
}

/* The long sweep of the resume tests: 8 x 2 x 12 = 192 points of ten
 * simulated minutes, one at a time, a few seconds in all. */
#define LONG_POINTS 192
static GPid start_long(const Fixture *f, const char *out)
{
    const char *argv[] = {
        RECLAIMSIM_BIN, "sweep",        f->scenario, "--vary", "host.memory=8GiB:15GiB:1GiB",
        "--policies",   "esxi,kvm-mom", "--seeds",   "12",     "--set",
        "duration=10m", "--set",        PAGES,       "--jobs", "1",
        "-q",           "-o",           out,         NULL};
    GPid pid = 0;
    GError *error = NULL;
    if (!g_spawn_async(NULL, (char **)argv, NULL,
                       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                           G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, &pid, &error)) {
        fail_msg("spawn: %s", error->message);
    }
    return pid;
}

static int run_long(const Fixture *f, const char *out)
{
    GPid pid = start_long(f, out);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Kills the sweep with `signo` once ten points are in the database (polled,
 * no fixed sleep), reruns the same command and compares with `whole`. */
static void interrupt_and_resume(const Fixture *f, int signo, const char *whole)
{
    g_autofree char *name = g_strdup_printf("cut-%d", signo);
    g_autofree char *out = g_build_filename(f->tmp, name, NULL);
    GPid pid = start_long(f, out);
    int status = 0;
    while (count_points(out) < 10 && waitpid(pid, &status, WNOHANG) == 0) {
        g_usleep(20 * 1000);
    }
    kill(pid, signo);
    waitpid(pid, &status, 0);
    assert_true(WIFSIGNALED(status)); /* died of it, as `run` does on SIGINT */
    assert_int_equal(WTERMSIG(status), signo);
    guint64 kept = count_points(out);
    assert_true(kept >= 10 && kept < LONG_POINTS);
    g_autofree char *csv = g_build_filename(out, "sweep.csv", NULL);
    assert_false(g_file_test(csv, G_FILE_TEST_EXISTS));
    assert_int_equal(run_long(f, out), 0);
    g_autofree char *a = dump(out);
    g_autofree char *b = dump(whole);
    assert_string_equal(a, b);
    g_autofree char *ca = test_read_file(out, "sweep.csv");
    g_autofree char *cb = test_read_file(whole, "sweep.csv");
    assert_string_equal(ca, cb);
    /* the resumed sweep made its plots and report, the same as the whole one's */
    g_autofree char *ra = test_read_file(out, "report.html");
    g_autofree char *rb = test_read_file(whole, "report.html");
    assert_string_equal(ra, rb);
    g_autofree char *pa = test_read_file(out, "plots/sweep-perf.dat");
    g_autofree char *pb = test_read_file(whole, "plots/sweep-perf.dat");
    assert_string_equal(pa, pb);
}

static void test_resume(void **state)
{
    Fixture *f = *state;
    g_autofree char *whole = g_build_filename(f->tmp, "whole", NULL);
    assert_int_equal(run_long(f, whole), 0);
    assert_int_equal(count_points(whole), LONG_POINTS);
    interrupt_and_resume(f, SIGINT, whole);
    interrupt_and_resume(f, SIGKILL, whole);
    /* a rerun of a finished sweep runs nothing and changes nothing */
    g_autofree char *before = dump(whole);
    assert_int_equal(run_long(f, whole), 0);
    g_autofree char *after = dump(whole);
    assert_string_equal(before, after);
}

/* A point that cannot load is recorded with its error; the others run;
 * exit 1 names the database. */
static void test_failed_point(void **state)
{
    Fixture *f = *state;
    g_autofree char *out = g_build_filename(f->tmp, "fail", NULL);
    /* each value loads beside the others' first values; only 3 GiB of
     * host memory with 4 GiB of overhead does not */
    const char *argv[] = {"sweep", f->scenario, "--vary", "host.memory=8GiB,3GiB", "--vary",
                          "host.overhead=2GiB,4GiB", "--set", DURATION, "--set", PAGES,
                          "-q",    "-o",        out,      NULL};
    g_autofree char *err = NULL;
    assert_int_equal(test_run_binary(argv, NULL, &err), 1);
    assert_non_null(strstr(err, "1 of 4 points failed"));
    g_autofree char *db = g_build_filename(out, "sweep.sqlite", NULL);
    g_autofree char *rows = sql(db, "SELECT id, status, error IS NULL, perf_index_mean IS NULL "
                                    "FROM points ORDER BY id");
    assert_string_equal(rows, "0|ok|1|0\n1|ok|1|0\n2|ok|1|0\n3|failed|0|1\n");
    g_autofree char *e = sql(db, "SELECT error FROM points WHERE id = 3");
    assert_non_null(strstr(e, "must be smaller than host memory"));
    g_autofree char *csv = test_read_file(out, "sweep.csv");
    /* the policy and seed are the loaded scenario's: unknown here */
    assert_non_null(strstr(csv, "\n3,3GiB,3072.0,4GiB,4096.0,,,failed,"));
}

/* --keep-runs: DIR/runs/ID is a run's output folder of that point. */
static void test_keep_runs(void **state)
{
    Fixture *f = *state;
    g_autofree char *out = g_build_filename(f->tmp, "keep", NULL);
    const char *argv[] = {"sweep",       f->scenario, "--vary", "host.memory=8GiB,12GiB",
                          "--set",       DURATION,    "--set",  PAGES,
                          "--keep-runs", "-q",        "-o",     out,
                          NULL};
    assert_int_equal(test_run_binary(argv, NULL, NULL), 0);
    g_autofree char *runs = g_build_filename(out, "runs", NULL);
    g_autofree char *list = test_list_dir(runs);
    assert_string_equal(list, "0 1");
    g_autofree char *one = g_build_filename(runs, "1", NULL);
    g_autofree char *files = test_list_dir(one);
    assert_string_equal(files, ".reclaimsim-output esxtop.csv host.csv summary.json vms.csv");
    g_autofree char *path = g_build_filename(one, "summary.json", NULL);
    json_t *s = json_load_file(path, 0, NULL);
    assert_true(json_number_value(json_object_get(json_object_get(s, "host"), "memory_mb")) ==
                12288.0);
    json_decref(s);
}

/* Usage errors: exit 2, one line, no DIR made. */
static void check_usage(const Fixture *f, const char *const *args, const char *want)
{
    g_autofree char *out = g_build_filename(f->tmp, "bad", NULL);
    g_autoptr(GPtrArray) a = g_ptr_array_new();
    g_ptr_array_add(a, (gpointer) "sweep");
    g_ptr_array_add(a, f->scenario);
    for (guint i = 0; args[i] != NULL; i++) {
        g_ptr_array_add(a, (gpointer)args[i]);
    }
    g_ptr_array_add(a, (gpointer) "-o");
    g_ptr_array_add(a, out);
    g_ptr_array_add(a, NULL);
    g_autofree char *err = NULL;
    assert_int_equal(test_run_binary((const char *const *)a->pdata, NULL, &err), 2);
    if (!g_str_has_prefix(err, want) || strchr(err, '\n') != err + strlen(err) - 1) {
        fail_msg("got \"%s\", want \"%s...\"", err, want);
    }
    assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
}

static void test_usage(void **state)
{
    Fixture *f = *state;
    check_usage(f, (const char *[]){"--vary", "host.memory=8GiB:16GiB:0B", NULL},
                "--vary host.memory=8GiB:16GiB:0B: error: the step is 0");
    check_usage(f, (const char *[]){"--vary", "host.memory=16GiB:8GiB:4GiB", NULL},
                "--vary host.memory=16GiB:8GiB:4GiB: error: the range is empty");
    check_usage(f, (const char *[]){"--vary", "host.memory=8GiB:1h:1GiB", NULL},
                "--vary host.memory=8GiB:1h:1GiB: error: FROM, TO and STEP must be of one kind");
    check_usage(f, (const char *[]){"--vary", "x=0:2000000:1", NULL},
                "--vary x=0:2000000:1: error: 2000001 values, more than a sweep may have");
    check_usage(f, (const char *[]){"--vary", "host.memroy=8GiB,16GiB", NULL},
                "--set host.memroy=8GiB: error: unknown key \"memroy\"");
    check_usage(f, (const char *[]){"--vary", "host.memory=lots,16GiB", NULL},
                "--set host.memory=lots: error: cannot parse size \"lots\"");
    /* a later value, the far end of a range, a policy's setting: all
     * found before anything runs */
    check_usage(f, (const char *[]){"--vary", "host.memory=16GiB,lots", NULL},
                "--set host.memory=lots: error: cannot parse size \"lots\"");
    check_usage(f, (const char *[]){"--vary", "vms.0.count=1,2", "--vary",
                                    "sla.perf_index=0.5:1.5:0.5", NULL},
                "--set sla.perf_index=1.5: error: ");
    check_usage(f, (const char *[]){"--vary", "vms.0.count=1,2", "--set", "vms.0.count=3", NULL},
                "--vary vms.0.count=1,2: error: --set vms.0.count=3 gives the same key");
    check_usage(f, (const char *[]){"--policies", "esxi,nope", NULL},
                "reclaimsim: --policies: unknown policy \"nope\"");
    check_usage(f, (const char *[]){"--seeds", "0", NULL},
                "reclaimsim: --seeds: expected a whole number from 1 to 1000000");
    check_usage(f, (const char *[]){"--policy", "esxi", NULL},
                "reclaimsim: sweep takes no --policy");
}

/* DIR holding anything but this sweep is refused and left as it was. */
static void test_foreign_dir(void **state)
{
    Fixture *f = *state;
    g_autofree char *mine = g_build_filename(f->tmp, "mine", NULL);
    g_autofree char *file = g_build_filename(mine, "notes.txt", NULL);
    assert_int_equal(g_mkdir(mine, 0777), 0);
    assert_true(g_file_set_contents(file, "keep me", -1, NULL));
    g_autofree char *err = NULL;
    assert_int_equal(sweep(f, mine, "1", NULL, &err), 2);
    assert_non_null(strstr(err, "exists and holds no sweep.sqlite"));
    g_autofree char *list = test_list_dir(mine);
    assert_string_equal(list, "notes.txt");
    /* a finished sweep, then another grid into the same DIR */
    g_autofree char *out = g_build_filename(f->tmp, "done", NULL);
    const char *argv[] = {"sweep", f->scenario, "--vary", "host.memory=8GiB,12GiB",
                          "--set", DURATION,    "--set",  PAGES,
                          "-q",    "-o",        out,      NULL};
    assert_int_equal(test_run_binary(argv, NULL, NULL), 0);
    g_autofree char *before = dump(out);
    g_clear_pointer(&err, g_free);
    assert_int_equal(sweep(f, out, "1", NULL, &err), 2);
    assert_non_null(strstr(err, "sweep.sqlite: error: holds another sweep (sets: "
                                "[\"duration=1m\",\"host.page_size=2MiB\"] there, "));
    g_autofree char *after = dump(out);
    assert_string_equal(before, after);
    /* an empty directory is taken */
    g_autofree char *empty = g_build_filename(f->tmp, "empty", NULL);
    assert_int_equal(g_mkdir(empty, 0777), 0);
    const char *argv2[] = {"sweep", f->scenario, "--vary", "host.memory=8GiB",
                           "--set", DURATION,    "--set",  PAGES,
                           "-q",    "-o",        empty,    NULL};
    assert_int_equal(test_run_binary(argv2, NULL, NULL), 0);
    g_autofree char *got = test_list_dir(empty);
    assert_string_equal(got, ".reclaimsim-output plots report.html sweep.csv sweep.sqlite");
}

/* The traces a scenario names are inputs of the sweep: an edited trace
 * makes another sweep, refused in the DIR of the first (exit 2, nothing
 * changed), while the unchanged trace resumes (no point run again). */
static void test_trace_is_an_input(void **state)
{
    Fixture *f = *state;
    g_autofree char *trace = g_build_filename(f->tmp, "app.csv", NULL);
    g_autofree char *scenario = g_build_filename(f->tmp, "traced.json", NULL);
    assert_true(g_file_set_contents(trace, "time_s,vm,memory_mb,active_mb\n0,app,2048,1024\n",
                                    -1, NULL));
    assert_true(g_file_set_contents(
        scenario,
        "{\"name\": \"traced\", \"duration\": \"1m\", \"host\": {\"memory\": \"8GiB\", "
        "\"page_size\": \"2MiB\"}, \"vms\": [{\"name\": \"app\", \"memory\": \"4GiB\", "
        "\"workload\": {\"trace\": \"app.csv\"}}]}",
        -1, NULL));
    g_autofree char *out = g_build_filename(f->tmp, "traced", NULL);
    const char *argv[] = {"sweep", scenario, "--vary", "host.memory=6GiB,8GiB", "-o", out, NULL};
    assert_int_equal(test_run_binary(argv, NULL, NULL), 0);
    g_autofree char *before = dump(out);
    g_autofree char *again = NULL;
    assert_int_equal(test_run_binary(argv, &again, NULL), 0);
    assert_non_null(strstr(again, "(0 run now, 2 from before)"));
    assert_true(g_file_set_contents(trace, "time_s,vm,memory_mb,active_mb\n0,app,3072,1024\n",
                                    -1, NULL));
    g_autofree char *err = NULL;
    assert_int_equal(test_run_binary(argv, NULL, &err), 2);
    assert_non_null(strstr(err, "sweep.sqlite: error: holds another sweep (scenario"));
    g_autofree char *after = dump(out);
    assert_string_equal(before, after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_usage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jobs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_point_is_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_point, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keep_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_is_an_input, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
