/*
 * The balloon driver, after Linux drivers/misc/vmw_balloon.c: every poll it
 * reads its target and inflates or deflates toward it at bounded rates.
 * Inflation takes free pages fast (rate_fast per poll, no reclaim); once the
 * guest has no free memory to give, each page costs a guest reclaim and the
 * rate drops to rate_slow, halved on a failed allocation down to
 * rate_slow_min and grown by rate_slow_inc per good poll back to
 * rate_slow_max. Ballooned pages are released to the host and never
 * swapped by the guest.
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

static void balloon_take(Guest *g, Host *host, uint32_t p)
{
    host_release(host, g->index, p, HOST_USE_BALLOON);
}

/* Fast path: only memory above the low watermark, as an allocation that
 * may not sleep or reclaim. */
static uint64_t inflate_free(Guest *g, Host *host, uint64_t want)
{
    uint64_t free_now = guest_free_pages(g);
    uint64_t spare = free_now > g->wmark.low ? free_now - g->wmark.low : 0;
    uint64_t n = MIN(MIN(want, spare), g->cfg->guest.balloon.rate_fast);
    for (uint64_t i = 0; i < n; i++) {
        balloon_take(g, host, host_pages_pick_free(g->pages));
    }
    return n;
}

/* Slow path: each page is an allocation that makes the guest reclaim. The
 * driver allocates one page after another, so one poll's work can take no
 * longer than the poll period: once the reclaim it caused (double-paging
 * reads of host-swapped pages) has cost that much time, the rest waits for
 * the next poll. Without the bound a poll of 2048 pages at 5 ms each would
 * leave ten seconds of stall behind per second, a debt the VM paid for
 * minutes after the balloon had finished. */
static void inflate_reclaim(Guest *g, Host *host, uint64_t want, SimTime now)
{
    const SimBalloonConfig *bc = &g->cfg->guest.balloon;
    uint64_t n = MIN(want, g->balloon.rate_slow);
    SimTime start = g->pending_stall;
    for (uint64_t i = 0; i < n && g->pending_stall - start < bc->poll; i++) {
        if (guest_free_pages(g) <= g->wmark.min &&
            guest_reclaim(g, host, 1, now, &g->pending_stall) == 0) {
            g->balloon.rate_slow = MAX(bc->rate_slow_min, g->balloon.rate_slow / 2);
            return;
        }
        balloon_take(g, host, host_pages_pick_free(g->pages));
    }
    g->balloon.rate_slow = MIN(bc->rate_slow_max, g->balloon.rate_slow + bc->rate_slow_inc);
}

/* The guest needs memory back when it is at its low watermark or its
 * workload wants to grow (assumption: then deflation runs at full rate). */
static bool guest_needs_memory(const Guest *g)
{
    return guest_free_pages(g) <= g->wmark.low || guest_anon_pages(g) < g->anon_target;
}

static void deflate(Guest *g, uint64_t n)
{
    const SimBalloonConfig *bc = &g->cfg->guest.balloon;
    n = MIN(n, guest_needs_memory(g) ? bc->deflate_fast : bc->deflate_slow);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t p = host_pages_pick(g->pages, HOST_USE_BALLOON, HOST_RES_NONE);
        host_pages_set_use(g->pages, p, HOST_USE_FREE);
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
        deflate(g, size - target);
        return;
    }
    uint64_t want = target - size;
    if (want == 0) {
        return;
    }
    uint64_t got = inflate_free(g, host, want);
    if (got < want && got < g->cfg->guest.balloon.rate_fast) {
        inflate_reclaim(g, host, want - got, now);
    }
}
