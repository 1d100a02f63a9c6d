#include "host/sharetab.h"

#include <stdbool.h>
#include <string.h>

#define SHARETAB_MIN_SLOTS 1024u
/* Grow beyond 70% full: linear probing stays short below that. */
#define SHARETAB_MAX_LOAD_NUM 7
#define SHARETAB_MAX_LOAD_DEN 10

struct HostShareTable {
    uint64_t *keys;   /* (domain + 1) << 32 | key; 0 = empty slot */
    uint32_t *refs;
    uint64_t n_slots; /* a power of two */
    uint64_t used;
};

static uint64_t pack(uint32_t domain, uint32_t key)
{
    return ((uint64_t)domain + 1) << 32 | key;
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
    while (tab->keys[i] != 0 && tab->keys[i] != k) {
        i = (i + 1) & mask;
    }
    return i;
}

static void alloc_slots(HostShareTable *tab, uint64_t n_slots)
{
    tab->n_slots = n_slots;
    tab->keys = g_new0(uint64_t, n_slots);
    tab->refs = g_new0(uint32_t, n_slots);
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
    g_free(tab->keys);
    g_free(tab->refs);
    g_free(tab);
}

static void grow(HostShareTable *tab)
{
    uint64_t *keys = tab->keys;
    uint32_t *refs = tab->refs;
    uint64_t n = tab->n_slots;
    alloc_slots(tab, 2 * n);
    for (uint64_t i = 0; i < n; i++) {
        if (keys[i] != 0) {
            uint64_t j = find_slot(tab, keys[i]);
            tab->keys[j] = keys[i];
            tab->refs[j] = refs[i];
        }
    }
    g_free(keys);
    g_free(refs);
}

uint32_t host_sharetab_get(const HostShareTable *tab, uint32_t domain, uint32_t key)
{
    uint64_t i = find_slot(tab, pack(domain, key));
    return tab->keys[i] != 0 ? tab->refs[i] : 0;
}

uint32_t host_sharetab_ref(HostShareTable *tab, uint32_t domain, uint32_t key)
{
    if ((tab->used + 1) * SHARETAB_MAX_LOAD_DEN > tab->n_slots * SHARETAB_MAX_LOAD_NUM) {
        grow(tab);
    }
    uint64_t k = pack(domain, key);
    uint64_t i = find_slot(tab, k);
    if (tab->keys[i] == 0) {
        tab->keys[i] = k;
        tab->refs[i] = 0;
        tab->used++;
    }
    g_assert(tab->refs[i] < UINT32_MAX);
    return ++tab->refs[i];
}

/* Deleting from linear probing: shift the following run back so that no
 * key is left behind an empty slot (Knuth 6.4, algorithm R). */
static void erase(HostShareTable *tab, uint64_t i)
{
    uint64_t mask = tab->n_slots - 1;
    uint64_t j = i;
    tab->keys[i] = 0;
    for (;;) {
        j = (j + 1) & mask;
        if (tab->keys[j] == 0) {
            break;
        }
        uint64_t home = mix(tab->keys[j]) & mask;
        bool between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (!between) {
            tab->keys[i] = tab->keys[j];
            tab->refs[i] = tab->refs[j];
            tab->keys[j] = 0;
            i = j;
        }
    }
    tab->used--;
}

uint32_t host_sharetab_unref(HostShareTable *tab, uint32_t domain, uint32_t key)
{
    uint64_t i = find_slot(tab, pack(domain, key));
    g_assert(tab->keys[i] != 0 && tab->refs[i] > 0);
    uint32_t left = --tab->refs[i];
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
    return sizeof(*tab) + tab->n_slots * (sizeof(uint64_t) + sizeof(uint32_t));
}
