#include "host/host-private.h"

static SimTime transfer_time(uint64_t bytes, double bandwidth)
{
    return (SimTime)((double)bytes / bandwidth * (double)SIM_S);
}

/* A synchronous read: the vCPU waits for the queue ahead of it, the access
 * latency and its own transfer (DESIGN.md "Time and cost"). */
SimTime host_swap_device_access(HostSwapDevice *dev, uint64_t page_size, SimTime now)
{
    SimTime start = dev->busy_until > now ? dev->busy_until : now;
    SimTime xfer = transfer_time(page_size, dev->bandwidth);
    dev->busy_until = start + xfer;
    dev->reads++;
    return (start - now) + dev->latency + xfer;
}

/* Writes occupy the device but nobody waits for them: they only delay the
 * reads queued behind them. */
void host_swap_device_write(HostSwapDevice *dev, uint64_t page_size, uint64_t n, SimTime now)
{
    SimTime start = dev->busy_until > now ? dev->busy_until : now;
    dev->busy_until = start + transfer_time(n * page_size, dev->bandwidth);
    dev->writes += n;
}

static uint64_t swap_one(Host *host, HostVm *vm, SimRng *rng)
{
    uint32_t p = guest_pages_pick_res(vm->pages, rng, GUEST_RES_IN);
    if (p == GUEST_NO_PAGE) {
        return 0;
    }
    guest_pages_set_backing(vm->pages, p, GUEST_BACK_SWAP);
    host->frames_used--;
    vm->swap_outs++;
    return 1;
}

/* Random victims among the VM's resident pages: the host cannot tell hot
 * pages from cold ones (DESIGN.md "Host swap"). */
uint64_t host_swap_out(Host *host, guint vm_index, uint64_t n, SimTime now)
{
    HostVm *vm = &host->vms[vm_index];
    uint64_t done = 0;
    while (done < n && swap_one(host, vm, &vm->rng) == 1) {
        done++;
    }
    host_swap_device_write(&host->swap, host->page_size, done, now);
    return done;
}

uint64_t host_swap_reads(const Host *host)
{
    return host->swap.reads;
}

uint64_t host_swap_writes(const Host *host)
{
    return host->swap.writes;
}

/* Swap-out rate budget for one period: the device's bandwidth over dt,
 * shared by the VMs in turn. */
void host_reclaim_tick(Host *host, SimTime now, SimTime dt)
{
    uint64_t budget =
        (uint64_t)(host->swap.bandwidth * sim_time_to_s(dt) / (double)host->page_size);
    for (guint i = 0; i < host->n_vms && budget > 0; i++) {
        HostVm *vm = &host->vms[i];
        if (!vm->powered_on) {
            continue;
        }
        uint64_t swapped = guest_pages_count_backing(vm->pages, GUEST_BACK_SWAP);
        uint64_t over_limit = host_vm_consumed(vm) > vm->limit ? host_vm_consumed(vm) - vm->limit : 0;
        uint64_t want = vm->swap_target > swapped ? vm->swap_target - swapped : 0;
        want = MAX(want, over_limit);
        if (want > 0) {
            budget -= host_swap_out(host, i, MIN(want, budget), now);
        }
    }
}
