/*
 * The table of shared frames: content (domain, key) -> references. Open
 * addressing with linear probing, 8 bytes a slot at most 70% full, because
 * the host may hold millions of shared frames and GHashTable's 20+ bytes a
 * slot would break the per-page memory budget (docs/benchmarks.md). A
 * "domain" here is any space below the table's n_spaces.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

typedef struct HostShareTable HostShareTable;

/* A table for domains 0 .. n_spaces - 1: the fewer, the more bits a slot
 * keeps for the count (a larger count goes on outside the slot); n_spaces
 * at most 2^31 - 1. */
HostShareTable *host_sharetab_new(uint32_t n_spaces);
void host_sharetab_free(HostShareTable *tab);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HostShareTable, host_sharetab_free)

/* References to (domain, key), 0 when absent. */
uint32_t host_sharetab_get(const HostShareTable *tab, uint32_t domain, uint32_t key);

/* Adds one reference; returns the new count (1 = a new frame). */
uint32_t host_sharetab_ref(HostShareTable *tab, uint32_t domain, uint32_t key);

/* Drops one reference; returns the count left (0 = the frame is gone). */
uint32_t host_sharetab_unref(HostShareTable *tab, uint32_t domain, uint32_t key);

/* A hint that (domain, key) is looked up soon: prefetches its home slot. */
void host_sharetab_prefetch(const HostShareTable *tab, uint32_t domain, uint32_t key);

/* Frames in the table. */
uint64_t host_sharetab_size(const HostShareTable *tab);
size_t host_sharetab_bytes(const HostShareTable *tab);
/* The most bytes the table held at once: while it grows, the old and the
 * new slots both (docs/benchmarks.md, issue 14). */
size_t host_sharetab_peak_bytes(const HostShareTable *tab);
