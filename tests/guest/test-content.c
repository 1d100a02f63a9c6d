/* Page contents (guest/guest.c guest_draw_content; keys in host/pages.h):
 * a guest image's pages are distinct within one VM and identical across
 * VMs of that image; duplicates inside a VM come only from the `duplicate`
 * share and zero pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "guest/guest.h"
#include "support/model.h"

/* VMs of one image on a roomy host, without large pages and with a fast
 * scan so sharing settles within the run; `vms` is the VM array's text. */
static TestModel *fleet(int salting, const char *vms)
{
    return test_model_newf(
        "{\"duration\": \"40m\", \"sample_interval\": \"60s\","
        " \"host\": {\"memory\": \"32GiB\", \"sharing\": {\"salting\": %d, \"large_pages\": false,"
        "   \"scan_time\": \"5m\", \"rate_max\": \"100000/s\"}},"
        " \"templates\": {\"t\": {\"memory\": \"1GiB\", \"guest\": {\"image\": \"rhel9\","
        "   \"kernel\": \"64MiB\", \"cache_fill\": \"0MiB/s\"},"
        "  \"workload\": {\"memory\": \"768MiB\", \"active\": \"128MiB\", \"touch_rate\": \"100/s\","
        "   \"write_share\": 0,"
        "   \"content\": {\"zero\": 0.05, \"image_shared\": 0.5, \"duplicate\": 0.1}}}},"
        " \"vms\": %s}",
        salting, vms);
}

/* The image keys VM i holds, as a set; fails if one appears twice. */
static GHashTable *image_keys(TestModel *m, guint vm)
{
    const HostPages *pages = guest_pages(sim_run_guest(m->run, vm));
    GHashTable *set = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (uint32_t p = 0; p < pages->n; p++) {
        if (host_pages_use(pages, p) != HOST_USE_FREE && host_key_is_image(host_pages_key(pages, p))) {
            gpointer k = GUINT_TO_POINTER(host_pages_key(pages, p));
            assert_false(g_hash_table_contains(set, k)); /* distinct within the VM */
            g_hash_table_add(set, k);
        }
    }
    return set;
}

static void test_content_image_pages_are_distinct_in_a_vm_and_common_to_its_image(void **state)
{
    (void)state;
    TestModel *m = fleet(0, "[{\"name\": \"v\", \"template\": \"t\", \"count\": 2}]");
    sim_run_until(m->run, 2 * SIM_MIN);
    GHashTable *a = image_keys(m, 0);
    GHashTable *b = image_keys(m, 1);
    /* about half of the 832 MiB each VM filled (kernel + workload) */
    double filled = 832.0 * 256.0;
    assert_float_equal(g_hash_table_size(a) / filled, 0.5, 0.02);
    guint common = 0;
    GHashTableIter it;
    gpointer k = NULL;
    g_hash_table_iter_init(&it, a);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        common += g_hash_table_contains(b, k) ? 1 : 0;
    }
    guint smaller = MIN(g_hash_table_size(a), g_hash_table_size(b));
    assert_true(common >= smaller * 97 / 100); /* the same sequence in both */
    g_hash_table_unref(a);
    g_hash_table_unref(b);
    test_model_free(m);
}

/* Alone, a VM shares only its zero and duplicated pages: its image pages
 * have nothing to match. (With image keys drawn with replacement it shared
 * a good part of them with itself.) */
static void test_content_one_vm_alone_shares_only_zero_and_duplicate_pages(void **state)
{
    (void)state;
    TestModel *m = fleet(0, "[{\"name\": \"v\", \"template\": \"t\"}]");
    test_model_execute(m);
    const SimVmSample *s = test_model_last_vm(m, 0);
    double filled_mb = 832.0;
    double nonzero_shared = s->shrd_mb - s->zero_mb;
    print_message("alone: shared %.1f MiB, zero %.1f MiB, of %.0f MiB filled\n", s->shrd_mb,
                  s->zero_mb, filled_mb);
    assert_float_equal(s->zero_mb / filled_mb, 0.05, 0.01);
    /* duplicates: 10% of the pages, each content about 4 times, all found */
    assert_true(nonzero_shared <= 0.10 * filled_mb * 1.05);
    assert_true(nonzero_shared >= 0.10 * filled_mb * 0.5);
    test_model_free(m);
}

static double fleet_saved_mb(int salting)
{
    TestModel *m = fleet(salting, "[{\"name\": \"a\", \"template\": \"t\", \"count\": 2, "
                                  "\"salt\": \"x\"}, {\"name\": \"b\", \"template\": \"t\", "
                                  "\"count\": 2, \"salt\": \"y\"}]");
    test_model_execute(m);
    double saved = 0;
    for (guint i = 0; i < 4; i++) {
        saved += test_model_last_vm(m, i)->shrdsvd_mb;
    }
    test_model_free(m);
    return saved;
}

/* Four VMs of one image: across all four (salting 0) three copies of the
 * image are saved, within two salt groups of two (salting 1) two, within
 * each VM (salting 2) none: the image's part of the saving is 3 : 2. */
static void test_content_salt_groups_save_two_thirds_of_the_image(void **state)
{
    (void)state;
    double saved[3];
    for (int mode = 0; mode < 3; mode++) {
        saved[mode] = fleet_saved_mb(mode);
    }
    print_message("saved MiB: salting 0 %.0f, 1 %.0f, 2 %.0f\n", saved[0], saved[1], saved[2]);
    double image_groups = saved[1] - saved[2];
    double image_all = saved[0] - saved[2];
    assert_float_equal(image_groups / image_all, 2.0 / 3.0, 0.03);
    /* and that part is the image's pages: about 416 MiB a copy */
    assert_float_equal(image_all / 3.0, 0.5 * 832.0, 0.5 * 832.0 * 0.05);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_image_pages_are_distinct_in_a_vm_and_common_to_its_image),
        cmocka_unit_test(test_content_one_vm_alone_shares_only_zero_and_duplicate_pages),
        cmocka_unit_test(test_content_salt_groups_save_two_thirds_of_the_image),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
