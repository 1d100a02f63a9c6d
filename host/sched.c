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

/* P(a given 4 KiB page of the hot set was touched at least once during
 * one period): touches are of 4 KiB pages (docs/model.md "Pages"). */
static double touched_prob(const Host *host, const HostVm *vm, SimTime period)
{
    if (vm->hot_pages == 0) {
        return 0.0;
    }
    double sub = (double)host->page_size / HOST_SUBPAGE_BYTES;
    return -expm1(-vm->touch_rate * sim_time_to_s(period) / ((double)vm->hot_pages * sub));
}

/* ESXi samples `sample_pages` random pages of each VM per period and counts
 * those touched since (the access bit). A sampled page counts when the
 * guest uses it as hot memory (kernel, hot anon, file working set) and the
 * workload touched it. Drawing the
 * count of such pages among n uniform samples as Binomial(n, hot share x
 * P(touched)) has exactly the distribution of sampling page by page, and
 * reads no page: the sampler's cost does not grow with the VM's memory. */
void host_sched_sample(Host *host)
{
    uint32_t n = host->scenario->host.sample_pages;
    SimTime period = host->scenario->host.sample_period;
    for (guint i = 0; i < host->n_vms; i++) {
        HostVm *vm = &host->vms[i];
        if (!vm->powered_on || vm->configured == 0) {
            continue;
        }
        uint64_t hot = host_pages_count_use(vm->pages, HOST_USE_KERNEL) +
                       host_pages_count_use(vm->pages, HOST_USE_ANON_ACTIVE) +
                       host_pages_count_use(vm->pages, HOST_USE_CACHE_ACTIVE);
        double p = (double)hot / (double)vm->configured * touched_prob(host, vm, period);
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
