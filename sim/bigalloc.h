/*
 * Large zeroed arrays (the per-page state, the shared-frame table) mapped
 * so the kernel may back them with 2 MiB pages (madvise MADV_HUGEPAGE): the
 * model reads them at random, and with 4 KiB pages nearly every such read
 * also missed the TLB. Still lazy: a region costs memory once touched.
 */
#pragma once

#include <stddef.h>

/* bytes of zeroes; NULL for 0 bytes. Aborts when out of memory, as g_malloc. */
void *sim_big_alloc0(size_t bytes);
/* The same, with huge pages only over the whole 2 MiB pages of the first
 * hot_bytes: the tail of the array (a fraction of a huge page, or a reserve
 * most runs never touch, as sim/partition.c's arena) keeps 4 KiB pages, so
 * what the run touches there is resident, not 2 MiB. Such an array cannot
 * be grown with sim_big_grow0. */
void *sim_big_alloc0_hot(size_t bytes, size_t hot_bytes);
/* Frees what sim_big_alloc0(bytes) returned (NULL is ignored). */
void sim_big_free(void *mem, size_t bytes);
/* Grows what sim_big_alloc0(old_bytes) returned to new_bytes >= old_bytes,
 * the added bytes zero, as realloc (the array may move). A mapped array
 * grows with mremap: its pages move without a copy, so the old and the new
 * array are never both in memory. */
void *sim_big_grow0(void *mem, size_t old_bytes, size_t new_bytes);
