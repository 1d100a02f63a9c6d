#include "policy/kvm.h"

/* virtio_balloon (drivers/virtio/virtio_balloon.c) moves 256 pages per
 * virtqueue round trip and re-queues itself until it reaches its target;
 * after a failed allocation it sleeps 200 ms. The model polls every 200 ms
 * and moves up to 51200 pages a poll (one round trip a millisecond, 1 GiB/s:
 * assumption, the round-trip time is not published), the same in every
 * direction, with no slow-down beyond the guest's own reclaim cost. */
#define VIRTIO_POLL (200 * SIM_MS)
#define VIRTIO_PAGES_PER_POLL 51200u

const PolicyEra policy_era_kvm = {
    .state_pct = {400.0, 100.0, 64.0, 32.0, 16.0}, /* unused: a Linux host has watermarks */
    .salting = 0,                                  /* KSM merges across all VMs */
    .sample_period = 60 * SIM_S,
    .ctl_max_pct = 1.0, /* virtio_balloon has no cap of its own */
    .large_pages = true, /* transparent huge pages back guest memory */
    .compression = false, /* zswap is off by default */
    .linux_host = true,
    .driver = {.poll = VIRTIO_POLL,
               .rate_fast = VIRTIO_PAGES_PER_POLL,
               .rate_slow_max = VIRTIO_PAGES_PER_POLL,
               .rate_slow_min = VIRTIO_PAGES_PER_POLL,
               .rate_slow_inc = 0,
               .deflate_fast = VIRTIO_PAGES_PER_POLL,
               .deflate_slow = VIRTIO_PAGES_PER_POLL},
};

/* Global LRU over all qemu processes: each VM gives its part of what kswapd
 * must free by the memory it holds (assumption: the LRU's age is spread
 * evenly over the VMs; the victims inside a VM are its coldest pages). */
static void kswapd_targets(uint64_t need, const PolicyView *view, PolicyTargets *out)
{
    double held = 0;
    for (guint i = 0; i < view->n_vms; i++) {
        held += view->vms[i].powered_on ? (double)view->vms[i].consumed : 0.0;
    }
    for (guint i = 0; i < view->n_vms; i++) {
        const PolicyVmView *v = &view->vms[i];
        uint64_t part = held > 0 && v->powered_on
                            ? (uint64_t)((double)need * (double)v->consumed / held + 0.5)
                            : 0;
        out->vms[i].swap_target = v->swapped + part;
    }
}

void policy_kvm_host_tick(PolicyKswapd *k, const PolicyView *view, PolicyTargets *out)
{
    if (view->host_free < view->wmark_low) {
        k->awake = true;
    } else if (view->host_free >= view->wmark_high) {
        k->awake = false;
    }
    uint64_t need = k->awake ? view->wmark_high - MIN(view->host_free, view->wmark_high) : 0;
    kswapd_targets(need, view, out);
    bool direct = view->host_free < view->wmark_min;
    for (guint i = 0; i < view->n_vms; i++) {
        out->vms[i].block_alloc = direct && view->vms[i].powered_on;
    }
    out->compression = false;
    out->break_large_pages = false;
}

/* The kernel's KSM defaults (mm/ksm.c). */
#define KSM_DEFAULT_PAGES 100.0
#define KSM_DEFAULT_SLEEP_MS 20.0
/* MOM ksm.rules / ksmtuned constants. */
#define KSM_THRESH_FRACTION 0.20
#define KSM_BOOST 300.0
#define KSM_DECAY 50.0
#define KSM_PAGES_MIN 64.0
#define KSM_PAGES_MAX 1250.0
#define KSM_SLEEP_SCALE_KB 16777216.0 /* 16 GiB in kB */
#define KSM_SLEEP_BASE_MS 10.0

void policy_ksm_init(PolicyKsm *ksm)
{
    *ksm = (PolicyKsm){.run = false,
                       .pages_to_scan = KSM_DEFAULT_PAGES,
                       .sleep_ms = KSM_DEFAULT_SLEEP_MS};
}

void policy_ksm_step(PolicyKsm *ksm, double total_kb, double free_kb, double committed_kb,
                     double sleep_floor_ms)
{
    double thresh = KSM_THRESH_FRACTION * total_kb;
    if (thresh + committed_kb < total_kb && free_kb > thresh) {
        ksm->run = false;
        return;
    }
    ksm->run = true;
    ksm->sleep_ms = MAX(sleep_floor_ms, KSM_SLEEP_BASE_MS * KSM_SLEEP_SCALE_KB / total_kb);
    double step = free_kb < thresh ? KSM_BOOST : -KSM_DECAY;
    ksm->pages_to_scan = CLAMP(ksm->pages_to_scan + step, KSM_PAGES_MIN, KSM_PAGES_MAX);
}

void policy_ksm_apply(const PolicyKsm *ksm, PolicyTargets *out)
{
    out->share_scan_factor = ksm->run ? 1.0 : 0.0;
    out->share_rate = ksm->run ? ksm->pages_to_scan * 1000.0 / ksm->sleep_ms : 0.0;
    /* KSM splits a huge page to merge a page of it (Linux 4.x+) */
    out->break_large_pages = ksm->run;
}

/* ksmtuned: KSM_MONITOR_INTERVAL 60 s, KSM_SLEEP_MSEC 10 ms as the floor;
 * thresholds as policy_ksm_step (KSM_THRES_COEF 20%). */
#define KSMTUNED_INTERVAL (60 * SIM_S)
#define KSMTUNED_SLEEP_FLOOR_MS 10.0

void policy_ksmtuned_init(PolicyKsmtuned *t, SimTime now)
{
    policy_ksm_init(&t->ksm);
    t->next = now + KSMTUNED_INTERVAL;
}

/* ksmtuned's adjust(): committed = the running VMs' memory (the qemu
 * processes' size), free = MemFree (the host keeps no page cache here). */
static void ksmtuned_adjust(PolicyKsm *ksm, const PolicyView *view)
{
    double kb = (double)view->page_bytes / 1024.0;
    double committed = 0.0;
    for (guint i = 0; i < view->n_vms; i++) {
        committed += view->vms[i].powered_on ? (double)view->vms[i].configured * kb : 0.0;
    }
    policy_ksm_step(ksm, (double)view->host_pages * kb, (double)view->host_free * kb, committed,
                    KSMTUNED_SLEEP_FLOOR_MS);
}

void policy_ksmtuned_tick(PolicyKsmtuned *t, const PolicyView *view, PolicyTargets *out)
{
    if (view->now >= t->next) {
        t->next += KSMTUNED_INTERVAL * ((view->now - t->next) / KSMTUNED_INTERVAL + 1);
        ksmtuned_adjust(&t->ksm, view);
    }
    policy_ksm_apply(&t->ksm, out);
}
