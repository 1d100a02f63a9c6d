/*
 * The reclamation rules the ESX/ESXi eras share: balloon toward the
 * scheduler's target in soft (and page, compressing where the era can, only
 * what a VM's balloon cannot take: no driver, or its cap), hold the balloon
 * and swap (compressing where the era can) in hard, block VMs above target
 * in low, and enforce limits in every state. The eras differ in their
 * states, when they break large pages and whether they compress (their
 * PolicyEra and EsxRules).
 */
#pragma once

#include "policy/policy.h"

typedef struct EsxRules {
    bool compression;               /* compress pages chosen for swap-out */
    HostState break_large_below; /* break large pages in this state and worse; MAX = never */
    bool no_balloon;   /* never inflate a balloon (swap-only) */
    bool no_host_swap; /* never compress or swap (balloon-only) */
} EsxRules;

/*
 * ESXi 6.0+'s era, the one a NULL PolicyClass.era stands for (the same
 * values are the host's default states, host/state.c host_states_esxi6,
 * and the scenario's defaults, sim/load/keys.c), as designated
 * initializers for a policy that runs the 6.0+ host with one thing
 * changed: `static const PolicyEra era = {POLICY_ERA_ESXI6, .no_sharing = true};`.
 * Source: vSphere 6 Resource Management, "Memory reclamation"; docs/model.md
 * "Policy eras", row esxi.
 */
#define POLICY_ERA_ESXI6                                                                           \
    .state_pct = {400.0, 100.0, 64.0, 32.0, 16.0}, /* high clear soft hard low, % of minFree */    \
    .pct_of_host = false, .salting = 2, /* Mem.ShareForceSalting 2: sharing inside a VM */         \
    .sample_period = 60 * SIM_S, .ctl_max_pct = 0.65, /* Mem.CtlMaxPercent 65% */                  \
    .large_pages = true, .compression = true

void policy_esx_tick(const EsxRules *rules, const PolicyView *view, PolicyTargets *out);
