/*
 * The balloon driver, after Linux drivers/misc/vmw_balloon.c: every poll it
 * reads its target and inflates or deflates toward it at bounded rates.
 * Inflation takes free pages fast (rate_fast per poll, no reclaim); once the
 * guest has no free memory to give, each page costs a guest reclaim and the
 * rate drops to rate_slow, halved on a failed allocation down to
 * rate_slow_min and grown by rate_slow_inc per good poll back to
 * rate_slow_max. Ballooned pages are released to the host and never
 * swapped by the guest. Every rate counts 4 KiB pages, as the driver does
 * (docs/model.md "Pages"): a simulated page of host.page_size stands for
 * page_size / 4 KiB of them.
 */
#include "guest/guest-private.h"

uint64_t guest_balloon_max(const Guest *g)
{
    return g->balloon.max;
}

uint64_t guest_balloon_size(const Guest *g)
{
    return host_pages_count_use(g->pages, HOST_USE_BALLOON);
}

bool guest_has_balloon(const Guest *g)
{
    return g->cfg->guest.balloon_driver;
}

/* Simulated pages a poll may move at `rate` 4 KiB pages. A rate below one
 * simulated page per poll carries its fraction to the next poll: at 2 MiB
 * pages, rate_slow_inc's 16 pages are 1/32 of a page. */
static double poll_budget(const Guest *g, uint32_t rate)
{
    return g->balloon.carry + (double)rate * HOST_SUBPAGE_BYTES / (double)g->page_size;
}

/* After moving n pages of `budget`: only a poll the rate bounded keeps the
 * fraction it could not use. */
static void poll_spent(Guest *g, double budget, uint64_t n)
{
    g->balloon.carry = (double)n + 1.0 > budget ? budget - (double)n : 0.0;
}

static void balloon_take(Guest *g, Host *host, uint32_t p)
{
    host_release(host, g->index, p, HOST_USE_BALLOON);
}

/* Fast path: only memory above the low watermark, as an allocation that
 * may not sleep or reclaim. On Windows that is available memory above the
 * low-memory condition: zeroed pages first, then standby pages, whose
 * repurposing needs no I/O (docs/model.md "Windows guest"). Returns whether
 * the slow path may run: the rate did not bound the poll and pages are
 * still wanted. */
static bool inflate_free(Guest *g, Host *host, uint64_t *want)
{
    uint64_t free_now = guest_available(g);
    uint64_t spare = free_now > g->wmark.low ? free_now - g->wmark.low : 0;
    double budget = poll_budget(g, g->cfg->guest.balloon.rate_fast);
    uint64_t n = MIN(MIN(*want, spare), (uint64_t)budget);
    for (uint64_t i = 0; i < n; i++) {
        balloon_take(g, host,
                     guest_is_windows(g) ? guest_windows_grab(g) : host_pages_pick_free(g->pages));
    }
    poll_spent(g, budget, n);
    *want -= n;
    return *want > 0 && (double)n + 1.0 <= budget;
}

/* One allocation of the slow path on Linux: at the min watermark the guest
 * reclaims a page first. */
static uint32_t linux_page(Guest *g, Host *host, SimTime now)
{
    if (guest_free_pages(g) <= g->wmark.min &&
        guest_reclaim(g, host, 1, now, &g->pending_stall) == 0) {
        return HOST_NO_PAGE;
    }
    return host_pages_pick_free(g->pages);
}

/* On Windows (MmAllocatePagesForMdlEx): zeroed pages, then standby; once
 * available memory is at the low-memory condition the memory manager trims
 * working sets to refill standby. Whether vmmemctl asks for zeroed pages is
 * not published; the zeroing would back a page for the moment before the
 * host releases it, so the model leaves it out (assumption). */
static uint32_t windows_page(Guest *g, Host *host, SimTime now)
{
    uint64_t available = guest_available(g);
    if (available <= g->wmark.low) {
        guest_windows_trim(g, host, g->wmark.high - available, now, &g->pending_stall);
    }
    return guest_windows_grab(g);
}

/* Slow path: each page is an allocation that makes the guest reclaim. The
 * driver allocates one page after another, so one poll's work can take no
 * longer than the poll period: once the reclaim it caused (double-paging
 * reads of host-swapped pages) has cost that much time, the rest waits for
 * the next poll. Without the bound a poll of 2048 pages at 5 ms each would
 * leave ten seconds of stall behind per second, a debt the VM paid for
 * minutes after the balloon had finished. One simulated page of 2 MiB is
 * 512 allocations and may cost more than a poll period: the driver is
 * then still busy at the next poll, which does nothing. */
static void inflate_reclaim(Guest *g, Host *host, uint64_t want, SimTime now)
{
    const SimBalloonConfig *bc = &g->cfg->guest.balloon;
    if (g->pending_stall >= bc->poll) {
        return;
    }
    double budget = poll_budget(g, g->balloon.rate_slow);
    uint64_t n = MIN(want, (uint64_t)budget);
    poll_spent(g, budget, n);
    SimTime start = g->pending_stall;
    for (uint64_t i = 0; i < n && g->pending_stall - start < bc->poll; i++) {
        uint32_t p = guest_is_windows(g) ? windows_page(g, host, now) : linux_page(g, host, now);
        if (p == HOST_NO_PAGE) {
            g->balloon.rate_slow = MAX(bc->rate_slow_min, g->balloon.rate_slow / 2);
            return;
        }
        balloon_take(g, host, p);
    }
    g->balloon.rate_slow = MIN(bc->rate_slow_max, g->balloon.rate_slow + bc->rate_slow_inc);
}

/* The guest needs memory back when it is at its low watermark or its
 * workload wants to grow (assumption: then deflation runs at full rate). */
static bool guest_needs_memory(const Guest *g)
{
    return guest_available(g) <= g->wmark.low || guest_anon_pages(g) < g->anon_target;
}

/* Deflated pages go to the free list; a Windows guest's zero-page thread
 * zeroes them, which backs them on the host again. */
static void deflate(Guest *g, Host *host, uint64_t n, SimTime now)
{
    const SimBalloonConfig *bc = &g->cfg->guest.balloon;
    double budget = poll_budget(g, guest_needs_memory(g) ? bc->deflate_fast : bc->deflate_slow);
    n = MIN(n, (uint64_t)budget);
    poll_spent(g, budget, n);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t p = host_pages_pick(g->pages, HOST_USE_BALLOON, HOST_RES_NONE);
        if (guest_is_windows(g)) {
            guest_windows_zero(g, host, p, now);
        } else {
            host_pages_set_use(g->pages, p, HOST_USE_FREE);
        }
    }
}

void guest_balloon_poll(Guest *g, Host *host, uint64_t target, SimTime now)
{
    if (!g->powered_on || !g->cfg->guest.balloon_driver) {
        return;
    }
    target = MIN(target, g->balloon.max);
    uint64_t size = guest_balloon_size(g);
    if (size > target) {
        deflate(g, host, size - target, now);
        return;
    }
    uint64_t want = target - size;
    if (want == 0) {
        g->balloon.carry = 0.0;
        return;
    }
    if (inflate_free(g, host, &want)) {
        inflate_reclaim(g, host, want, now);
    }
}
