/* A policy setting's value as a scenario would write it, for `reclaimsim
 * policies` and the keys reference. */
#include <math.h>
#include <string.h>

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

/* Letters, digits, '_' and '-': a setting is a JSON key and a --set part (split at '.'). */
static bool valid_setting_name(const char *name)
{
    if (name == NULL || name[0] == '\0' || strcmp(name, "name") == 0) {
        return false;
    }
    for (const char *c = name; *c != '\0'; c++) {
        if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-') {
            return false;
        }
    }
    return true;
}

/* What is wrong with setting `i` of the class, or NULL. */
static char *param_fault(const PolicyClass *cls, guint i)
{
    const PolicyParam *p = &cls->params[i];
    if (!valid_setting_name(p->name)) {
        return g_strdup_printf("setting %u has no valid name (letters, digits, '_' and '-'; not "
                               "\"name\")",
                               i);
    }
    if ((unsigned)p->kind > POLICY_PARAM_BOOL) {
        return g_strdup_printf("setting \"%s\" has an unknown kind %u", p->name, (unsigned)p->kind);
    }
    if (isnan(p->min) || isnan(p->max) || isnan(p->def) || p->min > p->max || p->def < p->min ||
        p->def > p->max) {
        return g_strdup_printf("setting \"%s\": default %g is not within [%g, %g]", p->name, p->def,
                               p->min, p->max);
    }
    for (guint j = 0; j < i; j++) {
        if (strcmp(cls->params[j].name, p->name) == 0) {
            return g_strdup_printf("two settings are named \"%s\"", p->name);
        }
    }
    return NULL;
}

char *policy_params_fault(const PolicyClass *cls)
{
    if (cls->n_params > 0 && cls->params == NULL) {
        return g_strdup_printf("%u settings declared, params is NULL", cls->n_params);
    }
    for (guint i = 0; i < cls->n_params; i++) {
        char *fault = param_fault(cls, i);
        if (fault != NULL) {
            return fault;
        }
    }
    return NULL;
}
