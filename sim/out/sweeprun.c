/*
 * The parallel runs of `reclaimsim sweep`: see sim/out/sweeprun.h.
 */
#include "sim/out/sweeprun.h"

#include <string.h>

#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/load/scenario.h"
#include "sim/out/outdir.h"
#include "sim/out/results.h"
#include "sim/run/run.h"

/* How often the writer looks for an interrupt while no point finishes. */
#define WAIT_US (100 * 1000)

typedef struct Sweep {
    const SimSweepSpec *spec;
    GMutex lock;       /* guards `next` */
    guint64 next;      /* index into spec->points of the next point to take */
    gint stop;         /* set (atomically) when no more points may start */
    GAsyncQueue *done; /* SimSweepResult * finished, or a Skip for one never run */
} Sweep;

/* What a worker queues for a point it did not finish (stopped, or cut
 * short by an interrupt): the writer counts it without writing it. */
static SimSweepResult skipped;

void sim_sweep_result_free(SimSweepResult *result)
{
    if (result == NULL || result == &skipped) {
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

/* Loads and runs `point` into `r`; false when it failed (r->error set). */
static bool run_point(const char *scenario, const SimSweepPoint *point, SimSweepResult *r,
                      GError **error)
{
    r->policy = g_strdup(point->policy);
    g_autoptr(SimScenario) sc =
        sim_scenario_load_with_overrides(scenario, (const char *const *)point->sets, error);
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

SimSweepResult *sim_sweep_run_point(const char *scenario, const SimSweepPoint *point,
                                    bool *interrupted)
{
    SimSweepResult *r = g_new0(SimSweepResult, 1);
    r->id = point->id;
    GError *error = NULL;
    r->ok = run_point(scenario, point, r, &error);
    *interrupted = !r->ok && sim_interrupt_signal() != 0;
    if (!r->ok) {
        r->error = sim_error_one_line(error->message);
        g_error_free(error);
    }
    return r;
}

/* One point's result, or `skipped` when an interrupt cut it short. */
static SimSweepResult *finish_point(const Sweep *s, const SimSweepPoint *point)
{
    bool interrupted = false;
    SimSweepResult *r = sim_sweep_run_point(s->spec->scenario, point, &interrupted);
    if (interrupted) {
        sim_sweep_result_free(r);
        return &skipped;
    }
    return r;
}

/* A worker: takes points until none is left or the sweep stops. Every
 * index taken is answered on the queue, so the writer can count them. */
static void work(gpointer data, gpointer unused)
{
    (void)unused;
    Sweep *s = data;
    for (;;) {
        g_mutex_lock(&s->lock);
        guint64 i = s->next < s->spec->n_points ? s->next++ : s->spec->n_points;
        g_mutex_unlock(&s->lock);
        if (i >= s->spec->n_points) {
            return;
        }
        bool stop = g_atomic_int_get(&s->stop) || sim_interrupt_signal() != 0;
        g_async_queue_push(s->done, stop ? &skipped : finish_point(s, &s->spec->points[i]));
    }
}

/* Hands each result to `done` until every point is answered; an interrupt
 * or a failed write stops the taking, the points running finish. */
static bool collect(Sweep *s, SimSweepDone done, void *data, GError **error)
{
    GError *failed = NULL;
    for (guint64 answered = 0; answered < s->spec->n_points;) {
        SimSweepResult *r = g_async_queue_timeout_pop(s->done, WAIT_US);
        if (sim_interrupt_signal() != 0) {
            g_atomic_int_set(&s->stop, 1);
        }
        if (r == NULL) {
            continue;
        }
        answered++;
        if (r != &skipped && failed == NULL && !done(r, data, &failed)) {
            g_atomic_int_set(&s->stop, 1);
        }
        sim_sweep_result_free(r);
    }
    if (failed != NULL) {
        g_propagate_error(error, failed);
        return false;
    }
    return sim_interrupt_check(error);
}

bool sim_sweep_run(const SimSweepSpec *spec, SimSweepDone done, void *data, GError **error)
{
    g_return_val_if_fail(spec != NULL && done != NULL, false);
    g_return_val_if_fail(spec->jobs >= 1, false);
    if (spec->n_points == 0) {
        return sim_interrupt_check(error);
    }
    Sweep s = {.spec = spec, .done = g_async_queue_new()};
    g_mutex_init(&s.lock);
    guint threads = (guint)MIN((guint64)spec->jobs, spec->n_points);
    GThreadPool *pool = g_thread_pool_new(work, NULL, (gint)threads, TRUE, error);
    bool ok = pool != NULL;
    guint pushed = 0;
    for (; ok && pushed < threads; pushed++) {
        ok = g_thread_pool_push(pool, &s, error);
    }
    if (ok) {
        ok = collect(&s, done, data, error);
    } else if (pool != NULL) {
        g_mutex_lock(&s.lock); /* the workers that started take no more */
        s.next = spec->n_points;
        g_mutex_unlock(&s.lock);
    }
    if (pool != NULL) {
        g_thread_pool_free(pool, FALSE, TRUE);
    }
    for (SimSweepResult *r; (r = g_async_queue_try_pop(s.done)) != NULL;) {
        sim_sweep_result_free(r);
    }
    g_async_queue_unref(s.done);
    g_mutex_clear(&s.lock);
    return ok;
}
