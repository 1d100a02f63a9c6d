/*
 * A plug-in with settings of every kind (test-plugin.c): host.policy as an
 * object names it and gives some of them; the loader reads them into
 * SimHostConfig.policy_params in this order. Its tick does nothing.
 */
#include <policy/policy.h>

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)
#define NS_PER_S 1e9

static const PolicyParam params[] = {
    {.name = "buffer",
     .kind = POLICY_PARAM_SIZE,
     .def = 512 * MIB,
     .min = 0,
     .max = 64 * GIB,
     .doc = "Free memory to keep (test)."},
    {.name = "interval",
     .kind = POLICY_PARAM_DURATION,
     .def = 10 * NS_PER_S,
     .min = NS_PER_S,
     .max = 3600 * NS_PER_S,
     .doc = "How often to act (test)."},
    {.name = "pressure",
     .kind = POLICY_PARAM_PERCENT,
     .def = 0.2,
     .min = 0.05,
     .max = 0.9,
     .doc = "Share of memory under pressure (test)."},
    {.name = "gain",
     .kind = POLICY_PARAM_NUMBER,
     .def = 1.5,
     .min = 0,
     .max = 10,
     .doc = "Multiplier of each step (test)."},
    {.name = "aggressive",
     .kind = POLICY_PARAM_BOOL,
     .def = 0,
     .min = 0,
     .max = 1,
     .doc = "Whether to skip the grace period (test)."},
    {.name = "floor",
     .kind = POLICY_PARAM_SIZE,
     .def = GIB,
     .min = 0,
     .max = 64 * GIB,
     .doc = "Memory a VM keeps at least (test)."},
};

static void tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    (void)state;
    (void)view;
    (void)out;
}

static const PolicyClass with_params = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "with-params",
    .summary = "a policy with settings of every kind",
    .period = SIM_S,
    .tick = tick,
    .params = params,
    .n_params = sizeof params / sizeof params[0],
};

const PolicyClass *reclaimsim_policy(void);

const PolicyClass *reclaimsim_policy(void)
{
    return &with_params;
}
