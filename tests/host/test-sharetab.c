#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "host/sharetab.h"
#include "sim/rng.h"

static void test_sharetab_counts_references_per_domain_and_key(void **state)
{
    (void)state;
    g_autoptr(HostShareTable) tab = host_sharetab_new();
    assert_int_equal(host_sharetab_ref(tab, 0, 7), 1);
    assert_int_equal(host_sharetab_ref(tab, 0, 7), 2);
    assert_int_equal(host_sharetab_ref(tab, 1, 7), 1); /* another domain, another frame */
    assert_int_equal(host_sharetab_size(tab), 2);
    assert_int_equal(host_sharetab_unref(tab, 0, 7), 1);
    assert_int_equal(host_sharetab_unref(tab, 0, 7), 0);
    assert_int_equal(host_sharetab_get(tab, 0, 7), 0);
    assert_int_equal(host_sharetab_get(tab, 1, 7), 1);
    assert_int_equal(host_sharetab_size(tab), 1);
}

/* Random references and releases against a GHashTable reference, through
 * growth and backward-shift deletion. */
static void test_sharetab_agrees_with_a_reference_map(void **state)
{
    (void)state;
    g_autoptr(HostShareTable) tab = host_sharetab_new();
    GHashTable *ref = g_hash_table_new(g_int64_hash, g_int64_equal);
    gint64 *keys = g_new(gint64, 4096);
    SimRng rng;
    sim_rng_init(&rng, 3, "sharetab");
    for (int step = 0; step < 300000; step++) {
        uint32_t domain = (uint32_t)sim_rng_below(&rng, 4);
        uint32_t key = (uint32_t)sim_rng_below(&rng, 1024);
        gint64 *k = &keys[domain * 1024 + key];
        *k = (gint64)domain << 32 | key;
        guint have = GPOINTER_TO_UINT(g_hash_table_lookup(ref, k));
        if (have > 0 && sim_rng_uniform(&rng) < 0.5) {
            assert_int_equal(host_sharetab_unref(tab, domain, key), have - 1);
            if (have == 1) {
                g_hash_table_remove(ref, k);
            } else {
                g_hash_table_insert(ref, k, GUINT_TO_POINTER(have - 1));
            }
        } else {
            assert_int_equal(host_sharetab_ref(tab, domain, key), have + 1);
            g_hash_table_insert(ref, k, GUINT_TO_POINTER(have + 1));
        }
    }
    assert_int_equal(host_sharetab_size(tab), g_hash_table_size(ref));
    for (uint32_t d = 0; d < 4; d++) {
        for (uint32_t key = 0; key < 1024; key++) {
            gint64 k = (gint64)d << 32 | key;
            assert_int_equal(host_sharetab_get(tab, d, key),
                             GPOINTER_TO_UINT(g_hash_table_lookup(ref, &k)));
        }
    }
    g_hash_table_destroy(ref);
    g_free(keys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sharetab_counts_references_per_domain_and_key),
        cmocka_unit_test(test_sharetab_agrees_with_a_reference_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
