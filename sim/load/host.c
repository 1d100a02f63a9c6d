/*
 * The host object of a scenario: memory, page size, minFree, overheads, the
 * policy and the knobs of the memory scheduler, sharing, compression and swap.
 */
#include <string.h>

#include "policy/policy.h"
#include "sim/load/loader-private.h"
#include "sim/units.h"

/* The two page sizes of the model (host.page_size). */
#define SMALL_PAGE_SIZE (4 * SIM_KIB) /* "4KiB" */

#define LARGE_PAGE_SIZE (2 * SIM_MIB) /* "2MiB" */

/* The plug-in at `path`, or NULL after the error naming it. */
static const PolicyClass *plugin_at(Loader *ld, const char *ptr, const char *path)
{
    GError *e = NULL;
    const PolicyClass *cls = policy_resolve(path, &e);
    if (cls != NULL) {
        return cls;
    }
    sim_load_fail(ld, SIM_ERROR_PLUGIN, ptr, "policy plug-in %s: %s", sim_load_quote(ld, path),
                  e->message);
    g_error_free(e);
    return NULL;
}

/* A plug-in named by path, relative to the scenario file's folder; the
 * scenario keeps the path it resolved, so the run loads the same file. */
static const PolicyClass *load_plugin(Loader *ld, const char *ptr, SimHostConfig *h)
{
    g_autofree char *dir = g_path_get_dirname(ld->path);
    if (!g_path_is_absolute(h->policy) && strcmp(ld->path, "<built-in>") != 0 &&
        strcmp(dir, ".") != 0) {
        char *path = g_build_filename(dir, h->policy, NULL);
        g_free(h->policy);
        h->policy = path;
    }
    return plugin_at(ld, ptr, h->policy);
}

/* The class h->policy names (given at `ptr`), or NULL after the error. */
static const PolicyClass *resolve_policy(Loader *ld, const char *ptr, SimHostConfig *h)
{
    if (policy_is_path(h->policy)) {
        return load_plugin(ld, ptr, h);
    }
    const PolicyClass *cls = policy_lookup(h->policy);
    if (cls != NULL) {
        return cls;
    }
    g_autofree char *found = policy_find_plugin(h->policy);
    if (found != NULL) {
        return plugin_at(ld, ptr, found);
    }
    g_auto(GStrv) plugins = policy_plugin_names();
    const char *names[128];
    guint n = 0;
    for (const PolicyClass *const *p = policy_builtins(); *p != NULL && n < 64; p++) {
        names[n++] = (*p)->name;
    }
    for (guint i = 0; plugins[i] != NULL && n < G_N_ELEMENTS(names); i++) {
        names[n++] = plugins[i];
    }
    sim_load_unknown_name(ld, ptr, "policy", h->policy, names, n, "known policies");
    return NULL;
}

/*
 * host.policy: a name, or an object with the name and the policy's settings
 * (sim/load/policyparams.c); a bare name leaves h->policy_params NULL, so
 * the run takes the class's defaults.
 */
static bool load_policy(Loader *ld, const Scope *s, SimHostConfig *h)
{
    const SimKey *row = sim_load_row_of(s, "policy");
    const char *ptr = NULL;
    bool given = false;
    json_t *v = sim_load_value_of(ld, s, row, &ptr, &given);
    const char *name_at = ptr;
    if (json_is_object(v)) {
        Scope obj = sim_load_scope_one(v, ptr, row->members);
        if (json_object_get(v, "name") == NULL) {
            return sim_load_missing(ld, ptr, "name");
        }
        if (!sim_load_get_string(ld, &obj, "name", &h->policy, &name_at)) {
            return false;
        }
    } else if (json_is_string(v)) {
        h->policy = g_strdup(json_string_value(v));
    } else {
        return sim_load_type_error(ld, ptr, v,
                                   "a policy name or an object with its \"name\" and settings");
    }
    const PolicyClass *cls = resolve_policy(ld, name_at, h);
    return cls != NULL && sim_load_check_policy_class(ld, name_at, h->policy, cls) &&
           (!json_is_object(v) || sim_load_policy_params(ld, v, ptr, cls, h));
}

/*
 * host.name is the first part of every esxtop.csv counter path
 * (`\\NAME\Memory\Free MBytes`): a '\\' would split the path, a '(' or ')'
 * would be read as the instance of a counter, a quote or a control character
 * would break the CSV. Real host names are DNS names (RFC 1123), so only
 * their characters are accepted (and '_'); anything else is rejected at load
 * rather than escaped, since esxtop readers know no escape.
 */
static bool load_host_name(Loader *ld, const Scope *s, SimHostConfig *h)
{
    const char *ptr = NULL;
    if (!sim_load_get_string(ld, s, "name", &h->name, &ptr)) {
        return false;
    }
    if (h->name[0] == '\0') {
        return sim_load_fail(ld, SIM_ERROR_VALUE, ptr, "host name must not be empty");
    }
    for (const char *c = h->name; *c != '\0'; c = g_utf8_next_char(c)) {
        gunichar u = g_utf8_get_char(c);
        if (!(g_ascii_isalnum((char)u) && u < 0x80) && u != '-' && u != '.' && u != '_') {
            return sim_load_fail(ld, SIM_ERROR_VALUE, ptr,
                                 "host name \"%s\" contains U+%04X; a host name holds only "
                                 "letters, digits, '-', '.' and '_' (it starts every esxtop.csv "
                                 "counter path)",
                                 sim_load_quote(ld, h->name), (unsigned)u);
        }
    }
    return true;
}

/* memory, page_size, min_free, overhead: the sizes that must fit each other. */
static bool load_host_memory(Loader *ld, const Scope *s, SimHostConfig *h)
{
    const char *mem_at = NULL;
    const char *ps_at = NULL;
    const char *ptr = NULL;
    if (sim_load_scope_get(ld, s, "memory", &ptr) == NULL) {
        return sim_load_missing(ld, s->ptr[0], "memory");
    }
    if (!sim_load_get_size(ld, s, "memory", &h->memory, &mem_at) ||
        !sim_load_get_size(ld, s, "page_size", &h->page_size, &ps_at)) {
        return false;
    }
    if (h->page_size != SMALL_PAGE_SIZE && h->page_size != LARGE_PAGE_SIZE) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, ps_at, "page_size must be 4KiB or 2MiB (got %s)",
                             sim_load_fmt_bytes(ld, h->page_size));
    }
    if (h->memory < h->page_size) {
        return sim_load_fail(
            ld, SIM_ERROR_RANGE, mem_at, "memory (%s) is smaller than one page (%s)",
            sim_load_fmt_bytes(ld, h->memory), sim_load_fmt_bytes(ld, h->page_size));
    }
    h->memory -= h->memory % h->page_size; /* whole pages only */
    const SimKey *mf_row = sim_load_row_of(s, "min_free");
    bool given = false;
    json_t *mf = sim_load_value_of(ld, s, mf_row, &ptr, &given);
    if (!(json_is_string(mf) && strcmp(json_string_value(mf), "auto") == 0)) {
        if (!sim_load_parse_size(ld, mf, ptr, mf_row, &h->min_free)) {
            return false;
        }
        if (h->min_free >= h->memory) {
            return sim_load_fail(
                ld, SIM_ERROR_RANGE, ptr, "min_free (%s) must be smaller than host memory (%s)",
                sim_load_fmt_bytes(ld, h->min_free), sim_load_fmt_bytes(ld, h->memory));
        }
    }
    if (!sim_load_get_size(ld, s, "overhead", &h->overhead, &ptr)) {
        return false;
    }
    if (h->overhead >= h->memory) {
        /* with the default overhead, the memory given is what is too small */
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr != NULL ? ptr : mem_at,
                             "overhead (%s%s) must be smaller than host memory (%s)",
                             sim_load_fmt_bytes(ld, h->overhead), ptr != NULL ? "" : " by default",
                             sim_load_fmt_bytes(ld, h->memory));
    }
    return true;
}

static bool load_host_knobs(Loader *ld, const Scope *s, SimHostConfig *h)
{
    uint64_t base = 0;
    int reading = 0;
    int tax_type = 0;
    int64_t pages = 0;
    bool ok = sim_load_get_number(ld, s, "cpu_ghz", &h->cpu_ghz) &&
              sim_load_get_size(ld, s, "vm_overhead_base", &base, NULL) &&
              sim_load_get_percent(ld, s, "vm_overhead_pct", &h->vm_overhead_frac) &&
              load_policy(ld, s, h) && load_host_name(ld, s, h) &&
              sim_load_get_enum(ld, s, "state_reading", &reading) &&
              sim_load_get_percent(ld, s, "state_hysteresis", &h->state_hysteresis) &&
              sim_load_get_percent(ld, s, "idle_tax", &h->idle_tax) &&
              sim_load_get_enum(ld, s, "idle_tax_type", &tax_type) &&
              sim_load_get_duration(ld, s, "balance_period", &h->balance_period) &&
              sim_load_get_duration(ld, s, "sample_period", &h->sample_period) &&
              sim_load_get_int(ld, s, "sample_pages", &pages) &&
              sim_load_get_percent(ld, s, "ctl_max_pct", &h->ctl_max_pct);
    h->vm_overhead_base = (double)base;
    h->state_reading = (SimStateReading)reading;
    h->idle_tax_type = (SimIdleTaxType)tax_type;
    h->sample_pages = (uint32_t)pages;
    return ok;
}

static bool load_host_parts(Loader *ld, const Scope *s, SimHostConfig *h)
{
    Scope sh;
    Scope zip;
    Scope swap;
    Scope cache;
    int64_t salting = 0;
    bool ok = sim_load_scope_child(ld, s, "sharing", &sh) &&
              sim_load_get_bool(ld, &sh, "enabled", &h->sharing.enabled) &&
              sim_load_get_int(ld, &sh, "salting", &salting) &&
              sim_load_get_duration(ld, &sh, "scan_time", &h->sharing.scan_time) &&
              sim_load_get_rate(ld, &sh, "rate_max", &h->sharing.rate_max) &&
              sim_load_get_byte_rate(ld, &sh, "scan_ghz", &h->sharing.scan_ghz) &&
              sim_load_get_bool(ld, &sh, "large_pages", &h->sharing.large_pages) &&
              sim_load_scope_child(ld, s, "compression", &zip) &&
              sim_load_get_bool(ld, &zip, "enabled", &h->compression.enabled) &&
              sim_load_get_percent(ld, &zip, "max_pct", &h->compression.max_pct) &&
              sim_load_get_duration(ld, &zip, "latency", &h->compression.latency) &&
              sim_load_scope_child(ld, s, "swap", &swap) &&
              sim_load_get_duration(ld, &swap, "latency", &h->swap.latency) &&
              sim_load_get_byte_rate(ld, &swap, "bandwidth", &h->swap.bandwidth) &&
              sim_load_scope_child(ld, &swap, "cache", &cache) &&
              sim_load_get_size(ld, &cache, "size", &h->swap.cache_size, NULL) &&
              sim_load_get_duration(ld, &cache, "latency", &h->swap.cache_latency) &&
              sim_load_get_byte_rate(ld, &cache, "bandwidth", &h->swap.cache_bandwidth);
    h->sharing.salting = (int)salting;
    return ok;
}

bool sim_load_host(Loader *ld, json_t *root, SimHostConfig *h)
{
    Scope top = sim_load_scope_one(root, "", sim_keys_top());
    Scope s;
    if (!sim_load_scope_child(ld, &top, "host", &s)) {
        return false;
    }
    if (s.obj[0] == NULL) {
        return sim_load_missing(ld, "", "host");
    }
    bool ok =
        load_host_memory(ld, &s, h) && load_host_knobs(ld, &s, h) && load_host_parts(ld, &s, h);
    ld->page_size = h->page_size;
    return ok;
}
