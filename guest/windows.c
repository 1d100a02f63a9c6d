/*
 * The Windows memory manager (docs/model.md "Windows guest"), as far as it
 * changes what the host sees: a zero-page thread that zeroes every page
 * freed, a standby list that keeps the contents of pages trimmed from
 * working sets (repurposed first when no zeroed or free page is left, and
 * soft-faulted back in microseconds when touched), working-set trimming
 * when available memory runs low, dirty pages written to the pagefile on
 * their way to standby. The lists map onto the guest's: the zeroed and free
 * lists are HOST_USE_FREE (zeroed at once, so all of it holds zero pages),
 * stale file data is HOST_USE_CACHE_INACTIVE, trimmed pages
 * HOST_USE_STANDBY with per-tier counters of whose they are.
 */
#include "guest/guest-private.h"

/* The low-memory condition: available memory below about 32 MiB per 4 GiB,
 * at most 64 MiB; the high-memory condition at three times that
 * (CreateMemoryResourceNotification, Microsoft docs). Trimming starts at the
 * first and stops at the second (assumption: Windows Internals names the
 * trigger, "available memory low", without figures). */
#define WINDOWS_LOW_DIVISOR 128
#define WINDOWS_LOW_MAX (UINT64_C(64) << 20)
#define WINDOWS_HIGH_FACTOR 3
/* A soft fault (a standby page back into its working set): a trap and a
 * PFN update, no I/O; 2 us per 4 KiB page (assumption: the order of a
 * minor fault). */
#define WINDOWS_SOFT_FAULT (2 * SIM_US)

void guest_windows_watermarks(Guest *g)
{
    uint64_t low = MIN(g->cfg->memory / WINDOWS_LOW_DIVISOR, WINDOWS_LOW_MAX);
    g->wmark.low = MAX(1, (low + g->page_size - 1) / g->page_size);
    g->wmark.min = g->wmark.low;
    g->wmark.high = WINDOWS_HIGH_FACTOR * g->wmark.low;
}

/* A standby page handed to a new use loses its contents: an anon page is
 * then only in the pagefile (a hard fault when touched), a page of the file
 * working set only on disk (a refault). Standby is FIFO; trimming takes the
 * colder tiers first, so the oldest standby pages are taken to be the
 * coldest: cold, warm, file, hot (assumption). O(1). */
static uint32_t repurpose(Guest *g)
{
    uint32_t p = host_pages_pick_use(g->pages, &g->rng_alloc, HOST_USE_STANDBY);
    if (p == HOST_NO_PAGE) {
        return p;
    }
    if (g->standby[GUEST_TIER_COLD] > 0) {
        g->standby[GUEST_TIER_COLD]--;
        g->swapped[GUEST_TIER_COLD]++;
    } else if (g->standby[GUEST_TIER_WARM] > 0) {
        g->standby[GUEST_TIER_WARM]--;
        g->swapped[GUEST_TIER_WARM]++;
    } else if (g->standby_file > 0) {
        g->standby_file--;
        g->evicted_hot++;
    } else {
        g->standby[GUEST_TIER_HOT]--;
        g->swapped[GUEST_TIER_HOT]++;
    }
    return p;
}

/* Zeroed pages first (all free pages are zeroed, guest_windows_zero), then
 * stale file data, then trimmed pages (Windows Internals: the zero list,
 * the free list, then the standby list). */
uint32_t guest_windows_grab(Guest *g)
{
    uint32_t p = host_pages_pick_free(g->pages);
    if (p == HOST_NO_PAGE) {
        p = host_pages_pick_use(g->pages, &g->rng_alloc, HOST_USE_CACHE_INACTIVE);
    }
    return p != HOST_NO_PAGE ? p : repurpose(g);
}

uint32_t guest_windows_take(Guest *g, Host *host, SimTime now, SimTime *cost)
{
    uint64_t available = guest_available(g);
    if (available <= g->wmark.low) {
        guest_windows_trim(g, host, g->wmark.high - available, now, cost);
    }
    return guest_windows_grab(g);
}

/* Trims one page of list `from` to standby. A file page is clean and only
 * changes lists. An anon page is dirty (assumption: the model does not
 * track whether it was written since its last trim): it goes through the
 * modified list to the pagefile, so it needs a pagefile slot, and the
 * modified page writer reads it, bringing back a page the host swapped
 * (double paging, paid by the allocation that waits for it). */
static bool trim_one(Guest *g, Host *host, HostUse from, GuestTier tier, SimTime now,
                     SimTime *cost)
{
    bool file = from == HOST_USE_CACHE_ACTIVE;
    if (!file && guest_pagefile_used(g) >= g->swap_slots) {
        return false;
    }
    uint32_t p = host_pages_pick_use(g->pages, &g->rng_alloc, from);
    if (p == HOST_NO_PAGE) {
        return false;
    }
    if (file) {
        host_pages_set_use(g->pages, p, HOST_USE_STANDBY);
        g->standby_file++;
        return true;
    }
    *cost += host_access(host, g->index, p, HOST_USE_STANDBY, now + *cost);
    guest_disk_write(g, now);
    g->standby[tier]++;
    return true;
}

/* Oldest first: the working-set manager ages pages by their accessed bits
 * and trims those unused longest, which the model's tiers stand for: the
 * cold tail, the warm set, the file working set, the hot set (assumption,
 * as Linux's LRU in guest/reclaim.c). The kernel (non-paged) is never
 * trimmed. Work follows the pages trimmed. */
uint64_t guest_windows_trim(Guest *g, Host *host, uint64_t n, SimTime now, SimTime *cost)
{
    static const struct {
        HostUse use;
        GuestTier tier;
    } order[] = {
        {HOST_USE_ANON_INACTIVE, GUEST_TIER_COLD},
        {HOST_USE_ANON_WARM, GUEST_TIER_WARM},
        {HOST_USE_CACHE_ACTIVE, GUEST_TIER_HOT},
        {HOST_USE_ANON_ACTIVE, GUEST_TIER_HOT},
    };
    uint64_t trimmed = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(order) && trimmed < n; i++) {
        while (trimmed < n && trim_one(g, host, order[i].use, order[i].tier, now, cost)) {
            trimmed++;
        }
    }
    return trimmed;
}

/* The zero-page thread zeroes a freed page at once rather than at a rate:
 * it runs whenever a vCPU is idle and zeroes at memory bandwidth, gigabytes
 * a second, far faster than the model frees pages in a 1 s tick (Windows
 * Internals: it is woken once the free list holds eight pages). The write
 * goes through the host: a page the host had swapped is read back, one it
 * had released (a deflated balloon page) gets a frame again, until sharing
 * finds the zero page. The host write must come first: it drops a shared
 * page's old contents. */
void guest_windows_zero(Guest *g, Host *host, uint32_t p, SimTime now)
{
    static const HostContent zeroes = {.key = 0, .zip = HOST_ZIP_1K};
    host_write_new(host, g->index, p, HOST_USE_FREE, &zeroes, now);
}

SimTime guest_windows_soft_fault(Guest *g, Host *host, GuestTier tier, HostUse use, SimTime now)
{
    uint32_t p = host_pages_pick_use(g->pages, &g->rng_alloc, HOST_USE_STANDBY);
    g_assert(p != HOST_NO_PAGE);
    if (use == HOST_USE_CACHE_ACTIVE) {
        g->standby_file--;
    } else {
        g->standby[tier]--;
    }
    SimTime subpages = (SimTime)MAX(1, g->page_size / HOST_SUBPAGE_BYTES);
    return host_access(host, g->index, p, use, now) + WINDOWS_SOFT_FAULT * subpages;
}
