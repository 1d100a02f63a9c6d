#include "host/sharetab.h"

#include <stdbool.h>
#include <string.h>

#include "sim/bigalloc.h"

#define SHARETAB_MIN_SLOTS 1024u
/* Slots past the last home at the start: probes do not wrap around, so a
 * run near the end spills there; the last slot is always empty (it ends
 * every probe), and the overflow doubles when a key would take it. */
#define SHARETAB_PAD 64u
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

/*
 * Linear probing without wrap-around, so the table doubles in place: the
 * array grows (sim_big_grow0: mremap, no copy), and the entries of the old
 * homes are taken out and put back in order from slot 0. An entry whose new
 * home is its old one lands at or before its old slot, the ones before it
 * having left or landed earlier; an entry whose new home is in the new half
 * probes only entries already put back. So the old and the new table are
 * never both in memory: the peak is the table itself (docs/benchmarks.md,
 * issue 14).
 */
struct HostShareTable {
    ShareSlot *slots;
    uint64_t n_slots; /* homes: a power of two */
    uint64_t pad;     /* slots past the last home */
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

static uint64_t home_of(const HostShareTable *tab, uint64_t k)
{
    return mix(k) & (tab->n_slots - 1);
}

static uint64_t total_slots(const HostShareTable *tab)
{
    return tab->n_slots + tab->pad;
}

/* The slot of k, or the empty slot that ends its probe. */
static uint64_t find_slot(const HostShareTable *tab, uint64_t k)
{
    uint64_t i = home_of(tab, k);
    while (tab->slots[i].space != 0 && slot_packed(&tab->slots[i]) != k) {
        i++;
    }
    return i;
}

static void note_size(HostShareTable *tab)
{
    tab->peak_bytes = MAX(tab->peak_bytes, total_slots(tab) * sizeof(ShareSlot));
}

static void resize(HostShareTable *tab, uint64_t n_slots, uint64_t pad)
{
    size_t old_bytes = total_slots(tab) * sizeof(ShareSlot);
    tab->n_slots = n_slots;
    tab->pad = pad;
    tab->slots = sim_big_grow0(tab->slots, old_bytes, total_slots(tab) * sizeof(ShareSlot));
    note_size(tab);
}

/* Writes entry x, absent from the table, at the end of its probe. */
static ShareSlot *put(HostShareTable *tab, ShareSlot x)
{
    uint64_t i = find_slot(tab, slot_packed(&x));
    if (i == total_slots(tab) - 1) {
        resize(tab, tab->n_slots, 2 * tab->pad); /* the last slot stays empty */
    }
    tab->slots[i] = x;
    return &tab->slots[i];
}

HostShareTable *host_sharetab_new(void)
{
    HostShareTable *tab = g_new0(HostShareTable, 1);
    resize(tab, SHARETAB_MIN_SLOTS, SHARETAB_PAD);
    return tab;
}

void host_sharetab_free(HostShareTable *tab)
{
    if (tab == NULL) {
        return;
    }
    sim_big_free(tab->slots, total_slots(tab) * sizeof(ShareSlot));
    g_free(tab);
}

static void grow(HostShareTable *tab)
{
    uint64_t n = tab->n_slots;
    uint64_t end = total_slots(tab);
    /* the overflow past the old homes lies where new homes go: out first */
    g_autofree ShareSlot *spill = g_new(ShareSlot, tab->pad);
    uint64_t n_spill = 0;
    for (uint64_t i = n; i < end; i++) {
        if (tab->slots[i].space != 0) {
            spill[n_spill++] = tab->slots[i];
            tab->slots[i].space = 0;
        }
    }
    resize(tab, 2 * n, tab->pad);
    for (uint64_t i = 0; i < n; i++) {
        if (tab->slots[i].space != 0) {
            ShareSlot x = tab->slots[i];
            tab->slots[i].space = 0;
            put(tab, x);
        }
    }
    for (uint64_t i = 0; i < n_spill; i++) {
        put(tab, spill[i]);
    }
}

void host_sharetab_prefetch(const HostShareTable *tab, uint32_t domain, uint32_t key)
{
    __builtin_prefetch(&tab->slots[home_of(tab, pack(domain, key))], 1);
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
        slot = put(tab, (ShareSlot){.key = key, .space = domain + 1, .refs = 0});
        tab->used++;
    }
    g_assert(slot->refs < UINT32_MAX);
    return ++slot->refs;
}

/* Deleting from linear probing: shift the following run back so that no
 * key is left behind an empty slot (Knuth 6.4, algorithm R, without the
 * wrap-around: the run ends at an empty slot, the last one at the latest). */
static void erase(HostShareTable *tab, uint64_t i)
{
    tab->slots[i].space = 0;
    for (uint64_t j = i + 1; tab->slots[j].space != 0; j++) {
        uint64_t home = home_of(tab, slot_packed(&tab->slots[j]));
        if (home <= i) {
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
    return sizeof(*tab) + total_slots(tab) * sizeof(ShareSlot);
}

size_t host_sharetab_peak_bytes(const HostShareTable *tab)
{
    return MAX(tab->peak_bytes, total_slots(tab) * sizeof(ShareSlot));
}
