/*
 * The key tables as text (sim/load/keys.h): `reclaimsim keys` prints them,
 * the tests compare them with scenarios/scenario.schema.json, the man page
 * and docs/model.md. One walk of the tables serves both forms.
 */
#include <math.h>
#include <string.h>

#include "policy/policy.h"
#include "sim/load/keys.h"
#include "sim/units.h"

json_t *sim_key_default_json(const SimKey *key)
{
    if (key->def == NULL) {
        return NULL;
    }
    bool literal = key->type == SIM_KEY_NUMBER || key->type == SIM_KEY_INT ||
                   key->type == SIM_KEY_BOOL || key->type == SIM_KEY_OBJECT ||
                   key->type == SIM_KEY_ARRAY || key->type == SIM_KEY_MAP ||
                   ((key->flags & SIM_KEY_NULLABLE) != 0 && strcmp(key->def, "null") == 0);
    json_t *v = literal ? json_loads(key->def, JSON_DECODE_ANY, NULL) : NULL;
    return v != NULL ? v : json_string(key->def); /* "normal" of shares: a word */
}

/* A bound as text; an INT row's as an integer ("9223372036854775807", not "9.2e18"). */
static char *fmt_num(const SimKey *key, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    if (key->type == SIM_KEY_INT) {
        return g_strdup_printf("%" G_GINT64_FORMAT, v >= SIM_KEY_INT64_MAX ? INT64_MAX : (gint64)v);
    }
    return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.10g", v));
}

/* "[0, 1]", "(0, 1]", "> 0", ">= 1", "1..100000". */
static char *number_range(const SimKey *key)
{
    g_autofree char *min = fmt_num(key, key->min);
    g_autofree char *max = fmt_num(key, key->max);
    bool open = (key->flags & SIM_KEY_OPEN_MIN) != 0;
    if (key->max == SIM_KEY_UNBOUNDED) {
        return g_strdup_printf("%s %s", open ? ">" : ">=", min);
    }
    if (key->type == SIM_KEY_INT) {
        return g_strdup_printf("%s..%s", min, max);
    }
    return g_strdup_printf("%s%s, %s]", open ? "(" : "[", min, max);
}

/* The range of the value itself, without words or null. */
static char *value_range(const SimKey *key)
{
    bool nonzero = (key->flags & SIM_KEY_NONZERO) != 0;
    switch (key->type) {
    case SIM_KEY_DURATION:
        if ((key->flags & SIM_KEY_PERIOD) != 0) {
            return g_strdup("1ms..36500d");
        }
        return g_strdup(nonzero ? "> 0" : ">= 0");
    case SIM_KEY_SIZE:
    case SIM_KEY_BYTE_RATE:
    case SIM_KEY_RATE:
        return g_strdup(nonzero ? "> 0" : ">= 0");
    case SIM_KEY_PERCENT: {
        g_autofree char *max = sim_units_format_percent(key->max);
        return g_strdup_printf("0%%..%s", max);
    }
    case SIM_KEY_NUMBER:
    case SIM_KEY_INT:
        return number_range(key);
    case SIM_KEY_BOOL:
        return g_strdup("true|false");
    default:
        return g_strdup("");
    }
}

char *sim_key_range(const SimKey *key)
{
    g_autofree char *value = value_range(key);
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < sim_key_n_words(key); i++) {
        g_string_append_printf(out, "%s%s", i > 0 ? "|" : "", key->words[i]);
    }
    if (key->type != SIM_KEY_ENUM && out->len > 0 && value[0] != '\0') {
        g_string_append(out, ", or ");
    }
    if (key->type != SIM_KEY_ENUM) {
        g_string_append(out, value);
    }
    if ((key->flags & SIM_KEY_OR_NAME) != 0) {
        g_string_append(out, "a file name or an object");
    }
    if ((key->flags & SIM_KEY_POLICY) != 0) {
        g_string_append(out, "a name or an object");
    }
    if ((key->flags & SIM_KEY_NULLABLE) != 0) {
        g_string_append(out, out->len > 0 ? ", or null" : "null");
    }
    return g_string_free(out, FALSE);
}

/* The JSON types a value of the key may have, as JSON Schema names them. */
static json_t *json_types(const SimKey *key)
{
    static const char *const base[SIM_KEY_TYPE_MAX] = {
        "string integer", "string", "string number", "string", "string number", "number", "integer",
        "boolean",        "string", "string",        "object", "array",         "object"};
    g_autoptr(GString) types = g_string_new(base[key->type]);
    if (key->words != NULL && key->type == SIM_KEY_INT) {
        g_string_prepend(types, "string ");
    }
    if ((key->flags & (SIM_KEY_OR_NAME | SIM_KEY_POLICY)) != 0) {
        g_string_append(types, " string");
    }
    if ((key->flags & SIM_KEY_NULLABLE) != 0) {
        g_string_append(types, " null");
    }
    g_auto(GStrv) names = g_strsplit(types->str, " ", -1);
    json_t *out = json_array();
    for (guint i = 0; names[i] != NULL; i++) {
        json_array_append_new(out, json_string(names[i]));
    }
    return out;
}

/* minimum, exclusiveMinimum and maximum as the schema writes them (percentages in percent). */
static void json_bounds(const SimKey *key, json_t *obj)
{
    double scale = key->type == SIM_KEY_PERCENT ? 100.0 : 1.0;
    if (key->type != SIM_KEY_NUMBER && key->type != SIM_KEY_INT && key->type != SIM_KEY_PERCENT) {
        return;
    }
    double min = round(key->min * scale * 1e6) / 1e6;
    double max = round(key->max * scale * 1e6) / 1e6;
    bool open = (key->flags & SIM_KEY_OPEN_MIN) != 0;
    json_object_set_new(obj, open ? "exclusiveMinimum" : "minimum",
                        key->type == SIM_KEY_INT ? json_integer((json_int_t)min) : json_real(min));
    if (key->max == SIM_KEY_UNBOUNDED) {
        return;
    }
    if (key->type == SIM_KEY_INT) {
        json_object_set_new(
            obj, "maximum",
            json_integer(key->max >= SIM_KEY_INT64_MAX ? INT64_MAX : (json_int_t)max));
    } else {
        json_object_set_new(obj, "maximum", json_real(max));
    }
}

static json_t *key_json(const SimKey *key, const char *path)
{
    g_autofree char *range = sim_key_range(key);
    json_t *obj =
        json_pack("{s:s, s:s, s:o, s:s, s:b, s:s}", "path", path, "type",
                  sim_key_type_to_string(key->type), "json_types", json_types(key), "range", range,
                  "required", (key->flags & SIM_KEY_REQUIRED) != 0, "description", key->doc);
    json_t *def = sim_key_default_json(key);
    if (def != NULL) {
        json_object_set_new(obj, "default", def);
    }
    if (key->unit != NULL) {
        json_object_set_new(obj, "unit", json_string(key->unit));
    }
    if (key->words != NULL) {
        json_t *words = json_array();
        for (guint i = 0; i < sim_key_n_words(key); i++) {
            json_array_append_new(words, json_string(key->words[i]));
        }
        json_object_set_new(obj, key->type == SIM_KEY_ENUM ? "values" : "words", words);
    }
    json_bounds(key, obj);
    return obj;
}

/* A setting's default as a scenario writes it: "512MiB", "10s", "20%", 4, true. */
static json_t *param_default(const PolicyParam *p)
{
    char *text = NULL;
    switch (p->kind) {
    case POLICY_PARAM_SIZE:
        text = sim_units_format_bytes((uint64_t)p->def);
        break;
    case POLICY_PARAM_DURATION:
        text = sim_units_format_duration((SimTime)p->def);
        break;
    case POLICY_PARAM_PERCENT:
        text = sim_units_format_percent(p->def);
        break;
    case POLICY_PARAM_BOOL:
        return json_boolean(p->def != 0.0);
    default:
        return fabs(p->def) < 0x1p53 && p->def == floor(p->def) ? json_integer((json_int_t)p->def)
                                                                : json_real(p->def);
    }
    json_t *v = json_string(text);
    g_free(text);
    return v;
}

/* A bound of a setting as text, in its kind's unit. */
static char *param_bound(const PolicyParam *p, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    switch (p->kind) {
    case POLICY_PARAM_SIZE:
        return sim_units_format_bytes((uint64_t)v);
    case POLICY_PARAM_DURATION:
        return sim_units_format_duration((SimTime)v);
    case POLICY_PARAM_PERCENT:
        return sim_units_format_percent(v);
    default:
        return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.10g", v));
    }
}

/* "512MiB..16GiB", "1s..1h", "0%..50%", "[0, 4]", ">= 1", "true|false". */
static char *param_range(const PolicyParam *p, bool unbounded)
{
    g_autofree char *min = param_bound(p, p->min);
    g_autofree char *max = unbounded ? NULL : param_bound(p, p->max);
    if (p->kind == POLICY_PARAM_BOOL) {
        return g_strdup("true|false");
    }
    if (unbounded) {
        return g_strdup_printf(">= %s", min);
    }
    if (p->kind == POLICY_PARAM_NUMBER) {
        return g_strdup_printf("[%s, %s]", min, max);
    }
    return g_strdup_printf("%s..%s", min, max);
}

/*
 * One row of `keys` for a setting of a built-in policy: path
 * host.policy.NAME, "policy" the class, the description prefixed with it
 * (two policies may have a setting of the same name).
 */
static json_t *param_json(const PolicyClass *cls, const PolicyParam *p, const char *parent)
{
    static const SimKeyType types[] = {[POLICY_PARAM_NUMBER] = SIM_KEY_NUMBER,
                                       [POLICY_PARAM_SIZE] = SIM_KEY_SIZE,
                                       [POLICY_PARAM_DURATION] = SIM_KEY_DURATION,
                                       [POLICY_PARAM_PERCENT] = SIM_KEY_PERCENT,
                                       [POLICY_PARAM_BOOL] = SIM_KEY_BOOL};
    bool unbounded = isinf(p->max) || p->max >= SIM_KEY_UNBOUNDED;
    SimKey row = {.name = p->name,
                  .type = types[p->kind],
                  .min = p->min,
                  .max = unbounded ? SIM_KEY_UNBOUNDED : p->max};
    g_autofree char *path = g_strconcat(parent, ".", p->name, NULL);
    g_autofree char *range = param_range(p, unbounded);
    g_autofree char *doc = g_strdup_printf("Setting of policy %s: %s", cls->name, p->doc);
    json_t *obj =
        json_pack("{s:s, s:s, s:s, s:o, s:s, s:b, s:s, s:o}", "path", path, "policy", cls->name,
                  "type", sim_key_type_to_string(row.type), "json_types", json_types(&row), "range",
                  range, "required", false, "description", doc, "default", param_default(p));
    json_bounds(&row, obj);
    return obj;
}

/* The settings of every built-in policy, under host.policy (SIM_KEY_POLICY). */
static void collect_params(const char *parent, json_t *out)
{
    for (const PolicyClass *const *cls = policy_builtins(); *cls != NULL; cls++) {
        for (guint i = 0; i < (*cls)->n_params; i++) {
            json_array_append_new(out, param_json(*cls, &(*cls)->params[i], parent));
        }
    }
}

/* Appends every key under `members` to `out` (depth first, in table order). */
static void collect(const SimKey *members, const char *parent, json_t *out)
{
    for (const SimKey *k = members; k->name != NULL; k++) {
        g_autofree char *path =
            parent[0] != '\0' ? g_strconcat(parent, ".", k->name, NULL) : g_strdup(k->name);
        json_array_append_new(out, key_json(k, path));
        if (k->members == NULL) {
            continue;
        }
        const char *suffix = k->type == SIM_KEY_ARRAY ? "[]" : k->type == SIM_KEY_MAP ? ".*" : "";
        g_autofree char *child = g_strconcat(path, suffix, NULL);
        collect(k->members, child, out);
        if ((k->flags & SIM_KEY_POLICY) != 0) {
            collect_params(child, out);
        }
    }
}

/* One row of the plain list, its columns padded to `width`. */
static void append_row(GString *out, const char *const cells[5], const int width[4])
{
    g_string_append_printf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", width[0], cells[0], width[1],
                           cells[1], width[2], cells[2], width[3], cells[3], cells[4]);
}

/* The default as the list shows it: its JSON text, "required" or "-". */
static char *default_text(json_t *row)
{
    json_t *def = json_object_get(row, "default");
    if (def != NULL) {
        char *dumped = json_dumps(def, JSON_ENCODE_ANY | JSON_COMPACT);
        char *text = g_strdup(dumped);
        free(dumped);
        return text;
    }
    return g_strdup(json_is_true(json_object_get(row, "required")) ? "required" : "-");
}

static char *plain_list(json_t *rows)
{
    int width[4] = {3, 4, 7, 5};
    GPtrArray *defs = g_ptr_array_new_with_free_func(g_free);
    size_t i = 0;
    json_t *row = NULL;
    json_array_foreach(rows, i, row)
    {
        g_ptr_array_add(defs, default_text(row));
        width[0] = MAX(width[0], (int)strlen(json_string_value(json_object_get(row, "path"))));
        width[1] = MAX(width[1], (int)strlen(json_string_value(json_object_get(row, "type"))));
        width[2] = MAX(width[2], (int)strlen(defs->pdata[i]));
        width[3] = MAX(width[3], (int)strlen(json_string_value(json_object_get(row, "range"))));
    }
    GString *out = g_string_new(NULL);
    append_row(out, (const char *const[]){"KEY", "TYPE", "DEFAULT", "RANGE", "DESCRIPTION"}, width);
    json_array_foreach(rows, i, row)
    {
        const char *unit = json_string_value(json_object_get(row, "unit"));
        g_autofree char *doc = g_strdup_printf(
            "%s%s%s%s", unit != NULL ? "(" : "", unit != NULL ? unit : "", unit != NULL ? ") " : "",
            json_string_value(json_object_get(row, "description")));
        const char *cells[5] = {json_string_value(json_object_get(row, "path")),
                                json_string_value(json_object_get(row, "type")), defs->pdata[i],
                                json_string_value(json_object_get(row, "range")), doc};
        append_row(out, cells, width);
    }
    g_ptr_array_unref(defs);
    return g_string_free(out, FALSE);
}

char *sim_keys_describe(bool json)
{
    json_t *rows = json_array();
    collect(sim_keys_top(), "", rows);
    char *text = NULL;
    if (json) {
        char *dumped = json_dumps(rows, JSON_INDENT(1) | JSON_ENSURE_ASCII);
        text = g_strconcat(dumped, "\n", NULL);
        free(dumped);
    } else {
        text = plain_list(rows);
    }
    json_decref(rows);
    return text;
}
