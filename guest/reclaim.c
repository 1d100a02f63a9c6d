/* Guest page reclaim (Linux-like, docs/design.md "Guest"): the order in
 * which the guest frees pages, and double paging. */
#include "guest/guest-private.h"

static void disk_write(Guest *g, SimTime now)
{
    const SimGuestConfig *gc = &g->cfg->guest;
    SimTime start = MAX(g->disk_busy_until, now);
    g->disk_busy_until = start + (SimTime)((double)g->page_size / gc->disk_bandwidth * (double)SIM_S);
}

/* Evicts one page of list `from` to the free list. Anon pages go to guest
 * swap; a page the host had swapped must first be read back (double
 * paging), which the reclaiming vCPU waits for. */
static bool evict_one(Guest *g, Host *host, HostUse from, SimTime now, SimTime *cost)
{
    bool anon = from == HOST_USE_ANON_ACTIVE || from == HOST_USE_ANON_INACTIVE;
    if (anon && g->swapped_hot + g->swapped_cold >= g->swap_slots) {
        return false;
    }
    uint32_t p = host_pages_pick_use(g->pages, &g->rng_alloc, from);
    if (p == HOST_NO_PAGE) {
        return false;
    }
    if (anon) {
        *cost += host_access(host, g->index, p, HOST_USE_FREE, now + *cost);
        disk_write(g, now);
        if (from == HOST_USE_ANON_ACTIVE) {
            g->swapped_hot++;
        } else {
            g->swapped_cold++;
        }
    } else if (from == HOST_USE_CACHE_ACTIVE) {
        g->evicted_hot++;
    }
    host_pages_set_use(g->pages, p, HOST_USE_FREE);
    return true;
}

uint64_t guest_reclaim(Guest *g, Host *host, uint64_t n, SimTime now, SimTime *cost)
{
    static const HostUse order[] = {
        HOST_USE_CACHE_INACTIVE,
        HOST_USE_ANON_INACTIVE,
        HOST_USE_CACHE_ACTIVE,
        HOST_USE_ANON_ACTIVE,
    };
    uint64_t freed = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(order) && freed < n; i++) {
        while (freed < n && evict_one(g, host, order[i], now, cost)) {
            freed++;
        }
    }
    return freed;
}
