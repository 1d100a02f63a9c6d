#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "host/host-private.h"
#include "support/model.h"

/* A VM without a balloon driver held at a limit: the host must reclaim by
 * compression and swap. Only the hot set is touched, so what the host
 * stores stays stored (the cache's bounds, not its churn, are tested). */
static TestModel *limited(const char *compression, const char *compressible)
{
    char *json = g_strdup_printf(
        "{\"duration\": \"30m\", \"sample_interval\": \"30s\","
        " \"host\": {\"memory\": \"16GiB\", \"compression\": {\"enabled\": %s}},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"4GiB\", \"limit\": \"2GiB\","
        "  \"guest\": {\"balloon_driver\": false, \"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"3GiB\", \"active\": \"512MiB\","
        "   \"warm_share\": 0, \"cold_share\": 0,"
        "   \"content\": {\"zero\": 0, \"image_shared\": 0, \"duplicate\": 0,"
        "                 \"compressible\": %s}}}]}",
        compression, compressible);
    TestModel *m = test_model_new(json);
    g_free(json);
    test_model_check_every_event(m);
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    assert_string_equal(m->violation->str, "");
    return m;
}

static void test_zip_cache_holds_at_most_max_pct_of_the_vm(void **state)
{
    (void)state;
    TestModel *m = limited("true", "0.8");
    const HostVm *v = host_vm(sim_run_host(m->run), 0);
    const SimVmSample *last = test_model_last_vm(m, 0);
    assert_true(last->zip_mb > 100.0);
    assert_true(last->swcur_mb > 100.0); /* the cache filled: the rest went to swap */
    /* Mem.MemZipMaxPct 10% of 4 GiB */
    assert_true(v->zip_frames <= 4 * 262144 / 10);
    assert_true(v->zip_frames >= 4 * 262144 / 10 - 1);
    /* every stored page sits in a 1 or 2 KiB slot: 2 to 4 pages per frame */
    uint64_t zipped = host_pages_count_backing(v->pages, HOST_BACK_ZIP);
    assert_true(zipped >= 2 * (v->zip_frames - 1) && zipped <= 4 * v->zip_frames);
    assert_float_equal(last->zsaved_mb, last->zip_mb - (double)v->zip_frames / 256.0, 0.01);
    test_model_free(m);
}

/* The host's last resort when no VM has a private page to swap: one frame
 * of a VM's compression cache freed by moving its oldest compressed pages
 * to its swap file. Exactly one frame, the pages counted where they went,
 * and the host's books still balance. */
static void test_zip_evict_frame_frees_one_frame_into_swap(void **state)
{
    (void)state;
    TestModel *m = limited("true", "0.8");
    Host *host = sim_run_host(m->run);
    const HostVm *v = host_vm(host, 0);
    uint64_t frames = v->zip_frames, used = host_frames_used(host);
    uint64_t zipped = host_pages_count_backing(v->pages, HOST_BACK_ZIP);
    uint64_t swapped = host_pages_count_backing(v->pages, HOST_BACK_SWAP);
    assert_true(frames > 10);
    assert_int_equal(host_zip_evict_frame(host, 0), 1);
    assert_int_equal(v->zip_frames, frames - 1);
    assert_int_equal(host_frames_used(host), used - 1);
    uint64_t moved = zipped - host_pages_count_backing(v->pages, HOST_BACK_ZIP);
    /* 2 to 4 pages share a frame: a frame frees after 1 to 4 of them */
    assert_true(moved >= 1 && moved <= 4);
    assert_int_equal(host_pages_count_backing(v->pages, HOST_BACK_SWAP), swapped + moved);
    g_autoptr(GString) why = g_string_new(NULL);
    assert_true(host_check_conservation(host, why));
    test_model_free(m);
}

static void test_zip_stores_only_pages_that_compress_to_2k(void **state)
{
    (void)state;
    TestModel *m = limited("true", "0");
    const SimVmSample *last = test_model_last_vm(m, 0);
    assert_float_equal(last->zip_mb, 0.0, 0.0);
    assert_true(last->swcur_mb > 1000.0);
    test_model_free(m);
}

static void test_zip_disabled_means_swap_only(void **state)
{
    (void)state;
    TestModel *m = limited("false", "0.8");
    assert_float_equal(test_model_last_vm(m, 0)->zip_mb, 0.0, 0.0);
    test_model_free(m);
}

static void test_zip_and_swap_stay_idle_on_an_undercommitted_host(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"1h\", \"host\": {\"memory\": \"64GiB\"},"
        " \"vms\": [{\"name\": \"v\", \"count\": 4, \"memory\": \"8GiB\","
        "  \"workload\": {\"memory\": \"6GiB\", \"page_cache\": \"1GiB\"}}]}");
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    const SimRecorder *rec = sim_run_recorder(m->run);
    for (guint i = 0; i < sim_recorder_n_samples(rec); i++) {
        const SimHostSample *h = sim_recorder_host_sample(rec, i);
        assert_float_equal(h->zip_mb, 0.0, 0.0);
        assert_float_equal(h->swcur_mb, 0.0, 0.0);
        assert_float_equal(h->mctlsz_mb, 0.0, 0.0);
    }
    test_model_free(m);
}

/* Touching a page the host compressed costs the decompression latency and
 * nothing else: no device, no queue. `compression` is the host's
 * compression object. */
static SimTime cost_of_touching_a_compressed_page(const char *compression)
{
    char *json = g_strdup_printf(
        "{\"host\": {\"memory\": \"16GiB\", \"compression\": %s},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\","
        "  \"workload\": {\"memory\": \"512MiB\", \"active\": \"256MiB\","
        "   \"content\": {\"zero\": 0, \"image_shared\": 0, \"duplicate\": 0,"
        "                 \"compressible\": 1}}}]}",
        compression);
    TestModel *m = test_model_new(json);
    g_free(json);
    sim_run_until(m->run, 10 * SIM_S);
    Host *host = sim_run_host(m->run);
    HostPages *pages = guest_pages(sim_run_guest(m->run, 0));
    host_set_compression(host, true);
    assert_int_equal(host_swap_out(host, 0, 1, sim_run_now(m->run)), 1);
    /* every page compresses to 2 KiB or less: the victim is in the cache */
    assert_int_equal(host_pages_count_backing(pages, HOST_BACK_ZIP), 1);
    assert_int_equal(host_pages_count_backing(pages, HOST_BACK_SWAP), 0);
    uint32_t p = 0;
    while (host_pages_backing(pages, p) != HOST_BACK_ZIP) {
        p++;
    }
    uint64_t reads = host_swap_reads(host);
    SimTime cost = host_access(host, 0, p, host_pages_use(pages, p), sim_run_now(m->run));
    assert_int_equal(host_pages_backing(pages, p), HOST_BACK_PRIVATE);
    assert_int_equal(host_pages_count_backing(pages, HOST_BACK_ZIP), 0);
    assert_int_equal(host_swap_reads(host), reads);
    test_model_free(m);
    return cost;
}

static void test_zip_touch_of_a_compressed_page_costs_the_configured_latency(void **state)
{
    (void)state;
    assert_int_equal(cost_of_touching_a_compressed_page("{\"latency\": \"1ms\"}"), SIM_MS);
    assert_int_equal(cost_of_touching_a_compressed_page("{\"latency\": \"0\"}"), 0);
    /* the default, 20 us (assumption, docs/model.md) */
    assert_int_equal(cost_of_touching_a_compressed_page("{}"), 20 * SIM_US);
}

/* At 2 MiB pages a simulated page stands for 512 pages of 4 KiB of one
 * compressibility: in the cache it takes 512 slots of 1 or 2 KiB (a quarter
 * or a half of its size, as at 4 KiB), and touching it costs 512
 * decompressions. */
static void test_zip_a_2m_page_takes_512_slots_and_512_decompressions(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"host\": {\"memory\": \"16GiB\", \"page_size\": \"2MiB\"},"
        " \"vms\": [{\"name\": \"v\", \"memory\": \"2GiB\","
        "  \"workload\": {\"memory\": \"512MiB\", \"active\": \"256MiB\","
        "   \"content\": {\"zero\": 0, \"image_shared\": 0, \"duplicate\": 0,"
        "                 \"compressible\": 1}}}]}");
    sim_run_until(m->run, 10 * SIM_S);
    Host *host = sim_run_host(m->run);
    HostPages *pages = guest_pages(sim_run_guest(m->run, 0));
    host_set_compression(host, true);
    assert_int_equal(host_swap_out(host, 0, 1, sim_run_now(m->run)), 1);
    uint32_t p = 0;
    while (host_pages_backing(pages, p) != HOST_BACK_ZIP) {
        p++;
    }
    uint64_t slot = host_pages_zip_class(pages, p) == HOST_ZIP_1K ? 1024 : 2048;
    assert_int_equal(host_vm(host, 0)->zip_bytes, 512 * slot);
    assert_int_equal(host_vm(host, 0)->zip_frames, 1);
    SimTime cost = host_access(host, 0, p, host_pages_use(pages, p), sim_run_now(m->run));
    assert_int_equal(cost, 512 * 20 * SIM_US);
    assert_int_equal(host_vm(host, 0)->zip_bytes, 0);
    test_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zip_cache_holds_at_most_max_pct_of_the_vm),
        cmocka_unit_test(test_zip_evict_frame_frees_one_frame_into_swap),
        cmocka_unit_test(test_zip_stores_only_pages_that_compress_to_2k),
        cmocka_unit_test(test_zip_disabled_means_swap_only),
        cmocka_unit_test(test_zip_and_swap_stay_idle_on_an_undercommitted_host),
        cmocka_unit_test(test_zip_touch_of_a_compressed_page_costs_the_configured_latency),
        cmocka_unit_test(test_zip_a_2m_page_takes_512_slots_and_512_decompressions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
