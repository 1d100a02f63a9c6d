/*
 * A partition of items 0..n-1 into a few classes, with O(1) move, O(1)
 * count and O(1) uniform pick of a member of a class. It is how every VM
 * keeps its pages by state: the model picks "a random inactive anon page" or
 * "a random resident page" without scanning memory, so the work per
 * simulated second follows the pages moved, not the memory size.
 *
 * Memory: a 6-byte record per item (position 4 B, class 1 B, one byte free
 * for the caller) + 4 bytes (member slot). The record is one array, so a
 * move touches one cache line for the item instead of three. Members are
 * stored in fixed chunks drawn from a shared pool, so the slack is at most
 * one chunk per class, whatever the classes' history.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

/* 10 guest uses x 6 residencies = 60 classes (host/pages.h); the class is one
 * byte per item, so up to 256 would fit without a byte more per page. */
#define SIM_PARTITION_MAX_CLASSES 64

typedef struct SimPartition SimPartition;

/* All items start in `initial`. n_classes <= SIM_PARTITION_MAX_CLASSES. */
SimPartition *sim_partition_new(uint32_t n_items, unsigned n_classes, unsigned initial);
void sim_partition_free(SimPartition *part);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimPartition, sim_partition_free)

uint32_t sim_partition_n_items(const SimPartition *part);
unsigned sim_partition_class(const SimPartition *part, uint32_t item);
uint32_t sim_partition_count(const SimPartition *part, unsigned cls);

/* Moves `item` to class `to`; a no-op when it is already there. */
void sim_partition_move(SimPartition *part, uint32_t item, unsigned to);

/* The caller's byte kept next to the class (the page flags of a VM). */
uint8_t sim_partition_user(const SimPartition *part, uint32_t item);
void sim_partition_set_user(SimPartition *part, uint32_t item, uint8_t user);

/* The index-th member of `cls` (index < count); members are in no useful order. */
uint32_t sim_partition_member(const SimPartition *part, unsigned cls, uint32_t index);

/* Bytes allocated, for the benchmark's bytes-per-page figure. */
size_t sim_partition_bytes(const SimPartition *part);
