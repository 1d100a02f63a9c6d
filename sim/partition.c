#include "sim/partition.h"

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

/* Per item: slot within its class (4 B, unaligned), class, caller's byte. */
typedef struct PartItem {
    uint8_t pos[4];
    uint8_t cls;
    uint8_t user;
} PartItem;

struct SimPartition {
    uint32_t n_items;
    unsigned n_classes;
    PartItem *items;
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

static void chunk_put(SimPartition *part, uint32_t *chunk)
{
    if (part->n_pool < POOL_KEEP) {
        part->pool[part->n_pool++] = chunk;
        return;
    }
    part->chunk_bytes -= CHUNK_SLOTS * sizeof(uint32_t);
    g_free(chunk);
}

static inline uint32_t item_pos(const SimPartition *part, uint32_t item)
{
    uint32_t pos;
    memcpy(&pos, part->items[item].pos, sizeof(pos));
    return pos;
}

static inline void item_set_pos(SimPartition *part, uint32_t item, uint32_t pos)
{
    memcpy(part->items[item].pos, &pos, sizeof(pos));
}

static inline uint32_t *slot(const PartClass *c, uint32_t index)
{
    return &c->chunks[index >> CHUNK_SHIFT][index & CHUNK_MASK];
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
    *slot(c, c->count) = item;
    item_set_pos(part, item, c->count);
    part->items[item].cls = (uint8_t)cls;
    c->count++;
}

/* Swap-with-last removal keeps the members dense; an emptied chunk goes back
 * to the pool so a class that shrinks gives its memory to the others. */
static void class_remove(SimPartition *part, unsigned cls, uint32_t item)
{
    PartClass *c = &part->classes[cls];
    uint32_t at = item_pos(part, item);
    uint32_t last = *slot(c, c->count - 1);
    *slot(c, at) = last;
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
    part->items = g_new0(PartItem, n_items);
    for (uint32_t i = 0; i < n_items; i++) {
        class_append(part, initial, i);
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
            g_free(part->classes[k].chunks[i]);
        }
        g_free(part->classes[k].chunks);
    }
    for (unsigned i = 0; i < part->n_pool; i++) {
        g_free(part->pool[i]);
    }
    g_free(part->items);
    g_free(part);
}

uint32_t sim_partition_n_items(const SimPartition *part)
{
    return part->n_items;
}

unsigned sim_partition_class(const SimPartition *part, uint32_t item)
{
    return part->items[item].cls;
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
    unsigned from = part->items[item].cls;
    if (from == to) {
        return;
    }
    class_remove(part, from, item);
    class_append(part, to, item);
}

uint32_t sim_partition_member(const SimPartition *part, unsigned cls, uint32_t index)
{
    g_assert(index < part->classes[cls].count);
    return *slot(&part->classes[cls], index);
}

size_t sim_partition_bytes(const SimPartition *part)
{
    size_t bytes = sizeof(*part) + part->n_items * sizeof(PartItem);
    for (unsigned k = 0; k < part->n_classes; k++) {
        bytes += part->classes[k].cap * sizeof(uint32_t *);
    }
    return bytes + part->chunk_bytes;
}
