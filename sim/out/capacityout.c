/*
 * The answers of `reclaimsim capacity` over seeds, and DIR/capacity.json:
 * see sim/out/capacityrun.h. Every number in the file comes from the
 * searches' answers and the database's rows, so a resumed command writes
 * the same bytes as an uninterrupted one.
 */
#include <jansson.h>
#include <string.h>

#include "sim/out/capacitydb.h"
#include "sim/out/capacityrun.h"
#include "sim/out/outdir.h"

SimCapacityOverall sim_capacity_overall(const SimCapacityPlan *plan, const SimCapAnswer *answers,
                                        guint policy)
{
    guint n_seeds = MAX(sim_grid_n_seeds(plan->lanes), 1);
    SimCapacityOverall o = {.found = true, .monotone = true};
    bool largest = plan->goal == SIM_CAP_LARGEST;
    bool any = false;
    for (guint s = 0; s < n_seeds; s++) {
        const SimCapAnswer *a = &answers[policy * n_seeds + s];
        o.monotone = o.monotone && a->monotone;
        o.found = o.found && a->found;
        if (!a->found) {
            continue;
        }
        o.lowest = any ? MIN(o.lowest, a->value) : a->value;
        o.highest = any ? MAX(o.highest, a->value) : a->value;
        if (!any || (largest ? a->value < o.value : a->value > o.value)) {
            o.value = a->value;
            o.at_limit = a->at_limit;
        }
        any = true;
    }
    return o;
}

/* A value as JSON: a count as a number, a host as its size text. */
static json_t *value_json(const SimCapacityPlan *plan, gint64 v)
{
    if (!plan->memory) {
        return json_integer(v);
    }
    g_autofree char *text = sim_capacity_value_text(plan, v);
    return json_string(text);
}

static json_t *lane_json(const SimCapacityPlan *plan, const char *own_policy, guint lane,
                         const SimCapAnswer *a)
{
    SimGridPoint where = {.value = NULL};
    sim_grid_point(plan->lanes, lane, &where);
    json_t *o = json_pack("{s:i, s:s, s:o}", "search", (int)lane, "policy",
                          where.policy != NULL ? where.policy : own_policy, "seed",
                          where.seed != 0 ? json_integer((json_int_t)where.seed) : json_null());
    json_object_set_new(o, "answer", a->found ? value_json(plan, a->value) : json_null());
    json_object_set_new(o, "at_limit", json_boolean(a->at_limit));
    json_object_set_new(o, "monotone", json_boolean(a->monotone));
    json_object_set_new(o, "range", a->found ? json_pack("[o, o]", value_json(plan, a->range_lo),
                                                         value_json(plan, a->range_hi))
                                             : json_null());
    json_object_set_new(o, "passes_at", a->has_pass ? value_json(plan, a->pass_at) : json_null());
    json_object_set_new(o, "fails_at", a->has_fail ? value_json(plan, a->fail_at) : json_null());
    json_object_set_new(o, "rounds", json_integer(a->rounds));
    json_object_set_new(o, "probes", json_integer(a->probes));
    return o;
}

static json_t *overall_json(const SimCapacityPlan *plan, const char *own_policy,
                            const SimCapAnswer *answers)
{
    guint n_policies = sim_grid_n_policies(plan->lanes);
    json_t *all = json_array();
    for (guint p = 0; p < MAX(n_policies, 1); p++) {
        SimCapacityOverall o = sim_capacity_overall(plan, answers, p);
        SimGridPoint where = {.value = NULL};
        sim_grid_point(plan->lanes, (guint64)p * MAX(sim_grid_n_seeds(plan->lanes), 1), &where);
        json_t *row = json_pack("{s:s, s:o, s:o, s:b, s:b}", "policy",
                                where.policy != NULL ? where.policy : own_policy, "answer",
                                o.found ? value_json(plan, o.value) : json_null(), "seeds_range",
                                o.found ? json_pack("[o, o]", value_json(plan, o.lowest),
                                                    value_json(plan, o.highest))
                                        : json_null(),
                                "at_limit", o.at_limit, "monotone", o.monotone);
        json_array_append_new(all, row);
    }
    return all;
}

static json_t *search_json(const SimCapacityPlan *plan)
{
    return json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:i, s:{s:f}}", "key", plan->key, "vm",
                     plan->vm != NULL ? json_string(plan->vm) : json_null(), "goal",
                     plan->goal == SIM_CAP_LARGEST ? "largest passing" : "smallest passing",
                     "step", plan->memory ? value_json(plan, 1) : json_integer(1), "floor",
                     value_json(plan, plan->lo), "start", value_json(plan, plan->start), "max",
                     value_json(plan, plan->hi), "width", (int)plan->width, "sla", "perf_index",
                     plan->sla);
}

bool sim_capacity_write_json(const char *path, const char *scenario_name, const char *own_policy,
                             const SimCapacityPlan *plan, const SimCapacityRun *run,
                             SimCapacityDb *db, GError **error)
{
    json_t *probes = sim_capacity_db_rows(db, error);
    if (probes == NULL) {
        return false;
    }
    json_t *lanes = json_array();
    for (guint lane = 0; lane < sim_capacity_n_lanes(plan); lane++) {
        json_array_append_new(lanes, lane_json(plan, own_policy, lane, &run->answers[lane]));
    }
    json_t *root = json_pack("{s:s, s:o, s:o, s:o, s:o}", "scenario", scenario_name, "search",
                             search_json(plan), "overall", overall_json(plan, own_policy,
                                                                        run->answers),
                             "searches", lanes, "probes", probes);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(root);
    g_autofree char *with_newline = g_strconcat(text, "\n", NULL);
    free(text); /* jansson's */
    return sim_outdir_write_file(path, with_newline, strlen(with_newline), error);
}
