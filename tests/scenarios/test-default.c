#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sim/load/scenario.h"
#include "support/model.h"
#include "support/testutil.h"

/* The built-in default run, with conservation checked after every event:
 * per VM, pages by backing sum to configured and counters match the page
 * lists; on the host, free + overhead + consumed = host memory and frames
 * in use match the VMs' page states. */
static void test_default_run_conserves_memory_after_every_event(void **state)
{
    (void)state;
    TestModel *m = test_model_from_file("scenarios/default.json");
    test_model_check_every_event(m);
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    assert_string_equal(m->violation->str, "");
    assert_true(m->checks > 100000);
    test_model_free(m);
}

/* The default scenario is meant to show every mechanism of this version:
 * it must visit every state down to hard, balloon and swap. */
static void test_default_run_visits_every_state_down_to_hard(void **state)
{
    (void)state;
    TestModel *m = test_model_from_file("scenarios/default.json");
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    const SimRunTotals *t = sim_run_totals(m->run);
    for (int s = HOST_STATE_HIGH; s <= HOST_STATE_HARD; s++) {
        assert_true(t->time_in_state_s[s] > 0.0);
    }
    double total = 0;
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        total += t->time_in_state_s[s];
    }
    assert_float_equal(total, 7200.0, 1.0);
    assert_true(t->reclaimed_balloon_mb > 1024.0);
    assert_true(t->reclaimed_swapped_mb > 100.0);
    test_model_free(m);
}

/* The built-in text and the shipped file are the same scenario. */
static void test_default_builtin_matches_the_shipped_file(void **state)
{
    (void)state;
    char *path = test_source_path("scenarios/default.json");
    char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    assert_string_equal(sim_scenario_default_text(), text);
    g_free(text);
    g_free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_run_conserves_memory_after_every_event),
        cmocka_unit_test(test_default_run_visits_every_state_down_to_hard),
        cmocka_unit_test(test_default_builtin_matches_the_shipped_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
