/* Tests of sim/out/table.c: the terminal summary of the fixture's run. */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/out/table.h"

/* What sim_table_print prints, as a string the caller frees with free(). */
static char *print_table(Fixture *f)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    sim_table_print(f->recorder, f->totals, out);
    fclose(out);
    return buf;
}

static void test_table_prints_vms_states_and_the_sla_verdict(void **state)
{
    Fixture *f = *state;
    f->scenario->has_sla = true;
    f->scenario->sla_perf_index = 0.95;
    char *buf = print_table(f);
    assert_non_null(strstr(buf, "VM     balloon MiB   sharing MiB  compressed MiB"
                                "   swapped MiB   stall %  perf index\n"));
    /* vm-1: final balloon 128, sharing 8, compressed 4, swap 0, mean stall
     * 12% and perf index 0.88 over the run (the model's, not the rows'). */
    assert_non_null(strstr(buf, "vm-1        128.00          8.00            4.00"
                                "          0.00     12.00      0.8800\n"));
    assert_non_null(strstr(buf, "high      0:00:30    50.0%\n"));
    assert_non_null(
        strstr(buf, "\nSLA perf index >= 0.9500: NOT met (worst VM vm-1, mean 0.8800)"));
    free(buf);
}

/* Without an SLA the table ends with the reclaimed line: no verdict. */
static void test_table_without_an_sla_prints_no_verdict(void **state)
{
    char *buf = print_table(*state);
    assert_null(strstr(buf, "SLA"));
    assert_true(g_str_has_suffix(buf, "reclaimed (peak MiB): balloon 512, sharing 100, "
                                      "compression 0, swap 64\n"));
    free(buf);
}

static void test_table_without_vms_says_the_sla_is_met(void **state)
{
    Fixture *f = *state;
    f->scenario->has_sla = true;
    f->scenario->sla_perf_index = 0.95;
    char *buf = print_table(f);
    assert_true(g_str_has_prefix(buf, "VM   balloon MiB"));
    assert_true(g_str_has_suffix(buf, "\n\nSLA perf index >= 0.9500: met (no VMs)\n"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_table_prints_vms_states_and_the_sla_verdict),
        FIXTURE_TEST(test_table_without_an_sla_prints_no_verdict),
        FIXTURE_TEST_NO_VMS(test_table_without_vms_says_the_sla_is_met),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
