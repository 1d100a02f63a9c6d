/*
 * Scenario loading and validation (docs/design.md section 3): the entry
 * points, the text checks before JSON, and the top-level keys. Every key,
 * its type, default and range is a row of the key tables (sim/load/keys.c);
 * the getters (sim/load/values.c) take defaults and ranges from the rows,
 * and the checks that involve several keys stay with the part they belong
 * to (host.c, vms.c, workload.c, traces.c, events.c, estimate.c).
 *
 * Templates merge recursively without copying: a VM's value is looked up in
 * the VM first, then in its template (objects member by member), so every
 * value keeps its own JSON pointer and errors point at the template's text
 * when the value came from there.
 */
#include <string.h>

#include "sim/load/loader-private.h"
#include "sim/load/readfile.h"
#include "sim/units.h"

extern const char sim_default_scenario_json[];

static bool load_header(Loader *ld, json_t *root, SimScenario *sc)
{
    Scope s = sim_load_scope_one(root, "", sim_keys_top());
    g_autofree char *base = g_path_get_basename(sc->path);
    int64_t seed = 0;
    if (g_str_has_suffix(base, ".json")) {
        base[strlen(base) - strlen(".json")] = '\0';
    }
    bool ok = sim_load_get_string(ld, &s, "name", &sc->name, NULL) &&
              sim_load_get_string(ld, &s, "description", &sc->description, NULL) &&
              sim_load_get_int(ld, &s, "seed", &seed) &&
              sim_load_get_duration(ld, &s, "duration", &sc->duration) &&
              sim_load_get_duration(ld, &s, "sample_interval", &sc->sample_interval);
    if (ok && sc->name == NULL) { /* the default: the file name without .json */
        sc->name = g_strdup(base);
    }
    if (ok && sc->duration > SIM_SCENARIO_MAX_TIME) {
        const char *ptr = NULL;
        sim_load_scope_get(ld, &s, "duration", &ptr);
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "duration must be at most 36500d (got %s)",
                             sim_load_keep(ld, sim_units_format_duration(sc->duration)));
    }
    sc->seed = (uint64_t)seed;
    ld->duration = sc->duration;
    return ok;
}

static bool load_sla(Loader *ld, json_t *root, SimScenario *sc)
{
    Scope top = sim_load_scope_one(root, "", sim_keys_top());
    Scope s;
    const char *ptr = NULL;
    if (!sim_load_scope_child(ld, &top, "sla", &s)) {
        return false;
    }
    sc->has_sla = sim_load_scope_get(ld, &s, "perf_index", &ptr) != NULL;
    if (!sim_load_get_number(ld, &s, "perf_index", &sc->sla_perf_index)) {
        return false;
    }
    sc->sla_perf_index = sc->has_sla ? sc->sla_perf_index : 1.0; /* no SLA: anything passes */
    return true;
}

static bool load_root(Loader *ld, json_t *root, SimScenario *sc)
{
    if (!json_is_object(root)) {
        return sim_load_fail(ld, SIM_ERROR_TYPE, "", "a scenario must be a JSON object, got %s",
                             sim_load_json_kind(root));
    }
    return sim_load_check_keys(ld, root, "", SIM_KEY_OBJECT, sim_keys_top()) &&
           load_header(ld, root, sc) && sim_load_host(ld, root, &sc->host) &&
           sim_load_templates(ld, root) && sim_load_vms(ld, root, sc) &&
           sim_load_events(ld, root, sc) && load_sla(ld, root, sc) &&
           sim_load_check_estimate(ld, sc);
}

static SimScenario *scenario_new(const char *path)
{
    SimScenario *sc = g_new0(SimScenario, 1);
    sc->path = g_strdup(path);
    sc->vms = g_array_new(FALSE, TRUE, sizeof(SimVmConfig));
    g_array_set_clear_func(sc->vms, sim_load_vm_clear);
    sc->events = g_array_new(FALSE, TRUE, sizeof(SimEvent));
    g_array_set_clear_func(sc->events, sim_load_event_clear);
    sc->warnings = g_ptr_array_new_with_free_func(g_free);
    sc->given = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return sc;
}

/* Empty, not UTF-8, or a NUL byte: caught before jansson, with the exact place. */
static bool check_text(const char *path, const char *text, gsize len, GError **error)
{
    const char *end = NULL;
    gsize i = 0;
    while (i < len && strchr(" \t\r\n", text[i]) != NULL && text[i] != '\0') {
        i++;
    }
    if (i == len) {
        return sim_error_at(error, SIM_ERROR_PARSE, path, 1, 1, "empty scenario file (at /)");
    }
    if (g_utf8_validate(text, (gssize)len, &end)) {
        return true;
    }
    g_autoptr(SimSrcLoc) loc = sim_srcloc_new(text, len);
    guint line = 0;
    guint col = 0;
    sim_srcloc_line_col(loc, (gsize)(end - text), &line, &col);
    return sim_error_at(error, SIM_ERROR_PARSE, path, line, col, "%s (at /)",
                        *end == '\0' ? "NUL byte in scenario file" : "invalid UTF-8 in scenario file");
}

static json_t *parse_json(const char *path, const char *text, gsize len, GError **error)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (root == NULL) {
        sim_error_at(error, SIM_ERROR_PARSE, path, (guint)MAX(jerr.line, 1),
                     (guint)MAX(jerr.column, 1), "invalid JSON: %s (at /)", jerr.text);
    }
    return root;
}

static SimScenario *load_common(const char *path, const char *text, gsize len,
                                const char *const *sets, GError **error)
{
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    if (!check_text(path, text, len, error)) {
        return NULL;
    }
    json_t *root = parse_json(path, text, len, error);
    if (root == NULL) {
        return NULL;
    }
    GError *local = NULL;
    Loader ld = {
        .path = path,
        .loc = sim_srcloc_new(text, len),
        .overrides = g_ptr_array_new_with_free_func(sim_load_override_free),
        .pool = g_ptr_array_new_with_free_func(g_free),
        .vm_index = g_hash_table_new(g_str_hash, g_str_equal), /* keys: the VMs' names */
        .warned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .defaults = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)json_decref),
        .error = &local,
    };
    SimScenario *sc = scenario_new(path);
    ld.warnings = sc->warnings;
    ld.given = sc->given;
    bool ok = true;
    for (const char *const *set = sets; ok && json_is_object(root) && set != NULL && *set != NULL;
         set++) {
        ok = sim_load_apply_override(&ld, root, *set, &local);
    }
    ok = ok && load_root(&ld, root, sc);
    json_decref(root);
    sim_srcloc_free(ld.loc);
    g_ptr_array_unref(ld.overrides);
    g_ptr_array_unref(ld.pool);
    g_hash_table_unref(ld.vm_index);
    g_hash_table_unref(ld.warned);
    g_hash_table_unref(ld.defaults);
    if (!ok) {
        g_propagate_error(error, local);
        g_clear_pointer(&sc, sim_scenario_free);
    }
    return sc;
}

SimScenario *sim_scenario_load_text(const char *path, const char *text, gsize len, GError **error)
{
    return load_common(path, text, len, NULL, error);
}

/* Reads the whole file; a missing, unreadable, special or huge one is bad
 * input (exit 2), a failing disk a runtime error (sim/load/readfile.h). */
static char *read_file(const char *path, gsize *len, GError **error)
{
    g_autoptr(GError) e = NULL;
    char *text = sim_read_file(path, SIM_READFILE_SCENARIO_MAX, SIM_READFILE_PLAIN, len, &e);
    if (text == NULL) {
        sim_error_at(error, e->code == SIM_ERROR_IO ? SIM_ERROR_IO : SIM_ERROR_USAGE, path, 0, 0,
                     "cannot read scenario: %s", e->message);
    }
    return text;
}

SimScenario *sim_scenario_load_with_overrides(const char *path, const char *const *sets,
                                              GError **error)
{
    if (path == NULL) {
        const char *text = sim_scenario_default_text();
        return load_common("<built-in>", text, strlen(text), sets, error);
    }
    gsize len = 0;
    g_autofree char *text = read_file(path, &len, error);
    if (text == NULL) {
        return NULL;
    }
    return load_common(path, text, len, sets, error);
}

SimScenario *sim_scenario_load_text_with_overrides(const char *path, const char *text, gsize len,
                                                   const char *const *sets, GError **error)
{
    return load_common(path, text, len, sets, error);
}

SimScenario *sim_scenario_load(const char *path, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    return sim_scenario_load_with_overrides(path, NULL, error);
}

const char *sim_scenario_default_text(void)
{
    return sim_default_scenario_json;
}
