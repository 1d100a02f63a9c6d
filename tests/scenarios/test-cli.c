#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "support/testutil.h"

static char *run_default(const char *seed)
{
    char *dir = test_tmpdir();
    char *out = g_build_filename(dir, "out", NULL);
    const char *argv[] = {"run", "--quiet", "--seed", seed, "--set", "duration=30m",
                          "-o", out, NULL};
    assert_int_equal(test_run_binary(argv, NULL, NULL), 0);
    g_free(out);
    return dir;
}

static void test_cli_same_seed_gives_byte_identical_outputs(void **state)
{
    (void)state;
    char *a = run_default("7"), *b = run_default("7"), *c = run_default("8");
    const char *files[] = {"host.csv", "vms.csv", "summary.json"};
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        char *da = g_build_filename(a, "out", NULL), *db = g_build_filename(b, "out", NULL);
        char *ta = test_read_file(da, files[i]), *tb = test_read_file(db, files[i]);
        assert_true(strlen(ta) > 100);
        assert_string_equal(ta, tb);
        g_free(ta);
        g_free(tb);
        g_free(da);
        g_free(db);
    }
    char *da = g_build_filename(a, "out", NULL), *dc = g_build_filename(c, "out", NULL);
    char *ta = test_read_file(da, "vms.csv"), *tc = test_read_file(dc, "vms.csv");
    assert_string_not_equal(ta, tc); /* another seed draws other pages */
    g_free(ta);
    g_free(tc);
    g_free(da);
    g_free(dc);
    test_rmtree(a);
    test_rmtree(b);
    test_rmtree(c);
    g_free(a);
    g_free(b);
    g_free(c);
}

static void test_cli_run_writes_the_three_outputs_with_their_headers(void **state)
{
    (void)state;
    char *dir = run_default("1");
    char *out = g_build_filename(dir, "out", NULL);
    char *host = test_read_file(out, "host.csv");
    assert_true(g_str_has_prefix(host, "time_s,state,free_mb,min_free_mb,overhead_mb,shared_mb,"
                                       "shrdsvd_mb,zip_mb,swcur_mb,mctlsz_mb,swr_mbps,sww_mbps\n"));
    char *vms = test_read_file(out, "vms.csv");
    assert_true(g_str_has_prefix(vms, "time_s,vm,memsz_mb,grant_mb,consumed_mb,sztgt_mb,"));
    char *summary = test_read_file(out, "summary.json");
    assert_non_null(strstr(summary, "\"time_in_state_s\""));
    g_free(host);
    g_free(vms);
    g_free(summary);
    g_free(out);
    test_rmtree(dir);
    g_free(dir);
}

static void test_cli_usage_errors_exit_2(void **state)
{
    (void)state;
    const char *no_cmd[] = {NULL};
    assert_int_equal(test_run_binary(no_cmd, NULL, NULL), 2);
    const char *bad_cmd[] = {"fly", NULL};
    assert_int_equal(test_run_binary(bad_cmd, NULL, NULL), 2);
    const char *bad_policy[] = {"run", "--policy", "nope", NULL};
    char *err = NULL;
    assert_int_equal(test_run_binary(bad_policy, NULL, &err), 2);
    assert_non_null(strstr(err, "unknown policy \"nope\""));
    g_free(err);
    const char *bad_seed[] = {"run", "--seed", "-3", NULL};
    assert_int_equal(test_run_binary(bad_seed, NULL, NULL), 2);
    const char *missing[] = {"check", "/nonexistent/x.json", NULL};
    assert_int_equal(test_run_binary(missing, NULL, NULL), 2);
}

static gint compare_paths(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .json files of FOLDER (under the source tree), sorted, as absolute
 * paths; a scenario added there is checked without editing this test. */
static void add_scenarios(GPtrArray *paths, const char *folder)
{
    g_autofree char *dir = test_source_path(folder);
    GDir *d = g_dir_open(dir, 0, NULL);
    assert_non_null(d);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    for (const char *n = g_dir_read_name(d); n != NULL; n = g_dir_read_name(d)) {
        if (g_str_has_suffix(n, ".json") && strcmp(n, "scenario.schema.json") != 0) {
            g_ptr_array_add(names, g_build_filename(dir, n, NULL));
        }
    }
    g_dir_close(d);
    g_ptr_array_sort(names, compare_paths);
    for (guint i = 0; i < names->len; i++) {
        g_ptr_array_add(paths, g_strdup(names->pdata[i]));
    }
}

/* Every scenario shipped in scenarios/ and scenarios/validation/ loads: one
 * "ok" line each, in the order given. */
static void test_cli_check_accepts_the_shipped_scenarios(void **state)
{
    (void)state;
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(paths, g_strdup("check"));
    add_scenarios(paths, "scenarios");
    add_scenarios(paths, "scenarios/validation");
    assert_true(paths->len > 15);
    g_ptr_array_add(paths, NULL);
    char *out = NULL;
    assert_int_equal(test_run_binary((const char *const *)paths->pdata, &out, NULL), 0);
    assert_non_null(strstr(out, "default.json: ok (12 VMs)"));
    assert_non_null(strstr(out, "capacity-web.json: ok (22 VMs)"));
    g_auto(GStrv) lines = g_strsplit(g_strchomp(out), "\n", -1);
    assert_int_equal(g_strv_length(lines), paths->len - 2);
    for (guint i = 0; lines[i] != NULL; i++) {
        const char *path = paths->pdata[i + 1];
        assert_true(g_str_has_prefix(lines[i], path));
        assert_true(g_str_has_prefix(lines[i] + strlen(path), ": ok ("));
    }
    g_free(out);
}

/* check loads a scenario as run would, --set included: an override the
 * run would refuse is refused by check too, and a good one is counted. */
static void test_cli_check_applies_the_set_overrides(void **state)
{
    (void)state;
    g_autofree char *l = test_source_path("scenarios/limit.json");
    const char *bad[] = {"check", "--set", "host.name=\"\"", l, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(test_run_binary(bad, NULL, &err), 2);
    assert_non_null(strstr(err, "--set host.name=\"\": error: host name must not be empty"));
    const char *good[] = {"check", "--set", "vms.0.count=3", l, NULL};
    g_autofree char *out = NULL;
    assert_int_equal(test_run_binary(good, &out, NULL), 0);
    assert_non_null(strstr(out, "limit.json: ok (3 VMs)"));
}

/* --policy is the run's policy before the --set overrides: a setting of it
 * is taken on a scenario that names no policy, summary.json records every
 * setting as it ran, and without --policy a setting is checked against
 * the default policy (esxi, which has none), not refused for a missing
 * name. check does the same. */
static void test_cli_policy_settings_follow_the_policy_option(void **state)
{
    (void)state;
    g_autofree char *dir = test_tmpdir();
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    const char *run[] = {"run", "--quiet", "--policy", "kvm-mom", "--set", "host.policy.history=20",
                         "--set", "duration=20s", "-o", out, NULL};
    assert_int_equal(test_run_binary(run, NULL, NULL), 0);
    g_autofree char *text = test_read_file(out, "summary.json");
    json_t *root = json_loads(text, 0, NULL);
    assert_non_null(root);
    json_t *settings = json_object_get(json_object_get(json_object_get(root, "host"), "config"),
                                       "policy_settings");
    assert_int_equal(json_integer_value(json_object_get(settings, "history")), 20);
    assert_string_equal(json_string_value(json_object_get(settings, "monitor_interval")), "5s");
    assert_true(json_is_true(json_object_get(settings, "balloon")));
    assert_string_equal(json_string_value(json_object_get(root, "policy")), "kvm-mom");
    json_decref(root);
    test_rmtree(dir);
    const char *dflt[] = {"check", "--set", "host.policy.history=20", NULL, NULL};
    g_autofree char *l = test_source_path("scenarios/limit.json");
    dflt[3] = l;
    g_autofree char *err = NULL;
    assert_int_equal(test_run_binary(dflt, NULL, &err), 2);
    assert_non_null(strstr(err, "--set host.policy.history=20: error: policy esxi has no settings "
                                "(got \"history\")"));
    const char *bad[] = {"check", "--policy", "kvm-mom", "--set", "host.policy.history=0", l,
                         NULL};
    g_autofree char *err2 = NULL;
    assert_int_equal(test_run_binary(bad, NULL, &err2), 2);
    assert_non_null(strstr(err2, "error: history must be in [1, 100] (got 0)"));
    const char *good[] = {"check", "--policy", "kvm-mom", "--set", "host.policy.history=3", l, NULL};
    g_autofree char *out2 = NULL;
    assert_int_equal(test_run_binary(good, &out2, NULL), 0);
    assert_non_null(strstr(out2, "limit.json: ok"));
}

static void test_cli_version_help_and_policies(void **state)
{
    (void)state;
    char *out = NULL;
    const char *version[] = {"--version", NULL};
    assert_int_equal(test_run_binary(version, &out, NULL), 0);
    assert_true(g_str_has_prefix(out, "reclaimsim "));
    g_free(out);
    const char *help[] = {"--help", NULL};
    assert_int_equal(test_run_binary(help, &out, NULL), 0);
    assert_non_null(strstr(out, "--policy"));
    g_free(out);
    const char *policies[] = {"policies", NULL};
    assert_int_equal(test_run_binary(policies, &out, NULL), 0);
    assert_true(g_str_has_prefix(out, "esxi "));
    /* each policy's settings, indented under it, with defaults as a
     * scenario writes them */
    const char *mom = strstr(out, "\nkvm-mom ");
    assert_non_null(mom);
    const char *history = strstr(mom, "\n  history ");
    assert_non_null(history);
    assert_true(history < strstr(mom + 1, "\nproxmox "));
    g_auto(GStrv) fields = g_strsplit_set(history + 1, " \n", -1);
    GPtrArray *words = g_ptr_array_new();
    for (char **f = fields; *f != NULL && words->len < 2; f++) {
        if (**f != '\0') {
            g_ptr_array_add(words, *f);
        }
    }
    assert_string_equal(g_ptr_array_index(words, 1), "10");
    g_ptr_array_free(words, TRUE);
    assert_non_null(strstr(out, "\n  buffer                 20%"));
    assert_non_null(strstr(out, "\n  policy_interval        10s"));
    g_free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_same_seed_gives_byte_identical_outputs),
        cmocka_unit_test(test_cli_run_writes_the_three_outputs_with_their_headers),
        cmocka_unit_test(test_cli_usage_errors_exit_2),
        cmocka_unit_test(test_cli_check_accepts_the_shipped_scenarios),
        cmocka_unit_test(test_cli_check_applies_the_set_overrides),
        cmocka_unit_test(test_cli_policy_settings_follow_the_policy_option),
        cmocka_unit_test(test_cli_version_help_and_policies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
