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

#include "guest/pages.h"
#include "sim/recorder.h"
#include "sim/rng.h"
#include "sim/scenario.h"
#include "sim/time.h"

/* Thresholds in pages, indexed by the state they start (SimHostState). */
typedef struct HostThresholds {
    uint64_t min_free;                    /* minFree, pages */
    uint64_t start[SIM_HOST_STATE_MAX];   /* lower bound of each state's band */
    bool has_clear;                       /* 6.0+ has a clear state */
} HostThresholds;

/* Thresholds as percentages of minFree, one era per row (DESIGN.md section 2). */
typedef struct HostStateTable {
    double pct[SIM_HOST_STATE_MAX]; /* high, clear, soft, hard, low; clear < 0 = absent */
} HostStateTable;

extern const HostStateTable host_states_esxi6; /* 400, 100, 64, 32, 16 */

/* minFree by the sliding scale of Mem.MemMinFreePct = 0, in bytes. */
uint64_t host_minfree_for(uint64_t host_bytes);

void host_thresholds_init(HostThresholds *t, uint64_t min_free_pages, const HostStateTable *table);

/* The state free memory alone puts the host in, by the chosen reading. */
SimHostState host_state_for(const HostThresholds *t, SimStateReading reading, uint64_t free);

/* The next state: more severe at once, less severe only once free is above
 * the boundary by `hysteresis` pages. */
SimHostState host_state_next(const HostThresholds *t, SimStateReading reading,
                             SimHostState current, uint64_t free, uint64_t hysteresis);

/* The host-side state of one VM. Sizes are pages. */
typedef struct HostVm {
    GuestPages *pages;      /* the guest's page table (owned by the guest) */
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
    uint64_t hot_pages;     /* the guest's hot set, written by the guest each tick */
    double touch_rate;      /* touches per second it actually made (after stalls) */
    uint64_t mctl_target;   /* from the policy */
    uint64_t swap_target;   /* from the policy: pages to hold swapped */
    bool block_alloc;       /* from the policy */
    uint64_t swap_ins;      /* cumulative pages read from host swap */
    uint64_t swap_outs;     /* cumulative pages written to host swap */
    SimRng rng;             /* victim choice and sampling */
} HostVm;

typedef struct Host Host;

Host *host_new(const SimScenario *scenario, GError **error);
void host_free(Host *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Host, host_free)

/* Attaches VM i's page table (the guest keeps ownership). */
void host_attach(Host *host, guint vm, GuestPages *pages);

guint host_n_vms(const Host *host);
HostVm *host_vm(Host *host, guint vm);
const HostVm *host_vm_const(const Host *host, guint vm);

uint64_t host_pages(const Host *host);          /* machine memory, pages */
uint64_t host_page_size(const Host *host);      /* bytes */
uint64_t host_overhead_pages(const Host *host); /* host + powered-on VMs */
uint64_t host_free_pages(const Host *host);
uint64_t host_frames_used(const Host *host);
const HostThresholds *host_thresholds(const Host *host);
SimHostState host_state(const Host *host);

/* Machine frames a VM holds (private frames; later shared fractions and zip). */
uint64_t host_vm_consumed(const HostVm *vm);

/* Re-reads free memory and moves the state machine. */
void host_update_state(Host *host);

/*
 * The guest touches page p of VM vm at time `now` and uses it as `use`. An
 * unbacked page gets a frame; a swapped page is read back. Returns the time
 * the access stalls the vCPU (0 when the page was resident or only needed a
 * fresh frame). The page's use and backing change in one step.
 */
SimTime host_access(Host *host, guint vm, uint32_t p, GuestUse use, SimTime now);

/* The page no longer needs backing (ballooned, power off); it becomes `use`. */
void host_release(Host *host, guint vm, uint32_t p, GuestUse use);

/* Swaps out up to n random resident pages of the VM; returns how many. */
uint64_t host_swap_out(Host *host, guint vm, uint64_t n, SimTime now);

/* One host period: swap toward the policy's targets within the device's bandwidth. */
void host_reclaim_tick(Host *host, SimTime now, SimTime dt);

/* Power on/off: overhead and backing. */
void host_vm_power_on(Host *host, guint vm);
void host_vm_power_off(Host *host, guint vm);

/* The memory scheduler: per-VM targets by min-funding revocation. */
void host_sched_balance(Host *host);
/* Samples `sample_pages` random pages of every powered-on VM. */
void host_sched_sample(Host *host);
uint64_t host_vm_active_pages(const HostVm *vm);

/* Swap device counters for the recorder: pages read and written so far. */
uint64_t host_swap_reads(const Host *host);
uint64_t host_swap_writes(const Host *host);

/* Checks conservation on the host and every VM; false with the sums if not. */
bool host_check_conservation(const Host *host, GString *why);
