#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/sharetab.h"
#include "sim/rng.h"

/* The spaces of a host with 128 VMs (host/share.c: below 3 x VMs): 9 bits
 * of a slot for the space, 23 for the count. */
#define SPACES_128_VMS 384u
/* So many spaces that a slot keeps 4 bits for the count: counts from 15
 * go on in the side table, the path a domain's zero pages take past 2^23
 * references with 128 VMs. */
#define SPACES_4_COUNT_BITS ((1u << 28) - 1)
#define MAX_4_COUNT_BITS 15u

static void test_sharetab_counts_references_per_domain_and_key(void **state)
{
    (void)state;
    g_autoptr(HostShareTable) tab = host_sharetab_new(SPACES_128_VMS);
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

/* Random references and releases of n_keys keys in each of 4 domains
 * against a GHashTable reference, through growth and backward-shift
 * deletion; a release with probability p_unref when the key is present.
 * Returns how often a count fell from 15 to 14 (out of the side table with
 * 4 bits of count). */
static int agree_with_a_reference_map(uint32_t n_spaces, uint32_t n_keys, double p_unref)
{
    int falls = 0;
    g_autoptr(HostShareTable) tab = host_sharetab_new(n_spaces);
    GHashTable *ref = g_hash_table_new(g_int64_hash, g_int64_equal);
    gint64 *keys = g_new(gint64, 4 * n_keys);
    SimRng rng;
    sim_rng_init(&rng, 3, "sharetab");
    for (int step = 0; step < 300000; step++) {
        uint32_t domain = (uint32_t)sim_rng_below(&rng, 4);
        uint32_t key = (uint32_t)sim_rng_below(&rng, n_keys);
        gint64 *k = &keys[domain * n_keys + key];
        *k = (gint64)domain << 32 | key;
        guint have = GPOINTER_TO_UINT(g_hash_table_lookup(ref, k));
        if (have > 0 && sim_rng_uniform(&rng) < p_unref) {
            assert_int_equal(host_sharetab_unref(tab, domain, key), have - 1);
            falls += have == MAX_4_COUNT_BITS;
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
        for (uint32_t key = 0; key < n_keys; key++) {
            gint64 k = (gint64)d << 32 | key;
            assert_int_equal(host_sharetab_get(tab, d, key),
                             GPOINTER_TO_UINT(g_hash_table_lookup(ref, &k)));
        }
    }
    g_hash_table_destroy(ref);
    g_free(keys);
    return falls;
}

static void test_sharetab_agrees_with_a_reference_map(void **state)
{
    (void)state;
    (void)agree_with_a_reference_map(SPACES_128_VMS, 1024, 0.5);
}

/* With 4 bits of count and counts that drift up to about 60 (48 keys a
 * domain, slightly more references than releases), keys cross the
 * saturation value both ways thousands of times. */
static void test_sharetab_agrees_with_a_reference_map_past_saturation(void **state)
{
    (void)state;
    assert_true(agree_with_a_reference_map(SPACES_4_COUNT_BITS, 48, 0.49) > 1000);
}

/* A million frames: the table doubles from 1024 slots to 2^21, in place
 * (the heap, then a mapping that mremap moves): every count survives, and
 * the most bytes it held is its final size, not an old and a new table. */
static void test_sharetab_grows_in_place_and_keeps_every_entry(void **state)
{
    (void)state;
    enum { N = 1000000 };
    g_autoptr(HostShareTable) tab = host_sharetab_new(SPACES_128_VMS);
    for (uint32_t k = 0; k < N; k++) {
        assert_int_equal(host_sharetab_ref(tab, k % 3, k), 1);
        if (k % 7 == 0) {
            assert_int_equal(host_sharetab_ref(tab, k % 3, k), 2);
        }
    }
    assert_int_equal(host_sharetab_size(tab), N);
    assert_true(host_sharetab_peak_bytes(tab) <= host_sharetab_bytes(tab));
    /* 2^21 slots: the first power of two 70% of which holds N */
    assert_true(host_sharetab_bytes(tab) > ((size_t)1 << 21) * 8);
    assert_true(host_sharetab_bytes(tab) < ((size_t)1 << 21) * 8 + 65536);
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
    g_autoptr(HostShareTable) tab = host_sharetab_new(SPACES_128_VMS);
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

/* Keys of domain 0 whose home in a 1024-slot table is `home`. */
static void keys_with_home(uint64_t home, uint32_t *keys, uint32_t n)
{
    uint32_t found = 0;
    for (uint32_t key = 0; found < n; key++) {
        if ((tab_mix((uint64_t)1 << 32 | key) & 1023) == home) {
            keys[found++] = key;
        }
    }
}

/* A slot is one 8-byte word: one doubling of the homes (1024 -> 2048)
 * adds 1024 x 8 bytes, whatever the number of spaces. */
static void test_sharetab_a_slot_takes_8_bytes(void **state)
{
    (void)state;
    const uint32_t spaces[] = {1, SPACES_128_VMS, SPACES_4_COUNT_BITS};
    for (size_t s = 0; s < G_N_ELEMENTS(spaces); s++) {
        g_autoptr(HostShareTable) tab = host_sharetab_new(spaces[s]);
        size_t before = host_sharetab_bytes(tab);
        /* 716 keys fill 1024 homes to 70%; the 717th doubles them */
        for (uint32_t key = 0; key < 716; key++) {
            host_sharetab_ref(tab, 0, key);
        }
        assert_int_equal(host_sharetab_bytes(tab), before);
        host_sharetab_ref(tab, 0, 716);
        assert_int_equal(host_sharetab_bytes(tab) - before, 1024 * 8);
    }
}

/* One key referenced far past the slot's 15 and released to 0: every
 * count is the true one on the way up and down, and the key then leaves. */
static void test_sharetab_a_count_saturates_and_comes_back(void **state)
{
    (void)state;
    enum { N = 1000 };
    g_autoptr(HostShareTable) tab = host_sharetab_new(SPACES_4_COUNT_BITS);
    host_sharetab_ref(tab, 1, 9); /* a neighbour that stays */
    for (uint32_t i = 1; i <= N; i++) {
        assert_int_equal(host_sharetab_ref(tab, 0, 9), i);
        assert_int_equal(host_sharetab_get(tab, 0, 9), i);
    }
    for (uint32_t i = N; i > 0; i--) {
        assert_int_equal(host_sharetab_unref(tab, 0, 9), i - 1);
        assert_int_equal(host_sharetab_get(tab, 0, 9), i - 1);
    }
    assert_int_equal(host_sharetab_size(tab), 1);
    assert_int_equal(host_sharetab_get(tab, 1, 9), 1);
    /* around the saturation value: up to it, one past, and back */
    for (uint32_t i = 1; i <= MAX_4_COUNT_BITS + 1; i++) {
        assert_int_equal(host_sharetab_ref(tab, 0, 9), i);
    }
    assert_int_equal(host_sharetab_unref(tab, 0, 9), MAX_4_COUNT_BITS);
    assert_int_equal(host_sharetab_unref(tab, 0, 9), MAX_4_COUNT_BITS - 1);
    assert_int_equal(host_sharetab_ref(tab, 0, 9), MAX_4_COUNT_BITS);
    assert_int_equal(host_sharetab_get(tab, 0, 9), MAX_4_COUNT_BITS);
}

/* Saturated keys in one run of slots: erasing the keys before them shifts
 * them back, and their counts (kept by contents, not by slot) follow. */
static void test_sharetab_saturated_keys_survive_erasure_around_them(void **state)
{
    (void)state;
    enum { N = 12 };
    g_autoptr(HostShareTable) tab = host_sharetab_new(SPACES_4_COUNT_BITS);
    uint32_t keys[N];
    keys_with_home(500, keys, N);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t want = i % 2 == 0 ? 1 : 40 + i;
        for (uint32_t r = 0; r < want; r++) {
            host_sharetab_ref(tab, 0, keys[i]);
        }
    }
    for (uint32_t i = 0; i < N; i += 2) {
        assert_int_equal(host_sharetab_unref(tab, 0, keys[i]), 0); /* the others move */
    }
    for (uint32_t i = 1; i < N; i += 2) {
        assert_int_equal(host_sharetab_get(tab, 0, keys[i]), 40 + i);
        for (uint32_t r = 40 + i; r > 0; r--) {
            assert_int_equal(host_sharetab_unref(tab, 0, keys[i]), r - 1);
        }
    }
    assert_int_equal(host_sharetab_size(tab), 0);
    for (uint32_t i = 0; i < N; i++) {
        assert_int_equal(host_sharetab_get(tab, 0, keys[i]), 0);
    }
}

/* 20000 keys in 3 domains, 500 more each round, each key referenced once
 * a round for 60 rounds: the keys of the first rounds saturate (15) long
 * before the last doubling (to 32768 homes, at 11469 keys, round 23: 4500
 * keys saturated then), and at the end every key is past 15. Then all are
 * released: every count right on the way down, the table empty. */
static void test_sharetab_many_saturated_keys_through_doublings(void **state)
{
    (void)state;
    enum { N = 20000, PER_ROUND = 500, ROUNDS = 60 };
    g_autoptr(HostShareTable) tab = host_sharetab_new(SPACES_4_COUNT_BITS);
    size_t first = host_sharetab_bytes(tab);
    for (uint32_t round = 1; round <= ROUNDS; round++) {
        uint32_t n = MIN(N, round * PER_ROUND);
        for (uint32_t k = 0; k < n; k++) {
            assert_int_equal(host_sharetab_ref(tab, k % 3, k), round - k / PER_ROUND);
        }
    }
    assert_int_equal(host_sharetab_size(tab), N);
    assert_true(host_sharetab_bytes(tab) >= first + (32768 - 1024) * 8);
    for (uint32_t k = 0; k < N; k++) {
        assert_int_equal(host_sharetab_get(tab, k % 3, k), ROUNDS - k / PER_ROUND);
        assert_true(ROUNDS - k / PER_ROUND > MAX_4_COUNT_BITS);
    }
    for (uint32_t k = 0; k < N; k++) {
        for (uint32_t r = ROUNDS - k / PER_ROUND; r > 0; r--) {
            assert_int_equal(host_sharetab_unref(tab, k % 3, k), r - 1);
        }
    }
    assert_int_equal(host_sharetab_size(tab), 0);
}

/* One bit of count (2^31 - 1 spaces, the most): every count saturates at
 * 1, so every entry's count lives in the side table, and it still agrees. */
static void test_sharetab_one_count_bit_at_the_space_bound(void **state)
{
    (void)state;
    g_autoptr(HostShareTable) tab = host_sharetab_new(UINT32_C(0x7fffffff));
    assert_int_equal(host_sharetab_ref(tab, 0x7ffffffe, 3), 1);
    assert_int_equal(host_sharetab_ref(tab, 0x7ffffffe, 3), 2);
    assert_int_equal(host_sharetab_ref(tab, 0, 3), 1);
    assert_int_equal(host_sharetab_unref(tab, 0x7ffffffe, 3), 1);
    assert_int_equal(host_sharetab_get(tab, 0x7ffffffe, 3), 1);
    assert_int_equal(host_sharetab_unref(tab, 0x7ffffffe, 3), 0);
    assert_int_equal(host_sharetab_unref(tab, 0, 3), 0);
    assert_int_equal(host_sharetab_size(tab), 0);
}

/* Runs fn in a child; returns its wait status. */
static int in_child(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void new_with_2_pow_31_spaces(void)
{
    host_sharetab_free(host_sharetab_new(UINT32_C(1) << 31));
}

static void ref_a_space_past_the_bound(void)
{
    HostShareTable *tab = host_sharetab_new(SPACES_128_VMS);
    host_sharetab_ref(tab, SPACES_128_VMS, 1);
    host_sharetab_free(tab);
}

/* 2^31 spaces would leave no bit for a count, and a space at or past the
 * table's n_spaces would spill into the count: both stop the process. */
static void test_sharetab_refuses_spaces_past_its_bound(void **state)
{
    (void)state;
    int status = in_child(new_with_2_pow_31_spaces);
    assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    status = in_child(ref_a_space_past_the_bound);
    assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sharetab_counts_references_per_domain_and_key),
        cmocka_unit_test(test_sharetab_agrees_with_a_reference_map),
        cmocka_unit_test(test_sharetab_grows_in_place_and_keeps_every_entry),
        cmocka_unit_test(test_sharetab_a_run_at_the_end_spills_past_the_homes),
        cmocka_unit_test(test_sharetab_agrees_with_a_reference_map_past_saturation),
        cmocka_unit_test(test_sharetab_a_slot_takes_8_bytes),
        cmocka_unit_test(test_sharetab_a_count_saturates_and_comes_back),
        cmocka_unit_test(test_sharetab_saturated_keys_survive_erasure_around_them),
        cmocka_unit_test(test_sharetab_many_saturated_keys_through_doublings),
        cmocka_unit_test(test_sharetab_one_count_bit_at_the_space_bound),
        cmocka_unit_test(test_sharetab_refuses_spaces_past_its_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
