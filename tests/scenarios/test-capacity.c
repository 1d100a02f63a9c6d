/* `reclaimsim capacity` through the real binary (issue 13 part 3): the
 * answer N checked by `reclaimsim run` of N (meets the SLA in its
 * summary.json) and N + 1 (misses it), for a VM count and for host memory;
 * capacity.json and capacity.sqlite read back (the sqlite3 tool), with the
 * same columns and figures as sweep's points; a rerun reads its probes
 * back and gives the same bytes; --jobs changes nothing; seeds and policies
 * give one search each and a safe answer over the seeds; bad usage exits 2
 * before DIR is touched. tests/data/capacity/small.json: a probe takes
 * milliseconds (2 minutes, 2 MiB pages). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "support/testutil.h"

/* tests/data/capacity/small.json, set by main() */
static char *scenario;

/* The state of a test is its temporary folder (test_tmpdir_setup). */
typedef struct Fixture {
    char *tmp;
} Fixture;

/* capacity SCENARIO -o OUT ARGS... (NULL-ended); exit code, stdout, stderr. */
static int capacity(const char *out, const char *const *args, char **stdout_text,
                    char **err)
{
    g_autoptr(GPtrArray) a = g_ptr_array_new();
    g_ptr_array_add(a, (gpointer) "capacity");
    g_ptr_array_add(a, scenario);
    for (guint i = 0; args[i] != NULL; i++) {
        g_ptr_array_add(a, (gpointer)args[i]);
    }
    g_ptr_array_add(a, (gpointer) "-o");
    g_ptr_array_add(a, (gpointer)out);
    g_ptr_array_add(a, NULL);
    return test_run_binary((const char *const *)a->pdata, stdout_text, err);
}

static char *out_dir(const Fixture *f, const char *name)
{
    return g_build_filename(f->tmp, name, NULL);
}

static json_t *load_json(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "capacity.json", NULL);
    json_error_t e;
    json_t *root = json_load_file(path, 0, &e);
    if (root == NULL) {
        fail_msg("%s: %s", path, e.text);
    }
    return root;
}

static char *sql(const char *dir, const char *query)
{
    return g_strchomp(test_sql(dir, "capacity.sqlite", query));
}

/* `reclaimsim run` of the scenario with `set`: whether summary.json says
 * the SLA is met. */
static bool run_meets_sla(const Fixture *f, const char *set, const char *name)
{
    g_autofree char *dir = out_dir(f, name);
    const char *argv[] = {"run", scenario, "--set", set, "-q", "-o", dir, NULL};
    assert_int_equal(test_run_binary(argv, NULL, NULL), 0);
    g_autofree char *path = g_build_filename(dir, "summary.json", NULL);
    json_t *s = json_load_file(path, 0, NULL);
    assert_non_null(s);
    json_t *met = json_object_get(json_object_get(s, "sla"), "met");
    assert_true(json_is_boolean(met));
    bool yes = json_is_true(met);
    json_decref(s);
    return yes;
}

static json_t *search_of(json_t *root, guint i)
{
    return json_array_get(json_object_get(root, "searches"), i);
}

/* The largest count: N runs within the SLA, N + 1 does not; the terminal
 * says so; every probe is a row of capacity.sqlite and of capacity.json. */
static void test_count(void **state)
{
    Fixture *f = &(Fixture){.tmp = *state};
    g_autofree char *dir = out_dir(f, "count");
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    const char *args[] = {"--grow", "web", "--jobs", "2", NULL};
    assert_int_equal(capacity(dir, args, &out, &err), 0);
    json_t *root = load_json(dir);
    json_t *s = search_of(root, 0);
    json_int_t n = json_integer_value(json_object_get(s, "answer"));
    assert_true(n > 4); /* the scenario's own 4 fit */
    assert_int_equal(json_integer_value(json_object_get(s, "passes_at")), n);
    assert_int_equal(json_integer_value(json_object_get(s, "fails_at")), n + 1);
    assert_true(json_is_true(json_object_get(s, "monotone")));
    g_autofree char *set_n = g_strdup_printf("vms.0.count=%" JSON_INTEGER_FORMAT, n);
    g_autofree char *set_n1 = g_strdup_printf("vms.0.count=%" JSON_INTEGER_FORMAT, n + 1);
    assert_true(run_meets_sla(f, set_n, "run-n"));
    assert_false(run_meets_sla(f, set_n1, "run-n1"));
    g_autofree char *line = g_strdup_printf("  esxi                     %" JSON_INTEGER_FORMAT
                                            " (%" JSON_INTEGER_FORMAT " passes, %" JSON_INTEGER_FORMAT
                                            " fails)\n",
                                            n, n, n + 1);
    assert_non_null(strstr(out, line));
    /* the database: one row per probe, N met and N + 1 did not */
    size_t probes = json_array_size(json_object_get(root, "probes"));
    g_autofree char *count = sql(dir, "SELECT count(*) FROM points");
    assert_int_equal(atoi(count), (int)probes);
    assert_int_equal(json_integer_value(json_object_get(s, "probes")), (json_int_t)probes);
    g_autofree char *q = g_strdup_printf("SELECT group_concat(sla_met) FROM (SELECT sla_met FROM "
                                         "points WHERE \"vms.0.count\" IN (%" JSON_INTEGER_FORMAT
                                         ", %" JSON_INTEGER_FORMAT ") ORDER BY \"vms.0.count\")",
                                         n, n + 1);
    g_autofree char *met = sql(dir, q);
    assert_string_equal(met, "1,0");
    g_autofree char *meta = sql(dir, "SELECT value FROM capacity WHERE name = 'format'");
    assert_string_equal(meta, "1");
    g_autofree char *png = g_build_filename(dir, "plots", "capacity.png", NULL);
    g_autofree char *svg = g_build_filename(dir, "plots", "capacity.svg", NULL);
    assert_true(g_file_test(png, G_FILE_TEST_IS_REGULAR) && g_file_test(svg, G_FILE_TEST_IS_REGULAR));
    json_decref(root);
}

/* The columns after the grown value, and a probe's figures, are those of
 * sweep's points table for the same point. */
static void test_same_columns_as_sweep(void **state)
{
    Fixture *f = &(Fixture){.tmp = *state};
    g_autofree char *dir = out_dir(f, "cap");
    g_autofree char *sweep = out_dir(f, "sweep");
    const char *args[] = {"--grow", "vms.0.count", "-q", NULL};
    assert_int_equal(capacity(dir, args, NULL, NULL), 0);
    const char *argv[] = {"sweep", scenario, "--vary", "vms.0.count=6", "-q", "-o", sweep, NULL};
    assert_int_equal(test_run_binary(argv, NULL, NULL), 0);
    const char *cols = "SELECT group_concat(name) FROM pragma_table_info('points') WHERE cid > "
                       "(SELECT cid FROM pragma_table_info('points') WHERE name = 'vms.0.count')";
    g_autofree char *mine = sql(dir, cols);
    g_autofree char *db = g_build_filename(sweep, "sweep.sqlite", NULL);
    g_autofree char *theirs = g_strchomp(test_sqlite3(db, cols, NULL));
    assert_string_equal(mine, theirs);
    assert_non_null(strstr(mine, "policy,seed,status,error,warnings,sla_met,perf_index_mean"));
    const char *row = "SELECT policy, seed, status, sla_met, perf_index_mean, perf_index_worst, "
                      "peak_balloon_mb, time_high_s FROM points WHERE \"vms.0.count\" = 6";
    g_autofree char *a = sql(dir, row);
    g_autofree char *b = g_strchomp(test_sqlite3(db, row, NULL));
    assert_true(strlen(a) > 0);
    assert_string_equal(a, b);
}

/* The smallest host: M meets the SLA, M - 1 GiB does not. */
static void test_memory(void **state)
{
    Fixture *f = &(Fixture){.tmp = *state};
    g_autofree char *dir = out_dir(f, "memory");
    g_autofree char *out = NULL;
    const char *args[] = {"--grow", "host.memory", NULL};
    assert_int_equal(capacity(dir, args, &out, NULL), 0);
    json_t *root = load_json(dir);
    json_t *s = search_of(root, 0);
    const char *m = json_string_value(json_object_get(s, "answer"));
    const char *below = json_string_value(json_object_get(s, "fails_at"));
    assert_non_null(m);
    assert_non_null(below);
    assert_int_equal(atoi(m), atoi(below) + 1);
    assert_true(g_str_has_suffix(m, "GiB") && g_str_has_suffix(below, "GiB"));
    assert_true(atoi(m) < 16); /* the scenario's 16 GiB host is more than enough */
    g_autofree char *set_m = g_strdup_printf("host.memory=%s", m);
    g_autofree char *set_b = g_strdup_printf("host.memory=%s", below);
    assert_true(run_meets_sla(f, set_m, "run-m"));
    assert_false(run_meets_sla(f, set_b, "run-b"));
    g_autofree char *q = g_strdup_printf("SELECT sla_met, \"host.memory_mib\" FROM points WHERE "
                                         "\"host.memory\" = '%s'",
                                         m);
    g_autofree char *row = sql(dir, q);
    g_autofree char *want = g_strdup_printf("1|%d.0", atoi(m) * 1024);
    assert_string_equal(row, want);
    g_autofree char *line = g_strdup_printf("%s (%s passes, %s fails)", m, m, below);
    assert_non_null(strstr(out, line));
    json_decref(root);
}

/* A rerun reads back what the database has: with rows deleted (as an
 * interrupted command leaves it) it runs only those, says how many it
 * reused, and ends with the same database and capacity.json. */
static void test_rerun_reuses(void **state)
{
    Fixture *f = &(Fixture){.tmp = *state};
    g_autofree char *dir = out_dir(f, "rerun");
    const char *args[] = {"--grow", "web", "--seeds", "2", "--jobs", "2", NULL};
    assert_int_equal(capacity(dir, args, NULL, NULL), 0);
    g_autofree char *dump = sql(dir, ".dump");
    g_autofree char *json = test_read_file(dir, "capacity.json");
    g_autofree char *total = sql(dir, "SELECT count(*) FROM points");
    g_autofree char *gone = sql(dir, "DELETE FROM points WHERE id >= 3; SELECT changes()");
    assert_true(atoi(gone) > 0);
    g_autofree char *out = NULL;
    assert_int_equal(capacity(dir, args, &out, NULL), 0);
    g_autofree char *said = g_strdup_printf("probes: %d run now, 3 reused from before",
                                            atoi(total) - 3);
    assert_non_null(strstr(out, said));
    g_autofree char *dump2 = sql(dir, ".dump");
    g_autofree char *json2 = test_read_file(dir, "capacity.json");
    assert_string_equal(dump, dump2);
    assert_string_equal(json, json2);
    g_autofree char *out3 = NULL;
    assert_int_equal(capacity(dir, args, &out3, NULL), 0);
    g_autofree char *all = g_strdup_printf("probes: 0 run now, %s reused from before", total);
    assert_non_null(strstr(out3, all));
}

/* --jobs 1 and 2: the same database, the same capacity.json, the same figure. */
static void test_jobs(void **state)
{
    Fixture *f = &(Fixture){.tmp = *state};
    g_autofree char *one = out_dir(f, "one");
    g_autofree char *two = out_dir(f, "two");
    const char *a1[] = {"--grow", "web", "--seeds", "2", "--jobs", "1", "-q", NULL};
    const char *a2[] = {"--grow", "web", "--seeds", "2", "--jobs", "2", "-q", NULL};
    assert_int_equal(capacity(one, a1, NULL, NULL), 0);
    assert_int_equal(capacity(two, a2, NULL, NULL), 0);
    g_autofree char *d1 = sql(one, ".dump");
    g_autofree char *d2 = sql(two, ".dump");
    assert_string_equal(d1, d2);
    g_autofree char *j1 = test_read_file(one, "capacity.json");
    g_autofree char *j2 = test_read_file(two, "capacity.json");
    assert_string_equal(j1, j2);
    g_autofree char *s1 = test_read_file(one, "plots/capacity.svg");
    g_autofree char *s2 = test_read_file(two, "plots/capacity.svg");
    assert_string_equal(s1, s2);
}

/* Two policies by two seeds: four searches, each policy's overall answer
 * the smallest of its seeds', said to be the safe one. */
static void test_seeds_and_policies(void **state)
{
    Fixture *f = &(Fixture){.tmp = *state};
    g_autofree char *dir = out_dir(f, "lanes");
    g_autofree char *out = NULL;
    const char *args[] = {"--grow", "web", "--seeds", "2", "--policies", "esxi,kvm-mom", NULL};
    assert_int_equal(capacity(dir, args, &out, NULL), 0);
    json_t *root = load_json(dir);
    json_t *searches = json_object_get(root, "searches");
    json_t *overall = json_object_get(root, "overall");
    assert_int_equal(json_array_size(searches), 4);
    assert_int_equal(json_array_size(overall), 2);
    for (guint p = 0; p < 2; p++) {
        json_t *o = json_array_get(overall, p);
        json_int_t a = json_integer_value(json_object_get(search_of(root, 2 * p), "answer"));
        json_int_t b = json_integer_value(json_object_get(search_of(root, 2 * p + 1), "answer"));
        assert_int_equal(json_integer_value(json_object_get(o, "answer")), MIN(a, b));
        assert_string_equal(json_string_value(json_object_get(o, "policy")),
                            p == 0 ? "esxi" : "kvm-mom");
        assert_int_equal(json_integer_value(json_object_get(search_of(root, 2 * p + 1), "seed")),
                         2);
    }
    assert_non_null(strstr(out, "esxi over 2 seeds: "));
    assert_non_null(strstr(out, "the safe answer"));
    g_autofree char *lanes = sql(dir, "SELECT group_concat(DISTINCT search || ':' || policy || "
                                      "':' || seed) FROM (SELECT * FROM points ORDER BY search)");
    assert_string_equal(lanes, "0:esxi:1,1:esxi:2,2:kvm-mom:1,3:kvm-mom:2");
    json_decref(root);
}

/* --max at the answer or below it: the answer is --max, said to be a limit. */
static void test_max_reached(void **state)
{
    Fixture *f = &(Fixture){.tmp = *state};
    g_autofree char *dir = out_dir(f, "max");
    g_autofree char *out = NULL;
    const char *args[] = {"--grow", "0", "--max", "5", NULL}; /* the entry by its index */
    assert_int_equal(capacity(dir, args, &out, NULL), 0);
    assert_non_null(strstr(out, "5 (--max: 5 passes; the capacity may be beyond it)"));
    json_t *root = load_json(dir);
    assert_true(json_is_true(json_object_get(search_of(root, 0), "at_limit")));
    assert_true(json_is_null(json_object_get(search_of(root, 0), "fails_at")));
    json_decref(root);
}

/* An SLA nothing meets: the answer is "none", found by going down to 1. */
static void test_none(void **state)
{
    Fixture *f = &(Fixture){.tmp = *state};
    g_autofree char *dir = out_dir(f, "none");
    g_autofree char *out = NULL;
    const char *args[] = {"--grow",         "web",   "--sla", "perf_index=1",
                          "--set",          "host.memory=2GiB", "--set",
                          "host.overhead=1536MiB", NULL};
    assert_int_equal(capacity(dir, args, &out, NULL), 0);
    assert_non_null(strstr(out, "none (even 1 fails the SLA)"));
    json_t *root = load_json(dir);
    assert_true(json_is_null(json_object_get(search_of(root, 0), "answer")));
    assert_int_equal(json_integer_value(json_object_get(search_of(root, 0), "fails_at")), 1);
    json_decref(root);
}

/* Each bad use: exit 2, one line naming the option, DIR not made. */
static void test_usage(void **state)
{
    Fixture *f = &(Fixture){.tmp = *state};
    static const struct {
        const char *args[8];
        const char *message;
    } cases[] = {
        {{NULL}, "capacity needs --grow VM"},
        {{"--grow", "nope", NULL}, "--grow: no VM entry \"nope\" (entries: 0 \"web\""},
        {{"--grow", "7", NULL}, "--grow: no VM entry \"7\""},
        {{"--grow", "host.cpu_ghz", NULL}, "--grow host.cpu_ghz: not a key capacity grows"},
        {{"--grow", "vms.0.memory", NULL}, "--grow vms.0.memory: not a key capacity grows"},
        {{"--grow", "vms.3.count", NULL}, "--grow: no VM entry \"vms.3.count\""},
        {{"--grow", "web", "--sla", "perf=0.9", NULL}, "--sla: expected perf_index=X"},
        {{"--grow", "web", "--sla", "perf_index=0", NULL}, "--sla: expected perf_index=X"},
        {{"--grow", "web", "--max", "3", NULL}, "--max 3: below the entry's count"},
        {{"--grow", "web", "--max", "many", NULL}, "--max: expected a VM count"},
        {{"--grow", "host.memory", "--max", "8GiB", NULL}, "--max 8GiB: below the host"},
        {{"--grow", "host.memory", "--step", "1MiB", NULL}, "--step 1MiB: not a whole number"},
        {{"--grow", "web", "--step", "1GiB", NULL}, "--step: only for --grow host.memory"},
        {{"--grow", "web", "--set", "vms.0.count=3", NULL}, "capacity grows vms.0.count itself"},
        {{"--grow", "web", "--width", "65", NULL}, "--width: expected a whole number"},
        {{"--grow", "web", "--seeds", "0", NULL}, "--seeds: expected a whole number"},
        {{"--grow", "web", "--policies", "esxi,nope", NULL}, "unknown policy \"nope\""},
        {{"--grow", "web", "--set", "host.memroy=1GiB", NULL}, "unknown key \"memroy\""},
        {{"--grow", "web", "--policy", "esxi", NULL}, "capacity takes no --policy"},
        {{"--grow", "web", "--set", "sla={}", NULL}, "has no SLA"},
    };
    g_autofree char *dir = out_dir(f, "bad");
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *err = NULL;
        int code = capacity(dir, cases[i].args, NULL, &err);
        if (code != 2 || strstr(err, cases[i].message) == NULL || strchr(err, '\n') != strrchr(err, '\n')) {
            fail_msg("case %u: exit %d, stderr: %s", i, code, err);
        }
        assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
    }
}

/* Another search in DIR, or a folder of other files: refused, untouched. */
static void test_foreign_dir(void **state)
{
    Fixture *f = &(Fixture){.tmp = *state};
    g_autofree char *dir = out_dir(f, "foreign");
    const char *first[] = {"--grow", "web", "-q", NULL};
    assert_int_equal(capacity(dir, first, NULL, NULL), 0);
    g_autofree char *dump = sql(dir, ".dump");
    g_autofree char *err = NULL;
    const char *other[] = {"--grow", "web", "--width", "1", "-q", NULL};
    assert_int_equal(capacity(dir, other, NULL, &err), 2);
    assert_non_null(strstr(err, "capacity.sqlite: error: holds another capacity (search: "));
    g_autofree char *dump2 = sql(dir, ".dump");
    assert_string_equal(dump, dump2);
    g_autofree char *mine = out_dir(f, "mine");
    g_autofree char *file = g_build_filename(mine, "notes.txt", NULL);
    assert_int_equal(g_mkdir(mine, 0777), 0);
    assert_true(g_file_set_contents(file, "keep", -1, NULL));
    g_autofree char *err2 = NULL;
    assert_int_equal(capacity(mine, first, NULL, &err2), 2);
    g_autofree char *list = test_list_dir(mine);
    assert_string_equal(list, "notes.txt");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_count, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_same_columns_as_sweep, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_memory, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_rerun_reuses, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_jobs, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_seeds_and_policies, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_max_reached, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_none, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_usage, test_tmpdir_setup, test_tmpdir_teardown),
        cmocka_unit_test_setup_teardown(test_foreign_dir, test_tmpdir_setup, test_tmpdir_teardown),
    };
    scenario = test_source_path("tests/data/capacity/small.json");
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    g_free(scenario);
    return failed;
}
