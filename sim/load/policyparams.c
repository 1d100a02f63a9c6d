/*
 * The settings of host.policy given as an object: {"name": "kvm-mom",
 * SETTING: value, ...}. The settings are those of the class the name
 * resolves to (PolicyClass.params): each is read by the loader's parser for
 * its kind, so "512MiB", "10s", "20%" and plain numbers mean what they mean
 * in every other key, checked against the class's bounds, and stored in the
 * class's order with the class's default for each one not given.
 */
#include <math.h>
#include <string.h>

#include "policy/policy.h"
#include "sim/load/loader-private.h"
#include "sim/units.h"

/* The key type that reads each kind of setting. */
static const SimKeyType kind_types[] = {
    [POLICY_PARAM_NUMBER] = SIM_KEY_NUMBER,     [POLICY_PARAM_SIZE] = SIM_KEY_SIZE,
    [POLICY_PARAM_DURATION] = SIM_KEY_DURATION, [POLICY_PARAM_PERCENT] = SIM_KEY_PERCENT,
    [POLICY_PARAM_BOOL] = SIM_KEY_BOOL,
};

/* "kvm-mom" for a built-in, "plug-in x.so" for a plug-in: whose settings are wrong. */
static const char *owner(Loader *ld, const char *name, const PolicyClass *cls)
{
    if (policy_is_path(name)) {
        return sim_load_keep(ld, g_strdup_printf("policy plug-in %s", sim_load_quote(ld, name)));
    }
    return sim_load_keep(ld, g_strdup_printf("policy %s", cls->name));
}

bool sim_load_check_policy_class(Loader *ld, const char *ptr, const char *name,
                                 const PolicyClass *cls)
{
    g_autofree char *fault = policy_params_fault(cls);
    if (fault != NULL) {
        return sim_load_fail(ld, SIM_ERROR_PLUGIN, ptr, "%s: %s", owner(ld, name, cls), fault);
    }
    return true;
}

static const PolicyParam *find_param(const PolicyClass *cls, const char *key)
{
    for (guint i = 0; i < cls->n_params; i++) {
        if (strcmp(cls->params[i].name, key) == 0) {
            return &cls->params[i];
        }
    }
    return NULL;
}

/* A member of the object that is neither "name" nor a setting of the class. */
static bool unknown_setting(Loader *ld, const char *ptr, const char *key, const PolicyClass *cls)
{
    if (cls->n_params == 0) {
        return sim_load_fail_at(ld, SIM_ERROR_UNKNOWN_KEY, ptr, SIM_SRCLOC_KEY,
                                "policy %s has no settings (got \"%s\"); host.policy as an object "
                                "takes only \"name\"",
                                cls->name, sim_load_quote(ld, key));
    }
    g_autofree const char **names = g_new(const char *, cls->n_params);
    GString *list = g_string_new(NULL);
    for (guint i = 0; i < cls->n_params; i++) {
        names[i] = cls->params[i].name;
        g_string_append_printf(list, "%s%s", i > 0 ? ", " : "", names[i]);
    }
    const char *listed = sim_load_keep(ld, g_string_free(list, FALSE));
    return sim_load_fail_at(ld, SIM_ERROR_UNKNOWN_KEY, ptr, SIM_SRCLOC_KEY,
                            "unknown key \"%s\"%s; host.policy takes \"name\" and the settings of "
                            "policy %s: %s",
                            sim_load_quote(ld, key), sim_load_hint(ld, key, names, cls->n_params),
                            cls->name, listed);
}

/* A bound or value of a setting as text, in its kind's unit. */
static const char *fmt_value(Loader *ld, const PolicyParam *p, double v)
{
    switch (p->kind) {
    case POLICY_PARAM_SIZE:
        return sim_load_fmt_bytes(ld, (uint64_t)v);
    case POLICY_PARAM_DURATION:
        return sim_load_keep(ld, sim_units_format_duration((SimTime)v));
    case POLICY_PARAM_PERCENT:
        return sim_load_fmt_pct(ld, v);
    default:
        return sim_load_fmt_num(ld, v);
    }
}

/* Sizes, durations and percentages within the class's [min, max] (the number
 * parser checks its own row's bounds). */
static bool check_bounds(Loader *ld, const char *ptr, const PolicyParam *p, double v)
{
    if (v < p->min) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "%s must be at least %s (got %s)", p->name,
                             fmt_value(ld, p, p->min), fmt_value(ld, p, v));
    }
    if (v > p->max) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "%s must be at most %s (got %s)", p->name,
                             fmt_value(ld, p, p->max), fmt_value(ld, p, v));
    }
    return true;
}

/* The value of setting `p` that the scope's object gives, in the setting's unit. */
static bool read_param(Loader *ld, const Scope *s, const char *ptr, const PolicyParam *p,
                       double *out)
{
    uint64_t bytes = 0;
    SimTime t = 0;
    bool b = false;
    switch (p->kind) {
    case POLICY_PARAM_NUMBER:
        return sim_load_get_number(ld, s, p->name, out);
    case POLICY_PARAM_SIZE:
        if (!sim_load_get_size(ld, s, p->name, &bytes, NULL)) {
            return false;
        }
        *out = (double)bytes;
        break;
    case POLICY_PARAM_DURATION:
        if (!sim_load_get_duration(ld, s, p->name, &t)) {
            return false;
        }
        *out = (double)t;
        break;
    case POLICY_PARAM_PERCENT:
        if (!sim_load_get_percent(ld, s, p->name, out)) {
            return false;
        }
        break;
    case POLICY_PARAM_BOOL:
        if (!sim_load_get_bool(ld, s, p->name, &b)) {
            return false;
        }
        *out = b ? 1.0 : 0.0;
        return true;
    }
    return check_bounds(ld, ptr, p, *out);
}

/* Key rows for the class's settings, so the loader's getters read them (no
 * defaults: the class's are numbers, filled in by the caller). */
static SimKey *param_rows(const PolicyClass *cls)
{
    SimKey *rows = g_new0(SimKey, cls->n_params + 1);
    for (guint i = 0; i < cls->n_params; i++) {
        const PolicyParam *p = &cls->params[i];
        bool unbounded = isinf(p->max) || p->max >= SIM_KEY_UNBOUNDED;
        rows[i] = (SimKey){.name = p->name,
                           .type = kind_types[p->kind],
                           .min = p->min,
                           .max = unbounded ? SIM_KEY_UNBOUNDED : p->max};
    }
    return rows;
}

bool sim_load_policy_params(Loader *ld, json_t *obj, const char *ptr, const PolicyClass *cls,
                            SimHostConfig *h)
{
    const char *key = NULL;
    json_t *v = NULL;
    json_object_foreach(obj, key, v)
    {
        if (strcmp(key, "name") != 0 && find_param(cls, key) == NULL) {
            return unknown_setting(ld, sim_load_ptr_key(ld, ptr, key), key, cls);
        }
    }
    if (cls->n_params == 0) {
        return true;
    }
    g_autofree SimKey *rows = param_rows(cls);
    Scope s = sim_load_scope_one(obj, ptr, rows);
    h->n_policy_params = cls->n_params;
    h->policy_params = g_new(double, cls->n_params);
    for (guint i = 0; i < cls->n_params; i++) {
        const PolicyParam *p = &cls->params[i];
        const char *vptr = NULL;
        h->policy_params[i] = p->def;
        if (sim_load_scope_get(ld, &s, p->name, &vptr) != NULL &&
            !read_param(ld, &s, vptr, p, &h->policy_params[i])) {
            return false;
        }
    }
    return true;
}
