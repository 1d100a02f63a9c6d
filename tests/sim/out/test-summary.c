/* Tests of sim/out/summary.c: summary.json of the fixture's run. */
#include "fixture.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <stdlib.h>

#include "sim/error.h"
#include "sim/out/summary.h"

/* Writes DIR/summary.json of the fixture and parses it. */
static json_t *write_summary(Fixture *f)
{
    GError *error = NULL;
    assert_true(sim_summary_write(f->recorder, f->totals, f->tmp, NULL, &error));
    g_assert_no_error(error);
    g_autofree char *path = g_build_filename(f->tmp, "summary.json", NULL);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (root == NULL) {
        fail_msg("summary.json: %s", jerr.text);
    }
    return root;
}

/* The value at a dotted path ("vms.0.mean.perf_index"). */
static json_t *json_at(json_t *root, const char *path)
{
    g_auto(GStrv) parts = g_strsplit(path, ".", -1);
    json_t *v = root;
    for (guint i = 0; parts[i] != NULL && v != NULL; i++) {
        v = json_is_array(v) ? json_array_get(v, (size_t)g_ascii_strtoull(parts[i], NULL, 10))
                             : json_object_get(v, parts[i]);
    }
    if (v == NULL) {
        fail_msg("no %s in summary.json", path);
    }
    return v;
}

static double json_num(json_t *root, const char *path)
{
    return json_number_value(json_at(root, path));
}

static void test_summary_has_keys_in_order_and_host_totals(void **state)
{
    json_t *root = write_summary(*state);
    const char *want[] = {"scenario", "policy", "seed", "duration_s", "epoch", "host", "vms", "sla"};
    void *it = json_object_iter(root);
    for (guint i = 0; i < G_N_ELEMENTS(want); i++, it = json_object_iter_next(root, it)) {
        assert_non_null(it);
        assert_string_equal(json_object_iter_key(it), want[i]);
    }
    assert_null(it);
    assert_string_equal(json_string_value(json_at(root, "scenario")), "tiny");
    assert_string_equal(json_string_value(json_at(root, "policy")), "esxi");
    assert_int_equal(json_integer_value(json_at(root, "seed")), 7);
    assert_true(json_num(root, "duration_s") == 60.0);
    /* the time of t = 0 that esxtop.csv's first row shows as 01/01/2024 00:00:00 */
    assert_string_equal(json_string_value(json_at(root, "epoch")), "2024-01-01T00:00:00Z");
    assert_true(json_num(root, "host.memory_mb") == 4096.0);
    assert_true(json_num(root, "host.thresholds_mb.soft") == 104.8576);
    assert_true(json_num(root, "host.time_in_state_s.clear") == 20.0);
    assert_true(json_num(root, "host.reclaimed_mb.balloon") == 512.0);
    /* Rounded to 4 decimals. */
    assert_true(json_num(root, "host.reclaimed_mb.shared") == 100.1235);
    assert_int_equal(json_object_size(json_at(root, "vms.0.final")), 22);
    json_decref(root);
}

static void test_summary_computes_final_mean_and_max(void **state)
{
    json_t *root = write_summary(*state);
    assert_string_equal(json_string_value(json_at(root, "vms.1.name")), "vm-2");
    assert_true(json_num(root, "vms.0.final.mctlsz_mb") == 128.0);
    /* The mean is the model's time-weighted one, not the rows'. */
    assert_true(json_num(root, "vms.0.mean.mctlsz_mb") == 129.5);
    assert_true(json_num(root, "vms.0.max.mctlsz_mb") == 256.0);
    assert_true(json_num(root, "vms.0.mean.perf_index") == 0.88);
    /* The t = 0 row covers no time: its perf index 1.0 is not the max. */
    assert_true(json_num(root, "vms.0.max.perf_index") == 0.9);
    assert_true(json_num(root, "vms.0.max.stall_pct") == 20.0);
    assert_true(json_num(root, "vms.0.final.perf_index") == 0.8);
    assert_true(json_num(root, "vms.1.mean.perf_index") == 0.99);
    assert_true(json_num(root, "vms.1.max.perf_index") == 1.0);
    assert_true(json_num(root, "vms.1.max.swcur_mb") == 16.0);
    assert_true(json_num(root, "vms.0.mean.stall_pct") == 12.0);
    json_decref(root);
}

/* Writes with the given SLA and returns summary.json's sla object as text. */
static char *sla_text(Fixture *f, bool has_sla, double threshold)
{
    f->scenario->has_sla = has_sla;
    f->scenario->sla_perf_index = threshold;
    json_t *root = write_summary(f);
    char *text = json_dumps(json_at(root, "sla"),
                            JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(root);
    char *copy = g_strdup(text);
    free(text);
    return copy;
}

static void test_summary_sla_verdict_names_the_worst_vm(void **state)
{
    Fixture *f = *state;
    g_autofree char *missed = sla_text(f, true, 0.95);
    assert_string_equal(missed, "{\"perf_index\":0.95,\"met\":false,\"worst_vm\":\"vm-1\"}");
    /* Missed on the model's 0.88, which the rows' plain mean (0.9) would meet. */
    g_autofree char *missed_on_rows = sla_text(f, true, 0.89);
    assert_string_equal(missed_on_rows,
                        "{\"perf_index\":0.89,\"met\":false,\"worst_vm\":\"vm-1\"}");
    g_autofree char *met = sla_text(f, true, 0.85);
    assert_string_equal(met, "{\"perf_index\":0.85,\"met\":true,\"worst_vm\":\"vm-1\"}");
    g_autofree char *none = sla_text(f, false, 0);
    assert_string_equal(none, "{\"perf_index\":null,\"met\":null,\"worst_vm\":\"vm-1\"}");
}

static void test_summary_sla_without_vms_is_met_with_no_worst_vm(void **state)
{
    g_autofree char *no_vms = sla_text(*state, true, 0.95);
    assert_string_equal(no_vms, "{\"perf_index\":0.95,\"met\":true,\"worst_vm\":null}");
}

/* Messages name the file in the directory the user gave, not the one written. */
static void test_summary_write_error_names_the_shown_directory(void **state)
{
    Fixture *f = *state;
    g_autofree char *blocker = g_build_filename(f->tmp, "summary.json", NULL);
    assert_int_equal(g_mkdir(blocker, 0777), 0); /* fopen("summary.json", "w") fails: EISDIR */
    GError *error = NULL;
    assert_false(sim_summary_write(f->recorder, f->totals, f->tmp, "out/x", &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_IO));
    g_autofree char *want =
        g_strdup_printf("out/x/summary.json: error: cannot write: %s", g_strerror(EISDIR));
    assert_string_equal(error->message, want);
    g_clear_error(&error);
}

/* explain reads each VM's settings back: a limit, an unlimited VM, no driver. */
static void test_summary_records_each_vms_settings(void **state)
{
    Fixture *f = *state;
    SimVmConfig *vm1 = &g_array_index(f->scenario->vms, SimVmConfig, 0);
    SimVmConfig *vm2 = &g_array_index(f->scenario->vms, SimVmConfig, 1);
    vm1->memory = UINT64_C(2) << 30;
    vm1->limit = UINT64_C(768) << 20;
    vm1->reservation = UINT64_C(256) << 20;
    vm1->shares = 20480;
    vm1->max_balloon = 0.5;
    vm1->guest.balloon_driver = true;
    vm2->limit = SIM_SIZE_UNLIMITED;
    vm2->power_on = SIM_TIME_NEVER;
    f->scenario->host.idle_tax = 0.75;
    json_t *root = write_summary(f);
    assert_true(json_num(root, "vms.0.config.memory_mb") == 2048.0);
    assert_true(json_num(root, "vms.0.config.limit_mb") == 768.0);
    assert_true(json_num(root, "vms.0.config.reservation_mb") == 256.0);
    assert_int_equal(json_integer_value(json_at(root, "vms.0.config.shares")), 20480);
    assert_true(json_num(root, "vms.0.config.max_balloon_pct") == 50.0);
    assert_true(json_is_true(json_at(root, "vms.0.config.balloon_driver")));
    assert_true(json_is_null(json_at(root, "vms.1.config.limit_mb")));
    assert_true(json_is_null(json_at(root, "vms.1.config.power_on_s")));
    assert_true(json_is_false(json_at(root, "vms.1.config.balloon_driver")));
    assert_int_equal(json_array_size(json_at(root, "vms.1.config.events")), 0);
    assert_true(json_num(root, "host.config.idle_tax_pct") == 75.0);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_summary_has_keys_in_order_and_host_totals),
        FIXTURE_TEST(test_summary_computes_final_mean_and_max),
        FIXTURE_TEST(test_summary_sla_verdict_names_the_worst_vm),
        FIXTURE_TEST_NO_VMS(test_summary_sla_without_vms_is_met_with_no_worst_vm),
        FIXTURE_TEST(test_summary_write_error_names_the_shown_directory),
        FIXTURE_TEST(test_summary_records_each_vms_settings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
