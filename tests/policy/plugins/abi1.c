/*
 * A plug-in built against ABI 1 (test-plugin.c): its class and era have
 * only the slots ABI 1 had, laid out as policy/policy.h had them then, so
 * the engine must read no further than that prefix.
 */
#include <policy/policy.h>

/* PolicyEra as ABI 1 had it: up to no_sharing. */
typedef struct EraV1 {
    double state_pct[HOST_STATE_MAX];
    bool pct_of_host;
    int salting;
    SimTime sample_period;
    double ctl_max_pct;
    bool large_pages;
    bool compression;
    bool flat_idle_tax;
    bool no_demand_cap;
    bool no_sharing;
} EraV1;

/* PolicyClass as ABI 1 had it: up to trace. */
typedef struct ClassV1 {
    unsigned abi_version;
    const char *name;
    const char *summary;
    size_t state_size;
    SimTime period;
    bool (*init)(void *state, const PolicyView *view, GError **error);
    void (*tick)(void *state, const PolicyView *view, PolicyTargets *out);
    void (*finalize)(void *state);
    const EraV1 *era;
    char *(*trace)(void *state, const PolicyView *view, const PolicyTargets *out);
} ClassV1;

static void tick(void *state, const PolicyView *view, PolicyTargets *out)
{
    (void)state;
    (void)view;
    (void)out;
}

static const EraV1 era = {
    .state_pct = {100.0, -1.0, 64.0, 32.0, 16.0}, /* ESXi 5.x, as policy/esxi5.c */
    .salting = 2,
    .sample_period = 60 * SIM_S,
    .ctl_max_pct = 0.65,
    .compression = true,
    .no_sharing = true,
};

static const ClassV1 old_one = {
    .abi_version = 1u,
    .name = "old-one",
    .summary = "a policy built against ABI 1",
    .period = SIM_S,
    .tick = tick,
    .era = &era,
};

const PolicyClass *reclaimsim_policy(void);

const PolicyClass *reclaimsim_policy(void)
{
    return (const PolicyClass *)(const void *)&old_one;
}
