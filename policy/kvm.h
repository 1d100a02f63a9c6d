/*
 * A KVM host under the policies that run on one (kvm-mom, kvm-static,
 * proxmox): the
 * Linux kernel reclaims guest memory as anonymous memory of the qemu
 * processes (kswapd between the watermarks, direct reclaim below min), and
 * KSM merges identical pages of all VMs at the rate its tuner sets. The
 * balloon targets are the policies' own.
 */
#pragma once

#include "policy/policy.h"

/* The host of every KVM policy: Linux watermarks and LRU swap, KSM across
 * all VMs (no salting), transparent huge pages, no compression (zswap
 * off), virtio_balloon in the guests. */
extern const PolicyEra policy_era_kvm;

/* kswapd's state, kept by the policy between ticks. */
typedef struct PolicyKswapd {
    bool awake; /* woken below the low watermark, asleep again at high */
} PolicyKswapd;

/* The kernel's part of a tick: swap targets toward the high watermark while
 * kswapd is awake, allocations stalled (direct reclaim) below min, no
 * compression. Balloon targets are left as they are. */
void policy_kvm_host_tick(PolicyKswapd *k, const PolicyView *view, PolicyTargets *out);

/* KSM's tuning knobs as MOM's ksm.rules and ksmtuned set them. */
typedef struct PolicyKsm {
    bool run;
    double pages_to_scan;
    double sleep_ms;
} PolicyKsm;

/* The kernel's default before any tuner wrote: pages_to_scan 100, sleep 20 ms, stopped. */
void policy_ksm_init(PolicyKsm *ksm);

/* One step of the tuner (oVirt MOM doc/ksm.rules, ksmtuned): thresh = 20%
 * of memory; stop when thresh + committed < total and free > thresh;
 * else run, sleep = 10 ms x 16 GiB / total (at least `sleep_floor_ms`:
 * 10 under ksmtuned and VDSM, 0 under MOM alone), and
 * pages_to_scan boosted by 300 while free < thresh, else decayed by 50,
 * within [64, 1250]. Sizes in kB. */
void policy_ksm_step(PolicyKsm *ksm, double total_kb, double free_kb, double committed_kb,
                     double sleep_floor_ms);

/* Writes the KSM knobs into the targets: the host-wide scan rate
 * pages_to_scan per sleep_millisecs while it runs. */
void policy_ksm_apply(const PolicyKsm *ksm, PolicyTargets *out);

/* ksmtuned (ksm-control-daemon), the KSM tuner of a KVM host without MOM
 * (Proxmox VE, a plain libvirt host): adjust() every KSM_MONITOR_INTERVAL
 * 60 s, the first 60 s after start, with committed = the configured memory
 * of the running VMs (the qemu processes' size), free = host free memory,
 * and sleep_millisecs floored at 10 ms. */
typedef struct PolicyKsmtuned {
    PolicyKsm ksm;
    SimTime next; /* its next adjust() */
} PolicyKsmtuned;

void policy_ksmtuned_init(PolicyKsmtuned *t, SimTime now);

/* adjust() when its interval has come, and KSM's knobs into the targets
 * (policy_ksm_apply) every tick. */
void policy_ksmtuned_tick(PolicyKsmtuned *t, const PolicyView *view, PolicyTargets *out);
