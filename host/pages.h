/*
 * The guest-physical pages of one VM and how each is backed by the host.
 * Per page: the page's record in a SimPartition by (use, residency) (8 B:
 * position, class, and in the record's free bits a flags byte with
 * backing, compressibility and large page, and the content key in a short
 * code) and its member slot (3 B in a VM of at most 2^24 pages, else 4 B):
 * 11 B in all, 12 B past 64 GiB at 4 KiB pages (docs/design.md budget; the
 * table in docs/benchmarks.md). The key shares the record so that the
 * sharing of a random page costs one cache miss for both.
 *
 * The partition classes let the model pick a random page of any guest list
 * or a random resident page in O(1): work follows the pages moved.
 *
 * The host owns this state: every guest-physical access goes through the
 * hypervisor, and the backing is host state. The guest's use of each page
 * sits in the same packed record so that one lookup serves both sides; the
 * guest writes it through these functions (host/guest.h includes this file).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/partition.h"
#include "sim/rng.h"

/* What the guest OS uses the page for (its lists). */
typedef enum {
    HOST_USE_FREE,
    HOST_USE_KERNEL,
    HOST_USE_ANON_ACTIVE, /* the workload's hot set */
    HOST_USE_ANON_INACTIVE, /* its cold tail: touched rarely */
    HOST_USE_CACHE_ACTIVE,   /* file data the workload keeps using */
    HOST_USE_CACHE_INACTIVE, /* stale file data, first to go */
    HOST_USE_BALLOON,        /* held by the balloon driver, never backed */
    HOST_USE_ANON_WARM,      /* the workload's warm set, between hot and cold (docs/model.md
                                "Workload: access skew"); after the older uses, so they keep
                                their values */
    HOST_USE_STANDBY,        /* a Windows guest's standby list: pages trimmed from a working
                                set, contents kept (docs/model.md "Windows guest") */
    HOST_USE_CACHE_WARM,     /* the file set's warm part: read now and then (docs/model.md
                                "Workload: access skew") */
    HOST_USE_MAX             /* x HOST_RES_MAX classes <= SIM_PARTITION_MAX_CLASSES */
} HostUse;
const char *host_use_to_string(HostUse use);

/* How the host backs the page. */
typedef enum {
    HOST_BACK_NONE,       /* never touched, or released (balloon, power off) */
    HOST_BACK_PRIVATE,    /* its own machine frame */
    HOST_BACK_SHARED,     /* a shared frame (page sharing) */
    HOST_BACK_ZIP,        /* in the VM's compression cache */
    HOST_BACK_SWAP,       /* in the VM's swap file */
    HOST_BACK_CACHE_SWAP, /* in the host cache (SSD) tier */
    HOST_BACK_MAX
} HostBacking;
const char *host_backing_to_string(HostBacking backing);

/* Residency: what matters for picking victims, sharing and faults. Three
 * kinds of private frame, so that page sharing visits only pages it can
 * change: IN (nothing to share: unique contents, or already scanned),
 * FRESH (shareable contents not yet scanned), LARGE (in an unbroken 2 MiB
 * page). SHARED is resident too but maps a shared frame. */
typedef enum {
    HOST_RES_NONE,
    HOST_RES_IN,
    HOST_RES_FRESH,
    HOST_RES_LARGE,
    HOST_RES_SHARED,
    HOST_RES_OUT,
    HOST_RES_MAX
} HostResidency;

/* Content keys (docs/design.md "Pages"): 0 is the zero page; image contents
 * (the OS and applications of the VM's `guest.image`) lie below
 * HOST_KEY_DUP_BASE, contents duplicated inside one VM at or above it.
 * A key means the same contents only among VMs of one image (image keys)
 * or inside one VM (duplicate keys): the host keys its frame table by that
 * origin too (host/share.c). */
#define HOST_KEY_IMAGE_BASE 1u
#define HOST_KEY_DUP_BASE (1u << 31)
/* Content key of pages that equal no other page. */
#define HOST_KEY_UNIQUE UINT32_MAX

static inline bool host_key_is_image(uint32_t key)
{
    return key >= HOST_KEY_IMAGE_BASE && key < HOST_KEY_DUP_BASE;
}

static inline bool host_residency_private(HostResidency r)
{
    return r == HOST_RES_IN || r == HOST_RES_FRESH || r == HOST_RES_LARGE;
}

static inline bool host_residency_resident(HostResidency r)
{
    return host_residency_private(r) || r == HOST_RES_SHARED;
}

/* Compressibility classes (docs/design.md: <= 1 KiB, <= 2 KiB, worse). */
typedef enum { HOST_ZIP_1K, HOST_ZIP_2K, HOST_ZIP_NONE, HOST_ZIP_MAX } HostZipClass;

#define HOST_NO_PAGE UINT32_MAX

/* The page the real mechanisms work on (compression, sharing, balloon, the
 * guest's faults): a simulated page of host.page_size bytes stands for
 * host.page_size / HOST_SUBPAGE_BYTES of them (docs/model.md "Pages"). */
#define HOST_SUBPAGE_BYTES 4096u

typedef struct HostPages {
    uint32_t n;          /* configured pages */
    SimPartition *lists; /* class = use * HOST_RES_MAX + residency; the user bits hold
                            the flags (bits 0-2 backing, 3-4 zip class, 5 large page,
                            6 fresh, 7 small: its region was ballooned), then the
                            content key's code (host/pages.c) */
    uint32_t *wide_key;  /* NULL while every key fits its code (always in the model up to
                            2^24 pages a VM); else the content key per page */
    /* pages by use and backing, and their sums by use and by backing (read
     * at every fault: a VM's consumed frames) */
    uint32_t count[HOST_USE_MAX][HOST_BACK_MAX];
    uint32_t by_use[HOST_USE_MAX];
    uint32_t by_backing[HOST_BACK_MAX];
    uint64_t moves; /* state changes so far: the work the model did */
} HostPages;

HostPages *host_pages_new(uint32_t n_pages);
void host_pages_free(HostPages *pages);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HostPages, host_pages_free)

#define HOST_FLAG_LARGE 0x20u
#define HOST_FLAG_FRESH 0x40u
#define HOST_FLAG_SMALL 0x80u

/* Residency of a backing; a private frame's kind comes from the flags. */
static inline HostResidency host_backing_residency_flags(HostBacking b, unsigned flags)
{
    switch (b) {
    case HOST_BACK_NONE:
        return HOST_RES_NONE;
    case HOST_BACK_PRIVATE:
        if ((flags & HOST_FLAG_LARGE) != 0) {
            return HOST_RES_LARGE;
        }
        return (flags & HOST_FLAG_FRESH) != 0 ? HOST_RES_FRESH : HOST_RES_IN;
    case HOST_BACK_SHARED:
        return HOST_RES_SHARED;
    default:
        return HOST_RES_OUT;
    }
}

static inline HostResidency host_backing_residency(HostBacking b)
{
    return host_backing_residency_flags(b, 0);
}

/* The flags byte of page p. */
static inline unsigned host_pages_flags(const HostPages *pages, uint32_t p)
{
    return (unsigned)(sim_partition_user(pages->lists, p) & 0xffu);
}

static inline HostBacking host_pages_backing(const HostPages *pages, uint32_t p)
{
    return (HostBacking)(host_pages_flags(pages, p) & 0x7);
}

/* The content key's code in the record: kind in bits 0-1 (0 the zero page,
 * 1 unique, 2 image, 3 duplicate), then the key's index within its kind. */
static inline uint32_t host_pages_key(const HostPages *pages, uint32_t p)
{
    if (pages->wide_key != NULL) {
        return pages->wide_key[p];
    }
    uint64_t code = sim_partition_user(pages->lists, p) >> 8;
    static const uint32_t base[4] = {0, HOST_KEY_UNIQUE, HOST_KEY_IMAGE_BASE, HOST_KEY_DUP_BASE};
    return base[code & 3] + (uint32_t)(code >> 2);
}

static inline HostUse host_pages_use(const HostPages *pages, uint32_t p)
{
    return (HostUse)(sim_partition_class(pages->lists, p) / HOST_RES_MAX);
}

static inline HostZipClass host_pages_zip_class(const HostPages *pages, uint32_t p)
{
    return (HostZipClass)((host_pages_flags(pages, p) >> 3) & 0x3);
}

static inline void host_pages_set_zip_class(HostPages *pages, uint32_t p, HostZipClass z)
{
    uint64_t user = sim_partition_user(pages->lists, p);
    sim_partition_set_user(pages->lists, p, (user & ~(uint64_t)0x18) | ((uint64_t)z << 3));
}

/* Whether page p lies in a 2 MiB large page the host has not broken. */
static inline bool host_pages_large(const HostPages *pages, uint32_t p)
{
    return (host_pages_flags(pages, p) & HOST_FLAG_LARGE) != 0;
}

/* Puts a private page in or out of an unbroken large page. */
void host_pages_set_large(HostPages *pages, uint32_t p, bool large);

/* Whether page p, when next backed, gets a small page although it is not
 * backed: its 2 MiB region was partly given to the balloon. */
static inline bool host_pages_small(const HostPages *pages, uint32_t p)
{
    return (host_pages_flags(pages, p) & HOST_FLAG_SMALL) != 0;
}

/* Marks an unbacked page for a small page (or a large one again). */
void host_pages_set_small(HostPages *pages, uint32_t p, bool small);

/* New contents: a private page becomes FRESH when they can be shared. */
void host_pages_set_key(HostPages *pages, uint32_t p, uint32_t key);
/* New contents and their compressibility: host_pages_set_key then
 * host_pages_set_zip_class, with one write of the page's record. */
void host_pages_set_content(HostPages *pages, uint32_t p, uint32_t key, HostZipClass zip);

/* Moves page p to (use, backing), keeping lists and counters in step. */
void host_pages_set(HostPages *pages, uint32_t p, HostUse use, HostBacking backing);

/* New contents a write gives a page: its key and compressibility. */
typedef struct HostContent {
    uint32_t key;
    HostZipClass zip;
} HostContent;

/* host_pages_set, then host_pages_set_content(content) in the same move
 * (content NULL: host_pages_set): the lists, records and counters end as
 * after the two calls, order within the lists included (the page would
 * pass through one class only to leave it as its last member at once). */
void host_pages_set_written(HostPages *pages, uint32_t p, HostUse use, HostBacking backing,
                            const HostContent *content);

/* Backs page p, not privately backed, with a new private frame for `use`,
 * inside an unbroken large page or not: host_pages_set then
 * host_pages_set_large in one move (the page would pass through the small
 * frames' lists only to leave them at once), with new contents as
 * host_pages_set_written (NULL: the same). */
void host_pages_set_private(HostPages *pages, uint32_t p, HostUse use, bool large,
                            const HostContent *content);

/* Every free page, when every one is unbacked: zero contents (key 0,
 * compressibility HOST_ZIP_1K) and a private frame, inside a large page
 * (`large_pages`, and the page not marked small) or not. The lists and
 * counters end as from host_pages_set_key, host_pages_set_zip_class and
 * host_pages_set_private page by page in page order, in one pass. Returns
 * the pages backed. */
uint32_t host_pages_zero_free(HostPages *pages, bool large_pages);

static inline void host_pages_set_use(HostPages *pages, uint32_t p, HostUse use)
{
    host_pages_set(pages, p, use, host_pages_backing(pages, p));
}

static inline void host_pages_set_backing(HostPages *pages, uint32_t p, HostBacking b)
{
    host_pages_set(pages, p, host_pages_use(pages, p), b);
}

/* Pages with this use and a private frame (IN, FRESH or LARGE). */
static inline uint32_t host_pages_count_private(const HostPages *pages, HostUse use)
{
    return pages->count[use][HOST_BACK_PRIVATE];
}

/* Pages with this use and residency. */
static inline uint32_t host_pages_count_res(const HostPages *pages, HostUse use, HostResidency res)
{
    return sim_partition_count(pages->lists, (unsigned)use * HOST_RES_MAX + res);
}

/* Pages with this use, whatever their backing. */
static inline uint32_t host_pages_count_use(const HostPages *pages, HostUse use)
{
    return pages->by_use[use];
}

/* Pages with this backing, whatever their use. */
static inline uint32_t host_pages_count_backing(const HostPages *pages, HostBacking backing)
{
    return pages->by_backing[backing];
}

/*
 * Choosing pages. Pages of one class (same use and residency) are
 * interchangeable in the model, so the guest-side picks take the class's
 * last member: O(1) and one cache miss instead of four. Only the choice
 * between classes is random. The host's victims are truly random pages,
 * since the host picks page numbers it knows nothing about.
 */

/* A page with this use and residency, or HOST_NO_PAGE. */
uint32_t host_pages_pick(const HostPages *pages, HostUse use, HostResidency res);

/* The page host_pages_pick(use, res) gives after `ahead` more pages have
 * left the class (and none came), or HOST_NO_PAGE: for prefetching. */
uint32_t host_pages_pick_ahead(const HostPages *pages, HostUse use, HostResidency res,
                               uint32_t ahead);

/* A page with this use; the residency is drawn in proportion to the
 * classes' sizes. HOST_NO_PAGE when there is none. */
uint32_t host_pages_pick_use(const HostPages *pages, SimRng *rng, HostUse use);

/* A free page as a LIFO allocator gives it: recently freed (still backed)
 * pages first, private then shared, then never-touched ones, then
 * host-swapped ones. */
uint32_t host_pages_pick_free(const HostPages *pages);
/* The residency of the free page host_pages_pick_free gives, HOST_RES_MAX
 * when there is none. */
HostResidency host_pages_free_res(const HostPages *pages);

/* A uniformly random page with this residency (any use), or HOST_NO_PAGE. */
uint32_t host_pages_pick_res(const HostPages *pages, SimRng *rng, HostResidency res);

/*
 * Random picks drawn ahead, for a caller that moves every page it picks out
 * of the residency before the next pick (the share scanner): the same draws
 * as host_pages_pick_res, so the same pages, but each pick's class and index
 * are known while the pages before it are being moved, so its slot, its
 * record and what they lead to can be prefetched (docs/benchmarks.md, issue
 * 14). The counts after each pick are known without reading the pages: one
 * fewer in the class picked.
 */
typedef struct HostPickAhead {
    HostResidency res;
    uint64_t total;
    uint32_t count[HOST_USE_MAX];
} HostPickAhead;

typedef struct HostPick {
    unsigned cls;    /* partition class */
    uint32_t index;  /* member of the class */
    uint32_t count;  /* the class's members when the pick is taken */
} HostPick;

void host_pages_ahead_init(HostPickAhead *ahead, const HostPages *pages, HostResidency res);
/* Draws the next pick, as host_pages_pick_res would after the picks before
 * it have left the residency; false (and no draw) when none is left. */
bool host_pages_ahead_draw(HostPickAhead *ahead, SimRng *rng, HostPick *pick);
/* Prefetches the pick's slot; then, when it has arrived, the page's record
 * and that of the class's last member (moving the page swaps it in). */
void host_pages_prefetch_slot(const HostPages *pages, const HostPick *pick);
void host_pages_prefetch_records(const HostPages *pages, const HostPick *pick);
/* The page a pick stands for, once the picks before it are done. */
uint32_t host_pages_pick_taken(const HostPages *pages, const HostPick *pick);

/* A uniformly random page with a private frame (any use, any kind). */
uint32_t host_pages_pick_private(const HostPages *pages, SimRng *rng);
/* A random private resident page of the coldest guest use that has one
 * (a Linux host's LRU, docs/model.md "Linux host"). */
uint32_t host_pages_pick_private_lru(const HostPages *pages, SimRng *rng);

/* Pages with this residency, any use. */
uint32_t host_pages_count_res_all(const HostPages *pages, HostResidency res);

/* Checks that the counters agree with the lists; false with a message if not. */
bool host_pages_check(const HostPages *pages, GString *why);

size_t host_pages_bytes(const HostPages *pages);

static inline uint32_t host_pages_count(const HostPages *pages, HostUse use, HostBacking b)
{
    return pages->count[use][b];
}
