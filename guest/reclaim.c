/* Guest page reclaim (Linux-like, docs/design.md "Guest") and power on/off. */
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

/* A Linux guest touches only its kernel at boot and the rest lazily; a
 * Windows guest zeroes every page at boot, so all are backed by zero pages
 * (docs/design.md "Guest"). */
void guest_power_on(Guest *g, Host *host, SimTime now)
{
    g_assert(!g->powered_on);
    const SimWorkload *w = &g->cfg->workload;
    g->powered_on = true;
    host_vm_power_on(host, g->index);
    g->anon_target = w->memory / g->page_size;
    g->active_target = w->active / g->page_size;
    g->cache_target = w->page_cache / g->page_size;
    g->touch_rate = w->touch_rate;
    g->write_share = w->write_share;
    g->balloon.rate_slow = g->cfg->guest.balloon.rate_slow_max;
    g->fault_cost_avg = 0.0;
    SimTime cost = 0;
    if (g->cfg->guest.os == SIM_OS_WINDOWS) {
        for (uint32_t p = 0; p < g->pages->n; p++) {
            host_pages_set_key(g->pages, p, 0);
            host_pages_set_zip_class(g->pages, p, HOST_ZIP_1K);
            host_write(host, g->index, p, HOST_USE_FREE, now);
        }
    }
    for (uint64_t k = 0; k < g->kernel_pages; k++) {
        uint32_t p = guest_take_free(g, host, HOST_USE_KERNEL, now, &cost);
        guest_fill_content(g, p);
    }
}

/* O(configured pages): every page's backing is given back, which is the
 * work a power-off really does. */
void guest_power_off(Guest *g, Host *host)
{
    g_assert(g->powered_on);
    for (uint32_t p = 0; p < g->pages->n; p++) {
        host_release(host, g->index, p, HOST_USE_FREE);
    }
    host_vm_power_off(host, g->index);
    g->powered_on = false;
    g->swapped_hot = g->swapped_cold = g->evicted_hot = 0;
    g->pending_stall = 0;
}

uint64_t guest_free_pages(const Guest *g)
{
    return host_pages_count_use(g->pages, HOST_USE_FREE);
}

uint64_t guest_cache_pages(const Guest *g)
{
    return host_pages_count_use(g->pages, HOST_USE_CACHE_ACTIVE) +
           host_pages_count_use(g->pages, HOST_USE_CACHE_INACTIVE);
}

uint64_t guest_swap_used(const Guest *g)
{
    return g->swapped_hot + g->swapped_cold;
}

void guest_take_interval(Guest *g, SimTime *stalled, SimTime *on)
{
    *stalled = g->stall_interval;
    *on = g->on_interval;
    g->stall_interval = g->on_interval = 0;
}

void guest_totals(const Guest *g, SimTime *stalled, SimTime *on)
{
    *stalled = g->stall_total;
    *on = g->on_total;
}
