/* The Guest struct, shared by the files of guest/ only. */
#pragma once

#include "guest/guest.h"
#include "sim/rng.h"

/* Linux free-page watermarks, pages (mm/page_alloc.c). */
typedef struct GuestWatermarks {
    uint64_t min, low, high;
} GuestWatermarks;

typedef struct GuestBalloon {
    uint64_t max;        /* cap, pages */
    uint32_t rate_slow;  /* current 4 KiB pages per poll when the guest must reclaim */
    double carry;        /* unused fraction of a page of the last rate-bound poll */
} GuestBalloon;

/* The workload's popularity tiers (docs/model.md "Workload: access skew"):
 * the hot set (kernel, hot anon, file working set), the warm set and the
 * cold tail of the anon memory. Each gets a share of the touches. */
typedef enum { GUEST_TIER_HOT, GUEST_TIER_WARM, GUEST_TIER_COLD, GUEST_TIER_MAX } GuestTier;

/* The anon list of each tier; reclaim takes colder tiers first. */
static inline HostUse guest_tier_use(GuestTier tier)
{
    static const HostUse use[GUEST_TIER_MAX] = {
        [GUEST_TIER_HOT] = HOST_USE_ANON_ACTIVE,
        [GUEST_TIER_WARM] = HOST_USE_ANON_WARM,
        [GUEST_TIER_COLD] = HOST_USE_ANON_INACTIVE,
    };
    return use[tier];
}

struct Guest {
    const SimVmConfig *cfg;
    guint index;             /* VM index, for host calls */
    uint64_t page_size;      /* bytes */
    HostPages *pages;
    bool powered_on;
    SimRng rng_alloc;        /* page choice on allocation and reclaim */
    SimRng rng_touch;        /* fault draws */
    SimRng rng_content;      /* content keys and compressibility */
    uint64_t image_given;    /* image pages filled so far: the next one's image key */

    /* workload targets, pages (phases change them) */
    uint64_t anon_target, active_target, cache_target;
    double touch_rate;       /* touches per second of unstalled time */
    double write_share;      /* fraction of touches that are writes, 0..1 */

    uint64_t kernel_pages;
    GuestWatermarks wmark;
    uint64_t swap_slots;     /* guest swap device, pages */
    uint64_t swapped[GUEST_TIER_MAX]; /* anon pages in guest swap, per tier */
    /* Windows: pages of each anon tier trimmed to the standby list (their
     * contents kept and written to the pagefile), and of the file working
     * set; together they are the HOST_USE_STANDBY pages. Linux: all 0. */
    uint64_t standby[GUEST_TIER_MAX];
    uint64_t standby_file;
    uint64_t evicted_hot;    /* active file pages dropped: refault from disk */
    uint64_t evicted_warm;   /* warm file pages (HOST_USE_CACHE_WARM) dropped: the same */
    SimTime disk_busy_until; /* guest disk queue */
    GuestBalloon balloon;

    SimTime pending_stall;   /* reclaim I/O the next tick waits for */
    SimTime fault_backlog;   /* fault stall of whole large pages beyond their tick */
    double fault_cost_avg;   /* seconds, recent average cost of a fault */
    uint64_t cow_breaks;     /* shared pages the workload's writes copied, cumulative */
    SimTime stall_total, on_total;
    SimTime stall_interval, on_interval;
};

/* Takes a free page for `use` and has the host back it;
 * reclaims first when free memory is at the min watermark. Adds the access
 * cost to *cost. HOST_NO_PAGE when nothing can be freed. */
uint32_t guest_take_free(Guest *guest, Host *host, HostUse use, SimTime now, SimTime *cost);
/* guest_take_free, the page written with new contents (guest_draw_content)
 * in one step (host_write_new). */
uint32_t guest_take_new(Guest *guest, Host *host, HostUse use, SimTime now, SimTime *cost);

/* Frees up to n pages, colder first: inactive cache, warm cache, cold anon,
 * warm anon (both to guest swap), active cache, hot anon. Returns the pages
 * freed. */
uint64_t guest_reclaim(Guest *guest, Host *host, uint64_t n, SimTime now, SimTime *cost);

/* One synchronous read from the guest disk (guest swap-in, cache refault). */
SimTime guest_disk_read(Guest *guest, SimTime now);

/* New contents for a page the guest writes, drawn from the workload's
 * content mix. */
HostContent guest_draw_content(Guest *guest);

uint64_t guest_anon_pages(const Guest *guest);

/* The helpers below are inline so that reclaim.c and windows.c, which
 * guest.c calls, do not call back into it (scripts/layers.py: no cycle of
 * calls between files). */

static inline bool guest_is_windows(const Guest *guest)
{
    return guest->cfg->guest.os == SIM_OS_WINDOWS;
}

/* Queues one page-sized write on the guest disk (guest swap, pagefile);
 * the writer does not wait for it. */
static inline void guest_disk_write(Guest *g, SimTime now)
{
    SimTime start = MAX(g->disk_busy_until, now);
    g->disk_busy_until =
        start + (SimTime)((double)g->page_size / g->cfg->guest.disk_bandwidth * (double)SIM_S);
}

/* Guest swap (pagefile) slots in use: swapped pages, and a Windows guest's
 * trimmed anon pages, which hold a pagefile copy. */
static inline uint64_t guest_pagefile_used(const Guest *g)
{
    uint64_t n = 0;
    for (GuestTier t = 0; t < GUEST_TIER_MAX; t++) {
        n += g->swapped[t] + g->standby[t];
    }
    return n;
}

/* Pages the guest can allocate without trimming or reclaiming: free pages,
 * and a Windows guest's standby list (stale file data included). */
static inline uint64_t guest_available(const Guest *g)
{
    uint64_t n = host_pages_count_use(g->pages, HOST_USE_FREE);
    if (guest_is_windows(g)) {
        n += host_pages_count_use(g->pages, HOST_USE_STANDBY) +
             host_pages_count_use(g->pages, HOST_USE_CACHE_INACTIVE);
    }
    return n;
}

/* The Windows memory manager (guest/windows.c, docs/model.md "Windows
 * guest"). */

/* Free-page watermarks from the low- and high-memory conditions. */
void guest_windows_watermarks(Guest *guest);
/* The page guest_take_free takes in a Windows guest, not yet written:
 * trims working sets when available memory is low, then grabs a page
 * (guest_windows_grab). */
uint32_t guest_windows_take(Guest *guest, Host *host, SimTime now, SimTime *cost);
/* A zeroed (free) page, else a repurposed standby page, still on its list
 * and not yet written; HOST_NO_PAGE when none is available. */
uint32_t guest_windows_grab(Guest *guest);
/* Trims up to n pages from the working sets to the standby list, colder
 * first; returns the pages trimmed. */
uint64_t guest_windows_trim(Guest *guest, Host *host, uint64_t n, SimTime now, SimTime *cost);
/* The zero-page thread: page p, just freed, is zeroed (a write the host
 * sees) and sits on the free list as a zero page. */
void guest_windows_zero(Guest *guest, Host *host, uint32_t p, SimTime now);
/* A touch of a trimmed page of `tier` (or of the file working set when
 * `use` is HOST_USE_CACHE_ACTIVE): a soft fault back into the working set.
 * Returns its cost. */
SimTime guest_windows_soft_fault(Guest *guest, Host *host, GuestTier tier, HostUse use,
                                 SimTime now);
