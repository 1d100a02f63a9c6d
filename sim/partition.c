#include "sim/partition.h"

#include "sim/bigalloc.h"

#include <stdbool.h>
#include <string.h>

/* 1024 slots = 3 or 4 KiB: big enough that chunk pointers cost little
 * (8 B per 1024 slots), small enough that the unused tails of the classes'
 * last chunks, up to 60 of them per VM, stay negligible (docs/benchmarks.md,
 * issue 14: 0.11 B per page at 4096 slots). */
#define CHUNK_SHIFT 10
#define CHUNK_SLOTS (1u << CHUNK_SHIFT)
G_STATIC_ASSERT(CHUNK_SLOTS == SIM_PARTITION_CHUNK_SLOTS);
#define CHUNK_MASK (CHUNK_SLOTS - 1)
/* A member slot holds an item number: 3 bytes while every item number and
 * index fits in 24 bits (a VM of up to 64 GiB at 4 KiB pages), 4 beyond. */
#define NARROW_MAX_ITEMS ((uint32_t)1 << 24)

typedef struct PartClass {
    uint32_t count;     /* members */
    uint32_t n_chunks;  /* chunks in use */
    uint32_t cap;       /* length of chunks[] */
    uint8_t **chunks;   /* member slots, CHUNK_SLOTS each */
} PartClass;

/*
 * Lazy start: every array is allocated zeroed (large zeroed allocations are
 * fresh pages the kernel maps on first touch), and stored values are
 * XOR-ed with their "initial" value, so an all-zero item means "in the
 * initial class, at slot = item" and an all-zero slot of the initial class
 * means "holds item = slot". Creating a VM then costs nothing per page; a
 * page costs memory and time only once the model touches it.
 */

/* Per item, one 64-bit word: from bit 0, the caller's bits (user_bits),
 * the class XOR the initial class (CLASS_BITS), then the slot within its
 * class XOR the item (the top bits, as many as item numbers need). The
 * caller's bits at the bottom read with a constant mask; a word never
 * straddles two cache lines. */
#define CLASS_BITS 6
G_STATIC_ASSERT(SIM_PARTITION_MAX_CLASSES <= (1u << CLASS_BITS));

/*
 * The member slots of all classes live in one arena of chunks, a single
 * zeroed mapping (huge pages, sim/bigalloc.c) per partition: a class holds
 * ceil(count / CHUNK_SLOTS) chunks, so all classes together never hold more
 * than ceil(n_items / CHUNK_SLOTS) + n_classes, and the arena has exactly
 * that many. The initial class starts with the first ones; a chunk a class
 * lets go goes on a free stack and is the next one taken (the most recently
 * touched memory first), and a chunk past the ones ever handed out is
 * touched only when taken. So the slots of one VM lie together, on few
 * huge pages, instead of in malloc's 4 KiB pages among everything else.
 */
struct SimPartition {
    uint32_t n_items;
    unsigned n_classes;
    unsigned initial;
    uint64_t *items;
    unsigned user_bits;   /* 64 - CLASS_BITS - the bits of an item number */
    unsigned pos_shift;   /* user_bits + CLASS_BITS */
    unsigned slot_bytes;  /* 3 or 4: the width of a member slot */
    uint32_t slot_mask;   /* its bits in a 4-byte load: 2^24 - 1 or 2^32 - 1 */
    size_t chunk_stride;  /* bytes of one chunk's slots */
    uint8_t *arena;       /* the chunks back to back, then the spare bytes */
    size_t arena_bytes;
    uint32_t n_arena;     /* chunks in the arena */
    uint32_t n_handed;    /* chunks handed out at least once: the first ones */
    uint32_t *free_chunks; /* a stack of free chunk numbers, below n_handed */
    uint32_t n_free;
    PartClass classes[SIM_PARTITION_MAX_CLASSES];
};

static uint8_t *chunk_get(SimPartition *part)
{
    uint32_t k = part->n_free > 0 ? part->free_chunks[--part->n_free] : part->n_handed++;
    g_assert(k < part->n_arena);
    return part->arena + k * part->chunk_stride;
}

static void chunk_put(SimPartition *part, uint8_t *chunk)
{
    part->free_chunks[part->n_free++] = (uint32_t)((size_t)(chunk - part->arena) / part->chunk_stride);
}

/* The fields of one word; `part` fields are read into locals by the
 * callers, since stores to items[] could alias them. */
static inline uint32_t word_pos(uint64_t w, unsigned pos_shift, uint32_t item)
{
    return (uint32_t)(w >> pos_shift) ^ item;
}

static inline unsigned word_class(uint64_t w, unsigned user_bits, unsigned initial)
{
    return ((unsigned)(w >> user_bits) & ((1u << CLASS_BITS) - 1)) ^ initial;
}

static inline uint64_t user_mask(unsigned user_bits)
{
    return ((uint64_t)1 << user_bits) - 1;
}

static inline unsigned item_class(const SimPartition *part, uint32_t item)
{
    return word_class(part->items[item], part->user_bits, part->initial);
}

/*
 * Slots of either width are read with one 4-byte load and a mask, so the
 * width costs no branch: a 3-byte slot's load takes the first byte of the
 * next slot too (the first byte of the next chunk in the arena, or past
 * the last chunk one of the arena's 4 - slot_bytes spare bytes, so no load
 * runs past it), and a store rewrites that byte with what it read. Stored
 * little-endian; the XOR with the index keeps the lazy start (item and
 * index both below 2^24 in a 3-byte slot). A slot's address: its chunk,
 * then its place in the chunk.
 */
static inline uint8_t *chunk_slot(uint8_t *const *chunks, uint32_t index, unsigned slot_bytes)
{
    return chunks[index >> CHUNK_SHIFT] + (size_t)(index & CHUNK_MASK) * slot_bytes;
}

static inline uint8_t *slot_at(const PartClass *c, uint32_t index, unsigned slot_bytes)
{
    return chunk_slot(c->chunks, index, slot_bytes);
}

static inline uint32_t load4(const uint8_t *at)
{
    uint32_t v;
    memcpy(&v, at, sizeof(v));
    return GUINT32_FROM_LE(v);
}

static inline void store4(uint8_t *at, uint32_t v)
{
    v = GUINT32_TO_LE(v);
    memcpy(at, &v, sizeof(v));
}

static inline uint32_t slot_get(const SimPartition *part, const PartClass *c, uint32_t index)
{
    return (load4(slot_at(c, index, part->slot_bytes)) & part->slot_mask) ^ index;
}

/* Stores item in the slot at `at` of index `index`, keeping the byte past
 * a 3-byte slot (slot_get's load takes it too). */
static inline void slot_store(uint8_t *at, uint32_t index, uint32_t item, uint32_t slot_mask)
{
    store4(at, (load4(at) & ~slot_mask) | ((item ^ index) & slot_mask));
}

/* A class that has just grown to a multiple of CHUNK_SLOTS needs a chunk
 * more; one that has shrunk below a chunk boundary gives its last back to
 * the arena, so a class that shrinks gives its memory to the others. */
static void class_grow(SimPartition *part, PartClass *c)
{
    if (c->n_chunks == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4;
        c->chunks = g_renew(uint8_t *, c->chunks, c->cap);
    }
    c->chunks[c->n_chunks++] = chunk_get(part);
}

static void class_shrink(SimPartition *part, PartClass *c)
{
    chunk_put(part, c->chunks[--c->n_chunks]);
}

/* Item, out of every class, becomes the last member of `to`, with its
 * record written once. */
static inline void append(SimPartition *part, uint32_t item, unsigned to, uint64_t user)
{
    const unsigned pos_shift = part->pos_shift;
    const unsigned slot_bytes = part->slot_bytes;
    const uint32_t slot_mask = part->slot_mask;
    const uint64_t class_bits = (uint64_t)(to ^ part->initial) << part->user_bits;
    PartClass *d = &part->classes[to];
    const uint32_t m = d->count;
    if ((m >> CHUNK_SHIFT) >= d->n_chunks) {
        class_grow(part, d);
    }
    slot_store(chunk_slot(d->chunks, m, slot_bytes), m, item, slot_mask);
    d->count = m + 1;
    part->items[item] = (uint64_t)(m ^ item) << pos_shift | class_bits | user;
}

/*
 * The move, on locals: a store through a slot (bytes) may alias anything,
 * so fields read from `part` after one would be read again; read once, they
 * are not. Swap-with-last removal keeps the members dense (the class's last
 * member takes the item's slot, and its record its new position); the item
 * is appended to its new class, its word written once.
 */
static void move_out_and_in(SimPartition *part, uint32_t item, uint64_t w, unsigned from,
                            unsigned to, uint64_t user)
{
    uint64_t *const items = part->items;
    const unsigned pos_shift = part->pos_shift;
    const unsigned slot_bytes = part->slot_bytes;
    const uint32_t slot_mask = part->slot_mask;
    const uint32_t at = word_pos(w, pos_shift, item);

    PartClass *c = &part->classes[from];
    const uint32_t n = c->count - 1; /* the last member's index */
    uint8_t *const *chunks = c->chunks;
    const uint32_t last = (load4(chunk_slot(chunks, n, slot_bytes)) & slot_mask) ^ n;
    slot_store(chunk_slot(chunks, at, slot_bytes), at, last, slot_mask);
    const uint64_t low = ~(~(uint64_t)0 << pos_shift);
    items[last] = (items[last] & low) | (uint64_t)(at ^ last) << pos_shift;
    c->count = n;
    if (((n + CHUNK_MASK) >> CHUNK_SHIFT) < c->n_chunks) {
        class_shrink(part, c);
    }

    append(part, item, to, user);
}

SimPartition *sim_partition_new(uint32_t n_items, unsigned n_classes, unsigned initial)
{
    g_assert(n_classes > 0 && n_classes <= SIM_PARTITION_MAX_CLASSES && initial < n_classes);
    SimPartition *part = g_new0(SimPartition, 1);
    part->n_items = n_items;
    part->n_classes = n_classes;
    part->initial = initial;
    /* slots and items both lie in 0 .. n_items - 1 */
    part->user_bits = 64 - CLASS_BITS - g_bit_storage(n_items > 0 ? n_items - 1 : 0);
    part->pos_shift = part->user_bits + CLASS_BITS;
    /* chosen once: every slot of the partition has the same width */
    part->slot_bytes = n_items <= NARROW_MAX_ITEMS ? 3 : 4;
    part->slot_mask = part->slot_bytes == 3 ? NARROW_MAX_ITEMS - 1 : UINT32_MAX;
    part->chunk_stride = (size_t)CHUNK_SLOTS * part->slot_bytes;
    /* never grown: huge pages only where the records fill them */
    size_t items_bytes = (size_t)n_items * sizeof(uint64_t);
    part->items = sim_big_alloc0_hot(items_bytes, items_bytes);
    PartClass *c = &part->classes[initial];
    c->n_chunks = c->cap = (n_items + CHUNK_MASK) >> CHUNK_SHIFT;
    c->count = n_items;
    part->n_arena = c->n_chunks + n_classes;
    part->n_handed = c->n_chunks;
    part->arena_bytes = part->n_arena * part->chunk_stride + (4 - part->slot_bytes);
    /* huge pages for the initial chunks: the reserve past them is touched
     * chunk by chunk, if at all */
    part->arena = sim_big_alloc0_hot(part->arena_bytes, part->n_handed * part->chunk_stride);
    part->free_chunks = g_new(uint32_t, part->n_arena);
    c->chunks = g_new(uint8_t *, c->cap);
    for (uint32_t i = 0; i < c->n_chunks; i++) {
        c->chunks[i] = part->arena + i * part->chunk_stride;
    }
    return part;
}

void sim_partition_free(SimPartition *part)
{
    if (part == NULL) {
        return;
    }
    for (unsigned k = 0; k < part->n_classes; k++) {
        g_free(part->classes[k].chunks);
    }
    g_free(part->free_chunks);
    sim_big_free(part->arena, part->arena_bytes);
    sim_big_free(part->items, (size_t)part->n_items * sizeof(uint64_t));
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

unsigned sim_partition_user_bits(const SimPartition *part)
{
    return part->user_bits;
}

uint64_t sim_partition_user(const SimPartition *part, uint32_t item)
{
    return part->items[item] & user_mask(part->user_bits);
}

void sim_partition_set_user(SimPartition *part, uint32_t item, uint64_t user)
{
    uint64_t mask = user_mask(part->user_bits);
    g_assert((user & ~mask) == 0);
    part->items[item] = (part->items[item] & ~mask) | user;
}

uint32_t sim_partition_count(const SimPartition *part, unsigned cls)
{
    return part->classes[cls].count;
}

void sim_partition_move(SimPartition *part, uint32_t item, unsigned to)
{
    g_assert(item < part->n_items);
    sim_partition_move_user(part, item, to, sim_partition_user(part, item));
}

void sim_partition_move_user(SimPartition *part, uint32_t item, unsigned to, uint64_t user)
{
    g_assert(item < part->n_items && to < part->n_classes);
    const unsigned user_bits = part->user_bits;
    uint64_t w = part->items[item];
    unsigned from = word_class(w, user_bits, part->initial);
    if (from == to) {
        part->items[item] = (w & ~user_mask(user_bits)) | user;
        return;
    }
    move_out_and_in(part, item, w, from, to, user);
}

void sim_partition_move_class(SimPartition *part, unsigned from, SimPartitionDest dest, void *data)
{
    g_assert(from < part->n_classes);
    PartClass *c = &part->classes[from];
    uint32_t left = c->count;
    /* its chunks go back first: its members' new classes take them */
    while (c->n_chunks > 0) {
        class_shrink(part, c);
    }
    c->count = 0;
    const unsigned user_bits = part->user_bits;
    for (uint32_t item = 0; left > 0; item++) {
        uint64_t w = part->items[item];
        if (word_class(w, user_bits, part->initial) != from) {
            continue;
        }
        left--;
        uint64_t user = w & user_mask(user_bits);
        unsigned to = dest(item, &user, data);
        g_assert(to != from && to < part->n_classes && (user & ~user_mask(user_bits)) == 0);
        append(part, item, to, user);
    }
}

uint32_t sim_partition_member(const SimPartition *part, unsigned cls, uint32_t index)
{
    g_assert(index < part->classes[cls].count);
    return slot_get(part, &part->classes[cls], index);
}

void sim_partition_prefetch_item(const SimPartition *part, uint32_t item)
{
    /* for writing: a moved item's record is rewritten */
    __builtin_prefetch(&part->items[item], 1);
}

void sim_partition_prefetch_member(const SimPartition *part, unsigned cls, uint32_t index)
{
    const PartClass *c = &part->classes[cls];
    if (index >= c->count) {
        return; /* a stale hint: there is no such slot now */
    }
    __builtin_prefetch(slot_at(c, index, part->slot_bytes), 1);
}

size_t sim_partition_bytes(const SimPartition *part)
{
    size_t bytes = sizeof(*part) + part->n_items * sizeof(uint64_t) +
                   part->n_arena * sizeof(uint32_t);
    for (unsigned k = 0; k < part->n_classes; k++) {
        bytes += part->classes[k].cap * sizeof(uint8_t *);
    }
    /* the arena's chunks past the ones ever handed out are never touched */
    return bytes + part->n_handed * part->chunk_stride + (4 - part->slot_bytes);
}
