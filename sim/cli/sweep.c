/* reclaimsim sweep (sim/out/grid.h, sim/out/sweeprun.h, sim/out/sweepdb.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plots/sweepplot.h"
#include "sim/cli/cli.h"
#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/load/scenario.h"
#include "sim/out/grid.h"
#include "sim/out/outdir.h"
#include "sim/out/sweepdb.h"
#include "sim/out/sweeprun.h"


/* Progress of a sweep on a terminal: points done of the total, the rate of
 * this command's points, the time the rest will take at that rate. */
typedef struct SweepProgress {
    Progress line;
    guint64 total;  /* points of the grid */
    guint64 before; /* in the database before this command */
    guint64 done;   /* finished by this command */
} SweepProgress;

static void show_sweep_progress(SweepProgress *p)
{
    gint64 now = g_get_monotonic_time();
    if (now - p->line.start < PROGRESS_DELAY_US || p->done == 0 ||
        (p->line.drawn != 0 && now - p->line.drawn < PROGRESS_REDRAW_US)) {
        return;
    }
    p->line.drawn = now;
    double rate = (double)p->done / ((double)(now - p->line.start) / 1e6);
    guint64 all = p->before + p->done;
    char eta[32];
    cli_format_hms(eta, sizeof eta, (double)(p->total - all) / rate);
    int n = fprintf(stderr,
                    "\r%5.1f%%  %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                    " points  %.2f points/s  ETA %s",
                    100.0 * (double)all / (double)p->total, all, p->total, rate, eta);
    fprintf(stderr, "%*s", MAX(0, p->line.width - (n - 1)), "");
    p->line.width = MAX(p->line.width, n - 1);
}

/* The writer: each finished point into the database, then the progress. */
typedef struct SweepWriter {
    SimSweepDb *db;
    SweepProgress progress;
    bool tty;
} SweepWriter;

static bool sweep_write(const SimSweepResult *r, void *data, GError **error)
{
    SweepWriter *w = data;
    if (!sim_sweep_db_add(w->db, r, error)) {
        return false;
    }
    w->progress.done++;
    if (w->tty) {
        show_sweep_progress(&w->progress);
    }
    return true;
}

/* The grid of --vary, --policies (plug-in paths made absolute, as run's
 * --policy) and --seeds, checked against the fixed overrides. */
static SimGrid *sweep_grid(const CliOptions *opt, char **sets, GError **error)
{
    g_autoptr(SimGrid) grid = sim_grid_new();
    guint seeds = 0;
    if (!cli_parse_seeds(opt, &seeds, error)) {
        return NULL;
    }
    for (guint i = 0; opt->varies != NULL && opt->varies[i] != NULL; i++) {
        if (!sim_grid_add_vary(grid, opt->varies[i], error)) {
            return NULL;
        }
    }
    if (!cli_grid_policies(opt, grid, error)) {
        return NULL;
    }
    sim_grid_set_seeds(grid, seeds);
    return sim_grid_check(grid, (const char *const *)sets, error) ? g_steal_pointer(&grid) : NULL;
}

/* What the database records of the command: the scenario's text hash, the
 * fixed overrides and the command itself (without -o, --jobs, -q). */
typedef struct SweepId {
    char *sha256;
    char *sets;
    char *command;
} SweepId;

static bool sweep_identity(const char *path, const SimScenario *sc, const CliOptions *opt,
                           char **sets, SweepId *id, GError **error)
{
    id->sha256 = cli_scenario_sha256(path, sc, error);
    if (id->sha256 == NULL) {
        return false;
    }
    id->sets = cli_sets_json(sets);
    GString *cmd = cli_command_new("sweep", path);
    for (guint i = 0; opt->varies != NULL && opt->varies[i] != NULL; i++) {
        cli_command_add(cmd, "--vary", opt->varies[i]);
    }
    for (guint i = 0; sets[i] != NULL; i++) {
        cli_command_add(cmd, "--set", sets[i]);
    }
    cli_command_add(cmd, "--policies", opt->policies);
    cli_command_add(cmd, "--seeds", opt->seeds);
    id->command = g_string_free(cmd, FALSE);
    return id->sets != NULL;
}

static void sweep_id_clear(SweepId *id)
{
    g_free(id->sha256);
    g_free(id->sets);
    g_free(id->command);
}

/* The first point as every point will load it, and the points that hold
 * every other value the command names (each policy, each listed value,
 * each end of a range): a bad key, value or policy is refused here (exit
 * 2, naming it), before DIR is touched, not found hours later as failed
 * rows. What only a combination of good values breaks is a failed row. */
static SimScenario *sweep_first(const char *path, const SimGrid *grid, char **sets, GError **error)
{
    g_autoptr(GArray) probes = sim_grid_probe_ids(grid);
    g_autoptr(SimScenario) first = NULL;
    for (guint i = 0; i < probes->len; i++) {
        g_auto(GStrv) point =
            sim_grid_point_sets(grid, g_array_index(probes, guint64, i), (const char *const *)sets);
        g_autoptr(SimScenario) sc =
            sim_scenario_load_with_overrides(path, (const char *const *)point, error);
        if (sc == NULL) {
            return NULL;
        }
        if (first == NULL) {
            first = g_steal_pointer(&sc);
        }
    }
    cli_print_warnings(first);
    return g_steal_pointer(&first);
}

/* Runs the missing points of the database `db`; the outcome is printed by
 * the caller. */
static bool sweep_missing(const char *path, const SimGrid *grid, char **sets, const char *dir,
                          const CliOptions *opt, guint jobs, SweepWriter *w, GError **error)
{
    g_autoptr(GArray) missing = sim_sweep_db_missing(w->db, error);
    if (missing == NULL) {
        return false;
    }
    g_autofree char *runs = g_build_filename(dir, "runs", NULL);
    if (opt->keep_runs && missing->len > 0 && g_mkdir_with_parents(runs, 0777) != 0) {
        int errsv = errno;
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot create: %s", runs,
                    g_strerror(errsv));
        return false;
    }
    w->progress.before = w->progress.total - missing->len;
    g_autoptr(GArray) points = sim_sweep_points_of_grid(
        grid, (const char *const *)sets, (const guint64 *)(void *)missing->data, missing->len,
        opt->keep_runs ? runs : NULL);
    SimSweepSpec spec = {.scenario = path,
                         .points = (const SimSweepPoint *)(void *)points->data,
                         .n_points = points->len,
                         .jobs = jobs};
    w->progress.line.start = g_get_monotonic_time();
    bool ok = sim_sweep_run(&spec, sweep_write, w, error);
    cli_clear_progress(&w->progress.line);
    return ok;
}

/* After the runs: sweep.csv, one line of outcome; exit 1 when a point failed. */
static int sweep_finish(SweepWriter *w, const char *dir, const SimScenario *sc,
                        const CliOptions *opt)
{
    GError *error = NULL;
    guint64 points = 0, failed = 0;
    g_autofree char *csv = g_build_filename(dir, SIM_SWEEP_CSV_NAME, NULL);
    if (!sim_sweep_db_count(w->db, &points, &failed, &error) ||
        !sim_sweep_db_export_csv(w->db, csv, &error)) {
        return cli_fail_or_interrupted(error, csv);
    }
    g_autofree char *plots = g_build_filename(dir, "plots", NULL);
    if (!plot_sweep_write(dir, &error)) { /* DIR/plots/ and DIR/report.html */
        return cli_fail_or_interrupted(error, plots);
    }
    if (!opt->quiet) {
        printf("%s: %" G_GUINT64_FORMAT " points (%" G_GUINT64_FORMAT " run now, %" G_GUINT64_FORMAT
               " from before), %" G_GUINT64_FORMAT " failed; results in %s/" SIM_SWEEP_DB_NAME
               " and %s\n",
               sc->name, points, w->progress.done, w->progress.before, failed, dir, csv);
    }
    if (failed > 0) {
        return cli_fail(g_error_new(SIM_ERROR, SIM_ERROR_RUNTIME,
                                "reclaimsim: sweep: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                                " points failed; their errors are in %s/" SIM_SWEEP_DB_NAME
                                " (status 'failed')",
                                failed, points, dir));
    }
    return SIM_EXIT_OK;
}

/* After an interrupt: what is kept, and how to go on. */
static int sweep_interrupted(GError *error, SweepWriter *w, const char *dir)
{
    guint64 points = 0, failed = 0;
    sim_sweep_db_count(w->db, &points, &failed, NULL);
    g_autofree char *kept = g_strdup_printf(
        "%s/" SIM_SWEEP_DB_NAME " keeps the %" G_GUINT64_FORMAT " finished points of %" G_GUINT64_FORMAT
        "; the same command runs the rest",
        dir, points, w->progress.total);
    return cli_fail_or_kept(error, kept);
}

/* sweep SCENARIO --vary ... : everything is checked before DIR is touched;
 * an existing DIR/sweep.sqlite of the same sweep is completed. */
int cli_sweep(const char *path, CliOptions *opt)
{
    GError *error = NULL;
    guint jobs = 0;
    if (opt->policy != NULL || opt->force || opt->plot || opt->policy_trace != NULL) {
        return cli_fail(g_error_new(SIM_ERROR, SIM_ERROR_USAGE,
                                "reclaimsim: sweep takes no --policy (use --policies), --force "
                                "(it never replaces a directory), --plot or --policy-trace"));
    }
    if (!cli_parse_seed(opt, &error) || !cli_parse_jobs(opt->jobs, &jobs, &error) ||
        !cli_check_output(opt, &error)) {
        return cli_fail(error);
    }
    g_auto(GStrv) sets = cli_fixed_sets(opt);
    g_autoptr(SimGrid) grid = sweep_grid(opt, sets, &error);
    g_autoptr(SimScenario) sc = grid != NULL ? sweep_first(path, grid, sets, &error) : NULL;
    SweepId id = {0};
    if (sc == NULL || !sweep_identity(path, sc, opt, sets, &id, &error)) {
        sweep_id_clear(&id);
        return cli_fail(error);
    }
    g_autofree char *dir = cli_command_dir(opt, sc, "sweep");
    g_autofree char *db_path = g_build_filename(dir, SIM_SWEEP_DB_NAME, NULL);
    SimSweepIdentity identity = {.scenario = path != NULL ? path : "<built-in>",
                                 .scenario_sha256 = id.sha256,
                                 .sets = id.sets,
                                 .command = id.command,
                                 .name = sc->name,
                                 .has_sla = sc->has_sla,
                                 .sla_perf_index = sc->sla_perf_index};
    bool made = false, resumed = false;
    SweepWriter w = {.tty = !opt->quiet && isatty(STDERR_FILENO),
                     .progress = {.total = sim_grid_n_points(grid)}};
    if (sim_outdir_open_growing(dir, SIM_SWEEP_DB_NAME, &made, &error)) {
        w.db = sim_sweep_db_open(db_path, NULL, grid, &identity, &resumed, &error);
    }
    sweep_id_clear(&id);
    if (w.db == NULL) {
        return cli_fail(error);
    }
    sim_interrupt_catch();
    int code = sweep_missing(path, grid, sets, dir, opt, jobs, &w, &error)
                   ? sweep_finish(&w, dir, sc, opt)
                   : sweep_interrupted(error, &w, dir);
    sim_sweep_db_close(w.db);
    return code;
}

