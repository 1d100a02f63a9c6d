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

/* A million frames: the table doubles from 1024 slots to 2^21, in place
 * (the heap, then a mapping that mremap moves): every count survives, and
 * the most bytes it held is its final size, not an old and a new table. */
static void test_sharetab_grows_in_place_and_keeps_every_entry(void **state)
{
    (void)state;
    enum { N = 1000000 };
    g_autoptr(HostShareTable) tab = host_sharetab_new();
    for (uint32_t k = 0; k < N; k++) {
        assert_int_equal(host_sharetab_ref(tab, k % 3, k), 1);
        if (k % 7 == 0) {
            assert_int_equal(host_sharetab_ref(tab, k % 3, k), 2);
        }
    }
    assert_int_equal(host_sharetab_size(tab), N);
    assert_true(host_sharetab_peak_bytes(tab) <= host_sharetab_bytes(tab));
    /* 2^21 slots: the first power of two 70% of which holds N */
    assert_true(host_sharetab_bytes(tab) > ((size_t)1 << 21) * 12);
    assert_true(host_sharetab_bytes(tab) < ((size_t)1 << 21) * 12 + 65536);
    for (uint32_t k = 0; k < N; k += 2) {
        assert_int_equal(host_sharetab_unref(tab, k % 3, k), k % 7 == 0 ? 1 : 0);
    }
    for (uint32_t k = 0; k < N; k++) {
        uint32_t want = k % 2 == 0 ? (k % 7 == 0 ? 1 : 0) : (k % 7 == 0 ? 2 : 1);
        assert_int_equal(host_sharetab_get(tab, k % 3, k), want);
        assert_int_equal(host_sharetab_get(tab, 3, k), 0);
    }
}

/* The table's hash (host/sharetab.c), to find keys whose home is its last
 * one: a run there spills past the homes (probes do not wrap around). */
static uint64_t tab_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* 200 keys with the last home of a 1024-slot table: the run overflows the
 * slots past the homes, which grow; then the keys leave in another order. */
static void test_sharetab_a_run_at_the_end_spills_past_the_homes(void **state)
{
    (void)state;
    enum { N = 200 };
    g_autoptr(HostShareTable) tab = host_sharetab_new();
    uint32_t keys[N];
    uint32_t n = 0;
    for (uint32_t key = 0; n < N; key++) {
        if ((tab_mix((uint64_t)1 << 32 | key) & 1023) == 1023) {
            keys[n++] = key;
        }
    }
    size_t before = host_sharetab_bytes(tab);
    for (uint32_t i = 0; i < N; i++) {
        assert_int_equal(host_sharetab_ref(tab, 0, keys[i]), 1);
    }
    assert_true(host_sharetab_bytes(tab) > before);
    for (uint32_t i = 0; i < N; i += 2) {
        assert_int_equal(host_sharetab_unref(tab, 0, keys[i]), 0);
    }
    for (uint32_t i = 0; i < N; i++) {
        assert_int_equal(host_sharetab_get(tab, 0, keys[i]), i % 2);
    }
    for (uint32_t i = N - 1; i < N; i -= 2) {
        assert_int_equal(host_sharetab_unref(tab, 0, keys[i]), 0);
    }
    assert_int_equal(host_sharetab_size(tab), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sharetab_counts_references_per_domain_and_key),
        cmocka_unit_test(test_sharetab_agrees_with_a_reference_map),
        cmocka_unit_test(test_sharetab_grows_in_place_and_keeps_every_entry),
        cmocka_unit_test(test_sharetab_a_run_at_the_end_spills_past_the_homes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
