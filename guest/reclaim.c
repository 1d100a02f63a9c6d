/* Guest page reclaim (Linux-like, docs/design.md "Guest"): the order in
 * which the guest frees pages, and double paging. */
#include "guest/guest-private.h"

/* The tier whose anon list is `use`, or GUEST_TIER_MAX for a non-anon list. */
static GuestTier anon_tier(HostUse use)
{
    for (GuestTier t = 0; t < GUEST_TIER_MAX; t++) {
        if (guest_tier_use(t) == use) {
            return t;
        }
    }
    return GUEST_TIER_MAX;
}

/* Evicts one page of list `from` to the free list. Anon pages go to guest
 * swap; a page the host had swapped must first be read back (double
 * paging), which the reclaiming vCPU waits for. */
static bool evict_one(Guest *g, Host *host, HostUse from, SimTime now, SimTime *cost)
{
    GuestTier tier = anon_tier(from);
    bool anon = tier != GUEST_TIER_MAX;
    if (anon && guest_pagefile_used(g) >= g->swap_slots) {
        return false;
    }
    uint32_t p = host_pages_pick_use(g->pages, &g->rng_alloc, from);
    if (p == HOST_NO_PAGE) {
        return false;
    }
    if (anon) {
        *cost += host_access(host, g->index, p, HOST_USE_FREE, now + *cost);
        guest_disk_write(g, now);
        g->swapped[tier]++;
    } else if (from == HOST_USE_CACHE_ACTIVE) {
        g->evicted_hot++;
    } else if (from == HOST_USE_CACHE_WARM) {
        g->evicted_warm++;
    }
    host_pages_set_use(g->pages, p, HOST_USE_FREE);
    return true;
}

/* Colder first: Linux's LRU approximates the workload's popularity tiers
 * (docs/model.md "Workload: access skew"), so stale cache, the file set's
 * warm part, the cold tail and the warm set go before the file and anon
 * hot sets. The warm file pages go before cold anon because Linux scans
 * the inactive file list first and drops clean file pages without a write
 * (vm.swappiness 60 favours file pages; assumption that this holds against
 * cold anon too). */
uint64_t guest_reclaim(Guest *g, Host *host, uint64_t n, SimTime now, SimTime *cost)
{
    static const HostUse order[] = {
        HOST_USE_CACHE_INACTIVE, HOST_USE_CACHE_WARM,   HOST_USE_ANON_INACTIVE,
        HOST_USE_ANON_WARM,      HOST_USE_CACHE_ACTIVE, HOST_USE_ANON_ACTIVE,
    };
    uint64_t freed = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(order) && freed < n; i++) {
        while (freed < n && evict_one(g, host, order[i], now, cost)) {
            freed++;
        }
    }
    return freed;
}
