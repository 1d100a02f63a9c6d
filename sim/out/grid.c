/*
 * The grid of `reclaimsim sweep`: see sim/out/grid.h. A range steps in
 * whole units of its kind (bytes, nanoseconds, or 10^-k of a decimal
 * number with k the most decimals of FROM, TO and STEP), so "0.1:0.3:0.1"
 * gives 0.1, 0.2, 0.3 exactly, not a float's 0.30000000000000004.
 */
#include "sim/out/grid.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "sim/error.h"
#include "sim/units.h"

/* Decimals a range's numbers may have, and their largest magnitude in units
 * of the last decimal: beyond 2^53 a double (the numeric column) and JSON
 * readers would no longer hold the values exactly. */
#define DECIMALS_MAX 9
#define MANTISSA_MAX (INT64_C(1) << 53)

/* Kinds a token can be, as bits of SimVaryKind. */
#define BIT(kind) (1u << (kind))

typedef struct Vary {
    char *key;
    char *given; /* the argument after '=', as given */
    SimVaryKind kind;
    GPtrArray *values; /* char *: what --set gets */
    GArray *numbers;   /* double per value, NaN for TEXT */
    bool range;        /* FROM:TO:STEP: its values are in order, its ends bound them */
} Vary;

struct SimGrid {
    GPtrArray *varies; /* Vary * */
    GStrv policies;    /* NULL: the scenario's */
    guint n_seeds;     /* 0: the scenario's */
};

/* A scanned FROM, TO or STEP: what it can be read as, and its value as each. */
typedef struct Token {
    unsigned kinds;
    gint64 mantissa; /* NUMBER, PERCENT: value = mantissa / 10^decimals */
    int decimals;
    gint64 bytes; /* SIZE */
    gint64 ns;    /* DURATION */
} Token;

static void vary_free(gpointer data)
{
    Vary *v = data;
    g_free(v->key);
    g_free(v->given);
    g_ptr_array_free(v->values, TRUE);
    g_array_free(v->numbers, TRUE);
    g_free(v);
}

SimGrid *sim_grid_new(void)
{
    SimGrid *g = g_new0(SimGrid, 1);
    g->varies = g_ptr_array_new_with_free_func(vary_free);
    return g;
}

void sim_grid_free(SimGrid *grid)
{
    if (grid == NULL) {
        return;
    }
    g_ptr_array_free(grid->varies, TRUE);
    g_strfreev(grid->policies);
    g_free(grid);
}

G_GNUC_PRINTF(3, 4)
static bool refuse(GError **error, const char *arg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *place = g_strdup_printf("--vary %s", arg);
    return sim_error_at(error, SIM_ERROR_USAGE, place, 0, 0, "%s", msg);
}

/* ---- tokens ---- */

/* "-12.50" or "7%": a decimal number with at most DECIMALS_MAX decimals
 * and MANTISSA_MAX units of its last one; `percent` wants the '%'. */
static bool scan_number(const char *s, bool percent, Token *t)
{
    bool neg = *s == '-';
    const char *p = s + neg;
    gint64 m = 0;
    int digits = 0, decimals = 0;
    bool dot = false;
    for (; g_ascii_isdigit(*p) || (*p == '.' && !dot); p++) {
        if (*p == '.') {
            dot = true;
            continue;
        }
        m = m * 10 + (*p - '0');
        digits++;
        decimals += dot;
        if (m > MANTISSA_MAX || decimals > DECIMALS_MAX) {
            return false;
        }
    }
    if (digits == 0 || (percent ? strcmp(p, "%") != 0 : *p != '\0')) {
        return false;
    }
    t->mantissa = neg ? -m : m;
    t->decimals = decimals;
    return true;
}

/* What `text` can be read as; a '-' is taken by sizes and durations only
 * where `negative` allows it (a STEP going down). */
static Token scan_token(const char *text, bool negative)
{
    Token t = {0};
    if (scan_number(text, false, &t)) {
        t.kinds |= BIT(SIM_VARY_NUMBER);
    } else if (scan_number(text, true, &t) && (negative || text[0] != '-')) {
        /* by the sign, not the mantissa: "-0%" is no percentage a --set takes */
        t.kinds |= BIT(SIM_VARY_PERCENT);
    }
    bool neg = negative && text[0] == '-';
    const char *body = text + neg;
    guint64 bytes = 0;
    SimTime ns = 0;
    if (sim_units_parse_size(body, &bytes, NULL)) {
        t.kinds |= BIT(SIM_VARY_SIZE);
        t.bytes = neg ? -(gint64)bytes : (gint64)bytes;
    }
    if (body[0] != '\0' && sim_units_parse_duration(body, &ns, NULL)) {
        t.kinds |= BIT(SIM_VARY_DURATION);
        t.ns = neg ? -ns : ns;
    }
    return t;
}

static const char *kind_name(SimVaryKind kind)
{
    static const char *const names[] = {"text", "a number", "a size", "a duration", "a percentage"};
    return names[kind];
}

/* "a number or a size": what a token can be, for messages. */
static char *kinds_text(unsigned kinds)
{
    GString *s = g_string_new(NULL);
    for (SimVaryKind k = SIM_VARY_NUMBER; k <= SIM_VARY_PERCENT; k++) {
        if (kinds & BIT(k)) {
            g_string_append_printf(s, "%s%s", s->len ? " or " : "", kind_name(k));
        }
    }
    return g_string_free(s, FALSE);
}

/* The one kind FROM, TO and STEP share: a number when they can all be one
 * (a bare 0 is also a size and a duration); else the only common one. */
static bool common_kind(const char *arg, char **parts, const Token *t, SimVaryKind *kind,
                        GError **error)
{
    unsigned all = t[0].kinds & t[1].kinds & t[2].kinds;
    if (all & BIT(SIM_VARY_NUMBER)) {
        *kind = SIM_VARY_NUMBER;
        return true;
    }
    for (SimVaryKind k = SIM_VARY_SIZE; k <= SIM_VARY_PERCENT; k++) {
        if (all == BIT(k)) {
            *kind = k;
            return true;
        }
    }
    if (all != 0) {
        return refuse(error, arg,
                      "\"%s\" could be minutes or MiB; write the unit out (\"min\" or \"MiB\")",
                      parts[0]);
    }
    static const char *const names[] = {"FROM", "TO", "STEP"};
    for (int i = 0; i < 3; i++) {
        if (t[i].kinds == 0) {
            return refuse(error, arg,
                          "%s \"%s\" is not a number, size, duration or percentage "
                          "(a list of values is KEY=v1,v2,...)",
                          names[i], parts[i]);
        }
    }
    g_autofree char *a = kinds_text(t[0].kinds);
    g_autofree char *b = kinds_text(t[1].kinds);
    g_autofree char *c = kinds_text(t[2].kinds);
    return refuse(error, arg,
                  "FROM, TO and STEP must be of one kind: \"%s\" is %s, \"%s\" %s, "
                  "\"%s\" %s",
                  parts[0], a, parts[1], b, parts[2], c);
}

/* ---- ranges ---- */

/* A decimal mantissa scaled to `decimals` (>= its own), within MANTISSA_MAX. */
static bool rescale(const Token *t, int decimals, gint64 *out)
{
    gint64 m = t->mantissa;
    for (int i = t->decimals; i < decimals; i++) {
        if (m > MANTISSA_MAX / 10 || m < -MANTISSA_MAX / 10) {
            return false;
        }
        m *= 10;
    }
    *out = m;
    return true;
}

/* "-0.05" from mantissa -5 and 2 decimals; trailing zeros dropped, so an
 * integer prints as a JSON integer ("2", not "2.0"). */
static char *format_decimal(gint64 m, int decimals)
{
    guint64 a = m < 0 ? (guint64)0 - (guint64)m : (guint64)m;
    guint64 unit = 1;
    for (int i = 0; i < decimals; i++) {
        unit *= 10;
    }
    guint64 frac = a % unit;
    int shown = decimals;
    while (shown > 0 && frac % 10 == 0) {
        frac /= 10;
        shown--;
    }
    if (shown == 0) {
        return g_strdup_printf("%s%" G_GUINT64_FORMAT, m < 0 ? "-" : "", a / unit);
    }
    return g_strdup_printf("%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT, m < 0 ? "-" : "",
                           a / unit, shown, frac);
}

/* FROM, TO, STEP of `kind` as whole units; *decimals for NUMBER and PERCENT. */
static bool range_units(const char *arg, SimVaryKind kind, const Token *t, gint64 u[3],
                        int *decimals, GError **error)
{
    *decimals = 0;
    for (int i = 0; i < 3; i++) {
        u[i] = kind == SIM_VARY_SIZE ? t[i].bytes : kind == SIM_VARY_DURATION ? t[i].ns : 0;
        *decimals = MAX(*decimals, t[i].decimals);
    }
    if (kind != SIM_VARY_NUMBER && kind != SIM_VARY_PERCENT) {
        *decimals = 0;
        return true;
    }
    for (int i = 0; i < 3; i++) {
        if (!rescale(&t[i], *decimals, &u[i])) {
            return refuse(error, arg, "too many digits: at most 2^53 steps of the last decimal");
        }
    }
    return true;
}

static char *range_value(SimVaryKind kind, gint64 v, int decimals, double *number)
{
    switch (kind) {
    case SIM_VARY_SIZE:
        *number = (double)v / (double)SIM_MIB;
        return sim_units_format_bytes((guint64)v);
    case SIM_VARY_DURATION:
        *number = (double)v / 1e9;
        return sim_units_format_duration(v);
    default: {
        char *text = format_decimal(v, decimals);
        *number = g_ascii_strtod(text, NULL);
        if (kind == SIM_VARY_PERCENT) {
            g_autofree char *number_text = text;
            return g_strconcat(number_text, "%", NULL);
        }
        return text;
    }
    }
}

/* FROM:TO:STEP, TO included when a step lands on it. */
static bool parse_range(Vary *v, const char *arg, char **parts, GError **error)
{
    Token t[3];
    for (int i = 0; i < 3; i++) {
        if (parts[i][0] == '\0') {
            return refuse(error, arg, "expected FROM:TO:STEP, one of them is empty");
        }
        t[i] = scan_token(parts[i], i == 2);
    }
    gint64 u[3];
    int decimals = 0;
    if (!common_kind(arg, parts, t, &v->kind, error) ||
        !range_units(arg, v->kind, t, u, &decimals, error)) {
        return false;
    }
    if (u[2] == 0) {
        return refuse(error, arg, "the step is 0");
    }
    if (u[1] != u[0] && (u[1] > u[0]) != (u[2] > 0)) {
        return refuse(error, arg, "the range is empty: a step of %s never goes from %s to %s%s",
                      parts[2], parts[0], parts[1],
                      u[2] > 0 ? " (a range going down takes a negative step)" : "");
    }
    /* |TO - FROM| fits: both are within 2^62 (sizes, 2^53 numbers) or >= 0 (durations) */
    guint64 count = (guint64)((u[1] - u[0]) / u[2]) + 1;
    if (count > SIM_GRID_MAX_POINTS) {
        return refuse(error, arg, "%" G_GUINT64_FORMAT " values, more than a sweep may have (%d)",
                      count, SIM_GRID_MAX_POINTS);
    }
    for (guint64 i = 0; i < count; i++) {
        double number = NAN;
        g_ptr_array_add(v->values,
                        range_value(v->kind, u[0] + (gint64)i * u[2], decimals, &number));
        g_array_append_val(v->numbers, number);
    }
    return true;
}

/* ---- lists ---- */

/* Splits at the commas outside brackets, braces and JSON strings. */
static GPtrArray *split_top(const char *s, char sep)
{
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);
    int depth = 0;
    bool quoted = false;
    const char *start = s;
    for (const char *p = s;; p++) {
        if (*p == '\0' || (*p == sep && depth == 0 && !quoted)) {
            g_ptr_array_add(parts, g_strndup(start, (gsize)(p - start)));
            if (*p == '\0') {
                break;
            }
            start = p + 1;
        } else if (quoted && *p == '\\' && p[1] != '\0') {
            p++;
        } else if (*p == '"') {
            quoted = !quoted;
        } else if (!quoted && (*p == '[' || *p == '{')) {
            depth++;
        } else if (!quoted && (*p == ']' || *p == '}')) {
            depth--;
        }
    }
    return parts;
}

/* The kind all values share (their numeric column), TEXT when none or
 * when it is ambiguous ("1m": minutes or MiB); the values stay as given. */
static void list_kind(Vary *v)
{
    unsigned all = ~0u;
    for (guint i = 0; i < v->values->len; i++) {
        all &= scan_token(v->values->pdata[i], false).kinds;
    }
    v->kind = SIM_VARY_TEXT;
    if (all & BIT(SIM_VARY_NUMBER)) {
        v->kind = SIM_VARY_NUMBER;
    }
    for (SimVaryKind k = SIM_VARY_SIZE; k <= SIM_VARY_PERCENT; k++) {
        if (all == BIT(k)) {
            v->kind = k;
        }
    }
    for (guint i = 0; i < v->values->len; i++) {
        Token t = scan_token(v->values->pdata[i], false);
        double number = v->kind == SIM_VARY_SIZE       ? (double)t.bytes / (double)SIM_MIB
                        : v->kind == SIM_VARY_DURATION ? (double)t.ns / 1e9
                        : v->kind == SIM_VARY_TEXT     ? NAN
                                                       : (double)t.mantissa / pow(10, t.decimals);
        g_array_append_val(v->numbers, number);
    }
}

static bool parse_list(Vary *v, const char *arg, GPtrArray *items, GError **error)
{
    for (guint i = 0; i < items->len; i++) {
        const char *item = items->pdata[i];
        if (item[0] == '\0') {
            return refuse(error, arg, "empty value in the list (values are separated by commas)");
        }
        for (guint j = 0; j < i; j++) {
            if (strcmp(item, items->pdata[j]) == 0) {
                return refuse(error, arg, "value \"%s\" is given twice", item);
            }
        }
        g_ptr_array_add(v->values, g_strdup(item));
    }
    list_kind(v);
    return true;
}

/* ---- the grid ---- */

static bool parse_values(Vary *v, const char *arg, GError **error)
{
    g_autoptr(GPtrArray) items = split_top(v->given, ',');
    if (items->len > 1) {
        return parse_list(v, arg, items, error);
    }
    g_autoptr(GPtrArray) parts = split_top(v->given, ':');
    if (parts->len == 3) {
        v->range = true;
        return parse_range(v, arg, (char **)parts->pdata, error);
    }
    if (parts->len != 1) {
        return refuse(error, arg,
                      "expected KEY=FROM:TO:STEP or KEY=v1,v2,... (a value with "
                      "':' in it is given as a JSON string, in quotes)");
    }
    return parse_list(v, arg, items, error);
}

bool sim_grid_add_vary(SimGrid *grid, const char *arg, GError **error)
{
    g_return_val_if_fail(grid != NULL && arg != NULL, false);
    const char *eq = strchr(arg, '=');
    if (eq == NULL || eq == arg) {
        return refuse(error, arg, "expected KEY=FROM:TO:STEP or KEY=v1,v2,...");
    }
    g_autofree char *key = g_strndup(arg, (gsize)(eq - arg));
    if (!g_utf8_validate(key, -1, NULL) || !g_utf8_validate(eq + 1, -1, NULL)) {
        return refuse(error, arg, "not valid UTF-8");
    }
    if (strcmp(key, "seed") == 0) {
        return refuse(error, arg, "seeds are varied with --seeds N (seeds 1 to N)");
    }
    for (guint i = 0; i < grid->varies->len; i++) {
        if (strcmp(((Vary *)grid->varies->pdata[i])->key, key) == 0) {
            return refuse(error, arg, "key \"%s\" is varied twice", key);
        }
    }
    Vary *v = g_new0(Vary, 1);
    v->key = g_steal_pointer(&key);
    v->given = g_strdup(eq + 1);
    v->values = g_ptr_array_new_with_free_func(g_free);
    v->numbers = g_array_new(FALSE, FALSE, sizeof(double));
    if (!parse_values(v, arg, error)) {
        vary_free(v);
        return false;
    }
    g_ptr_array_add(grid->varies, v);
    return true;
}

void sim_grid_set_policies(SimGrid *grid, const char *const *policies)
{
    g_strfreev(grid->policies);
    grid->policies = policies != NULL && policies[0] != NULL ? g_strdupv((char **)policies) : NULL;
}

void sim_grid_set_seeds(SimGrid *grid, guint n)
{
    grid->n_seeds = n;
}

guint sim_grid_n_varies(const SimGrid *grid)
{
    return grid->varies->len;
}

static const Vary *vary_at(const SimGrid *grid, guint vary)
{
    g_return_val_if_fail(vary < grid->varies->len, NULL);
    return grid->varies->pdata[vary];
}

const char *sim_grid_vary_key(const SimGrid *grid, guint vary)
{
    return vary_at(grid, vary)->key;
}

SimVaryKind sim_grid_vary_kind(const SimGrid *grid, guint vary)
{
    return vary_at(grid, vary)->kind;
}

guint sim_grid_vary_n_values(const SimGrid *grid, guint vary)
{
    return vary_at(grid, vary)->values->len;
}

const char *sim_grid_vary_value(const SimGrid *grid, guint vary, guint index)
{
    const Vary *v = vary_at(grid, vary);
    g_return_val_if_fail(index < v->values->len, NULL);
    return v->values->pdata[index];
}

double sim_grid_vary_number(const SimGrid *grid, guint vary, guint index)
{
    const Vary *v = vary_at(grid, vary);
    g_return_val_if_fail(index < v->numbers->len, NAN);
    return g_array_index(v->numbers, double, index);
}

guint sim_grid_n_policies(const SimGrid *grid)
{
    return grid->policies != NULL ? g_strv_length(grid->policies) : 0;
}

guint sim_grid_n_seeds(const SimGrid *grid)
{
    return grid->n_seeds;
}

/* The product of the dimensions, saturated above SIM_GRID_MAX_POINTS. */
guint64 sim_grid_n_points(const SimGrid *grid)
{
    guint64 n = MAX(sim_grid_n_policies(grid), 1) * (guint64)MAX(grid->n_seeds, 1);
    for (guint i = 0; i < grid->varies->len && n <= SIM_GRID_MAX_POINTS; i++) {
        n *= sim_grid_vary_n_values(grid, i);
    }
    return MIN(n, (guint64)SIM_GRID_MAX_POINTS + 1);
}

/* The key of a "KEY=VALUE" --set, or NULL. */
static bool set_of_key(const char *set, const char *key)
{
    size_t n = strlen(key);
    return strncmp(set, key, n) == 0 && set[n] == '=';
}

bool sim_grid_check(const SimGrid *grid, const char *const *sets, GError **error)
{
    guint64 n = sim_grid_n_points(grid);
    if (n > SIM_GRID_MAX_POINTS) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "reclaimsim: sweep: the grid has more than %d points; vary fewer values",
                    SIM_GRID_MAX_POINTS);
        return false;
    }
    for (guint i = 0; i < grid->varies->len; i++) {
        const Vary *v = grid->varies->pdata[i];
        g_autofree char *arg = g_strdup_printf("%s=%s", v->key, v->given);
        if (grid->policies != NULL && strcmp(v->key, "host.policy") == 0) {
            return refuse(error, arg, "the policy is varied by --policies as well");
        }
        for (guint s = 0; sets != NULL && sets[s] != NULL; s++) {
            if (set_of_key(sets[s], v->key)) {
                return refuse(error, arg, "--set %s gives the same key", sets[s]);
            }
        }
    }
    return true;
}

void sim_grid_point(const SimGrid *grid, guint64 id, SimGridPoint *point)
{
    guint n_seeds = MAX(grid->n_seeds, 1);
    guint n_policies = MAX(sim_grid_n_policies(grid), 1);
    point->seed = grid->n_seeds > 0 ? id % n_seeds + 1 : 0;
    id /= n_seeds;
    point->policy = grid->policies != NULL ? grid->policies[id % n_policies] : NULL;
    id /= n_policies;
    for (guint i = grid->varies->len; i-- > 0;) {
        guint n = sim_grid_vary_n_values(grid, i);
        point->value[i] = (guint)(id % n);
        id /= n;
    }
}

/* host.policy=NAME with NAME a JSON string, so a name or path is never read as JSON. */
static char *policy_set(const char *policy)
{
    json_t *s = json_string(policy);
    g_autofree char *text = s != NULL ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    json_decref(s);
    return g_strdup_printf("host.policy=%s", text != NULL ? text : policy);
}

/* The id of the point with vary `vary` at value `index` (-1: none moved)
 * and policy `policy`, every other choice at its first. */
static guint64 point_moved(const SimGrid *grid, guint vary, guint index, guint policy)
{
    guint64 id = 0;
    for (guint i = 0; i < grid->varies->len; i++) {
        id = id * sim_grid_vary_n_values(grid, i) + (i == vary ? index : 0);
    }
    return (id * MAX(sim_grid_n_policies(grid), 1) + policy) * MAX(grid->n_seeds, 1);
}

GArray *sim_grid_probe_ids(const SimGrid *grid)
{
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(guint64));
    g_autoptr(GHashTable) seen = g_hash_table_new(g_int64_hash, g_int64_equal);
    g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(guint64));
    for (guint p = 0; p < MAX(sim_grid_n_policies(grid), 1); p++) {
        guint64 id = point_moved(grid, G_MAXUINT, 0, p);
        g_array_append_val(all, id);
    }
    for (guint i = 0; i < grid->varies->len; i++) {
        const Vary *v = grid->varies->pdata[i];
        for (guint j = 0; j < v->values->len; j++) {
            if (!v->range || j == 0 || j + 1 == v->values->len) {
                guint64 id = point_moved(grid, i, j, 0);
                g_array_append_val(all, id);
            }
        }
    }
    guint64 *keys = (guint64 *)(void *)all->data; /* stable: `all` is not grown again */
    for (guint k = 0; k < all->len; k++) {
        if (g_hash_table_add(seen, &keys[k])) {
            g_array_append_val(ids, keys[k]);
        }
    }
    return ids;
}

GStrv sim_grid_point_sets(const SimGrid *grid, guint64 id, const char *const *sets)
{
    g_autofree guint *value = g_new0(guint, MAX(grid->varies->len, 1));
    SimGridPoint p = {.value = value};
    sim_grid_point(grid, id, &p);
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    if (p.policy != NULL) {
        g_autofree char *set = policy_set(p.policy);
        g_strv_builder_add(b, set);
    }
    for (guint i = 0; sets != NULL && sets[i] != NULL; i++) {
        g_strv_builder_add(b, sets[i]);
    }
    for (guint i = 0; i < grid->varies->len; i++) {
        g_autofree char *set = g_strdup_printf("%s=%s", sim_grid_vary_key(grid, i),
                                               sim_grid_vary_value(grid, i, value[i]));
        g_strv_builder_add(b, set);
    }
    return g_strv_builder_end(b);
}

char *sim_grid_describe(const SimGrid *grid)
{
    json_t *varies = json_array();
    for (guint i = 0; i < grid->varies->len; i++) {
        const Vary *v = grid->varies->pdata[i];
        json_t *values = json_array();
        for (guint j = 0; j < v->values->len; j++) {
            json_array_append_new(values, json_string(v->values->pdata[j]));
        }
        json_array_append_new(varies, json_pack("{s:s, s:s, s:o}", "key", v->key, "given", v->given,
                                                "values", values));
    }
    json_t *policies = json_null();
    if (grid->policies != NULL) {
        policies = json_array();
        for (guint i = 0; grid->policies[i] != NULL; i++) {
            json_array_append_new(policies, json_string(grid->policies[i]));
        }
    }
    json_t *root = json_pack("{s:o, s:o, s:I}", "vary", varies, "policies", policies, "seeds",
                             (json_int_t)grid->n_seeds);
    char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    return text;
}
