/*
 * ESXi 5.x: four states from 100% of minFree (high 100, soft 64, hard 32,
 * low 16; no clear state), no salting (inter-VM sharing is the default:
 * salting arrived with the 2015 patches), large pages broken only once the
 * host must reclaim (soft), compression in hard (since 4.1).
 * Source: vSphere 5 Resource Management, "Memory reclamation";
 * docs/design.md section 2.
 */
#include "policy/esx.h"

static const EsxRules esxi5_rules = {
    .compression = true,
    .break_large_below = HOST_STATE_SOFT,
};

static const PolicyEra esxi5_era = {
    .state_pct = {100.0, -1.0, 64.0, 32.0, 16.0},
    .pct_of_host = false,
    .salting = 0,
    .sample_period = 60 * SIM_S,
    .ctl_max_pct = 0.65,
    .large_pages = true,
    .compression = true,
};

static void esxi5_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    (void)state;
    policy_esx_tick(&esxi5_rules, view, out);
}

const PolicyClass policy_esxi5 = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "esxi5",
    .summary = "ESXi 5.x: four states from 100% of minFree, no clear state, no salting",
    .state_size = 0,
    .period = SIM_S,
    .init = NULL,
    .tick = esxi5_tick,
    .finalize = NULL,
    .era = &esxi5_era,
};
