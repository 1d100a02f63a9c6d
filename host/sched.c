/*
 * The memory scheduler (Waldspurger, OSDI 2002, section 5; vSphere Resource
 * Management): every BalancePeriod each powered-on VM gets a target size
 * between its reservation and min(limit, configured) by min-funding
 * revocation with an idle tax, fed by statistical sampling of active pages.
 */
#include "host/host-private.h"

#include <math.h>

/* Moving averages of the sampled active fraction. ESXi keeps a fast and a
 * slow average and uses the larger, so the estimate rises fast and decays
 * slowly (Waldspurger 2002, 5.3). The weights are not published: assumption. */
#define SCHED_ACTIVE_FAST_WEIGHT 0.5
#define SCHED_ACTIVE_SLOW_WEIGHT 0.1
/* Iterations of the bisection for the revocation threshold: 64 halvings of
 * a log-scale interval are far below one page of resolution. */
#define SCHED_BISECT_STEPS 64

uint64_t host_vm_active_pages(const HostVm *vm)
{
    double f = MAX(vm->active_fast, vm->active_slow);
    return (uint64_t)(f * (double)vm->configured + 0.5);
}

/* P(a given 4 KiB page of a tier of `pages` simulated pages, each standing
 * for `sub` 4 KiB pages, was touched at least once in `period` when the
 * tier gets `rate` 4 KiB touches per second spread evenly over it). */
static double touched_prob(double rate, uint64_t pages, double sub, SimTime period)
{
    if (pages == 0 || rate <= 0.0) {
        return 0.0;
    }
    return -expm1(-rate * sim_time_to_s(period) / ((double)pages * sub));
}

/* Expected share of the VM's configured pages that a uniform sample finds
 * touched in `period`: per tier, its pages x P(touched) at the rate the
 * unstalled workload touches it. A stall delays touches, it does not
 * cancel them: while one thread waits for its page the workload's other
 * threads keep touching, and the waiting thread's next touch is of its
 * working set, so a busy VM that stalls is not an idle one (assumption,
 * docs/model.md "Workload: access skew"); the stall shows in the
 * performance index, not in the estimate. Pages outside the tiers (free,
 * balloon, stale cache) are idle. */
static double active_share(const HostVm *vm, double sub, SimTime period)
{
    double touched = 0.0;
    for (int t = 0; t < HOST_TOUCH_TIERS; t++) {
        const HostTouchTier *tier = &vm->touch[t];
        touched += (double)tier->pages * touched_prob(tier->demand, tier->pages, sub, period);
    }
    return MIN(1.0, touched / (double)vm->configured);
}

/* ESXi samples `sample_pages` random pages of each VM per period and counts
 * those touched since (the access bit). Drawing the count of touched pages
 * among n uniform samples as Binomial(n, share touched) has exactly the
 * distribution of sampling page by page, and reads no page: the sampler's
 * cost does not grow with the VM's memory. */
void host_sched_sample(Host *host)
{
    uint32_t n = host->scenario->host.sample_pages;
    SimTime period = host->scenario->host.sample_period;
    double sub = (double)host->page_size / HOST_SUBPAGE_BYTES;
    for (guint i = 0; i < host->n_vms; i++) {
        HostVm *vm = &host->vms[i];
        if (!vm->powered_on || vm->configured == 0) {
            continue;
        }
        double p = active_share(vm, MAX(1.0, sub), period);
        double f = (double)sim_rng_binomial(&vm->rng, n, p) / (double)n;
        vm->active_fast += SCHED_ACTIVE_FAST_WEIGHT * (f - vm->active_fast);
        vm->active_slow += SCHED_ACTIVE_SLOW_WEIGHT * (f - vm->active_slow);
    }
}

/* Pages VM i gets at revocation threshold rho: S / (rho * cost) clamped to
 * [reservation, demand], where cost = f + k (1 - f) charges idle pages k
 * times (k = 1 / (1 - tax)). */
static double alloc_at(const HostVm *vm, double k, double rho)
{
    double f = MIN(1.0, MAX(vm->active_fast, vm->active_slow));
    double cost = f + k * (1.0 - f);
    double want = (double)vm->shares / (rho * cost);
    double demand = (double)vm->limit;
    return MIN(demand, MAX((double)vm->reservation, want));
}

static double total_at(const Host *host, double k, double rho)
{
    double sum = 0;
    for (guint i = 0; i < host->n_vms; i++) {
        if (host->vms[i].powered_on) {
            sum += alloc_at(&host->vms[i], k, rho);
        }
    }
    return sum;
}

/* Memory the VMs may hold: everything but the overhead and minFree, so that
 * reclamation aims at keeping the host out of the soft state. */
static double memory_for_vms(const Host *host)
{
    uint64_t reserved = host_overhead_pages(host) + host->thresholds.min_free;
    return reserved < host->n_pages ? (double)(host->n_pages - reserved) : 0.0;
}

/* Finds rho with sum of allocations = available by bisection on log(rho):
 * O(VMs x steps), every BalancePeriod, which is nothing next to page work. */
void host_sched_balance(Host *host)
{
    double tax = host->scenario->host.idle_tax;
    double k = 1.0 / (1.0 - tax);
    double avail = memory_for_vms(host);
    double lo = -60.0, hi = 60.0; /* log(rho): shares per page span far less */
    if (total_at(host, k, exp(lo)) > avail) {
        for (int step = 0; step < SCHED_BISECT_STEPS; step++) {
            double mid = 0.5 * (lo + hi);
            if (total_at(host, k, exp(mid)) > avail) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
    } else {
        hi = lo;
    }
    for (guint i = 0; i < host->n_vms; i++) {
        HostVm *vm = &host->vms[i];
        vm->sztgt = vm->powered_on ? (uint64_t)alloc_at(vm, k, exp(hi)) : 0;
    }
}
