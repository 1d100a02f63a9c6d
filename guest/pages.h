/*
 * The guest-physical pages of one VM and how each is backed by the host.
 * Per page: a content key (4 B) and the page's record in a SimPartition by
 * (use, residency) (10 B: position, class, and a flags byte with backing,
 * compressibility and large page), 14 B in all (docs/design.md budget: 16 B
 * now, 12 B the goal).
 *
 * The partition classes let the model pick a random page of any guest list
 * or a random resident page in O(1): work follows the pages moved.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/partition.h"
#include "sim/rng.h"

/* What the guest OS uses the page for (its lists). */
typedef enum {
    GUEST_USE_FREE,
    GUEST_USE_KERNEL,
    GUEST_USE_ANON_ACTIVE,    /* the workload's hot set */
    GUEST_USE_ANON_INACTIVE,
    GUEST_USE_CACHE_ACTIVE,   /* file data the workload keeps using */
    GUEST_USE_CACHE_INACTIVE, /* stale file data, first to go */
    GUEST_USE_BALLOON,        /* held by the balloon driver, never backed */
    GUEST_USE_MAX
} GuestUse;
const char *guest_use_to_string(GuestUse use);

/* How the host backs the page. */
typedef enum {
    GUEST_BACK_NONE,       /* never touched, or released (balloon, power off) */
    GUEST_BACK_PRIVATE,    /* its own machine frame */
    GUEST_BACK_SHARED,     /* a shared frame (page sharing) */
    GUEST_BACK_ZIP,        /* in the VM's compression cache */
    GUEST_BACK_SWAP,       /* in the VM's swap file */
    GUEST_BACK_CACHE_SWAP, /* in the host cache (SSD) tier */
    GUEST_BACK_MAX
} GuestBacking;
const char *guest_backing_to_string(GuestBacking backing);

/* Residency: what matters for picking victims, sharing and faults. Three
 * kinds of private frame, so that page sharing visits only pages it can
 * change: IN (nothing to share: unique contents, or already scanned),
 * FRESH (shareable contents not yet scanned), LARGE (in an unbroken 2 MiB
 * page). SHARED is resident too but maps a shared frame. */
typedef enum {
    GUEST_RES_NONE,
    GUEST_RES_IN,
    GUEST_RES_FRESH,
    GUEST_RES_LARGE,
    GUEST_RES_SHARED,
    GUEST_RES_OUT,
    GUEST_RES_MAX
} GuestResidency;

/* Content keys (docs/design.md "Pages"): 0 is the zero page; image contents
 * (the OS and applications of the VM's `guest.image`) lie below
 * GUEST_KEY_DUP_BASE, contents duplicated inside one VM at or above it.
 * A key means the same contents only among VMs of one image (image keys)
 * or inside one VM (duplicate keys): the host keys its frame table by that
 * origin too (host/share.c). */
#define GUEST_KEY_IMAGE_BASE 1u
#define GUEST_KEY_DUP_BASE (1u << 31)
/* Content key of pages that equal no other page. */
#define GUEST_KEY_UNIQUE UINT32_MAX

static inline bool guest_key_is_image(uint32_t key)
{
    return key >= GUEST_KEY_IMAGE_BASE && key < GUEST_KEY_DUP_BASE;
}

static inline bool guest_residency_private(GuestResidency r)
{
    return r == GUEST_RES_IN || r == GUEST_RES_FRESH || r == GUEST_RES_LARGE;
}

static inline bool guest_residency_resident(GuestResidency r)
{
    return guest_residency_private(r) || r == GUEST_RES_SHARED;
}

/* Compressibility classes (docs/design.md: <= 1 KiB, <= 2 KiB, worse). */
typedef enum { GUEST_ZIP_1K, GUEST_ZIP_2K, GUEST_ZIP_NONE, GUEST_ZIP_MAX } GuestZipClass;

#define GUEST_NO_PAGE UINT32_MAX

typedef struct GuestPages {
    uint32_t n;             /* configured pages */
    uint32_t *key;          /* content key per page; 0 = zero page */
    SimPartition *lists;    /* class = use * GUEST_RES_MAX + residency; the user byte holds
                               the flags: bits 0-2 backing, 3-4 zip class, 5 large page */
    uint32_t count[GUEST_USE_MAX][GUEST_BACK_MAX]; /* pages by use and backing */
    uint64_t moves;         /* state changes so far: the work the model did */
} GuestPages;

GuestPages *guest_pages_new(uint32_t n_pages);
void guest_pages_free(GuestPages *pages);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GuestPages, guest_pages_free)

#define GUEST_FLAG_LARGE 0x20u
#define GUEST_FLAG_FRESH 0x40u

/* Residency of a backing; a private frame's kind comes from the flags. */
static inline GuestResidency guest_backing_residency_flags(GuestBacking b, unsigned flags)
{
    switch (b) {
    case GUEST_BACK_NONE:
        return GUEST_RES_NONE;
    case GUEST_BACK_PRIVATE:
        if ((flags & GUEST_FLAG_LARGE) != 0) {
            return GUEST_RES_LARGE;
        }
        return (flags & GUEST_FLAG_FRESH) != 0 ? GUEST_RES_FRESH : GUEST_RES_IN;
    case GUEST_BACK_SHARED:
        return GUEST_RES_SHARED;
    default:
        return GUEST_RES_OUT;
    }
}

static inline GuestResidency guest_backing_residency(GuestBacking b)
{
    return guest_backing_residency_flags(b, 0);
}

static inline GuestBacking guest_pages_backing(const GuestPages *pages, uint32_t p)
{
    return (GuestBacking)(sim_partition_user(pages->lists, p) & 0x7);
}

static inline GuestUse guest_pages_use(const GuestPages *pages, uint32_t p)
{
    return (GuestUse)(sim_partition_class(pages->lists, p) / GUEST_RES_MAX);
}

static inline GuestZipClass guest_pages_zip_class(const GuestPages *pages, uint32_t p)
{
    return (GuestZipClass)((sim_partition_user(pages->lists, p) >> 3) & 0x3);
}

static inline void guest_pages_set_zip_class(GuestPages *pages, uint32_t p, GuestZipClass z)
{
    uint8_t flags = sim_partition_user(pages->lists, p);
    sim_partition_set_user(pages->lists, p, (uint8_t)((flags & ~0x18u) | ((unsigned)z << 3)));
}

/* Whether page p lies in a 2 MiB large page the host has not broken. */
static inline bool guest_pages_large(const GuestPages *pages, uint32_t p)
{
    return (sim_partition_user(pages->lists, p) & GUEST_FLAG_LARGE) != 0;
}

/* Puts a private page in or out of an unbroken large page. */
void guest_pages_set_large(GuestPages *pages, uint32_t p, bool large);

/* New contents: a private page becomes FRESH when they can be shared. */
void guest_pages_set_key(GuestPages *pages, uint32_t p, uint32_t key);

/* Moves page p to (use, backing), keeping lists and counters in step. */
void guest_pages_set(GuestPages *pages, uint32_t p, GuestUse use, GuestBacking backing);

static inline void guest_pages_set_use(GuestPages *pages, uint32_t p, GuestUse use)
{
    guest_pages_set(pages, p, use, guest_pages_backing(pages, p));
}

static inline void guest_pages_set_backing(GuestPages *pages, uint32_t p, GuestBacking b)
{
    guest_pages_set(pages, p, guest_pages_use(pages, p), b);
}

/* Pages with this use and a private frame (IN, FRESH or LARGE). */
static inline uint32_t guest_pages_count_private(const GuestPages *pages, GuestUse use)
{
    return pages->count[use][GUEST_BACK_PRIVATE];
}

/* Pages with this use and residency. */
static inline uint32_t guest_pages_count_res(const GuestPages *pages, GuestUse use,
                                             GuestResidency res)
{
    return sim_partition_count(pages->lists, (unsigned)use * GUEST_RES_MAX + res);
}

/* Pages with this use, whatever their backing. */
uint32_t guest_pages_count_use(const GuestPages *pages, GuestUse use);

/* Pages with this backing, whatever their use. */
uint32_t guest_pages_count_backing(const GuestPages *pages, GuestBacking backing);

/*
 * Choosing pages. Pages of one class (same use and residency) are
 * interchangeable in the model, so the guest-side picks take the class's
 * last member: O(1) and one cache miss instead of four. Only the choice
 * between classes is random. The host's victims are truly random pages,
 * since the host picks page numbers it knows nothing about.
 */

/* A page with this use and residency, or GUEST_NO_PAGE. */
uint32_t guest_pages_pick(const GuestPages *pages, GuestUse use, GuestResidency res);

/* A page with this use; the residency is drawn in proportion to the
 * classes' sizes. GUEST_NO_PAGE when there is none. */
uint32_t guest_pages_pick_use(const GuestPages *pages, SimRng *rng, GuestUse use);

/* A free page as a LIFO allocator gives it: recently freed (still backed)
 * pages first, private then shared, then never-touched ones, then
 * host-swapped ones. */
uint32_t guest_pages_pick_free(const GuestPages *pages);

/* A uniformly random page with this residency (any use), or GUEST_NO_PAGE. */
uint32_t guest_pages_pick_res(const GuestPages *pages, SimRng *rng, GuestResidency res);

/* A uniformly random page with a private frame (any use, any kind). */
uint32_t guest_pages_pick_private(const GuestPages *pages, SimRng *rng);

/* Pages with this residency, any use. */
uint32_t guest_pages_count_res_all(const GuestPages *pages, GuestResidency res);

/* Checks that the counters agree with the lists; false with a message if not. */
bool guest_pages_check(const GuestPages *pages, GString *why);

size_t guest_pages_bytes(const GuestPages *pages);

static inline uint32_t guest_pages_count(const GuestPages *pages, GuestUse use, GuestBacking b)
{
    return pages->count[use][b];
}
