/* The Host struct, shared by the files of host/ only. */
#pragma once

#include "host/host.h"

/* A swap device: requests queue behind each other (FIFO, reads and writes
 * alike), each taking size / bandwidth of device time after its latency. */
typedef struct HostSwapDevice {
    SimTime latency;      /* per access */
    double bandwidth;     /* bytes per second */
    SimTime busy_until;   /* the device is transferring until then */
    uint64_t reads;       /* pages read, cumulative */
    uint64_t writes;      /* pages written, cumulative */
} HostSwapDevice;

struct Host {
    const SimScenario *scenario;
    uint64_t page_size;       /* bytes */
    uint64_t n_pages;         /* machine memory, pages */
    uint64_t overhead_host;   /* pages used by the hypervisor */
    uint64_t overhead_vms;    /* pages of powered-on VMs' overhead */
    uint64_t frames_used;     /* frames backing guest pages */
    HostThresholds thresholds;
    uint64_t hysteresis;      /* pages */
    SimHostState state;
    HostSwapDevice swap;
    guint n_vms;
    HostVm *vms;
};

/* Device time for one page on `dev` at `now`: queueing + latency + transfer. */
SimTime host_swap_device_access(HostSwapDevice *dev, uint64_t page_size, SimTime now);
/* Queues `n` page writes (asynchronous for the VM). */
void host_swap_device_write(HostSwapDevice *dev, uint64_t page_size, uint64_t n, SimTime now);
