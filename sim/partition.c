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

struct SimPartition {
    uint32_t n_items;
    unsigned n_classes;
    uint8_t *cls;       /* class of each item */
    uint32_t *pos;      /* slot of each item within its class */
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
    part->pos[item] = c->count;
    part->cls[item] = (uint8_t)cls;
    c->count++;
}

/* Swap-with-last removal keeps the members dense; an emptied chunk goes back
 * to the pool so a class that shrinks gives its memory to the others. */
static void class_remove(SimPartition *part, unsigned cls, uint32_t item)
{
    PartClass *c = &part->classes[cls];
    uint32_t at = part->pos[item];
    uint32_t last = *slot(c, c->count - 1);
    *slot(c, at) = last;
    part->pos[last] = at;
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
    part->cls = g_new(uint8_t, n_items);
    part->pos = g_new(uint32_t, n_items);
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
    g_free(part->cls);
    g_free(part->pos);
    g_free(part);
}

uint32_t sim_partition_n_items(const SimPartition *part)
{
    return part->n_items;
}

unsigned sim_partition_class(const SimPartition *part, uint32_t item)
{
    return part->cls[item];
}

uint32_t sim_partition_count(const SimPartition *part, unsigned cls)
{
    return part->classes[cls].count;
}

void sim_partition_move(SimPartition *part, uint32_t item, unsigned to)
{
    g_assert(item < part->n_items && to < part->n_classes);
    unsigned from = part->cls[item];
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
    size_t bytes = sizeof(*part) + part->n_items * (sizeof(uint8_t) + sizeof(uint32_t));
    for (unsigned k = 0; k < part->n_classes; k++) {
        bytes += part->classes[k].cap * sizeof(uint32_t *);
    }
    return bytes + part->chunk_bytes;
}
