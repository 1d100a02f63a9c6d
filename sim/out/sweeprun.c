/*
 * The parallel runs of `reclaimsim sweep`: see sim/out/sweeprun.h.
 */
#include "sim/out/sweeprun.h"

#include "sim/interrupt.h"
#include "sim/out/sweepmpi.h"

/* How often the writer looks for an interrupt while no point finishes. */
#define WAIT_US (100 * 1000)
/* ... and for the other MPI ranks' messages, when there are any: a point
 * waits at most this long for its rank, an answer for the writer. */
#define MPI_WAIT_US 1000

typedef struct Sweep {
    const SimSweepSpec *spec;
    GMutex lock;       /* guards `next` */
    guint64 next;      /* index into spec->points of the next point to take */
    gint stop;         /* set (atomically) when no more points may start */
    GAsyncQueue *done; /* SimSweepResult * finished, or a Skip for one never run */
    SimMpiSweep *mpi;  /* the other MPI ranks; NULL: none */
    bool interrupted_mpi; /* the ranks were told of the interrupt */
} Sweep;

/* What a worker queues for a point it did not finish (stopped, or cut
 * short by an interrupt): the writer counts it without writing it. */
static SimSweepResult skipped;

static void free_result(SimSweepResult *result)
{
    if (result != &skipped) {
        sim_sweep_result_free(result);
    }
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

/* The index of the next point to run, n_points when none is left. */
static guint64 take(Sweep *s)
{
    g_mutex_lock(&s->lock);
    guint64 i = s->next < s->spec->n_points ? s->next++ : s->spec->n_points;
    g_mutex_unlock(&s->lock);
    return i;
}

/* A worker: takes points until none is left or the sweep stops. Every
 * index taken is answered on the queue, so the writer can count them. */
static void work(gpointer data, gpointer unused)
{
    (void)unused;
    Sweep *s = data;
    for (guint64 i; (i = take(s)) < s->spec->n_points;) {
        bool stop = g_atomic_int_get(&s->stop) || sim_interrupt_signal() != 0;
        g_async_queue_push(s->done, stop ? &skipped : finish_point(s, &s->spec->points[i]));
    }
}

/* Sends a point to each free slot of the other ranks while points are
 * left and the sweep goes on; each is answered through sim_mpi_sweep_poll. */
static bool hand_out(Sweep *s, GError **error)
{
    while (!g_atomic_int_get(&s->stop) && sim_mpi_sweep_has_slot(s->mpi)) {
        guint64 i = take(s);
        if (i >= s->spec->n_points) {
            return true;
        }
        if (!sim_mpi_sweep_send(s->mpi, &s->spec->points[i], error)) {
            g_async_queue_push(s->done, &skipped); /* answered: missing, not failed */
            return false;
        }
    }
    return true;
}

/* The next answer: from a worker thread, or from another rank. NULL when
 * none came in a wait. */
static SimSweepResult *next_answer(Sweep *s, GError **error)
{
    if (s->mpi == NULL) {
        return g_async_queue_timeout_pop(s->done, WAIT_US);
    }
    bool answered = false;
    SimSweepResult *r = NULL;
    if (!hand_out(s, error) || !sim_mpi_sweep_poll(s->mpi, &answered, &r, error)) {
        return NULL;
    }
    if (answered) {
        return r != NULL ? r : &skipped;
    }
    return g_async_queue_timeout_pop(s->done, MPI_WAIT_US);
}

/* Stops the taking of points, and on the other ranks the points they run. */
static void stop(Sweep *s, bool interrupted)
{
    g_atomic_int_set(&s->stop, 1);
    if (interrupted && !s->interrupted_mpi) {
        sim_mpi_sweep_interrupt(s->mpi);
        s->interrupted_mpi = true;
    }
}

/* Hands each result to `done` until every point is answered; an interrupt
 * or a failed write stops the taking, the points running finish. A failure
 * of MPI leaves the points on the other ranks unanswered: the sweep stops
 * when the local ones are. */
static bool collect(Sweep *s, SimSweepDone done, void *data, GError **error)
{
    GError *failed = NULL;
    for (guint64 answered = 0; answered < s->spec->n_points;) {
        GError *mpi_error = NULL;
        SimSweepResult *r = next_answer(s, &mpi_error);
        if (sim_interrupt_signal() != 0) {
            stop(s, true);
        }
        if (mpi_error != NULL) {
            stop(s, false);
            g_clear_error(&failed);
            g_propagate_error(&failed, mpi_error);
            answered += sim_mpi_sweep_in_flight(s->mpi); /* never to come */
            g_clear_pointer(&s->mpi, sim_mpi_sweep_free);
        }
        if (r == NULL) {
            continue;
        }
        answered++;
        if (r != &skipped && failed == NULL && !done(r, data, &failed)) {
            stop(s, false);
        }
        free_result(r);
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
    Sweep s = {.spec = spec, .done = g_async_queue_new(), .mpi = sim_mpi_sweep_new(spec->scenario)};
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
        free_result(r);
    }
    g_async_queue_unref(s.done);
    g_mutex_clear(&s.lock);
    sim_mpi_sweep_free(s.mpi);
    return ok;
}
