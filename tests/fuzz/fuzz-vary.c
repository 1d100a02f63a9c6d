/*
 * Fuzz target: the --vary parser and the grid of `reclaimsim sweep`
 * (sim/out/grid.h). The input is one --vary argument a line.
 *
 * Checked beyond "no crash, no UB": a refused --vary is one line, a usage
 * error (exit 2) starting "--vary ARG: error: "; an accepted one has 1 to
 * SIM_GRID_MAX_POINTS values, none empty, none twice; the values of a
 * size, duration or percentage --vary parse back to their numeric column
 * (exactly for sizes and durations); every point of a small grid has
 * overrides "KEY=VALUE" for every key; the grid describes itself as JSON.
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "sim/error.h"
#include "sim/out/grid.h"
#include "sim/units.h"

static void check_refusal(const char *arg, const GError *e)
{
    fuzz_check_bad_input(e);
    g_autofree char *prefix = g_strdup_printf("--vary %s: error: ", arg);
    if (!g_error_matches(e, SIM_ERROR, SIM_ERROR_USAGE) || !g_str_has_prefix(e->message, prefix)) {
        fuzz_fail("a refusal that is not a --vary usage error");
    }
}

/* A value's numeric column agrees with its text. */
static void check_number(SimVaryKind kind, const char *value, double number)
{
    guint64 bytes = 0;
    SimTime ns = 0;
    double fraction = 0;
    bool ok = true;
    switch (kind) {
    case SIM_VARY_SIZE:
        ok = sim_units_parse_size(value, &bytes, NULL) && (double)bytes / (1 << 20) == number;
        break;
    case SIM_VARY_DURATION:
        ok = sim_units_parse_duration(value, &ns, NULL) && (double)ns / 1e9 == number;
        break;
    case SIM_VARY_PERCENT:
        ok = sim_units_parse_percent(value, &fraction, NULL) &&
             fabs(fraction * 100 - number) <= 1e-9 * fmax(1, fabs(number));
        break;
    case SIM_VARY_NUMBER:
        ok = fabs(g_ascii_strtod(value, NULL) - number) <= 1e-9 * fmax(1, fabs(number));
        break;
    case SIM_VARY_TEXT:
        ok = isnan(number);
        break;
    }
    if (!ok) {
        fuzz_fail("a value and its numeric column disagree");
    }
}

static void check_vary(const SimGrid *g, guint v)
{
    guint n = sim_grid_vary_n_values(g, v);
    if (n == 0 || n > SIM_GRID_MAX_POINTS) {
        fuzz_fail("a --vary with no values or too many");
    }
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < n; i++) {
        const char *value = sim_grid_vary_value(g, v, i);
        if (value[0] == '\0' || !g_hash_table_add(seen, (gpointer)value)) {
            fuzz_fail("an empty value or a value twice");
        }
        check_number(sim_grid_vary_kind(g, v), value, sim_grid_vary_number(g, v, i));
    }
}

static void check_points(const SimGrid *g)
{
    guint64 n = sim_grid_n_points(g);
    for (guint64 id = 0; id < MIN(n, 64); id++) {
        g_auto(GStrv) sets = sim_grid_point_sets(g, id, NULL);
        if (g_strv_length(sets) != sim_grid_n_varies(g)) {
            fuzz_fail("a point without an override per key");
        }
        for (guint i = 0; sets[i] != NULL; i++) {
            g_autofree char *prefix = g_strconcat(sim_grid_vary_key(g, i), "=", NULL);
            if (!g_str_has_prefix(sets[i], prefix)) {
                fuzz_fail("an override of the wrong key");
            }
        }
    }
    g_autofree char *d = sim_grid_describe(g);
    json_t *j = d != NULL ? json_loads(d, 0, NULL) : NULL;
    if (j == NULL) {
        fuzz_fail("the grid does not describe itself as JSON");
    }
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = fuzz_strndup(data, size);
    g_auto(GStrv) lines = g_strsplit(text, "\n", 8);
    g_autoptr(SimGrid) g = sim_grid_new();
    for (guint i = 0; lines[i] != NULL; i++) {
        g_autoptr(GError) e = NULL;
        guint before = sim_grid_n_varies(g);
        if (!sim_grid_add_vary(g, lines[i], &e)) {
            check_refusal(lines[i], e);
            if (sim_grid_n_varies(g) != before) {
                fuzz_fail("a refused --vary was added");
            }
            continue;
        }
        check_vary(g, sim_grid_n_varies(g) - 1);
    }
    g_autoptr(GError) e = NULL;
    if (sim_grid_check(g, NULL, &e)) {
        check_points(g);
    } else {
        fuzz_check_bad_input(e);
    }
    return 0;
}
