#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */
#include "sim/bigalloc.h"

#include <glib.h>
#include <sys/mman.h>

/* Below one huge page the advice cannot apply: the heap serves it. */
#define BIG_MIN_BYTES ((size_t)2 << 20)

void *sim_big_alloc0(size_t bytes)
{
    if (bytes < BIG_MIN_BYTES) {
        return g_malloc0(bytes);
    }
    void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
        g_error("sim_big_alloc0: cannot map %zu bytes", bytes);
    }
#ifdef MADV_HUGEPAGE
    /* advice only: without transparent huge pages the array still works */
    (void)madvise(mem, bytes, MADV_HUGEPAGE);
#endif
    return mem;
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
    munmap(mem, bytes);
}
