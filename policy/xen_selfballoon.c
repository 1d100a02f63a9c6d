/*
 * xen-selfballoon: Linux drivers/xen/xen-selfballoon.c (Dan Magenheimer,
 * 2011; removed in Linux 5.3), the guest-side policy of Xen 4.x guests.
 * Each guest, every selfballoon_interval (5 s), aims its memory at
 * Committed_AS + totalreserve_pages: above that goal it gives back
 * 1/downhysteresis (1/8) of the gap, below it takes the whole gap back
 * (uphysteresis 1), never going under a floor that grows with the
 * guest's size. The decision is the guest's alone: nothing host-wide
 * enters it, so a guest shrinks toward its goal whatever the host's free
 * memory, and grows back whatever the others need. The Xen host of that
 * era neither swaps nor shares guest memory.
 *
 * The driver works in 4 KiB pages (`pages` below); the view's pages are
 * converted at the edges.
 */
#include <math.h>
#include <stdio.h>

#include "policy/policy.h"

/* The driver's unit: a Linux page. */
#define XEN_PAGE_BYTES 4096u
/* MB2PAGES(mb): mb << (20 - PAGE_SHIFT). */
#define XEN_MB2PAGES(mb) ((uint64_t)(mb) << 8)

/* xen-selfballoon.c defaults (sysfs selfballoon_*). */
#define XEN_INTERVAL (5 * SIM_S) /* selfballoon_interval, 5 (x HZ) */
#define XEN_DOWNHYSTERESIS 8.0   /* selfballoon_downhysteresis */
#define XEN_UPHYSTERESIS 1.0     /* selfballoon_uphysteresis */
#define XEN_MIN_USABLE 0.0       /* selfballoon_min_usable_mb: 0 = the piecewise floor */

/* The piecewise floor of selfballoon_process ("ending in ~3% slope"):
 * below 16 MiB useful no ballooning; then reserve + 16 MiB + half the rest
 * up to 64 MiB; reserve + 40 MiB + 1/8 up to 512 MiB; reserve + 99 MiB +
 * 1/32 beyond. */
#define XEN_FLOOR_NONE_MB 16u
#define XEN_FLOOR_BAND1_MB 64u
#define XEN_FLOOR_BAND2_MB 512u
#define XEN_FLOOR_BASE0_MB 16u
#define XEN_FLOOR_BASE1_MB 40u
#define XEN_FLOOR_BASE2_MB 99u
#define XEN_FLOOR_SHIFT0 1 /* >> 1: half */
#define XEN_FLOOR_SHIFT1 3 /* >> 3: an eighth */
#define XEN_FLOOR_SHIFT2 5 /* >> 5: a thirty-second */

/*
 * totalreserve_pages: Linux sums, per zone, the zone's high watermark and
 * its largest lowmem_reserve. The guest model has one zone, so it is the
 * high watermark of the guest's min_free_kbytes (mm/page_alloc.c, as
 * guest/guest.c computes it): min = sqrt(16 x lowmem kB) within
 * [128, 262144] kB, high = min + 2 x max(min / 4, 0.1% of memory)
 * (watermark_scale_factor 10). Assumption: lowmem_reserve (the DMA and
 * DMA32 zones' protection, up to 16 MiB more) is left out.
 */
#define LINUX_MIN_FREE_KB_FLOOR 128.0
#define LINUX_MIN_FREE_KB_CEIL 262144.0
#define LINUX_WMARK_SCALE 0.001

/*
 * The Xen balloon driver (drivers/xen/balloon.c) of those kernels:
 * balloon_process moves its credit in batches of frame_list (512 pages, one
 * hypercall each) and loops until done; an allocation that fails
 * (GFP_BALLOON has __GFP_NORETRY) ends the pass and the worker retries
 * after schedule_delay, 1 s doubling up to max_schedule_delay 32 s, back
 * to 1 s after a pass that completes. The model polls every 1 s; the
 * rate of a pass is not published (assumption: 1 GiB/s, 262144 pages a
 * second, in both directions); the doubling delay becomes a rate halved
 * on each failure down to 1/32 of it, and restored by a pass that works.
 */
#define XEN_BALLOON_POLL SIM_S
#define XEN_BALLOON_PAGES_PER_POLL 262144u
#define XEN_BALLOON_MAX_DELAY 32u

static const PolicyEra xen_era = {
    .state_pct = {400.0, 100.0, 64.0, 32.0, 16.0}, /* unused: the policy reads no host state */
    .salting = 2,
    .sample_period = 60 * SIM_S,
    .ctl_max_pct = 1.0,   /* the Xen balloon driver has no cap of its own */
    .large_pages = true,  /* Xen backs HVM guests with 2 MiB superpages */
    .compression = false, /* Xen has no compression cache */
    .no_sharing = true,   /* Xen 4.x page sharing is experimental and off */
    .no_host_swap = true, /* xenpaging is off: the hypervisor never pages a guest */
    .driver = {.poll = XEN_BALLOON_POLL,
               .rate_fast = XEN_BALLOON_PAGES_PER_POLL,
               .rate_slow_max = XEN_BALLOON_PAGES_PER_POLL,
               .rate_slow_min = XEN_BALLOON_PAGES_PER_POLL / XEN_BALLOON_MAX_DELAY,
               .rate_slow_inc = XEN_BALLOON_PAGES_PER_POLL,
               .deflate_fast = XEN_BALLOON_PAGES_PER_POLL,
               .deflate_slow = XEN_BALLOON_PAGES_PER_POLL},
};

enum { XEN_P_INTERVAL, XEN_P_DOWNHYS, XEN_P_UPHYS, XEN_P_MIN_USABLE, XEN_N_PARAMS };

static const PolicyParam xen_params[XEN_N_PARAMS] = {
    [XEN_P_INTERVAL] = {"interval", POLICY_PARAM_DURATION, (double)XEN_INTERVAL, (double)SIM_S,
                        3600.0 * SIM_S,
                        "selfballoon_interval: how often each guest's worker runs (5 s); rounded "
                        "up to the policy's 1 s tick"},
    [XEN_P_DOWNHYS] = {"downhysteresis", POLICY_PARAM_NUMBER, XEN_DOWNHYSTERESIS, 1.0, 1000.0,
                       "selfballoon_downhysteresis: a shrink gives back 1/N of the gap to the "
                       "goal (8)"},
    [XEN_P_UPHYS] = {"uphysteresis", POLICY_PARAM_NUMBER, XEN_UPHYSTERESIS, 1.0, 1000.0,
                     "selfballoon_uphysteresis: a grow takes 1/N of the gap to the goal (1)"},
    [XEN_P_MIN_USABLE] = {"min_usable", POLICY_PARAM_SIZE, XEN_MIN_USABLE, 0.0,
                          1024.0 * 1024.0 * 1024.0 * 1024.0,
                          "selfballoon_min_usable_mb: floor above totalreserve; 0 = the "
                          "driver's piecewise floor"},
};

/* One guest's worker: its timer and what it computed last (4 KiB pages). */
typedef struct XenGuest {
    bool on;                /* powered on at the last tick */
    bool ran;               /* the worker ran this tick */
    SimTime next;           /* when its worker runs next */
    uint64_t max_pfn;       /* configured pages */
    uint64_t reserve;       /* totalreserve_pages */
    uint64_t boot_reserved; /* current_pages - totalram_pages: the guest's kernel pages */
    uint64_t cur;           /* totalram_pages: configured - balloon - boot_reserved */
    uint64_t goal;          /* Committed_AS + totalreserve */
    uint64_t floor;         /* floor_pages */
    uint64_t tgt;           /* tgt_pages: the memory it asked for */
} XenGuest;

typedef struct XenState {
    guint n;     /* guests, = view->n_vms */
    XenGuest *g; /* g_new0, freed by finalize */
} XenState;

static double param(const PolicyView *view, guint i)
{
    return i < view->n_params && view->params != NULL ? view->params[i] : xen_params[i].def;
}

/* totalreserve_pages of a guest of max_pfn pages (see the comment above). */
static uint64_t xen_totalreserve(uint64_t max_pfn)
{
    double kb = (double)max_pfn * (XEN_PAGE_BYTES / 1024.0);
    double min_kb = CLAMP(sqrt(kb * 16.0), LINUX_MIN_FREE_KB_FLOOR, LINUX_MIN_FREE_KB_CEIL);
    double step_kb = MAX(min_kb / 4.0, kb * LINUX_WMARK_SCALE);
    return (uint64_t)ceil((min_kb + 2.0 * step_kb) / (XEN_PAGE_BYTES / 1024.0));
}

/* floor_pages of selfballoon_process, with min_usable in pages (0 = the
 * piecewise function). */
static uint64_t xen_floor(uint64_t max_pfn, uint64_t reserve, uint64_t min_usable)
{
    uint64_t useful = max_pfn > reserve ? max_pfn - reserve : 0;
    if (min_usable != 0) {
        return reserve + min_usable;
    }
    if (useful < XEN_MB2PAGES(XEN_FLOOR_NONE_MB)) {
        return max_pfn; /* not worth ballooning */
    }
    if (useful < XEN_MB2PAGES(XEN_FLOOR_BAND1_MB)) {
        return reserve + XEN_MB2PAGES(XEN_FLOOR_BASE0_MB) +
               ((useful - XEN_MB2PAGES(XEN_FLOOR_BASE0_MB)) >> XEN_FLOOR_SHIFT0);
    }
    if (useful < XEN_MB2PAGES(XEN_FLOOR_BAND2_MB)) {
        return reserve + XEN_MB2PAGES(XEN_FLOOR_BASE1_MB) +
               ((useful - XEN_MB2PAGES(XEN_FLOOR_BASE1_MB)) >> XEN_FLOOR_SHIFT1);
    }
    return reserve + XEN_MB2PAGES(XEN_FLOOR_BASE2_MB) +
           ((useful - XEN_MB2PAGES(XEN_FLOOR_BASE2_MB)) >> XEN_FLOOR_SHIFT2);
}

/* selfballoon_process for one guest: the memory it asks for (tgt_pages),
 * from its current memory, Committed_AS and the settings. Integer pages
 * and divisions, as the driver computes. */
static void xen_process(XenGuest *x, const PolicyVmView *v, uint64_t sub, const PolicyView *view)
{
    uint64_t down = (uint64_t)param(view, XEN_P_DOWNHYS);
    uint64_t up = (uint64_t)param(view, XEN_P_UPHYS);
    uint64_t min_usable = XEN_MB2PAGES((uint64_t)(param(view, XEN_P_MIN_USABLE) / (1 << 20)));
    x->max_pfn = v->configured * sub;
    x->reserve = xen_totalreserve(x->max_pfn);
    x->boot_reserved = MIN(v->guest_kernel, v->configured) * sub;
    x->cur = (v->configured - MIN(v->mctl + v->guest_kernel, v->configured)) * sub;
    x->goal = v->guest_committed * sub + x->reserve;
    x->tgt = x->cur; /* equal: no change */
    if (x->cur > x->goal) {
        x->tgt = x->cur - (x->cur - x->goal) / MAX(down, 1);
    } else if (x->cur < x->goal) {
        x->tgt = x->cur + (x->goal - x->cur) / MAX(up, 1);
    }
    x->floor = xen_floor(x->max_pfn, x->reserve, min_usable);
    x->tgt = MIN(MAX(x->tgt, x->floor), x->max_pfn);
}

static bool xen_init(void *state, const PolicyView *view, GError **error)
{
    (void)error;
    XenState *s = state;
    s->n = view->n_vms;
    s->g = g_new0(XenGuest, MAX(s->n, 1));
    return true;
}

static void xen_finalize(void *state)
{
    XenState *s = state;
    g_clear_pointer(&s->g, g_free);
}

/* Each guest's worker runs `interval` after its boot (the driver's init
 * schedules it so), then every `interval`; a guest that is off or has no
 * balloon driver balloons nothing. The balloon target is the rest of the
 * configured memory, rounded down to the view's pages (the guest keeps at
 * least tgt). No host swap, no sharing, no blocking: Xen has none. */
static void xen_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    XenState *s = state;
    SimTime interval = (SimTime)param(view, XEN_P_INTERVAL);
    uint64_t sub = MAX(1, view->page_bytes / XEN_PAGE_BYTES);
    for (guint i = 0; i < view->n_vms && i < s->n; i++) {
        const PolicyVmView *v = &view->vms[i];
        XenGuest *x = &s->g[i];
        PolicyVmTargets *t = &out->vms[i];
        x->ran = false;
        t->swap_target = 0;
        t->block_alloc = false;
        if (!v->powered_on || !v->has_balloon) {
            x->on = false;
            t->mctl_target = 0;
            continue;
        }
        if (!x->on) {
            x->on = true;
            x->next = view->now + interval;
        }
        if (view->now < x->next) {
            continue;
        }
        x->next += interval * ((view->now - x->next) / interval + 1); /* past now */
        x->ran = true;
        xen_process(x, v, sub, view);
        /* balloon_set_new_target(tgt + current_pages - totalram_pages): the
         * memory it asks for is tgt plus what the kernel reserved at boot */
        uint64_t keep = MIN(x->tgt + x->boot_reserved, x->max_pfn);
        t->mctl_target = (x->max_pfn - keep) / sub;
    }
    out->compression = false;
    out->share_scan_factor = 0.0;
    out->share_rate = 0.0;
    out->break_large_pages = false;
}

static double pages_mb(uint64_t pages)
{
    return (double)pages * XEN_PAGE_BYTES / (1024.0 * 1024.0);
}

/* {"guests": [{"vm", "ran", "cur_mb", "goal_mb", "floor_mb", "tgt_mb",
 * "totalreserve_pages", "cur_pages", "goal_pages", "floor_pages",
 * "tgt_pages", "target_kb"}]}: the driver's own variables (4 KiB pages)
 * and the target it writes (xen_memory0/target_kb), as of its last run. */
static char *xen_trace(void *state, const PolicyView *view, const PolicyTargets *out)
{
    (void)view;
    (void)out;
    XenState *s = state;
    GString *b = g_string_new("{\"guests\":[");
    for (guint i = 0; i < s->n; i++) {
        const XenGuest *x = &s->g[i];
        g_string_append_printf(
            b,
            "%s{\"vm\":%u,\"on\":%s,\"ran\":%s,\"cur_mb\":%.2f,\"goal_mb\":%.2f,\"floor_mb\":%.2f,"
            "\"tgt_mb\":%.2f,\"totalreserve_pages\":%" G_GUINT64_FORMAT
            ",\"cur_pages\":%" G_GUINT64_FORMAT ",\"goal_pages\":%" G_GUINT64_FORMAT
            ",\"floor_pages\":%" G_GUINT64_FORMAT ",\"tgt_pages\":%" G_GUINT64_FORMAT
            ",\"target_kb\":%" G_GUINT64_FORMAT "}",
            i == 0 ? "" : ",", i, x->on ? "true" : "false", x->ran ? "true" : "false",
            pages_mb(x->cur), pages_mb(x->goal), pages_mb(x->floor), pages_mb(x->tgt), x->reserve,
            x->cur, x->goal, x->floor, x->tgt, x->tgt * (XEN_PAGE_BYTES / 1024));
    }
    g_string_append(b, "]}");
    return g_string_free(b, FALSE);
}

const PolicyClass policy_xen_selfballoon = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "xen-selfballoon",
    .summary = "Xen 4.x guest self-ballooning (Linux <= 5.2): each guest aims at Committed_AS + "
               "reserve every 5 s, no host swap, no sharing",
    .state_size = sizeof(XenState),
    .period = SIM_S,
    .init = xen_init,
    .tick = xen_tick,
    .finalize = xen_finalize,
    .era = &xen_era,
    .trace = xen_trace,
    .params = xen_params,
    .n_params = XEN_N_PARAMS,
};
