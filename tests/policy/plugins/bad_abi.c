/* A plug-in built for an ABI this reclaimsim does not know (test-plugin.c). */
#include <policy/policy.h>

static void tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    (void)state;
    (void)view;
    (void)out;
}

static const PolicyClass future = {
    .abi_version = POLICY_ABI_VERSION + 98u,
    .name = "future",
    .summary = "a policy from a later ABI",
    .period = SIM_S,
    .tick = tick,
};

const PolicyClass *reclaimsim_policy(void);

const PolicyClass *reclaimsim_policy(void)
{
    return &future;
}
