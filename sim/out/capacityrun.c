/*
 * The runs of `reclaimsim capacity`: see sim/out/capacityrun.h.
 */
#include "sim/out/capacityrun.h"

#include <string.h>

#include "sim/out/capacitydb.h"

void sim_capacity_run_clear(SimCapacityRun *run)
{
    g_free(run->answers);
    memset(run, 0, sizeof *run);
}

/* A probe asked for in this round; its id is `first` + its index. */
typedef struct Probe {
    guint lane;
    gint64 value;
    bool have; /* its verdict is known: read back, or run */
    bool pass;
} Probe;

typedef struct Round {
    const SimCapacityPlan *plan;
    SimCapacityDb *db;
    guint number;
    guint64 first;   /* id of the first probe */
    GArray *probes;  /* Probe */
    GArray *points;  /* SimSweepPoint: the probes to run */
    SimCapacityProgress progress;
    void *data;
    guint64 *run;
} Round;

static bool write_probe(const SimSweepResult *r, void *data, GError **error)
{
    Round *round = data;
    Probe *p = &g_array_index(round->probes, Probe, r->id - round->first);
    if (!sim_capacity_db_add(round->db, r->id, p->lane, round->number, p->value, r, error)) {
        return false;
    }
    p->have = true;
    p->pass = r->ok && r->row.sla_met == 1;
    (*round->run)++;
    if (round->progress != NULL) {
        round->progress(*round->run, round->data);
    }
    return true;
}

static void clear_point(gpointer point)
{
    sim_sweep_point_clear(point);
}

/* The point that runs probe `id`: the lane's overrides, then KEY=VALUE. */
static SimSweepPoint point_of(const SimCapacityPlan *plan, guint64 id, const Probe *p)
{
    g_auto(GStrv) sets = sim_grid_point_sets(plan->lanes, p->lane, (const char *const *)plan->sets);
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_strv_builder_addv(b, (const char **)sets);
    g_autofree char *value = sim_capacity_value_text(plan, p->value);
    g_autofree char *set = g_strdup_printf("%s=%s", plan->key, value);
    g_strv_builder_add(b, set);
    SimGridPoint where = {.value = NULL};
    sim_grid_point(plan->lanes, p->lane, &where);
    return (SimSweepPoint){.id = id,
                           .sets = g_strv_builder_end(b),
                           .policy = g_strdup(where.policy),
                           .seed = where.seed};
}

/* Asks every unfinished lane for its next values; reads back those the
 * database has. False when no lane asked for anything: the end. */
static bool ask(Round *round, SimCapSearch **searches, guint n_lanes, guint64 *reused,
                GError **error)
{
    gint64 values[SIM_CAP_WIDTH_MAX];
    for (guint lane = 0; lane < n_lanes; lane++) {
        guint n = sim_cap_search_next(searches[lane], values);
        for (guint i = 0; i < n; i++) {
            Probe p = {.lane = lane, .value = values[i]};
            if (!sim_capacity_db_find(round->db, lane, values[i], &p.have, &p.pass, error)) {
                return false;
            }
            guint64 id = round->first + round->probes->len;
            if (p.have) {
                (*reused)++;
            } else {
                SimSweepPoint point = point_of(round->plan, id, &p);
                g_array_append_val(round->points, point);
            }
            g_array_append_val(round->probes, p);
        }
    }
    return true;
}

bool sim_capacity_run(const SimCapacityPlan *plan, SimCapacityDb *db, guint jobs,
                      SimCapacityProgress progress, void *data, SimCapacityRun *out,
                      GError **error)
{
    guint n_lanes = sim_capacity_n_lanes(plan);
    g_autofree SimCapSearch **searches = g_new0(SimCapSearch *, n_lanes);
    for (guint lane = 0; lane < n_lanes; lane++) {
        searches[lane] = sim_cap_search_new(plan->goal, plan->lo, plan->start, plan->hi,
                                            plan->width);
    }
    Round round = {.plan = plan, .db = db, .progress = progress, .data = data, .run = &out->run};
    bool ok = true;
    for (;; round.number++) {
        round.probes = g_array_new(FALSE, FALSE, sizeof(Probe));
        round.points = g_array_new(FALSE, TRUE, sizeof(SimSweepPoint));
        g_array_set_clear_func(round.points, clear_point);
        ok = ask(&round, searches, n_lanes, &out->reused, error);
        bool more = ok && round.probes->len > 0;
        SimSweepSpec spec = {.scenario = plan->scenario,
                             .points = (const SimSweepPoint *)(void *)round.points->data,
                             .n_points = round.points->len,
                             .jobs = jobs};
        ok = ok && (!more || sim_sweep_run(&spec, write_probe, &round, error));
        for (guint i = 0; ok && more && i < round.probes->len; i++) {
            const Probe *p = &g_array_index(round.probes, Probe, i);
            sim_cap_search_record(searches[p->lane], p->value, p->pass);
        }
        round.first += round.probes->len;
        g_array_unref(round.probes);
        g_array_unref(round.points);
        if (!ok || !more) {
            break;
        }
    }
    out->rounds = round.number;
    out->answers = g_new0(SimCapAnswer, MAX(n_lanes, 1));
    for (guint lane = 0; lane < n_lanes; lane++) {
        out->answers[lane] = sim_cap_search_answer(searches[lane]);
        sim_cap_search_free(searches[lane]);
    }
    return ok;
}
