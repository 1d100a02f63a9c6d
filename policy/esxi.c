/*
 * ESXi 6.0+ (the default): reclamation by host memory state (vSphere 6
 * Resource Management, "Memory reclamation"; docs/design.md section 2).
 *   high:  nothing;
 *   clear: break large pages and share actively; no new ballooning;
 *   soft:  balloon toward the scheduler's target;
 *   hard:  the balloon stops growing; compress and swap toward the target;
 *   low:   as hard, and VMs above their target are blocked from allocating.
 * A limit below configured memory is enforced in every state: the balloon
 * takes configured - limit, and the host swaps what it cannot.
 */
#include "policy/esx.h"

static const EsxRules esxi_rules = {
    .compression = true,
    .break_large_below = HOST_STATE_CLEAR, /* below high: at the next scan */
};

static void esxi_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    (void)state;
    policy_esx_tick(&esxi_rules, view, out);
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
    .era = NULL, /* the scenario's values are the 6.0+ ones */
};
