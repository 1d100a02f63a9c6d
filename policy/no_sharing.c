/*
 * no-sharing: ESXi 6.0+ with transparent page sharing off (no scanning and no
 * share-before-swap), whatever the scenario's host.sharing says. A study
 * policy: what sharing buys on a given fleet.
 */
#include "policy/esx.h"

static const EsxRules no_sharing_rules = {
    .compression = true,
    .break_large_below = HOST_STATE_CLEAR,
};

/* ESXi 6.0+ in every respect but page sharing */
static const PolicyEra no_sharing_era = {
    POLICY_ERA_ESXI6,
    .no_sharing = true,
};

static void no_sharing_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    (void)state;
    policy_esx_tick(&no_sharing_rules, view, out);
}

const PolicyClass policy_no_sharing = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "no-sharing",
    .summary = "ESXi 6.0+ with transparent page sharing off",
    .state_size = 0,
    .period = SIM_S,
    .init = NULL,
    .tick = no_sharing_tick,
    .finalize = NULL,
    .era = &no_sharing_era,
};
