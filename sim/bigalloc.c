#define _GNU_SOURCE /* MAP_ANONYMOUS, madvise, mremap */
#include "sim/bigalloc.h"

#include <glib.h>
#include <string.h>
#include <sys/mman.h>

/* The huge page size: mapped lengths are whole ones (below). */
#define BIG_MIN_BYTES ((size_t)2 << 20)
/* Below this the heap serves an array. Above it a mapping does, even below
 * one huge page: a table that grows through the heap leaves its old
 * versions there (malloc's threshold for mapping rises with each one
 * freed), megabytes of RSS the run never gives back. */
#define BIG_MAP_MIN_BYTES ((size_t)64 << 10)

/* Mapped lengths are whole huge pages: the kernel then places a mapping,
 * and mremap its moves, on a 2 MiB boundary, so the huge pages survive a
 * move (past the bytes asked for, the tail is never touched: no RSS). */
static size_t map_len(size_t bytes)
{
    return (bytes + BIG_MIN_BYTES - 1) & ~(BIG_MIN_BYTES - 1);
}

/* Huge pages over the first hot_bytes, whole 2 MiB pages only. */
static void advise_huge(void *mem, size_t hot_bytes)
{
#ifdef MADV_HUGEPAGE
    size_t whole = hot_bytes & ~(BIG_MIN_BYTES - 1);
    if (whole > 0) {
        /* advice only: without transparent huge pages the array still works */
        (void)madvise(mem, whole, MADV_HUGEPAGE);
    }
#else
    (void)mem;
    (void)hot_bytes;
#endif
}

/* The advice for an array of `bytes` that may grow: the whole mapping, or
 * nothing below one huge page (a huge page is resident whole once touched). */
static size_t growable_hot(size_t bytes)
{
    return bytes >= BIG_MIN_BYTES ? map_len(bytes) : 0;
}

/* A huge page is resident whole once touched, so one at the tail of an
 * array that ends 512 KiB into it costs 1.5 MiB of RSS for nothing (per VM,
 * per array): an array that never grows keeps 4 KiB pages past its last
 * whole huge page. One that grows cannot: an advice on part of a mapping
 * splits it in two, and mremap moves one mapping only (EFAULT), so
 * sim_big_alloc0 advises the whole mapping. */
void *sim_big_alloc0_hot(size_t bytes, size_t hot_bytes)
{
    if (bytes < BIG_MAP_MIN_BYTES) {
        return g_malloc0(bytes);
    }
    void *mem = mmap(NULL, map_len(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        g_error("sim_big_alloc0: cannot map %zu bytes", bytes);
    }
    advise_huge(mem, MIN(hot_bytes, map_len(bytes)));
    return mem;
}

void *sim_big_alloc0(size_t bytes)
{
    return sim_big_alloc0_hot(bytes, growable_hot(bytes));
}

void *sim_big_grow0(void *mem, size_t old_bytes, size_t new_bytes)
{
    g_assert(new_bytes >= old_bytes);
    if (mem == NULL || old_bytes == 0) {
        sim_big_free(mem, old_bytes);
        return sim_big_alloc0(new_bytes);
    }
    if (old_bytes >= BIG_MAP_MIN_BYTES) {
        /* fresh anonymous pages past the old end read as zeroes */
        void *moved = mremap(mem, map_len(old_bytes), map_len(new_bytes), MREMAP_MAYMOVE);
        if (moved == MAP_FAILED) {
            g_error("sim_big_grow0: cannot remap %zu bytes", new_bytes);
        }
        advise_huge(moved, growable_hot(new_bytes));
        return moved;
    }
    if (new_bytes < BIG_MAP_MIN_BYTES) {
        char *heap = g_realloc(mem, new_bytes);
        memset(heap + old_bytes, 0, new_bytes - old_bytes);
        return heap;
    }
    /* from the heap to a mapping: a copy of less than 64 KiB */
    void *to = sim_big_alloc0(new_bytes);
    memcpy(to, mem, old_bytes);
    sim_big_free(mem, old_bytes);
    return to;
}

void sim_big_free(void *mem, size_t bytes)
{
    if (mem == NULL) {
        return;
    }
    if (bytes < BIG_MAP_MIN_BYTES) {
        g_free(mem);
        return;
    }
    munmap(mem, map_len(bytes));
}
