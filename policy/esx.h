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

void policy_esx_tick(const EsxRules *rules, const PolicyView *view, PolicyTargets *out);
