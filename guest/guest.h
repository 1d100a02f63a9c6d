/*
 * The guest OS of one VM: a Linux-like (or Windows) kernel with free,
 * anon and page-cache lists, a guest swap device, the workload that
 * allocates and touches memory, the balloon driver, and stall accounting.
 * The guest reaches the host only through host/guest.h, as a real guest
 * traps into the hypervisor; the page state it shares with the host is
 * host/pages.h.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "host/guest.h"
#include "host/pages.h"
#include "sim/scenario.h"
#include "sim/time.h"

typedef struct Guest Guest;

/* VM `index` of the scenario; `cfg` and `host` must outlive the guest. */
Guest *guest_new(const SimVmConfig *cfg, guint index, const SimHostConfig *host, uint64_t seed);
void guest_free(Guest *guest);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Guest, guest_free)

HostPages *guest_pages(Guest *guest);
bool guest_powered_on(const Guest *guest);

/* Boot: kernel pages, and a Windows guest zeroes all its memory. */
void guest_power_on(Guest *guest, Host *host, SimTime now);
/* The same boot with `balloon` pages (capped by the balloon cap) in the
 * balloon from the start: free pages placed there before the guest's first
 * touch, so the host never backs them and a Windows guest zeroes only the
 * rest. */
void guest_power_on_ballooned(Guest *guest, Host *host, uint64_t balloon, SimTime now);
/* All pages go back to the host; the guest's lists and swap are reset. */
void guest_power_off(Guest *guest, Host *host);

/* Applies a phase's changes to the workload targets. */
void guest_apply_phase(Guest *guest, const SimPhase *phase);

/* One workload tick of length dt: allocation, hot set, page cache, touches. */
void guest_tick(Guest *guest, Host *host, SimTime now, SimTime dt);

/* One balloon driver poll toward `target` pages (capped by the driver). */
void guest_balloon_poll(Guest *guest, Host *host, uint64_t target, SimTime now);

/* The balloon cap: min(Mem.CtlMaxPercent, max_balloon, configured - reservation). */
uint64_t guest_balloon_max(const Guest *guest);
uint64_t guest_balloon_size(const Guest *guest);
bool guest_has_balloon(const Guest *guest);

/* Guest-visible statistics, pages. */
uint64_t guest_free_pages(const Guest *guest);
uint64_t guest_cache_pages(const Guest *guest);
uint64_t guest_swap_used(const Guest *guest);
/* What the guest reports to a host that reads its statistics (virtio
 * MEMFREE is guest_free_pages): MemAvailable (free and page cache, which it
 * can drop), Committed_AS (anonymous memory in use, also what sits in
 * guest swap) and its kernel's pinned pages (docs/model.md "Guest
 * statistics"). */
uint64_t guest_mem_available(const Guest *guest);
uint64_t guest_committed(const Guest *guest);
uint64_t guest_kernel(const Guest *guest);
/* Shared pages the workload's writes have copied to private frames
 * (copy-on-write breaks by `workload.write_share`), since creation. */
uint64_t guest_cow_breaks(const Guest *guest);

/* Stall time and powered-on time since the last call; resets both. */
void guest_take_interval(Guest *guest, SimTime *stalled, SimTime *on);
/* Total stalled and powered-on time since the start. */
void guest_totals(const Guest *guest, SimTime *stalled, SimTime *on);
