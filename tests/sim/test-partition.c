#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "sim/partition.h"
#include "sim/rng.h"

static void test_partition_starts_with_every_item_in_the_initial_class(void **state)
{
    (void)state;
    g_autoptr(SimPartition) part = sim_partition_new(10000, 5, 2);
    assert_int_equal(sim_partition_count(part, 2), 10000);
    assert_int_equal(sim_partition_count(part, 0), 0);
    for (uint32_t i = 0; i < 10000; i += 997) {
        assert_int_equal(sim_partition_class(part, i), 2);
    }
}

/* Random moves against a plain array of classes: counts, membership and
 * the member lists must agree after every step. */
static void test_partition_moves_agree_with_a_reference(void **state)
{
    (void)state;
    enum { N = 20000, K = 7, STEPS = 200000 };
    g_autoptr(SimPartition) part = sim_partition_new(N, K, 0);
    g_autofree uint8_t *ref = g_new0(uint8_t, N);
    uint32_t counts[K] = {N};
    SimRng rng;
    sim_rng_init(&rng, 7, "partition");
    for (int s = 0; s < STEPS; s++) {
        uint32_t item = (uint32_t)sim_rng_below(&rng, N);
        unsigned to = (unsigned)sim_rng_below(&rng, K);
        counts[ref[item]]--;
        counts[to]++;
        ref[item] = (uint8_t)to;
        sim_partition_move(part, item, to);
    }
    for (unsigned k = 0; k < K; k++) {
        assert_int_equal(sim_partition_count(part, k), counts[k]);
        for (uint32_t i = 0; i < counts[k]; i++) {
            uint32_t item = sim_partition_member(part, k, i);
            assert_int_equal(ref[item], k);
        }
    }
    for (uint32_t i = 0; i < N; i++) {
        assert_int_equal(sim_partition_class(part, i), ref[i]);
    }
}

/* A class that empties gives its chunks back, so memory follows the
 * current sizes, not the history. */
static void test_partition_memory_stays_near_one_slot_per_item(void **state)
{
    (void)state;
    enum { N = 1 << 20 };
    g_autoptr(SimPartition) part = sim_partition_new(N, 4, 0);
    for (unsigned k = 1; k < 4; k++) {
        for (uint32_t i = 0; i < N; i++) {
            sim_partition_move(part, i, k);
        }
    }
    assert_int_equal(sim_partition_count(part, 3), N);
    size_t per_item = sim_partition_bytes(part) / N;
    /* 8 B record (position, class, the caller's bits) + 3 B slot, plus
     * the chunks' slack */
    assert_true(per_item <= 11);
}

/* Each class holds ceil(count / chunk) chunks of one arena of
 * ceil(n / chunk) + classes chunks. The worst split, every class one item
 * into a new chunk, takes all but one of them; moves go on from there, and
 * everything back in one class leaves the memory handed out where the
 * worst split put it: freed chunks are reused, never added. */
static void test_partition_worst_split_fits_the_arena(void **state)
{
    (void)state;
    enum { K = SIM_PARTITION_MAX_CLASSES, CHUNK = SIM_PARTITION_CHUNK_SLOTS, N = K * CHUNK, EACH = CHUNK + 1 };
    g_autoptr(SimPartition) part = sim_partition_new(N, K, 0);
    size_t at_start = sim_partition_bytes(part);
    uint32_t item = 0;
    for (unsigned k = 1; k < K; k++) {
        for (uint32_t i = 0; i < EACH; i++) {
            sim_partition_move(part, item++, k);
        }
    }
    assert_int_equal(sim_partition_count(part, 0), N - (K - 1) * EACH);
    size_t worst = sim_partition_bytes(part);
    /* 63 classes of 2 chunks and the first class's 1: 63 chunks of 3 KiB
     * more, and each new class's list of chunk pointers (4 to start) */
    assert_int_equal(worst - at_start, (size_t)(K - 1) * (CHUNK * 3 + 4 * sizeof(uint8_t *)));
    SimRng rng;
    sim_rng_init(&rng, 3, "partition-arena");
    for (int s = 0; s < 100000; s++) {
        sim_partition_move(part, (uint32_t)sim_rng_below(&rng, N), (unsigned)sim_rng_below(&rng, K));
    }
    for (uint32_t i = 0; i < N; i++) {
        sim_partition_move(part, i, 0);
    }
    assert_int_equal(sim_partition_count(part, 0), N);
    for (uint32_t i = 0; i < N; i += 4093) {
        assert_int_equal(sim_partition_class(part, i), 0);
    }
    assert_int_equal(sim_partition_bytes(part), worst);
}

/* The slot width follows the item count: 3 bytes up to 2^24 items, 4 past
 * it. The arrays are zeroed lazily, so their bytes count before any move. */
static void test_partition_slots_take_3_bytes_up_to_2_24_items(void **state)
{
    (void)state;
    const uint32_t narrow = (uint32_t)1 << 24;
    g_autoptr(SimPartition) at = sim_partition_new(narrow, 4, 0);
    g_autoptr(SimPartition) past = sim_partition_new(narrow + 1, 4, 0);
    assert_int_equal(sim_partition_bytes(at) / narrow, 8 + 3);
    assert_int_equal(sim_partition_bytes(past) / (narrow + 1), 8 + 4);
}

/* Moves in a partition of n items against a plain array of classes: the
 * items at the top of the number range (all 24 or 32 bits of an item
 * XOR-ed with its index), their last chunk, and random ones. Then every
 * item's class, every class's count, and each item a member exactly once:
 * a store to one slot must leave its neighbours (and the initial class's
 * untouched, still zero slots) as they were. */
static void check_big_partition(uint32_t n)
{
    enum { K = 4, RANDOM_MOVES = 100000, TOP = 3 * 4096 + 5 };
    g_autoptr(SimPartition) part = sim_partition_new(n, K, 0);
    /* the lazy start: member i of the initial class is item i */
    for (uint32_t i = 0; i < 4096; i++) {
        assert_int_equal(sim_partition_member(part, 0, i), i);
        assert_int_equal(sim_partition_member(part, 0, n - 1 - i), n - 1 - i);
    }
    g_autofree uint8_t *ref = g_new0(uint8_t, n);
    uint32_t counts[K] = {n};
    SimRng rng;
    sim_rng_init(&rng, 14, "partition-big");
    for (uint32_t s = 0; s < TOP + RANDOM_MOVES; s++) {
        uint32_t item = s < TOP ? n - 1 - s : (uint32_t)sim_rng_below(&rng, n);
        unsigned to = s < TOP ? 1 + s % (K - 1) : (unsigned)sim_rng_below(&rng, K);
        counts[ref[item]]--;
        counts[to]++;
        ref[item] = (uint8_t)to;
        sim_partition_move(part, item, to);
    }
    /* the top items come back to the initial class, at its end */
    for (uint32_t s = 0; s < TOP; s += 3) {
        uint32_t item = n - 1 - s;
        counts[ref[item]]--;
        counts[0]++;
        ref[item] = 0;
        sim_partition_move(part, item, 0);
    }
    g_autofree uint8_t *seen = g_new0(uint8_t, n);
    for (unsigned k = 0; k < K; k++) {
        assert_int_equal(sim_partition_count(part, k), counts[k]);
        for (uint32_t i = 0; i < counts[k]; i++) {
            uint32_t item = sim_partition_member(part, k, i);
            assert_true(item < n);
            assert_int_equal(ref[item], k);
            assert_int_equal(seen[item], 0);
            seen[item] = 1;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        assert_int_equal(sim_partition_class(part, i), ref[i]);
    }
}

static void test_partition_moves_with_3_byte_slots_at_2_24_items(void **state)
{
    (void)state;
    check_big_partition((uint32_t)1 << 24);
}

static void test_partition_moves_with_4_byte_slots_past_2_24_items(void **state)
{
    (void)state;
    check_big_partition(((uint32_t)1 << 24) + 1);
}

static void test_partition_member_pick_covers_every_member(void **state)
{
    (void)state;
    g_autoptr(SimPartition) part = sim_partition_new(64, 2, 0);
    for (uint32_t i = 0; i < 64; i += 2) {
        sim_partition_move(part, i, 1);
    }
    uint64_t seen = 0;
    for (uint32_t i = 0; i < sim_partition_count(part, 1); i++) {
        seen |= (uint64_t)1 << sim_partition_member(part, 1, i);
    }
    assert_int_equal(seen, 0x5555555555555555ull);
}

/* The caller's bits live in the item's record: moves keep them, and
 * writing them moves nothing. */
static void test_partition_user_bits_survive_moves(void **state)
{
    (void)state;
    enum { N = 1000 };
    g_autoptr(SimPartition) part = sim_partition_new(N, 3, 0);
    unsigned bits = sim_partition_user_bits(part);
    assert_int_equal(bits, 64 - 6 - 10); /* 10 bits of position for 1000 items */
    uint64_t top = ((uint64_t)1 << bits) - 1;
    for (uint32_t i = 0; i < N; i++) {
        sim_partition_set_user(part, i, i % 2 ? top - i : i);
        sim_partition_move(part, i, i % 3);
    }
    for (uint32_t i = 0; i < N; i += 7) {
        sim_partition_move(part, i, (i + 1) % 3);
    }
    for (uint32_t i = 0; i < N; i++) {
        assert_int_equal(sim_partition_user(part, i), i % 2 ? top - i : i);
        assert_int_equal(sim_partition_class(part, i), i % 7 ? i % 3 : (i + 1) % 3);
    }
    for (unsigned k = 0; k < 3; k++) {
        for (uint32_t j = 0; j < sim_partition_count(part, k); j++) {
            assert_int_equal(sim_partition_class(part, sim_partition_member(part, k, j)), k);
        }
    }
}

/* Prefetch hints change nothing, stale ones (a member index past the
 * class's end, an empty class) included: ASan sees no read out of bounds. */
static void test_partition_prefetch_hints_change_nothing(void **state)
{
    (void)state;
    g_autoptr(SimPartition) part = sim_partition_new(5000, 3, 0);
    sim_partition_move(part, 7, 1);
    for (uint32_t i = 0; i < 10000; i += 7) {
        sim_partition_prefetch_member(part, 0, i);
        sim_partition_prefetch_member(part, 1, i);
        sim_partition_prefetch_member(part, 2, i);
        sim_partition_prefetch_item(part, i % 5000);
    }
    assert_int_equal(sim_partition_count(part, 0), 4999);
    assert_int_equal(sim_partition_count(part, 1), 1);
    assert_int_equal(sim_partition_member(part, 1, 0), 7);
    assert_int_equal(sim_partition_class(part, 7), 1);
}

/* sim_partition_move_class's destination in the test: by the item's
 * number, and the user bits a function of the old ones */
static unsigned split_dest(uint32_t item, uint64_t *user, void *data)
{
    (void)data;
    *user = (*user * 3 + 1) & 0xffffu;
    return item % 3 == 0 ? 1 : 3;
}

/* Emptying a class in one pass leaves the partition exactly as moving its
 * members one by one in item order: every class's members in the same
 * order (later picks see it), every record's class and user bits. The
 * class has a history first (members swapped around, items of other
 * classes among them), and one destination already has members. */
static void test_partition_move_class_is_item_by_item_moves(void **state)
{
    (void)state;
    enum { N = 50000, K = 5 };
    g_autoptr(SimPartition) one = sim_partition_new(N, K, 2);
    g_autoptr(SimPartition) each = sim_partition_new(N, K, 2);
    SimRng rng;
    sim_rng_init(&rng, 11, "move-class");
    for (int s = 0; s < 30000; s++) {
        uint32_t item = (uint32_t)sim_rng_below(&rng, N);
        unsigned to = (unsigned)sim_rng_below(&rng, K);
        sim_partition_move_user(one, item, to, item & 0xff);
        sim_partition_move_user(each, item, to, item & 0xff);
    }
    uint32_t from = sim_partition_count(one, 2);
    assert_true(from > N / 2 && sim_partition_count(one, 1) > 0);
    sim_partition_move_class(one, 2, split_dest, NULL);
    for (uint32_t item = 0; item < N; item++) {
        if (sim_partition_class(each, item) == 2) {
            uint64_t user = sim_partition_user(each, item);
            unsigned to = split_dest(item, &user, NULL);
            sim_partition_move_user(each, item, to, user);
        }
    }
    assert_int_equal(sim_partition_count(one, 2), 0);
    for (unsigned k = 0; k < K; k++) {
        assert_int_equal(sim_partition_count(one, k), sim_partition_count(each, k));
        for (uint32_t i = 0; i < sim_partition_count(one, k); i++) {
            assert_int_equal(sim_partition_member(one, k, i), sim_partition_member(each, k, i));
        }
    }
    for (uint32_t item = 0; item < N; item++) {
        assert_int_equal(sim_partition_class(one, item), sim_partition_class(each, item));
        assert_int_equal(sim_partition_user(one, item), sim_partition_user(each, item));
    }
    /* the emptied class's chunks went to the others: no more memory */
    assert_true(sim_partition_bytes(one) <= sim_partition_bytes(each));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partition_starts_with_every_item_in_the_initial_class),
        cmocka_unit_test(test_partition_moves_agree_with_a_reference),
        cmocka_unit_test(test_partition_memory_stays_near_one_slot_per_item),
        cmocka_unit_test(test_partition_worst_split_fits_the_arena),
        cmocka_unit_test(test_partition_slots_take_3_bytes_up_to_2_24_items),
        cmocka_unit_test(test_partition_moves_with_3_byte_slots_at_2_24_items),
        cmocka_unit_test(test_partition_moves_with_4_byte_slots_past_2_24_items),
        cmocka_unit_test(test_partition_member_pick_covers_every_member),
        cmocka_unit_test(test_partition_user_bits_survive_moves),
        cmocka_unit_test(test_partition_prefetch_hints_change_nothing),
        cmocka_unit_test(test_partition_move_class_is_item_by_item_moves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
