/*
 * The workload (docs/design.md "Guest" and "Time and cost"): it grows its anon
 * memory toward `memory`, keeps `active` of it hot, keeps `page_cache` of
 * file data, and touches the hot set at `touch_rate`. Touches are a rate,
 * never simulated one by one: per tick, the number of distinct
 * non-resident hot pages touched is drawn, and only those are faulted in.
 */
#include "guest/guest-private.h"

#include <math.h>

/* Kinds of non-resident hot page and where a touch finds them. */
typedef enum {
    FAULT_KERNEL_HOST, /* kernel page the host swapped */
    FAULT_ANON_HOST,   /* hot anon page the host swapped */
    FAULT_CACHE_HOST,  /* hot file page the host swapped */
    FAULT_GUEST_SWAP,  /* hot anon page in guest swap */
    FAULT_REFAULT,     /* hot file page the guest dropped */
    FAULT_MAX
} FaultKind;

/* The guest list of each kind the host holds out of memory. */
static const HostUse host_fault_use[] = {
    [FAULT_KERNEL_HOST] = HOST_USE_KERNEL,
    [FAULT_ANON_HOST] = HOST_USE_ANON_ACTIVE,
    [FAULT_CACHE_HOST] = HOST_USE_CACHE_ACTIVE,
};

static bool is_host_fault(FaultKind kind)
{
    return kind <= FAULT_CACHE_HOST;
}

static uint64_t pages_per_tick(double bytes_per_s, SimTime dt, uint64_t page_size)
{
    return (uint64_t)(bytes_per_s * sim_time_to_s(dt) / (double)page_size);
}

static uint64_t hot_pages(const Guest *g)
{
    return host_pages_count_use(g->pages, HOST_USE_ANON_ACTIVE) + g->swapped_hot;
}

/* New anon pages join the hot set while it is below its target. */
static bool grow_anon(Guest *g, Host *host, uint64_t n, SimTime now, SimTime *cost)
{
    for (uint64_t i = 0; i < n; i++) {
        bool hot = hot_pages(g) < g->active_target;
        uint32_t p = guest_take_free(g, host, hot ? HOST_USE_ANON_ACTIVE : HOST_USE_ANON_INACTIVE,
                                     now, cost);
        if (p == HOST_NO_PAGE) {
            return false;
        }
        guest_fill_content(g, p);
    }
    return true;
}

/* The workload frees memory: cold swapped pages first, then cold, then hot.
 * Freed pages stay backed: the host cannot see a guest free. */
static void shrink_anon(Guest *g, uint64_t n)
{
    uint64_t k = MIN(n, g->swapped_cold);
    g->swapped_cold -= k;
    n -= k;
    static const HostUse order[] = {HOST_USE_ANON_INACTIVE, HOST_USE_ANON_ACTIVE};
    for (size_t i = 0; i < G_N_ELEMENTS(order) && n > 0; i++) {
        uint32_t p;
        while (n > 0 &&
               (p = host_pages_pick_use(g->pages, &g->rng_alloc, order[i])) != HOST_NO_PAGE) {
            host_pages_set_use(g->pages, p, HOST_USE_FREE);
            n--;
        }
    }
    k = MIN(n, g->swapped_hot);
    g->swapped_hot -= k;
}

/* Moves pages between the hot and cold anon lists (and their swapped
 * counterparts) until the hot set has its target size. */
static void rebalance_hot(Guest *g)
{
    uint64_t target = MIN(g->active_target, guest_anon_pages(g));
    while (hot_pages(g) < target) {
        uint64_t resident = host_pages_count_use(g->pages, HOST_USE_ANON_INACTIVE);
        if (sim_rng_below(&g->rng_alloc, resident + g->swapped_cold) < resident) {
            uint32_t p = host_pages_pick_use(g->pages, &g->rng_alloc, HOST_USE_ANON_INACTIVE);
            host_pages_set_use(g->pages, p, HOST_USE_ANON_ACTIVE);
        } else {
            g->swapped_cold--;
            g->swapped_hot++;
        }
    }
    while (hot_pages(g) > target) {
        uint64_t resident = host_pages_count_use(g->pages, HOST_USE_ANON_ACTIVE);
        if (sim_rng_below(&g->rng_alloc, resident + g->swapped_hot) < resident) {
            uint32_t p = host_pages_pick_use(g->pages, &g->rng_alloc, HOST_USE_ANON_ACTIVE);
            host_pages_set_use(g->pages, p, HOST_USE_ANON_INACTIVE);
        } else {
            g->swapped_hot--;
            g->swapped_cold++;
        }
    }
}

/* The file working set is read in at the disk's bandwidth (reads the
 * workload would do anyway: not a stall); beyond it, a Linux guest fills
 * free memory above the high watermark with stale cache over time. */
static void grow_cache(Guest *g, Host *host, SimTime now, SimTime dt, SimTime *cost)
{
    const SimGuestConfig *gc = &g->cfg->guest;
    uint64_t have = host_pages_count_use(g->pages, HOST_USE_CACHE_ACTIVE) + g->evicted_hot;
    uint64_t n = MIN(g->cache_target - MIN(have, g->cache_target),
                     pages_per_tick(gc->disk_bandwidth, dt, g->page_size));
    for (uint64_t i = 0; i < n; i++) {
        uint32_t p = guest_take_free(g, host, HOST_USE_CACHE_ACTIVE, now, cost);
        if (p == HOST_NO_PAGE) {
            return;
        }
        guest_fill_content(g, p);
    }
    while (have > g->cache_target) {
        uint32_t p = host_pages_pick_use(g->pages, &g->rng_alloc, HOST_USE_CACHE_ACTIVE);
        if (p != HOST_NO_PAGE) {
            host_pages_set_use(g->pages, p, HOST_USE_CACHE_INACTIVE);
        } else {
            g->evicted_hot--;
        }
        have--;
    }
    if (gc->os != SIM_OS_LINUX) {
        return;
    }
    uint64_t free_now = guest_free_pages(g);
    uint64_t fill = MIN(free_now - MIN(free_now, g->wmark.high),
                        pages_per_tick(gc->cache_fill_rate, dt, g->page_size));
    for (uint64_t i = 0; i < fill; i++) {
        uint32_t p = host_pages_pick_free(g->pages);
        *cost += host_write(host, g->index, p, HOST_USE_CACHE_INACTIVE, now + *cost);
        guest_fill_content(g, p);
    }
}

static uint64_t fault_count(const Guest *g, FaultKind kind)
{
    if (is_host_fault(kind)) {
        HostUse use = host_fault_use[kind];
        return host_pages_count_res(g->pages, use, HOST_RES_OUT) +
               host_pages_count_res(g->pages, use, HOST_RES_NONE);
    }
    return kind == FAULT_GUEST_SWAP ? g->swapped_hot : g->evicted_hot;
}

/* The pages touches spread over: the kernel (assumption: it is always in
 * use), the hot anon set and the file working set, wherever they are. */
static uint64_t touched_set(const Guest *g)
{
    return host_pages_count_use(g->pages, HOST_USE_KERNEL) + hot_pages(g) +
           host_pages_count_use(g->pages, HOST_USE_CACHE_ACTIVE) + g->evicted_hot;
}

/* Serves one touch of a non-resident hot page of `kind`; returns its cost. */
static SimTime fault_one(Guest *g, Host *host, FaultKind kind, SimTime at)
{
    SimTime cost = 0;
    if (is_host_fault(kind)) {
        HostUse use = host_fault_use[kind];
        HostResidency res =
            host_pages_count_res(g->pages, use, HOST_RES_OUT) > 0 ? HOST_RES_OUT : HOST_RES_NONE;
        uint32_t p = host_pages_pick(g->pages, use, res);
        return host_access(host, g->index, p, use, at);
    }
    bool swap = kind == FAULT_GUEST_SWAP;
    uint32_t p =
        guest_take_free(g, host, swap ? HOST_USE_ANON_ACTIVE : HOST_USE_CACHE_ACTIVE, at, &cost);
    if (p == HOST_NO_PAGE) {
        return cost;
    }
    cost += guest_disk_read(g, at + cost);
    if (swap) {
        g->swapped_hot--;
    } else {
        g->evicted_hot--;
    }
    return cost;
}

/* Writes to hot pages the host shares break the sharing (copy-on-write):
 * of the touches, `workload.write_share` are writes (default 0.3, an
 * assumption: a typical read/write mix), and each shared hot anon page is
 * written at least once in the tick with probability 1 - exp(-writes / hot)
 * and gets new contents. The copy itself costs microseconds: not counted as
 * a stall. */
static void write_shared(Guest *g, Host *host, double touches, uint64_t hot, SimTime now)
{
    uint64_t shared = host_pages_count_res(g->pages, HOST_USE_ANON_ACTIVE, HOST_RES_SHARED);
    if (shared == 0) {
        return;
    }
    double p_write = -expm1(-touches * g->write_share / (double)hot);
    uint64_t n = sim_rng_binomial(&g->rng_touch, shared, p_write);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t p = host_pages_pick(g->pages, HOST_USE_ANON_ACTIVE, HOST_RES_SHARED);
        host_write(host, g->index, p, HOST_USE_ANON_ACTIVE, now);
        guest_fill_content(g, p);
    }
    g->cow_breaks += n;
}

uint64_t guest_cow_breaks(const Guest *g)
{
    return g->cow_breaks;
}

/* Touches the workload makes in dt: with a share q of hot pages not
 * resident and faults costing L on average, each touch takes 1/rate + q L
 * of vCPU time, so a vCPU that stalls touches less (docs/design.md: stalls feed
 * back). L is the average cost of this VM's recent faults. */
static double touches_in(const Guest *g, SimTime dt, uint64_t hot, uint64_t nonresident)
{
    double q = (double)nonresident / (double)hot;
    double per_touch = 1.0 / g->touch_rate + q * g->fault_cost_avg;
    return sim_time_to_s(dt) / per_touch;
}

/*
 * Touches for one tick. With K touches spread uniformly over H hot pages, a
 * given page is touched at least once with probability 1 - exp(-K/H); the
 * number of non-resident pages of each kind touched is drawn binomially, and
 * the faults are served in random order until the tick's time is used up.
 */
static SimTime touch(Guest *g, Host *host, SimTime now, SimTime dt, SimTime stall)
{
    uint64_t hot = touched_set(g);
    if (hot == 0 || g->touch_rate <= 0.0) {
        host_vm_report_touches(host, g->index, hot, 0.0);
        return stall;
    }
    uint64_t count[FAULT_MAX], left[FAULT_MAX], nonresident = 0, total = 0;
    for (int k = 0; k < FAULT_MAX; k++) {
        count[k] = fault_count(g, (FaultKind)k);
        nonresident += count[k];
    }
    double touches = touches_in(g, dt - stall, hot, nonresident);
    host_vm_report_touches(host, g->index, hot, touches / sim_time_to_s(dt));
    /* touches are of 4 KiB pages; a simulated page stands for `sub` of them */
    double sub = (double)g->page_size / HOST_SUBPAGE_BYTES;
    double p_hit = -expm1(-touches / ((double)hot * sub));
    for (int k = 0; k < FAULT_MAX; k++) {
        left[k] = sim_rng_binomial(&g->rng_touch, count[k], p_hit);
        total += left[k];
    }
    if (total > 0 && host_vm_alloc_blocked(host, g->index)) {
        return dt; /* blocked from allocating in low: every fault waits */
    }
    SimTime fault_stall = 0;
    uint64_t served = 0;
    while (total > 0 && stall + fault_stall < dt) {
        uint64_t r = sim_rng_below(&g->rng_touch, total);
        int k = 0;
        while (r >= left[k]) {
            r -= left[k++];
        }
        left[k]--;
        total--;
        if (fault_count(g, (FaultKind)k) > 0) {
            fault_stall += fault_one(g, host, (FaultKind)k, now + stall + fault_stall);
            served++;
        }
    }
    if (served > 0) {
        double avg = sim_time_to_s(fault_stall) / ((double)served * sub);
        g->fault_cost_avg = 0.5 * g->fault_cost_avg + 0.5 * avg;
    }
    write_shared(g, host, touches / sub, hot, now);
    return stall + fault_stall;
}

void guest_apply_phase(Guest *g, const SimPhase *phase)
{
    if (phase->has_memory) {
        g->anon_target = phase->memory / g->page_size;
    }
    if (phase->has_active) {
        g->active_target = phase->active / g->page_size;
    }
    if (phase->has_page_cache) {
        g->cache_target = phase->page_cache / g->page_size;
    }
    if (phase->has_touch_rate) {
        g->touch_rate = phase->touch_rate;
    }
    if (phase->has_write_share) {
        g->write_share = phase->write_share;
    }
}

void guest_tick(Guest *g, Host *host, SimTime now, SimTime dt)
{
    if (!g->powered_on) {
        return;
    }
    SimTime stall = MIN(g->pending_stall, dt);
    g->pending_stall -= stall;
    uint64_t anon = guest_anon_pages(g);
    bool blocked = host_vm_alloc_blocked(host, g->index);
    if (anon < g->anon_target) {
        uint64_t n = MIN(g->anon_target - anon,
                         pages_per_tick(g->cfg->workload.alloc_rate, dt, g->page_size));
        if (blocked) {
            stall = dt; /* low state: the allocation waits for the host */
        } else {
            grow_anon(g, host, n, now, &stall);
        }
    } else if (anon > g->anon_target) {
        shrink_anon(g, anon - g->anon_target);
    }
    rebalance_hot(g);
    if (!blocked) {
        grow_cache(g, host, now, dt, &stall);
    }
    stall = touch(g, host, now, dt, MIN(stall, dt));
    /* faults are served until the tick is used up, the last one whole; of
     * a simulated page's page_size / 4 KiB faults, those beyond the tick
     * wait for the next (docs/model.md "Pages"; none at 4 KiB) */
    double sub = (double)g->page_size / HOST_SUBPAGE_BYTES;
    g->pending_stall += stall > dt ? (SimTime)((double)(stall - dt) * (1.0 - 1.0 / sub)) : 0;
    stall = MIN(stall, dt);
    g->stall_total += stall;
    g->stall_interval += stall;
    g->on_total += dt;
    g->on_interval += dt;
}
