/* The guest's accesses as the host sees them: backing a page on first touch,
 * reading it back from swap, releasing it, and power on/off. */
#include "host/host-private.h"

/* Any powered-on VM with a resident page, to make room when the host has no
 * free frame left at all. O(VMs), only on this rare path. */
static guint fullest_vm(Host *host)
{
    guint best = 0;
    uint64_t best_consumed = 0;
    for (guint i = 0; i < host->n_vms; i++) {
        uint64_t c = host->vms[i].powered_on ? host_vm_consumed(&host->vms[i]) : 0;
        if (c > best_consumed) {
            best = i;
            best_consumed = c;
        }
    }
    return best;
}

/* Before the VM gets one more frame: a VM at its limit swaps one of its own
 * pages first (the limit is a hard cap, enforced without host pressure); a
 * host with no free frame at all swaps a page of the fullest VM. */
static void make_room(Host *host, guint vm, SimTime now)
{
    HostVm *v = &host->vms[vm];
    if (host_vm_consumed(v) >= v->limit) {
        host_swap_out(host, vm, 1, now);
    }
    if (host_free_pages(host) == 0) {
        host_swap_out(host, fullest_vm(host), 1, now);
    }
}

SimTime host_access(Host *host, guint vm, uint32_t p, GuestUse use, SimTime now)
{
    HostVm *v = &host->vms[vm];
    GuestBacking b = guest_pages_backing(v->pages, p);
    if (guest_backing_residency(b) == GUEST_RES_IN) {
        guest_pages_set(v->pages, p, use, b);
        return 0;
    }
    SimTime cost = 0;
    if (b != GUEST_BACK_NONE) {
        cost = host_swap_device_access(&host->swap, host->page_size, now);
        v->swap_ins++;
    }
    make_room(host, vm, now);
    guest_pages_set(v->pages, p, use, GUEST_BACK_PRIVATE);
    host->frames_used++;
    return cost;
}

void host_release(Host *host, guint vm, uint32_t p, GuestUse use)
{
    HostVm *v = &host->vms[vm];
    if (guest_pages_backing(v->pages, p) == GUEST_BACK_PRIVATE) {
        host->frames_used--;
    }
    guest_pages_set(v->pages, p, use, GUEST_BACK_NONE);
}

void host_vm_power_on(Host *host, guint vm)
{
    HostVm *v = &host->vms[vm];
    g_assert(!v->powered_on);
    v->powered_on = true;
    host->overhead_vms += v->overhead;
    v->active_fast = v->active_slow = 1.0;
    v->mctl_target = v->swap_target = 0;
    v->block_alloc = false;
}

/* The guest has released every page (host_release) before this. */
void host_vm_power_off(Host *host, guint vm)
{
    HostVm *v = &host->vms[vm];
    g_assert(v->powered_on);
    g_assert(host_vm_consumed(v) == 0);
    v->powered_on = false;
    host->overhead_vms -= v->overhead;
}

bool host_check_conservation(const Host *host, GString *why)
{
    uint64_t consumed = 0;
    for (guint i = 0; i < host->n_vms; i++) {
        const HostVm *v = &host->vms[i];
        if (!guest_pages_check(v->pages, why)) {
            g_string_append_printf(why, "(VM %s)", v->name);
            return false;
        }
        consumed += host_vm_consumed(v);
    }
    if (consumed != host->frames_used) {
        g_string_append_printf(why,
                               "frames used %" G_GUINT64_FORMAT " != sum of VMs' consumed %"
                               G_GUINT64_FORMAT,
                               host->frames_used, consumed);
        return false;
    }
    uint64_t total = host_free_pages(host) + host_overhead_pages(host) + consumed;
    if (total != host->n_pages) {
        g_string_append_printf(why,
                               "free + overhead + consumed = %" G_GUINT64_FORMAT
                               " != host pages %" G_GUINT64_FORMAT,
                               total, host->n_pages);
        return false;
    }
    return true;
}
