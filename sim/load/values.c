/*
 * Scopes and typed getters: a key's value from the scenario (a VM, then its
 * template) or else its row's default (sim/load/keys.c), parsed and checked
 * against the row's range by the same code either way.
 */
#include <string.h>

#include "sim/load/loader-private.h"
#include "sim/units.h"

/* VMs. */
#define SHARES_LOW 5 /* per configured MiB, as vSphere */

#define SHARES_NORMAL 10 /* per configured MiB ("normal", default) */

#define SHARES_HIGH 20 /* per configured MiB */

/* The members of the group `name` of `members` (a key of an OBJECT, ARRAY or MAP row). */
const SimKey *sim_load_group(const SimKey *members, const char *name)
{
    const SimKey *row = sim_key_find(members, name);
    g_assert(row != NULL && row->members != NULL);
    return row->members;
}

Scope sim_load_scope_one(json_t *obj, const char *ptr, const SimKey *keys)
{
    return (Scope){{obj, NULL}, {ptr, NULL}, keys};
}

/* The value of `key` from the first layer that has it (and its pointer), or NULL. */
json_t *sim_load_scope_get(Loader *ld, const Scope *s, const char *key, const char **ptr)
{
    for (int i = 0; i < 2; i++) {
        json_t *v = s->obj[i] != NULL ? json_object_get(s->obj[i], key) : NULL;
        if (v != NULL) {
            *ptr = sim_load_ptr_key(ld, s->ptr[i], key);
            g_hash_table_add(ld->given, g_strdup(*ptr));
            return v;
        }
    }
    *ptr = sim_load_ptr_key(ld, s->ptr[0], key);
    return NULL;
}

/* The member objects `key` of each layer, merged member by member by later lookups. */
bool sim_load_scope_child(Loader *ld, const Scope *s, const char *key, Scope *child)
{
    *child = (Scope){{NULL, NULL}, {NULL, NULL}, sim_load_group(s->keys, key)};
    for (int i = 0; i < 2; i++) {
        if (s->ptr[i] == NULL) {
            continue;
        }
        child->ptr[i] = sim_load_ptr_key(ld, s->ptr[i], key);
        json_t *v = s->obj[i] != NULL ? json_object_get(s->obj[i], key) : NULL;
        if (v != NULL && !json_is_object(v)) {
            return sim_load_type_error(ld, child->ptr[i], v, "an object");
        }
        child->obj[i] = v;
    }
    return true;
}

/* The row of `key` in the scope's group: every key the loader reads has one. */
const SimKey *sim_load_row_of(const Scope *s, const char *key)
{
    const SimKey *row = sim_key_find(s->keys, key);
    g_assert(row != NULL);
    return row;
}

/* The row's default as a JSON value, parsed once per load; NULL when it has none. */
static json_t *default_of(Loader *ld, const SimKey *row)
{
    json_t *v = g_hash_table_lookup(ld->defaults, row);
    if (v == NULL && row->def != NULL) {
        v = sim_key_default_json(row);
        g_hash_table_insert(ld->defaults, (gpointer)row, v);
    }
    return v;
}

/*
 * The value of `key`: the scenario's, or else its row's default, read by the
 * same parsers; NULL when the row has no default. `*given` says which.
 */
json_t *sim_load_value_of(Loader *ld, const Scope *s, const SimKey *row, const char **ptr,
                          bool *given)
{
    json_t *v = sim_load_scope_get(ld, s, row->name, ptr);
    *given = v != NULL;
    return v != NULL ? v : default_of(ld, row);
}

static void set_at(const char **at, const char *ptr)
{
    if (at != NULL) {
        *at = ptr;
    }
}

bool sim_load_parse_size(Loader *ld, const json_t *v, const char *ptr, const SimKey *row,
                         uint64_t *out)
{
    g_autoptr(GError) e = NULL;
    bool ok = false;
    if (json_is_string(v)) {
        ok = sim_units_parse_size(json_string_value(v), out, &e);
    } else if (json_is_integer(v)) {
        ok = sim_units_size_from_mib(json_integer_value(v), out, &e);
    } else {
        return sim_load_type_error(ld, ptr, v, EXPECT_SIZE);
    }
    if (!ok) {
        return sim_load_rethrow(ld, ptr, e);
    }
    if ((row->flags & SIM_KEY_NONZERO) != 0 && *out == 0) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "%s must be greater than 0", row->name);
    }
    return true;
}

/* A size; `*at` is where the scenario gave it, NULL for the default. */
bool sim_load_get_size(Loader *ld, const Scope *s, const char *key, uint64_t *out, const char **at)
{
    const SimKey *row = sim_load_row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = sim_load_value_of(ld, s, row, &ptr, &given);
    set_at(at, given ? ptr : NULL);
    *out = 0;
    return v == NULL || sim_load_parse_size(ld, v, ptr, row, out);
}

static bool check_period(Loader *ld, const SimKey *row, const char *ptr, SimTime t)
{
    if ((row->flags & SIM_KEY_NONZERO) != 0 && t == 0) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "%s must be greater than 0", row->name);
    }
    if ((row->flags & SIM_KEY_PERIOD) != 0 &&
        (t < SIM_SCENARIO_MIN_PERIOD || t > SIM_SCENARIO_MAX_TIME)) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "%s must be at %s (got %s)", row->name,
                             t < SIM_SCENARIO_MIN_PERIOD ? "least 1ms" : "most 36500d",
                             sim_load_keep(ld, sim_units_format_duration(t)));
    }
    return true;
}

bool sim_load_get_duration(Loader *ld, const Scope *s, const char *key, SimTime *out)
{
    const SimKey *row = sim_load_row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = sim_load_value_of(ld, s, row, &ptr, &given);
    g_autoptr(GError) e = NULL;
    *out = 0;
    if (v == NULL) {
        return true;
    }
    if (!json_is_string(v)) {
        return sim_load_type_error(ld, ptr, v, EXPECT_DURATION);
    }
    g_autofree char *odd = NULL;
    if (!sim_units_parse_duration_odd(json_string_value(v), out, &odd, &e)) {
        return sim_load_rethrow(ld, ptr, e);
    }
    if (odd != NULL) {
        sim_load_warn_at(ld, ptr, "%s", odd);
    }
    return check_period(ld, row, ptr, *out);
}

/* An event rate: "20000/s" or a JSON number per second. */
bool sim_load_get_rate(Loader *ld, const Scope *s, const char *key, double *out)
{
    const SimKey *row = sim_load_row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = sim_load_value_of(ld, s, row, &ptr, &given);
    g_autoptr(GError) e = NULL;
    *out = 0;
    if (v == NULL) {
        return true;
    }
    if (json_is_number(v)) {
        *out = json_number_value(v);
        if (*out < 0) {
            return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "%s must not be negative (got %s)", key,
                                 sim_load_fmt_num(ld, *out));
        }
        return true;
    }
    if (!json_is_string(v)) {
        return sim_load_type_error(ld, ptr, v, EXPECT_RATE);
    }
    return sim_units_parse_rate(json_string_value(v), out, &e) || sim_load_rethrow(ld, ptr, e);
}

bool sim_load_get_byte_rate(Loader *ld, const Scope *s, const char *key, double *out)
{
    const SimKey *row = sim_load_row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = sim_load_value_of(ld, s, row, &ptr, &given);
    g_autoptr(GError) e = NULL;
    *out = 0;
    if (v == NULL) {
        return true;
    }
    if (!json_is_string(v)) {
        return sim_load_type_error(ld, ptr, v, EXPECT_BYTE_RATE);
    }
    if (!sim_units_parse_byte_rate(json_string_value(v), out, &e)) {
        return sim_load_rethrow(ld, ptr, e);
    }
    if ((row->flags & SIM_KEY_NONZERO) != 0 && *out <= 0) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "%s must be greater than 0", key);
    }
    return true;
}

/* A percentage, as a fraction in [0, the row's max]. */
bool sim_load_get_percent(Loader *ld, const Scope *s, const char *key, double *out)
{
    const SimKey *row = sim_load_row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = sim_load_value_of(ld, s, row, &ptr, &given);
    g_autoptr(GError) e = NULL;
    *out = 0;
    if (v == NULL) {
        return true;
    }
    if (json_is_number(v)) {
        *out = json_number_value(v) / 100.0;
        if (*out < 0) {
            return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "%s must not be negative (got %s)", key,
                                 sim_load_fmt_pct(ld, *out));
        }
    } else if (!json_is_string(v)) {
        return sim_load_type_error(ld, ptr, v, EXPECT_PERCENT);
    } else if (!sim_units_parse_percent(json_string_value(v), out, &e)) {
        return sim_load_rethrow(ld, ptr, e);
    }
    if (*out > row->max) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "%s must be at most %s (got %s)", key,
                             sim_load_fmt_pct(ld, row->max), sim_load_fmt_pct(ld, *out));
    }
    return true;
}

/* A plain number in the row's [min, max] ((min, max] with SIM_KEY_OPEN_MIN). */
bool sim_load_get_number(Loader *ld, const Scope *s, const char *key, double *out)
{
    const SimKey *row = sim_load_row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = sim_load_value_of(ld, s, row, &ptr, &given);
    bool open_min = (row->flags & SIM_KEY_OPEN_MIN) != 0;
    *out = 0;
    if (v == NULL) {
        return true;
    }
    if (!json_is_number(v)) {
        return sim_load_type_error(ld, ptr, v, "a number");
    }
    *out = json_number_value(v);
    if (*out < row->min || (open_min && *out == row->min) || *out > row->max) {
        if (row->max == SIM_KEY_UNBOUNDED) {
            return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "%s must be greater than %s%s (got %s)",
                                 key, open_min ? "" : "or equal to ",
                                 sim_load_fmt_num(ld, row->min), sim_load_fmt_num(ld, *out));
        }
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr, "%s must be in %s%s, %s] (got %s)", key,
                             open_min ? "(" : "[", sim_load_fmt_num(ld, row->min),
                             sim_load_fmt_num(ld, row->max), sim_load_fmt_num(ld, *out));
    }
    return true;
}

/* An INT row's bounds as integers (SIM_KEY_UNBOUNDED and SIM_KEY_INT64_MAX: INT64_MAX). */
static void int_bounds(const SimKey *row, int64_t *min, int64_t *max)
{
    *min = (int64_t)row->min;
    *max = row->max >= SIM_KEY_INT64_MAX ? INT64_MAX : (int64_t)row->max;
}

/* An integer in the row's min..max. */
static bool parse_int(Loader *ld, const json_t *v, const char *ptr, const SimKey *row, int64_t *out)
{
    int64_t min = 0;
    int64_t max = 0;
    int_bounds(row, &min, &max);
    if (!json_is_integer(v)) {
        return sim_load_type_error(ld, ptr, v, "an integer");
    }
    *out = json_integer_value(v);
    if (*out < min || *out > max) {
        if (max == INT64_MAX) {
            return sim_load_fail(ld, SIM_ERROR_RANGE, ptr,
                                 "%s must be at least %" G_GINT64_FORMAT " (got %" G_GINT64_FORMAT
                                 ")",
                                 row->name, min, *out);
        }
        return sim_load_fail(ld, SIM_ERROR_RANGE, ptr,
                             "%s must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT
                             " (got %" G_GINT64_FORMAT ")",
                             row->name, min, max, *out);
    }
    return true;
}

bool sim_load_get_int(Loader *ld, const Scope *s, const char *key, int64_t *out)
{
    const SimKey *row = sim_load_row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = sim_load_value_of(ld, s, row, &ptr, &given);
    *out = 0;
    return v == NULL || parse_int(ld, v, ptr, row, out);
}

/* An INT row whose max is at most UINT32_MAX. */
bool sim_load_get_u32(Loader *ld, const Scope *s, const char *key, uint32_t *out)
{
    int64_t v = 0;
    g_assert(sim_load_row_of(s, key)->max <= UINT32_MAX);
    if (!sim_load_get_int(ld, s, key, &v)) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

bool sim_load_get_bool(Loader *ld, const Scope *s, const char *key, bool *out)
{
    const char *ptr = NULL;
    bool given = false;
    json_t *v = sim_load_value_of(ld, s, sim_load_row_of(s, key), &ptr, &given);
    *out = false;
    if (v == NULL) {
        return true;
    }
    if (!json_is_boolean(v)) {
        return sim_load_type_error(ld, ptr, v, "true or false");
    }
    *out = json_is_true(v);
    return true;
}

/*
 * A string (copied into *out) or, for a SIM_KEY_NULLABLE row, null (*out =
 * NULL); NULL too when absent without a default. `*at` as get_size's.
 */
bool sim_load_get_string(Loader *ld, const Scope *s, const char *key, char **out, const char **at)
{
    const SimKey *row = sim_load_row_of(s, key);
    bool nullable = (row->flags & SIM_KEY_NULLABLE) != 0;
    const char *ptr = NULL;
    bool given = false;
    json_t *v = sim_load_value_of(ld, s, row, &ptr, &given);
    set_at(at, given ? ptr : NULL);
    *out = NULL;
    if (v == NULL || (nullable && json_is_null(v))) {
        return true;
    }
    if (!json_is_string(v)) {
        return sim_load_type_error(ld, ptr, v, nullable ? "a string or null" : "a string");
    }
    *out = g_strdup(json_string_value(v));
    return true;
}

/* One of the ENUM row's values (its index in *out; -1 when absent without a default). */
bool sim_load_get_enum(Loader *ld, const Scope *s, const char *key, int *out)
{
    const SimKey *row = sim_load_row_of(s, key);
    guint n = sim_key_n_words(row);
    g_autofree char *text = NULL;
    const char *ptr = NULL;
    g_assert(row->type == SIM_KEY_ENUM);
    if (!sim_load_get_string(ld, s, key, &text, &ptr)) {
        return false;
    }
    *out = -1;
    for (guint i = 0; text != NULL && i < n; i++) {
        if (strcmp(text, row->words[i]) == 0) {
            *out = (int)i;
            return true;
        }
    }
    return text == NULL || sim_load_unknown_name(ld, ptr, key, text, row->words, n, "valid values");
}

/* A limit: "unlimited" or a size >= reservation; above memory means no limit. */
bool sim_load_parse_limit(Loader *ld, const SimKey *row, const json_t *v, const char *ptr,
                          uint64_t memory, uint64_t *out)
{
    if (json_is_string(v) && strcmp(json_string_value(v), "unlimited") == 0) {
        *out = SIM_SIZE_UNLIMITED;
        return true;
    }
    if (!json_is_string(v) && !json_is_integer(v)) {
        return sim_load_type_error(ld, ptr, v, "\"unlimited\" or " EXPECT_SIZE);
    }
    if (json_is_string(v) && strpbrk(json_string_value(v), "0123456789") == NULL) {
        /* A word, not a size: most likely a misspelt "unlimited". */
        return sim_load_fail(ld, SIM_ERROR_VALUE, ptr,
                             "limit must be \"unlimited\" or a size like \"4GiB\" (got \"%s\")",
                             sim_load_quote(ld, json_string_value(v)));
    }
    if (!sim_load_parse_size(ld, v, ptr, row, out)) {
        return false;
    }
    if (*out > memory) {
        *out = SIM_SIZE_UNLIMITED;
    }
    return true;
}

/* Shares: low/normal/high per configured MiB (vSphere), or an integer > 0. */
bool sim_load_parse_shares(Loader *ld, const SimKey *row, const json_t *v, const char *ptr,
                           uint64_t memory, uint64_t *out)
{
    const char *const *levels = row->words; /* low, normal, high */
    static const uint64_t per_mib[] = {SHARES_LOW, SHARES_NORMAL, SHARES_HIGH};
    g_assert(sim_key_n_words(row) == G_N_ELEMENTS(per_mib));
    if (json_is_integer(v)) {
        if (json_integer_value(v) <= 0) {
            return sim_load_fail(ld, SIM_ERROR_RANGE, ptr,
                                 "shares must be greater than 0 (got %" JSON_INTEGER_FORMAT ")",
                                 json_integer_value(v));
        }
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    if (!json_is_string(v)) {
        return sim_load_type_error(ld, ptr, v, "\"low\", \"normal\", \"high\" or an integer");
    }
    for (guint i = 0; i < G_N_ELEMENTS(per_mib); i++) {
        if (strcmp(json_string_value(v), levels[i]) == 0) {
            *out = MAX(UINT64_C(1), memory / SIM_MIB) * per_mib[i];
            return true;
        }
    }
    return sim_load_fail(
        ld, SIM_ERROR_VALUE, ptr,
        "unknown shares level \"%s\"%s; valid values: low, normal, high, or an integer > 0",
        sim_load_quote(ld, json_string_value(v)),
        sim_load_hint(ld, json_string_value(v), levels, 3));
}
