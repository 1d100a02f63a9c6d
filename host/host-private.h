/* The Host struct, shared by the files of host/ only. */
#pragma once

#include "host/host.h"
#include "host/sharetab.h"

/* A swap device shared by all VMs: each access costs its latency and its
 * transfer (size / bandwidth) plus a queueing wait. VMs are simulated one
 * after another within a tick, so the wait cannot come from a timeline of
 * requests; it comes from the device's load in the last tick instead
 * (M/D/1 mean wait at that utilisation) plus any backlog of work the device
 * could not finish then. */
typedef struct HostSwapDevice {
    SimTime latency;      /* per access */
    double bandwidth;     /* bytes per second */
    double window_work;   /* seconds of transfer requested in this tick */
    double utilisation;   /* of the last tick, < 1 */
    double backlog;       /* seconds of work carried over */
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
    HostState state;
    HostSwapDevice swap;
    HostSwapDevice cache;     /* host cache (SSD) tier in front of the swap files */
    uint64_t cache_pages;     /* its capacity, pages (0 = none) */
    uint64_t cache_used;      /* pages held there */
    HostShareTable *shared;   /* (domain, content key) -> references */
    HostShareDomain *domains; /* one per VM at most */
    bool compression;         /* policy and scenario allow it */
    bool lru;                 /* a Linux host: swap victims by LRU (host/swapout.c) */
    bool no_swap;             /* the host never swaps a running VM (Hyper-V, Xen) */
    uint64_t forced_swaps;    /* pages swapped because no frame was free at all */
    guint n_vms;
    HostVm *vms;
};

/* Sharing domains and the frame table (host/share.c). */
void host_share_init(Host *host);
/* The compression cache's FIFO of one VM (host/zip.c). */
void host_zip_free_ring(HostVm *vm);

/* A large page: 2 MiB (x86 PDE mapping). */
#define HOST_LARGE_PAGE_BYTES (UINT64_C(2) << 20)

/* Breaks the 2 MiB large page around p into small pages (host/share.c).
 * `scanned` (the share scanner): every sub-page with shareable contents
 * shares at once; otherwise (a break for swap-out) each sub-page is offered
 * to host_share_victim. Returns the sub-pages it broke. */
uint32_t host_break_large(Host *host, guint vm, uint32_t p, bool scanned);
/* The large pages a swap-out victim p breaks: its own and, for a page of
 * several 4 KiB sub-pages, those its other sub-pages stand for (share.c). */
void host_break_for_swap(Host *host, guint vm, uint32_t p);
/* Share before swap: page p, private and resident, chosen for swap-out,
 * maps a shared frame instead when sharing is enabled and its contents are
 * zeroes or already in its domain's frame table; returns whether it did. */
bool host_share_victim(Host *host, guint vm, uint32_t p);

/* Frames in use change only through these (and host/guest.c), so free memory
 * stays derived. */
/* Page p of the VM leaves its shared frame (the caller sets its new backing). */
void host_share_drop(Host *host, guint vm, uint32_t p);
/* A hint that page p's frame-table slot (if its contents are shareable) is
 * wanted soon: a prefetch, nothing changes. */
void host_share_prefetch(const Host *host, guint vm, uint32_t p);
/* Page p, chosen for swap-out, goes to the compression cache if it can;
 * returns false when it must be swapped instead. */
bool host_zip_store(Host *host, guint vm, uint32_t p, SimTime now);
/* Page p leaves the compression cache (decompressed or released). */
void host_zip_drop(Host *host, guint vm, uint32_t p);
/* Moves VM vm's oldest compressed pages to its swap file until one frame of
 * its compression cache is free (or its cache is empty, or its swap file
 * full); returns the frames freed (0 or 1). */
uint64_t host_zip_evict_frame(Host *host, guint vm);
/* Writes page p to the host cache tier or the swap file (host/swapdev.c). */
void host_swap_store(Host *host, guint vm, uint32_t p);

/* Device time for one page on `dev` at `now`: queueing + latency + transfer
 * (host/swapdev.c). */
SimTime host_swap_device_access(HostSwapDevice *dev, uint64_t page_size, SimTime now);
/* Queues `n` page writes (asynchronous for the VM). */
void host_swap_device_write(HostSwapDevice *dev, uint64_t page_size, uint64_t n);
/* Closes a tick of length dt: utilisation and backlog for the next one. */
void host_swap_device_tick(HostSwapDevice *dev, SimTime dt);
