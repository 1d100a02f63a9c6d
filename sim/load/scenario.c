/*
 * Scenario loading and validation (docs/design.md section 3).
 *
 * Every key, its type, default and range is a row of the key tables
 * (sim/load/keys.c): the getters below take the default and the range from
 * the row, so a key's numbers live there only; the checks that involve
 * several keys stay here, after the generic step.
 *
 * Templates merge recursively without copying: a VM's value is looked up in
 * the VM first, then in its template (objects member by member), so every
 * value keeps its own JSON pointer and errors point at the template's text
 * when the value came from there.
 */
#include "sim/load/scenario.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "sim/error.h"
#include "sim/load/keys.h"
#include "sim/load/readfile.h"
#include "sim/run/recorder.h"
#include "sim/srcloc.h"
#include "sim/load/trace.h"
#include "sim/units.h"

extern const char sim_default_scenario_json[];

/* The two page sizes of the model (host.page_size). */
#define SMALL_PAGE_SIZE (4 * SIM_KIB) /* "4KiB" */
#define LARGE_PAGE_SIZE (2 * SIM_MIB) /* "2MiB" */
/* VMs. */
#define SHARES_LOW 5                         /* per configured MiB, as vSphere */
#define SHARES_NORMAL 10                     /* per configured MiB ("normal", default) */
#define SHARES_HIGH 20                       /* per configured MiB */

#define EXPECT_SIZE "a size string like \"4GiB\" or an integer number of MiB"
#define EXPECT_DURATION "a duration string like \"90s\""
#define EXPECT_RATE "a rate like \"20000/s\" or a number per second"
#define EXPECT_BYTE_RATE "a byte rate like \"200MiB/s\""
#define EXPECT_PERCENT "a percentage like \"65%\" or a number of percent"

/* ---- loader state, errors and positions ---- */

typedef struct Override {
    char *pointer; /* the highest node the override replaced or created */
    char *arg;     /* "KEY=VALUE" as given */
} Override;

typedef struct Loader {
    const char *path;     /* as given, for messages */
    SimSrcLoc *loc;       /* the text, for line:col */
    GPtrArray *overrides; /* Override *, in command-line order */
    GPtrArray *pool;      /* strings (JSON pointers, quoted text) freed with the loader */
    json_t *templates;    /* the "templates" object, or NULL */
    GPtrArray *warnings;  /* the scenario's: char *, one line each */
    GHashTable *warned;   /* lines already in `warnings` (a template's value is read per VM) */
    GHashTable *vm_index; /* expanded VM name -> index + 1 into the scenario's vms */
    GHashTable *given;    /* the scenario's `given`: pointers of the values read from the text */
    GHashTable *defaults; /* const SimKey * -> json_t *: each row's default, parsed once */
    double pages;         /* configured pages of the VMs loaded so far */
    double phases;        /* their workload phases */
    double vms;           /* and their number */
    uint64_t page_size;   /* the host's, once loaded */
    SimTime duration;     /* of the run, once loaded */
    int64_t count;        /* `count` of the VM entry being loaded */
    GError **error;
} Loader;

/* A VM's object and its template's: lookups try them in order. */
typedef struct Scope {
    json_t *obj[2];     /* NULL when absent */
    const char *ptr[2]; /* their pointers; ptr[0] is always set, for messages */
    const SimKey *keys; /* the rows of the object's key group (sim/load/keys.h) */
} Scope;

static const char *keep(Loader *ld, char *s)
{
    g_ptr_array_add(ld->pool, s);
    return s;
}

/* parent + "/" + key, escaped as RFC 6901 says (~ is ~0, / is ~1). */
static const char *ptr_key(Loader *ld, const char *parent, const char *key)
{
    GString *out = g_string_new(parent);
    g_string_append_c(out, '/');
    for (const char *c = key; *c != '\0'; c++) {
        if (*c == '~' || *c == '/') {
            g_string_append(out, *c == '~' ? "~0" : "~1");
        } else {
            g_string_append_c(out, *c);
        }
    }
    return keep(ld, g_string_free(out, FALSE));
}

static const char *ptr_index(Loader *ld, const char *parent, size_t i)
{
    return keep(ld, g_strdup_printf("%s/%zu", parent, i));
}

/*
 * User text for a one-line message: quotes, backslashes and control
 * characters escaped as in JSON, UTF-8 kept as it is (g_strescape would turn
 * it into octal escapes).
 */
static const char *quote(Loader *ld, const char *s)
{
    GString *out = g_string_new(NULL);
    for (const char *c = s; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\') {
            g_string_append_printf(out, "\\%c", *c);
        } else if ((unsigned char)*c < 0x20) {
            g_string_append_printf(out, "\\u%04x", (unsigned)(unsigned char)*c);
        } else {
            g_string_append_c(out, *c);
        }
    }
    return keep(ld, g_string_free(out, FALSE));
}

static const char *fmt_bytes(Loader *ld, uint64_t bytes)
{
    return keep(ld, sim_units_format_bytes(bytes));
}

static const char *fmt_pct(Loader *ld, double fraction)
{
    return keep(ld, sim_units_format_percent(fraction));
}

static const char *fmt_num(Loader *ld, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    return keep(ld, g_strdup(g_ascii_formatd(buf, sizeof buf, "%g", v)));
}

/* The last override whose subtree holds `ptr`, or NULL. */
static const Override *override_for(const Loader *ld, const char *ptr)
{
    for (guint i = ld->overrides->len; i-- > 0;) {
        const Override *o = g_ptr_array_index(ld->overrides, i);
        size_t n = strlen(o->pointer);
        if (strncmp(ptr, o->pointer, n) == 0 && (ptr[n] == '\0' || ptr[n] == '/')) {
            return o;
        }
    }
    return NULL;
}

/*
 * "FILE:LINE:COL" of what `ptr` names or, when the text does not have it (a
 * default), of its nearest enclosing value that exists; `*found` is that
 * value's pointer, for the "(at ...)" of the message.
 */
static char *locate(const Loader *ld, const char *ptr, SimSrcLocTarget target, char **found)
{
    const Override *o = override_for(ld, ptr);
    *found = g_strdup(ptr);
    if (o != NULL) {
        return g_strdup_printf("--set %s", o->arg);
    }
    gsize offset = 0;
    while (!sim_srcloc_find(ld->loc, *found, target, &offset)) {
        char *slash = strrchr(*found, '/');
        if (slash == NULL) {
            offset = 0;
            break;
        }
        *slash = '\0';
        target = SIM_SRCLOC_VALUE;
    }
    guint line = 0;
    guint col = 0;
    sim_srcloc_line_col(ld->loc, offset, &line, &col);
    return g_strdup_printf("%s:%u:%u", ld->path, line, col);
}

/*
 * Sets the one error of the load, placed at `ptr`; always returns false. A
 * NULL `ptr` (a value that came from a default, with no place of its own)
 * is a bug of the caller, which must pass the enclosing object instead; it
 * still gets a location, the document's start, rather than a crash.
 */
G_GNUC_PRINTF(5, 6)
static bool fail_at(Loader *ld, SimErrorCode code, const char *ptr, SimSrcLocTarget target,
                    const char *fmt, ...)
{
    if (ld->error == NULL || *ld->error != NULL) {
        return false;
    }
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *found = NULL;
    g_autofree char *where = locate(ld, ptr != NULL ? ptr : "", target, &found);
    g_set_error(ld->error, SIM_ERROR, (gint)code, "%s: error: %s (at %s)", where, msg,
                found[0] != '\0' ? found : "/");
    return false;
}

#define fail(ld, code, ptr, ...) fail_at((ld), (code), (ptr), SIM_SRCLOC_VALUE, __VA_ARGS__)

/* Adds a warning about an accepted but odd value at `ptr`, located as errors are. */
G_GNUC_PRINTF(3, 4)
static void warn_at(Loader *ld, const char *ptr, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *found = NULL;
    g_autofree char *where = locate(ld, ptr, SIM_SRCLOC_VALUE, &found);
    g_autofree char *line =
        g_strdup_printf("%s: %s (at %s)", where, msg, found[0] != '\0' ? found : "/");
    if (g_hash_table_add(ld->warned, g_strdup(line))) {
        g_ptr_array_add(ld->warnings, sim_error_one_line(line));
    }
}

static bool rethrow(Loader *ld, const char *ptr, const GError *e)
{
    return fail(ld, (SimErrorCode)e->code, ptr, "%s", e->message);
}

static const char *json_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        break;
    }
    return "null";
}

static bool type_error(Loader *ld, const char *ptr, const json_t *v, const char *expected)
{
    return fail(ld, SIM_ERROR_TYPE, ptr, "expected %s, got %s", expected, json_kind(v));
}

static bool missing(Loader *ld, const char *ptr, const char *key)
{
    return fail(ld, SIM_ERROR_VALUE, ptr, "missing required key \"%s\"", key);
}

/* ---- "did you mean" ---- */

/* Optimal string alignment distance (Levenshtein plus adjacent swaps), ASCII case folded. */
static guint edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    g_autofree guint *d = g_new(guint, (la + 1) * (lb + 1));
#define D(i, j) d[(i) * (lb + 1) + (j)]
    for (size_t i = 0; i <= la; i++) {
        for (size_t j = 0; j <= lb; j++) {
            if (i == 0 || j == 0) {
                D(i, j) = (guint)(i + j);
                continue;
            }
            guint cost = g_ascii_tolower(a[i - 1]) != g_ascii_tolower(b[j - 1]);
            guint best = MIN(MIN(D(i - 1, j) + 1, D(i, j - 1) + 1), D(i - 1, j - 1) + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                best = MIN(best, D(i - 2, j - 2) + 1);
            }
            D(i, j) = best;
        }
    }
    guint result = D(la, lb);
#undef D
    return result;
}

/* " (did you mean "x"?)" for the closest candidate if it is a likely typo, else "". */
static const char *hint(Loader *ld, const char *word, const char *const *candidates, guint n)
{
    size_t len = strlen(word);
    guint limit = len <= 3 ? 1 : len <= 8 ? 2 : 3;
    const char *best = NULL;
    guint best_d = limit + 1;
    for (guint i = 0; i < n; i++) {
        guint dist = edit_distance(word, candidates[i]);
        if (dist < best_d) {
            best = candidates[i];
            best_d = dist;
        }
    }
    if (best == NULL) {
        return "";
    }
    return keep(ld, g_strdup_printf(" (did you mean \"%s\"?)", quote(ld, best)));
}

/* "a, b, c" */
static const char *join(Loader *ld, const char *const *names, guint n)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        g_string_append_printf(out, "%s%s", i > 0 ? ", " : "", names[i]);
    }
    return keep(ld, g_string_free(out, FALSE));
}

static bool unknown_name(Loader *ld, const char *ptr, const char *what, const char *name,
                         const char *const *valid, guint n, const char *noun)
{
    return fail(ld, SIM_ERROR_VALUE, ptr, "unknown %s \"%s\"%s; %s: %s", what, quote(ld, name),
                hint(ld, name, valid, n), noun, join(ld, valid, n));
}

/* ---- known keys (sim/load/keys.c) ---- */

/* The members of the group `name` of `members` (a key of an OBJECT, ARRAY or MAP row). */
static const SimKey *group(const SimKey *members, const char *name)
{
    const SimKey *row = sim_key_find(members, name);
    g_assert(row != NULL && row->members != NULL);
    return row->members;
}

static bool unknown_key(Loader *ld, const char *ptr, const char *key, const SimKey *members)
{
    const char *names[64];
    guint n = 0;
    for (const SimKey *k = members; k->name != NULL && n < G_N_ELEMENTS(names); k++) {
        if (k->name[0] != '$') {
            names[n++] = k->name;
        }
    }
    return fail_at(ld, SIM_ERROR_UNKNOWN_KEY, ptr, SIM_SRCLOC_KEY, "unknown key \"%s\"%s",
                   quote(ld, key), hint(ld, key, names, n));
}

/*
 * Rejects keys the format does not have, in document order, at every level.
 * Values of the wrong type are left to the value checks that follow.
 */
static bool check_keys(Loader *ld, json_t *v, const char *ptr, SimKeyType kind,
                       const SimKey *members)
{
    const char *key = NULL;
    json_t *child = NULL;
    size_t i = 0;
    if (kind == SIM_KEY_ARRAY && json_is_array(v)) {
        json_array_foreach(v, i, child)
        {
            if (!check_keys(ld, child, ptr_index(ld, ptr, i), SIM_KEY_OBJECT, members)) {
                return false;
            }
        }
    } else if (kind == SIM_KEY_MAP && json_is_object(v)) {
        json_object_foreach(v, key, child)
        {
            if (!check_keys(ld, child, ptr_key(ld, ptr, key), SIM_KEY_OBJECT, members)) {
                return false;
            }
        }
    } else if (kind == SIM_KEY_OBJECT && json_is_object(v)) {
        json_object_foreach(v, key, child)
        {
            const SimKey *spec = sim_key_find(members, key);
            const char *cptr = ptr_key(ld, ptr, key);
            if (spec == NULL) {
                return unknown_key(ld, cptr, key, members);
            }
            if (spec->members != NULL && !check_keys(ld, child, cptr, spec->type, spec->members)) {
                return false;
            }
        }
    }
    return true;
}

/* ---- scopes and typed getters ---- */

static Scope scope_one(json_t *obj, const char *ptr, const SimKey *keys)
{
    return (Scope){{obj, NULL}, {ptr, NULL}, keys};
}

/* The value of `key` from the first layer that has it (and its pointer), or NULL. */
static json_t *scope_get(Loader *ld, const Scope *s, const char *key, const char **ptr)
{
    for (int i = 0; i < 2; i++) {
        json_t *v = s->obj[i] != NULL ? json_object_get(s->obj[i], key) : NULL;
        if (v != NULL) {
            *ptr = ptr_key(ld, s->ptr[i], key);
            g_hash_table_add(ld->given, g_strdup(*ptr));
            return v;
        }
    }
    *ptr = ptr_key(ld, s->ptr[0], key);
    return NULL;
}

/* The member objects `key` of each layer, merged member by member by later lookups. */
static bool scope_child(Loader *ld, const Scope *s, const char *key, Scope *child)
{
    *child = (Scope){{NULL, NULL}, {NULL, NULL}, group(s->keys, key)};
    for (int i = 0; i < 2; i++) {
        if (s->ptr[i] == NULL) {
            continue;
        }
        child->ptr[i] = ptr_key(ld, s->ptr[i], key);
        json_t *v = s->obj[i] != NULL ? json_object_get(s->obj[i], key) : NULL;
        if (v != NULL && !json_is_object(v)) {
            return type_error(ld, child->ptr[i], v, "an object");
        }
        child->obj[i] = v;
    }
    return true;
}

/* The row of `key` in the scope's group: every key the loader reads has one. */
static const SimKey *row_of(const Scope *s, const char *key)
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
static json_t *value_of(Loader *ld, const Scope *s, const SimKey *row, const char **ptr,
                        bool *given)
{
    json_t *v = scope_get(ld, s, row->name, ptr);
    *given = v != NULL;
    return v != NULL ? v : default_of(ld, row);
}

static void set_at(const char **at, const char *ptr)
{
    if (at != NULL) {
        *at = ptr;
    }
}

static bool parse_size(Loader *ld, const json_t *v, const char *ptr, const SimKey *row,
                       uint64_t *out)
{
    g_autoptr(GError) e = NULL;
    bool ok = false;
    if (json_is_string(v)) {
        ok = sim_units_parse_size(json_string_value(v), out, &e);
    } else if (json_is_integer(v)) {
        ok = sim_units_size_from_mib(json_integer_value(v), out, &e);
    } else {
        return type_error(ld, ptr, v, EXPECT_SIZE);
    }
    if (!ok) {
        return rethrow(ld, ptr, e);
    }
    if ((row->flags & SIM_KEY_NONZERO) != 0 && *out == 0) {
        return fail(ld, SIM_ERROR_RANGE, ptr, "%s must be greater than 0", row->name);
    }
    return true;
}

/* A size; `*at` is where the scenario gave it, NULL for the default. */
static bool get_size(Loader *ld, const Scope *s, const char *key, uint64_t *out, const char **at)
{
    const SimKey *row = row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = value_of(ld, s, row, &ptr, &given);
    set_at(at, given ? ptr : NULL);
    *out = 0;
    return v == NULL || parse_size(ld, v, ptr, row, out);
}

static bool check_period(Loader *ld, const SimKey *row, const char *ptr, SimTime t)
{
    if ((row->flags & SIM_KEY_NONZERO) != 0 && t == 0) {
        return fail(ld, SIM_ERROR_RANGE, ptr, "%s must be greater than 0", row->name);
    }
    if ((row->flags & SIM_KEY_PERIOD) != 0 &&
        (t < SIM_SCENARIO_MIN_PERIOD || t > SIM_SCENARIO_MAX_TIME)) {
        return fail(ld, SIM_ERROR_RANGE, ptr, "%s must be at %s (got %s)", row->name,
                    t < SIM_SCENARIO_MIN_PERIOD ? "least 1ms" : "most 36500d",
                    keep(ld, sim_units_format_duration(t)));
    }
    return true;
}

static bool get_duration(Loader *ld, const Scope *s, const char *key, SimTime *out)
{
    const SimKey *row = row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = value_of(ld, s, row, &ptr, &given);
    g_autoptr(GError) e = NULL;
    *out = 0;
    if (v == NULL) {
        return true;
    }
    if (!json_is_string(v)) {
        return type_error(ld, ptr, v, EXPECT_DURATION);
    }
    g_autofree char *odd = NULL;
    if (!sim_units_parse_duration_odd(json_string_value(v), out, &odd, &e)) {
        return rethrow(ld, ptr, e);
    }
    if (odd != NULL) {
        warn_at(ld, ptr, "%s", odd);
    }
    return check_period(ld, row, ptr, *out);
}

/* An event rate: "20000/s" or a JSON number per second. */
static bool get_rate(Loader *ld, const Scope *s, const char *key, double *out)
{
    const SimKey *row = row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = value_of(ld, s, row, &ptr, &given);
    g_autoptr(GError) e = NULL;
    *out = 0;
    if (v == NULL) {
        return true;
    }
    if (json_is_number(v)) {
        *out = json_number_value(v);
        if (*out < 0) {
            return fail(ld, SIM_ERROR_RANGE, ptr, "%s must not be negative (got %s)", key,
                        fmt_num(ld, *out));
        }
        return true;
    }
    if (!json_is_string(v)) {
        return type_error(ld, ptr, v, EXPECT_RATE);
    }
    return sim_units_parse_rate(json_string_value(v), out, &e) || rethrow(ld, ptr, e);
}

static bool get_byte_rate(Loader *ld, const Scope *s, const char *key, double *out)
{
    const SimKey *row = row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = value_of(ld, s, row, &ptr, &given);
    g_autoptr(GError) e = NULL;
    *out = 0;
    if (v == NULL) {
        return true;
    }
    if (!json_is_string(v)) {
        return type_error(ld, ptr, v, EXPECT_BYTE_RATE);
    }
    if (!sim_units_parse_byte_rate(json_string_value(v), out, &e)) {
        return rethrow(ld, ptr, e);
    }
    if ((row->flags & SIM_KEY_NONZERO) != 0 && *out <= 0) {
        return fail(ld, SIM_ERROR_RANGE, ptr, "%s must be greater than 0", key);
    }
    return true;
}

/* A percentage, as a fraction in [0, the row's max]. */
static bool get_percent(Loader *ld, const Scope *s, const char *key, double *out)
{
    const SimKey *row = row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = value_of(ld, s, row, &ptr, &given);
    g_autoptr(GError) e = NULL;
    *out = 0;
    if (v == NULL) {
        return true;
    }
    if (json_is_number(v)) {
        *out = json_number_value(v) / 100.0;
        if (*out < 0) {
            return fail(ld, SIM_ERROR_RANGE, ptr, "%s must not be negative (got %s)", key,
                        fmt_pct(ld, *out));
        }
    } else if (!json_is_string(v)) {
        return type_error(ld, ptr, v, EXPECT_PERCENT);
    } else if (!sim_units_parse_percent(json_string_value(v), out, &e)) {
        return rethrow(ld, ptr, e);
    }
    if (*out > row->max) {
        return fail(ld, SIM_ERROR_RANGE, ptr, "%s must be at most %s (got %s)", key,
                    fmt_pct(ld, row->max), fmt_pct(ld, *out));
    }
    return true;
}

/* A plain number in the row's [min, max] ((min, max] with SIM_KEY_OPEN_MIN). */
static bool get_number(Loader *ld, const Scope *s, const char *key, double *out)
{
    const SimKey *row = row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = value_of(ld, s, row, &ptr, &given);
    bool open_min = (row->flags & SIM_KEY_OPEN_MIN) != 0;
    *out = 0;
    if (v == NULL) {
        return true;
    }
    if (!json_is_number(v)) {
        return type_error(ld, ptr, v, "a number");
    }
    *out = json_number_value(v);
    if (*out < row->min || (open_min && *out == row->min) || *out > row->max) {
        if (row->max == SIM_KEY_UNBOUNDED) {
            return fail(ld, SIM_ERROR_RANGE, ptr, "%s must be greater than %s%s (got %s)", key,
                        open_min ? "" : "or equal to ", fmt_num(ld, row->min), fmt_num(ld, *out));
        }
        return fail(ld, SIM_ERROR_RANGE, ptr, "%s must be in %s%s, %s] (got %s)", key,
                    open_min ? "(" : "[", fmt_num(ld, row->min), fmt_num(ld, row->max),
                    fmt_num(ld, *out));
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
static bool parse_int(Loader *ld, const json_t *v, const char *ptr, const SimKey *row,
                      int64_t *out)
{
    int64_t min = 0;
    int64_t max = 0;
    int_bounds(row, &min, &max);
    if (!json_is_integer(v)) {
        return type_error(ld, ptr, v, "an integer");
    }
    *out = json_integer_value(v);
    if (*out < min || *out > max) {
        if (max == INT64_MAX) {
            return fail(ld, SIM_ERROR_RANGE, ptr,
                        "%s must be at least %" G_GINT64_FORMAT " (got %" G_GINT64_FORMAT ")",
                        row->name, min, *out);
        }
        return fail(ld, SIM_ERROR_RANGE, ptr,
                    "%s must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT
                    " (got %" G_GINT64_FORMAT ")",
                    row->name, min, max, *out);
    }
    return true;
}

static bool get_int(Loader *ld, const Scope *s, const char *key, int64_t *out)
{
    const SimKey *row = row_of(s, key);
    const char *ptr = NULL;
    bool given = false;
    json_t *v = value_of(ld, s, row, &ptr, &given);
    *out = 0;
    return v == NULL || parse_int(ld, v, ptr, row, out);
}

/* An INT row whose max is at most UINT32_MAX. */
static bool get_u32(Loader *ld, const Scope *s, const char *key, uint32_t *out)
{
    int64_t v = 0;
    g_assert(row_of(s, key)->max <= UINT32_MAX);
    if (!get_int(ld, s, key, &v)) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool get_bool(Loader *ld, const Scope *s, const char *key, bool *out)
{
    const char *ptr = NULL;
    bool given = false;
    json_t *v = value_of(ld, s, row_of(s, key), &ptr, &given);
    *out = false;
    if (v == NULL) {
        return true;
    }
    if (!json_is_boolean(v)) {
        return type_error(ld, ptr, v, "true or false");
    }
    *out = json_is_true(v);
    return true;
}

/*
 * A string (copied into *out) or, for a SIM_KEY_NULLABLE row, null (*out =
 * NULL); NULL too when absent without a default. `*at` as get_size's.
 */
static bool get_string(Loader *ld, const Scope *s, const char *key, char **out, const char **at)
{
    const SimKey *row = row_of(s, key);
    bool nullable = (row->flags & SIM_KEY_NULLABLE) != 0;
    const char *ptr = NULL;
    bool given = false;
    json_t *v = value_of(ld, s, row, &ptr, &given);
    set_at(at, given ? ptr : NULL);
    *out = NULL;
    if (v == NULL || (nullable && json_is_null(v))) {
        return true;
    }
    if (!json_is_string(v)) {
        return type_error(ld, ptr, v, nullable ? "a string or null" : "a string");
    }
    *out = g_strdup(json_string_value(v));
    return true;
}

/* One of the ENUM row's values (its index in *out; -1 when absent without a default). */
static bool get_enum(Loader *ld, const Scope *s, const char *key, int *out)
{
    const SimKey *row = row_of(s, key);
    guint n = sim_key_n_words(row);
    g_autofree char *text = NULL;
    const char *ptr = NULL;
    g_assert(row->type == SIM_KEY_ENUM);
    if (!get_string(ld, s, key, &text, &ptr)) {
        return false;
    }
    *out = -1;
    for (guint i = 0; text != NULL && i < n; i++) {
        if (strcmp(text, row->words[i]) == 0) {
            *out = (int)i;
            return true;
        }
    }
    return text == NULL || unknown_name(ld, ptr, key, text, row->words, n, "valid values");
}

/* ---- the host ---- */

static bool load_policy(Loader *ld, const Scope *s, SimHostConfig *h)
{
    const char *ptr = NULL;
    if (!get_string(ld, s, "policy", &h->policy, &ptr)) {
        return false;
    }
    if (policy_lookup(h->policy) != NULL) {
        return true;
    }
    const char *names[64];
    guint n = 0;
    for (const PolicyClass *const *p = policy_builtins(); *p != NULL && n < 64; p++) {
        names[n++] = (*p)->name;
    }
    return unknown_name(ld, ptr, "policy", h->policy, names, n, "known policies");
}

/* memory, page_size, min_free, overhead: the sizes that must fit each other. */
static bool load_host_memory(Loader *ld, const Scope *s, SimHostConfig *h)
{
    const char *mem_at = NULL;
    const char *ps_at = NULL;
    const char *ptr = NULL;
    if (scope_get(ld, s, "memory", &ptr) == NULL) {
        return missing(ld, s->ptr[0], "memory");
    }
    if (!get_size(ld, s, "memory", &h->memory, &mem_at) ||
        !get_size(ld, s, "page_size", &h->page_size, &ps_at)) {
        return false;
    }
    if (h->page_size != SMALL_PAGE_SIZE && h->page_size != LARGE_PAGE_SIZE) {
        return fail(ld, SIM_ERROR_RANGE, ps_at, "page_size must be 4KiB or 2MiB (got %s)",
                    fmt_bytes(ld, h->page_size));
    }
    if (h->memory < h->page_size) {
        return fail(ld, SIM_ERROR_RANGE, mem_at, "memory (%s) is smaller than one page (%s)",
                    fmt_bytes(ld, h->memory), fmt_bytes(ld, h->page_size));
    }
    h->memory -= h->memory % h->page_size; /* whole pages only */
    const SimKey *mf_row = row_of(s, "min_free");
    bool given = false;
    json_t *mf = value_of(ld, s, mf_row, &ptr, &given);
    if (!(json_is_string(mf) && strcmp(json_string_value(mf), "auto") == 0)) {
        if (!parse_size(ld, mf, ptr, mf_row, &h->min_free)) {
            return false;
        }
        if (h->min_free >= h->memory) {
            return fail(ld, SIM_ERROR_RANGE, ptr,
                        "min_free (%s) must be smaller than host memory (%s)",
                        fmt_bytes(ld, h->min_free), fmt_bytes(ld, h->memory));
        }
    }
    if (!get_size(ld, s, "overhead", &h->overhead, &ptr)) {
        return false;
    }
    if (h->overhead >= h->memory) {
        /* with the default overhead, the memory given is what is too small */
        return fail(ld, SIM_ERROR_RANGE, ptr != NULL ? ptr : mem_at,
                    "overhead (%s%s) must be smaller than host memory (%s)",
                    fmt_bytes(ld, h->overhead), ptr != NULL ? "" : " by default",
                    fmt_bytes(ld, h->memory));
    }
    return true;
}

static bool load_host_knobs(Loader *ld, const Scope *s, SimHostConfig *h)
{
    uint64_t base = 0;
    int reading = 0;
    int64_t pages = 0;
    bool ok =
        get_number(ld, s, "cpu_ghz", &h->cpu_ghz) &&
        get_size(ld, s, "vm_overhead_base", &base, NULL) &&
        get_percent(ld, s, "vm_overhead_pct", &h->vm_overhead_frac) && load_policy(ld, s, h) &&
        get_enum(ld, s, "state_reading", &reading) &&
        get_percent(ld, s, "state_hysteresis", &h->state_hysteresis) &&
        get_percent(ld, s, "idle_tax", &h->idle_tax) &&
        get_duration(ld, s, "balance_period", &h->balance_period) &&
        get_duration(ld, s, "sample_period", &h->sample_period) &&
        get_int(ld, s, "sample_pages", &pages) &&
        get_percent(ld, s, "ctl_max_pct", &h->ctl_max_pct);
    h->vm_overhead_base = (double)base;
    h->state_reading = (SimStateReading)reading;
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
    bool ok =
        scope_child(ld, s, "sharing", &sh) &&
        get_bool(ld, &sh, "enabled", &h->sharing.enabled) &&
        get_int(ld, &sh, "salting", &salting) &&
        get_duration(ld, &sh, "scan_time", &h->sharing.scan_time) &&
        get_rate(ld, &sh, "rate_max", &h->sharing.rate_max) &&
        get_byte_rate(ld, &sh, "scan_ghz", &h->sharing.scan_ghz) &&
        get_bool(ld, &sh, "large_pages", &h->sharing.large_pages) &&
        scope_child(ld, s, "compression", &zip) &&
        get_bool(ld, &zip, "enabled", &h->compression.enabled) &&
        get_percent(ld, &zip, "max_pct", &h->compression.max_pct) &&
        get_duration(ld, &zip, "latency", &h->compression.latency) &&
        scope_child(ld, s, "swap", &swap) &&
        get_duration(ld, &swap, "latency", &h->swap.latency) &&
        get_byte_rate(ld, &swap, "bandwidth", &h->swap.bandwidth) &&
        scope_child(ld, &swap, "cache", &cache) &&
        get_size(ld, &cache, "size", &h->swap.cache_size, NULL) &&
        get_duration(ld, &cache, "latency", &h->swap.cache_latency) &&
        get_byte_rate(ld, &cache, "bandwidth", &h->swap.cache_bandwidth);
    h->sharing.salting = (int)salting;
    return ok;
}

static bool load_host(Loader *ld, json_t *root, SimHostConfig *h)
{
    Scope top = scope_one(root, "", sim_keys_top());
    Scope s;
    if (!scope_child(ld, &top, "host", &s)) {
        return false;
    }
    if (s.obj[0] == NULL) {
        return missing(ld, "", "host");
    }
    bool ok =
        load_host_memory(ld, &s, h) && load_host_knobs(ld, &s, h) && load_host_parts(ld, &s, h);
    ld->page_size = h->page_size;
    return ok;
}

/* ---- VMs ---- */

/* Where the values a cross check needs came from; NULL = the default. */
typedef struct VmAt {
    const char *name;
    const char *memory;
    const char *reservation;
    const char *kernel;
} VmAt;

static void vm_clear(gpointer data)
{
    SimVmConfig *vm = data;
    g_clear_pointer(&vm->name, g_free);
    g_clear_pointer(&vm->pointer, g_free);
    g_clear_pointer(&vm->salt, g_free);
    g_clear_pointer(&vm->guest.image, g_free);
    g_clear_pointer(&vm->workload.phases, g_array_unref);
    g_clear_pointer(&vm->workload.trace, g_free);
}

/* A limit: "unlimited" or a size >= reservation; above memory means no limit. */
static bool parse_limit(Loader *ld, const SimKey *row, const json_t *v, const char *ptr,
                        uint64_t memory, uint64_t *out)
{
    if (json_is_string(v) && strcmp(json_string_value(v), "unlimited") == 0) {
        *out = SIM_SIZE_UNLIMITED;
        return true;
    }
    if (!json_is_string(v) && !json_is_integer(v)) {
        return type_error(ld, ptr, v, "\"unlimited\" or " EXPECT_SIZE);
    }
    if (json_is_string(v) && strpbrk(json_string_value(v), "0123456789") == NULL) {
        /* A word, not a size: most likely a misspelt "unlimited". */
        return fail(ld, SIM_ERROR_VALUE, ptr,
                    "limit must be \"unlimited\" or a size like \"4GiB\" (got \"%s\")",
                    quote(ld, json_string_value(v)));
    }
    if (!parse_size(ld, v, ptr, row, out)) {
        return false;
    }
    if (*out > memory) {
        *out = SIM_SIZE_UNLIMITED;
    }
    return true;
}

/* Shares: low/normal/high per configured MiB (vSphere), or an integer > 0. */
static bool parse_shares(Loader *ld, const SimKey *row, const json_t *v, const char *ptr,
                         uint64_t memory, uint64_t *out)
{
    const char *const *levels = row->words; /* low, normal, high */
    static const uint64_t per_mib[] = {SHARES_LOW, SHARES_NORMAL, SHARES_HIGH};
    g_assert(sim_key_n_words(row) == G_N_ELEMENTS(per_mib));
    if (json_is_integer(v)) {
        if (json_integer_value(v) <= 0) {
            return fail(ld, SIM_ERROR_RANGE, ptr,
                        "shares must be greater than 0 (got %" JSON_INTEGER_FORMAT ")",
                        json_integer_value(v));
        }
        *out = (uint64_t)json_integer_value(v);
        return true;
    }
    if (!json_is_string(v)) {
        return type_error(ld, ptr, v, "\"low\", \"normal\", \"high\" or an integer");
    }
    for (guint i = 0; i < G_N_ELEMENTS(per_mib); i++) {
        if (strcmp(json_string_value(v), levels[i]) == 0) {
            *out = MAX(UINT64_C(1), memory / SIM_MIB) * per_mib[i];
            return true;
        }
    }
    return fail(ld, SIM_ERROR_VALUE, ptr,
                "unknown shares level \"%s\"%s; valid values: low, normal, high, or an integer > 0",
                quote(ld, json_string_value(v)), hint(ld, json_string_value(v), levels, 3));
}

/*
 * Names end up in CSV cells and esxtop headers: control characters (C0,
 * DEL, C1), '"' and '\\' would break those lines or their quoting. A name
 * of only spaces is accepted with a warning: it is legal but hard to read.
 */
static bool check_vm_name(Loader *ld, const char *name, const char *ptr)
{
    if (name[0] == '\0') {
        return fail(ld, SIM_ERROR_VALUE, ptr, "name must not be empty");
    }
    bool blank = true;
    for (const char *c = name; *c != '\0'; c = g_utf8_next_char(c)) {
        gunichar u = g_utf8_get_char(c);
        if (u < 0x20 || (u >= 0x7f && u <= 0x9f) || u == '"' || u == '\\') {
            return fail(ld, SIM_ERROR_VALUE, ptr,
                        "VM name \"%s\" contains %s (U+%04X); names must not hold control "
                        "characters, '\"' or '\\' (they would corrupt the CSV and esxtop outputs)",
                        quote(ld, name), u == '"' || u == '\\' ? "a quote or backslash" : "a control character",
                        (unsigned)u);
        }
        blank = blank && g_unichar_isspace(u);
    }
    if (blank) {
        warn_at(ld, ptr, "VM name \"%s\" is only spaces", name);
    }
    return true;
}

/* The page model indexes a VM's pages with 32 bits (SIM_SCENARIO_MAX_VM_PAGES). */
static bool check_vm_pages(Loader *ld, const SimVmConfig *vm, const char *ptr)
{
    uint64_t pages = vm->memory / ld->page_size;
    if (pages <= SIM_SCENARIO_MAX_VM_PAGES) {
        return true;
    }
    return fail(ld, SIM_ERROR_RANGE, ptr,
                "memory (%s) is %" G_GUINT64_FORMAT " pages of %s; the page model holds at most "
                "%" G_GUINT64_FORMAT " pages (2^32 - 4096) per VM",
                fmt_bytes(ld, vm->memory), pages, fmt_bytes(ld, ld->page_size),
                SIM_SCENARIO_MAX_VM_PAGES);
}

/* A time, or null: off until an event; after the end of the run it warns. */
static bool load_power_on(Loader *ld, const Scope *s, SimVmConfig *vm)
{
    const char *ptr = NULL;
    bool given = false;
    json_t *v = value_of(ld, s, row_of(s, "power_on"), &ptr, &given);
    if (json_is_null(v)) {
        vm->power_on = SIM_TIME_NEVER;
        return true;
    }
    if (!get_duration(ld, s, "power_on", &vm->power_on)) {
        return false;
    }
    if (vm->power_on > ld->duration) {
        warn_at(ld, ptr, "VM \"%s\" powers on at %s, after the end of the run (%s): it stays off",
                quote(ld, vm->name), keep(ld, sim_units_format_duration(vm->power_on)),
                keep(ld, sim_units_format_duration(ld->duration)));
    }
    return true;
}

/* memory, reservation, limit, shares, max_balloon, power_on, salt. */
static bool load_vm_basics(Loader *ld, const Scope *s, SimVmConfig *vm, VmAt *at)
{
    const char *ptr = NULL;
    bool given = false;
    json_t *v = NULL;
    if (!get_string(ld, s, "name", &vm->name, &at->name)) {
        return false;
    }
    if (vm->name == NULL || scope_get(ld, s, "memory", &ptr) == NULL) {
        return missing(ld, s->ptr[0], vm->name == NULL ? "name" : "memory");
    }
    if (!check_vm_name(ld, vm->name, at->name) ||
        !get_size(ld, s, "memory", &vm->memory, &at->memory) ||
        !check_vm_pages(ld, vm, at->memory) ||
        !get_size(ld, s, "reservation", &vm->reservation, &at->reservation)) {
        return false;
    }
    if (vm->reservation > vm->memory) {
        return fail(ld, SIM_ERROR_RANGE, at->reservation,
                    "reservation (%s) exceeds the VM's memory (%s)", fmt_bytes(ld, vm->reservation),
                    fmt_bytes(ld, vm->memory));
    }
    const SimKey *row = row_of(s, "limit");
    v = value_of(ld, s, row, &ptr, &given);
    if (!parse_limit(ld, row, v, ptr, vm->memory, &vm->limit)) {
        return false;
    }
    if (vm->limit < vm->reservation) {
        return fail(ld, SIM_ERROR_RANGE, ptr, "limit (%s) is below the reservation (%s)",
                    fmt_bytes(ld, vm->limit), fmt_bytes(ld, vm->reservation));
    }
    row = row_of(s, "shares");
    v = value_of(ld, s, row, &ptr, &given);
    if (!parse_shares(ld, row, v, ptr, vm->memory, &vm->shares)) {
        return false;
    }
    return load_power_on(ld, s, vm) && get_percent(ld, s, "max_balloon", &vm->max_balloon) &&
           get_string(ld, s, "salt", &vm->salt, NULL);
}

static bool load_balloon(Loader *ld, const Scope *guest, SimBalloonConfig *b)
{
    Scope s;
    const char *ptr = NULL;
    bool ok = scope_child(ld, guest, "balloon", &s) &&
              get_duration(ld, &s, "poll", &b->poll) &&
              get_u32(ld, &s, "rate_fast", &b->rate_fast) &&
              get_u32(ld, &s, "rate_slow_max", &b->rate_slow_max) &&
              get_u32(ld, &s, "rate_slow_min", &b->rate_slow_min) &&
              get_u32(ld, &s, "rate_slow_inc", &b->rate_slow_inc) &&
              get_u32(ld, &s, "deflate_fast", &b->deflate_fast) &&
              get_u32(ld, &s, "deflate_slow", &b->deflate_slow);
    if (ok && b->rate_slow_min > b->rate_slow_max) {
        if (scope_get(ld, &s, "rate_slow_min", &ptr) == NULL) {
            scope_get(ld, &s, "rate_slow_max", &ptr);
        }
        return fail(ld, SIM_ERROR_RANGE, ptr, "rate_slow_min (%u) exceeds rate_slow_max (%u)",
                    b->rate_slow_min, b->rate_slow_max);
    }
    return ok;
}

static bool load_guest(Loader *ld, const Scope *vm_scope, SimVmConfig *vm, VmAt *at)
{
    SimGuestConfig *g = &vm->guest;
    Scope s;
    int os = 0;
    bool ok = scope_child(ld, vm_scope, "guest", &s) &&
              get_enum(ld, &s, "os", &os) && get_string(ld, &s, "image", &g->image, NULL) &&
              get_size(ld, &s, "swap", &g->swap, NULL) &&
              get_bool(ld, &s, "balloon_driver", &g->balloon_driver) &&
              get_size(ld, &s, "kernel", &g->kernel, &at->kernel) &&
              get_byte_rate(ld, &s, "cache_fill", &g->cache_fill_rate) &&
              get_duration(ld, &s, "disk_latency", &g->disk_latency) &&
              get_byte_rate(ld, &s, "disk_bandwidth", &g->disk_bandwidth) &&
              load_balloon(ld, &s, &g->balloon);
    g->os = (SimGuestOs)os;
    if (!ok || g->kernel < vm->memory) {
        return ok;
    }
    if (at->kernel != NULL) {
        return fail(ld, SIM_ERROR_RANGE, at->kernel,
                    "guest kernel (%s) must be smaller than the VM's memory (%s)",
                    fmt_bytes(ld, g->kernel), fmt_bytes(ld, vm->memory));
    }
    return fail(ld, SIM_ERROR_RANGE, at->memory,
                "memory (%s) must be larger than the guest kernel (%s by default)",
                fmt_bytes(ld, vm->memory), fmt_bytes(ld, g->kernel));
}

static bool load_content(Loader *ld, const Scope *wl, SimContentMix *c)
{
    Scope s;
    if (!scope_child(ld, wl, "content", &s) ||
        !get_number(ld, &s, "zero", &c->zero) ||
        !get_number(ld, &s, "image_shared", &c->image_shared) ||
        !get_number(ld, &s, "duplicate", &c->duplicate) ||
        !get_number(ld, &s, "compressible", &c->compressible)) {
        return false;
    }
    if (c->zero + c->image_shared + c->duplicate <= 1.0 + 1e-9) {
        return true;
    }
    /* Point at the last of the three that is given: it made the sum overflow. */
    static const char *const parts[] = {"duplicate", "image_shared", "zero"};
    const char *ptr = NULL;
    for (guint i = 0; i < G_N_ELEMENTS(parts); i++) {
        if (scope_get(ld, &s, parts[i], &ptr) != NULL) {
            break;
        }
    }
    return fail(ld, SIM_ERROR_RANGE, ptr,
                "content fractions zero + image_shared + duplicate add up to %s, more than 1",
                fmt_num(ld, c->zero + c->image_shared + c->duplicate));
}

/* A phase as parsed, with where its sizes came from (for checks after sorting). */
typedef struct PhaseAt {
    SimPhase phase;
    const char *memory;
    const char *active;
} PhaseAt;

static gint phase_cmp(gconstpointer a, gconstpointer b)
{
    SimTime ta = ((const PhaseAt *)a)->phase.at;
    SimTime tb = ((const PhaseAt *)b)->phase.at;
    return (ta > tb) - (ta < tb);
}

static bool load_phase(Loader *ld, json_t *el, const char *eptr, const SimKey *keys,
                       PhaseAt *p)
{
    const char *ptr = NULL;
    SimPhase *ph = &p->phase;
    if (!json_is_object(el)) {
        return type_error(ld, eptr, el, "an object (a phase)");
    }
    Scope s = scope_one(el, eptr, keys);
    if (scope_get(ld, &s, "at", &ptr) == NULL) {
        return missing(ld, eptr, "at");
    }
    ph->has_memory = scope_get(ld, &s, "memory", &ptr) != NULL;
    ph->has_active = scope_get(ld, &s, "active", &ptr) != NULL;
    ph->has_page_cache = scope_get(ld, &s, "page_cache", &ptr) != NULL;
    ph->has_touch_rate = scope_get(ld, &s, "touch_rate", &ptr) != NULL;
    ph->has_write_share = scope_get(ld, &s, "write_share", &ptr) != NULL;
    if (!(ph->has_memory || ph->has_active || ph->has_page_cache || ph->has_touch_rate ||
          ph->has_write_share)) {
        return fail(ld, SIM_ERROR_VALUE, eptr,
                    "a phase must change memory, active, page_cache, touch_rate or write_share");
    }
    return get_duration(ld, &s, "at", &ph->at) &&
           get_size(ld, &s, "memory", &ph->memory, &p->memory) &&
           get_size(ld, &s, "active", &ph->active, &p->active) &&
           get_size(ld, &s, "page_cache", &ph->page_cache, NULL) &&
           get_rate(ld, &s, "touch_rate", &ph->touch_rate) &&
           get_number(ld, &s, "write_share", &ph->write_share);
}

/* The workload's memory and hot set must fit the VM at all times. */
static bool check_fit(Loader *ld, const SimVmConfig *vm, uint64_t memory, uint64_t active,
                      const char *mem_at, const char *active_at)
{
    uint64_t room = vm->memory - vm->guest.kernel;
    if (memory > room) {
        return fail(ld, SIM_ERROR_RANGE, mem_at,
                    "workload memory (%s) does not fit in the VM's memory minus the guest kernel "
                    "(%s - %s = %s)",
                    fmt_bytes(ld, memory), fmt_bytes(ld, vm->memory),
                    fmt_bytes(ld, vm->guest.kernel), fmt_bytes(ld, room));
    }
    if (active > memory) {
        return fail(ld, SIM_ERROR_RANGE, active_at != NULL ? active_at : mem_at,
                    "active (%s) exceeds the workload memory (%s)", fmt_bytes(ld, active),
                    fmt_bytes(ld, memory));
    }
    return true;
}

/* Phases sorted by time (stable); each checked with the values in force after it. */
static bool load_phases(Loader *ld, const Scope *wl, SimVmConfig *vm, const char *mem_at,
                        const char *active_at)
{
    const char *ptr = NULL;
    json_t *list = scope_get(ld, wl, "phases", &ptr);
    g_autoptr(GArray) tmp = g_array_new(FALSE, TRUE, sizeof(PhaseAt));
    size_t i = 0;
    json_t *el = NULL;
    if (list != NULL && !json_is_array(list)) {
        return type_error(ld, ptr, list, "an array of phases");
    }
    json_array_foreach(list, i, el)
    {
        g_array_set_size(tmp, tmp->len + 1);
        if (!load_phase(ld, el, ptr_index(ld, ptr, i), group(wl->keys, "phases"),
                        &g_array_index(tmp, PhaseAt, i))) {
            return false;
        }
    }
    g_array_sort(tmp, phase_cmp);
    uint64_t memory = vm->workload.memory;
    uint64_t active = vm->workload.active;
    vm->workload.phases = g_array_sized_new(FALSE, FALSE, sizeof(SimPhase), tmp->len);
    for (guint k = 0; k < tmp->len; k++) {
        const PhaseAt *p = &g_array_index(tmp, PhaseAt, k);
        memory = p->phase.has_memory ? p->phase.memory : memory;
        active = p->phase.has_active ? p->phase.active : active;
        const char *m_at = p->phase.has_memory ? p->memory : mem_at != NULL ? mem_at : wl->ptr[0];
        const char *a_at = p->phase.has_active ? p->active : p->memory ? p->memory : active_at;
        if (!check_fit(ld, vm, memory, active, m_at, a_at)) {
            return false;
        }
        g_array_append_val(vm->workload.phases, p->phase);
    }
    return true;
}

/* ---- workload traces (sim/load/trace.h) ---- */

/* A trace as the scenario gives it, with where its values came from. */
typedef struct TraceSpec {
    char *file;           /* as written */
    const char *file_at;  /* pointer of the file name */
    const char *start_at; /* pointer of "start", or of the trace */
    const char *repeat_at; /* pointer of "repeat", or of the trace */
    SimTraceOptions options;
    SimTraceReplay replay;
    char *vm;             /* options.vm, owned */
} TraceSpec;

/* The trace file relative to the scenario file's folder (docs/design.md section 3). */
static char *trace_path(const SimScenario *sc, const char *file)
{
    g_autofree char *dir = g_path_get_dirname(sc->path);
    if (g_path_is_absolute(file) || strcmp(sc->path, "<built-in>") == 0 ||
        strcmp(dir, ".") == 0) {
        return g_strdup(file);
    }
    return g_build_filename(dir, file, NULL);
}

/* `trace`: a file name, or an object {file, format, vm, start, repeat, scale, memory_window}. */
static bool load_trace_spec(Loader *ld, const Scope *wl, const SimVmConfig *vm, TraceSpec *t)
{
    const char *ptr = NULL;
    json_t *v = scope_get(ld, wl, "trace", &ptr);
    Scope s = scope_one(NULL, ptr, group(wl->keys, "trace"));
    int format = SIM_TRACE_AUTO;
    t->start_at = ptr;
    if (v == NULL || json_is_null(v)) {
        return true;
    }
    if (json_is_string(v)) {
        t->file = g_strdup(json_string_value(v));
        t->file_at = ptr;
    } else if (!json_is_object(v)) {
        return type_error(ld, ptr, v, "a file name or an object with \"file\"");
    } else if (!scope_child(ld, wl, "trace", &s) ||
               !get_string(ld, &s, "file", &t->file, &t->file_at)) {
        return false;
    } else if (t->file == NULL) {
        return missing(ld, ptr, "file");
    }
    bool ok = get_enum(ld, &s, "format", &format) && get_string(ld, &s, "vm", &t->vm, NULL) &&
              get_duration(ld, &s, "start", &t->replay.start) &&
              get_bool(ld, &s, "repeat", &t->replay.repeat) &&
              get_number(ld, &s, "scale", &t->replay.scale) &&
              get_duration(ld, &s, "memory_window", &t->options.memory_window);
    if (ok && t->vm == NULL) { /* the default: the entry's own name */
        t->vm = g_strdup(vm->name);
    }
    if (ok && t->file[0] == '\0') {
        return fail(ld, SIM_ERROR_VALUE, t->file_at, "trace file name must not be empty");
    }
    if (ok && scope_get(ld, &s, "start", &ptr) != NULL) {
        t->start_at = ptr;
    }
    t->repeat_at = scope_get(ld, &s, "repeat", &ptr) != NULL ? ptr : t->start_at;
    t->options.format = (SimTraceFormat)format;
    t->options.vm = t->vm;
    return ok;
}

static gint sim_phase_cmp(gconstpointer a, gconstpointer b)
{
    SimTime ta = ((const SimPhase *)a)->at;
    SimTime tb = ((const SimPhase *)b)->at;
    return (ta > tb) - (ta < tb);
}

/* Adds the trace's warnings to the scenario, each with the place it came from. */
static void add_trace_warnings(SimScenario *sc, GPtrArray *warnings, const SimVmConfig *vm,
                               const TraceSpec *t)
{
    for (guint i = 0; i < warnings->len; i++) {
        g_autofree char *line = g_strdup_printf("%s (VM %s, at %s)",
                                                (const char *)warnings->pdata[i], vm->name,
                                                t->file_at);
        g_ptr_array_add(sc->warnings, sim_error_one_line(line));
    }
}

/* Warnings about how the trace fits the VM and the run. */
static void trace_fit_warnings(GPtrArray *warnings, const char *path, const GArray *points,
                               const TraceSpec *t, const SimTraceStats *st)
{
    if (st->clipped > 0) {
        g_ptr_array_add(warnings,
                        g_strdup_printf("%s: %u sample%s in the run ask%s for more memory than "
                                        "the VM can hold (peak %.0f MiB, VM memory - guest "
                                        "kernel = %.0f MiB); clipped",
                                        path, st->clipped, st->clipped == 1 ? "" : "s",
                                        st->clipped == 1 ? "s" : "", st->peak_mb,
                                        (double)t->replay.room / (double)SIM_MIB));
    }
    double last = g_array_index(points, SimTracePoint, points->len - 1).t_s;
    double left = last - sim_time_to_s(t->replay.start);
    if (!t->replay.repeat && left < sim_time_to_s(t->replay.duration)) {
        g_ptr_array_add(warnings, g_strdup_printf("%s: the trace ends %.0f s into the run, "
                                                  "before its end (%.0f s); the last sample "
                                                  "holds (\"repeat\": true loops it)",
                                                  path, MAX(left, 0.0),
                                                  sim_time_to_s(t->replay.duration)));
    }
}

/* ---- what a run needs (docs/model.md, "Run size bounds") ---- */

/* Bytes per configured page: content key 4 + partition record 6 + list slot 4 (guest/pages.h). */
#define EST_PAGE_BYTES 14.0
/* Bytes per shared frame: a 12-byte slot of a table at most 70% full that
 * doubles when it grows (host/sharetab.c); frames <= min(host pages, VM pages). */
#define EST_SHARE_BYTES (12.0 / 0.7 * 2.0)
/* A phase: its SimPhase, the run's event record and a queue entry (assumption). */
#define EST_PHASE_BYTES ((double)sizeof(SimPhase) + 64.0)
/* A VM's fixed structures: guest, host record, partition classes, queue (assumption). */
#define EST_VM_BYTES 8192.0

/* "8.6e12", "20000": a count for a message. */
static const char *fmt_count(Loader *ld, double n)
{
    if (n < 1e6) {
        return keep(ld, g_strdup_printf("%.0f", n));
    }
    int exp = (int)floor(log10(n));
    return keep(ld, g_strdup_printf("%.2ge%d", n / pow(10.0, exp), exp));
}

/* "52TiB", "1.5GiB": a size for a message, to 3 digits. */
static const char *fmt_approx_bytes(Loader *ld, double b)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    guint u = 0;
    while (b >= 1024.0 && u + 1 < G_N_ELEMENTS(units)) {
        b /= 1024.0;
        u++;
    }
    return keep(ld, g_strdup_printf("%.3g%s", b, units[u]));
}

static gint cmp_double(gconstpointer a, gconstpointer b, gpointer data)
{
    (void)data;
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Loops a repeating trace makes over the run: its period is the last point's
 * time plus the median step between points, as sim_trace_expand reads it. */
static double trace_loops(const GArray *points, const SimTraceReplay *rp)
{
    guint n = points->len;
    if (!rp->repeat || n < 2) {
        return 1.0;
    }
    g_autofree double *d = g_new(double, n - 1);
    for (guint i = 0; i + 1 < n; i++) {
        d[i] = g_array_index(points, SimTracePoint, i + 1).t_s -
               g_array_index(points, SimTracePoint, i).t_s;
    }
    g_qsort_with_data(d, (gint)(n - 1), sizeof(double), cmp_double, NULL);
    double period = g_array_index(points, SimTracePoint, n - 1).t_s + d[(n - 1) / 2];
    return period > 0 ? ceil(sim_time_to_s(rp->duration) / period) + 1.0 : 1.0;
}

/* Before expanding a trace: at most one phase per point and loop, times `count` VMs. */
static bool check_trace_phases(Loader *ld, const GArray *points, const TraceSpec *t)
{
    double loops = trace_loops(points, &t->replay);
    double phases = (double)points->len * loops * (double)ld->count;
    double bytes = phases * EST_PHASE_BYTES;
    if (phases + ld->phases <= SIM_SCENARIO_MAX_EVENTS &&
        bytes + ld->phases * EST_PHASE_BYTES <= (double)SIM_SCENARIO_MAX_RUN_BYTES) {
        return true;
    }
    return fail(ld, SIM_ERROR_RANGE, t->repeat_at,
                "replaying the trace (%u samples, %s loops, %" G_GINT64_FORMAT " VM%s) would make "
                "up to %s workload phases (%s of memory; at most %s phases and %s); %s",
                points->len, fmt_count(ld, loops), ld->count, ld->count == 1 ? "" : "s",
                fmt_count(ld, phases),
                fmt_approx_bytes(ld, bytes), fmt_count(ld, SIM_SCENARIO_MAX_EVENTS),
                fmt_approx_bytes(ld, (double)SIM_SCENARIO_MAX_RUN_BYTES),
                loops > 1 ? "the trace's period is too short to repeat: set repeat to false"
                          : "shorten the trace");
}

/* Reads the trace and turns it into the workload's memory, active and phases. */
static bool trace_apply(Loader *ld, SimScenario *sc, SimVmConfig *vm, TraceSpec *t)
{
    g_autofree char *path = trace_path(sc, t->file);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) e = NULL;
    t->options.kernel_mb = (double)vm->guest.kernel / (double)SIM_MIB;
    g_autoptr(GArray) points = sim_trace_read(path, &t->options, warnings, &e);
    if (points == NULL) {
        return fail(ld, SIM_ERROR_VALUE, t->file_at, "%s", e->message);
    }
    if (points->len == 0) { /* sim_trace_read promises one point; never expand nothing */
        return fail(ld, SIM_ERROR_VALUE, t->file_at, "%s: the trace has no samples", path);
    }
    t->replay.duration = sc->duration;
    t->replay.room = vm->memory - vm->guest.kernel;
    if (!check_trace_phases(ld, points, t)) {
        return false;
    }
    SimWorkload *w = &vm->workload;
    SimTraceStats st;
    if (!sim_trace_expand(points, &t->replay, &w->memory, &w->active, w->phases, &st, &e)) {
        return fail(ld, SIM_ERROR_RANGE, t->start_at, "%s", e->message);
    }
    g_array_sort(w->phases, sim_phase_cmp); /* stable (GLib >= 2.32) */
    trace_fit_warnings(warnings, path, points, t, &st);
    add_trace_warnings(sc, warnings, vm, t);
    w->trace = g_steal_pointer(&path);
    return true;
}

static bool load_trace(Loader *ld, const Scope *wl, SimScenario *sc, SimVmConfig *vm)
{
    TraceSpec t = {0};
    bool ok = load_trace_spec(ld, wl, vm, &t);
    if (ok && t.file != NULL) {
        ok = trace_apply(ld, sc, vm, &t);
    }
    g_free(t.file);
    g_free(t.vm);
    return ok;
}

/*
 * A trace drives memory and active: giving them too would be ambiguous.
 * Checked on the JSON before the phases are validated, so the message
 * names the conflict rather than a phase that does not fit.
 */
static bool check_trace_alone(Loader *ld, const Scope *wl, const char *mem_at,
                              const char *active_at)
{
    const char *ptr = NULL;
    json_t *trace = scope_get(ld, wl, "trace", &ptr);
    if (trace == NULL || json_is_null(trace)) {
        return true;
    }
    if (mem_at != NULL || active_at != NULL) {
        return fail(ld, SIM_ERROR_VALUE, mem_at != NULL ? mem_at : active_at,
                    "workload %s cannot be combined with a trace, which drives memory and active",
                    mem_at != NULL ? "memory" : "active");
    }
    json_t *phases = scope_get(ld, wl, "phases", &ptr);
    json_t *el = NULL;
    size_t i = 0;
    json_array_foreach(phases, i, el)
    {
        const char *key = json_object_get(el, "memory") != NULL   ? "memory"
                          : json_object_get(el, "active") != NULL ? "active"
                                                                  : NULL;
        if (key != NULL) {
            return fail(ld, SIM_ERROR_VALUE, ptr_key(ld, ptr_index(ld, ptr, i), key),
                        "a phase cannot change %s when a trace drives the workload (page_cache, "
                        "touch_rate and write_share can)",
                        key);
        }
    }
    return true;
}

/* The default hot set is a quarter of the workload's memory; then both must fit the VM. */
static bool workload_fits(Loader *ld, SimVmConfig *vm, const char *mem_at, const char *active_at)
{
    SimWorkload *w = &vm->workload;
    if (active_at == NULL) {
        w->active = w->memory / 4;
    }
    return check_fit(ld, vm, w->memory, w->active, mem_at, active_at);
}

static bool load_workload(Loader *ld, const Scope *vm_scope, SimScenario *sc, SimVmConfig *vm)
{
    SimWorkload *w = &vm->workload;
    Scope s;
    const char *mem_at = NULL;
    const char *active_at = NULL;
    if (!scope_child(ld, vm_scope, "workload", &s) ||
        !get_size(ld, &s, "memory", &w->memory, &mem_at) ||
        !get_size(ld, &s, "active", &w->active, &active_at) ||
        !workload_fits(ld, vm, mem_at != NULL ? mem_at : s.ptr[0], active_at) ||
        !get_size(ld, &s, "page_cache", &w->page_cache, NULL) ||
        !get_rate(ld, &s, "touch_rate", &w->touch_rate) ||
        !get_number(ld, &s, "write_share", &w->write_share) ||
        !get_byte_rate(ld, &s, "alloc_rate", &w->alloc_rate) ||
        !load_content(ld, &s, &w->content) || !check_trace_alone(ld, &s, mem_at, active_at) ||
        !load_phases(ld, &s, vm, mem_at, active_at)) {
        return false;
    }
    return load_trace(ld, &s, sc, vm);
}

/* The VM's scope: its own object, then the template it names. */
static bool vm_scope(Loader *ld, json_t *el, const char *ptr, Scope *s)
{
    const char *tptr = NULL;
    *s = scope_one(el, ptr, group(sim_keys_top(), "vms"));
    json_t *name = scope_get(ld, s, "template", &tptr);
    if (name == NULL) {
        return true;
    }
    if (!json_is_string(name)) {
        return type_error(ld, tptr, name, "a template name");
    }
    json_t *tpl =
        ld->templates != NULL ? json_object_get(ld->templates, json_string_value(name)) : NULL;
    if (tpl == NULL) {
        const char *names[256];
        guint n = 0;
        const char *key = NULL;
        json_t *v = NULL;
        json_object_foreach(ld->templates, key, v)
        {
            if (n < G_N_ELEMENTS(names)) {
                names[n++] = key;
            }
        }
        return fail(ld, SIM_ERROR_VALUE, tptr, "unknown template \"%s\"%s",
                    quote(ld, json_string_value(name)),
                    hint(ld, json_string_value(name), names, n));
    }
    s->obj[1] = tpl;
    s->ptr[1] = ptr_key(ld, "/templates", json_string_value(name));
    return true;
}

/* A VM copy with its own strings and phases, for count expansion. */
static void vm_copy(SimVmConfig *dst, const SimVmConfig *src, char *name)
{
    *dst = *src;
    dst->name = name;
    dst->pointer = g_strdup(src->pointer);
    dst->salt = g_strdup(src->salt);
    dst->guest.image = g_strdup(src->guest.image);
    dst->workload.phases = g_array_copy(src->workload.phases);
    dst->workload.trace = g_strdup(src->workload.trace);
}

/* Adds the entry's `count` VMs (NAME-1..NAME-N when count > 1), names unique. */
static bool expand_vm(Loader *ld, const SimVmConfig *vm, int64_t count, const char *name_at,
                      const char *ptr, GHashTable *names, GArray *out)
{
    for (int64_t k = 1; k <= count; k++) {
        char *name =
            count > 1 ? g_strdup_printf("%s-%" G_GINT64_FORMAT, vm->name, k) : g_strdup(vm->name);
        const char *first = g_hash_table_lookup(names, name);
        if (first != NULL) {
            fail(ld, SIM_ERROR_VALUE, name_at, "duplicate VM name \"%s\", already used by %s",
                 quote(ld, name), first);
            g_free(name);
            return false;
        }
        g_hash_table_insert(names, g_strdup(name), (gpointer)ptr); /* ptr lives in ld->pool */
        g_array_set_size(out, out->len + 1);
        vm_copy(&g_array_index(out, SimVmConfig, out->len - 1), vm, name);
    }
    return true;
}

/* All reservations must fit in host memory; `*reserved` is the sum so far. */
static bool check_reservations(Loader *ld, const SimHostConfig *h, const SimVmConfig *vm,
                               int64_t count, const VmAt *at, uint64_t *reserved)
{
    uint64_t room = h->memory - MIN(*reserved, h->memory);
    if (vm->reservation != 0 && (uint64_t)count > room / vm->reservation) {
        return fail(ld, SIM_ERROR_RANGE, at->reservation,
                    "reservations exceed host memory (%s): earlier VMs reserve %s and this "
                    "entry adds %" G_GINT64_FORMAT " x %s",
                    fmt_bytes(ld, h->memory), fmt_bytes(ld, *reserved), count,
                    fmt_bytes(ld, vm->reservation));
    }
    *reserved += vm->reservation * (uint64_t)count;
    return true;
}

/*
 * Before the entry is copied `count` times: the page state and phases of the
 * VMs so far stay within the bounds (the whole run is estimated at the end).
 */
static bool check_entry(Loader *ld, const Scope *s, const SimVmConfig *vm, const VmAt *at)
{
    double pages = (double)(vm->memory / ld->page_size) * (double)ld->count;
    ld->pages += pages;
    ld->phases += (double)vm->workload.phases->len * (double)ld->count;
    ld->vms += (double)ld->count;
    /* per-VM structures count with the pages: both grow with memory x count */
    double page_bytes = ld->pages * EST_PAGE_BYTES + ld->vms * EST_VM_BYTES;
    double phase_bytes = ld->phases * EST_PHASE_BYTES;
    double max = (double)SIM_SCENARIO_MAX_RUN_BYTES;
    const char *ptr = at->memory;
    if (page_bytes + phase_bytes <= max && ld->phases <= SIM_SCENARIO_MAX_EVENTS) {
        return true;
    }
    if (page_bytes >= phase_bytes) {
        if (ld->count > 1) {
            scope_get(ld, s, "count", &ptr);
        }
        return fail(ld, SIM_ERROR_RANGE, ptr,
                    "the %s VM%s up to this one hold%s %s pages (%s of page state at 14 B a "
                    "page and 8 KiB a VM; at most %s); lower memory or count",
                    fmt_count(ld, ld->vms), ld->vms == 1 ? "" : "s", ld->vms == 1 ? "s" : "",
                    fmt_count(ld, ld->pages),
                    fmt_approx_bytes(ld, page_bytes), fmt_approx_bytes(ld, max));
    }
    return fail(ld, SIM_ERROR_RANGE, ptr_key(ld, vm->pointer, "workload"),
                "the VMs up to this one have %s workload phases (%s of memory; at most %s phases "
                "and %s); use fewer phases or a lower count",
                fmt_count(ld, ld->phases), fmt_approx_bytes(ld, phase_bytes),
                fmt_count(ld, SIM_SCENARIO_MAX_EVENTS), fmt_approx_bytes(ld, max));
}

static bool load_vm_entry(Loader *ld, json_t *el, const char *ptr, SimScenario *sc,
                          GHashTable *names, uint64_t *reserved)
{
    Scope s;
    SimVmConfig vm = {0};
    VmAt at = {0};
    if (!json_is_object(el)) {
        return type_error(ld, ptr, el, "an object (a VM)");
    }
    vm.pointer = g_strdup(ptr);
    /* count before the workload: a trace's phases are bounded for all copies */
    bool ok = vm_scope(ld, el, ptr, &s) && load_vm_basics(ld, &s, &vm, &at) &&
              load_guest(ld, &s, &vm, &at) &&
              get_int(ld, &s, "count", &ld->count) &&
              load_workload(ld, &s, sc, &vm) &&
              check_reservations(ld, &sc->host, &vm, ld->count, &at, reserved) &&
              check_entry(ld, &s, &vm, &at) &&
              expand_vm(ld, &vm, ld->count, at.name, ptr, names, sc->vms);
    vm_clear(&vm);
    return ok;
}

static bool load_vms(Loader *ld, json_t *root, SimScenario *sc)
{
    json_t *vms = json_object_get(root, "vms");
    json_t *el = NULL;
    size_t i = 0;
    uint64_t reserved = 0;
    if (vms == NULL) {
        return missing(ld, "", "vms");
    }
    if (!json_is_array(vms)) {
        return type_error(ld, "/vms", vms, "an array of VMs");
    }
    if (json_array_size(vms) == 0) {
        return fail(ld, SIM_ERROR_RANGE, "/vms", "vms must not be empty");
    }
    g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    json_array_foreach(vms, i, el)
    {
        if (!load_vm_entry(ld, el, ptr_index(ld, "/vms", i), sc, names, &reserved)) {
            return false;
        }
    }
    for (guint k = 0; k < sc->vms->len; k++) {
        g_hash_table_insert(ld->vm_index, g_array_index(sc->vms, SimVmConfig, k).name,
                            GUINT_TO_POINTER(k + 1));
    }
    return true;
}

static bool load_templates(Loader *ld, json_t *root)
{
    const char *key = NULL;
    json_t *v = NULL;
    ld->templates = json_object_get(root, "templates");
    if (ld->templates != NULL && !json_is_object(ld->templates)) {
        return type_error(ld, "/templates", ld->templates, "an object of templates");
    }
    json_object_foreach(ld->templates, key, v)
    {
        if (!json_is_object(v)) {
            return type_error(ld, ptr_key(ld, "/templates", key), v, "an object (a partial VM)");
        }
    }
    return true;
}

/* ---- events ---- */

static void event_clear(gpointer data)
{
    g_clear_pointer(&((SimEvent *)data)->pointer, g_free);
}

static gint event_cmp(gconstpointer a, gconstpointer b)
{
    SimTime ta = ((const SimEvent *)a)->at;
    SimTime tb = ((const SimEvent *)b)->at;
    return (ta > tb) - (ta < tb);
}

/* The VM an event names, as an index into sc->vms. */
static bool event_vm(Loader *ld, const Scope *s, const SimScenario *sc, guint *index)
{
    g_autofree char *name = NULL;
    const char *ptr = NULL;
    if (!get_string(ld, s, "vm", &name, &ptr)) {
        return false;
    }
    if (name == NULL) {
        return missing(ld, s->ptr[0], "vm");
    }
    /* a hash built once (load_vms): events x VMs string compares took
     * 17 s for 20,000 events on 100,000 VMs */
    guint found = GPOINTER_TO_UINT(g_hash_table_lookup(ld->vm_index, name));
    if (found > 0) {
        *index = found - 1;
        return true;
    }
    g_autofree const char **names = g_new(const char *, sc->vms->len);
    for (guint i = 0; i < sc->vms->len; i++) {
        names[i] = g_array_index(sc->vms, SimVmConfig, i).name;
    }
    return fail(ld, SIM_ERROR_VALUE, ptr, "unknown VM \"%s\"%s", quote(ld, name),
                hint(ld, name, names, sc->vms->len));
}

/* limit, reservation, shares: only with "set", and at least one of them. */
static bool event_settings(Loader *ld, const Scope *s, const SimVmConfig *vm, SimEvent *ev)
{
    static const char *const keys[] = {"limit", "reservation", "shares"};
    const char *ptr = NULL;
    json_t *v = NULL;
    for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (ev->action != SIM_EVENT_SET && scope_get(ld, s, keys[i], &ptr) != NULL) {
            return fail(ld, SIM_ERROR_VALUE, ptr, "%s is only allowed with action \"set\"",
                        keys[i]);
        }
    }
    if (ev->action != SIM_EVENT_SET) {
        return true;
    }
    if ((v = scope_get(ld, s, "limit", &ptr)) != NULL) {
        ev->has_limit = true;
        if (!parse_limit(ld, row_of(s, "limit"), v, ptr, vm->memory, &ev->limit)) {
            return false;
        }
    }
    if ((v = scope_get(ld, s, "reservation", &ptr)) != NULL) {
        ev->has_reservation = true;
        if (!parse_size(ld, v, ptr, row_of(s, "reservation"), &ev->reservation)) {
            return false;
        }
        if (ev->reservation > vm->memory) {
            return fail(ld, SIM_ERROR_RANGE, ptr, "reservation (%s) exceeds the VM's memory (%s)",
                        fmt_bytes(ld, ev->reservation), fmt_bytes(ld, vm->memory));
        }
    }
    if ((v = scope_get(ld, s, "shares", &ptr)) != NULL) {
        ev->has_shares = true;
        if (!parse_shares(ld, row_of(s, "shares"), v, ptr, vm->memory, &ev->shares)) {
            return false;
        }
    }
    if (!(ev->has_limit || ev->has_reservation || ev->has_shares)) {
        return fail(ld, SIM_ERROR_VALUE, s->ptr[0],
                    "action \"set\" needs at least one of limit, reservation, shares");
    }
    return true;
}

static bool load_event(Loader *ld, json_t *el, const char *ptr, SimScenario *sc, SimEvent *ev)
{
    const char *p = NULL;
    int action = -1;
    if (!json_is_object(el)) {
        return type_error(ld, ptr, el, "an object (an event)");
    }
    Scope s = scope_one(el, ptr, group(sim_keys_top(), "events"));
    if (scope_get(ld, &s, "at", &p) == NULL) {
        return missing(ld, ptr, "at");
    }
    if (scope_get(ld, &s, "action", &p) == NULL) {
        return missing(ld, ptr, "action");
    }
    if (!get_duration(ld, &s, "at", &ev->at) || !get_enum(ld, &s, "action", &action) ||
        !event_vm(ld, &s, sc, &ev->vm)) {
        return false;
    }
    ev->action = (SimEventAction)action;
    if (ev->at > sc->duration) {
        scope_get(ld, &s, "at", &p);
        warn_at(ld, p, "event at %s comes after the end of the run (%s) and never happens",
                keep(ld, sim_units_format_duration(ev->at)),
                keep(ld, sim_units_format_duration(sc->duration)));
    }
    return event_settings(ld, &s, &g_array_index(sc->vms, SimVmConfig, ev->vm), ev);
}

/* After sorting: every VM's limit stays >= its reservation as the events apply. */
static bool check_event_limits(Loader *ld, SimScenario *sc)
{
    g_autofree uint64_t *limit = g_new(uint64_t, sc->vms->len);
    g_autofree uint64_t *reservation = g_new(uint64_t, sc->vms->len);
    for (guint i = 0; i < sc->vms->len; i++) {
        limit[i] = g_array_index(sc->vms, SimVmConfig, i).limit;
        reservation[i] = g_array_index(sc->vms, SimVmConfig, i).reservation;
    }
    for (guint i = 0; i < sc->events->len; i++) {
        const SimEvent *ev = &g_array_index(sc->events, SimEvent, i);
        limit[ev->vm] = ev->has_limit ? ev->limit : limit[ev->vm];
        reservation[ev->vm] = ev->has_reservation ? ev->reservation : reservation[ev->vm];
        if (limit[ev->vm] < reservation[ev->vm]) {
            return fail(ld, SIM_ERROR_RANGE,
                        ptr_key(ld, ev->pointer, ev->has_limit ? "limit" : "reservation"),
                        "after this event the limit (%s) of %s is below its reservation (%s)",
                        fmt_bytes(ld, limit[ev->vm]),
                        g_array_index(sc->vms, SimVmConfig, ev->vm).name,
                        fmt_bytes(ld, reservation[ev->vm]));
        }
    }
    return true;
}

static bool load_events(Loader *ld, json_t *root, SimScenario *sc)
{
    json_t *events = json_object_get(root, "events");
    json_t *el = NULL;
    size_t i = 0;
    if (events != NULL && !json_is_array(events)) {
        return type_error(ld, "/events", events, "an array of events");
    }
    json_array_foreach(events, i, el)
    {
        SimEvent ev = {0};
        ev.pointer = g_strdup(ptr_index(ld, "/events", i));
        g_array_append_val(sc->events, ev); /* owned by the array from here on */
        if (!load_event(ld, el, ev.pointer, sc, &g_array_index(sc->events, SimEvent, i))) {
            return false;
        }
    }
    g_array_sort(sc->events, event_cmp); /* stable since GLib 2.32 */
    return check_event_limits(ld, sc);
}

/* ---- the whole scenario ---- */

static bool load_header(Loader *ld, json_t *root, SimScenario *sc)
{
    Scope s = scope_one(root, "", sim_keys_top());
    g_autofree char *base = g_path_get_basename(sc->path);
    int64_t seed = 0;
    if (g_str_has_suffix(base, ".json")) {
        base[strlen(base) - strlen(".json")] = '\0';
    }
    bool ok = get_string(ld, &s, "name", &sc->name, NULL) &&
              get_string(ld, &s, "description", &sc->description, NULL) &&
              get_int(ld, &s, "seed", &seed) && get_duration(ld, &s, "duration", &sc->duration) &&
              get_duration(ld, &s, "sample_interval", &sc->sample_interval);
    if (ok && sc->name == NULL) { /* the default: the file name without .json */
        sc->name = g_strdup(base);
    }
    if (ok && sc->duration > SIM_SCENARIO_MAX_TIME) {
        const char *ptr = NULL;
        scope_get(ld, &s, "duration", &ptr);
        return fail(ld, SIM_ERROR_RANGE, ptr, "duration must be at most 36500d (got %s)",
                    keep(ld, sim_units_format_duration(sc->duration)));
    }
    sc->seed = (uint64_t)seed;
    ld->duration = sc->duration;
    return ok;
}

static bool load_sla(Loader *ld, json_t *root, SimScenario *sc)
{
    Scope top = scope_one(root, "", sim_keys_top());
    Scope s;
    const char *ptr = NULL;
    if (!scope_child(ld, &top, "sla", &s)) {
        return false;
    }
    sc->has_sla = scope_get(ld, &s, "perf_index", &ptr) != NULL;
    if (!get_number(ld, &s, "perf_index", &sc->sla_perf_index)) {
        return false;
    }
    sc->sla_perf_index = sc->has_sla ? sc->sla_perf_index : 1.0; /* no SLA: anything passes */
    return true;
}

/* ---- the whole run's estimate (docs/model.md, "Run size bounds") ---- */

/* One part of an estimate and what to change when it is the largest. */
typedef struct EstTerm {
    double value;
    const char *what;   /* "balloon polls every 1ms", for the message */
    const char *remedy; /* "raise poll" */
    const char *ptr;    /* the key that drives it (the nearest existing value is shown) */
} EstTerm;

static const EstTerm *largest(const EstTerm *terms, guint n)
{
    const EstTerm *best = &terms[0];
    for (guint i = 1; i < n; i++) {
        best = terms[i].value > best->value ? &terms[i] : best;
    }
    return best;
}

/* The VM with the most phases and the one with the shortest balloon poll. */
static void extreme_vms(const SimScenario *sc, guint *most_phases, guint *fastest_poll)
{
    *most_phases = *fastest_poll = 0;
    for (guint i = 0; i < sc->vms->len; i++) {
        const SimVmConfig *vm = &g_array_index(sc->vms, SimVmConfig, i);
        const SimVmConfig *p = &g_array_index(sc->vms, SimVmConfig, *most_phases);
        const SimVmConfig *f = &g_array_index(sc->vms, SimVmConfig, *fastest_poll);
        *most_phases = vm->workload.phases->len > p->workload.phases->len ? i : *most_phases;
        *fastest_poll = vm->guest.balloon.poll < f->guest.balloon.poll ? i : *fastest_poll;
    }
}

/* The default of a top-level duration key ("duration", "sample_interval"), from its row. */
static SimTime top_default_time(const char *key)
{
    SimTime t = 0;
    gboolean ok = sim_units_parse_duration(sim_key_find(sim_keys_top(), key)->def, &t, NULL);
    g_assert(ok);
    return t;
}

/* Which of sample_interval, duration and the VMs drives the samples most, against its default. */
static EstTerm sample_blame(Loader *ld, const SimScenario *sc, double est_samples, double bytes)
{
    double by_interval = (double)top_default_time("sample_interval") / (double)sc->sample_interval;
    double by_duration = (double)sc->duration / (double)top_default_time("duration");
    double by_vms = (double)sc->vms->len;
    EstTerm terms[] = {
        {by_interval, NULL, "raise sample_interval", "/sample_interval"},
        {by_duration, NULL, "shorten duration", "/duration"},
        {by_vms, NULL, "use fewer VMs", "/vms"},
    };
    EstTerm t = *largest(terms, G_N_ELEMENTS(terms));
    t.value = bytes;
    t.what = keep(ld, g_strdup_printf("%s samples (every %s, of %u VM%s)",
                                      fmt_count(ld, est_samples * (double)sc->vms->len),
                                      keep(ld, sim_units_format_duration(sc->sample_interval)),
                                      sc->vms->len, sc->vms->len == 1 ? "" : "s"));
    return t;
}

static bool blame_bytes(Loader *ld, const SimScenario *sc, const SimRunEstimate *est)
{
    guint phases_vm = 0;
    guint poll_vm = 0;
    extreme_vms(sc, &phases_vm, &poll_vm);
    const char *vm_ptr = g_array_index(sc->vms, SimVmConfig, phases_vm).pointer;
    double share_frames = MIN((double)(sc->host.memory / sc->host.page_size), est->pages);
    double row_bytes = sizeof(SimHostSample) + (double)sc->vms->len * sizeof(SimVmSample);
    EstTerm terms[] = {
        {est->pages * EST_PAGE_BYTES + share_frames * EST_SHARE_BYTES,
         keep(ld, g_strdup_printf("the state of %s pages", fmt_count(ld, est->pages))),
         "lower the VMs' memory or count", "/vms"},
        sample_blame(ld, sc, est->samples, est->samples * row_bytes),
        {est->phases * EST_PHASE_BYTES,
         keep(ld, g_strdup_printf("%s workload phases", fmt_count(ld, est->phases))),
         "use fewer phases", ptr_key(ld, vm_ptr, "workload")},
        {(double)sc->vms->len * EST_VM_BYTES,
         keep(ld, g_strdup_printf("%u VMs", sc->vms->len)), "use fewer VMs", "/vms"},
    };
    const EstTerm *t = largest(terms, G_N_ELEMENTS(terms));
    return fail(ld, SIM_ERROR_RANGE, t->ptr,
                "the run would need %s of memory, more than %s, most of it for %s; %s",
                fmt_approx_bytes(ld, est->bytes),
                fmt_approx_bytes(ld, (double)SIM_SCENARIO_MAX_RUN_BYTES), t->what, t->remedy);
}

static const char *poll_ptr(Loader *ld, const SimVmConfig *vm)
{
    return ptr_key(ld, ptr_key(ld, ptr_key(ld, vm->pointer, "guest"), "balloon"), "poll");
}

static bool blame_events(Loader *ld, const SimScenario *sc, const SimRunEstimate *est)
{
    const SimHostConfig *h = &sc->host;
    double d = sim_time_to_s(sc->duration);
    guint phases_vm = 0;
    guint poll_vm = 0;
    extreme_vms(sc, &phases_vm, &poll_vm);
    const SimVmConfig *fast = &g_array_index(sc->vms, SimVmConfig, poll_vm);
    double polls = 0;
    for (guint i = 0; i < sc->vms->len; i++) {
        polls += d / sim_time_to_s(g_array_index(sc->vms, SimVmConfig, i).guest.balloon.poll);
    }
    EstTerm terms[] = {
        {d * (1.0 + (double)sc->vms->len), "1 s ticks of the host and the VMs",
         "shorten duration or use fewer VMs", "/duration"},
        {polls, keep(ld, g_strdup_printf("balloon polls (every %s in VM %s)",
                                         keep(ld, sim_units_format_duration(fast->guest.balloon.poll)),
                                         quote(ld, fast->name))),
         "raise poll", poll_ptr(ld, fast)},
        {d / sim_time_to_s(sc->sample_interval), "samples", "raise sample_interval",
         "/sample_interval"},
        {d / sim_time_to_s(h->balance_period), "balance periods", "raise balance_period",
         "/host/balance_period"},
        {d / sim_time_to_s(h->sample_period), "active memory samples", "raise sample_period",
         "/host/sample_period"},
        {est->phases, "workload phases", "use fewer phases",
         ptr_key(ld, g_array_index(sc->vms, SimVmConfig, phases_vm).pointer, "workload")},
    };
    const EstTerm *t = largest(terms, G_N_ELEMENTS(terms));
    return fail(ld, SIM_ERROR_RANGE, t->ptr,
                "the run would process %s events, more than %s, most of them %s; %s",
                fmt_count(ld, est->events), fmt_count(ld, SIM_SCENARIO_MAX_EVENTS), t->what,
                t->remedy);
}

/* After everything is loaded: the run's memory and event count are within the bounds. */
static bool check_estimate(Loader *ld, const SimScenario *sc)
{
    SimRunEstimate est = sim_scenario_estimate(sc);
    if (est.bytes > (double)SIM_SCENARIO_MAX_RUN_BYTES) {
        return blame_bytes(ld, sc, &est);
    }
    if (est.events > SIM_SCENARIO_MAX_EVENTS) {
        return blame_events(ld, sc, &est);
    }
    return true;
}

static bool load_root(Loader *ld, json_t *root, SimScenario *sc)
{
    if (!json_is_object(root)) {
        return fail(ld, SIM_ERROR_TYPE, "", "a scenario must be a JSON object, got %s",
                    json_kind(root));
    }
    return check_keys(ld, root, "", SIM_KEY_OBJECT, sim_keys_top()) && load_header(ld, root, sc) &&
           load_host(ld, root, &sc->host) && load_templates(ld, root) && load_vms(ld, root, sc) &&
           load_events(ld, root, sc) && load_sla(ld, root, sc) && check_estimate(ld, sc);
}

/* ---- --set overrides ---- */

static void override_free(gpointer data)
{
    Override *o = data;
    g_free(o->pointer);
    g_free(o->arg);
    g_free(o);
}

G_GNUC_PRINTF(3, 4)
static bool usage_error(GError **error, const char *arg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "--set %s: error: %s", arg, msg);
    return false;
}

/* The container member `part` of `cur` (an object or an array); creates missing objects. */
static json_t *override_step(Loader *ld, json_t *cur, const char *part, bool last, json_t *value,
                             GString *ptr, char **created, const char *arg, GError **error)
{
    if (json_is_object(cur)) {
        g_string_assign(ptr, ptr_key(ld, ptr->str, part));
        json_t *child = json_object_get(cur, part);
        if (last || child == NULL) {
            child = last ? json_incref(value) : json_object();
            json_object_set_new(cur, part, child);
            if (*created == NULL) {
                *created = g_strdup(ptr->str);
            }
        }
        return child;
    }
    guint64 index = 0;
    if (!json_is_array(cur)) {
        usage_error(error, arg, "%s is %s, not an object or array", ptr->str, json_kind(cur));
        return NULL;
    }
    if (!g_ascii_string_to_unsigned(part, 10, 0, G_MAXINT32, &index, NULL) ||
        index >= json_array_size(cur)) {
        if (json_array_size(cur) == 0) {
            usage_error(error, arg, "%s is an empty array, it has no element \"%s\"", ptr->str,
                        part);
        } else {
            usage_error(error, arg, "\"%s\" is not an index of %s (0 to %zu)", part, ptr->str,
                        json_array_size(cur) - 1);
        }
        return NULL;
    }
    g_string_assign(ptr, ptr_index(ld, ptr->str, (size_t)index));
    if (last) {
        json_array_set(cur, (size_t)index, value);
        if (*created == NULL) {
            *created = g_strdup(ptr->str);
        }
    }
    return json_array_get(cur, (size_t)index);
}

/* One "KEY=VALUE": VALUE as JSON, or as a string when it is not JSON. */
static bool apply_override(Loader *ld, json_t *root, const char *arg, GError **error)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg) {
        return usage_error(error, arg, "expected KEY=VALUE, e.g. host.memory=96GiB");
    }
    g_autofree char *key = g_strndup(arg, (gsize)(eq - arg));
    /* jansson refuses (and frees the value of) a member whose key is not UTF-8 */
    if (!g_utf8_validate(key, -1, NULL)) {
        return usage_error(error, arg, "the key is not valid UTF-8");
    }
    g_auto(GStrv) parts = g_strsplit(key, ".", -1);
    json_t *value = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
    if (value == NULL && (value = json_string(eq + 1)) == NULL) {
        return usage_error(error, arg, "the value is not valid UTF-8");
    }
    g_autoptr(GString) ptr = g_string_new("");
    char *created = NULL;
    json_t *cur = root;
    for (guint i = 0; parts[i] != NULL && cur != NULL; i++) {
        if (parts[i][0] == '\0') {
            cur = NULL;
            usage_error(error, arg, "empty part in key \"%s\"", key);
            break;
        }
        cur = override_step(ld, cur, parts[i], parts[i + 1] == NULL, value, ptr, &created, arg,
                            error);
    }
    json_decref(value);
    if (cur == NULL) {
        g_free(created);
        return false;
    }
    Override *o = g_new0(Override, 1);
    o->pointer = created;
    o->arg = g_strdup(arg);
    g_ptr_array_add(ld->overrides, o);
    return true;
}

/* ---- entry points ---- */

static SimScenario *scenario_new(const char *path)
{
    SimScenario *sc = g_new0(SimScenario, 1);
    sc->path = g_strdup(path);
    sc->vms = g_array_new(FALSE, TRUE, sizeof(SimVmConfig));
    g_array_set_clear_func(sc->vms, vm_clear);
    sc->events = g_array_new(FALSE, TRUE, sizeof(SimEvent));
    g_array_set_clear_func(sc->events, event_clear);
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
        g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE, "%s:1:1: error: empty scenario file (at /)",
                    path);
        return false;
    }
    if (g_utf8_validate(text, (gssize)len, &end)) {
        return true;
    }
    g_autoptr(SimSrcLoc) loc = sim_srcloc_new(text, len);
    guint line = 0;
    guint col = 0;
    sim_srcloc_line_col(loc, (gsize)(end - text), &line, &col);
    g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE, "%s:%u:%u: error: %s (at /)", path, line, col,
                *end == '\0' ? "NUL byte in scenario file" : "invalid UTF-8 in scenario file");
    return false;
}

static json_t *parse_json(const char *path, const char *text, gsize len, GError **error)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (root == NULL) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_PARSE, "%s:%d:%d: error: invalid JSON: %s (at /)",
                    path, MAX(jerr.line, 1), MAX(jerr.column, 1), jerr.text);
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
        .overrides = g_ptr_array_new_with_free_func(override_free),
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
        ok = apply_override(&ld, root, *set, &local);
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
        g_set_error(error, SIM_ERROR, e->code == SIM_ERROR_IO ? SIM_ERROR_IO : SIM_ERROR_USAGE,
                    "%s: error: cannot read scenario: %s", path, e->message);
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

SimScenario *sim_scenario_load(const char *path, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    return sim_scenario_load_with_overrides(path, NULL, error);
}

const char *sim_scenario_default_text(void)
{
    return sim_default_scenario_json;
}

/*
 * The formula of docs/model.md ("Run size bounds"), O(VMs). Every periodic
 * process runs duration / period times; each VM is counted as powered on
 * for the whole run, so this is an upper estimate.
 */
SimRunEstimate sim_scenario_estimate(const SimScenario *sc)
{
    const SimHostConfig *h = &sc->host;
    const PolicyClass *policy = policy_lookup(h->policy);
    double d = sim_time_to_s(sc->duration);
    double n_vms = (double)sc->vms->len;
    SimRunEstimate est = {0};
    double per_s = 1.0 + 1.0 / sim_time_to_s(h->balance_period) +
                   1.0 / sim_time_to_s(h->sample_period) + 1.0 / sim_time_to_s(sc->sample_interval);
    if (policy != NULL && policy->period > 0) {
        per_s += 1.0 / sim_time_to_s(policy->period);
    }
    for (guint i = 0; i < sc->vms->len; i++) {
        const SimVmConfig *vm = &g_array_index(sc->vms, SimVmConfig, i);
        est.pages += (double)(vm->memory / h->page_size);
        est.phases += vm->workload.phases != NULL ? (double)vm->workload.phases->len : 0.0;
        per_s += 1.0 + 1.0 / sim_time_to_s(vm->guest.balloon.poll);
    }
    est.samples = floor((double)sc->duration / (double)sc->sample_interval) + 2.0;
    double share_frames = MIN((double)(h->memory / h->page_size), est.pages);
    double row_bytes = sizeof(SimHostSample) + n_vms * sizeof(SimVmSample);
    est.bytes = est.pages * EST_PAGE_BYTES + share_frames * EST_SHARE_BYTES +
                est.samples * row_bytes + est.phases * EST_PHASE_BYTES + n_vms * EST_VM_BYTES;
    est.events = d * per_s + est.phases + (double)sc->events->len + n_vms;
    return est;
}
