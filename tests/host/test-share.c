#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "support/model.h"

/* Four Linux VMs with a lot of image and duplicate content, on a roomy
 * host, without large pages so sharing starts at once; the "b" pair runs
 * image `image_b` (the same image as "a" makes all four identical). */
static TestModel *vms_of_images(int salting, const char *large_pages, const char *image_b)
{
    char *json = g_strdup_printf(
        "{\"duration\": \"2h\", \"sample_interval\": \"60s\","
        " \"host\": {\"memory\": \"64GiB\", \"sharing\": {\"salting\": %d, \"large_pages\": %s}},"
        " \"templates\": {\"t\": {\"memory\": \"2GiB\", \"guest\": {\"image\": \"rhel9\","
        "   \"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"1536MiB\", \"active\": \"256MiB\", \"touch_rate\": \"1000/s\","
        "   \"content\": {\"zero\": 0.1, \"image_shared\": 0.5, \"duplicate\": 0.1}}}},"
        " \"vms\": [{\"name\": \"a\", \"template\": \"t\", \"count\": 2, \"salt\": \"x\"},"
        "          {\"name\": \"b\", \"template\": \"t\", \"count\": 2, \"salt\": \"y\","
        "           \"guest\": {\"image\": \"%s\"}}]}",
        salting, large_pages, image_b);
    TestModel *m = test_model_new(json);
    g_free(json);
    return m;
}

static TestModel *identical_vms(int salting, const char *large_pages)
{
    return vms_of_images(salting, large_pages, "rhel9");
}

static double saved_mb(TestModel *m)
{
    double saved = 0;
    for (guint i = 0; i < 4; i++) {
        saved += test_model_last_vm(m, i)->shrdsvd_mb;
    }
    return saved;
}

static void test_share_salting_decides_who_shares_with_whom(void **state)
{
    (void)state;
    double saved[3];
    for (int mode = 0; mode < 3; mode++) {
        TestModel *m = identical_vms(mode, "false");
        test_model_check_every_event(m);
        GError *error = NULL;
        assert_true(sim_run_execute(m->run, &error));
        assert_string_equal(m->violation->str, "");
        saved[mode] = saved_mb(m);
        /* zero and duplicate pages share inside each VM in every mode */
        for (guint i = 0; i < 4; i++) {
            assert_true(test_model_last_vm(m, i)->zero_mb > 100.0);
        }
        test_model_free(m);
    }
    print_message("saved MiB: salting 0 %.0f, 1 %.0f, 2 %.0f\n", saved[0], saved[1], saved[2]);
    assert_true(saved[2] > 500.0);           /* intra-VM only: zero + duplicates */
    assert_true(saved[1] > saved[2] * 1.2);  /* + image pages within each salt group */
    assert_true(saved[0] > saved[1] * 1.15); /* + image pages across all four */
}

static double run_saved_mb(TestModel *m)
{
    GError *error = NULL;
    assert_true(sim_run_execute(m->run, &error));
    double saved = saved_mb(m);
    test_model_free(m);
    return saved;
}

/* Contents match across VMs only when they come from one image: with
 * salting 0, two pairs of VMs of two images save what two salt groups of
 * one image save with salting 1 (each pair shares its image pages within
 * itself; duplicates inside one VM never match another VM's). */
static void test_share_only_one_image_shares_across_vms(void **state)
{
    (void)state;
    double groups = run_saved_mb(identical_vms(1, "false"));
    double two_images = run_saved_mb(vms_of_images(0, "false", "win2022"));
    double one_image = run_saved_mb(identical_vms(0, "false"));
    print_message("saved MiB: two salt groups %.0f, two images %.0f, one image %.0f\n", groups,
                  two_images, one_image);
    /* zero pages: one frame per domain instead of two */
    assert_float_equal(two_images, groups, 1.0);
    assert_true(one_image > two_images * 1.15);
}

/* Copy-on-write: a shared page the workload writes gets its own frame. */
static void test_share_writes_break_sharing(void **state)
{
    (void)state;
    TestModel *m = identical_vms(0, "false");
    sim_run_until(m->run, 2 * SIM_HOUR);
    Host *host = sim_run_host(m->run);
    HostPages *pages = guest_pages(sim_run_guest(m->run, 0));
    uint64_t hot_shared = host_pages_count_res(pages, HOST_USE_ANON_ACTIVE, HOST_RES_SHARED);
    uint64_t shared_all = host_pages_count_backing(pages, HOST_BACK_SHARED);
    /* hot pages are written all the time, so few of them stay shared,
     * while cold ones stay shared */
    uint64_t hot = host_pages_count_use(pages, HOST_USE_ANON_ACTIVE);
    uint64_t cold = host_pages_count_use(pages, HOST_USE_ANON_INACTIVE);
    uint64_t cold_shared = host_pages_count_res(pages, HOST_USE_ANON_INACTIVE, HOST_RES_SHARED);
    assert_true(shared_all > 0);
    assert_true((double)hot_shared / (double)hot < 0.5 * (double)cold_shared / (double)cold);
    GString *why = g_string_new(NULL);
    assert_true(host_check_conservation(host, why));
    g_string_free(why, TRUE);
    test_model_free(m);
}

/* Large pages hide sharing while the host is in high; once free memory
 * falls below the high threshold they are broken at the next scan and their
 * sub-pages share within one scan pass (ShareScanTime 60 min). */
static void test_share_large_pages_hide_sharing_until_below_high(void **state)
{
    (void)state;
    TestModel *m = test_model_new(
        "{\"duration\": \"3h\", \"sample_interval\": \"60s\","
        " \"host\": {\"memory\": \"16GiB\", \"overhead\": \"1GiB\"},"
        " \"templates\": {\"w\": {\"memory\": \"4GiB\", \"guest\": {\"os\": \"windows\"},"
        "  \"workload\": {\"memory\": \"1GiB\", \"active\": \"256MiB\"}}},"
        " \"vms\": [{\"name\": \"w\", \"template\": \"w\", \"count\": 2},"
        "          {\"name\": \"late\", \"template\": \"w\", \"count\": 2, \"power_on\": null}],"
        " \"events\": [{\"at\": \"1h\", \"action\": \"power_on\", \"vm\": \"late-1\"},"
        "              {\"at\": \"1h\", \"action\": \"power_on\", \"vm\": \"late-2\"}]}");
    sim_run_until(m->run, 59 * SIM_MIN);
    Host *host = sim_run_host(m->run);
    assert_int_equal(host_state(host), HOST_STATE_HIGH);
    assert_int_equal(host_shared_refs(host), 0);
    sim_run_until(m->run, 2 * SIM_HOUR + 5 * SIM_MIN);
    assert_true(host_state(host) != HOST_STATE_HIGH || host_shared_refs(host) > 0);
    /* the zeroed memory of the Windows guests shares */
    assert_true(host_shared_refs(host) > 2 * 262144);
    test_model_free(m);
}

/* Two Linux VMs "a" and "b" of `vms` VMs in all (the rest "c-*"), each its
 * own sharing domain (salting 2), on a host roomy enough that they never
 * meet: without large pages, so the scanner shares from the start. */
static TestModel *alone_or_in_a_crowd(int others)
{
    char *crowd = others > 0 ? g_strdup_printf(", {\"name\": \"c\", \"template\": \"t\", "
                                               "\"count\": %d}", others)
                             : g_strdup("");
    char *json = g_strdup_printf(
        "{\"duration\": \"1h\", \"sample_interval\": \"60s\","
        " \"host\": {\"memory\": \"64GiB\", \"sharing\": {\"salting\": 2, \"large_pages\": false}},"
        " \"templates\": {\"t\": {\"memory\": \"1GiB\", \"guest\": {\"image\": \"rhel9\"},"
        "  \"workload\": {\"memory\": \"768MiB\", \"active\": \"128MiB\", \"touch_rate\": \"1000/s\","
        "   \"content\": {\"zero\": 0.1, \"image_shared\": 0.3, \"duplicate\": 0.1}}}},"
        " \"vms\": [{\"name\": \"a\", \"template\": \"t\"}, {\"name\": \"b\", \"template\": \"t\"}%s]}",
        crowd);
    TestModel *m = test_model_new(json);
    g_free(json);
    g_free(crowd);
    return m;
}

/* The scanner works on several VMs at once (its picks drawn, then its
 * records fetched, ahead of the VMs before it sharing): a VM's scan must
 * still draw from its own stream in its own order and touch only its own
 * pages, so a VM that shares with no other ends exactly as it would on the
 * host alone: every list, member by member, the counters, every record. */
static void test_share_a_vms_scan_is_its_own_among_many(void **state)
{
    (void)state;
    TestModel *alone = alone_or_in_a_crowd(0);
    TestModel *crowd = alone_or_in_a_crowd(5);
    GError *error = NULL;
    assert_true(sim_run_execute(alone->run, &error));
    assert_true(sim_run_execute(crowd->run, &error));
    for (guint vm = 0; vm < 2; vm++) {
        const HostPages *a = guest_pages(sim_run_guest(alone->run, vm));
        const HostPages *c = guest_pages(sim_run_guest(crowd->run, vm));
        assert_true(host_pages_count_backing(a, HOST_BACK_SHARED) > 10000);
        test_assert_same_lists(a, c);
        for (uint32_t p = 0; p < a->n; p++) {
            assert_int_equal(sim_partition_user(c->lists, p), sim_partition_user(a->lists, p));
        }
    }
    test_model_free(alone);
    test_model_free(crowd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_share_salting_decides_who_shares_with_whom),
        cmocka_unit_test(test_share_only_one_image_shares_across_vms),
        cmocka_unit_test(test_share_writes_break_sharing),
        cmocka_unit_test(test_share_large_pages_hide_sharing_until_below_high),
        cmocka_unit_test(test_share_a_vms_scan_is_its_own_among_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
