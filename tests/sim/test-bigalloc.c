#define _DEFAULT_SOURCE /* mincore */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <glib.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/bigalloc.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)

static void fill(uint8_t *mem, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++) {
        mem[i] = (uint8_t)(i * 7 + 3);
    }
}

static void assert_filled(const uint8_t *mem, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++) {
        if (mem[i] != (uint8_t)(i * 7 + 3)) {
            fail_msg("byte %zu is %u", i, mem[i]);
        }
    }
}

static void assert_zero(const uint8_t *mem, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (mem[i] != 0) {
            fail_msg("byte %zu is %u, not 0", i, mem[i]);
        }
    }
}

/* Every size class (heap, a mapping below one huge page, huge pages) is
 * zeroed and writable to its last byte. */
static void test_big_alloc0_gives_zeroes_at_every_size(void **state)
{
    (void)state;
    const size_t sizes[] = {1, 4 * KIB, 64 * KIB - 1, 64 * KIB, 1 * MIB, 2 * MIB, 2 * MIB + 512, 5 * MIB};
    for (size_t k = 0; k < G_N_ELEMENTS(sizes); k++) {
        uint8_t *mem = sim_big_alloc0(sizes[k]);
        assert_non_null(mem);
        assert_zero(mem, 0, sizes[k]);
        fill(mem, sizes[k]);
        assert_filled(mem, sizes[k]);
        sim_big_free(mem, sizes[k]);
    }
    assert_null(sim_big_alloc0(0));
}

/* Growing keeps the bytes and zeroes the new ones, across every move: heap
 * to heap, heap to a mapping, a mapping past one huge page and beyond. */
static void test_big_grow0_keeps_the_bytes_across_each_move(void **state)
{
    (void)state;
    const size_t steps[] = {1 * KIB, 32 * KIB, 600 * KIB, 2 * MIB + 512, 4 * MIB + 1024, 9 * MIB};
    size_t bytes = steps[0];
    uint8_t *mem = sim_big_alloc0(bytes);
    fill(mem, bytes);
    for (size_t k = 1; k < G_N_ELEMENTS(steps); k++) {
        mem = sim_big_grow0(mem, bytes, steps[k]);
        assert_filled(mem, bytes);
        assert_zero(mem, bytes, steps[k]);
        bytes = steps[k];
        fill(mem, bytes);
    }
    sim_big_free(mem, bytes);
}

/* An array that starts mapped just past a huge page grows in place: the
 * advice covers its whole mapping, so mremap finds one mapping to move (an
 * advice on part of it would split it, and mremap would fail). */
static void test_big_grow0_grows_an_array_mapped_past_a_huge_page(void **state)
{
    (void)state;
    size_t bytes = 2 * MIB + 512;
    uint8_t *mem = sim_big_alloc0(bytes);
    fill(mem, bytes);
    for (int k = 0; k < 3; k++) {
        size_t more = 2 * bytes;
        mem = sim_big_grow0(mem, bytes, more);
        assert_filled(mem, bytes);
        assert_zero(mem, bytes, more);
        bytes = more;
        fill(mem, bytes);
    }
    sim_big_free(mem, bytes);
}

/* An array that never grows gets huge pages only where it fills them:
 * with all of its 2.5 MiB touched, the rest of its mapping (rounded up to
 * 4 MiB) stays out of memory, where a huge page at the tail would have
 * brought in 1.5 MiB more. mincore asks the kernel, page by page. */
static void test_big_alloc0_hot_tail_stays_in_small_pages(void **state)
{
    (void)state;
    size_t bytes = 2 * MIB + 512 * KIB;
    size_t mapped = 4 * MIB; /* whole huge pages (sim/bigalloc.c) */
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t *mem = sim_big_alloc0_hot(bytes, bytes);
    fill(mem, bytes);
    size_t n = (mapped - bytes) / page;
    g_autofree unsigned char *in = g_new0(unsigned char, n);
    assert_int_equal(mincore(mem + bytes, mapped - bytes, in), 0);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(in[i] & 1, 0);
    }
    /* and what it touched is there */
    g_autofree unsigned char *used = g_new0(unsigned char, bytes / page);
    assert_int_equal(mincore(mem, bytes, used), 0);
    for (size_t i = 0; i < bytes / page; i++) {
        assert_int_equal(used[i] & 1, 1);
    }
    sim_big_free(mem, bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_big_alloc0_gives_zeroes_at_every_size),
        cmocka_unit_test(test_big_grow0_keeps_the_bytes_across_each_move),
        cmocka_unit_test(test_big_grow0_grows_an_array_mapped_past_a_huge_page),
        cmocka_unit_test(test_big_alloc0_hot_tail_stays_in_small_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
