#define _GNU_SOURCE /* MAP_ANONYMOUS, madvise, mremap */
#include "sim/bigalloc.h"

#include <glib.h>
#include <string.h>
#include <sys/mman.h>

/* Below one huge page the advice cannot apply: the heap serves it. */
#define BIG_MIN_BYTES ((size_t)2 << 20)

/* Mapped lengths are whole huge pages: the kernel then places a mapping,
 * and mremap its moves, on a 2 MiB boundary, so the huge pages survive a
 * move (past the bytes asked for, the tail is never touched: no RSS). */
static size_t map_len(size_t bytes)
{
    return (bytes + BIG_MIN_BYTES - 1) & ~(BIG_MIN_BYTES - 1);
}

static void advise_huge(void *mem, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    /* advice only: without transparent huge pages the array still works */
    (void)madvise(mem, bytes, MADV_HUGEPAGE);
#else
    (void)mem;
    (void)bytes;
#endif
}

void *sim_big_alloc0(size_t bytes)
{
    if (bytes < BIG_MIN_BYTES) {
        return g_malloc0(bytes);
    }
    void *mem = mmap(NULL, map_len(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        g_error("sim_big_alloc0: cannot map %zu bytes", bytes);
    }
    advise_huge(mem, map_len(bytes));
    return mem;
}

void *sim_big_grow0(void *mem, size_t old_bytes, size_t new_bytes)
{
    g_assert(new_bytes >= old_bytes);
    if (mem == NULL || old_bytes == 0) {
        sim_big_free(mem, old_bytes);
        return sim_big_alloc0(new_bytes);
    }
    if (old_bytes >= BIG_MIN_BYTES && new_bytes >= BIG_MIN_BYTES) {
        /* fresh anonymous pages past the old end read as zeroes */
        void *moved = mremap(mem, map_len(old_bytes), map_len(new_bytes), MREMAP_MAYMOVE);
        if (moved == MAP_FAILED) {
            g_error("sim_big_grow0: cannot remap %zu bytes", new_bytes);
        }
        advise_huge(moved, map_len(new_bytes));
        return moved;
    }
    if (old_bytes < BIG_MIN_BYTES && new_bytes < BIG_MIN_BYTES) {
        char *heap = g_realloc(mem, new_bytes);
        memset(heap + old_bytes, 0, new_bytes - old_bytes);
        return heap;
    }
    /* from the heap to a mapping: a copy of less than 2 MiB */
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
    if (bytes < BIG_MIN_BYTES) {
        g_free(mem);
        return;
    }
    munmap(mem, map_len(bytes));
}
