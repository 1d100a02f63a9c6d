/* A plug-in whose class has no tick() (test-plugin.c). */
#include <policy/policy.h>

static const PolicyClass idle = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "idle",
    .summary = "a policy that forgot its tick",
    .period = SIM_S,
};

const PolicyClass *reclaimsim_policy(void);

const PolicyClass *reclaimsim_policy(void)
{
    return &idle;
}
