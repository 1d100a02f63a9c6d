/* Guest power on and off: boot (kernel pages; a Windows guest zeroes all its
 * memory) and giving every page back to the host. */
#include "guest/guest-private.h"

#include <string.h>

/* A Linux guest touches only its kernel at boot and the rest lazily; a
 * Windows guest zeroes every page at boot, so all are backed by zero pages
 * (docs/design.md "Guest"). */
void guest_power_on(Guest *g, Host *host, SimTime now)
{
    guest_power_on_ballooned(g, host, 0, now);
}

/* n free pages, not yet backed, go to the balloon at once: the host never
 * gave them (O(n), as deflating them later is). The kernel's pages are left
 * free for it. A guest without the driver boots the same way (Hyper-V's
 * Startup RAM is what the firmware reports), but nothing can give it the
 * rest later, so the driver's cap does not bound it. */
static void boot_balloon(Guest *g, Host *host, uint64_t n)
{
    uint64_t spare = g->pages->n > g->kernel_pages ? g->pages->n - g->kernel_pages : 0;
    uint64_t cap = g->cfg->guest.balloon_driver ? g->balloon.max : spare;
    n = MIN(MIN(n, cap), spare);
    for (uint64_t i = 0; i < n; i++) {
        host_release(host, g->index, host_pages_pick_free(g->pages), HOST_USE_BALLOON);
    }
}

void guest_power_on_ballooned(Guest *g, Host *host, uint64_t balloon, SimTime now)
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
    boot_balloon(g, host, balloon);
    if (g->cfg->guest.os == SIM_OS_WINDOWS) {
        host_write_zeroes(host, g->index, now);
    }
    for (uint64_t k = 0; k < g->kernel_pages; k++) {
        guest_take_new(g, host, HOST_USE_KERNEL, now, &cost);
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
    memset(g->swapped, 0, sizeof g->swapped);
    memset(g->standby, 0, sizeof g->standby);
    g->standby_file = 0;
    g->evicted_hot = 0;
    g->evicted_warm = 0;
    g->pending_stall = 0;
    g->fault_backlog = 0;
    /* a rebooted guest reads its image from the start again: its image
     * pages get the same keys as its siblings' (docs/model.md "Pages") */
    g->image_given = 0;
}
