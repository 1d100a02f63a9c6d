/* A plug-in whose setting has a default outside its own bounds (test-plugin.c). */
#include <policy/policy.h>

static const PolicyParam params[] = {
    {.name = "gain",
     .kind = POLICY_PARAM_NUMBER,
     .def = 2,
     .min = 0,
     .max = 1,
     .doc = "A default out of bounds (test)."},
};

static void tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    (void)state;
    (void)view;
    (void)out;
}

static const PolicyClass bad_params = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "bad-params",
    .summary = "a policy with a malformed setting",
    .period = SIM_S,
    .tick = tick,
    .params = params,
    .n_params = 1,
};

const PolicyClass *reclaimsim_policy(void);

const PolicyClass *reclaimsim_policy(void)
{
    return &bad_params;
}
