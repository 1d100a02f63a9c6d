/*
 * The host: machine memory, minFree and the memory states, the swap device,
 * the memory scheduler and the per-VM host-side state. Free memory is never
 * set: it is host pages - overhead - frames in use, and frames in use only
 * change when a page's backing changes (host_access, host_release,
 * host_swap_out), which the conservation check verifies against page states.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "host/guest.h"
#include "host/pages.h"
#include "host/state.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/time.h"

/* Thresholds in pages, indexed by the state they start (HostState). */
typedef struct HostThresholds {
    uint64_t min_free;                    /* minFree, pages */
    uint64_t start[HOST_STATE_MAX];   /* lower bound of each state's band */
    bool has_clear;                       /* 6.0+ has a clear state */
    uint64_t wmark_min, wmark_low, wmark_high; /* a Linux host's watermarks; 0 on ESX */
} HostThresholds;

/* What kind of host a run models (from the policy's era). */
typedef struct HostModel {
    const double *state_pct; /* thresholds as % of minFree; NULL = ESXi 6.0+ */
    bool pct_of_host;        /* ... of host memory (2002) */
    bool linux_host;         /* watermarks from min_free_kbytes, victims by LRU */
    bool no_swap;            /* never swaps or compresses a running VM's memory */
} HostModel;

/* Thresholds as percentages of minFree, one era per row (docs/design.md section 2). */
typedef struct HostStateTable {
    double pct[HOST_STATE_MAX]; /* high, clear, soft, hard, low; clear < 0 = absent */
} HostStateTable;

extern const HostStateTable host_states_esxi6; /* 400, 100, 64, 32, 16 */

/* minFree by the sliding scale of Mem.MemMinFreePct = 0, in bytes. */
uint64_t host_minfree_for(uint64_t host_bytes);

void host_thresholds_init(HostThresholds *t, uint64_t min_free_pages, const HostStateTable *table);

/* A Linux host's vm.min_free_kbytes by its default formula, raised by
 * khugepaged when transparent huge pages are on (`thp`), in bytes. */
uint64_t host_linux_min_free(uint64_t host_bytes, bool thp);

/* A Linux host's watermarks from its min watermark (host/watermark.c). */
void host_linux_thresholds(HostThresholds *t, uint64_t host_pages, uint64_t min_pages);

/* The state free memory alone puts the host in, by the chosen reading. */
HostState host_state_for(const HostThresholds *t, SimStateReading reading, uint64_t free);

/* The next state: more severe at once, less severe only once free is above
 * the boundary by `hysteresis` pages. */
HostState host_state_next(const HostThresholds *t, SimStateReading reading,
                             HostState current, uint64_t free, uint64_t hysteresis);

/* A sharing domain: the VMs whose identical pages may share a frame (one VM
 * with salting 2, a salt group with 1, all VMs with 0). */
typedef struct HostShareDomain {
    uint64_t frames;        /* shared machine frames */
    uint64_t refs;          /* guest pages mapping them */
    uint64_t singles;       /* frames with one reference: scanned contents nothing else
                               matched yet (ESX's hint frames), not counted as shared */
} HostShareDomain;

/* The host-side state of one VM. Sizes are pages. */
typedef struct HostVm {
    HostPages *pages; /* the guest's page table (owned by the guest) */
    const char *name;
    bool powered_on;
    uint64_t configured;
    uint64_t reservation;
    uint64_t limit;         /* = configured when unlimited */
    uint64_t shares;
    uint64_t overhead;      /* charged while powered on */
    uint64_t sztgt;         /* written by the scheduler */
    double active_fast;     /* sampled active fraction, fast average */
    double active_slow;     /* slow average */
    HostTouchTier touch[HOST_TOUCH_TIERS]; /* the guest's touches (host_vm_report_touches) */
    uint64_t mctl_target;   /* from the policy */
    uint64_t swap_target;   /* from the policy: pages to hold swapped */
    bool block_alloc;       /* from the policy */
    guint domain;           /* sharing domain index */
    guint image_space;      /* frame-table space of its image contents (host/share.c) */
    const HostShareDomain *share; /* its domain, for the VM's share of shared frames */
    uint64_t shared_zero;   /* of its shared pages, how many are zero pages */
    double scan_credit;     /* pages of share scanning owed (fractional rates) */
    uint64_t zip_bytes;     /* bytes of compressed pages in its compression cache */
    uint64_t zip_frames;    /* machine pages its compression cache holds */
    struct HostZipRing *zip_ring; /* pages as they entered the cache, oldest first */
    uint64_t swap_ins;      /* cumulative pages read from host swap */
    uint64_t swap_outs;     /* cumulative pages written to host swap */
    SimRng rng;             /* victim choice and sampling */
} HostVm;

typedef struct Host Host;

/* `model` NULL = an ESXi 6.0+ host. */
Host *host_new(const SimScenario *scenario, const HostModel *model, GError **error);
void host_free(Host *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Host, host_free)

/* Attaches VM i's page table (the guest keeps ownership). */
void host_attach(Host *host, guint vm, HostPages *pages);

guint host_n_vms(const Host *host);
HostVm *host_vm(Host *host, guint vm);
const HostVm *host_vm_const(const Host *host, guint vm);

uint64_t host_pages(const Host *host);          /* machine memory, pages */
uint64_t host_page_size(const Host *host);      /* bytes */
uint64_t host_overhead_pages(const Host *host); /* host + powered-on VMs */
uint64_t host_free_pages(const Host *host);
uint64_t host_frames_used(const Host *host);
const HostThresholds *host_thresholds(const Host *host);
HostState host_state(const Host *host);

/* Machine frames a VM holds: private frames + its share of the shared frames
 * of its domain (pages it shares x frames / references) + its compression
 * cache. Rounded to pages; host_vm_consumed_exact() keeps the fraction. */
uint64_t host_vm_consumed(const HostVm *vm);
double host_vm_consumed_exact(const HostVm *vm);
/* Machine pages page sharing saves for this VM (shared pages - its share of frames). */
double host_vm_share_saved(const HostVm *vm);
/* Guest pages that share a frame with another page (esxtop SHRD): its pages
 * on shared frames less its part of the domain's single-reference frames. */
double host_vm_shared_pages(const HostVm *vm);

/* Pages swapped because a VM touched memory with no frame free at all: the
 * last resort that keeps every touched page backed, also on a host that
 * does not swap (the run warns about them there). */
uint64_t host_forced_swaps(const Host *host);

/* Re-reads free memory and moves the state machine. */
void host_update_state(Host *host);

/* host_access, host_write, host_release: the guest's calls, in host/guest.h. */

/* Page sharing: scans every powered-on VM for dt at its rate
 * (min(size / ShareScanTime, ShareRateMax) x factor, within the host's
 * ShareScanGHz budget), sharing identical pages within each domain. With
 * `host_rate` > 0 (4 KiB pages a second, KSM), one host-wide rate x factor
 * spread over the VMs by size instead. */
void host_share_scan(Host *host, SimTime dt, double factor, double host_rate, bool break_large);

/* Bytes of the shared-frame table now, and at most (for the benchmark). */
size_t host_share_table_bytes(const Host *host);
size_t host_share_table_peak_bytes(const Host *host);

/* Host-wide sharing figures, pages. */
uint64_t host_shared_frames(const Host *host);
uint64_t host_shared_refs(const Host *host);
/* Shared frames with a single reference, over all domains. */
uint64_t host_shared_singles(const Host *host);

/* Compression: enables or disables storing pages chosen for swap-out in
 * the compression cache (policy + scenario switch). */
void host_set_compression(Host *host, bool on);

/* Whether the VM's swap file (configured - reservation) has room left. */
bool host_vm_swap_room(const HostVm *vm);

/* Swaps out up to n random resident pages of the VM, while its swap file
 * has room; returns how many. */
uint64_t host_swap_out(Host *host, guint vm, uint64_t n, SimTime now);

/* One host period: swap toward the policy's targets within the device's bandwidth. */
void host_reclaim_tick(Host *host, SimTime now, SimTime dt);

/* Admission control (vSphere): a VM powers on only if the overheads and
 * reservations of the powered-on VMs plus its own fit in the host's memory
 * for VMs. */
bool host_admit(const Host *host, guint vm);

/* The memory scheduler: per-VM targets by min-funding revocation. */
void host_sched_balance(Host *host);
/* Samples `sample_pages` random pages of every powered-on VM. */
void host_sched_sample(Host *host);
uint64_t host_vm_active_pages(const HostVm *vm);

/* Pages of the VM the host holds compressed or swapped (the swap target counts these). */
uint64_t host_vm_reclaimed_out(const HostVm *vm);
/* Of those, the swapped ones (swap file and host cache). */
uint64_t host_vm_swapped(const HostVm *vm);

/* Swap device counters for the recorder: pages read and written so far. */
uint64_t host_swap_reads(const Host *host);
uint64_t host_swap_writes(const Host *host);
/* Of those reads, the pages the host cache (SSD) tier served. */
uint64_t host_swap_cache_reads(const Host *host);

/* Checks conservation on the host and every VM; false with the sums if not. */
bool host_check_conservation(const Host *host, GString *why);
