/*
 * Policy plug-ins (policy/plugin.c, docs/plugins.md): the example plug-in
 * (examples/plugins/free_target.c) loads by path from the command line and
 * from a scenario, runs, and shows in the outputs under its own name;
 * a file that is missing, not a plug-in, of another ABI or without a
 * tick() is an exit-2 error naming the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "policy/policy.h"
#include "support/testutil.h"

/* A small overcommitted fleet, in a temporary folder with the scenario
 * file `scenario.json` naming `policy`. Returns the folder. */
static char *scenario_dir(const char *policy)
{
    char *dir = test_tmpdir();
    g_autofree char *text = g_strdup_printf(
        "{\"name\": \"p\", \"duration\": \"10m\",\n"
        " \"host\": {\"memory\": \"8GiB\", \"policy\": \"%s\"},\n"
        " \"vms\": [{\"name\": \"v\", \"count\": 3, \"memory\": \"4GiB\",\n"
        "  \"workload\": {\"memory\": \"3GiB\", \"active\": \"1GiB\"}}]}\n",
        policy);
    g_autofree char *path = g_build_filename(dir, "scenario.json", NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    return dir;
}

/* Runs the binary; returns its exit code and its stderr (g_free). */
static int run(const char *const *argv, char **err)
{
    char *out = NULL;
    int rc = test_run_binary(argv, &out, err);
    g_free(out);
    return rc;
}

static json_t *summary_of(const char *out)
{
    g_autofree char *path = g_build_filename(out, "summary.json", NULL);
    json_t *root = json_load_file(path, 0, NULL);
    assert_non_null(root);
    return root;
}

static void test_example_plugin_runs_from_the_command_line(void **state)
{
    (void)state;
    g_autofree char *dir = scenario_dir("esxi");
    g_autofree char *scenario = g_build_filename(dir, "scenario.json", NULL);
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    const char *argv[] = {"run", "--quiet", "--policy", EXAMPLE_PLUGIN, "-o", out, scenario, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(run(argv, &err), 0);
    json_t *root = summary_of(out);
    assert_string_equal(json_string_value(json_object_get(root, "policy")), "free-target");
    json_t *reclaimed = json_object_get(json_object_get(root, "host"), "reclaimed_mb");
    /* the example balloons and never compresses */
    assert_true(json_number_value(json_object_get(reclaimed, "balloon")) > 100.0);
    assert_true(json_number_value(json_object_get(reclaimed, "compressed")) == 0.0);
    json_decref(root);
    test_rmtree(dir);
}

/* A scenario names its plug-in relative to its own folder. */
static void test_scenario_names_a_plugin_relative_to_itself(void **state)
{
    (void)state;
    g_autofree char *dir = scenario_dir("plugins/free-target.so");
    g_autofree char *plugins = g_build_filename(dir, "plugins", NULL);
    g_autofree char *link = g_build_filename(plugins, "free-target.so", NULL);
    assert_int_equal(g_mkdir(plugins, 0755), 0);
    assert_int_equal(symlink(EXAMPLE_PLUGIN, link), 0);
    g_autofree char *scenario = g_build_filename(dir, "scenario.json", NULL);
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    const char *argv[] = {"run", "--quiet", "-o", out, scenario, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(run(argv, &err), 0);
    json_t *root = summary_of(out);
    assert_string_equal(json_string_value(json_object_get(root, "policy")), "free-target");
    json_decref(root);
    test_rmtree(dir);
}

/* `--policy FILE` that cannot be used: exit 2, one line naming the file. */
static void check_refused(const char *file, const char *why)
{
    g_autofree char *dir = scenario_dir("esxi");
    g_autofree char *scenario = g_build_filename(dir, "scenario.json", NULL);
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    const char *argv[] = {"run", "--quiet", "--policy", file, "-o", out, scenario, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(run(argv, &err), 2);
    g_autofree char *line = g_strdup_printf("%s: error: %s", file, why);
    print_message("%s", err);
    assert_non_null(strstr(err, line));
    assert_null(strchr(strchr(err, '\n') + 1, '\n')); /* one line */
    assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
    test_rmtree(dir);
}

static void test_unusable_plugins_are_refused_naming_the_file(void **state)
{
    (void)state;
    check_refused("/nonexistent/x.so", "no such plug-in file");
    check_refused(RECLAIMSIM_BIN, "cannot load");
    g_autofree char *abi = g_strdup_printf(
        "policy ABI version %u, this reclaimsim loads versions %u to %u", POLICY_ABI_VERSION + 98u,
        POLICY_ABI_OLDEST, POLICY_ABI_VERSION);
    check_refused(BAD_ABI_PLUGIN, abi);
    check_refused(NO_TICK_PLUGIN, "the policy class has no name or no tick()");
}

static void test_a_missing_plugin_in_a_scenario_is_located(void **state)
{
    (void)state;
    g_autofree char *dir = scenario_dir("gone.so");
    g_autofree char *scenario = g_build_filename(dir, "scenario.json", NULL);
    const char *argv[] = {"check", scenario, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(run(argv, &err), 2);
    g_autofree char *where = g_strdup_printf("%s:2:39: error: policy plug-in", scenario);
    assert_non_null(strstr(err, where));
    assert_non_null(strstr(err, "gone.so: no such plug-in file (at /host/policy)"));
    test_rmtree(dir);
}

/* Loaded once per process: the same class for the same path. */
static void test_a_plugin_loads_once(void **state)
{
    (void)state;
    GError *error = NULL;
    const PolicyClass *a = policy_resolve(EXAMPLE_PLUGIN, &error);
    assert_non_null(a);
    assert_ptr_equal(policy_resolve(EXAMPLE_PLUGIN, &error), a);
    assert_string_equal(a->name, "free-target");
    assert_int_equal(a->abi_version, POLICY_ABI_VERSION);
    assert_null(error);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_plugin_runs_from_the_command_line),
        cmocka_unit_test(test_scenario_names_a_plugin_relative_to_itself),
        cmocka_unit_test(test_unusable_plugins_are_refused_naming_the_file),
        cmocka_unit_test(test_a_missing_plugin_in_a_scenario_is_located),
        cmocka_unit_test(test_a_plugin_loads_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
