/*
 * An example policy plug-in (docs/plugins.md): "free-target" keeps the
 * host's free memory near 10% of its memory with balloons alone, the way
 * a pressure-driven balloon manager such as Proxmox's does. Every 5 s it
 * compares free memory with its goal and moves each VM's balloon by its
 * share of the gap, in proportion to what the VM holds above the memory
 * scheduler's target, at most 64 MiB per VM per tick. A VM without a
 * balloon driver is paged by the host only below minFree.
 *
 * Build (outside the source tree):
 *     cc -shared -fPIC -o free-target.so free_target.c \
 *        $(pkg-config --cflags reclaimsim-policy)
 * and run: reclaimsim run --policy ./free-target.so SCENARIO
 */
#include <policy/policy.h>

#define GOAL_FREE 0.10                       /* of host memory */
#define STEP_BYTES (64.0 * 1024.0 * 1024.0) /* most a balloon moves per tick */

typedef struct FreeTarget {
    unsigned ticks; /* ticks so far: the state the engine zeroes and keeps */
} FreeTarget;

static uint64_t sub0(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

/* The balloon one VM should hold after this tick: `gap` pages to reclaim
 * host-wide (negative: to give back), shared by `over` / `total_over`. */
static uint64_t next_balloon(const PolicyVmView *v, double gap, double total_over, double step)
{
    double over = (double)sub0(v->consumed, v->sztgt);
    double want = gap > 0.0 && total_over > 0.0 ? gap * over / total_over : gap;
    double move = want > step ? step : want < -step ? -step : want;
    double next = (double)v->mctl + move;
    if (next < 0.0) {
        return 0;
    }
    return next > (double)v->mctl_max ? v->mctl_max : (uint64_t)next;
}

static void free_target_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    FreeTarget *ft = state;
    ft->ticks++;
    double goal = GOAL_FREE * (double)view->host_pages;
    double gap = goal - (double)view->host_free; /* > 0: reclaim */
    double total_over = 0.0;
    for (guint i = 0; i < view->n_vms; i++) {
        const PolicyVmView *v = &view->vms[i];
        total_over += v->powered_on && v->has_balloon ? (double)sub0(v->consumed, v->sztgt) : 0.0;
    }
    double step = STEP_BYTES / (double)view->page_bytes;
    bool short_of_memory = view->host_free < view->min_free;
    for (guint i = 0; i < view->n_vms; i++) {
        const PolicyVmView *v = &view->vms[i];
        PolicyVmTargets *t = &out->vms[i];
        *t = (PolicyVmTargets){.swap_target = v->swapped};
        if (!v->powered_on) {
            continue;
        }
        if (v->has_balloon) {
            t->mctl_target = next_balloon(v, gap, total_over, step);
        } else if (short_of_memory) {
            t->swap_target = v->swapped + sub0(v->consumed, v->sztgt);
        }
    }
    out->compression = false;
    out->share_scan_factor = 1.0;
    out->break_large_pages = true;
}

/* What the policy saw and decided, for `run --policy-trace`: its own
 * figures in MiB (the engine adds time_s and policy). */
static char *free_target_trace(void *state, const PolicyView *view, const PolicyTargets *out)
{
    const FreeTarget *ft = state;
    double mib = (double)view->page_bytes / (1024.0 * 1024.0);
    GString *line = g_string_new(NULL);
    g_string_append_printf(line, "{\"tick\": %u, \"free_mb\": %.2f, \"goal_mb\": %.2f, \"balloons_mb\": [",
                           ft->ticks, (double)view->host_free * mib,
                           GOAL_FREE * (double)view->host_pages * mib);
    for (guint i = 0; i < view->n_vms; i++) {
        g_string_append_printf(line, "%s%.2f", i > 0 ? ", " : "",
                               (double)out->vms[i].mctl_target * mib);
    }
    g_string_append(line, "]}");
    return g_string_free(line, FALSE);
}

static const PolicyClass free_target = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "free-target",
    .summary = "example plug-in: balloons keep host free memory near 10%",
    .state_size = sizeof(FreeTarget),
    .period = 5 * SIM_S,
    .tick = free_target_tick,
    .trace = free_target_trace,
};

const PolicyClass *reclaimsim_policy(void);

const PolicyClass *reclaimsim_policy(void)
{
    return &free_target;
}
