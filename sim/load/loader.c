/*
 * The loader's state, its messages and their places: JSON pointers, quoting,
 * "FILE:LINE:COL: error: ... (at /pointer)", warnings, "did you mean" hints
 * and the unknown-key walk over the key tables (sim/load/keys.h).
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "sim/load/loader-private.h"
#include "sim/units.h"

const char *sim_load_keep(Loader *ld, char *s)
{
    g_ptr_array_add(ld->pool, s);
    return s;
}

/* parent + "/" + key, escaped as RFC 6901 says (~ is ~0, / is ~1). */
const char *sim_load_ptr_key(Loader *ld, const char *parent, const char *key)
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
    return sim_load_keep(ld, g_string_free(out, FALSE));
}

const char *sim_load_ptr_index(Loader *ld, const char *parent, size_t i)
{
    return sim_load_keep(ld, g_strdup_printf("%s/%zu", parent, i));
}

/*
 * User text for a one-line message: quotes, backslashes and control
 * characters escaped as in JSON, UTF-8 kept as it is (g_strescape would turn
 * it into octal escapes).
 */
const char *sim_load_quote(Loader *ld, const char *s)
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
    return sim_load_keep(ld, g_string_free(out, FALSE));
}

const char *sim_load_fmt_bytes(Loader *ld, uint64_t bytes)
{
    return sim_load_keep(ld, sim_units_format_bytes(bytes));
}

const char *sim_load_fmt_pct(Loader *ld, double fraction)
{
    return sim_load_keep(ld, sim_units_format_percent(fraction));
}

const char *sim_load_fmt_num(Loader *ld, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    return sim_load_keep(ld, g_strdup(g_ascii_formatd(buf, sizeof buf, "%g", v)));
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
    return sim_error_place(ld->path, line, col);
}

/*
 * Sets the one error of the load, placed at `ptr`; always returns false. A
 * NULL `ptr` (a value that came from a default, with no place of its own)
 * is a bug of the caller, which must pass the enclosing object instead; it
 * still gets a location, the document's start, rather than a crash.
 */
G_GNUC_PRINTF(5, 6)
bool sim_load_fail_at(Loader *ld, SimErrorCode code, const char *ptr, SimSrcLocTarget target,
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
    return sim_error_at(ld->error, code, where, 0, 0, "%s (at %s)", msg,
                        found[0] != '\0' ? found : "/");
}

/* Adds a warning about an accepted but odd value at `ptr`, located as errors are. */
G_GNUC_PRINTF(3, 4)
void sim_load_warn_at(Loader *ld, const char *ptr, const char *fmt, ...)
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

bool sim_load_rethrow(Loader *ld, const char *ptr, const GError *e)
{
    return sim_load_fail(ld, (SimErrorCode)e->code, ptr, "%s", e->message);
}

const char *sim_load_json_kind(const json_t *v)
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

bool sim_load_type_error(Loader *ld, const char *ptr, const json_t *v, const char *expected)
{
    return sim_load_fail(ld, SIM_ERROR_TYPE, ptr, "expected %s, got %s", expected,
                         sim_load_json_kind(v));
}

bool sim_load_missing(Loader *ld, const char *ptr, const char *key)
{
    return sim_load_fail(ld, SIM_ERROR_VALUE, ptr, "missing required key \"%s\"", key);
}

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
const char *sim_load_hint(Loader *ld, const char *word, const char *const *candidates, guint n)
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
    return sim_load_keep(ld, g_strdup_printf(" (did you mean \"%s\"?)", sim_load_quote(ld, best)));
}

/* "a, b, c" */
static const char *join(Loader *ld, const char *const *names, guint n)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        g_string_append_printf(out, "%s%s", i > 0 ? ", " : "", names[i]);
    }
    return sim_load_keep(ld, g_string_free(out, FALSE));
}

bool sim_load_unknown_name(Loader *ld, const char *ptr, const char *what, const char *name,
                           const char *const *valid, guint n, const char *noun)
{
    return sim_load_fail(ld, SIM_ERROR_VALUE, ptr, "unknown %s \"%s\"%s; %s: %s", what,
                         sim_load_quote(ld, name), sim_load_hint(ld, name, valid, n), noun,
                         join(ld, valid, n));
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
    return sim_load_fail_at(ld, SIM_ERROR_UNKNOWN_KEY, ptr, SIM_SRCLOC_KEY, "unknown key \"%s\"%s",
                            sim_load_quote(ld, key), sim_load_hint(ld, key, names, n));
}

/*
 * Rejects keys the format does not have, in document order, at every level.
 * Values of the wrong type are left to the value checks that follow.
 */
bool sim_load_check_keys(Loader *ld, json_t *v, const char *ptr, SimKeyType kind,
                         const SimKey *members)
{
    const char *key = NULL;
    json_t *child = NULL;
    size_t i = 0;
    if (kind == SIM_KEY_ARRAY && json_is_array(v)) {
        json_array_foreach(v, i, child)
        {
            if (!sim_load_check_keys(ld, child, sim_load_ptr_index(ld, ptr, i), SIM_KEY_OBJECT,
                                     members)) {
                return false;
            }
        }
    } else if (kind == SIM_KEY_MAP && json_is_object(v)) {
        json_object_foreach(v, key, child)
        {
            if (!sim_load_check_keys(ld, child, sim_load_ptr_key(ld, ptr, key), SIM_KEY_OBJECT,
                                     members)) {
                return false;
            }
        }
    } else if (kind == SIM_KEY_OBJECT && json_is_object(v)) {
        json_object_foreach(v, key, child)
        {
            const SimKey *spec = sim_key_find(members, key);
            const char *cptr = sim_load_ptr_key(ld, ptr, key);
            if (spec == NULL) {
                return unknown_key(ld, cptr, key, members);
            }
            /* a policy's settings depend on the class it names: load_policy checks them */
            if (spec->members != NULL && (spec->flags & SIM_KEY_POLICY) == 0 &&
                !sim_load_check_keys(ld, child, cptr, spec->type, spec->members)) {
                return false;
            }
        }
    }
    return true;
}

/* "8.6e12", "20000": a count for a message. */
const char *sim_load_fmt_count(Loader *ld, double n)
{
    if (n < 1e6) {
        return sim_load_keep(ld, g_strdup_printf("%.0f", n));
    }
    int exp = (int)floor(log10(n));
    return sim_load_keep(ld, g_strdup_printf("%.2ge%d", n / pow(10.0, exp), exp));
}

/* "52TiB", "1.5GiB": a size for a message, to 3 digits. */
const char *sim_load_fmt_approx_bytes(Loader *ld, double b)
{
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    guint u = 0;
    while (b >= 1024.0 && u + 1 < G_N_ELEMENTS(units)) {
        b /= 1024.0;
        u++;
    }
    return sim_load_keep(ld, g_strdup_printf("%.3g%s", b, units[u]));
}
