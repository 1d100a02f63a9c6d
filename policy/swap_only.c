/*
 * swap-only: ESXi 6.0+'s states with no balloon driver used: the host
 * compresses and swaps in soft what it would have ballooned, and in hard
 * and low as always. What a fleet without VMware Tools would get. A study
 * policy, not a product.
 */
#include "policy/esx.h"

static const EsxRules swap_only_rules = {
    .compression = true,
    .break_large_below = HOST_STATE_CLEAR,
    .no_balloon = true,
};

static void swap_only_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    (void)state;
    policy_esx_tick(&swap_only_rules, view, out);
}

const PolicyClass policy_swap_only = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "swap-only",
    .summary = "ESXi 6.0+ states with no ballooning: the host compresses and swaps",
    .state_size = 0,
    .period = SIM_S,
    .init = NULL,
    .tick = swap_only_tick,
    .finalize = NULL,
    .era = NULL,
};
