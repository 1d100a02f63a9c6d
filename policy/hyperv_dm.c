/*
 * hyperv-dm: Hyper-V Dynamic Memory (Microsoft Learn, "Hyper-V Dynamic
 * Memory Overview"; Linux drivers/hv/hv_balloon.c). Each VM boots with its
 * Startup RAM; from ~45 s after boot its guest reports its committed memory
 * every second, and the host aims for assigned = committed x (1 + buffer):
 * it adds memory by hot-add (128 MiB chunks) up to Maximum RAM while it has
 * memory and balloons (2 MiB granularity) down to Minimum RAM when it has
 * not, taking first from VMs of lower memory weight. No page sharing, no
 * host swap of a running VM.
 *
 * In the model, Maximum is the VM's configured memory and "assigned" is
 * configured - balloon target: memory not yet hot-added is held by the
 * balloon (not present, never backed), which is why the era boots every VM
 * at its balloon target (PolicyEra.boot_at_balloon_target). The policy
 * tracks what each VM has present (Startup + hot-added): once hot-added,
 * memory goes back only by ballooning. The host's allocation algorithm is
 * not published; ours is in docs/model.md "Policy hyperv-dm" (assumption).
 */
#include <math.h>

#include "policy/policy.h"

/* hv_balloon.c: the host hot-adds in units of HA_CHUNK, 128 MiB. */
#define HV_HOT_ADD_CHUNK (128.0 * 1024 * 1024)
/* hv_balloon.c: balloon requests move 2 MiB allocations (alloc_unit 512). */
#define HV_BALLOON_GRAIN (2.0 * 1024 * 1024)
/* Microsoft Learn: the first status report comes ~45 s after boot, then
 * one every second (hv_balloon.c post_status, HZ). */
#define HV_FIRST_REPORT (45 * SIM_S)
#define HV_REPORT_PERIOD SIM_S
/* Microsoft Learn: Minimum RAM is at least 32 MB (Windows Server 2012+). */
#define HV_MINIMUM_FLOOR (32.0 * 1024 * 1024)
/* Bisection steps of the equal-pressure share of one weight class. */
#define HV_SHARE_STEPS 60

/* hv_balloon, as the host drives it: requests follow the 1 s reports, and
 * a hot-add or a return of ballooned memory becomes present at once. The
 * rates are not published (assumption): 256 MiB per second from free
 * memory or back to the guest, 64 MiB when the guest must reclaim,
 * dropping to 2 MiB after a failed allocation (hv_balloon falls back from
 * 2 MiB to 4 KiB allocations) and growing back by 2 MiB a second. */
#define HV_POLL SIM_S
#define HV_PAGES_FAST 65536u
#define HV_PAGES_SLOW_MAX 16384u
#define HV_PAGES_SLOW_MIN 512u
#define HV_PAGES_SLOW_INC 512u

static const PolicyEra hyperv_era = {
    .state_pct = {400.0, 100.0, 64.0, 32.0, 16.0}, /* read by nothing: the policy decides */
    .salting = 2,
    .sample_period = 60 * SIM_S,
    .ctl_max_pct = 1.0, /* the balloon goes down to Minimum: the policy enforces it */
    .large_pages = false,
    .compression = false,
    .no_sharing = true,
    .no_host_swap = true,
    .driver = {.poll = HV_POLL,
               .rate_fast = HV_PAGES_FAST,
               .rate_slow_max = HV_PAGES_SLOW_MAX,
               .rate_slow_min = HV_PAGES_SLOW_MIN,
               .rate_slow_inc = HV_PAGES_SLOW_INC,
               .deflate_fast = HV_PAGES_FAST,
               .deflate_slow = HV_PAGES_FAST},
    .boot_at_balloon_target = true,
};

/* The settings, in view->params order. */
enum { HV_STARTUP, HV_MINIMUM, HV_BUFFER, HV_DYNAMIC, HV_N_PARAMS };

static const PolicyParam hyperv_params[HV_N_PARAMS] = {
    [HV_STARTUP] = {"startup", POLICY_PARAM_PERCENT, 0.5, 0.01, 1.0,
                    "Startup RAM as a share of the VM's memory (= Maximum RAM); Hyper-V Manager's "
                    "new VM: 1024 MB (assumption: half of Maximum)"},
    [HV_MINIMUM] = {"minimum", POLICY_PARAM_PERCENT, 0.25, 0.0, 1.0,
                    "Minimum RAM as a share of the VM's memory, at least 32 MB and at most "
                    "Startup (assumption: half of Startup, as Hyper-V Manager's 512 of 1024 MB)"},
    [HV_BUFFER] = {"buffer", POLICY_PARAM_PERCENT, 0.20, 0.05, 20.0,
                   "Memory buffer: spare memory over committed memory (Hyper-V: 5-2000%, "
                   "default 20%)"},
    [HV_DYNAMIC] = {"dynamic", POLICY_PARAM_BOOL, 1.0, 0.0, 1.0,
                    "Dynamic Memory on; false = static memory (the VM holds all of it, no "
                    "balloon, no hot-add)"},
};

/* What the host keeps per VM. */
typedef struct HvVm {
    bool on;         /* seen powered on at the last tick */
    SimTime boot;    /* first tick seen on: reports start HV_FIRST_REPORT later */
    uint64_t present; /* pages the guest sees: Startup + hot-added */
} HvVm;

/* Per VM for one tick's decision, pages (floating: shares and bisection). */
typedef struct HvNeed {
    bool reports;    /* dynamic, with a driver, and past its first report */
    double weight;   /* memory weight: shares per configured MiB */
    double demand;   /* committed as reported, without the balloon */
    double lo, hi;   /* the least it may be given (Minimum, floor) and its target */
    double ideal;    /* what the host's balancer gives it */
    uint64_t assigned; /* configured - balloon target now */
} HvNeed;

typedef struct HvState {
    guint n_vms;
    HvVm *vms;
    HvNeed *need;    /* scratch, n_vms */
    guint *order;    /* scratch, n_vms */
    double available; /* pages uncommitted at the last tick's start (for the trace) */
} HvState;

static double param(const PolicyView *view, int i)
{
    return view->params != NULL && (guint)i < view->n_params ? view->params[i]
                                                             : hyperv_params[i].def;
}

/* Pages of `bytes`, at least one page. */
static uint64_t pages_of(const PolicyView *view, double bytes)
{
    return MAX((uint64_t)1, (uint64_t)ceil(bytes / (double)view->page_bytes));
}

/* hv_balloon.c compute_balloon_floor(): what the balloon leaves the guest,
 * piecewise on its total RAM (pages in, pages out). */
static uint64_t balloon_floor(const PolicyView *view, uint64_t ram)
{
    double mib = 1024.0 * 1024.0;
    double b = (double)ram * (double)view->page_bytes;
    double f = b < 128 * mib   ? 8 * mib + b / 2
               : b < 512 * mib ? 40 * mib + b / 4
               : b < 2048 * mib ? 104 * mib + b / 8
               : b < 8192 * mib ? 232 * mib + b / 16
                                : 488 * mib + b / 32;
    return (uint64_t)(f / (double)view->page_bytes);
}

static uint64_t startup_pages(const PolicyView *view, const PolicyVmView *v)
{
    uint64_t grain = pages_of(view, HV_BALLOON_GRAIN);
    uint64_t s = (uint64_t)ceil(param(view, HV_STARTUP) * (double)v->configured / (double)grain);
    return MIN(v->configured, MAX(s, (uint64_t)1) * grain);
}

static uint64_t minimum_pages(const PolicyView *view, const PolicyVmView *v)
{
    uint64_t m = (uint64_t)(param(view, HV_MINIMUM) * (double)v->configured);
    return MIN(MAX(m, pages_of(view, HV_MINIMUM_FLOOR)), startup_pages(view, v));
}

static bool hyperv_init(void *state, const PolicyView *view, GError **error)
{
    (void)error;
    HvState *s = state;
    s->n_vms = view->n_vms;
    s->vms = g_new0(HvVm, MAX(view->n_vms, 1));
    s->need = g_new0(HvNeed, MAX(view->n_vms, 1));
    s->order = g_new0(guint, MAX(view->n_vms, 1));
    return true;
}

static void hyperv_finalize(void *state)
{
    HvState *s = state;
    g_free(s->vms);
    g_free(s->need);
    g_free(s->order);
}

/* A VM that is off gets its boot target: Startup present (all when static).
 * Returns whether the VM takes part in this tick's decision. */
static bool track_power(HvState *s, const PolicyView *view, guint i, PolicyVmTargets *t)
{
    const PolicyVmView *v = &view->vms[i];
    HvVm *vm = &s->vms[i];
    bool dynamic = param(view, HV_DYNAMIC) > 0.5;
    t->swap_target = 0;
    t->block_alloc = false;
    if (!v->powered_on) {
        vm->on = false;
        vm->present = dynamic ? startup_pages(view, v) : v->configured;
        t->mctl_target = v->configured - vm->present;
        return false;
    }
    if (!vm->on) {
        vm->on = true;
        vm->boot = view->now;
        vm->present = MAX(vm->present, v->configured - MIN(t->mctl_target, v->configured));
    }
    if (!dynamic || !v->has_balloon) {
        t->mctl_target = dynamic ? v->configured - vm->present : 0;
        return false;
    }
    return true;
}

/* The VM's report and its bounds (docs/model.md "Policy hyperv-dm"):
 * committed = Committed_AS + kernel + the balloon floor on its present RAM
 * (the driver also adds its ballooned pages, which the host's assigned
 * counts; the model's assigned leaves them out, so both sides do). */
static void vm_need(const HvState *s, const PolicyView *view, guint i, uint64_t target,
                    HvNeed *n)
{
    const PolicyVmView *v = &view->vms[i];
    const HvVm *vm = &s->vms[i];
    uint64_t grain = pages_of(view, HV_BALLOON_GRAIN);
    uint64_t floor = balloon_floor(view, vm->present);
    n->weight = (double)v->shares / ((double)v->configured * (double)view->page_bytes /
                                     (1024.0 * 1024.0));
    n->assigned = v->configured - MIN(target, v->configured);
    n->reports = view->now - vm->boot >= HV_FIRST_REPORT;
    n->demand = (double)(v->guest_committed + v->guest_kernel + floor);
    double want = ceil(n->demand * (1.0 + param(view, HV_BUFFER)) / (double)grain) * (double)grain;
    /* the balloon never takes MemAvailable below the floor (hv_balloon.c
     * alloc_balloon_pages): the least this VM can hold now */
    uint64_t held = v->configured - MIN(v->mctl, v->configured);
    uint64_t spare = v->guest_available > floor ? v->guest_available - floor : 0;
    double reach = (double)(held > spare ? held - spare : 0);
    n->lo = MAX((double)minimum_pages(view, v), reach);
    n->hi = MAX(MIN(MAX(want, (double)minimum_pages(view, v)), (double)v->configured), n->lo);
}

/* Sorts VM indices by weight, highest first (insertion sort: O(n^2) on the
 * VMs of one host, small). */
static void sort_by_weight(HvState *s, guint n)
{
    for (guint i = 0; i < n; i++) {
        s->order[i] = i;
    }
    for (guint i = 1; i < n; i++) {
        guint k = s->order[i];
        guint j = i;
        while (j > 0 && s->need[s->order[j - 1]].weight < s->need[k].weight) {
            s->order[j] = s->order[j - 1];
            j--;
        }
        s->order[j] = k;
    }
}

/* The VMs [from, to) of one weight class share `budget` at equal pressure:
 * each gets clamp(demand x r, lo, hi) for the one r that spends it. */
static void share_class(HvState *s, guint from, guint to, double budget)
{
    double lo = 0.0, hi = 0.0, his = 0.0;
    for (guint k = from; k < to; k++) {
        const HvNeed *n = &s->need[s->order[k]];
        hi = MAX(hi, n->demand > 0 ? n->hi / n->demand : 0.0);
        his += n->hi;
    }
    if (budget >= his) {
        lo = hi; /* every target fits: no bisection (it would stop just below) */
    }
    for (int step = 0; step < HV_SHARE_STEPS && lo < hi; step++) {
        double r = (lo + hi) / 2, sum = 0.0;
        for (guint k = from; k < to; k++) {
            const HvNeed *n = &s->need[s->order[k]];
            sum += CLAMP(n->demand * r, n->lo, n->hi);
        }
        *(sum > budget ? &hi : &lo) = r;
    }
    for (guint k = from; k < to; k++) {
        HvNeed *n = &s->need[s->order[k]];
        n->ideal = CLAMP(n->demand * lo, n->lo, n->hi);
    }
}

/* The balancer (assumption): weight classes, highest first, get their
 * targets while every lower VM keeps its least; the class where memory
 * runs out shares the rest at equal pressure; lower classes keep their
 * least. `budget` is the memory of the VMs that take part. */
static void balance(HvState *s, guint n, double budget)
{
    double lows = 0.0;
    for (guint k = 0; k < n; k++) {
        lows += s->need[k].lo;
    }
    sort_by_weight(s, n);
    for (guint from = 0, to; from < n; from = to) {
        double w = s->need[s->order[from]].weight, his = 0.0, class_lo = 0.0;
        for (to = from; to < n && s->need[s->order[to]].weight == w; to++) {
            his += s->need[s->order[to]].hi;
            class_lo += s->need[s->order[to]].lo;
        }
        lows -= class_lo;
        double room = MAX(budget - lows, class_lo);
        share_class(s, from, to, MIN(room, his));
        for (guint k = from; k < to; k++) {
            budget -= s->need[s->order[k]].ideal;
        }
    }
}

/* Grows VM i toward its ideal from `avail` pages: its ballooned memory
 * first (returned in any amount), then hot-added 128 MiB chunks up to
 * Maximum, each only when the host has it all. */
static void grow(HvState *s, const PolicyView *view, guint i, double *avail)
{
    HvNeed *n = &s->need[i];
    HvVm *vm = &s->vms[i];
    double need = n->ideal - (double)n->assigned;
    double ballooned = (double)(vm->present - MIN(n->assigned, vm->present));
    uint64_t back = (uint64_t)MAX(0.0, MIN(MIN(need, ballooned), *avail));
    n->assigned += back;
    *avail -= (double)back;
    need -= (double)back;
    uint64_t chunk = pages_of(view, HV_HOT_ADD_CHUNK);
    uint64_t max = view->vms[i].configured;
    while (need > 0 && vm->present < max) {
        uint64_t add = MIN(chunk, max - vm->present);
        if (*avail < (double)add) {
            break;
        }
        vm->present += add;
        n->assigned = MIN(n->assigned + add, vm->present);
        *avail -= (double)add;
        need -= (double)add;
    }
}

/* Memory the running VMs may hold: host memory less the host's overhead
 * (what neither free nor any VM holds) and its reserve (minFree,
 * assumption). */
static double vm_budget(const PolicyView *view)
{
    double consumed = 0.0;
    for (guint i = 0; i < view->n_vms; i++) {
        consumed += view->vms[i].powered_on ? (double)view->vms[i].consumed : 0.0;
    }
    double overhead = MAX(0.0, (double)view->host_pages - (double)view->host_free - consumed);
    return (double)view->host_pages - overhead - (double)view->min_free;
}

/* Shrinks (balloons) the VMs above their ideal: always when memory is
 * short, else only a surplus of a hot-add chunk or more (so a chunk just
 * added is not taken back). Then grows the others, highest weight first. */
static void apply(HvState *s, const PolicyView *view, guint n, double avail)
{
    uint64_t grain = pages_of(view, HV_BALLOON_GRAIN);
    double chunk = (double)pages_of(view, HV_HOT_ADD_CHUNK), growth = 0.0;
    for (guint i = 0; i < n; i++) {
        growth += s->need[i].reports ? MAX(0.0, s->need[i].ideal - (double)s->need[i].assigned)
                                     : 0.0;
    }
    bool short_of_memory = avail < growth;
    for (guint i = 0; i < n; i++) {
        HvNeed *nd = &s->need[i];
        double over = (double)nd->assigned - nd->ideal;
        if (nd->reports && over > 0 && (short_of_memory || over >= chunk)) {
            nd->assigned -= (uint64_t)(over / (double)grain) * grain;
        }
        if (nd->reports && (double)nd->assigned < nd->lo) {
            nd->assigned = (uint64_t)nd->lo; /* the floor stops the balloon */
        }
    }
    for (guint k = 0; k < n; k++) {
        guint i = s->order[k];
        if (s->need[i].reports && s->need[i].ideal > (double)s->need[i].assigned) {
            grow(s, view, i, &avail);
        }
    }
}

static void hyperv_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    HvState *s = state;
    g_assert(s->n_vms == view->n_vms);
    double budget = vm_budget(view), held = 0.0, fixed = 0.0;
    for (guint i = 0; i < view->n_vms; i++) {
        HvNeed *n = &s->need[i];
        bool part = track_power(s, view, i, &out->vms[i]);
        *n = (HvNeed){.weight = 0.0};
        if (!view->vms[i].powered_on) {
            continue;
        }
        uint64_t assigned = view->vms[i].configured - MIN(out->vms[i].mctl_target,
                                                          view->vms[i].configured);
        double commit = (double)MAX(assigned, view->vms[i].consumed);
        held += commit;
        if (!part) {
            fixed += commit;
            continue;
        }
        vm_need(s, view, i, out->vms[i].mctl_target, n);
        if (!n->reports) {
            fixed += commit;
        }
    }
    /* VMs that do not report (yet) are held where they are, at Startup after
     * boot: not in the balance */
    for (guint i = 0; i < view->n_vms; i++) {
        if (!s->need[i].reports) {
            s->need[i].lo = s->need[i].hi = s->need[i].ideal = 0.0;
        }
    }
    s->available = budget - held;
    balance(s, view->n_vms, budget - fixed);
    apply(s, view, view->n_vms, budget - held);
    for (guint i = 0; i < view->n_vms; i++) {
        if (s->need[i].reports) {
            out->vms[i].mctl_target = view->vms[i].configured - s->need[i].assigned;
        }
    }
    out->compression = false;
    out->share_scan_factor = 0.0;
    out->break_large_pages = false;
}

/* The tick in Hyper-V's performance counter names (Hyper-V Dynamic Memory
 * Balancer: Available Memory; Hyper-V Dynamic Memory VM: Physical Memory,
 * Guest Visible Physical Memory, Current Pressure), MiB and percent;
 * `memory_demand_mb` is the report's committed memory, `reports` whether
 * the VM has reported yet. */
static char *hyperv_trace(void *state, const PolicyView *view, const PolicyTargets *out)
{
    const HvState *s = state;
    double mib = (double)view->page_bytes / (1024.0 * 1024.0);
    GString *line = g_string_new(NULL);
    g_string_append_printf(line, "{\"available_memory_mb\": %.2f, \"vms\": [",
                           s->available * mib);
    for (guint i = 0; i < view->n_vms; i++) {
        const PolicyVmView *v = &view->vms[i];
        const HvNeed *n = &s->need[i];
        double assigned = (double)(v->configured - MIN(out->vms[i].mctl_target, v->configured));
        g_string_append_printf(
            line,
            "%s{\"vm\": %u, \"running\": %s, \"reports\": %s, \"physical_memory_mb\": %.2f, "
            "\"guest_visible_physical_memory_mb\": %.2f, \"memory_demand_mb\": %.2f, "
            "\"current_pressure\": %.0f}",
            i > 0 ? ", " : "", i, v->powered_on ? "true" : "false", n->reports ? "true" : "false",
            v->powered_on ? assigned * mib : 0.0,
            v->powered_on ? (double)s->vms[i].present * mib : 0.0, n->demand * mib,
            n->reports && assigned > 0 ? 100.0 * n->demand / assigned : 0.0);
    }
    g_string_append(line, "]}");
    return g_string_free(line, FALSE);
}

const PolicyClass policy_hyperv_dm = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "hyperv-dm",
    .summary = "Hyper-V Dynamic Memory: Startup, Minimum, buffer, weight, hot-add; no host swap",
    .state_size = sizeof(HvState),
    .period = HV_REPORT_PERIOD,
    .init = hyperv_init,
    .tick = hyperv_tick,
    .finalize = hyperv_finalize,
    .era = &hyperv_era,
    .trace = hyperv_trace,
    .params = hyperv_params,
    .n_params = HV_N_PARAMS,
};
