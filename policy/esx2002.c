/*
 * ESX Server as in Waldspurger, "Memory Resource Management in VMware ESX
 * Server", OSDI 2002: four states at 6%, 4%, 2% and 1% of host memory
 * (high, soft, hard, low), ballooning in soft, paging in hard, blocking in
 * low; active memory sampled every 30 s; inter-VM sharing; no large pages
 * and no compression cache (both came later); balloon capped at 50% of
 * the VM as ESX 2.5's sched.mem.maxmemctl default.
 */
#include "policy/esx.h"

static const EsxRules esx2002_rules = {
    .compression = false,
    .break_large_below = HOST_STATE_MAX, /* no large pages to break */
};

static const PolicyEra esx2002_era = {
    .state_pct = {6.0, -1.0, 4.0, 2.0, 1.0},
    .pct_of_host = true,
    .salting = 0,
    .sample_period = 30 * SIM_S,
    .ctl_max_pct = 0.50,
    .large_pages = false,
    .compression = false,
    /* section 5.2: one tax rate for all idle pages, and shares against
       working sets with no demand cap */
    .flat_idle_tax = true,
    .no_demand_cap = true,
};

static void esx2002_tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    (void)state;
    policy_esx_tick(&esx2002_rules, view, out);
}

const PolicyClass policy_esx2002 = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "esx2002",
    .summary = "ESX Server of the OSDI 2002 paper: states at 6/4/2/1% of memory, 30 s sampling",
    .state_size = 0,
    .period = SIM_S,
    .init = NULL,
    .tick = esx2002_tick,
    .finalize = NULL,
    .era = &esx2002_era,
};
