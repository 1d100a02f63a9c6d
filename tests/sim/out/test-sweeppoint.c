/* A sweep point and its result as text for another MPI rank
 * (sim/out/sweeppoint.h): what is unpacked is what was packed, every
 * double to the bit (NaN, -0, subnormals, the extremes), names absent or
 * present, text that is not UTF-8; text no packer wrote is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "sim/out/sweeppoint.h"

static void assert_same_bits(double a, double b)
{
    assert_memory_equal(&a, &b, sizeof a);
}

static void test_point_round_trip(void **state)
{
    (void)state;
    char *sets[] = {"host.policy=esxi", "host.memory=8GiB", "vms.0.name=\"a,b\"", NULL};
    SimSweepPoint p = {.id = 12345678901234ULL,
                       .sets = g_strdupv(sets),
                       .policy = g_strdup("esxi"),
                       .seed = G_MAXUINT64, /* beyond JSON's integers */
                       .keep_dir = g_strdup("out/caf\xe9/runs/07")}; /* Latin-1: not UTF-8 */
    g_autofree char *text = sim_sweep_point_pack(&p);
    assert_null(strchr(text, '\n'));
    SimSweepPoint q;
    GError *error = NULL;
    assert_true(sim_sweep_point_unpack(text, &q, &error));
    assert_true(q.id == p.id && q.seed == p.seed);
    assert_int_equal(g_strv_length(q.sets), 3);
    for (guint i = 0; i < 3; i++) {
        assert_string_equal(q.sets[i], p.sets[i]);
    }
    assert_string_equal(q.policy, "esxi");
    assert_string_equal(q.keep_dir, p.keep_dir);
    sim_sweep_point_clear(&q);
    /* nothing optional given */
    SimSweepPoint bare = {.id = 0};
    g_autofree char *t2 = sim_sweep_point_pack(&bare);
    assert_true(sim_sweep_point_unpack(t2, &q, &error));
    assert_null(q.policy);
    assert_null(q.keep_dir);
    assert_non_null(q.sets);
    assert_null(q.sets[0]);
    sim_sweep_point_clear(&q);
    sim_sweep_point_clear(&p);
}

static void test_result_round_trip(void **state)
{
    (void)state;
    SimSweepResult r = {.id = 7, .ok = true, .policy = g_strdup("kvm-mom"), .seed = 3,
                        .has_seed = true, .warnings = g_strdup("w1\nw2")};
    r.row = (SimCompareRow){.policy = g_strdup("kvm-mom"),
                            .perf_mean = 0.1 + 0.2, /* not a short decimal */
                            .perf_worst = -0.0,
                            .worst_vm = g_strdup("vm\xc3\xa9"),
                            .below_sla_s = NAN,
                            .below_worst_s = DBL_TRUE_MIN,
                            .stall_pct_mean = DBL_MAX,
                            .swap_read_mb = INFINITY,
                            .swap_written_mb = 1e-310,
                            .sla_met = -1};
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        r.row.peak_mb[m] = 1.0 / (m + 3);
        r.row.mean_mb[m] = -1.0 / (m + 7);
    }
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        r.row.time_in_state_s[s] = 3600.0 / (s + 11);
    }
    g_autofree char *text = sim_sweep_result_pack(&r);
    GError *error = NULL;
    SimSweepResult *q = sim_sweep_result_unpack(text, &error);
    assert_non_null(q);
    assert_true(q->id == 7 && q->ok && q->seed == 3 && q->has_seed);
    assert_string_equal(q->policy, "kvm-mom");
    assert_string_equal(q->warnings, "w1\nw2");
    assert_null(q->error);
    assert_string_equal(q->row.policy, "kvm-mom");
    assert_string_equal(q->row.worst_vm, r.row.worst_vm);
    assert_null(q->row.below_worst_vm);
    assert_int_equal(q->row.sla_met, -1);
    assert_same_bits(r.row.perf_mean, q->row.perf_mean);
    assert_same_bits(r.row.perf_worst, q->row.perf_worst);
    assert_same_bits(r.row.below_sla_s, q->row.below_sla_s);
    assert_same_bits(r.row.below_worst_s, q->row.below_worst_s);
    assert_same_bits(r.row.stall_pct_mean, q->row.stall_pct_mean);
    assert_same_bits(r.row.swap_read_mb, q->row.swap_read_mb);
    assert_same_bits(r.row.swap_written_mb, q->row.swap_written_mb);
    for (int m = 0; m < SIM_MECH_MAX; m++) {
        assert_same_bits(r.row.peak_mb[m], q->row.peak_mb[m]);
        assert_same_bits(r.row.mean_mb[m], q->row.mean_mb[m]);
    }
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        assert_same_bits(r.row.time_in_state_s[s], q->row.time_in_state_s[s]);
    }
    sim_sweep_result_free(q);
    sim_compare_row_clear(&r.row);
    g_free(r.policy);
    g_free(r.warnings);
}

/* A failed point: its error and no figures. */
static void test_failed_result_round_trip(void **state)
{
    (void)state;
    SimSweepResult r = {.id = 1, .error = g_strdup("x.json:3:4: error: bad (at /host)")};
    g_autofree char *text = sim_sweep_result_pack(&r);
    GError *error = NULL;
    SimSweepResult *q = sim_sweep_result_unpack(text, &error);
    assert_non_null(q);
    assert_false(q->ok);
    assert_false(q->has_seed);
    assert_string_equal(q->error, r.error);
    assert_null(q->policy);
    assert_null(q->row.policy);
    sim_sweep_result_free(q);
    g_free(r.error);
}

/* A set of an odd number of hex digits. */
#define ODD_HEX "{\"id\":\"1\",\"sets\":[{\"hex\":\"4\"}],\"policy\":null,\"seed\":\"0\",\"keep_dir\":null}"

static void test_bad_text_refused(void **state)
{
    (void)state;
    const char *bad[] = {"", "[]", "{\"id\":1}", "{\"id\":\"x\",\"sets\":[]}",
                         "{\"id\":\"1\",\"sets\":[1],\"policy\":null,\"seed\":\"0\",\"keep_dir\":null}",
                         ODD_HEX};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        SimSweepPoint p;
        GError *error = NULL;
        assert_false(sim_sweep_point_unpack(bad[i], &p, &error));
        assert_non_null(error);
        g_error_free(error);
        error = NULL;
        assert_null(sim_sweep_result_unpack(bad[i], &error));
        assert_non_null(error);
        g_error_free(error);
    }
    /* a row whose numbers are not 16 hex digits */
    GError *error = NULL;
    assert_null(sim_sweep_result_unpack(
        "{\"id\":\"1\",\"ok\":true,\"error\":null,\"policy\":null,\"seed\":\"1\",\"has_seed\":true,"
        "\"warnings\":null,\"row\":{\"policy\":null,\"worst_vm\":null,\"below_worst_vm\":null,"
        "\"numbers\":[\"0.5\"],\"sla_met\":1}}",
        &error));
    assert_non_null(error);
    g_error_free(error);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_point_round_trip),
        cmocka_unit_test(test_result_round_trip),
        cmocka_unit_test(test_failed_result_round_trip),
        cmocka_unit_test(test_bad_text_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
