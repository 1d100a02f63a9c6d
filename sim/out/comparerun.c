/*
 * The parallel runs of `reclaimsim compare`: see sim/out/comparerun.h.
 */
#include "sim/out/comparerun.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "sim/error.h"
#include "sim/out/outdir.h"
#include "sim/out/results.h"

typedef struct Runner Runner;

/* One policy's run; written by its worker thread only, read after the pool ends. */
typedef struct Job {
    Runner *runner;
    const char *policy;
    SimTime done;         /* simulated time run so far, under runner->lock */
    SimCompareRow *row;   /* where its figures go */
    GPtrArray *warnings;  /* strings, the run's own */
    GError *error;        /* why it failed, NULL when it did not */
    gint finished;        /* set last, atomically, by the worker (see job_finish) */
} Job;

struct Runner {
    const SimCompareSpec *spec;
    GMutex lock;          /* guards every job's `done` and the progress callback */
    Job *jobs;
};

char *sim_compare_folder(const char *policy)
{
    return sim_outdir_name_for(policy);
}

/* Sums the runs' progress and reports it, one thread at a time. */
static void on_progress(SimTime done, SimTime total, void *data)
{
    Job *job = data;
    Runner *r = job->runner;
    g_mutex_lock(&r->lock);
    job->done = done;
    SimTime all = 0;
    for (guint i = 0; i < r->spec->n_policies; i++) {
        all += r->jobs[i].done;
    }
    r->spec->progress(all, total * (SimTime)r->spec->n_policies, r->spec->progress_data);
    g_mutex_unlock(&r->lock);
}

/* STAGE/POLICY as `run -o DIR/POLICY` leaves it: the four files and the marker. */
static bool write_folder(const Job *job, SimRun *run, GError **error)
{
    const SimCompareSpec *spec = job->runner->spec;
    /* the class's name, not the string given: a plug-in's path names its
     * file, and every other part of compare knows the run by its name */
    g_autofree char *name = sim_compare_folder(sim_run_policy(run)->name);
    g_autofree char *dir = g_build_filename(spec->stage, name, NULL);
    g_autofree char *shown = g_build_filename(spec->shown, name, NULL);
    if (g_mkdir(dir, 0777) != 0) {
        int errsv = errno;
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot create: %s", shown,
                    g_strerror(errsv));
        return false;
    }
    return sim_results_write(sim_run_recorder(run), sim_run_totals(run), dir, shown, error) &&
           sim_outdir_mark(dir, shown, error);
}

/* The worker's last write: an atomic store (release) that collect() loads
 * (acquire) before it reads the job, so the hand-over is ordered by the
 * C11 memory model itself, not only by GLib's pool internals, and thread
 * checkers (ThreadSanitizer) see it. */
static void job_finish(Job *job)
{
    g_atomic_int_set(&job->finished, 1);
}

static void run_one(Job *job)
{
    const SimCompareSpec *spec = job->runner->spec;
    g_autoptr(SimRun) run = sim_run_new(spec->scenario, job->policy, &job->error);
    if (run == NULL) {
        return;
    }
    if (spec->progress != NULL) {
        sim_run_set_progress(run, on_progress, job);
    }
    if (!sim_run_execute(run, &job->error) || !write_folder(job, run, &job->error)) {
        return;
    }
    const GPtrArray *w = sim_run_warnings(run);
    for (guint i = 0; i < w->len; i++) {
        g_ptr_array_add(job->warnings, g_strdup(g_ptr_array_index(w, i)));
    }
    sim_compare_row_fill(job->row, sim_run_recorder(run), sim_run_totals(run));
}

static void run_job(gpointer data, gpointer unused)
{
    (void)unused;
    run_one(data);
    job_finish(data);
}

/* Runs every job on min(jobs, policies) threads and waits for all of them. */
static bool run_pool(Runner *r, GError **error)
{
    guint threads = MIN(r->spec->jobs, r->spec->n_policies);
    GThreadPool *pool = g_thread_pool_new(run_job, NULL, (gint)MAX(threads, 1), TRUE, error);
    if (pool == NULL) {
        return false;
    }
    bool ok = true;
    for (guint i = 0; i < r->spec->n_policies && ok; i++) {
        ok = g_thread_pool_push(pool, &r->jobs[i], error);
    }
    g_thread_pool_free(pool, FALSE, TRUE); /* runs what was pushed, then returns */
    return ok;
}

/* The first failure in list order, so the message does not depend on which
 * thread failed first; everything else of every job is freed. */
static bool collect(Runner *r, GPtrArray *warnings, GError **error)
{
    bool ok = true;
    for (guint i = 0; i < r->spec->n_policies; i++) {
        Job *job = &r->jobs[i];
        if (!g_atomic_int_get(&job->finished)) {
            g_ptr_array_free(job->warnings, TRUE);
            continue; /* never ran: the pool could not take it (run_pool failed) */
        }
        if (job->error != NULL && ok) {
            g_propagate_prefixed_error(error, g_steal_pointer(&job->error),
                                       "reclaimsim: compare: policy %s failed: ", job->policy);
            ok = false;
        }
        g_clear_error(&job->error);
        for (guint w = 0; warnings != NULL && w < job->warnings->len; w++) {
            g_ptr_array_add(warnings, g_strdup_printf("%s: %s", job->policy,
                                                      (const char *)job->warnings->pdata[w]));
        }
        g_ptr_array_free(job->warnings, TRUE);
    }
    return ok;
}

bool sim_compare_run(const SimCompareSpec *spec, SimCompareRow *rows, GPtrArray *warnings,
                     GError **error)
{
    g_return_val_if_fail(spec != NULL && spec->scenario != NULL && rows != NULL, false);
    g_return_val_if_fail(spec->jobs >= 1 && spec->jobs <= SIM_COMPARE_JOBS_MAX, false);
    Runner r = {.spec = spec, .jobs = g_new0(Job, MAX(spec->n_policies, 1))};
    g_mutex_init(&r.lock);
    for (guint i = 0; i < spec->n_policies; i++) {
        r.jobs[i] = (Job){.runner = &r, .policy = spec->policies[i], .row = &rows[i],
                          .warnings = g_ptr_array_new_with_free_func(g_free)};
    }
    GError *local = NULL;
    bool pooled = run_pool(&r, &local);
    bool ok = collect(&r, warnings, error);
    if (!pooled && ok) {
        g_propagate_error(error, local);
    } else if (!pooled) {
        g_error_free(local);
    }
    ok = ok && pooled;
    g_mutex_clear(&r.lock);
    g_free(r.jobs);
    return ok;
}
