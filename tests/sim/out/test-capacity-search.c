/* The search of `reclaimsim capacity` (sim/out/capacity.h) on verdicts
 * from a table, not from runs: the outward steps, the bisection and the
 * k-ary section, the confirming pair, noise (a pass above a failure),
 * --max reached, the floor reached, and "none" when the start and
 * everything below it fail. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "sim/out/capacity.h"

/* A verdict table: passes at or below `threshold` (LARGEST) or at or above
 * it (SMALLEST), except the values of `flipped`, whose verdict is the
 * other one (noise). */
typedef struct Table {
    SimCapGoal goal;
    gint64 threshold;
    const gint64 *flipped; /* ends with -1; NULL: none */
} Table;

static bool verdict(const Table *t, gint64 v)
{
    bool pass = t->goal == SIM_CAP_LARGEST ? v <= t->threshold : v >= t->threshold;
    for (guint i = 0; t->flipped != NULL && t->flipped[i] >= 0; i++) {
        pass = t->flipped[i] == v ? !pass : pass;
    }
    return pass;
}

/* Runs the search to the end; *trace gets the rounds, "8 16|32" (rounds
 * separated by '|'). */
static SimCapAnswer search(const Table *t, gint64 lo, gint64 start, gint64 hi, guint width,
                           char **trace)
{
    g_autoptr(SimCapSearch) s = sim_cap_search_new(t->goal, lo, start, hi, width);
    GString *out = g_string_new(NULL);
    gint64 values[SIM_CAP_WIDTH_MAX];
    guint n;
    while ((n = sim_cap_search_next(s, values)) > 0) {
        assert_true(n <= width);
        g_string_append(out, out->len > 0 ? "|" : "");
        for (guint i = 0; i < n; i++) {
            assert_true(values[i] >= lo && values[i] <= hi);
            g_string_append_printf(out, "%s%" G_GINT64_FORMAT, i > 0 ? " " : "", values[i]);
        }
        for (guint i = 0; i < n; i++) {
            sim_cap_search_record(s, values[i], verdict(t, values[i]));
        }
        assert_true(sim_cap_search_answer(s).rounds < 200); /* it ends */
    }
    assert_true(sim_cap_search_done(s));
    if (trace != NULL) {
        *trace = g_string_free(out, FALSE);
    } else {
        g_string_free(out, TRUE);
    }
    return sim_cap_search_answer(s);
}

/* Doubling from the start until a count fails, then bisection; the answer
 * is confirmed by its own probe and by the failing probe above it. */
static void test_outward_then_bisect(void **state)
{
    (void)state;
    Table t = {.goal = SIM_CAP_LARGEST, .threshold = 23};
    g_autofree char *trace = NULL;
    SimCapAnswer a = search(&t, 1, 8, 100000, 1, &trace);
    assert_string_equal(trace, "8|16|32|24|20|22|23");
    assert_true(a.found && a.monotone && !a.at_limit);
    assert_int_equal(a.value, 23);
    assert_true(a.has_pass && a.has_fail);
    assert_int_equal(a.pass_at, 23);
    assert_int_equal(a.fail_at, 24);
    assert_int_equal(a.range_lo, 23);
    assert_int_equal(a.range_hi, 23);
    assert_int_equal(a.rounds, 7);
    assert_int_equal(a.probes, 7);
}

/* Width 3: the first round looks past the start, later ones cut the
 * bracket in four: fewer rounds, the same answer. */
static void test_section(void **state)
{
    (void)state;
    Table t = {.goal = SIM_CAP_LARGEST, .threshold = 23};
    g_autofree char *trace = NULL;
    SimCapAnswer a = search(&t, 1, 8, 100000, 3, &trace);
    assert_string_equal(trace, "8 16 32|20 24 28|21 22 23");
    assert_true(a.found && a.monotone);
    assert_int_equal(a.value, 23);
    assert_int_equal(a.fail_at, 24);
    assert_int_equal(a.rounds, 3);
    assert_int_equal(a.probes, 9);
}

/* A failing start: down by halving the distance to the floor. */
static void test_start_fails(void **state)
{
    (void)state;
    Table t = {.goal = SIM_CAP_LARGEST, .threshold = 3};
    g_autofree char *trace = NULL;
    SimCapAnswer a = search(&t, 1, 8, 100000, 1, &trace);
    assert_string_equal(trace, "8|4|2|3");
    assert_true(a.found);
    assert_int_equal(a.value, 3);
    assert_int_equal(a.fail_at, 4);
}

/* Everything from the start down fails: the answer is "none", and the
 * probe of the floor says so. */
static void test_none(void **state)
{
    (void)state;
    Table t = {.goal = SIM_CAP_LARGEST, .threshold = 0};
    g_autofree char *trace = NULL;
    SimCapAnswer a = search(&t, 1, 8, 100000, 1, &trace);
    assert_string_equal(trace, "8|4|2|1");
    assert_false(a.found);
    assert_false(a.has_pass);
    assert_true(a.has_fail);
    assert_int_equal(a.fail_at, 1);
}

/* None, but a probe above passed: the noise is said (the range reaches it). */
static void test_none_not_monotone(void **state)
{
    (void)state;
    static const gint64 noise[] = {16, -1};
    Table t = {.goal = SIM_CAP_LARGEST, .threshold = 0, .flipped = noise};
    g_autofree char *trace = NULL;
    SimCapAnswer a = search(&t, 1, 4, 100000, 3, &trace);
    assert_string_equal(trace, "4 8 16|2 1");
    assert_false(a.found);
    assert_false(a.monotone);
    assert_int_equal(a.range_hi, 16);
}

/* Everything passes up to --max: the answer is --max, at the limit, with
 * no failing probe. */
static void test_max_reached(void **state)
{
    (void)state;
    Table t = {.goal = SIM_CAP_LARGEST, .threshold = 1000};
    g_autofree char *trace = NULL;
    SimCapAnswer a = search(&t, 1, 8, 50, 1, &trace);
    assert_string_equal(trace, "8|16|32|50");
    assert_true(a.found && a.at_limit);
    assert_int_equal(a.value, 50);
    assert_false(a.has_fail);
}

/* Noise: 28 passes while 20 and 24 fail. The answer is the safe end, 19
 * (its probe passes, 20's fails), and the range reaches 28. */
static void test_not_monotone(void **state)
{
    (void)state;
    static const gint64 noise[] = {28, -1};
    Table t = {.goal = SIM_CAP_LARGEST, .threshold = 19, .flipped = noise};
    g_autofree char *trace = NULL;
    SimCapAnswer a = search(&t, 1, 8, 100000, 3, &trace);
    assert_string_equal(trace, "8 16 32|20 24 28|17 18 19");
    assert_true(a.found);
    assert_false(a.monotone);
    assert_int_equal(a.value, 19);
    assert_int_equal(a.fail_at, 20);
    assert_int_equal(a.range_lo, 19);
    assert_int_equal(a.range_hi, 28);
}

/* Noise the probes never touch is not seen: 8 passes (noise; 3 to 7
 * fail), so the search goes up and brackets 8, and calls it monotone. What
 * the search sees is what its probes say: docs/capacity.md says so. */
static void test_noise_unseen(void **state)
{
    (void)state;
    static const gint64 noise[] = {8, -1};
    Table t = {.goal = SIM_CAP_LARGEST, .threshold = 2, .flipped = noise};
    g_autofree char *trace = NULL;
    SimCapAnswer a = search(&t, 1, 8, 100000, 1, &trace);
    /* 8 passes: up to 16 (fails), bisect to 12 (fails), 10, 9 (fail); 8
     * stays the passing probe below every failure: the answer */
    assert_string_equal(trace, "8|16|12|10|9");
    assert_true(a.monotone); /* nothing probed shows the noise below 8 */
    assert_int_equal(a.value, 8);
}

/* The smallest passing host: from a passing start down toward the floor,
 * then bisection; the probe below the answer fails. */
static void test_smallest(void **state)
{
    (void)state;
    Table t = {.goal = SIM_CAP_SMALLEST, .threshold = 37};
    g_autofree char *trace = NULL;
    SimCapAnswer a = search(&t, 10, 64, 200, 1, &trace);
    assert_string_equal(trace, "64|37|23|30|34|36");
    assert_true(a.found && a.monotone && !a.at_limit);
    assert_int_equal(a.value, 37);
    assert_int_equal(a.pass_at, 37);
    assert_int_equal(a.fail_at, 36);
}

/* A failing host: up by doubling (capped at --max), then bisection. */
static void test_smallest_up(void **state)
{
    (void)state;
    Table t = {.goal = SIM_CAP_SMALLEST, .threshold = 150};
    SimCapAnswer a = search(&t, 10, 64, 200, 1, NULL);
    assert_true(a.found);
    assert_int_equal(a.value, 150);
    assert_int_equal(a.fail_at, 149);
}

/* The floor passes (at the limit); nothing up to --max passes (none);
 * noise below a failing host gives the range from the lowest passing. */
static void test_smallest_ends(void **state)
{
    (void)state;
    Table all = {.goal = SIM_CAP_SMALLEST, .threshold = 0};
    SimCapAnswer a = search(&all, 10, 64, 200, 1, NULL);
    assert_true(a.found && a.at_limit);
    assert_int_equal(a.value, 10);
    assert_false(a.has_fail);
    Table none = {.goal = SIM_CAP_SMALLEST, .threshold = 1000};
    g_autofree char *trace = NULL;
    a = search(&none, 10, 64, 200, 1, &trace);
    assert_string_equal(trace, "64|128|200");
    assert_false(a.found);
    static const gint64 noise[] = {30, -1};
    Table noisy = {.goal = SIM_CAP_SMALLEST, .threshold = 37, .flipped = noise};
    a = search(&noisy, 10, 64, 200, 3, NULL);
    assert_false(a.monotone);
    assert_int_equal(a.value, 37);
    assert_int_equal(a.range_lo, 30);
    assert_int_equal(a.range_hi, 37);
}

/* Every threshold, start and width on a small domain: the answer is the
 * threshold, bracketed by a passing and a failing probe next to each other. */
static void test_every_threshold(void **state)
{
    (void)state;
    static const gint64 starts[] = {1, 2, 7, 60, 120};
    for (gint64 th = 0; th <= 121; th++) {
        for (guint k = 0; k < G_N_ELEMENTS(starts); k++) {
            for (guint w = 1; w <= 5; w++) {
                Table t = {.goal = SIM_CAP_LARGEST, .threshold = th};
                SimCapAnswer a = search(&t, 1, starts[k], 120, w, NULL);
                assert_int_equal(a.found, th >= 1);
                assert_true(a.monotone);
                if (a.found) {
                    assert_int_equal(a.value, MIN(th, 120));
                }
                assert_int_equal(a.has_fail, th < 120);
                if (a.has_fail) {
                    assert_int_equal(a.fail_at, MAX(th, 0) + 1);
                }
                Table m = {.goal = SIM_CAP_SMALLEST, .threshold = th};
                a = search(&m, 1, starts[k], 120, w, NULL);
                assert_int_equal(a.found, th <= 120);
                if (a.found) {
                    assert_int_equal(a.value, MAX(th, 1));
                }
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outward_then_bisect),
        cmocka_unit_test(test_section),
        cmocka_unit_test(test_start_fails),
        cmocka_unit_test(test_none),
        cmocka_unit_test(test_none_not_monotone),
        cmocka_unit_test(test_max_reached),
        cmocka_unit_test(test_not_monotone),
        cmocka_unit_test(test_noise_unseen),
        cmocka_unit_test(test_smallest),
        cmocka_unit_test(test_smallest_up),
        cmocka_unit_test(test_smallest_ends),
        cmocka_unit_test(test_every_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
