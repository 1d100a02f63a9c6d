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

/*
 * One slot is one 64-bit word, so a lookup that finds its key has the count
 * in the same cache line (two arrays cost two misses a reference), in 8
 * bytes a slot instead of 12: the content key in the low 32 bits, the space
 * + 1 (0 = empty slot) in the next space_bits, the reference count in the
 * rest. The (space, key) bits are pack()'s value, the table's key. A count
 * that does not fit stays at the field's largest value (refs_max), and its
 * true count lives in a side table while it is refs_max or more: only the
 * zero pages of a domain reach it in practice (8 M references with 23 bits
 * at 128 VMs), so the side table holds a few entries.
 */
typedef uint64_t ShareSlot;
G_STATIC_ASSERT(sizeof(ShareSlot) == 8);

#define SHARETAB_KEY_BITS 32u
/* The most bits space + 1 may take: one bit at least is left for the count. */
#define SHARETAB_MAX_SPACE_BITS 31u

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
    uint32_t n_spaces;
    unsigned refs_shift; /* 32 + space_bits: where the count starts */
    uint64_t id_mask;    /* the (space, key) bits of a slot */
    uint32_t refs_max;   /* the count field's largest value: saturated */
    GHashTable *big;     /* pack() -> true count, for counts >= refs_max */
};

static uint64_t pack(uint32_t domain, uint32_t key)
{
    return ((uint64_t)domain + 1) << SHARETAB_KEY_BITS | key;
}

static uint64_t slot_packed(const HostShareTable *tab, ShareSlot slot)
{
    return slot & tab->id_mask;
}

static uint32_t slot_refs(const HostShareTable *tab, ShareSlot slot)
{
    return (uint32_t)(slot >> tab->refs_shift);
}

static ShareSlot with_refs(const HostShareTable *tab, ShareSlot slot, uint32_t refs)
{
    return slot_packed(tab, slot) | (uint64_t)refs << tab->refs_shift;
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

/* The slot of k, or the empty slot (0) that ends its probe. */
static uint64_t find_slot(const HostShareTable *tab, uint64_t k)
{
    uint64_t i = home_of(tab, k);
    while (tab->slots[i] != 0 && slot_packed(tab, tab->slots[i]) != k) {
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
static uint64_t put(HostShareTable *tab, ShareSlot x)
{
    uint64_t i = find_slot(tab, slot_packed(tab, x));
    if (i == total_slots(tab) - 1) {
        resize(tab, tab->n_slots, 2 * tab->pad); /* the last slot stays empty */
    }
    tab->slots[i] = x;
    return i;
}

HostShareTable *host_sharetab_new(uint32_t n_spaces)
{
    /* space + 1 goes up to n_spaces; 0 marks an empty slot */
    unsigned space_bits = g_bit_storage(n_spaces);
    if (space_bits > SHARETAB_MAX_SPACE_BITS) {
        g_error("host_sharetab_new: %u spaces leave no bit for a count", n_spaces);
    }
    HostShareTable *tab = g_new0(HostShareTable, 1);
    tab->n_spaces = n_spaces;
    tab->refs_shift = SHARETAB_KEY_BITS + space_bits;
    tab->id_mask = ((uint64_t)1 << tab->refs_shift) - 1;
    tab->refs_max = (uint32_t)(((uint64_t)1 << (64 - tab->refs_shift)) - 1);
    tab->big = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    resize(tab, SHARETAB_MIN_SLOTS, SHARETAB_PAD);
    return tab;
}

void host_sharetab_free(HostShareTable *tab)
{
    if (tab == NULL) {
        return;
    }
    sim_big_free(tab->slots, total_slots(tab) * sizeof(ShareSlot));
    g_hash_table_destroy(tab->big);
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
        if (tab->slots[i] != 0) {
            spill[n_spill++] = tab->slots[i];
            tab->slots[i] = 0;
        }
    }
    resize(tab, 2 * n, tab->pad);
    for (uint64_t i = 0; i < n; i++) {
        if (tab->slots[i] != 0) {
            ShareSlot x = tab->slots[i];
            tab->slots[i] = 0;
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

/* The true count of a saturated entry; the entry's address is its key's,
 * so the side table is a set looked up by key (g_int64_hash reads the
 * first 8 bytes) and a count changes in place, without an allocation. */
typedef struct BigCount {
    uint64_t key; /* pack() */
    uint32_t refs;
} BigCount;

static BigCount *big_count(const HostShareTable *tab, uint64_t k)
{
    BigCount *big = g_hash_table_lookup(tab->big, &k);
    if (big == NULL) {
        g_error("host_sharetab: a saturated count without its true count");
    }
    return big;
}

uint32_t host_sharetab_get(const HostShareTable *tab, uint32_t domain, uint32_t key)
{
    uint64_t k = pack(domain, key);
    ShareSlot slot = tab->slots[find_slot(tab, k)];
    if (slot == 0) {
        return 0;
    }
    uint32_t refs = slot_refs(tab, slot);
    return refs < tab->refs_max ? refs : big_count(tab, k)->refs;
}

/* One more reference to the entry k in slot i, whose count is refs_max - 1
 * or more: the count saturates in the slot and goes on in the side table. */
static uint32_t ref_big(HostShareTable *tab, uint64_t i, uint64_t k)
{
    if (slot_refs(tab, tab->slots[i]) == tab->refs_max) {
        BigCount *big = big_count(tab, k);
        g_assert(big->refs < UINT32_MAX);
        return ++big->refs;
    }
    tab->slots[i] = with_refs(tab, tab->slots[i], tab->refs_max);
    BigCount *big = g_new(BigCount, 1);
    *big = (BigCount){.key = k, .refs = tab->refs_max};
    g_hash_table_add(tab->big, big);
    return big->refs;
}

uint32_t host_sharetab_ref(HostShareTable *tab, uint32_t domain, uint32_t key)
{
    if ((tab->used + 1) * SHARETAB_MAX_LOAD_DEN > tab->n_slots * SHARETAB_MAX_LOAD_NUM) {
        grow(tab);
    }
    uint64_t k = pack(domain, key);
    uint64_t i = find_slot(tab, k);
    if (tab->slots[i] == 0) {
        g_assert(domain < tab->n_spaces);
        i = put(tab, k);
        tab->used++;
    }
    uint32_t refs = slot_refs(tab, tab->slots[i]);
    if (refs >= tab->refs_max - 1) {
        return ref_big(tab, i, k);
    }
    tab->slots[i] += (uint64_t)1 << tab->refs_shift;
    return refs + 1;
}

/* Deleting from linear probing: shift the following run back so that no
 * key is left behind an empty slot (Knuth 6.4, algorithm R, without the
 * wrap-around: the run ends at an empty slot, the last one at the latest).
 * The side table is keyed by contents, not slots: moves leave it alone. */
static void erase(HostShareTable *tab, uint64_t i)
{
    tab->slots[i] = 0;
    for (uint64_t j = i + 1; tab->slots[j] != 0; j++) {
        uint64_t home = home_of(tab, slot_packed(tab, tab->slots[j]));
        if (home <= i) {
            tab->slots[i] = tab->slots[j];
            tab->slots[j] = 0;
            i = j;
        }
    }
    tab->used--;
}

/* One reference less to the saturated entry k in slot i: below refs_max,
 * the count goes back into the slot and leaves the side table. */
static uint32_t unref_big(HostShareTable *tab, uint64_t i, uint64_t k)
{
    BigCount *big = big_count(tab, k);
    uint32_t left = --big->refs;
    if (left < tab->refs_max) {
        g_hash_table_remove(tab->big, &k);
        tab->slots[i] = with_refs(tab, tab->slots[i], left);
    }
    return left;
}

uint32_t host_sharetab_unref(HostShareTable *tab, uint32_t domain, uint32_t key)
{
    uint64_t k = pack(domain, key);
    uint64_t i = find_slot(tab, k);
    g_assert(tab->slots[i] != 0);
    uint32_t refs = slot_refs(tab, tab->slots[i]);
    uint32_t left = 0;
    if (refs == tab->refs_max) {
        left = unref_big(tab, i, k);
    } else {
        g_assert(refs > 0);
        tab->slots[i] -= (uint64_t)1 << tab->refs_shift;
        left = refs - 1;
    }
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
