/*
 * One point of a sweep, its run and its result, as text too: see
 * sim/out/sweeppoint.h.
 */
#include "sim/out/sweeppoint.h"

#include <jansson.h>
#include <string.h>

#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/load/scenario.h"
#include "sim/out/outdir.h"
#include "sim/out/results.h"
#include "sim/run/run.h"

void sim_sweep_result_free(SimSweepResult *result)
{
    if (result == NULL) {
        return;
    }
    g_free(result->error);
    g_free(result->policy);
    g_free(result->warnings);
    sim_compare_row_clear(&result->row);
    g_free(result);
}

char *sim_sweep_run_folder(const SimGrid *grid, guint64 id)
{
    g_autofree char *last =
        g_strdup_printf("%" G_GUINT64_FORMAT, MAX(sim_grid_n_points(grid), 1) - 1);
    return g_strdup_printf("%0*" G_GUINT64_FORMAT, (int)strlen(last), id);
}

static void add_warnings(GString *w, const GPtrArray *list)
{
    for (guint i = 0; list != NULL && i < list->len; i++) {
        g_string_append_printf(w, "%s%s", w->len ? "\n" : "", (const char *)list->pdata[i]);
    }
}

void sim_sweep_point_clear(SimSweepPoint *point)
{
    g_strfreev(point->sets);
    g_free(point->policy);
    g_free(point->keep_dir);
    memset(point, 0, sizeof *point);
}

static void clear_point(gpointer point)
{
    sim_sweep_point_clear(point);
}

GArray *sim_sweep_points_of_grid(const SimGrid *grid, const char *const *sets,
                                 const guint64 *ids, guint64 n_ids, const char *keep_runs)
{
    GArray *points = g_array_sized_new(FALSE, TRUE, sizeof(SimSweepPoint), (guint)n_ids);
    g_array_set_clear_func(points, clear_point);
    g_autofree guint *value = g_new0(guint, MAX(sim_grid_n_varies(grid), 1));
    for (guint64 i = 0; i < n_ids; i++) {
        SimGridPoint p = {.value = value};
        sim_grid_point(grid, ids[i], &p);
        SimSweepPoint point = {.id = ids[i],
                               .sets = sim_grid_point_sets(grid, ids[i], sets),
                               .policy = g_strdup(p.policy),
                               .seed = p.seed};
        if (keep_runs != NULL) {
            g_autofree char *name = sim_sweep_run_folder(grid, ids[i]);
            point.keep_dir = g_build_filename(keep_runs, name, NULL);
        }
        g_array_append_val(points, point);
    }
    return points;
}

/* The point's folder as `run -o` leaves it, through its own staging directory. */
static bool keep_run(const char *dir, SimRun *run, GError **error)
{
    g_autoptr(SimOutdir) out = sim_outdir_new(dir, SIM_OUTDIR_DEFAULT, error);
    const char *stage = out != NULL ? sim_outdir_stage(out, error) : NULL;
    return stage != NULL &&
           sim_results_write(sim_run_recorder(run), sim_run_totals(run), stage, dir, error) &&
           sim_outdir_commit(out, error);
}

/* The point's scenario: from `text` when given, else from the file (the
 * built-in default without one). */
static SimScenario *load_point(const char *scenario, const char *text, gsize len,
                               const SimSweepPoint *point, GError **error)
{
    const char *const *sets = (const char *const *)point->sets;
    if (text != NULL) {
        return sim_scenario_load_text_with_overrides(scenario, text, len, sets, error);
    }
    return sim_scenario_load_with_overrides(scenario, sets, error);
}

/* Loads and runs `point` into `r`; false when it failed (r->error set). */
static bool run_point(const char *scenario, const char *text, gsize len,
                      const SimSweepPoint *point, SimSweepResult *r, GError **error)
{
    r->policy = g_strdup(point->policy);
    g_autoptr(SimScenario) sc = load_point(scenario, text, len, point, error);
    if (sc == NULL) {
        return false;
    }
    if (point->seed != 0) {
        sc->seed = point->seed;
    }
    r->seed = sc->seed;
    r->has_seed = true;
    g_autoptr(SimRun) run = sim_run_new(sc, NULL, error);
    if (run == NULL || !sim_run_execute(run, error) ||
        (point->keep_dir != NULL && !keep_run(point->keep_dir, run, error))) {
        return false;
    }
    if (r->policy == NULL) {
        r->policy = g_strdup(sim_run_policy(run)->name);
    }
    GString *w = g_string_new(NULL);
    add_warnings(w, sc->warnings);
    add_warnings(w, sim_run_warnings(run));
    r->warnings = g_string_free(w, w->len == 0);
    sim_compare_row_fill(&r->row, sim_run_recorder(run), sim_run_totals(run));
    return true;
}

SimSweepResult *sim_sweep_run_point_text(const char *scenario, const char *text, gsize len,
                                         const SimSweepPoint *point, bool *interrupted)
{
    SimSweepResult *r = g_new0(SimSweepResult, 1);
    r->id = point->id;
    GError *error = NULL;
    r->ok = run_point(scenario, text, len, point, r, &error);
    *interrupted = !r->ok && sim_interrupt_signal() != 0;
    if (!r->ok) {
        r->error = sim_error_one_line(error->message);
        g_error_free(error);
    }
    return r;
}

SimSweepResult *sim_sweep_run_point(const char *scenario, const SimSweepPoint *point,
                                    bool *interrupted)
{
    return sim_sweep_run_point_text(scenario, NULL, 0, point, interrupted);
}

/* ---- as text, for another process ---- */

/* 64-bit numbers as decimal strings: JSON integers stop at 2^63. */
static json_t *pack_u64(guint64 v)
{
    char text[24];
    g_snprintf(text, sizeof text, "%" G_GUINT64_FORMAT, v);
    return json_string(text);
}

static bool unpack_u64(const json_t *json, guint64 *v)
{
    const char *text = json_string_value(json);
    return text != NULL && g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT64, v, NULL);
}

/* Text as a JSON string; bytes that are not UTF-8 (a folder's name may
 * not be) as {"hex": "..."}, which JSON strings cannot hold. */
static json_t *pack_text(const char *text)
{
    if (text == NULL) {
        return json_null();
    }
    if (g_utf8_validate(text, -1, NULL)) {
        return json_string(text);
    }
    GString *hex = g_string_new(NULL);
    for (const char *c = text; *c != '\0'; c++) {
        g_string_append_printf(hex, "%02x", (guint)(guchar)*c);
    }
    json_t *json = json_pack("{s:s%}", "hex", hex->str, hex->len);
    g_string_free(hex, TRUE);
    return json;
}

static bool unpack_hex(const char *hex, char **text)
{
    gsize n = strlen(hex) / 2;
    if (strlen(hex) % 2 != 0) {
        return false;
    }
    *text = g_malloc0(n + 1);
    for (gsize i = 0; i < n; i++) {
        int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            g_clear_pointer(text, g_free);
            return false;
        }
        (*text)[i] = (char)(hi * 16 + lo);
    }
    return true;
}

static bool unpack_text(const json_t *json, char **text)
{
    const char *hex = json_string_value(json_object_get(json, "hex"));
    *text = json_is_string(json) ? g_strdup(json_string_value(json)) : NULL;
    if (hex != NULL) {
        return unpack_hex(hex, text);
    }
    return json_is_string(json) || json_is_null(json);
}

/* One line of JSON: compact, keys in the order packed. */
static char *dump(json_t *json)
{
    char *text = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(json);
    char *copy = g_strdup(text); /* g_free-able */
    free(text);
    return copy;
}

static bool bad_text(GError **error, const char *what)
{
    g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "not a packed sweep %s", what);
    return false;
}

char *sim_sweep_point_pack(const SimSweepPoint *point)
{
    json_t *sets = json_array();
    for (guint i = 0; point->sets != NULL && point->sets[i] != NULL; i++) {
        json_array_append_new(sets, pack_text(point->sets[i]));
    }
    return dump(json_pack("{s:o, s:o, s:o, s:o, s:o}", "id", pack_u64(point->id), "sets", sets,
                          "policy", pack_text(point->policy), "seed", pack_u64(point->seed),
                          "keep_dir", pack_text(point->keep_dir)));
}

static bool unpack_sets(const json_t *sets, SimSweepPoint *point)
{
    if (!json_is_array(sets)) {
        return false;
    }
    point->sets = g_new0(char *, json_array_size(sets) + 1);
    for (size_t i = 0; i < json_array_size(sets); i++) {
        if (!unpack_text(json_array_get(sets, i), &point->sets[i]) || point->sets[i] == NULL) {
            return false;
        }
    }
    return true;
}

bool sim_sweep_point_unpack(const char *text, SimSweepPoint *point, GError **error)
{
    memset(point, 0, sizeof *point);
    json_t *json = json_loads(text, 0, NULL);
    bool ok = json_is_object(json) && unpack_u64(json_object_get(json, "id"), &point->id) &&
              unpack_sets(json_object_get(json, "sets"), point) &&
              unpack_text(json_object_get(json, "policy"), &point->policy) &&
              unpack_u64(json_object_get(json, "seed"), &point->seed) &&
              unpack_text(json_object_get(json, "keep_dir"), &point->keep_dir);
    json_decref(json);
    if (!ok) {
        sim_sweep_point_clear(point);
        return bad_text(error, "point");
    }
    return true;
}

char *sim_sweep_result_pack(const SimSweepResult *r)
{
    return dump(json_pack("{s:o, s:b, s:o, s:o, s:o, s:b, s:o, s:o}", "id", pack_u64(r->id), "ok",
                          r->ok, "error", pack_text(r->error), "policy", pack_text(r->policy),
                          "seed", pack_u64(r->seed), "has_seed", r->has_seed, "warnings",
                          pack_text(r->warnings), "row",
                          r->ok ? sim_compare_row_pack(&r->row) : json_null()));
}

static bool unpack_row(const json_t *json, SimSweepResult *r)
{
    return r->ok ? sim_compare_row_unpack(json, &r->row) : json_is_null(json);
}

SimSweepResult *sim_sweep_result_unpack(const char *text, GError **error)
{
    SimSweepResult *r = g_new0(SimSweepResult, 1);
    json_t *json = json_loads(text, 0, NULL);
    const json_t *ok = json_object_get(json, "ok");
    const json_t *has_seed = json_object_get(json, "has_seed");
    bool good = json_is_object(json) && unpack_u64(json_object_get(json, "id"), &r->id) &&
                json_is_boolean(ok) && json_is_boolean(has_seed) &&
                unpack_text(json_object_get(json, "error"), &r->error) &&
                unpack_text(json_object_get(json, "policy"), &r->policy) &&
                unpack_u64(json_object_get(json, "seed"), &r->seed) &&
                unpack_text(json_object_get(json, "warnings"), &r->warnings);
    if (good) {
        r->ok = json_is_true(ok);
        r->has_seed = json_is_true(has_seed);
        good = unpack_row(json_object_get(json, "row"), r);
    }
    json_decref(json);
    if (!good) {
        sim_sweep_result_free(r);
        bad_text(error, "result");
        return NULL;
    }
    return r;
}
