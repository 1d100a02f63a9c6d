/* The guest's calls into the host (host/guest.h), as the host serves them:
 * backing a page on first touch, bringing it back from the compression
 * cache or swap, copy-on-write of shared pages, releasing pages, power
 * on/off, and what the guest's touches show the sampler. */
#include "host/host-private.h"

#include <string.h>

/* A VM at its limit swaps its own pages before it gets a frame; with
 * compression one swap-out may free less than a frame, so it may take a
 * few (bound on the attempts, assumption). */
#define HOST_MAKE_ROOM_TRIES 8

/* The powered-on VM with the most frames that can swap one out (room in its
 * swap file and a private page), to make room when the host has no free
 * frame left at all; false when none can. O(VMs), only on this rare path. */
static bool fullest_vm(Host *host, guint *vm)
{
    uint64_t best_consumed = 0;
    for (guint i = 0; i < host->n_vms; i++) {
        const HostVm *v = &host->vms[i];
        bool can = v->powered_on && host_vm_swap_room(v) &&
                   host_pages_count_backing(v->pages, HOST_BACK_PRIVATE) > 0;
        uint64_t c = can ? host_vm_consumed(v) : 0;
        if (c > best_consumed) {
            *vm = i;
            best_consumed = c;
        }
    }
    return best_consumed > 0;
}

/* One frame freed when no VM has a private page to swap (the others'
 * memory all shared or compressed, a VM with a reservation still growing
 * into it): a compressed page goes to its VM's swap file, as when the
 * compression cache is full (docs/model.md, "host out of frames"). Without
 * it the host handed out a frame it did not have. */
static uint64_t evict_compressed(Host *host)
{
    for (guint i = 0; i < host->n_vms; i++) {
        if (host->vms[i].zip_frames > 0 && host_zip_evict_frame(host, i) > 0) {
            return 1;
        }
    }
    return 0;
}

/* Before the VM gets one more frame: a VM at its limit swaps its own pages
 * first (the limit is a hard cap, enforced without host pressure); a host
 * with no free frame at all swaps a page of the fullest VM. */
static void frames_take(Host *host, guint vm, SimTime now)
{
    HostVm *v = &host->vms[vm];
    for (int i = 0; i < HOST_MAKE_ROOM_TRIES && !host->no_swap &&
                    host_vm_consumed(v) + 1 > v->limit;
         i++) {
        if (host_swap_out(host, vm, 1, now) == 0) {
            break;
        }
    }
    /* out of frames: swap without compressing, so each victim frees a
     * whole frame */
    bool zip = host->compression;
    host->compression = false;
    for (int i = 0; i < HOST_MAKE_ROOM_TRIES && host_free_pages(host) == 0; i++) {
        guint fullest;
        uint64_t freed = fullest_vm(host, &fullest) ? host_swap_out(host, fullest, 1, now)
                                                    : evict_compressed(host);
        if (freed == 0) {
            break;
        }
        host->forced_swaps++;
    }
    host->compression = zip;
    host->frames_used++;
}

/* Takes page p out of wherever it is held outside memory; returns the cost
 * of getting its contents back: `host.compression.latency` per 4 KiB
 * sub-page for a compressed page (decompression, no device), a device read
 * for a swapped one. A simulated page stands for page_size / 4 KiB pages
 * the guest would fault one by one (docs/model.md "Pages"). */
static SimTime bring_in(Host *host, guint vm, uint32_t p, HostBacking b, SimTime now)
{
    HostVm *v = &host->vms[vm];
    switch (b) {
    case HOST_BACK_ZIP:
        host_zip_drop(host, vm, p);
        return host->scenario->host.compression.latency *
               (SimTime)MAX(1, host->page_size / HOST_SUBPAGE_BYTES);
    case HOST_BACK_SWAP:
        v->swap_ins++;
        return host_swap_device_access(&host->swap, host->page_size, now);
    case HOST_BACK_CACHE_SWAP:
        v->swap_ins++;
        host->cache_used--;
        return host_swap_device_access(&host->cache, host->page_size, now);
    default:
        return 0;
    }
}

/* Backs page p, held nowhere in memory, with a frame for `use`: its
 * contents brought back, or a copy of a shared frame's (`copy`), then new
 * contents `c` written over them (NULL: none). First touch is backed by a
 * 2 MiB page (AllocGuestLargePage); pages brought back from swap or copied
 * get small pages, and so do pages the balloon held: it took 4 KiB pages
 * here and there, so their regions are partly backed. A simulated page of
 * 2 MiB is such a large page itself: its 4 KiB contents are not shared
 * until it is broken, as at 4 KiB. */
static SimTime fault_in(Host *host, guint vm, uint32_t p, HostUse use, SimTime now, bool copy,
                        const HostContent *c)
{
    HostVm *v = &host->vms[vm];
    HostBacking b = host_pages_backing(v->pages, p);
    SimTime cost = bring_in(host, vm, p, b, now);
    if (b != HOST_BACK_NONE) {
        host_pages_set_backing(v->pages, p, HOST_BACK_NONE);
    }
    frames_take(host, vm, now);
    bool large = b == HOST_BACK_NONE && !copy && host->scenario->host.sharing.large_pages &&
                 !host_pages_small(v->pages, p);
    host_pages_set_private(v->pages, p, use, large, c);
    return cost;
}

/* host_access, with new contents `c` when the guest writes them (NULL:
 * a touch that leaves them). */
static SimTime access(Host *host, guint vm, uint32_t p, HostUse use, SimTime now,
                      const HostContent *c)
{
    HostVm *v = &host->vms[vm];
    HostBacking b = host_pages_backing(v->pages, p);
    if (host_residency_resident(host_backing_residency(b))) {
        host_pages_set_written(v->pages, p, use, b, c);
        return 0;
    }
    return fault_in(host, vm, p, use, now, false, c);
}

SimTime host_access(Host *host, guint vm, uint32_t p, HostUse use, SimTime now)
{
    return access(host, vm, p, use, now, NULL);
}

SimTime host_write_new(Host *host, guint vm, uint32_t p, HostUse use, const HostContent *content,
                       SimTime now)
{
    HostVm *v = &host->vms[vm];
    if (host_pages_backing(v->pages, p) != HOST_BACK_SHARED) {
        return access(host, vm, p, use, now, content);
    }
    /* the old contents leave the frame table before the new ones come */
    host_share_drop(host, vm, p);
    host_pages_set_backing(v->pages, p, HOST_BACK_NONE);
    return fault_in(host, vm, p, use, now, true, content);
}

SimTime host_write(Host *host, guint vm, uint32_t p, HostUse use, SimTime now)
{
    return host_write_new(host, vm, p, use, NULL, now);
}

/* Whether host_write_zeroes can back every free page of the VM in one
 * pass: all unbacked, nothing else held but the balloon, and room for all
 * of them on the host and under the VM's limit, so that no write meets a
 * swap-out or a full host and each is a first touch that only takes a
 * frame. */
static bool zeroes_in_one_pass(const Host *host, const HostVm *v)
{
    const HostPages *pages = v->pages;
    uint64_t n = host_pages_count(pages, HOST_USE_FREE, HOST_BACK_NONE);
    bool all_free = n == host_pages_count_use(pages, HOST_USE_FREE) &&
                    n + host_pages_count_use(pages, HOST_USE_BALLOON) == pages->n;
    return all_free && n <= host_free_pages(host) &&
           (uint64_t)(host_vm_consumed_exact(v) + (double)n + 0.5) <= v->limit;
}

void host_write_zeroes(Host *host, guint vm, SimTime now)
{
    HostVm *v = &host->vms[vm];
    if (zeroes_in_one_pass(host, v)) {
        host->frames_used += host_pages_zero_free(v->pages, host->scenario->host.sharing.large_pages);
        return;
    }
    for (uint32_t p = 0; p < v->pages->n; p++) {
        if (host_pages_use(v->pages, p) == HOST_USE_BALLOON) {
            continue; /* not present in the guest: it cannot zero it */
        }
        host_pages_set_content(v->pages, p, 0, HOST_ZIP_1K);
        host_write(host, vm, p, HOST_USE_FREE, now);
    }
}

/* Picks ahead whose records are prefetched; their frame slots half as far
 * ahead, once the records have come. */
#define WRITE_AHEAD 8u

/* The record of the page `ahead` picks from now, or its frame-table slot. */
static void prefetch_record(const HostPages *pages, HostUse use, HostResidency res, uint32_t ahead)
{
    uint32_t p = host_pages_pick_ahead(pages, use, res, ahead);
    if (p != HOST_NO_PAGE) {
        sim_partition_prefetch_item(pages->lists, p);
    }
}

static void prefetch_frame(const Host *host, guint vm, HostUse use, HostResidency res,
                           uint32_t ahead)
{
    uint32_t p = host_pages_pick_ahead(host->vms[vm].pages, use, res, ahead);
    if (p != HOST_NO_PAGE) {
        host_share_prefetch(host, vm, p);
    }
}

void host_prefetch_writes(const Host *host, guint vm, HostUse use, HostResidency res, bool first)
{
    const HostPages *pages = host->vms[vm].pages;
    /* most loops write a handful of pages: the first call starts them all */
    for (uint32_t a = first ? 0 : WRITE_AHEAD; a <= WRITE_AHEAD; a++) {
        prefetch_record(pages, use, res, a);
    }
    if (res != HOST_RES_SHARED) {
        return;
    }
    for (uint32_t a = first ? 0 : WRITE_AHEAD / 2; a <= WRITE_AHEAD / 2; a++) {
        prefetch_frame(host, vm, use, res, a);
    }
}

void host_prefetch_free_writes(const Host *host, guint vm, bool first)
{
    HostResidency res = host_pages_free_res(host->vms[vm].pages);
    if (res != HOST_RES_MAX) {
        host_prefetch_writes(host, vm, HOST_USE_FREE, res, first);
    }
}

void host_release(Host *host, guint vm, uint32_t p, HostUse use)
{
    HostVm *v = &host->vms[vm];
    switch (host_pages_backing(v->pages, p)) {
    case HOST_BACK_PRIVATE:
        host->frames_used--;
        break;
    case HOST_BACK_SHARED:
        host_share_drop(host, vm, p);
        break;
    case HOST_BACK_ZIP:
        host_zip_drop(host, vm, p);
        break;
    case HOST_BACK_CACHE_SWAP:
        host->cache_used--;
        break;
    default:
        break;
    }
    host_pages_set(v->pages, p, use, HOST_BACK_NONE);
    /* a ballooned page comes back small; a powered-off VM's regions are
     * all free again, so its next boot gets large pages */
    host_pages_set_small(v->pages, p, use == HOST_USE_BALLOON);
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

void host_vm_report_touches(Host *host, guint vm, const HostTouchTier tiers[HOST_TOUCH_TIERS])
{
    memcpy(host->vms[vm].touch, tiers, sizeof host->vms[vm].touch);
}

bool host_vm_alloc_blocked(const Host *host, guint vm)
{
    return host->vms[vm].block_alloc;
}
