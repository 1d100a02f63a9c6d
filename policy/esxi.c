/*
 * ESXi 6.0+ (the default): reclamation by host memory state (vSphere 6
 * Resource Management, "Memory reclamation"; DESIGN.md section 2).
 *   high:  nothing (large pages are broken below high: next issue);
 *   clear: break large pages and share actively; no new ballooning;
 *   soft:  balloon toward the scheduler's target;
 *   hard:  the balloon stops growing; compress and swap toward the target;
 *   low:   as hard, and VMs above their target are blocked from allocating.
 * A limit below configured memory is enforced in every state: the balloon
 * takes configured - limit, and the host swaps what it cannot.
 */
#include "policy/policy.h"

static uint64_t sub0(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

static void esxi_vm_tick(SimHostState state, const PolicyVmView *v, PolicyVmTargets *t)
{
    if (!v->powered_on) {
        *t = (PolicyVmTargets){0};
        return;
    }
    uint64_t need = sub0(v->configured, v->sztgt);        /* above the target */
    uint64_t limit_need = sub0(v->configured, v->limit);  /* above the limit */
    uint64_t grow = state == SIM_HOST_SOFT ? need : limit_need;
    /* Hold the balloon while the VM is still above its target; let it
     * deflate (slowly, in the driver) once the target has room again. */
    t->mctl_target = MIN(MAX(MIN(v->mctl, need), grow), v->mctl_max);
    uint64_t over = sub0(v->consumed, v->sztgt);
    bool swapping = state == SIM_HOST_HARD || state == SIM_HOST_LOW;
    t->swap_target = v->swapped + (swapping ? over : 0);
    t->block_alloc = state == SIM_HOST_LOW && over > 0;
}

static void esxi_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    (void)state;
    for (guint i = 0; i < view->n_vms; i++) {
        esxi_vm_tick(view->state, &view->vms[i], &out->vms[i]);
    }
    out->compression = true;
    out->share_scan_factor = 1.0;
    out->break_large_pages = view->state != SIM_HOST_HIGH;
}

const PolicyClass policy_esxi = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "esxi",
    .summary = "ESXi 6.0+: five states from minFree, balloon in soft, swap in hard, block in low",
    .state_size = 0,
    .period = SIM_S,
    .init = NULL,
    .tick = esxi_tick,
    .finalize = NULL,
};
