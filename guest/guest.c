/* The guest: its creation (watermarks, balloon cap, random streams), page
 * contents, taking a free page, and the statistics the recorder reads. */
#include "guest/guest-private.h"

#include <math.h>

/* Pages that can be identical to others get keys from a pool (key ranges in
 * host/pages.h); unique contents equal nothing, so they all carry one
 * reserved key that sharing never matches. */
#define GUEST_KEY_POOL_MASK ((1u << 30) - 1)
/* Each duplicated content appears this many times in the VM (assumption). */
#define GUEST_DUP_COPIES 4
/* Of the compressible pages, this share compresses to <= 1 KiB, the rest to
 * <= 2 KiB (assumption; refined with the compression issue). */
#define GUEST_ZIP_1K_SHARE 0.5

/* Linux min_free_kbytes = sqrt(lowmem_kbytes * 16), clamped to
 * [128, 262144]; low and high are min + 1x and 2x max(min/4, 0.1% of
 * memory) (mm/page_alloc.c, watermark_scale_factor 10). */
#define LINUX_MIN_FREE_KB_FLOOR 128.0
#define LINUX_MIN_FREE_KB_CEIL 262144.0
#define LINUX_WMARK_SCALE 0.001

static void watermarks_init(Guest *g)
{
    double kb = (double)g->cfg->memory / 1024.0;
    double min_kb = sqrt(kb * 16.0);
    min_kb = MIN(LINUX_MIN_FREE_KB_CEIL, MAX(LINUX_MIN_FREE_KB_FLOOR, min_kb));
    double step_kb = MAX(min_kb / 4.0, kb * LINUX_WMARK_SCALE);
    double kb_per_page = (double)g->page_size / 1024.0;
    g->wmark.min = (uint64_t)ceil(min_kb / kb_per_page);
    g->wmark.low = (uint64_t)ceil((min_kb + step_kb) / kb_per_page);
    g->wmark.high = (uint64_t)ceil((min_kb + 2.0 * step_kb) / kb_per_page);
}

static void rng_stream(SimRng *rng, uint64_t seed, const char *vm, const char *what)
{
    char *name = g_strdup_printf("guest:%s:%s", vm, what);
    sim_rng_init(rng, seed, name);
    g_free(name);
}

/* The balloon cap (docs/design.md "Balloon driver"): min(Mem.CtlMaxPercent of
 * configured, the VM's max_balloon, configured - reservation). */
static uint64_t balloon_cap(const SimVmConfig *cfg, const SimHostConfig *hc, uint64_t n)
{
    uint64_t by_ctl = (uint64_t)(hc->ctl_max_pct * (double)n);
    uint64_t by_vm = (uint64_t)(cfg->max_balloon * (double)n);
    uint64_t unreserved = n - MIN(n, cfg->reservation / hc->page_size);
    return MIN(MIN(by_ctl, by_vm), unreserved);
}

Guest *guest_new(const SimVmConfig *cfg, guint index, const SimHostConfig *hc, uint64_t seed)
{
    Guest *g = g_new0(Guest, 1);
    uint64_t page_size = hc->page_size;
    g->cfg = cfg;
    g->index = index;
    g->page_size = page_size;
    uint64_t n = cfg->memory / page_size;
    g_assert(n <= UINT32_MAX);
    g->pages = host_pages_new((uint32_t)n);
    rng_stream(&g->rng_alloc, seed, cfg->name, "alloc");
    rng_stream(&g->rng_touch, seed, cfg->name, "touch");
    rng_stream(&g->rng_content, seed, cfg->name, "content");
    g->kernel_pages = MIN(n, cfg->guest.kernel / page_size);
    g->swap_slots = cfg->guest.swap / page_size;
    if (guest_is_windows(g)) {
        guest_windows_watermarks(g);
    } else {
        watermarks_init(g);
    }
    g->balloon.max = cfg->guest.balloon_driver ? balloon_cap(cfg, hc, n) : 0;
    g->balloon.rate_slow = cfg->guest.balloon.rate_slow_max;
    g->fault_cost_avg = 0.0;
    return g;
}

void guest_free(Guest *guest)
{
    if (guest == NULL) {
        return;
    }
    host_pages_free(guest->pages);
    g_free(guest);
}

HostPages *guest_pages(Guest *guest)
{
    return guest->pages;
}

bool guest_powered_on(const Guest *guest)
{
    return guest->powered_on;
}

/* The next image page's key. A guest image is a sequence of distinct pages
 * (its OS and applications): the VM's k-th image page gets image key k, the
 * same sequence in every VM of the image, so pages are distinct within one
 * VM and identical across VMs of the image. The image holds image_shared x
 * the VM's pages; once a VM has filled that many (pages freed and filled
 * again: files read anew), the sequence starts over, as a file read again
 * holds the same contents. */
static uint32_t next_image_key(Guest *g, double image_shared)
{
    uint64_t pool = MAX(1, (uint64_t)(image_shared * (double)g->pages->n));
    uint64_t k = g->image_given++ % pool;
    return HOST_KEY_IMAGE_BASE + (uint32_t)(k & GUEST_KEY_POOL_MASK);
}

HostContent guest_draw_content(Guest *g)
{
    const SimContentMix *mix = &g->cfg->workload.content;
    double r = sim_rng_uniform(&g->rng_content);
    uint64_t n = g->pages->n;
    uint32_t key = HOST_KEY_UNIQUE;
    if (r < mix->zero) {
        key = 0;
    } else if (r < mix->zero + mix->image_shared) {
        key = next_image_key(g, mix->image_shared);
    } else if (r < mix->zero + mix->image_shared + mix->duplicate) {
        /* duplicated contents: drawn with replacement from a pool a
         * GUEST_DUP_COPIES-th of their pages, so each appears about that
         * many times in the VM: the only duplicates inside a VM besides
         * zero pages */
        uint64_t pool = MAX(1, (uint64_t)(mix->duplicate * (double)n) / GUEST_DUP_COPIES);
        key = HOST_KEY_DUP_BASE +
              (uint32_t)(sim_rng_below(&g->rng_content, pool) & GUEST_KEY_POOL_MASK);
    }
    HostZipClass z = HOST_ZIP_NONE;
    double c = sim_rng_uniform(&g->rng_content);
    if (key == 0 || c < mix->compressible * GUEST_ZIP_1K_SHARE) {
        z = HOST_ZIP_1K;
    } else if (c < mix->compressible) {
        z = HOST_ZIP_2K;
    }
    return (HostContent){.key = key, .zip = z};
}

uint64_t guest_anon_pages(const Guest *g)
{
    uint64_t n = 0;
    for (GuestTier t = 0; t < GUEST_TIER_MAX; t++) {
        n += host_pages_count_use(g->pages, guest_tier_use(t)) + g->swapped[t] + g->standby[t];
    }
    return n;
}

/* A page of page_size is page_size / 4 KiB reads of the guest, each with
 * its latency (docs/model.md "Pages"). */
SimTime guest_disk_read(Guest *g, SimTime now)
{
    const SimGuestConfig *gc = &g->cfg->guest;
    SimTime start = MAX(g->disk_busy_until, now);
    SimTime xfer = (SimTime)((double)g->page_size / gc->disk_bandwidth * (double)SIM_S);
    SimTime subpages = (SimTime)MAX(1, g->page_size / HOST_SUBPAGE_BYTES);
    g->disk_busy_until = start + xfer;
    return (start - now) + gc->disk_latency * subpages + xfer;
}

/* guest_take_free, with new contents when `fill`: drawn once the page is
 * known, before it is written: nothing the write does draws from the
 * content stream, so the draws come in the order they would after it. */
static uint32_t take(Guest *g, Host *host, HostUse use, bool fill, SimTime now, SimTime *cost)
{
    uint32_t p = HOST_NO_PAGE;
    if (guest_is_windows(g)) {
        p = guest_windows_take(g, host, now, cost);
    } else {
        uint64_t free_now = host_pages_count_use(g->pages, HOST_USE_FREE);
        if (free_now <= g->wmark.min) {
            guest_reclaim(g, host, g->wmark.high - free_now, now, cost);
        }
        host_prefetch_free_writes(host, g->index, false);
        p = host_pages_pick_free(g->pages);
    }
    if (p != HOST_NO_PAGE) {
        HostContent c = fill ? guest_draw_content(g) : (HostContent){0};
        *cost += host_write_new(host, g->index, p, use, fill ? &c : NULL, now + *cost);
    }
    return p;
}

uint32_t guest_take_free(Guest *g, Host *host, HostUse use, SimTime now, SimTime *cost)
{
    return take(g, host, use, false, now, cost);
}

uint32_t guest_take_new(Guest *g, Host *host, HostUse use, SimTime now, SimTime *cost)
{
    return take(g, host, use, true, now, cost);
}

uint64_t guest_free_pages(const Guest *g)
{
    return host_pages_count_use(g->pages, HOST_USE_FREE);
}

uint64_t guest_cache_pages(const Guest *g)
{
    /* a Windows guest's standby list is its "Cached" memory */
    return host_pages_count_use(g->pages, HOST_USE_CACHE_ACTIVE) +
           host_pages_count_use(g->pages, HOST_USE_CACHE_WARM) +
           host_pages_count_use(g->pages, HOST_USE_CACHE_INACTIVE) +
           host_pages_count_use(g->pages, HOST_USE_STANDBY);
}

uint64_t guest_swap_used(const Guest *g)
{
    return g->swapped[GUEST_TIER_HOT] + g->swapped[GUEST_TIER_WARM] + g->swapped[GUEST_TIER_COLD];
}

uint64_t guest_mem_available(const Guest *g)
{
    return guest_free_pages(g) + guest_cache_pages(g);
}

uint64_t guest_committed(const Guest *g)
{
    return guest_anon_pages(g);
}

uint64_t guest_kernel(const Guest *g)
{
    return g->kernel_pages;
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
