/*
 * The swap devices (docs/design.md "Host swap"): each VM's swap file on the
 * shared swap device, the host cache (SSD) tier in front of them, their
 * cost per access, and the swap file's size. What to swap is
 * host/swapout.c's; this file only stores pages and charges the devices.
 */
#include "host/host-private.h"

/* Highest utilisation used in the M/D/1 wait, so the wait stays finite;
 * beyond it the backlog carries the overload (assumption). */
#define SWAP_MAX_UTILISATION 0.95

/* A synchronous read: the vCPU waits for the queue ahead of it, the access
 * latency and its own transfer (docs/design.md "Time and cost"). A page of
 * page_size is the guest's page_size / 4 KiB faults, one after another:
 * each has its latency and its M/D/1 wait, but only the first waits for
 * the backlog: once it has waited, the work queued ahead of it is done.
 * Waiting the backlog once per sub-page made one 2 MiB fault after a
 * burst of swap-outs stall its VM 512 times the backlog (a 2.1 s backlog
 * gave 18 minutes) and kept its pages out (docs/model.md "Pages"). */
SimTime host_swap_device_access(HostSwapDevice *dev, uint64_t page_size, SimTime now)
{
    (void)now;
    double subpages = (double)MAX(1, page_size / HOST_SUBPAGE_BYTES);
    double xfer = (double)page_size / dev->bandwidth;
    double rho = dev->utilisation;
    double wait = dev->backlog + xfer * rho / (2.0 * (1.0 - rho));
    dev->window_work += xfer;
    dev->reads++;
    return dev->latency * (SimTime)subpages + sim_time_from_s(xfer + wait);
}

/* Writes occupy the device but nobody waits for them: they only load it
 * for the reads. */
void host_swap_device_write(HostSwapDevice *dev, uint64_t page_size, uint64_t n)
{
    dev->window_work += (double)(n * page_size) / dev->bandwidth;
    dev->writes += n;
}

void host_swap_device_tick(HostSwapDevice *dev, SimTime dt)
{
    double span = sim_time_to_s(dt);
    double work = dev->backlog + dev->window_work;
    dev->backlog = work > span ? work - span : 0.0;
    dev->utilisation = MIN(SWAP_MAX_UTILISATION, dev->window_work / span);
    dev->window_work = 0.0;
}

/* The host cache (SSD) tier takes swapped pages while it has room; the
 * rest go to the VM's swap file (vSphere "Swap to host cache"). */
void host_swap_store(Host *host, guint vm, uint32_t p)
{
    HostVm *v = &host->vms[vm];
    bool cached = host->cache_used < host->cache_pages;
    HostSwapDevice *dev = cached ? &host->cache : &host->swap;
    host_swap_device_write(dev, host->page_size, 1);
    host->cache_used += cached ? 1 : 0;
    host_pages_set_backing(v->pages, p, cached ? HOST_BACK_CACHE_SWAP : HOST_BACK_SWAP);
    v->swap_outs++;
}

uint64_t host_swap_reads(const Host *host)
{
    return host->swap.reads + host->cache.reads;
}

uint64_t host_swap_writes(const Host *host)
{
    return host->swap.writes + host->cache.writes;
}

uint64_t host_swap_cache_reads(const Host *host)
{
    return host->cache.reads;
}

uint64_t host_vm_swapped(const HostVm *vm)
{
    return host_pages_count_backing(vm->pages, HOST_BACK_SWAP) +
           host_pages_count_backing(vm->pages, HOST_BACK_CACHE_SWAP);
}

bool host_vm_swap_room(const HostVm *vm)
{
    return host_vm_swapped(vm) < vm->configured - MIN(vm->reservation, vm->configured);
}

uint64_t host_vm_reclaimed_out(const HostVm *vm)
{
    return host_pages_count_backing(vm->pages, HOST_BACK_ZIP) + host_vm_swapped(vm);
}
