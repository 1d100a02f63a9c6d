#include "host/pages.h"

#include "sim/bigalloc.h"

static const char *const use_names[HOST_USE_MAX] = {
    "free", "kernel", "anon_active", "anon_inactive", "cache_active", "cache_inactive", "balloon",
    "anon_warm", "standby", "cache_warm",
};

static const char *const backing_names[HOST_BACK_MAX] = {
    "none", "private", "shared", "zip", "swap", "cache_swap",
};

/* Every (use, residency) pair is a class of the partition. */
G_STATIC_ASSERT(HOST_USE_MAX * HOST_RES_MAX <= SIM_PARTITION_MAX_CLASSES);

const char *host_use_to_string(HostUse use)
{
    return use < HOST_USE_MAX ? use_names[use] : "?";
}

const char *host_backing_to_string(HostBacking backing)
{
    return backing < HOST_BACK_MAX ? backing_names[backing] : "?";
}

HostPages *host_pages_new(uint32_t n_pages)
{
    HostPages *pages = g_new0(HostPages, 1);
    pages->n = n_pages;
    pages->lists = sim_partition_new(n_pages, HOST_USE_MAX * HOST_RES_MAX,
                                     HOST_USE_FREE * HOST_RES_MAX + HOST_RES_NONE);
    pages->count[HOST_USE_FREE][HOST_BACK_NONE] = n_pages;
    pages->by_use[HOST_USE_FREE] = n_pages;
    pages->by_backing[HOST_BACK_NONE] = n_pages;
    return pages;
}

void host_pages_free(HostPages *pages)
{
    if (pages == NULL) {
        return;
    }
    sim_partition_free(pages->lists);
    sim_big_free(pages->wide_key, (size_t)pages->n * sizeof(uint32_t));
    g_free(pages);
}

/* Writes the record's user bits (flags in the low byte) and moves p to
 * the class they and its use give. */
static void place_user(HostPages *pages, uint32_t p, HostUse use, uint64_t user)
{
    unsigned flags = (unsigned)(user & 0xffu);
    HostResidency res = host_backing_residency_flags((HostBacking)(flags & 0x7u), flags);
    sim_partition_move_user(pages->lists, p, (unsigned)use * HOST_RES_MAX + res, user);
}

/* Writes the flags and moves p to the class they and its use give. */
static void place(HostPages *pages, uint32_t p, HostUse use, unsigned flags)
{
    uint64_t user = sim_partition_user(pages->lists, p);
    place_user(pages, p, use, (user & ~(uint64_t)0xff) | flags);
}

/* The key's code (host_pages_key), or UINT64_MAX when it needs more bits
 * than the record has. The model's keys index at most the VM's pages
 * (guest/guest.c), so with 2^24 pages or fewer every key fits. */
static uint64_t key_code(const HostPages *pages, uint32_t key)
{
    uint64_t code;
    if (key == 0) {
        code = 0;
    } else if (key == HOST_KEY_UNIQUE) {
        code = 1;
    } else if (key < HOST_KEY_DUP_BASE) {
        code = (uint64_t)(key - HOST_KEY_IMAGE_BASE) << 2 | 2;
    } else {
        code = (uint64_t)(key - HOST_KEY_DUP_BASE) << 2 | 3;
    }
    return code >> (sim_partition_user_bits(pages->lists) - 8) == 0 ? code : UINT64_MAX;
}

/* From here on every key lives in its own array: a key too large for its
 * code came (a VM of more than 2^24 pages). Costs 4 B a page more. */
static void widen_keys(HostPages *pages)
{
    uint32_t *wide = sim_big_alloc0((size_t)pages->n * sizeof(uint32_t));
    for (uint32_t p = 0; p < pages->n; p++) {
        if ((sim_partition_user(pages->lists, p) >> 8) != 0) {
            wide[p] = host_pages_key(pages, p);
        }
    }
    pages->wide_key = wide;
}

/* The flags of a page with new contents: a private page is FRESH when
 * they can be shared, scanned (IN) when they cannot. */
static unsigned content_flags(unsigned flags, uint32_t key)
{
    if ((flags & 0x7u) != HOST_BACK_PRIVATE) {
        return flags;
    }
    return key != HOST_KEY_UNIQUE ? flags | HOST_FLAG_FRESH : flags & ~HOST_FLAG_FRESH;
}

/* The record's user bits with the key's code for `key`, or the key in the
 * wide array (the code bits then unused). */
static uint64_t with_key(HostPages *pages, uint32_t p, uint64_t user, uint32_t key)
{
    if (pages->wide_key == NULL) {
        uint64_t code = key_code(pages, key);
        if (code != UINT64_MAX) {
            return (user & 0xff) | code << 8;
        }
        widen_keys(pages);
    }
    pages->wide_key[p] = key;
    return user;
}

/* The record's user bits `user` with new contents: the key's code (or the
 * key in the wide array), FRESH as host_pages_set_key gives it, and the
 * compressibility. */
static uint64_t content_user(HostPages *pages, uint32_t p, uint64_t user, const HostContent *c)
{
    user = with_key(pages, p, user, c->key);
    unsigned flags = content_flags((unsigned)(user & 0xffu), c->key);
    flags = (flags & ~0x18u) | (unsigned)c->zip << 3;
    return (user & ~(uint64_t)0xff) | flags;
}

/* host_pages_set, with `extra` flags added to the ones it gives, then new
 * contents `c` (NULL: the same) in the same move. */
static void set_state(HostPages *pages, uint32_t p, HostUse use, HostBacking backing,
                      unsigned extra, const HostContent *c)
{
    HostUse old_use = host_pages_use(pages, p);
    uint64_t user = sim_partition_user(pages->lists, p);
    unsigned flags = (unsigned)(user & 0xffu);
    HostBacking old_back = (HostBacking)(flags & 0x7u);
    pages->moves++;
    if (use == old_use && backing == old_back && extra == 0) {
        /* a touch of a page in place: large and fresh stay as they are */
        if (c != NULL) {
            place_user(pages, p, use, content_user(pages, p, user, c));
        }
        return;
    }
    pages->count[old_use][old_back]--;
    pages->count[use][backing]++;
    pages->by_use[old_use]--;
    pages->by_use[use]++;
    pages->by_backing[old_back]--;
    pages->by_backing[backing]++;
    if (backing != HOST_BACK_PRIVATE) {
        /* large and fresh describe private frames only */
        flags &= ~(HOST_FLAG_LARGE | HOST_FLAG_FRESH);
    } else if (old_back != HOST_BACK_PRIVATE) {
        /* a new private frame: the scan has not seen it yet */
        flags &= ~HOST_FLAG_LARGE;
        flags = host_pages_key(pages, p) != HOST_KEY_UNIQUE ? flags | HOST_FLAG_FRESH
                                                            : flags & ~HOST_FLAG_FRESH;
    }
    user = (user & ~(uint64_t)0xff) | (flags & ~0x7u) | (unsigned)backing | extra;
    place_user(pages, p, use, c != NULL ? content_user(pages, p, user, c) : user);
}

void host_pages_set(HostPages *pages, uint32_t p, HostUse use, HostBacking backing)
{
    set_state(pages, p, use, backing, 0, NULL);
}

void host_pages_set_written(HostPages *pages, uint32_t p, HostUse use, HostBacking backing,
                            const HostContent *content)
{
    set_state(pages, p, use, backing, 0, content);
}

void host_pages_set_private(HostPages *pages, uint32_t p, HostUse use, bool large,
                            const HostContent *content)
{
    g_assert(host_pages_backing(pages, p) != HOST_BACK_PRIVATE);
    set_state(pages, p, use, HOST_BACK_PRIVATE, large ? HOST_FLAG_LARGE : 0, content);
}

void host_pages_set_large(HostPages *pages, uint32_t p, bool large)
{
    unsigned flags = host_pages_flags(pages, p);
    g_assert((flags & 0x7u) == HOST_BACK_PRIVATE);
    flags = large ? flags | HOST_FLAG_LARGE : flags & ~HOST_FLAG_LARGE;
    place(pages, p, host_pages_use(pages, p), flags);
}

void host_pages_set_small(HostPages *pages, uint32_t p, bool small)
{
    unsigned flags = host_pages_flags(pages, p);
    g_assert((flags & 0x7u) == HOST_BACK_NONE);
    flags = small ? flags | HOST_FLAG_SMALL : flags & ~HOST_FLAG_SMALL;
    place(pages, p, host_pages_use(pages, p), flags);
}

void host_pages_set_key(HostPages *pages, uint32_t p, uint32_t key)
{
    uint64_t user = with_key(pages, p, sim_partition_user(pages->lists, p), key);
    unsigned flags = content_flags((unsigned)(user & 0xffu), key);
    place_user(pages, p, host_pages_use(pages, p), (user & ~(uint64_t)0xff) | flags);
}

void host_pages_set_content(HostPages *pages, uint32_t p, uint32_t key, HostZipClass zip)
{
    const HostContent c = {.key = key, .zip = zip};
    place_user(pages, p, host_pages_use(pages, p),
               content_user(pages, p, sim_partition_user(pages->lists, p), &c));
}

typedef struct ZeroFree {
    HostPages *pages;
    bool large_pages;
} ZeroFree;

/* A free unbacked page's new state, as host_pages_set_key(0),
 * host_pages_set_zip_class(HOST_ZIP_1K) and set_state to a private frame
 * would leave it: key code 0, zero pages FRESH (shareable), large unless
 * marked small. */
static unsigned zero_free_dest(uint32_t item, uint64_t *user, void *data)
{
    const ZeroFree *z = data;
    uint64_t key_code_bits = 0; /* the zero page's code */
    if (z->pages->wide_key != NULL) {
        z->pages->wide_key[item] = 0;
        key_code_bits = *user & ~(uint64_t)0xff; /* unused once keys are wide */
    }
    unsigned flags = (unsigned)(*user & 0xffu) & ~(0x7u | 0x18u | HOST_FLAG_LARGE);
    flags = content_flags(flags | HOST_BACK_PRIVATE | (unsigned)HOST_ZIP_1K << 3, 0);
    if (z->large_pages && (flags & HOST_FLAG_SMALL) == 0) {
        flags |= HOST_FLAG_LARGE;
    }
    *user = key_code_bits | flags;
    HostResidency res = host_backing_residency_flags(HOST_BACK_PRIVATE, flags);
    return (unsigned)HOST_USE_FREE * HOST_RES_MAX + res;
}

uint32_t host_pages_zero_free(HostPages *pages, bool large_pages)
{
    uint32_t n = pages->count[HOST_USE_FREE][HOST_BACK_NONE];
    g_assert(n == pages->by_use[HOST_USE_FREE]);
    ZeroFree z = {.pages = pages, .large_pages = large_pages};
    sim_partition_move_class(pages->lists, (unsigned)HOST_USE_FREE * HOST_RES_MAX + HOST_RES_NONE,
                             zero_free_dest, &z);
    pages->count[HOST_USE_FREE][HOST_BACK_NONE] -= n;
    pages->count[HOST_USE_FREE][HOST_BACK_PRIVATE] += n;
    pages->by_backing[HOST_BACK_NONE] -= n;
    pages->by_backing[HOST_BACK_PRIVATE] += n;
    pages->moves += n;
    return n;
}

static uint32_t last_member(const HostPages *pages, unsigned cls)
{
    uint32_t n = sim_partition_count(pages->lists, cls);
    return n == 0 ? HOST_NO_PAGE : sim_partition_member(pages->lists, cls, n - 1);
}

uint32_t host_pages_pick(const HostPages *pages, HostUse use, HostResidency res)
{
    return last_member(pages, (unsigned)use * HOST_RES_MAX + res);
}

uint32_t host_pages_pick_ahead(const HostPages *pages, HostUse use, HostResidency res,
                               uint32_t ahead)
{
    unsigned cls = (unsigned)use * HOST_RES_MAX + res;
    uint32_t n = sim_partition_count(pages->lists, cls);
    return n > ahead ? sim_partition_member(pages->lists, cls, n - 1 - ahead) : HOST_NO_PAGE;
}

HostResidency host_pages_free_res(const HostPages *pages)
{
    static const HostResidency order[] = {HOST_RES_IN,     HOST_RES_FRESH, HOST_RES_LARGE,
                                          HOST_RES_SHARED, HOST_RES_NONE,  HOST_RES_OUT};
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        if (host_pages_count_res(pages, HOST_USE_FREE, order[i]) > 0) {
            return order[i];
        }
    }
    return HOST_RES_MAX;
}

uint32_t host_pages_pick_free(const HostPages *pages)
{
    HostResidency res = host_pages_free_res(pages);
    return res == HOST_RES_MAX ? HOST_NO_PAGE : host_pages_pick(pages, HOST_USE_FREE, res);
}

/* Picks one class among `classes` weighted by size, then a member (the last
 * one, or a uniformly random one): O(number of classes). */
static uint32_t pick_union(const HostPages *pages, SimRng *rng, const unsigned *classes,
                           unsigned n_classes, bool random_member)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < n_classes; i++) {
        total += sim_partition_count(pages->lists, classes[i]);
    }
    if (total == 0) {
        return HOST_NO_PAGE;
    }
    uint64_t r = sim_rng_below(rng, total);
    for (unsigned i = 0; i < n_classes; i++) {
        uint32_t n = sim_partition_count(pages->lists, classes[i]);
        if (r < n) {
            return sim_partition_member(pages->lists, classes[i],
                                        random_member ? (uint32_t)r : n - 1);
        }
        r -= n;
    }
    g_assert_not_reached();
}

uint32_t host_pages_pick_use(const HostPages *pages, SimRng *rng, HostUse use)
{
    unsigned classes[HOST_RES_MAX];
    for (unsigned r = 0; r < HOST_RES_MAX; r++) {
        classes[r] = (unsigned)use * HOST_RES_MAX + r;
    }
    return pick_union(pages, rng, classes, HOST_RES_MAX, false);
}

uint32_t host_pages_pick_res(const HostPages *pages, SimRng *rng, HostResidency res)
{
    unsigned classes[HOST_USE_MAX];
    for (unsigned u = 0; u < HOST_USE_MAX; u++) {
        classes[u] = u * HOST_RES_MAX + res;
    }
    return pick_union(pages, rng, classes, HOST_USE_MAX, true);
}

void host_pages_ahead_init(HostPickAhead *ahead, const HostPages *pages, HostResidency res)
{
    ahead->res = res;
    ahead->total = 0;
    for (unsigned u = 0; u < HOST_USE_MAX; u++) {
        ahead->count[u] = host_pages_count_res(pages, (HostUse)u, res);
        ahead->total += ahead->count[u];
    }
}

/* pick_union's draw over the residency's classes, on the counts to come */
bool host_pages_ahead_draw(HostPickAhead *ahead, SimRng *rng, HostPick *pick)
{
    if (ahead->total == 0) {
        return false;
    }
    uint64_t r = sim_rng_below(rng, ahead->total);
    for (unsigned u = 0; u < HOST_USE_MAX; u++) {
        uint32_t n = ahead->count[u];
        if (r < n) {
            *pick = (HostPick){.cls = u * HOST_RES_MAX + ahead->res, .index = (uint32_t)r, .count = n};
            ahead->count[u]--;
            ahead->total--;
            return true;
        }
        r -= n;
    }
    g_assert_not_reached();
}

void host_pages_prefetch_slot(const HostPages *pages, const HostPick *pick)
{
    sim_partition_prefetch_member(pages->lists, pick->cls, pick->index);
    sim_partition_prefetch_member(pages->lists, pick->cls, pick->count - 1);
}

void host_pages_prefetch_records(const HostPages *pages, const HostPick *pick)
{
    /* the pages the pick would give now: the picks before it may still change them */
    if (pick->index < sim_partition_count(pages->lists, pick->cls)) {
        sim_partition_prefetch_item(pages->lists,
                                    sim_partition_member(pages->lists, pick->cls, pick->index));
    }
    if (pick->count <= sim_partition_count(pages->lists, pick->cls)) {
        sim_partition_prefetch_item(pages->lists,
                                    sim_partition_member(pages->lists, pick->cls, pick->count - 1));
    }
}

uint32_t host_pages_pick_taken(const HostPages *pages, const HostPick *pick)
{
    /* the caller moved each page it took out of the residency, and nothing else */
    g_assert(sim_partition_count(pages->lists, pick->cls) == pick->count);
    return sim_partition_member(pages->lists, pick->cls, pick->index);
}

uint32_t host_pages_pick_private(const HostPages *pages, SimRng *rng)
{
    unsigned classes[3 * HOST_USE_MAX];
    static const HostResidency kinds[] = {HOST_RES_IN, HOST_RES_FRESH, HOST_RES_LARGE};
    for (unsigned u = 0; u < HOST_USE_MAX; u++) {
        for (unsigned k = 0; k < 3; k++) {
            classes[3 * u + k] = u * HOST_RES_MAX + kinds[k];
        }
    }
    return pick_union(pages, rng, classes, 3 * HOST_USE_MAX, true);
}

/* Guest uses from the least to the most recently touched, as a Linux host's
 * LRU sees the qemu process's pages: what the guest freed or let go stale
 * first, its hot sets last (assumption: the two-list LRU keeps the pages
 * the guest touches often; the guest's lists say how often). */
static const HostUse lru_order[] = {
    HOST_USE_FREE,       HOST_USE_CACHE_INACTIVE, HOST_USE_ANON_INACTIVE, HOST_USE_STANDBY,
    HOST_USE_CACHE_WARM, HOST_USE_ANON_WARM,      HOST_USE_KERNEL,        HOST_USE_CACHE_ACTIVE,
    HOST_USE_ANON_ACTIVE,
};
G_STATIC_ASSERT(G_N_ELEMENTS(lru_order) == HOST_USE_MAX - 1); /* all but the balloon */

uint32_t host_pages_pick_private_lru(const HostPages *pages, SimRng *rng)
{
    static const HostResidency kinds[] = {HOST_RES_IN, HOST_RES_FRESH, HOST_RES_LARGE};
    for (size_t i = 0; i < G_N_ELEMENTS(lru_order); i++) {
        unsigned classes[G_N_ELEMENTS(kinds)];
        for (unsigned k = 0; k < G_N_ELEMENTS(kinds); k++) {
            classes[k] = (unsigned)lru_order[i] * HOST_RES_MAX + kinds[k];
        }
        uint32_t p = pick_union(pages, rng, classes, G_N_ELEMENTS(kinds), true);
        if (p != HOST_NO_PAGE) {
            return p;
        }
    }
    return HOST_NO_PAGE;
}

uint32_t host_pages_count_res_all(const HostPages *pages, HostResidency res)
{
    uint32_t n = 0;
    for (unsigned u = 0; u < HOST_USE_MAX; u++) {
        n += host_pages_count_res(pages, (HostUse)u, res);
    }
    return n;
}

/* The sums by use and by backing are those of the counters. */
static bool sums_agree(const HostPages *pages, GString *why)
{
    uint32_t by_backing[HOST_BACK_MAX] = {0};
    for (unsigned u = 0; u < HOST_USE_MAX; u++) {
        uint32_t n = 0;
        for (unsigned b = 0; b < HOST_BACK_MAX; b++) {
            n += pages->count[u][b];
            by_backing[b] += pages->count[u][b];
        }
        if (n != pages->by_use[u]) {
            g_string_append_printf(why, "%s pages: counters %u, sum %u; ",
                                   host_use_to_string((HostUse)u), n, pages->by_use[u]);
            return false;
        }
    }
    for (unsigned b = 0; b < HOST_BACK_MAX; b++) {
        if (by_backing[b] != pages->by_backing[b]) {
            g_string_append_printf(why, "pages backed %s: counters %u, sum %u; ",
                                   host_backing_to_string((HostBacking)b), by_backing[b],
                                   pages->by_backing[b]);
            return false;
        }
    }
    return true;
}

bool host_pages_check(const HostPages *pages, GString *why)
{
    uint64_t total = 0;
    for (unsigned u = 0; u < HOST_USE_MAX; u++) {
        uint32_t by_res[HOST_RES_MAX] = {0};
        uint32_t listed_res[HOST_RES_MAX] = {0};
        for (unsigned b = 0; b < HOST_BACK_MAX; b++) {
            by_res[host_backing_residency((HostBacking)b)] += pages->count[u][b];
            total += pages->count[u][b];
        }
        for (unsigned r = 0; r < HOST_RES_MAX; r++) {
            listed_res[r] = host_pages_count_res(pages, (HostUse)u, (HostResidency)r);
        }
        /* private frames are listed by kind; the counters have them as one */
        listed_res[HOST_RES_IN] += listed_res[HOST_RES_FRESH] + listed_res[HOST_RES_LARGE];
        listed_res[HOST_RES_FRESH] = listed_res[HOST_RES_LARGE] = 0;
        for (unsigned r = 0; r < HOST_RES_MAX; r++) {
            uint32_t listed = listed_res[r];
            if (listed != by_res[r]) {
                g_string_append_printf(why, "%s pages with residency %u: counters %u, lists %u; ",
                                       host_use_to_string((HostUse)u), r, by_res[r], listed);
                return false;
            }
        }
    }
    if (!sums_agree(pages, why)) {
        return false;
    }
    if (total != pages->n) {
        g_string_append_printf(why, "pages by state sum to %" G_GUINT64_FORMAT ", configured %u; ",
                               total, pages->n);
        return false;
    }
    if (pages->count[HOST_USE_BALLOON][HOST_BACK_NONE] !=
        host_pages_count_use(pages, HOST_USE_BALLOON)) {
        g_string_append(why, "a ballooned page is backed; ");
        return false;
    }
    return true;
}

size_t host_pages_bytes(const HostPages *pages)
{
    size_t wide = pages->wide_key != NULL ? pages->n * sizeof(uint32_t) : 0;
    return sizeof(*pages) + wide + sim_partition_bytes(pages->lists);
}
