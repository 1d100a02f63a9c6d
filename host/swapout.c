/*
 * Host swap-out (docs/design.md "Host swap"): choosing victims and how many,
 * toward the policy's swap targets and the VMs' limits, within what the
 * devices can write in a period. A victim is shared when its contents can
 * be (host/share.c), else compressed when it can be (host/zip.c), else
 * written to a device (host/swapdev.c).
 */
#include "host/host-private.h"

#include <math.h>

/* Random victims among the VM's private resident pages: the host cannot
 * tell hot pages from cold ones (docs/design.md "Host swap"). A Linux host
 * can: its LRU takes the least recently used first (pick_private_lru). Shared pages stay:
 * their frame is not the VM's alone (assumption). Share before swap (VMware
 * KB 1021095): a large page is broken first and its sub-pages, the victim
 * among them, are offered to page sharing; a victim whose contents are
 * zeroes or already in the frame table is shared, not written. Otherwise it
 * is compressed when it can be, else swapped. A shared victim counts as one
 * of the n: it freed a frame, and the policy's next swap target, computed
 * from consumed memory, is lower by it (docs/model.md). Each victim leaves
 * the private pages, so the loop ends after n victims at most, whatever
 * their contents. */
uint64_t host_swap_out(Host *host, guint vm, uint64_t n, SimTime now)
{
    HostVm *v = &host->vms[vm];
    uint64_t done = 0;
    for (; done < n && host_vm_swap_room(v); done++) {
        uint32_t p = host->lru ? host_pages_pick_private_lru(v->pages, &v->rng)
                               : host_pages_pick_private(v->pages, &v->rng);
        if (p == HOST_NO_PAGE) {
            break;
        }
        host_break_for_swap(host, vm, p);
        if (host_pages_backing(v->pages, p) == HOST_BACK_SHARED || host_share_victim(host, vm, p)) {
            continue;
        }
        host->frames_used--;
        if (!host_zip_store(host, vm, p, now)) {
            host_swap_store(host, vm, p);
        }
    }
    return done;
}

/* Pages VM i should swap now: toward the policy's swap target, and at least
 * what it holds above its limit (the limit is a hard cap). */
static uint64_t swap_want(const HostVm *vm)
{
    if (!vm->powered_on) {
        return 0;
    }
    uint64_t consumed = host_vm_consumed(vm);
    uint64_t swapped = host_vm_reclaimed_out(vm);
    uint64_t over_limit = consumed > vm->limit ? consumed - vm->limit : 0;
    uint64_t want = vm->swap_target > swapped ? vm->swap_target - swapped : 0;
    return MAX(want, over_limit);
}

/* Pages the devices can write over dt: swapped pages go to the host cache
 * while it has room, so its bandwidth paces them; once it fills (within
 * the period too), the swap files' bandwidth paces the rest. */
static double swap_out_budget(const Host *host, SimTime dt)
{
    double span = sim_time_to_s(dt);
    double page = (double)host->page_size;
    double to_file = host->swap.bandwidth * span / page;
    if (host->cache_used >= host->cache_pages) {
        return to_file;
    }
    double room = (double)(host->cache_pages - host->cache_used);
    double to_cache = host->cache.bandwidth * span / page;
    if (room >= to_cache) {
        return to_cache;
    }
    return room + to_file * (1.0 - room / to_cache);
}

/* The swap-out budget of one period is shared among the VMs in proportion
 * to what each should swap, so that no VM's place in the list decides who
 * is swapped. */
void host_reclaim_tick(Host *host, SimTime now, SimTime dt)
{
    host_swap_device_tick(&host->swap, dt);
    host_swap_device_tick(&host->cache, dt);
    if (host->no_swap) {
        return;
    }
    double budget = swap_out_budget(host, dt);
    double total = 0;
    for (guint i = 0; i < host->n_vms; i++) {
        total += (double)swap_want(&host->vms[i]);
    }
    if (total <= 0) {
        return;
    }
    double share = MIN(1.0, budget / total);
    for (guint i = 0; i < host->n_vms; i++) {
        uint64_t want = swap_want(&host->vms[i]);
        uint64_t n = (uint64_t)ceil((double)want * share);
        if (n > 0) {
            host_swap_out(host, i, MIN(n, want), now);
        }
    }
}
