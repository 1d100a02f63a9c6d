#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "host/host.h"

static HostThresholds thresholds(void)
{
    HostThresholds t;
    host_thresholds_init(&t, 1000, &host_states_esxi6); /* 4000/1000/640/320/160 */
    return t;
}

static void test_band_reading_puts_free_between_thresholds_in_the_higher_band(void **state)
{
    (void)state;
    HostThresholds t = thresholds();
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, 5000), HOST_STATE_HIGH);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, 4000), HOST_STATE_HIGH);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, 3999), HOST_STATE_CLEAR);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, 1000), HOST_STATE_CLEAR);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, 999), HOST_STATE_SOFT);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, 639), HOST_STATE_HARD);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, 319), HOST_STATE_LOW);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, 0), HOST_STATE_LOW);
}

static void test_below_reading_enters_a_state_once_free_falls_under_its_threshold(void **state)
{
    (void)state;
    HostThresholds t = thresholds();
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BELOW, 3999), HOST_STATE_HIGH);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BELOW, 999), HOST_STATE_CLEAR);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BELOW, 639), HOST_STATE_SOFT);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BELOW, 319), HOST_STATE_HARD);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BELOW, 159), HOST_STATE_LOW);
}

static void test_worse_states_are_entered_at_once(void **state)
{
    (void)state;
    HostThresholds t = thresholds();
    assert_int_equal(host_state_next(&t, SIM_STATE_READING_BAND, HOST_STATE_HIGH, 500, 50),
                     HOST_STATE_HARD);
}

static void test_leaving_a_state_needs_free_above_the_boundary_by_the_hysteresis(void **state)
{
    (void)state;
    HostThresholds t = thresholds();
    /* soft -> clear needs free >= 1000 + 50 */
    assert_int_equal(host_state_next(&t, SIM_STATE_READING_BAND, HOST_STATE_SOFT, 1000, 50),
                     HOST_STATE_SOFT);
    assert_int_equal(host_state_next(&t, SIM_STATE_READING_BAND, HOST_STATE_SOFT, 1049, 50),
                     HOST_STATE_SOFT);
    assert_int_equal(host_state_next(&t, SIM_STATE_READING_BAND, HOST_STATE_SOFT, 1050, 50),
                     HOST_STATE_CLEAR);
    /* a big jump relaxes several states at once */
    assert_int_equal(host_state_next(&t, SIM_STATE_READING_BAND, HOST_STATE_LOW, 9000, 50),
                     HOST_STATE_HIGH);
    /* without hysteresis the boundary itself is enough */
    assert_int_equal(host_state_next(&t, SIM_STATE_READING_BAND, HOST_STATE_SOFT, 1000, 0),
                     HOST_STATE_CLEAR);
}

/* ESXi 5.x: no clear state; soft starts below 100% of minFree. */
static void test_states_without_clear_go_from_high_to_soft(void **state)
{
    (void)state;
    HostStateTable t5 = {{100.0, -1.0, 64.0, 32.0, 16.0}};
    HostThresholds t;
    host_thresholds_init(&t, 1000, &t5);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, 1000), HOST_STATE_HIGH);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, 999), HOST_STATE_SOFT);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, 639), HOST_STATE_HARD);
    assert_int_equal(host_state_for(&t, SIM_STATE_READING_BAND, 319), HOST_STATE_LOW);
    for (uint64_t free = 0; free < 5000; free += 7) {
        assert_int_not_equal(host_state_for(&t, SIM_STATE_READING_BAND, free), HOST_STATE_CLEAR);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_band_reading_puts_free_between_thresholds_in_the_higher_band),
        cmocka_unit_test(test_below_reading_enters_a_state_once_free_falls_under_its_threshold),
        cmocka_unit_test(test_worse_states_are_entered_at_once),
        cmocka_unit_test(test_leaving_a_state_needs_free_above_the_boundary_by_the_hysteresis),
        cmocka_unit_test(test_states_without_clear_go_from_high_to_soft),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
