#include "host/sharetab.h"

#include <stdbool.h>
#include <string.h>

#include "sim/bigalloc.h"

#define SHARETAB_MIN_SLOTS 1024u
/* Grow beyond 70% full: linear probing stays short below that. */
#define SHARETAB_MAX_LOAD_NUM 7
#define SHARETAB_MAX_LOAD_DEN 10

/* One slot: its key and its count side by side, so a lookup that finds
 * its key has the count in the same cache line (two arrays cost two
 * misses a reference). 12 bytes, 4-aligned. */
typedef struct ShareSlot {
    uint32_t key;
    uint32_t space; /* domain + 1; 0 = empty slot */
    uint32_t refs;
} ShareSlot;
G_STATIC_ASSERT(sizeof(ShareSlot) == 12);

struct HostShareTable {
    ShareSlot *slots;
    uint64_t n_slots; /* a power of two */
    uint64_t used;
    size_t peak_bytes;
};

static uint64_t pack(uint32_t domain, uint32_t key)
{
    return ((uint64_t)domain + 1) << 32 | key;
}

static uint64_t slot_packed(const ShareSlot *slot)
{
    return (uint64_t)slot->space << 32 | slot->key;
}

/* A 64-bit finaliser (splitmix64's): consecutive keys spread over slots. */
static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t find_slot(const HostShareTable *tab, uint64_t k)
{
    uint64_t mask = tab->n_slots - 1;
    uint64_t i = mix(k) & mask;
    while (tab->slots[i].space != 0 && slot_packed(&tab->slots[i]) != k) {
        i = (i + 1) & mask;
    }
    return i;
}

static void alloc_slots(HostShareTable *tab, uint64_t n_slots)
{
    tab->n_slots = n_slots;
    tab->slots = sim_big_alloc0(n_slots * sizeof(ShareSlot));
}

HostShareTable *host_sharetab_new(void)
{
    HostShareTable *tab = g_new0(HostShareTable, 1);
    alloc_slots(tab, SHARETAB_MIN_SLOTS);
    return tab;
}

void host_sharetab_free(HostShareTable *tab)
{
    if (tab == NULL) {
        return;
    }
    sim_big_free(tab->slots, tab->n_slots * sizeof(ShareSlot));
    g_free(tab);
}

static void grow(HostShareTable *tab)
{
    ShareSlot *old = tab->slots;
    uint64_t n = tab->n_slots;
    alloc_slots(tab, 2 * n);
    tab->peak_bytes = MAX(tab->peak_bytes, 3 * n * sizeof(ShareSlot));
    for (uint64_t i = 0; i < n; i++) {
        if (old[i].space != 0) {
            tab->slots[find_slot(tab, slot_packed(&old[i]))] = old[i];
        }
    }
    sim_big_free(old, n * sizeof(ShareSlot));
}

void host_sharetab_prefetch(const HostShareTable *tab, uint32_t domain, uint32_t key)
{
    __builtin_prefetch(&tab->slots[mix(pack(domain, key)) & (tab->n_slots - 1)], 1);
}

uint32_t host_sharetab_get(const HostShareTable *tab, uint32_t domain, uint32_t key)
{
    const ShareSlot *slot = &tab->slots[find_slot(tab, pack(domain, key))];
    return slot->space != 0 ? slot->refs : 0;
}

uint32_t host_sharetab_ref(HostShareTable *tab, uint32_t domain, uint32_t key)
{
    if ((tab->used + 1) * SHARETAB_MAX_LOAD_DEN > tab->n_slots * SHARETAB_MAX_LOAD_NUM) {
        grow(tab);
    }
    ShareSlot *slot = &tab->slots[find_slot(tab, pack(domain, key))];
    if (slot->space == 0) {
        *slot = (ShareSlot){.key = key, .space = domain + 1, .refs = 0};
        tab->used++;
    }
    g_assert(slot->refs < UINT32_MAX);
    return ++slot->refs;
}

/* Deleting from linear probing: shift the following run back so that no
 * key is left behind an empty slot (Knuth 6.4, algorithm R). */
static void erase(HostShareTable *tab, uint64_t i)
{
    uint64_t mask = tab->n_slots - 1;
    uint64_t j = i;
    tab->slots[i].space = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (tab->slots[j].space == 0) {
            break;
        }
        uint64_t home = mix(slot_packed(&tab->slots[j])) & mask;
        bool between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (!between) {
            tab->slots[i] = tab->slots[j];
            tab->slots[j].space = 0;
            i = j;
        }
    }
    tab->used--;
}

uint32_t host_sharetab_unref(HostShareTable *tab, uint32_t domain, uint32_t key)
{
    uint64_t i = find_slot(tab, pack(domain, key));
    g_assert(tab->slots[i].space != 0 && tab->slots[i].refs > 0);
    uint32_t left = --tab->slots[i].refs;
    if (left == 0) {
        erase(tab, i);
    }
    return left;
}

uint64_t host_sharetab_size(const HostShareTable *tab)
{
    return tab->used;
}

size_t host_sharetab_bytes(const HostShareTable *tab)
{
    return sizeof(*tab) + tab->n_slots * sizeof(ShareSlot);
}

size_t host_sharetab_peak_bytes(const HostShareTable *tab)
{
    return MAX(tab->peak_bytes, tab->n_slots * sizeof(ShareSlot));
}
