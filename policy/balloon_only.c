/*
 * balloon-only: ESXi 6.0+'s states and balloon rules with the host's other
 * reclaimers off: no compression and no host swap, so it shows what
 * ballooning alone achieves and where it fails (a VM without a driver, a
 * balloon at its cap, a limit beyond the cap: the memory stays with the VM,
 * and in low its allocations block). A study policy, not a product.
 */
#include "policy/esx.h"

static const EsxRules balloon_only_rules = {
    .compression = false,
    .break_large_below = HOST_STATE_CLEAR,
    .no_host_swap = true,
};

static void balloon_only_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    (void)state;
    policy_esx_tick(&balloon_only_rules, view, out);
}

const PolicyClass policy_balloon_only = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "balloon-only",
    .summary = "ESXi 6.0+ states with ballooning alone: no compression, no host swap",
    .state_size = 0,
    .period = SIM_S,
    .init = NULL,
    .tick = balloon_only_tick,
    .finalize = NULL,
    .era = NULL,
};
