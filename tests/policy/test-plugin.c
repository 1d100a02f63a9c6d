/*
 * Policy plug-ins (policy/plugin.c, docs/plugins.md): the example plug-in
 * (examples/plugins/free_target.c) loads by path from the command line and
 * from a scenario, runs, and shows in the outputs under its own name;
 * a file that is missing, not a plug-in, of another ABI or without a
 * tick() is an exit-2 error naming the file. A plug-in of ABI 1 still
 * loads and runs. host.policy as an object names a plug-in with settings
 * of every kind (plugins/with_params.c): the loader reads each in its unit
 * (bytes, ns, fractions) in the class's order, fills the defaults, and
 * refuses an unknown setting, a wrong type or a value out of bounds; a
 * plug-in whose own settings are malformed is refused.
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
#include "sim/error.h"
#include "sim/load/scenario.h"
#include "sim/scenario.h"
#include "support/testutil.h"

/* A small overcommitted fleet, in a temporary folder with the scenario
 * file `scenario.json` naming `policy`. Returns the folder. */
static char *scenario_dir(const char *policy)
{
    char *dir = test_tmpdir();
    g_autofree char *text =
        g_strdup_printf("{\"name\": \"p\", \"duration\": \"10m\",\n"
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

/* A folder of plug-ins (--plugins): a plug-in's file name is a policy name
 * on the command line and in a scenario, `policies` lists it, and a name
 * found nowhere is refused with the plug-ins among the known names. */
static void test_a_plugin_folder_names_plugins_like_builtins(void **state)
{
    (void)state;
    g_autofree char *dir = scenario_dir("my-target");
    g_autofree char *plugins = g_build_filename(dir, "plugins", NULL);
    g_autofree char *link = g_build_filename(plugins, "my-target.so", NULL);
    assert_int_equal(g_mkdir(plugins, 0755), 0);
    assert_int_equal(symlink(EXAMPLE_PLUGIN, link), 0);
    const char *const dirs[] = {plugins, NULL};
    policy_set_plugin_dirs(dirs);
    g_autofree char *found = policy_find_plugin("my-target");
    assert_string_equal(found, link);
    assert_null(policy_find_plugin("esxi")); /* a built-in's name is never a file */
    g_auto(GStrv) names = policy_plugin_names();
    assert_int_equal(g_strv_length(names), 1);
    assert_string_equal(names[0], "my-target");
    GError *error = NULL;
    const PolicyClass *cls = policy_resolve("my-target", &error);
    g_assert_no_error(error);
    assert_string_equal(cls->name, "free-target");
    policy_set_plugin_dirs(NULL);
    assert_null(policy_resolve("my-target", &error));
    g_clear_error(&error);
    g_autofree char *scenario = g_build_filename(dir, "scenario.json", NULL);
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    const char *argv[] = {"run", "--quiet", "--plugins", plugins, "-o", out, scenario, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(run(argv, &err), 0);
    json_t *root = summary_of(out);
    assert_string_equal(json_string_value(json_object_get(root, "policy")), "free-target");
    json_decref(root);
    const char *listing[] = {"policies", "--plugins", plugins, NULL};
    g_autofree char *text = NULL;
    assert_int_equal(test_run_binary(listing, &text, NULL), 0);
    assert_non_null(strstr(text, "\nmy-target        plug-in "));
    const char *missing[] = {"run", "--quiet", "--plugins", plugins, "--policy", "my-targt", "-o",
                             out, scenario, NULL};
    g_autofree char *err2 = NULL;
    assert_int_equal(run(missing, &err2), 2);
    assert_non_null(strstr(err2, "unknown policy \"my-targt\""));
    assert_non_null(strstr(err2, "my-target (plug-in)"));
    const char *no_dir[] = {"run", "--plugins", scenario, "-o", out, scenario, NULL};
    g_autofree char *err3 = NULL;
    assert_int_equal(run(no_dir, &err3), 2);
    assert_non_null(strstr(err3, "--plugins: \""));
    assert_non_null(strstr(err3, "is not a folder"));
    const char *without[] = {"check", scenario, NULL};
    g_autofree char *err4 = NULL;
    assert_int_equal(run(without, &err4), 2);
    assert_non_null(strstr(err4, "unknown policy \"my-target\""));
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
    g_autofree char *abi =
        g_strdup_printf("policy ABI version %u, this reclaimsim loads versions %u to %u",
                        POLICY_ABI_VERSION + 98u, POLICY_ABI_OLDEST, POLICY_ABI_VERSION);
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

/* A plug-in of ABI 1 loads: the engine copies only the prefix of its class
 * and era that ABI 1 had, the rest (params, the era's ABI 2 fields) zero. */
static void test_an_abi1_plugin_still_loads_and_runs(void **state)
{
    (void)state;
    GError *error = NULL;
    const PolicyClass *cls = policy_resolve(ABI1_PLUGIN, &error);
    g_assert_no_error(error);
    assert_string_equal(cls->name, "old-one");
    assert_int_equal(cls->abi_version, 1);
    assert_null(cls->params);
    assert_int_equal(cls->n_params, 0);
    assert_true(cls->era->no_sharing);
    assert_false(cls->era->linux_host);
    assert_false(cls->era->no_host_swap);
    assert_int_equal(cls->era->driver.poll, 0);
    g_autofree char *dir = scenario_dir("esxi");
    g_autofree char *scenario = g_build_filename(dir, "scenario.json", NULL);
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    const char *argv[] = {"run", "--quiet", "--policy", ABI1_PLUGIN, "-o", out, scenario, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(run(argv, &err), 0);
    json_t *root = summary_of(out);
    assert_string_equal(json_string_value(json_object_get(root, "policy")), "old-one");
    json_decref(root);
    test_rmtree(dir);
}

/*
 * A scenario in a temporary folder whose host.policy is the object
 * `policy` (JSON text; "P" in it is replaced by "plugins/with_params.so", a
 * link to the test plug-in next to the scenario). Loads it with the --set
 * overrides `sets`; `*dir` gets the folder (freeing the one it held, so a
 * test may load several in turn).
 */
static SimScenario *load_policy(const char *policy, const char *const *sets, char **dir,
                                GError **error)
{
    g_free(*dir);
    *dir = test_tmpdir();
    g_autofree char *plugins = g_build_filename(*dir, "plugins", NULL);
    g_autofree char *link = g_build_filename(plugins, "with_params.so", NULL);
    assert_int_equal(g_mkdir(plugins, 0755), 0);
    assert_int_equal(symlink(WITH_PARAMS_PLUGIN, link), 0);
    g_auto(GStrv) parts = g_strsplit(policy, "P", -1);
    g_autofree char *named = g_strjoinv("plugins/with_params.so", parts);
    g_autofree char *text =
        g_strdup_printf("{\"host\": {\"memory\": \"16GiB\",\n"
                        " \"policy\": %s},\n"
                        " \"vms\": [{\"name\": \"v\", \"memory\": \"4GiB\"}]}\n",
                        named);
    g_autofree char *path = g_build_filename(*dir, "scenario.json", NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    static const char *const none[] = {NULL};
    return sim_scenario_load_with_overrides(path, sets != NULL ? sets : none, error);
}

/* The plug-in's settings in its order: buffer, interval, pressure, gain,
 * aggressive, floor (plugins/with_params.c). */
enum { BUFFER, INTERVAL, PRESSURE, GAIN, AGGRESSIVE, FLOOR, N_SETTINGS };

static void test_policy_object_settings_are_read_in_their_units(void **state)
{
    (void)state;
    g_autofree char *dir = NULL;
    GError *error = NULL;
    g_autoptr(SimScenario) sc = load_policy("{\"name\": \"P\", \"buffer\": \"768MiB\", "
                                            "\"interval\": \"1m30s\", \"pressure\": \"12.5%\",\n"
                                            "  \"gain\": 2.25, \"aggressive\": true}",
                                            NULL, &dir, &error);
    g_assert_no_error(error);
    assert_true(g_str_has_suffix(sc->host.policy, "/plugins/with_params.so"));
    assert_int_equal(sc->host.n_policy_params, N_SETTINGS);
    const double *v = sc->host.policy_params;
    assert_true(v[BUFFER] == 768.0 * 1024 * 1024);
    assert_true(v[INTERVAL] == 90e9);
    assert_true(v[PRESSURE] == 0.125);
    assert_true(v[GAIN] == 2.25);
    assert_true(v[AGGRESSIVE] == 1.0);
    assert_true(v[FLOOR] == 1024.0 * 1024 * 1024); /* not given: the class's default */
    test_rmtree(dir);
}

/* {"name": ...} alone: every default; a bare name: no settings at all (the
 * run takes the class's defaults); percentages as plain numbers of percent,
 * sizes as integers of MiB, like every other key. */
static void test_policy_object_defaults_and_bare_name(void **state)
{
    (void)state;
    g_autofree char *dir = NULL;
    GError *error = NULL;
    g_autoptr(SimScenario) alone = load_policy("{\"name\": \"P\"}", NULL, &dir, &error);
    g_assert_no_error(error);
    static const double defaults[N_SETTINGS] = {512.0 * 1024 * 1024, 10e9, 0.2, 1.5, 0.0,
                                                1024.0 * 1024 * 1024};
    assert_int_equal(alone->host.n_policy_params, N_SETTINGS);
    assert_memory_equal(alone->host.policy_params, defaults, sizeof defaults);
    test_rmtree(dir);
    g_autoptr(SimScenario) bare = load_policy("\"P\"", NULL, &dir, &error);
    g_assert_no_error(error);
    assert_null(bare->host.policy_params);
    assert_int_equal(bare->host.n_policy_params, 0);
    test_rmtree(dir);
    g_autoptr(SimScenario) plain =
        load_policy("{\"name\": \"P\", \"pressure\": 50, \"buffer\": 100}", NULL, &dir, &error);
    g_assert_no_error(error);
    assert_true(plain->host.policy_params[PRESSURE] == 0.5);
    assert_true(plain->host.policy_params[BUFFER] == 100.0 * 1024 * 1024);
    test_rmtree(dir);
}

/* --set host.policy.KEY=VALUE: on an object it sets the setting; on a bare
 * name it makes the object {"name": NAME, KEY: VALUE}. */
static void test_policy_settings_are_set_from_the_command_line(void **state)
{
    (void)state;
    g_autofree char *dir = NULL;
    GError *error = NULL;
    const char *const on_object[] = {"host.policy.gain=3", "host.policy.interval=2m", NULL};
    g_autoptr(SimScenario) a =
        load_policy("{\"name\": \"P\", \"gain\": 2}", on_object, &dir, &error);
    g_assert_no_error(error);
    assert_true(a->host.policy_params[GAIN] == 3.0);
    assert_true(a->host.policy_params[INTERVAL] == 120e9);
    test_rmtree(dir);
    const char *const on_name[] = {"host.policy.aggressive=true", NULL};
    g_autoptr(SimScenario) b = load_policy("\"P\"", on_name, &dir, &error);
    g_assert_no_error(error);
    assert_true(g_str_has_suffix(b->host.policy, "/plugins/with_params.so"));
    assert_true(b->host.policy_params[AGGRESSIVE] == 1.0);
    assert_true(b->host.policy_params[GAIN] == 1.5);
    test_rmtree(dir);
    const char *const out_of_range[] = {"host.policy.gain=11", NULL};
    g_autoptr(SimScenario) c = load_policy("\"P\"", out_of_range, &dir, &error);
    assert_null(c);
    assert_string_equal(error->message, "--set host.policy.gain=11: error: gain must be in [0, "
                                        "10] (got 11) (at /host/policy/gain)");
    g_clear_error(&error);
    test_rmtree(dir);
}

/* One bad host.policy object: the load fails with `message` at line 2,
 * column `col` of the scenario. */
static void check_policy_error(const char *policy, guint col, const char *message)
{
    g_autofree char *dir = NULL;
    GError *error = NULL;
    g_autoptr(SimScenario) sc = load_policy(policy, NULL, &dir, &error);
    assert_null(sc);
    assert_non_null(error);
    g_autofree char *want = g_strdup_printf("%s/scenario.json:2:%u: error: %s", dir, col, message);
    print_message("%s\n", error->message);
    assert_string_equal(error->message, want);
    g_error_free(error);
    test_rmtree(dir);
}

static void test_bad_policy_settings_are_located(void **state)
{
    (void)state;
    check_policy_error("{\"name\": \"P\", \"bufer\": \"1GiB\"}", 47,
                       "unknown key \"bufer\" (did you mean \"buffer\"?); host.policy takes "
                       "\"name\" and the settings of policy with-params: buffer, interval, "
                       "pressure, gain, aggressive, floor (at /host/policy/bufer)");
    check_policy_error("{\"name\": \"P\", \"interval\": 10}", 59,
                       "expected a duration string like \"90s\", got an integer "
                       "(at /host/policy/interval)");
    check_policy_error("{\"name\": \"P\", \"aggressive\": \"yes\"}", 61,
                       "expected true or false, got a string (at /host/policy/aggressive)");
    check_policy_error("{\"name\": \"P\", \"gain\": 10.5}", 55,
                       "gain must be in [0, 10] (got 10.5) (at /host/policy/gain)");
    check_policy_error("{\"name\": \"P\", \"buffer\": \"65GiB\"}", 57,
                       "buffer must be at most 64GiB (got 65GiB) (at /host/policy/buffer)");
    check_policy_error("{\"name\": \"P\", \"interval\": \"500ms\"}", 59,
                       "interval must be at least 1s (got 500ms) (at /host/policy/interval)");
    check_policy_error("{\"name\": \"P\", \"pressure\": \"95%\"}", 59,
                       "pressure must be at most 90% (got 95%) (at /host/policy/pressure)");
    check_policy_error("{\"name\": \"P\", \"buffer\": \"12 parsecs\"}", 57,
                       "unknown size unit \"parsecs\" in \"12 parsecs\" (valid units: B, KiB, MiB, "
                       "GiB, TiB; KB, MB, GB, TB and K, M, G, T mean the same) "
                       "(at /host/policy/buffer)");
}

/* A plug-in whose own settings are malformed is refused where the scenario
 * names it, and as --policy PATH (check_refused runs the binary). */
static void test_a_plugin_with_malformed_settings_is_refused(void **state)
{
    (void)state;
    g_autofree char *dir = scenario_dir(BAD_PARAMS_PLUGIN);
    g_autofree char *scenario = g_build_filename(dir, "scenario.json", NULL);
    GError *error = NULL;
    g_autoptr(SimScenario) sc = sim_scenario_load(scenario, &error);
    assert_null(sc);
    g_autofree char *want = g_strdup_printf(
        "%s:2:39: error: policy plug-in %s: setting \"gain\": default 2 is not within [0, 1] "
        "(at /host/policy)",
        scenario, BAD_PARAMS_PLUGIN);
    assert_string_equal(error->message, want);
    assert_int_equal(error->code, SIM_ERROR_PLUGIN);
    g_error_free(error);
    test_rmtree(dir);
    check_refused(BAD_PARAMS_PLUGIN, "setting \"gain\": default 2 is not within [0, 1]");
}

/* Every built-in policy named in an object loads, with its defaults. */
static void test_every_builtin_policy_loads_as_an_object(void **state)
{
    (void)state;
    for (const PolicyClass *const *cls = policy_builtins(); *cls != NULL; cls++) {
        g_autofree char *text =
            g_strdup_printf("{\"host\": {\"memory\": \"16GiB\", \"policy\": {\"name\": \"%s\"}},"
                            " \"vms\": [{\"name\": \"v\", \"memory\": \"4GiB\"}]}",
                            (*cls)->name);
        GError *error = NULL;
        g_autoptr(SimScenario) sc = sim_scenario_load_text("s.json", text, strlen(text), &error);
        g_assert_no_error(error);
        assert_string_equal(sc->host.policy, (*cls)->name);
        assert_int_equal(sc->host.n_policy_params, (*cls)->n_params);
        for (guint i = 0; i < (*cls)->n_params; i++) {
            assert_true(sc->host.policy_params[i] == (*cls)->params[i].def);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_plugin_runs_from_the_command_line),
        cmocka_unit_test(test_scenario_names_a_plugin_relative_to_itself),
        cmocka_unit_test(test_a_plugin_folder_names_plugins_like_builtins),
        cmocka_unit_test(test_unusable_plugins_are_refused_naming_the_file),
        cmocka_unit_test(test_a_missing_plugin_in_a_scenario_is_located),
        cmocka_unit_test(test_a_plugin_loads_once),
        cmocka_unit_test(test_an_abi1_plugin_still_loads_and_runs),
        cmocka_unit_test(test_policy_object_settings_are_read_in_their_units),
        cmocka_unit_test(test_policy_object_defaults_and_bare_name),
        cmocka_unit_test(test_policy_settings_are_set_from_the_command_line),
        cmocka_unit_test(test_bad_policy_settings_are_located),
        cmocka_unit_test(test_a_plugin_with_malformed_settings_is_refused),
        cmocka_unit_test(test_every_builtin_policy_loads_as_an_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
