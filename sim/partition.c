#include "sim/partition.h"

#include <stdbool.h>
#include <string.h>

/* 4096 slots = 16 KiB: big enough that chunk pointers cost nothing, small
 * enough that the unused tail of a class's last chunk stays negligible. */
#define CHUNK_SHIFT 12
#define CHUNK_SLOTS (1u << CHUNK_SHIFT)
#define CHUNK_MASK (CHUNK_SLOTS - 1)
/* Freed chunks kept for reuse before they go back to malloc. */
#define POOL_KEEP 8

typedef struct PartClass {
    uint32_t count;     /* members */
    uint32_t n_chunks;  /* chunks in use */
    uint32_t cap;       /* length of chunks[] */
    uint32_t **chunks;  /* member slots, CHUNK_SLOTS each */
} PartClass;

/*
 * Lazy start: every array is allocated zeroed (large zeroed allocations are
 * fresh pages the kernel maps on first touch), and stored values are
 * XOR-ed with their "initial" value, so an all-zero item means "in the
 * initial class, at slot = item" and an all-zero slot of the initial class
 * means "holds item = slot". Creating a VM then costs nothing per page; a
 * page costs memory and time only once the model touches it.
 */

/* Per item: slot within its class XOR item (4 B, unaligned), class XOR the
 * initial class, and the caller's byte. */
typedef struct PartItem {
    uint8_t pos[4];
    uint8_t cls;
    uint8_t user;
} PartItem;

struct SimPartition {
    uint32_t n_items;
    unsigned n_classes;
    unsigned initial;
    PartItem *items;
    uint32_t *base;       /* the initial class's first chunks, one zeroed block */
    size_t base_bytes;
    PartClass classes[SIM_PARTITION_MAX_CLASSES];
    uint32_t *pool[POOL_KEEP];
    unsigned n_pool;
    size_t chunk_bytes; /* bytes in chunks, pooled ones included */
};

static uint32_t *chunk_get(SimPartition *part)
{
    if (part->n_pool > 0) {
        return part->pool[--part->n_pool];
    }
    part->chunk_bytes += CHUNK_SLOTS * sizeof(uint32_t);
    return g_new(uint32_t, CHUNK_SLOTS);
}

static bool in_base(const SimPartition *part, const uint32_t *chunk)
{
    return part->base != NULL && chunk >= part->base &&
           (const char *)chunk < (const char *)part->base + part->base_bytes;
}

/* Chunks of the base block are reused through the pool but never freed one
 * by one: the block goes at once in sim_partition_free. */
static void chunk_put(SimPartition *part, uint32_t *chunk)
{
    if (part->n_pool < POOL_KEEP) {
        part->pool[part->n_pool++] = chunk;
        return;
    }
    if (!in_base(part, chunk)) {
        part->chunk_bytes -= CHUNK_SLOTS * sizeof(uint32_t);
        g_free(chunk);
    }
}

static inline uint32_t item_pos(const SimPartition *part, uint32_t item)
{
    uint32_t pos;
    memcpy(&pos, part->items[item].pos, sizeof(pos));
    return pos ^ item;
}

static inline void item_set_pos(SimPartition *part, uint32_t item, uint32_t pos)
{
    pos ^= item;
    memcpy(part->items[item].pos, &pos, sizeof(pos));
}

static inline unsigned item_class(const SimPartition *part, uint32_t item)
{
    return part->items[item].cls ^ part->initial;
}

static inline void item_set_class(SimPartition *part, uint32_t item, unsigned cls)
{
    part->items[item].cls = (uint8_t)(cls ^ part->initial);
}

static inline uint32_t slot_get(const PartClass *c, uint32_t index)
{
    return c->chunks[index >> CHUNK_SHIFT][index & CHUNK_MASK] ^ index;
}

static inline void slot_set(PartClass *c, uint32_t index, uint32_t item)
{
    c->chunks[index >> CHUNK_SHIFT][index & CHUNK_MASK] = item ^ index;
}

static void class_append(SimPartition *part, unsigned cls, uint32_t item)
{
    PartClass *c = &part->classes[cls];
    if ((c->count >> CHUNK_SHIFT) >= c->n_chunks) {
        if (c->n_chunks == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 4;
            c->chunks = g_renew(uint32_t *, c->chunks, c->cap);
        }
        c->chunks[c->n_chunks++] = chunk_get(part);
    }
    slot_set(c, c->count, item);
    item_set_pos(part, item, c->count);
    item_set_class(part, item, cls);
    c->count++;
}

/* Swap-with-last removal keeps the members dense; an emptied chunk goes back
 * to the pool so a class that shrinks gives its memory to the others. */
static void class_remove(SimPartition *part, unsigned cls, uint32_t item)
{
    PartClass *c = &part->classes[cls];
    uint32_t at = item_pos(part, item);
    uint32_t last = slot_get(c, c->count - 1);
    slot_set(c, at, last);
    item_set_pos(part, last, at);
    c->count--;
    if (c->n_chunks > 0 && ((c->count + CHUNK_MASK) >> CHUNK_SHIFT) < c->n_chunks) {
        chunk_put(part, c->chunks[--c->n_chunks]);
    }
}

SimPartition *sim_partition_new(uint32_t n_items, unsigned n_classes, unsigned initial)
{
    g_assert(n_classes > 0 && n_classes <= SIM_PARTITION_MAX_CLASSES && initial < n_classes);
    SimPartition *part = g_new0(SimPartition, 1);
    part->n_items = n_items;
    part->n_classes = n_classes;
    part->initial = initial;
    part->items = g_new0(PartItem, n_items);
    PartClass *c = &part->classes[initial];
    c->n_chunks = c->cap = (n_items + CHUNK_MASK) >> CHUNK_SHIFT;
    c->count = n_items;
    if (c->n_chunks > 0) {
        part->base_bytes = (size_t)c->n_chunks * CHUNK_SLOTS * sizeof(uint32_t);
        part->base = g_malloc0(part->base_bytes);
        c->chunks = g_new(uint32_t *, c->cap);
        for (uint32_t i = 0; i < c->n_chunks; i++) {
            c->chunks[i] = part->base + (size_t)i * CHUNK_SLOTS;
        }
    }
    return part;
}

void sim_partition_free(SimPartition *part)
{
    if (part == NULL) {
        return;
    }
    for (unsigned k = 0; k < part->n_classes; k++) {
        for (uint32_t i = 0; i < part->classes[k].n_chunks; i++) {
            if (!in_base(part, part->classes[k].chunks[i])) {
                g_free(part->classes[k].chunks[i]);
            }
        }
        g_free(part->classes[k].chunks);
    }
    for (unsigned i = 0; i < part->n_pool; i++) {
        if (!in_base(part, part->pool[i])) {
            g_free(part->pool[i]);
        }
    }
    g_free(part->base);
    g_free(part->items);
    g_free(part);
}

uint32_t sim_partition_n_items(const SimPartition *part)
{
    return part->n_items;
}

unsigned sim_partition_class(const SimPartition *part, uint32_t item)
{
    return item_class(part, item);
}

uint8_t sim_partition_user(const SimPartition *part, uint32_t item)
{
    return part->items[item].user;
}

void sim_partition_set_user(SimPartition *part, uint32_t item, uint8_t user)
{
    part->items[item].user = user;
}

uint32_t sim_partition_count(const SimPartition *part, unsigned cls)
{
    return part->classes[cls].count;
}

void sim_partition_move(SimPartition *part, uint32_t item, unsigned to)
{
    g_assert(item < part->n_items && to < part->n_classes);
    unsigned from = item_class(part, item);
    if (from == to) {
        return;
    }
    class_remove(part, from, item);
    class_append(part, to, item);
}

uint32_t sim_partition_member(const SimPartition *part, unsigned cls, uint32_t index)
{
    g_assert(index < part->classes[cls].count);
    return slot_get(&part->classes[cls], index);
}

size_t sim_partition_bytes(const SimPartition *part)
{
    size_t bytes = sizeof(*part) + part->n_items * sizeof(PartItem);
    for (unsigned k = 0; k < part->n_classes; k++) {
        bytes += part->classes[k].cap * sizeof(uint32_t *);
    }
    return bytes + part->base_bytes + part->chunk_bytes;
}
