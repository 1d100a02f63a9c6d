#include "guest/pages.h"

static const char *const use_names[GUEST_USE_MAX] = {
    "free", "kernel", "anon_active", "anon_inactive", "cache_active", "cache_inactive", "balloon",
};

static const char *const backing_names[GUEST_BACK_MAX] = {
    "none", "private", "shared", "zip", "swap", "cache_swap",
};

const char *guest_use_to_string(GuestUse use)
{
    return use < GUEST_USE_MAX ? use_names[use] : "?";
}

const char *guest_backing_to_string(GuestBacking backing)
{
    return backing < GUEST_BACK_MAX ? backing_names[backing] : "?";
}

GuestPages *guest_pages_new(uint32_t n_pages)
{
    GuestPages *pages = g_new0(GuestPages, 1);
    pages->n = n_pages;
    pages->key = g_new0(uint32_t, n_pages);
    pages->lists = sim_partition_new(n_pages, GUEST_USE_MAX * GUEST_RES_MAX,
                                     GUEST_USE_FREE * GUEST_RES_MAX + GUEST_RES_NONE);
    pages->count[GUEST_USE_FREE][GUEST_BACK_NONE] = n_pages;
    return pages;
}

void guest_pages_free(GuestPages *pages)
{
    if (pages == NULL) {
        return;
    }
    sim_partition_free(pages->lists);
    g_free(pages->key);
    g_free(pages);
}

/* Writes the flags and moves p to the class they and its use give. */
static void place(GuestPages *pages, uint32_t p, GuestUse use, unsigned flags)
{
    sim_partition_set_user(pages->lists, p, (uint8_t)flags);
    GuestResidency res = guest_backing_residency_flags((GuestBacking)(flags & 0x7u), flags);
    sim_partition_move(pages->lists, p, (unsigned)use * GUEST_RES_MAX + res);
}

void guest_pages_set(GuestPages *pages, uint32_t p, GuestUse use, GuestBacking backing)
{
    GuestUse old_use = guest_pages_use(pages, p);
    GuestBacking old_back = guest_pages_backing(pages, p);
    pages->moves++;
    pages->count[old_use][old_back]--;
    pages->count[use][backing]++;
    unsigned flags = sim_partition_user(pages->lists, p);
    if (backing != GUEST_BACK_PRIVATE) {
        /* large and fresh describe private frames only */
        flags &= ~(GUEST_FLAG_LARGE | GUEST_FLAG_FRESH);
    } else if (old_back != GUEST_BACK_PRIVATE) {
        /* a new private frame: the scan has not seen it yet */
        flags &= ~GUEST_FLAG_LARGE;
        flags = pages->key[p] != GUEST_KEY_UNIQUE ? flags | GUEST_FLAG_FRESH
                                                  : flags & ~GUEST_FLAG_FRESH;
    }
    place(pages, p, use, (flags & ~0x7u) | (unsigned)backing);
}

void guest_pages_set_large(GuestPages *pages, uint32_t p, bool large)
{
    unsigned flags = sim_partition_user(pages->lists, p);
    g_assert((flags & 0x7u) == GUEST_BACK_PRIVATE);
    flags = large ? flags | GUEST_FLAG_LARGE : flags & ~GUEST_FLAG_LARGE;
    place(pages, p, guest_pages_use(pages, p), flags);
}

void guest_pages_set_key(GuestPages *pages, uint32_t p, uint32_t key)
{
    pages->key[p] = key;
    unsigned flags = sim_partition_user(pages->lists, p);
    if ((flags & 0x7u) == GUEST_BACK_PRIVATE) {
        flags = key != GUEST_KEY_UNIQUE ? flags | GUEST_FLAG_FRESH : flags & ~GUEST_FLAG_FRESH;
        place(pages, p, guest_pages_use(pages, p), flags);
    }
}

uint32_t guest_pages_count_use(const GuestPages *pages, GuestUse use)
{
    uint32_t n = 0;
    for (int b = 0; b < GUEST_BACK_MAX; b++) {
        n += pages->count[use][b];
    }
    return n;
}

uint32_t guest_pages_count_backing(const GuestPages *pages, GuestBacking backing)
{
    uint32_t n = 0;
    for (int u = 0; u < GUEST_USE_MAX; u++) {
        n += pages->count[u][backing];
    }
    return n;
}

static uint32_t last_member(const GuestPages *pages, unsigned cls)
{
    uint32_t n = sim_partition_count(pages->lists, cls);
    return n == 0 ? GUEST_NO_PAGE : sim_partition_member(pages->lists, cls, n - 1);
}

uint32_t guest_pages_pick(const GuestPages *pages, GuestUse use, GuestResidency res)
{
    return last_member(pages, (unsigned)use * GUEST_RES_MAX + res);
}

uint32_t guest_pages_pick_free(const GuestPages *pages)
{
    static const GuestResidency order[] = {GUEST_RES_IN,     GUEST_RES_FRESH, GUEST_RES_LARGE,
                                           GUEST_RES_SHARED, GUEST_RES_NONE,  GUEST_RES_OUT};
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        uint32_t p = guest_pages_pick(pages, GUEST_USE_FREE, order[i]);
        if (p != GUEST_NO_PAGE) {
            return p;
        }
    }
    return GUEST_NO_PAGE;
}

/* Picks one class among `classes` weighted by size, then a member (the last
 * one, or a uniformly random one): O(number of classes). */
static uint32_t pick_union(const GuestPages *pages, SimRng *rng, const unsigned *classes,
                           unsigned n_classes, bool random_member)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < n_classes; i++) {
        total += sim_partition_count(pages->lists, classes[i]);
    }
    if (total == 0) {
        return GUEST_NO_PAGE;
    }
    uint64_t r = sim_rng_below(rng, total);
    for (unsigned i = 0; i < n_classes; i++) {
        uint32_t n = sim_partition_count(pages->lists, classes[i]);
        if (r < n) {
            return sim_partition_member(pages->lists, classes[i], random_member ? (uint32_t)r : n - 1);
        }
        r -= n;
    }
    g_assert_not_reached();
}

uint32_t guest_pages_pick_use(const GuestPages *pages, SimRng *rng, GuestUse use)
{
    unsigned classes[GUEST_RES_MAX];
    for (unsigned r = 0; r < GUEST_RES_MAX; r++) {
        classes[r] = (unsigned)use * GUEST_RES_MAX + r;
    }
    return pick_union(pages, rng, classes, GUEST_RES_MAX, false);
}

uint32_t guest_pages_pick_res(const GuestPages *pages, SimRng *rng, GuestResidency res)
{
    unsigned classes[GUEST_USE_MAX];
    for (unsigned u = 0; u < GUEST_USE_MAX; u++) {
        classes[u] = u * GUEST_RES_MAX + res;
    }
    return pick_union(pages, rng, classes, GUEST_USE_MAX, true);
}

uint32_t guest_pages_pick_private(const GuestPages *pages, SimRng *rng)
{
    unsigned classes[3 * GUEST_USE_MAX];
    static const GuestResidency kinds[] = {GUEST_RES_IN, GUEST_RES_FRESH, GUEST_RES_LARGE};
    for (unsigned u = 0; u < GUEST_USE_MAX; u++) {
        for (unsigned k = 0; k < 3; k++) {
            classes[3 * u + k] = u * GUEST_RES_MAX + kinds[k];
        }
    }
    return pick_union(pages, rng, classes, 3 * GUEST_USE_MAX, true);
}

uint32_t guest_pages_count_res_all(const GuestPages *pages, GuestResidency res)
{
    uint32_t n = 0;
    for (unsigned u = 0; u < GUEST_USE_MAX; u++) {
        n += guest_pages_count_res(pages, (GuestUse)u, res);
    }
    return n;
}

bool guest_pages_check(const GuestPages *pages, GString *why)
{
    uint64_t total = 0;
    for (unsigned u = 0; u < GUEST_USE_MAX; u++) {
        uint32_t by_res[GUEST_RES_MAX] = {0};
        uint32_t listed_res[GUEST_RES_MAX] = {0};
        for (unsigned b = 0; b < GUEST_BACK_MAX; b++) {
            by_res[guest_backing_residency((GuestBacking)b)] += pages->count[u][b];
            total += pages->count[u][b];
        }
        for (unsigned r = 0; r < GUEST_RES_MAX; r++) {
            listed_res[r] = guest_pages_count_res(pages, (GuestUse)u, (GuestResidency)r);
        }
        /* private frames are listed by kind; the counters have them as one */
        listed_res[GUEST_RES_IN] += listed_res[GUEST_RES_FRESH] + listed_res[GUEST_RES_LARGE];
        listed_res[GUEST_RES_FRESH] = listed_res[GUEST_RES_LARGE] = 0;
        for (unsigned r = 0; r < GUEST_RES_MAX; r++) {
            uint32_t listed = listed_res[r];
            if (listed != by_res[r]) {
                g_string_append_printf(why, "%s pages with residency %u: counters %u, lists %u; ",
                                       guest_use_to_string((GuestUse)u), r, by_res[r], listed);
                return false;
            }
        }
    }
    if (total != pages->n) {
        g_string_append_printf(why, "pages by state sum to %" G_GUINT64_FORMAT ", configured %u; ",
                               total, pages->n);
        return false;
    }
    if (pages->count[GUEST_USE_BALLOON][GUEST_BACK_NONE] !=
        guest_pages_count_use(pages, GUEST_USE_BALLOON)) {
        g_string_append(why, "a ballooned page is backed; ");
        return false;
    }
    return true;
}

size_t guest_pages_bytes(const GuestPages *pages)
{
    return sizeof(*pages) + pages->n * sizeof(uint32_t) + sim_partition_bytes(pages->lists);
}
