/*
 * The workload (docs/model.md "Guest", "Time and cost" and "Workload: access
 * skew"): it grows its anon memory toward `memory`, keeps `active` of it hot,
 * `warm` of the rest warm and the remainder as a cold tail, keeps
 * `page_cache` of file data, and touches all of it at `touch_rate`, each
 * tier getting its share of the touches. Touches are a rate, never
 * simulated one by one: per tick and tier, the number of distinct
 * non-resident pages touched is drawn, and only those are faulted in.
 */
#include "guest/guest-private.h"

#include <math.h>

/* Kinds of non-resident page and where a touch finds them. */
typedef enum {
    FAULT_HOST,       /* a page the host swapped, compressed or never backed */
    FAULT_GUEST_SWAP, /* an anon page in guest swap */
    FAULT_REFAULT,    /* a hot file page the guest dropped */
    FAULT_SOFT,       /* a page a Windows guest trimmed to its standby list */
} FaultKind;

/* Where the non-resident pages of each tier are: every list a tier spans,
 * on the host's side and on the guest's. */
typedef struct FaultSource {
    GuestTier tier;
    FaultKind kind;
    HostUse use; /* the guest list the page is on, or goes to when faulted */
} FaultSource;

static const FaultSource sources[] = {
    {GUEST_TIER_HOT, FAULT_HOST, HOST_USE_KERNEL},
    {GUEST_TIER_HOT, FAULT_HOST, HOST_USE_ANON_ACTIVE},
    {GUEST_TIER_HOT, FAULT_HOST, HOST_USE_CACHE_ACTIVE},
    {GUEST_TIER_HOT, FAULT_GUEST_SWAP, HOST_USE_ANON_ACTIVE},
    {GUEST_TIER_HOT, FAULT_REFAULT, HOST_USE_CACHE_ACTIVE},
    {GUEST_TIER_WARM, FAULT_HOST, HOST_USE_ANON_WARM},
    {GUEST_TIER_WARM, FAULT_GUEST_SWAP, HOST_USE_ANON_WARM},
    {GUEST_TIER_COLD, FAULT_HOST, HOST_USE_ANON_INACTIVE},
    {GUEST_TIER_COLD, FAULT_GUEST_SWAP, HOST_USE_ANON_INACTIVE},
    /* Windows only (none on Linux): last, so Linux draws as before */
    {GUEST_TIER_HOT, FAULT_SOFT, HOST_USE_ANON_ACTIVE},
    {GUEST_TIER_HOT, FAULT_SOFT, HOST_USE_CACHE_ACTIVE},
    {GUEST_TIER_WARM, FAULT_SOFT, HOST_USE_ANON_WARM},
    {GUEST_TIER_COLD, FAULT_SOFT, HOST_USE_ANON_INACTIVE},
    /* the file set's warm part (none with page_cache 0): last, as above */
    {GUEST_TIER_WARM, FAULT_HOST, HOST_USE_CACHE_WARM},
    {GUEST_TIER_WARM, FAULT_REFAULT, HOST_USE_CACHE_WARM},
};
#define N_SOURCES G_N_ELEMENTS(sources)

static uint64_t pages_per_tick(double bytes_per_s, SimTime dt, uint64_t page_size)
{
    return (uint64_t)(bytes_per_s * sim_time_to_s(dt) / (double)page_size);
}

/* 4 KiB pages per simulated page (docs/model.md "Pages"). */
static double subpages(const Guest *g)
{
    return MAX(1.0, (double)g->page_size / HOST_SUBPAGE_BYTES);
}

/* Anon pages of tier t, in memory, in guest swap or (Windows) trimmed to
 * standby. */
static uint64_t anon_in(const Guest *g, GuestTier t)
{
    return host_pages_count_use(g->pages, guest_tier_use(t)) + g->swapped[t] + g->standby[t];
}

/* What each anon tier should hold with `anon` pages: the hot set first,
 * then the warm set, the cold tail the rest. */
static void tier_targets(const Guest *g, uint64_t anon, uint64_t target[GUEST_TIER_MAX])
{
    target[GUEST_TIER_HOT] = MIN(g->active_target, anon);
    const SimWorkload *w = &g->cfg->workload;
    uint64_t warm = w->has_warm ? w->warm / g->page_size : g->anon_target / 4;
    target[GUEST_TIER_WARM] = MIN(warm, anon - target[GUEST_TIER_HOT]);
    target[GUEST_TIER_COLD] = anon - target[GUEST_TIER_HOT] - target[GUEST_TIER_WARM];
}

/* New anon pages join the hottest tier below its target. */
static bool grow_anon(Guest *g, Host *host, uint64_t n, SimTime now, SimTime *cost)
{
    uint64_t target[GUEST_TIER_MAX];
    tier_targets(g, guest_anon_pages(g) + n, target);
    for (uint64_t i = 0; i < n; i++) {
        GuestTier t = GUEST_TIER_HOT;
        while (t < GUEST_TIER_COLD && anon_in(g, t) >= target[t]) {
            t++;
        }
        if (guest_take_new(g, host, guest_tier_use(t), now, cost) == HOST_NO_PAGE) {
            return false;
        }
    }
    return true;
}

/* A page the workload freed: it stays backed (the host cannot see a guest
 * free); a Linux guest leaves its stale contents, a Windows guest's
 * zero-page thread zeroes it. */
static void free_page(Guest *g, Host *host, uint32_t p, SimTime now)
{
    if (guest_is_windows(g)) {
        guest_windows_zero(g, host, p, now);
    } else {
        host_pages_set_use(g->pages, p, HOST_USE_FREE);
    }
}

/* The workload frees memory, colder tiers first, swapped pages before
 * (Windows) trimmed ones before resident ones. */
static void shrink_anon(Guest *g, Host *host, uint64_t n, SimTime now)
{
    for (int t = GUEST_TIER_COLD; t >= GUEST_TIER_HOT && n > 0; t--) {
        uint64_t k = MIN(n, g->swapped[t]);
        g->swapped[t] -= k;
        n -= k;
        for (; n > 0 && g->standby[t] > 0; n--) {
            g->standby[t]--;
            free_page(g, host, host_pages_pick_use(g->pages, &g->rng_alloc, HOST_USE_STANDBY),
                      now);
        }
        uint32_t p;
        while (n > 0 && (p = host_pages_pick_use(g->pages, &g->rng_alloc,
                                                 guest_tier_use((GuestTier)t))) != HOST_NO_PAGE) {
            free_page(g, host, p, now);
            n--;
        }
    }
}

/* Moves one anon page from tier `from` to tier `to`, resident, in guest
 * swap or (Windows) on standby in proportion to where `from`'s pages are. */
static void move_tier(Guest *g, GuestTier from, GuestTier to)
{
    uint64_t resident = host_pages_count_use(g->pages, guest_tier_use(from));
    uint64_t r = sim_rng_below(&g->rng_alloc, resident + g->swapped[from] + g->standby[from]);
    if (r < resident) {
        uint32_t p = host_pages_pick_use(g->pages, &g->rng_alloc, guest_tier_use(from));
        host_pages_set_use(g->pages, p, guest_tier_use(to));
    } else if (r < resident + g->swapped[from]) {
        g->swapped[from]--;
        g->swapped[to]++;
    } else {
        g->standby[from]--;
        g->standby[to]++;
    }
}

/* Moves pages between the tiers until the hot and warm sets have their
 * target sizes: the hot set gains from the warm set first (its warmest
 * pages), the warm set from the cold tail. Work follows the pages moved. */
static void rebalance_tiers(Guest *g)
{
    uint64_t target[GUEST_TIER_MAX];
    tier_targets(g, guest_anon_pages(g), target);
    while (anon_in(g, GUEST_TIER_HOT) < target[GUEST_TIER_HOT]) {
        move_tier(g, anon_in(g, GUEST_TIER_WARM) > 0 ? GUEST_TIER_WARM : GUEST_TIER_COLD,
                  GUEST_TIER_HOT);
    }
    while (anon_in(g, GUEST_TIER_HOT) > target[GUEST_TIER_HOT]) {
        move_tier(g, GUEST_TIER_HOT, GUEST_TIER_WARM);
    }
    while (anon_in(g, GUEST_TIER_WARM) < target[GUEST_TIER_WARM]) {
        move_tier(g, GUEST_TIER_COLD, GUEST_TIER_WARM);
    }
    while (anon_in(g, GUEST_TIER_WARM) > target[GUEST_TIER_WARM]) {
        move_tier(g, GUEST_TIER_WARM, GUEST_TIER_COLD);
    }
}

/* File pages of the file set's hot part (GUEST_TIER_HOT) or warm part
 * (GUEST_TIER_WARM), wherever they are: in memory, dropped (refault from
 * disk) or (Windows) trimmed to standby. */
static uint64_t file_in(const Guest *g, GuestTier t)
{
    if (t == GUEST_TIER_WARM) {
        return host_pages_count_use(g->pages, HOST_USE_CACHE_WARM) + g->evicted_warm;
    }
    return host_pages_count_use(g->pages, HOST_USE_CACHE_ACTIVE) + g->evicted_hot +
           g->standby_file;
}

/* The file set's hot part, pages: `cache_hot` of it (docs/model.md
 * "Workload: access skew"); a Windows guest keeps all of it hot (its
 * trimming knows no warm file list). */
static uint64_t file_hot_target(const Guest *g)
{
    if (guest_is_windows(g)) {
        return g->cache_target;
    }
    double hot = g->cfg->workload.cache_hot * (double)g->cache_target;
    return MIN(g->cache_target, (uint64_t)llround(hot));
}

/* Moves one file page of the set's part `from` to part `to` (the other),
 * in memory or dropped in proportion to where `from`'s pages are (Linux:
 * no standby pages). */
static void move_file(Guest *g, GuestTier from, GuestTier to)
{
    const HostUse use[GUEST_TIER_MAX] = {[GUEST_TIER_HOT] = HOST_USE_CACHE_ACTIVE,
                                         [GUEST_TIER_WARM] = HOST_USE_CACHE_WARM};
    uint64_t *evicted[GUEST_TIER_MAX] = {[GUEST_TIER_HOT] = &g->evicted_hot,
                                         [GUEST_TIER_WARM] = &g->evicted_warm};
    uint64_t resident = host_pages_count_use(g->pages, use[from]);
    if (sim_rng_below(&g->rng_alloc, resident + *evicted[from]) < resident) {
        uint32_t p = host_pages_pick_use(g->pages, &g->rng_alloc, use[from]);
        host_pages_set_use(g->pages, p, use[to]);
    } else {
        (*evicted[from])--;
        (*evicted[to])++;
    }
}

/* Keeps the file set's hot part at its target: it gains from the warm
 * part and gives to it. Work follows the pages moved. */
static void rebalance_files(Guest *g)
{
    uint64_t hot = file_hot_target(g);
    while (file_in(g, GUEST_TIER_HOT) < hot && file_in(g, GUEST_TIER_WARM) > 0) {
        move_file(g, GUEST_TIER_WARM, GUEST_TIER_HOT);
    }
    while (file_in(g, GUEST_TIER_HOT) > hot && g->standby_file == 0) {
        move_file(g, GUEST_TIER_HOT, GUEST_TIER_WARM);
    }
}

/* The file set shrank: a page of it, its warm part first, becomes stale
 * cache (in memory) or is forgotten (dropped already). */
static void shrink_file_one(Guest *g)
{
    if (file_in(g, GUEST_TIER_WARM) > 0) {
        uint32_t p = host_pages_pick_use(g->pages, &g->rng_alloc, HOST_USE_CACHE_WARM);
        if (p != HOST_NO_PAGE) {
            host_pages_set_use(g->pages, p, HOST_USE_CACHE_INACTIVE);
        } else {
            g->evicted_warm--;
        }
        return;
    }
    uint32_t p = host_pages_pick_use(g->pages, &g->rng_alloc, HOST_USE_CACHE_ACTIVE);
    if (p == HOST_NO_PAGE && g->standby_file > 0) {
        /* Windows: a trimmed file page is stale file data now */
        g->standby_file--;
        p = host_pages_pick_use(g->pages, &g->rng_alloc, HOST_USE_STANDBY);
    }
    if (p != HOST_NO_PAGE) {
        host_pages_set_use(g->pages, p, HOST_USE_CACHE_INACTIVE);
    } else {
        g->evicted_hot--;
    }
}

/* The file working set is read in at the disk's bandwidth (reads the
 * workload would do anyway: not a stall), its hot part first, then its
 * warm part; beyond it, a Linux guest fills free memory above the high
 * watermark with stale cache over time. */
static void grow_cache(Guest *g, Host *host, SimTime now, SimTime dt, SimTime *cost)
{
    const SimGuestConfig *gc = &g->cfg->guest;
    uint64_t have = file_in(g, GUEST_TIER_HOT) + file_in(g, GUEST_TIER_WARM);
    uint64_t n = MIN(g->cache_target - MIN(have, g->cache_target),
                     pages_per_tick(gc->disk_bandwidth, dt, g->page_size));
    uint64_t hot = file_hot_target(g);
    for (uint64_t i = 0; i < n; i++) {
        HostUse use =
            file_in(g, GUEST_TIER_HOT) < hot ? HOST_USE_CACHE_ACTIVE : HOST_USE_CACHE_WARM;
        if (guest_take_new(g, host, use, now, cost) == HOST_NO_PAGE) {
            return;
        }
    }
    for (; have > g->cache_target; have--) {
        shrink_file_one(g);
    }
    rebalance_files(g);
    if (gc->os != SIM_OS_LINUX) {
        return;
    }
    uint64_t free_now = guest_free_pages(g);
    uint64_t fill = MIN(free_now - MIN(free_now, g->wmark.high),
                        pages_per_tick(gc->cache_fill_rate, dt, g->page_size));
    for (uint64_t i = 0; i < fill; i++) {
        host_prefetch_free_writes(host, g->index, i == 0);
        uint32_t p = host_pages_pick_free(g->pages);
        HostContent c = guest_draw_content(g);
        *cost += host_write_new(host, g->index, p, HOST_USE_CACHE_INACTIVE, &c, now + *cost);
    }
}

static uint64_t fault_count(const Guest *g, const FaultSource *src)
{
    switch (src->kind) {
    case FAULT_HOST:
        return host_pages_count_res(g->pages, src->use, HOST_RES_OUT) +
               host_pages_count_res(g->pages, src->use, HOST_RES_NONE);
    case FAULT_GUEST_SWAP:
        return g->swapped[src->tier];
    case FAULT_REFAULT:
        return src->use == HOST_USE_CACHE_WARM ? g->evicted_warm : g->evicted_hot;
    default:
        return src->use == HOST_USE_CACHE_ACTIVE ? g->standby_file : g->standby[src->tier];
    }
}

/* Pages of tier t, wherever they are. The hot set holds the kernel
 * (assumption: it is always in use), the hot anon set and the file set's
 * hot part; the warm set the warm anon set and the file set's warm part. */
static uint64_t tier_pages(const Guest *g, GuestTier t)
{
    uint64_t n = anon_in(g, t);
    if (t == GUEST_TIER_HOT) {
        n += host_pages_count_use(g->pages, HOST_USE_KERNEL) + file_in(g, GUEST_TIER_HOT);
    } else if (t == GUEST_TIER_WARM) {
        n += file_in(g, GUEST_TIER_WARM);
    }
    return n;
}

/* Linux reads a file ahead in windows of 128 KiB (VM_READAHEAD_PAGES =
 * SZ_128K / PAGE_SIZE, include/linux/pagemap.h; read_ahead_kb 128). */
#define READAHEAD_BYTES (128.0 * 1024.0)

/* Reads a dropped file page back from the guest disk. Of the file reads,
 * `workload.sequential` are sequential: readahead brings them in a window
 * at a time, so they cost one disk latency per window (shared by its
 * 4 KiB pages) and the transfer at the disk's bandwidth; the rest cost a
 * latency per 4 KiB page, as guest_disk_read. The expected latency is
 * charged rather than a draw per window (docs/model.md "Workload: access
 * skew"). */
static SimTime file_read(Guest *g, SimTime now)
{
    const SimGuestConfig *gc = &g->cfg->guest;
    double seq = g->cfg->workload.sequential;
    if (seq <= 0.0) {
        return guest_disk_read(g, now);
    }
    SimTime start = MAX(g->disk_busy_until, now);
    SimTime xfer = (SimTime)((double)g->page_size / gc->disk_bandwidth * (double)SIM_S);
    double per_page = 1.0 - seq + seq * HOST_SUBPAGE_BYTES / READAHEAD_BYTES;
    g->disk_busy_until = start + xfer;
    return (start - now) +
           (SimTime)((double)gc->disk_latency * subpages(g) * per_page) + xfer;
}

/* Serves one touch of a non-resident page of `src`; returns its cost. */
static SimTime fault_one(Guest *g, Host *host, const FaultSource *src, SimTime at)
{
    SimTime cost = 0;
    if (src->kind == FAULT_HOST) {
        HostResidency res = host_pages_count_res(g->pages, src->use, HOST_RES_OUT) > 0
                                ? HOST_RES_OUT
                                : HOST_RES_NONE;
        uint32_t p = host_pages_pick(g->pages, src->use, res);
        return host_access(host, g->index, p, src->use, at);
    }
    if (src->kind == FAULT_SOFT) {
        return guest_windows_soft_fault(g, host, src->tier, src->use, at);
    }
    uint32_t p = guest_take_free(g, host, src->use, at, &cost);
    if (p == HOST_NO_PAGE) {
        return cost;
    }
    cost += src->kind == FAULT_REFAULT ? file_read(g, at + cost) : guest_disk_read(g, at + cost);
    if (src->kind == FAULT_GUEST_SWAP) {
        g->swapped[src->tier]--;
    } else if (src->use == HOST_USE_CACHE_WARM) {
        g->evicted_warm--;
    } else {
        g->evicted_hot--;
    }
    return cost;
}

/* The tiers of one tick: their sizes, the pages not in memory, the share
 * of the touches each gets (a tier with no pages gives its share to the
 * others, so the workload's touch rate stays whole). */
typedef struct Tiers {
    uint64_t pages[GUEST_TIER_MAX];
    uint64_t out[GUEST_TIER_MAX];
    double share[GUEST_TIER_MAX];
    uint64_t count[N_SOURCES]; /* non-resident pages per source */
} Tiers;

static bool tiers_of(const Guest *g, Tiers *tr)
{
    const SimWorkload *w = &g->cfg->workload;
    const double share[GUEST_TIER_MAX] = {1.0 - w->warm_share - w->cold_share, w->warm_share,
                                          w->cold_share};
    double sum = 0.0;
    for (GuestTier t = 0; t < GUEST_TIER_MAX; t++) {
        tr->pages[t] = tier_pages(g, t);
        tr->out[t] = 0;
        tr->share[t] = tr->pages[t] > 0 ? MAX(0.0, share[t]) : 0.0;
        sum += tr->share[t];
    }
    for (size_t i = 0; i < N_SOURCES; i++) {
        tr->count[i] = fault_count(g, &sources[i]);
        tr->out[sources[i].tier] += tr->count[i];
    }
    for (GuestTier t = 0; t < GUEST_TIER_MAX; t++) {
        tr->share[t] = sum > 0.0 ? tr->share[t] / sum : 0.0;
    }
    return sum > 0.0;
}

/* P(a given 4 KiB page of tier t is touched in a tick of `touches`). */
static double tier_hit(const Guest *g, const Tiers *tr, GuestTier t, double touches)
{
    if (tr->pages[t] == 0) {
        return 0.0;
    }
    return -expm1(-touches * tr->share[t] / ((double)tr->pages[t] * subpages(g)));
}

/* Writes to hot pages the host shares break the sharing (copy-on-write):
 * of the hot set's touches, `workload.write_share` are writes (default
 * 0.3, an assumption: a typical read/write mix), and each shared hot anon
 * page is written at least once in the tick with probability 1 - exp(-w /
 * (N s)) and gets new contents. The warm set and the cold tail are only
 * read (assumption: a workload's writable working set is much smaller than
 * what it reads, Clark et al., NSDI 2005, "writable working set"), so a
 * rarely used shared page stays shared. The copy itself costs
 * microseconds: not counted as a stall. */
static void write_shared(Guest *g, Host *host, const Tiers *tr, double touches, SimTime now)
{
    uint64_t shared = host_pages_count_res(g->pages, HOST_USE_ANON_ACTIVE, HOST_RES_SHARED);
    if (shared == 0) {
        return;
    }
    double p_write = tier_hit(g, tr, GUEST_TIER_HOT, touches * g->write_share);
    uint64_t n = sim_rng_binomial(&g->rng_touch, shared, p_write);
    for (uint64_t i = 0; i < n; i++) {
        host_prefetch_writes(host, g->index, HOST_USE_ANON_ACTIVE, HOST_RES_SHARED, i == 0);
        uint32_t p = host_pages_pick(g->pages, HOST_USE_ANON_ACTIVE, HOST_RES_SHARED);
        HostContent c = guest_draw_content(g);
        host_write_new(host, g->index, p, HOST_USE_ANON_ACTIVE, &c, now);
    }
    g->cow_breaks += n;
}

uint64_t guest_cow_breaks(const Guest *g)
{
    return g->cow_breaks;
}

/* 4 KiB touches the workload makes in dt: a touch lands on a page out of
 * memory with probability q = sum over tiers of share x non-resident
 * fraction, and faults cost L on average per 4 KiB page, so each touch
 * takes 1/rate + q L of vCPU time and a vCPU that stalls touches less
 * (docs/model.md: stalls feed back). L is the average of recent faults. */
static double touches_in(const Guest *g, const Tiers *tr, SimTime dt)
{
    double q = 0.0;
    for (GuestTier t = 0; t < GUEST_TIER_MAX; t++) {
        if (tr->pages[t] > 0) {
            q += tr->share[t] * (double)tr->out[t] / (double)tr->pages[t];
        }
    }
    double per_touch = 1.0 / g->touch_rate + q * g->fault_cost_avg;
    return sim_time_to_s(dt) / per_touch;
}

/* What the host's sampler sees of this tick (per tier, in 4 KiB touches). */
static void report(const Guest *g, Host *host, const Tiers *tr, double touches, SimTime dt)
{
    HostTouchTier seen[HOST_TOUCH_TIERS] = {{0}};
    G_STATIC_ASSERT(HOST_TOUCH_TIERS == GUEST_TIER_MAX);
    for (GuestTier t = 0; t < GUEST_TIER_MAX; t++) {
        seen[t].pages = tr->pages[t];
        seen[t].resident = tr->pages[t] - MIN(tr->out[t], tr->pages[t]);
        seen[t].rate = touches * tr->share[t] / sim_time_to_s(dt);
        seen[t].demand = MAX(0.0, g->touch_rate) * tr->share[t];
    }
    host_vm_report_touches(host, g->index, seen);
}

/* Draws, per source, how many of its non-resident pages the tick touches
 * (binomial with its tier's probability); returns the total. */
static uint64_t draw_faults(Guest *g, const Tiers *tr, double touches, uint64_t left[N_SOURCES])
{
    uint64_t total = 0;
    for (size_t i = 0; i < N_SOURCES; i++) {
        double p = tier_hit(g, tr, sources[i].tier, touches);
        left[i] = sim_rng_binomial(&g->rng_touch, tr->count[i], p);
        total += left[i];
    }
    return total;
}

/* Serves the drawn faults in random order until the tick's time is used
 * up; returns the stall they cost. A fault of a large simulated page is
 * s 4 KiB faults that touches_in already spread over this and the next
 * ticks' time, so all of the drawn ones are served: dropping those beyond
 * the tick lost most of a thrashing VM's faults at 2 MiB pages. */
static SimTime serve_faults(Guest *g, Host *host, uint64_t left[N_SOURCES], uint64_t total,
                            SimTime now, SimTime stall, SimTime dt)
{
    SimTime fault_stall = 0;
    uint64_t served = 0;
    while (total > 0 && (stall + fault_stall < dt || subpages(g) > 1.0)) {
        uint64_t r = sim_rng_below(&g->rng_touch, total);
        size_t k = 0;
        while (r >= left[k]) {
            r -= left[k++];
        }
        left[k]--;
        total--;
        if (fault_count(g, &sources[k]) > 0) {
            fault_stall += fault_one(g, host, &sources[k], now + stall + fault_stall);
            served++;
        }
    }
    if (served > 0) {
        /* one simulated page is subpages() 4 KiB faults */
        double avg = sim_time_to_s(fault_stall) / ((double)served * subpages(g));
        g->fault_cost_avg = 0.5 * g->fault_cost_avg + 0.5 * avg;
    }
    return fault_stall;
}

/* Touches for one tick: with K touches of which tier t gets K_t, spread
 * evenly over its N_t pages of s 4 KiB pages each, a given 4 KiB page is
 * touched at least once with probability 1 - exp(-K_t / (N_t s)); only the
 * non-resident pages touched are visited. */
static SimTime touch(Guest *g, Host *host, SimTime now, SimTime dt, SimTime stall)
{
    Tiers tr;
    if (!tiers_of(g, &tr) || g->touch_rate <= 0.0) {
        report(g, host, &tr, 0.0, dt);
        return stall;
    }
    double touches = touches_in(g, &tr, dt - stall);
    report(g, host, &tr, touches, dt);
    uint64_t left[N_SOURCES];
    uint64_t total = draw_faults(g, &tr, touches, left);
    if (total > 0 && host_vm_alloc_blocked(host, g->index)) {
        return dt; /* blocked from allocating in low: every fault waits */
    }
    /* a large page's faults still in the backlog hold the vCPU: this
     * tick's faults are issued after them (none at 4 KiB), so they do not
     * wait for the device a second time */
    SimTime fault_stall = serve_faults(g, host, left, total, now + g->fault_backlog, stall, dt);
    write_shared(g, host, &tr, touches, now);
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

/* Faults are served until the tick is used up, the last one whole. Of a
 * simulated page's page_size / 4 KiB faults, those beyond the tick are
 * stall the later ticks report (none at 4 KiB). They do not take those
 * ticks' touch time: touches_in already spends the expected fault stall
 * of every tick, and a large page only brings that stall in lumps; taking
 * it twice made a thrashing VM at 2 MiB pages fault a third less than at
 * 4 KiB (docs/model.md "Pages"). */
static SimTime report_faults(Guest *g, SimTime stall, SimTime dt)
{
    SimTime taken = MIN(g->fault_backlog, dt - MIN(stall, dt));
    g->fault_backlog -= taken;
    if (stall > dt) {
        g->fault_backlog += (SimTime)((double)(stall - dt) * (1.0 - 1.0 / subpages(g)));
    }
    return MIN(stall, dt) + taken;
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
        shrink_anon(g, host, anon - g->anon_target, now);
    }
    rebalance_tiers(g);
    if (!blocked) {
        grow_cache(g, host, now, dt, &stall);
    }
    stall = report_faults(g, touch(g, host, now, dt, MIN(stall, dt)), dt);
    g->stall_total += stall;
    g->stall_interval += stall;
    g->on_total += dt;
    g->on_interval += dt;
}
