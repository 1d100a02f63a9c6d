/* A plug-in whose init() refuses the run, as a policy whose settings do not
 * fit the host would: a runtime failure (exit 1), not bad input
 * (tests/scenarios/test-compare.c). */
#include <policy/policy.h>

static bool refuse(void *state, const PolicyView *view, GError **error)
{
    (void)state;
    g_set_error(error, g_quark_from_static_string("refuse"), 1,
                "this policy cannot run a host of %" G_GUINT64_FORMAT " pages", view->host_pages);
    return false;
}

static void tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    (void)state;
    (void)view;
    (void)out;
}

static const PolicyClass refusing = {
    .abi_version = POLICY_ABI_VERSION,
    .name = "refusing",
    .summary = "a policy whose init fails",
    .period = SIM_S,
    .init = refuse,
    .tick = tick,
};

const PolicyClass *reclaimsim_policy(void);

const PolicyClass *reclaimsim_policy(void)
{
    return &refusing;
}
