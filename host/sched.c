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
/* The interval of log(rho) searched: shares per page span far less. */
#define SCHED_LOG_RHO_MIN (-60.0)

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

/* A VM's demand: its active estimate plus a share of the memory it holds
 * but does not touch (VMware DRS counts active + 25% of idle consumed
 * memory as demand; taken for the host's scheduler: assumption,
 * docs/model.md "Memory scheduler"). */
#define SCHED_IDLE_IN_DEMAND 0.25

static double demand_of(const HostVm *vm)
{
    double active = (double)host_vm_active_pages(vm);
    double idle = MAX(0.0, host_vm_consumed_exact(vm) - active);
    return active + SCHED_IDLE_IN_DEMAND * idle;
}

/* The two rounds of the division: first every VM is capped by its demand
 * (so an idle VM's hoard does not stand against a busy VM's need), then
 * what is left goes out from there up to the limits, so that the host's
 * room reaches the VMs and their balloons deflate. */
typedef enum { SCHED_ROUND_DEMAND, SCHED_ROUND_SPARE } SchedRound;

static double demand_cap(const Host *host, const HostVm *vm)
{
    double limit = (double)vm->limit;
    if (host->scenario->host.no_demand_cap) {
        return limit; /* an era without it (2002): one round up to the limits */
    }
    return MAX((double)vm->reservation, MIN(limit, demand_of(vm)));
}

/* The idle tax as the scheduler applies it: Mem.IdleTax and Mem.IdleTaxType. */
typedef struct SchedTax {
    double rate;   /* Mem.IdleTax, fraction */
    bool variable; /* Mem.IdleTaxType 1 (ESXi's default) */
} SchedTax;

/* What one page of a VM with active fraction f costs in shares, relative to
 * an active page: f + k (1 - f), idle pages charged k = 1 / (1 - tax)
 * (Waldspurger 2002, 5.2). Flat: every idle page pays the full rate.
 * Variable: published only as "the effective tax rate increases as the
 * ratio of idle memory to active memory for the virtual machine rises"
 * (vSphere Resource Management, "Memory Tax for Idle Virtual Machines");
 * the form tax x (1 - f), the full rate for an all-idle VM and none for an
 * all-active one, is an assumption (docs/model.md). */
static double page_cost(double f, const SchedTax *tax)
{
    double rate = tax->variable ? tax->rate * (1.0 - f) : tax->rate;
    return f + (1.0 - f) / (1.0 - rate);
}

/* Pages VM i gets at revocation threshold rho: S / (rho * cost) clamped to
 * the round's [floor, ceiling]. Round 1: [reservation, demand cap];
 * round 2: [demand cap, limit]. */
static double alloc_at(const Host *host, const HostVm *vm, const SchedTax *tax, double rho,
                       SchedRound round)
{
    double f = MIN(1.0, MAX(vm->active_fast, vm->active_slow));
    double want = (double)vm->shares / (rho * page_cost(f, tax));
    double cap = demand_cap(host, vm);
    double lo = round == SCHED_ROUND_DEMAND ? (double)vm->reservation : cap;
    double hi = round == SCHED_ROUND_DEMAND ? cap : (double)vm->limit;
    return MIN(hi, MAX(lo, want));
}

static double total_at(const Host *host, const SchedTax *tax, double rho, SchedRound round)
{
    double sum = 0;
    for (guint i = 0; i < host->n_vms; i++) {
        if (host->vms[i].powered_on) {
            sum += alloc_at(host, &host->vms[i], tax, rho, round);
        }
    }
    return sum;
}

/* Memory the VMs may hold: everything but the overhead, minFree and twice
 * the state hysteresis, so that reclamation aims at free memory a margin
 * above the level where the host leaves soft (minFree + one hysteresis):
 * a balloon that tracks its target exactly would otherwise hold free a hair
 * below it and the host in soft (assumption, docs/model.md). */
static double memory_for_vms(const Host *host)
{
    uint64_t reserved =
        host_overhead_pages(host) + host->thresholds.min_free + 2 * host->hysteresis;
    return reserved < host->n_pages ? (double)(host->n_pages - reserved) : 0.0;
}

/* Finds rho with sum of allocations = available by bisection on log(rho);
 * returns log(rho), the lowest (everyone at the round's ceiling) when all
 * fits. O(VMs x steps), every BalancePeriod: nothing next to page work. */
static double solve_round(const Host *host, const SchedTax *tax, double avail, SchedRound round)
{
    double lo = SCHED_LOG_RHO_MIN, hi = -SCHED_LOG_RHO_MIN;
    if (total_at(host, tax, exp(lo), round) <= avail) {
        return lo;
    }
    for (int step = 0; step < SCHED_BISECT_STEPS; step++) {
        double mid = 0.5 * (lo + hi);
        if (total_at(host, tax, exp(mid), round) > avail) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return hi;
}

/* Round 1 divides by shares with every VM capped at its demand; when the
 * demands fit, round 2 divides the rest above them up to the limits. */
void host_sched_balance(Host *host)
{
    const SimHostConfig *hc = &host->scenario->host;
    SchedTax tax = {hc->idle_tax, hc->idle_tax_type == SIM_IDLE_TAX_VARIABLE};
    double avail = memory_for_vms(host);
    SchedRound round = SCHED_ROUND_DEMAND;
    double log_rho = solve_round(host, &tax, avail, round);
    if (log_rho == SCHED_LOG_RHO_MIN) { /* every demand fits */
        round = SCHED_ROUND_SPARE;
        log_rho = solve_round(host, &tax, avail, round);
    }
    for (guint i = 0; i < host->n_vms; i++) {
        HostVm *vm = &host->vms[i];
        vm->sztgt = vm->powered_on ? (uint64_t)alloc_at(host, vm, &tax, exp(log_rho), round) : 0;
    }
}
