/* Tests of sim/run/recorder.c: the output files, their aggregates and the atomic replace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "sim/error.h"
#include "sim/out/results.h"
#include "sim/run/recorder.h"
#include "support/testutil.h"

#define HOST_HEADER                                                                                \
    "time_s,state,free_mb,min_free_mb,overhead_mb,shared_mb,shrdsvd_mb,zip_mb,swcur_mb,"           \
    "mctlsz_mb,swr_mbps,sww_mbps"
#define VMS_HEADER                                                                                 \
    "time_s,vm,memsz_mb,grant_mb,consumed_mb,sztgt_mb,active_mb,mctlsz_mb,mctltgt_mb,"             \
    "mctlmax_mb,swcur_mb,swtgt_mb,swr_mbps,sww_mbps,zip_mb,zsaved_mb,shrd_mb,zero_mb,"             \
    "shrdsvd_mb,guest_free_mb,guest_cache_mb,guest_swap_mb,stall_pct,perf_index"

/* A hand-built scenario: the recorder reads only names, host memory, seed, duration, SLA. */
static SimScenario *scenario_new(guint n_vms)
{
    SimScenario *sc = g_new0(SimScenario, 1);
    sc->name = g_strdup("tiny");
    sc->seed = 7;
    sc->duration = 60 * SIM_S;
    sc->host.memory = UINT64_C(4) << 30;
    sc->vms = g_array_new(FALSE, TRUE, sizeof(SimVmConfig));
    for (guint i = 0; i < n_vms; i++) {
        SimVmConfig vm = {.name = g_strdup_printf("vm-%u", i + 1)};
        g_array_append_val(sc->vms, vm);
    }
    return sc;
}

/* Frees only what scenario_new allocated (sim_scenario_free lives elsewhere). */
static void scenario_free(SimScenario *sc)
{
    for (guint i = 0; i < sc->vms->len; i++) {
        g_free(g_array_index(sc->vms, SimVmConfig, i).name);
    }
    g_array_unref(sc->vms);
    g_free(sc->name);
    g_free(sc);
}

/* The model's figures over the run for the two VMs of recorder_with_samples:
 * vm-1 stalled 4.8 of its 40 s (12%, perf index 0.88), vm-2 0.4 s (0.99).
 * None of vm-1's means is the rows' plain mean (balloon 128, stall 10%,
 * perf index 0.9): the summary, the table and the SLA must take the
 * model's. */
static const SimVmTotals vm_totals[2] = {
    {.on_s = 40, .stalled_s = 4.8, .mean = {.mctlsz_mb = 129.5, .stall_pct = 12, .perf_index = 0.88}},
    {.on_s = 40, .stalled_s = 0.4, .mean = {.stall_pct = 1, .perf_index = 0.99}},
};

#define HOST_TOTALS                                                                                \
    .min_free_mb = 163.84, .thresholds_mb = {655.36, 163.84, 104.8576, 52.4288, 26.2144},          \
    .time_in_state_s = {30, 20, 10, 0, 0}, .reclaimed_balloon_mb = 512,                            \
    .reclaimed_shared_mb = 100.123456, .reclaimed_compressed_mb = 0, .reclaimed_swapped_mb = 64

static const SimRunTotals totals = {HOST_TOTALS, .n_vms = 2, .vms = vm_totals};
static const SimRunTotals totals_no_vms = {HOST_TOTALS, .n_vms = 0, .vms = NULL};

/*
 * Three samples at 0, 20 and 40.5 s. vm-1's perf index falls 1.0, 0.9, 0.8
 * and its stall rises 0, 10, 20%; vm-2's perf index is 1.0, 1.0, 0.97.
 * vm-1's balloon grows 0, 256, 128 (max 256, final 128).
 */
static SimRecorder *recorder_with_samples(const SimScenario *sc)
{
    SimRecorder *r = sim_recorder_new(sc, "esxi");
    const double times[] = {0.0, 20.0, 40.5};
    const double perf1[] = {1.0, 0.9, 0.8}, perf2[] = {1.0, 1.0, 0.97};
    const double mctl1[] = {0.0, 256.0, 128.0};
    for (guint i = 0; i < 3; i++) {
        SimHostSample host = {.time_s = times[i],
                              .state = (HostState)i,
                              .free_mb = i == 0 ? -0.001 : 1024.0 - 100.0 * i,
                              .min_free_mb = 163.84};
        SimVmSample vms[2] = {{.memsz_mb = 2048,
                               .mctlsz_mb = mctl1[i],
                               .shrdsvd_mb = 4.0 * i,
                               .zip_mb = 2.0 * i,
                               .perf_index = perf1[i],
                               .stall_pct = 10.0 * i},
                              {.memsz_mb = 1024, .swcur_mb = 8.0 * i, .perf_index = perf2[i]}};
        sim_recorder_add(r, &host, sc->vms->len > 0 ? vms : NULL);
    }
    return r;
}

static char *read_file(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;
    GError *error = NULL;
    g_file_get_contents(path, &text, NULL, &error);
    g_assert_no_error(error);
    return text;
}

static json_t *read_summary(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, "summary.json", NULL);
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

/* The recorder writes into a directory that exists (sim/out/outdir.h makes it). */
static void write_with(SimRecorder *r, const SimRunTotals *t, const char *dir)
{
    GError *error = NULL;
    assert_int_equal(g_mkdir_with_parents(dir, 0777), 0);
    assert_true(sim_results_write(r, t, dir, NULL, &error));
    g_assert_no_error(error);
}

static void write_ok(SimRecorder *r, const char *dir)
{
    write_with(r, &totals, dir);
}

static void test_recorder_writes_exact_csv_headers_and_rows(void **state)
{
    (void)state;
    SimScenario *sc = scenario_new(2);
    g_autoptr(SimRecorder) r = recorder_with_samples(sc);
    g_autofree char *tmp = test_tmpdir();
    g_autofree char *out = g_build_filename(tmp, "nested", "run", NULL);
    write_ok(r, out);

    g_autofree char *host = read_file(out, "host.csv");
    g_auto(GStrv) host_lines = g_strsplit(host, "\n", -1);
    assert_int_equal(g_strv_length(host_lines), 5); /* header, 3 rows, "" after the last \n */
    assert_string_equal(host_lines[0], HOST_HEADER);
    /* -0.001 prints as 0.00, never -0.00. */
    assert_string_equal(host_lines[1],
                        "0,high,0.00,163.84,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00");
    assert_string_equal(host_lines[3],
                        "40.500,soft,824.00,163.84,0.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00");

    g_autofree char *vms = read_file(out, "vms.csv");
    g_auto(GStrv) vm_lines = g_strsplit(vms, "\n", -1);
    assert_int_equal(g_strv_length(vm_lines), 8); /* header, 3 samples x 2 VMs, "" */
    assert_string_equal(vm_lines[0], VMS_HEADER);
    assert_string_equal(vm_lines[3], "20,vm-1,2048.00,0.00,0.00,0.00,0.00,256.00,0.00,0.00,"
                                     "0.00,0.00,0.00,0.00,2.00,0.00,0.00,0.00,4.00,0.00,0.00,"
                                     "0.00,10.00,0.9000");
    assert_true(g_str_has_prefix(vm_lines[6], "40.500,vm-2,1024.00,"));
    assert_true(g_str_has_suffix(vm_lines[6], ",0.00,0.9700"));
    assert_null(strchr(vms, '\r'));
    test_rmtree(tmp);
    scenario_free(sc);
}

static void test_recorder_summary_has_keys_in_order_and_host_totals(void **state)
{
    (void)state;
    SimScenario *sc = scenario_new(2);
    g_autoptr(SimRecorder) r = recorder_with_samples(sc);
    g_autofree char *tmp = test_tmpdir();
    write_ok(r, tmp);
    json_t *root = read_summary(tmp);
    const char *want[] = {"scenario", "policy", "seed", "duration_s", "host", "vms", "sla"};
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
    assert_true(json_num(root, "host.memory_mb") == 4096.0);
    assert_true(json_num(root, "host.thresholds_mb.soft") == 104.8576);
    assert_true(json_num(root, "host.time_in_state_s.clear") == 20.0);
    assert_true(json_num(root, "host.reclaimed_mb.balloon") == 512.0);
    /* Rounded to 4 decimals. */
    assert_true(json_num(root, "host.reclaimed_mb.shared") == 100.1235);
    assert_int_equal(json_object_size(json_at(root, "vms.0.final")), 22);
    json_decref(root);
    test_rmtree(tmp);
    scenario_free(sc);
}

static void test_recorder_summary_computes_final_mean_and_max(void **state)
{
    (void)state;
    SimScenario *sc = scenario_new(2);
    g_autoptr(SimRecorder) r = recorder_with_samples(sc);
    g_autofree char *tmp = test_tmpdir();
    write_ok(r, tmp);
    json_t *root = read_summary(tmp);
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
    test_rmtree(tmp);
    scenario_free(sc);
}

/* Writes with the given SLA and returns summary.json's sla object as text. */
static char *sla_text(SimScenario *sc, bool has_sla, double threshold)
{
    sc->has_sla = has_sla;
    sc->sla_perf_index = threshold;
    g_autoptr(SimRecorder) r = recorder_with_samples(sc);
    g_autofree char *tmp = test_tmpdir();
    write_with(r, sc->vms->len > 0 ? &totals : &totals_no_vms, tmp);
    json_t *root = read_summary(tmp);
    char *text = json_dumps(json_at(root, "sla"),
                            JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    json_decref(root);
    test_rmtree(tmp);
    char *copy = g_strdup(text);
    free(text);
    return copy;
}

static void test_recorder_sla_verdict_names_the_worst_vm(void **state)
{
    (void)state;
    SimScenario *sc = scenario_new(2);
    g_autofree char *missed = sla_text(sc, true, 0.95);
    assert_string_equal(missed, "{\"perf_index\":0.95,\"met\":false,\"worst_vm\":\"vm-1\"}");
    /* Missed on the model's 0.88, which the rows' plain mean (0.9) would meet. */
    g_autofree char *missed_on_rows = sla_text(sc, true, 0.89);
    assert_string_equal(missed_on_rows,
                        "{\"perf_index\":0.89,\"met\":false,\"worst_vm\":\"vm-1\"}");
    g_autofree char *met = sla_text(sc, true, 0.85);
    assert_string_equal(met, "{\"perf_index\":0.85,\"met\":true,\"worst_vm\":\"vm-1\"}");
    g_autofree char *none = sla_text(sc, false, 0);
    assert_string_equal(none, "{\"perf_index\":null,\"met\":null,\"worst_vm\":\"vm-1\"}");
    scenario_free(sc);

    SimScenario *empty = scenario_new(0);
    g_autofree char *no_vms = sla_text(empty, true, 0.95);
    assert_string_equal(no_vms, "{\"perf_index\":0.95,\"met\":true,\"worst_vm\":null}");
    scenario_free(empty);
}

static void test_recorder_output_is_byte_identical_when_written_twice(void **state)
{
    (void)state;
    SimScenario *sc = scenario_new(2);
    g_autoptr(SimRecorder) r = recorder_with_samples(sc);
    g_autofree char *tmp = test_tmpdir();
    g_autofree char *one = g_build_filename(tmp, "one", NULL);
    g_autofree char *two = g_build_filename(tmp, "two", NULL);
    write_ok(r, one);
    write_ok(r, two);
    const char *files[] = {"host.csv", "vms.csv", "summary.json"};
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *a = read_file(one, files[i]);
        g_autofree char *b = read_file(two, files[i]);
        assert_string_equal(a, b);
    }
    test_rmtree(tmp);
    scenario_free(sc);
}

static void test_recorder_writes_its_four_files_into_the_directory_given(void **state)
{
    (void)state;
    SimScenario *sc = scenario_new(2);
    g_autoptr(SimRecorder) r = recorder_with_samples(sc);
    g_autofree char *tmp = test_tmpdir();
    write_ok(r, tmp);
    g_autofree char *entries = test_list_dir(tmp);
    assert_string_equal(entries, "esxtop.csv host.csv summary.json vms.csv");
    test_rmtree(tmp);
    scenario_free(sc);
}

/* Messages name the file in the directory the user gave, not the one written. */
static void test_recorder_write_error_names_the_shown_directory(void **state)
{
    (void)state;
    SimScenario *sc = scenario_new(2);
    g_autoptr(SimRecorder) r = recorder_with_samples(sc);
    g_autofree char *tmp = test_tmpdir();
    g_autofree char *blocker = g_build_filename(tmp, "vms.csv", NULL);
    assert_int_equal(g_mkdir(blocker, 0777), 0); /* fopen("vms.csv", "w") fails: EISDIR */
    GError *error = NULL;
    assert_false(sim_results_write(r, &totals, tmp, "out/x", &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_IO));
    g_autofree char *want = g_strdup_printf("out/x/vms.csv: error: cannot write: %s",
                                            g_strerror(EISDIR));
    assert_string_equal(error->message, want);
    g_clear_error(&error);
    test_rmtree(tmp);
    scenario_free(sc);
}

static void test_recorder_prints_summary_table_with_sla_verdict(void **state)
{
    (void)state;
    SimScenario *sc = scenario_new(2);
    sc->has_sla = true;
    sc->sla_perf_index = 0.95;
    g_autoptr(SimRecorder) r = recorder_with_samples(sc);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    sim_results_print_summary(r, &totals, out);
    fclose(out);
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
    scenario_free(sc);
}

static void test_recorder_names_host_states(void **state)
{
    (void)state;
    const char *want[] = {"high", "clear", "soft", "hard", "low"};
    for (int s = 0; s < HOST_STATE_MAX; s++) {
        assert_string_equal(host_state_to_string((HostState)s), want[s]);
    }
}

static void test_recorder_gives_back_its_samples(void **state)
{
    (void)state;
    SimScenario *sc = scenario_new(2);
    g_autoptr(SimRecorder) r = recorder_with_samples(sc);
    assert_int_equal(sim_recorder_n_samples(r), 3);
    assert_true(sim_recorder_host_sample(r, 2)->time_s == 40.5);
    assert_true(sim_recorder_vm_sample(r, 1, 0)->mctlsz_mb == 256.0);
    assert_true(sim_recorder_vm_sample(r, 2, 1)->swcur_mb == 16.0);
    scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorder_writes_exact_csv_headers_and_rows),
        cmocka_unit_test(test_recorder_summary_has_keys_in_order_and_host_totals),
        cmocka_unit_test(test_recorder_summary_computes_final_mean_and_max),
        cmocka_unit_test(test_recorder_sla_verdict_names_the_worst_vm),
        cmocka_unit_test(test_recorder_output_is_byte_identical_when_written_twice),
        cmocka_unit_test(test_recorder_writes_its_four_files_into_the_directory_given),
        cmocka_unit_test(test_recorder_write_error_names_the_shown_directory),
        cmocka_unit_test(test_recorder_prints_summary_table_with_sla_verdict),
        cmocka_unit_test(test_recorder_names_host_states),
        cmocka_unit_test(test_recorder_gives_back_its_samples),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
