/* A policy setting's value as a scenario would write it, for `reclaimsim
 * policies` and the keys reference. */
#include "policy/policy.h"
#include "sim/units.h"

char *policy_param_format(const PolicyParam *param, double value)
{
    switch (param->kind) {
    case POLICY_PARAM_SIZE:
        return sim_units_format_bytes((uint64_t)value);
    case POLICY_PARAM_DURATION:
        return sim_units_format_duration((SimTime)value);
    case POLICY_PARAM_PERCENT:
        return sim_units_format_percent(value);
    case POLICY_PARAM_BOOL:
        return g_strdup(value != 0.0 ? "true" : "false");
    case POLICY_PARAM_NUMBER:
    default:
        return g_strdup_printf("%.17g", value);
    }
}
