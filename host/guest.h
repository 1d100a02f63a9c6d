/*
 * Where guest/ meets host/: the calls a guest makes into the hypervisor,
 * as a real guest traps into it (a touch of an unbacked page is a fault the
 * host serves), and the page state they change (host/pages.h). The host
 * never calls the guest. guest/ includes this header and host/pages.h and
 * no other host header; the functions are in host/guest.c.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "host/pages.h"
#include "sim/time.h"

typedef struct Host Host;

/*
 * The guest touches page p of VM vm at time `now` and uses it as `use`. An
 * unbacked page gets a frame; a swapped page is read back. Returns the time
 * the access stalls the vCPU (0 when the page was resident or only needed a
 * fresh frame). The page's use and backing change in one step.
 */
SimTime host_access(Host *host, guint vm, uint32_t p, HostUse use, SimTime now);

/* The guest writes new contents to page p and uses it as `use`: as
 * host_access, and a shared page is copied to a small private frame first
 * (copy-on-write), a compressed page decompressed. */
SimTime host_write(Host *host, guint vm, uint32_t p, HostUse use, SimTime now);

/* host_write, the page then holding new contents `content` (NULL: as
 * host_write): the state ends as after host_write then
 * host_pages_set_content, with the page moved once instead of twice. The
 * write itself sees the old contents: a shared page leaves its old frame,
 * a compressed one its old size. */
SimTime host_write_new(Host *host, guint vm, uint32_t p, HostUse use, const HostContent *content,
                       SimTime now);

/* The guest writes zeroes to every page it holds, the balloon's aside (a
 * Windows boot, docs/design.md "Guest"): each gets the zero page's key,
 * compressibility HOST_ZIP_1K and is written (host_write) as a free page,
 * in page order. */
void host_write_zeroes(Host *host, guint vm, SimTime now);

/* A hint for a guest that writes, one by one, the pages host_pages_pick(use,
 * res) gives, before each write: prefetches what the write a few picks
 * ahead will read (the page's record, then its frame-table slot), so that
 * their cache misses overlap; before the first write (`first`), what all
 * the writes up to there will read. Nothing changes. */
void host_prefetch_writes(const Host *host, guint vm, HostUse use, HostResidency res, bool first);
/* The same for a guest that writes the pages host_pages_pick_free gives. */
void host_prefetch_free_writes(const Host *host, guint vm, bool first);

/* The page no longer needs backing (ballooned, power off); it becomes `use`. */
void host_release(Host *host, guint vm, uint32_t p, HostUse use);

/* Power on/off: overhead and the policy's per-VM targets. The guest
 * releases every page (host_release) before it powers off. */
void host_vm_power_on(Host *host, guint vm);
void host_vm_power_off(Host *host, guint vm);

/* One tier of a workload's popularity curve as the accessed bits show it
 * (host_vm_report_touches; docs/model.md "Workload: access skew"). */
#define HOST_TOUCH_TIERS 3
typedef struct HostTouchTier {
    uint64_t pages;    /* guest pages in the tier, resident or not */
    uint64_t resident; /* of them, resident */
    double rate;       /* 4 KiB touches per second actually made (after stalls) */
    double demand;     /* 4 KiB touches per second the unstalled workload makes */
} HostTouchTier;

/* The guest's touches of one tick, per popularity tier (hot, warm, cold),
 * which the host's sampler sees (a real host observes them through the
 * accessed bits of its page tables). */
void host_vm_report_touches(Host *host, guint vm, const HostTouchTier tiers[HOST_TOUCH_TIERS]);

/* Whether the host blocks the VM's allocations (the policy's low-state
 * rule): the guest then waits instead of taking new pages. */
bool host_vm_alloc_blocked(const Host *host, guint vm);
