/* The grid of `reclaimsim sweep` (sim/out/grid.h): --vary ranges of every
 * kind stepped exactly, lists, the order of the points, and each bad
 * --vary a usage error (exit 2) with its message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sim/error.h"
#include "sim/out/grid.h"

/* The values of a single --vary ARG, joined by spaces. */
static char *values_of(const char *arg, SimVaryKind *kind)
{
    g_autoptr(SimGrid) g = sim_grid_new();
    GError *error = NULL;
    if (!sim_grid_add_vary(g, arg, &error)) {
        fail_msg("%s: %s", arg, error->message);
    }
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < sim_grid_vary_n_values(g, 0); i++) {
        g_string_append_printf(s, "%s%s", i ? " " : "", sim_grid_vary_value(g, 0, i));
    }
    if (kind != NULL) {
        *kind = sim_grid_vary_kind(g, 0);
    }
    return g_string_free(s, FALSE);
}

static void check_values(const char *arg, SimVaryKind kind, const char *want)
{
    SimVaryKind got = SIM_VARY_TEXT;
    g_autofree char *values = values_of(arg, &got);
    assert_string_equal(values, want);
    assert_int_equal(got, kind);
}

static void test_ranges(void **state)
{
    (void)state;
    check_values("vms.0.count=1:4:1", SIM_VARY_NUMBER, "1 2 3 4");
    /* exact decimals: a float accumulator would give 0.30000000000000004 */
    check_values("x=0.1:0.3:0.1", SIM_VARY_NUMBER, "0.1 0.2 0.3");
    check_values("x=0.5:1:0.25", SIM_VARY_NUMBER, "0.5 0.75 1");
    check_values("x=1:-1:-0.5", SIM_VARY_NUMBER, "1 0.5 0 -0.5 -1");
    /* the end is included only when a step lands on it */
    check_values("x=0:10:4", SIM_VARY_NUMBER, "0 4 8");
    check_values("x=5:5:1", SIM_VARY_NUMBER, "5");
    check_values("host.memory=64GiB:256GiB:64GiB", SIM_VARY_SIZE, "64GiB 128GiB 192GiB 256GiB");
    check_values("host.memory=1GiB:2GiB:512MiB", SIM_VARY_SIZE, "1GiB 1536MiB 2GiB");
    check_values("host.memory=0:2GiB:1G", SIM_VARY_SIZE, "0B 1GiB 2GiB");
    check_values("m=2GiB:1GiB:-512MiB", SIM_VARY_SIZE, "2GiB 1536MiB 1GiB");
    check_values("duration=10min:1h:25min", SIM_VARY_DURATION, "10m 35m 1h");
    check_values("duration=10min:1h:30min", SIM_VARY_DURATION, "10m 40m");
    check_values("d=1h:2h:30m", SIM_VARY_DURATION, "1h 1h30m 2h");
    check_values("d=1s:2s:250ms", SIM_VARY_DURATION, "1s 1s250ms 1s500ms 1s750ms 2s");
    check_values("p=50%:90%:12.5%", SIM_VARY_PERCENT, "50% 62.5% 75% 87.5%");
}

static void test_lists(void **state)
{
    (void)state;
    check_values("host.policy=esxi,kvm-mom", SIM_VARY_TEXT, "esxi kvm-mom");
    check_values("vms.0.count=2,4,8", SIM_VARY_NUMBER, "2 4 8");
    check_values("host.memory=64GiB,96GiB", SIM_VARY_SIZE, "64GiB 96GiB");
    check_values("x=5%,10%", SIM_VARY_PERCENT, "5% 10%");
    /* "1m" is minutes or MiB: kept as text, the loader reads it by the key */
    check_values("x=1m,2m", SIM_VARY_TEXT, "1m 2m");
    /* commas inside JSON do not split */
    check_values("x=[1,2],{\"a\":1,\"b\":2},\"c,d\"", SIM_VARY_TEXT,
                 "[1,2] {\"a\":1,\"b\":2} \"c,d\"");
    check_values("sla.perf_index=0.95", SIM_VARY_NUMBER, "0.95");
    check_values("x=\"a:b\"", SIM_VARY_TEXT, "\"a:b\"");
    /* a percentage a --set does not take (negative, even "-0%") is text:
     * its numeric column would not match what the loader reads (fuzz) */
    check_values("x=-0%,5%", SIM_VARY_TEXT, "-0% 5%");
}

static void test_numbers(void **state)
{
    (void)state;
    g_autoptr(SimGrid) g = sim_grid_new();
    assert_true(sim_grid_add_vary(g, "host.memory=512MiB:1536MiB:512MiB", NULL));
    assert_true(sim_grid_add_vary(g, "d=1min:2min:30s", NULL));
    assert_true(sim_grid_add_vary(g, "p=1%,2.5%", NULL));
    assert_true(sim_grid_add_vary(g, "n=esxi,x", NULL));
    assert_true(sim_grid_vary_number(g, 0, 2) == 1536.0);
    assert_true(sim_grid_vary_number(g, 1, 1) == 90.0);
    assert_true(sim_grid_vary_number(g, 2, 1) == 2.5);
    assert_true(isnan(sim_grid_vary_number(g, 3, 0)));
}

/* Point order: the first --vary slowest, then the policy, then the seed. */
static void test_points(void **state)
{
    (void)state;
    g_autoptr(SimGrid) g = sim_grid_new();
    assert_true(sim_grid_add_vary(g, "host.memory=64GiB:128GiB:64GiB", NULL));
    assert_true(sim_grid_add_vary(g, "vms.0.count=1,2,3", NULL));
    const char *policies[] = {"esxi", "kvm-mom", NULL};
    sim_grid_set_policies(g, policies);
    sim_grid_set_seeds(g, 2);
    const char *sets[] = {"duration=5m", NULL};
    assert_true(sim_grid_check(g, sets, NULL));
    assert_int_equal(sim_grid_n_points(g), 2 * 3 * 2 * 2);
    guint value[2];
    SimGridPoint p = {.value = value};
    sim_grid_point(g, 0, &p);
    assert_int_equal(value[0], 0);
    assert_int_equal(value[1], 0);
    assert_string_equal(p.policy, "esxi");
    assert_int_equal(p.seed, 1);
    sim_grid_point(g, 23, &p);
    assert_int_equal(value[0], 1);
    assert_int_equal(value[1], 2);
    assert_string_equal(p.policy, "kvm-mom");
    assert_int_equal(p.seed, 2);
    sim_grid_point(g, 7, &p); /* 7 = ((0 * 3 + 1) * 2 + 1) * 2 + 1 */
    assert_int_equal(value[0], 0);
    assert_int_equal(value[1], 1);
    assert_string_equal(p.policy, "kvm-mom");
    assert_int_equal(p.seed, 2);
    g_auto(GStrv) s = sim_grid_point_sets(g, 7, sets);
    g_autofree char *joined = g_strjoinv(" ", s);
    assert_string_equal(joined, "host.policy=\"kvm-mom\" duration=5m host.memory=64GiB "
                                "vms.0.count=2");
}

/* The probes: each policy at the first values; each listed value and the
 * two ends of a range, with the rest at their first; the points those ids
 * decode to hold exactly those choices. */
static void test_probes(void **state)
{
    (void)state;
    g_autoptr(SimGrid) g = sim_grid_new();
    assert_true(sim_grid_add_vary(g, "host.memory=64GiB:256GiB:64GiB", NULL));
    assert_true(sim_grid_add_vary(g, "vms.0.count=1,2,3", NULL));
    const char *policies[] = {"esxi", "kvm-mom", NULL};
    sim_grid_set_policies(g, policies);
    sim_grid_set_seeds(g, 2);
    assert_true(sim_grid_check(g, NULL, NULL));
    g_autoptr(GArray) ids = sim_grid_probe_ids(g);
    g_autoptr(GString) got = g_string_new(NULL);
    for (guint i = 0; i < ids->len; i++) {
        g_auto(GStrv) s = sim_grid_point_sets(g, g_array_index(ids, guint64, i), NULL);
        g_autofree char *joined = g_strjoinv(" ", s);
        g_string_append_printf(got, "%s|", joined);
    }
    assert_string_equal(got->str, "host.policy=\"esxi\" host.memory=64GiB vms.0.count=1|"
                                  "host.policy=\"kvm-mom\" host.memory=64GiB vms.0.count=1|"
                                  "host.policy=\"esxi\" host.memory=256GiB vms.0.count=1|"
                                  "host.policy=\"esxi\" host.memory=64GiB vms.0.count=2|"
                                  "host.policy=\"esxi\" host.memory=64GiB vms.0.count=3|");
    assert_int_equal(g_array_index(ids, guint64, 0), 0);
}

static void test_default_dimensions(void **state)
{
    (void)state;
    g_autoptr(SimGrid) g = sim_grid_new();
    assert_true(sim_grid_check(g, NULL, NULL));
    assert_int_equal(sim_grid_n_points(g), 1);
    SimGridPoint p = {.value = NULL};
    sim_grid_point(g, 0, &p);
    assert_null(p.policy);
    assert_int_equal(p.seed, 0);
    g_autofree char *d = sim_grid_describe(g);
    assert_string_equal(d, "{\"vary\":[],\"policies\":null,\"seeds\":0}");
}

/* `arg` refused as a usage error (exit 2) whose message holds `want`. */
static void check_bad(const char *arg, const char *want)
{
    g_autoptr(SimGrid) g = sim_grid_new();
    GError *error = NULL;
    assert_false(sim_grid_add_vary(g, arg, &error));
    assert_non_null(error);
    assert_int_equal(sim_error_exit_code(error), SIM_EXIT_BAD_INPUT);
    g_autofree char *prefix = g_strdup_printf("--vary %s: error: ", arg);
    if (!g_str_has_prefix(error->message, prefix) || strstr(error->message, want) == NULL) {
        fail_msg("%s: got \"%s\", want \"%s\"", arg, error->message, want);
    }
    g_error_free(error);
}

static void test_bad(void **state)
{
    (void)state;
    check_bad("host.memory", "expected KEY=FROM:TO:STEP or KEY=v1,v2,...");
    check_bad("=1:2:1", "expected KEY=FROM:TO:STEP");
    check_bad("x=1:2:0", "the step is 0");
    check_bad("x=0GiB:1GiB:0B", "the step is 0");
    check_bad("x=1:5:-1", "the range is empty");
    check_bad("x=5:1:1", "a range going down takes a negative step");
    check_bad("x=64GiB:32GiB:1GiB", "the range is empty");
    check_bad("x=1:2", "expected KEY=FROM:TO:STEP or KEY=v1,v2,...");
    check_bad("x=1:2:3:4", "expected KEY=FROM:TO:STEP");
    check_bad("x=1::1", "one of them is empty");
    check_bad("x=64GiB:1h:1GiB", "must be of one kind");
    check_bad("x=1:256GiB:64GiB", "must be of one kind");
    check_bad("x=10%:1:1", "must be of one kind");
    check_bad("x=1m:10m:1m", "could be minutes or MiB");
    check_bad("x=a:b:c", "FROM \"a\" is not a number, size, duration or percentage");
    check_bad("x=1e3:2e3:1e2", "FROM \"1e3\" is not a number");
    check_bad("x=0:1000000:1", "1000001 values, more than a sweep may have (1000000)");
    check_bad("x=0B:1GiB:1B", "values, more than a sweep may have");
    check_bad("x=0.0000000001:1:1", "not a number");
    check_bad("x=1,,2", "empty value in the list");
    check_bad("x=1,2,1", "value \"1\" is given twice");
    check_bad("seed=1:3:1", "--seeds N");
    check_bad("x=\xff", "not valid UTF-8");
}

static void test_bad_grid(void **state)
{
    (void)state;
    g_autoptr(SimGrid) g = sim_grid_new();
    GError *error = NULL;
    assert_true(sim_grid_add_vary(g, "x=1,2", NULL));
    assert_false(sim_grid_add_vary(g, "x=3,4", &error));
    assert_string_equal(error->message, "--vary x=3,4: error: key \"x\" is varied twice");
    g_clear_error(&error);
    const char *sets[] = {"duration=1m", "x=5", NULL};
    assert_false(sim_grid_check(g, sets, &error));
    assert_string_equal(error->message, "--vary x=1,2: error: --set x=5 gives the same key");
    g_clear_error(&error);
    assert_true(sim_grid_add_vary(g, "host.policy=esxi,kvm-mom", NULL));
    const char *policies[] = {"esxi", NULL};
    sim_grid_set_policies(g, policies);
    assert_false(sim_grid_check(g, NULL, &error));
    assert_int_equal(sim_error_exit_code(error), SIM_EXIT_BAD_INPUT);
    assert_non_null(strstr(error->message, "varied by --policies as well"));
    g_clear_error(&error);
    /* 1001 x 1000 points: each --vary is fine, the product is not */
    g_autoptr(SimGrid) big = sim_grid_new();
    assert_true(sim_grid_add_vary(big, "a=0:1000:1", NULL));
    assert_true(sim_grid_add_vary(big, "b=1:1000:1", NULL));
    assert_false(sim_grid_check(big, NULL, &error));
    assert_non_null(strstr(error->message, "more than 1000000 points"));
    g_clear_error(&error);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_points),
        cmocka_unit_test(test_probes),
        cmocka_unit_test(test_default_dimensions),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_bad_grid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
