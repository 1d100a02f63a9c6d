/*
 * A partition of items 0..n-1 into a few classes, with O(1) move, O(1)
 * count and O(1) uniform pick of a member of a class. It is how every VM
 * keeps its pages by state: the model picks "a random inactive anon page" or
 * "a random resident page" without scanning memory, so the work per
 * simulated second follows the pages moved, not the memory size.
 *
 * Memory: an 8-byte record per item + its member slot: 3 bytes while the
 * partition has at most 2^24 items (a VM of up to 64 GiB at 4 KiB pages),
 * 4 bytes beyond, so 11 or 12 bytes an item. The record
 * packs the item's position in its class (as many bits as item numbers
 * need: 22 for 4 M items), its class (6 bits) and, in the bits left, the
 * caller's own per-item state (36 bits at 4 M items), so a caller that
 * keeps its state there reads and moves an item with one cache miss.
 * Members are stored in fixed chunks of one arena per partition, so the slack
 * is at most one chunk per class, whatever the classes' history.
 */
#pragma once

#include <glib.h>
#include <stdint.h>

/* 10 guest uses x 6 residencies = 60 classes (host/pages.h); the class takes
 * 6 bits of the item's record. */
#define SIM_PARTITION_MAX_CLASSES 64
/* Member slots come in chunks of this many; a class holds
 * ceil(count / SIM_PARTITION_CHUNK_SLOTS) of them. */
#define SIM_PARTITION_CHUNK_SLOTS 1024u

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
/* The same, writing the caller's bits (< 2^sim_partition_user_bits) at
 * once: one store to the record. */
void sim_partition_move_user(SimPartition *part, uint32_t item, unsigned to, uint64_t user);

/* Where sim_partition_move_class sends an item of the class it empties:
 * returns its new class (not the one emptied) and rewrites its user bits
 * in place. */
typedef unsigned (*SimPartitionDest)(uint32_t item, uint64_t *user, void *data);

/* Every member of class `from` moves, in ascending item order, to the
 * class `dest` gives it: the partition ends exactly as sim_partition_move_user
 * item by item in that order would leave it (the class empty, each new
 * member appended to its class in item order), in one sequential pass over
 * the records: O(items up to the class's last member), no swap per item. */
void sim_partition_move_class(SimPartition *part, unsigned from, SimPartitionDest dest, void *data);

/* The caller's bits kept in the item's record (a VM's page flags and
 * content key): sim_partition_user_bits of them, 26 at least, all 0 at the
 * start. */
unsigned sim_partition_user_bits(const SimPartition *part);
uint64_t sim_partition_user(const SimPartition *part, uint32_t item);
void sim_partition_set_user(SimPartition *part, uint32_t item, uint64_t user);

/* The index-th member of `cls` (index < count); members are in no useful order. */
uint32_t sim_partition_member(const SimPartition *part, unsigned cls, uint32_t index);

/* Hints that `item`'s record, or the slot of member `index` of `cls`, is
 * wanted soon: a prefetch, nothing changes. A caller that knows its next
 * random items a few steps ahead overlaps their cache misses (the memory
 * latency, not the work, is what a random move costs at scale). */
void sim_partition_prefetch_item(const SimPartition *part, uint32_t item);
void sim_partition_prefetch_member(const SimPartition *part, unsigned cls, uint32_t index);

/* Bytes allocated, for the benchmark's bytes-per-page figure. */
size_t sim_partition_bytes(const SimPartition *part);
