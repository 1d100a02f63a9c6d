/* The reclaimsim command line (docs/design.md section 4). Only this file prints. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "plots/compare.h"
#include "plots/explain.h"
#include "plots/plot.h"
#include "plots/report.h"
#include "plots/sweepplot.h"
#include "policy/policy.h"
#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/load/keys.h"
#include "sim/load/scenario.h"
#include "sim/out/comparerun.h"
#include "sim/out/outdir.h"
#include "sim/out/results.h"
#include "sim/out/sweepdb.h"
#include "sim/out/sweeprun.h"
#include "sim/out/trace.h"
#include "sim/run/run.h"

typedef struct CliOptions {
    char *output;
    char *policy;
    char *seed_text;
    guint64 seed;
    char **sets;
    gboolean quiet;
    gboolean plot;      /* run --plot: render DIR/plots after the run */
    gboolean force;     /* run --force: replace a DIR that is not a reclaimsim output */
    gboolean json;      /* keys --json: the key list as JSON */
    char *policy_trace; /* run --policy-trace FILE */
    char *policies;     /* compare --policies P1,P2,... */
    char *jobs;         /* compare, sweep --jobs N, as given */
    char **varies;      /* sweep --vary KEY=FROM:TO:STEP or KEY=v1,v2,... */
    char *seeds;        /* sweep --seeds N, as given */
    gboolean keep_runs; /* sweep --keep-runs: each point's outputs in DIR/runs/ID/ */
    char **plugins;     /* --plugins DIR, each given */
} CliOptions;

/* fputs, not g_printerr: the message quotes the user's text byte for byte,
 * which g_printerr would mangle outside a UTF-8 locale. Every error goes
 * through here, so this is the one place that keeps it on one line. */
static int fail(GError *error)
{
    int code = sim_error_exit_code(error);
    g_autofree char *line = sim_error_one_line(error->message);
    fputs(line, stderr);
    fputc('\n', stderr);
    g_error_free(error);
    return code;
}

/* One `warning:` line, kept on one line the way fail() keeps errors. */
G_GNUC_PRINTF(1, 2)
static void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *line = sim_error_one_line(text);
    fprintf(stderr, "warning: %s\n", line);
}

/* After a failure: when SIGINT, SIGTERM or SIGHUP caused it, one line saying that
 * `kept` is unchanged instead of the error (main() then re-raises the
 * signal, once everything is cleaned up); else the error. */
static int fail_or_interrupted(GError *error, const char *kept)
{
    int signo = sim_interrupt_signal();
    if (signo == 0) {
        return fail(error);
    }
    g_error_free(error);
    return fail(g_error_new(SIM_ERROR, SIM_ERROR_RUNTIME,
                            "reclaimsim: interrupted by %s; %s is unchanged",
                            sim_interrupt_name(signo), kept));
}

static int usage_error(GOptionContext *ctx, const char *message)
{
    (void)ctx;
    g_printerr("reclaimsim: %s\nTry \"reclaimsim --help\" for the commands and options.\n",
               message);
    return SIM_EXIT_BAD_INPUT;
}

static bool parse_seed(CliOptions *opt, GError **error)
{
    if (opt->seed_text == NULL) {
        return true;
    }
    if (!g_ascii_string_to_unsigned(opt->seed_text, 10, 0, G_MAXINT64, &opt->seed, NULL)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "reclaimsim: --seed: expected a non-negative integer, got \"%s\"",
                    opt->seed_text);
        return false;
    }
    return true;
}

/* One line per problem the loader worked around (a trace without a counter, ...). */
static void print_warnings(const SimScenario *sc)
{
    for (guint i = 0; sc->warnings != NULL && i < sc->warnings->len; i++) {
        warn("%s", (const char *)g_ptr_array_index(sc->warnings, i));
    }
}

/* The --set overrides with --policy first, as host.policy=NAME: the run's
 * policy is the one the scenario's host.policy.* settings are checked
 * against, and a plug-in path, relative to the working directory on the
 * command line, is made absolute (in a scenario it is relative to the file). */
static GStrv overrides(const CliOptions *opt)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    if (opt->policy != NULL) {
        g_autofree char *name = policy_is_path(opt->policy)
                                    ? g_canonicalize_filename(opt->policy, NULL)
                                    : g_strdup(opt->policy);
        json_t *s = json_string(name);
        g_autofree char *text = s != NULL ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
        json_decref(s);
        if (text != NULL) {
            g_autofree char *set = g_strdup_printf("host.policy=%s", text);
            g_strv_builder_add(b, set);
        }
    }
    for (guint i = 0; opt->sets != NULL && opt->sets[i] != NULL; i++) {
        g_strv_builder_add(b, opt->sets[i]);
    }
    return g_strv_builder_end(b);
}

static SimScenario *load(const char *path, CliOptions *opt, GError **error)
{
    SimScenario *sc = NULL;
    g_auto(GStrv) sets = overrides(opt);
    /* a NULL path is the built-in default, overrides included */
    sc = sim_scenario_load_with_overrides(path, (const char *const *)sets, error);
    if (sc != NULL && opt->seed_text != NULL) {
        sc->seed = opt->seed;
    }
    if (sc != NULL) {
        print_warnings(sc);
    }
    return sc;
}

/* The progress line of a run on a terminal. */
typedef struct Progress {
    gint64 start; /* monotonic time in us when the run started */
    gint64 drawn; /* monotonic time in us of the last redraw; 0 = never */
    int width;    /* characters of the widest line drawn, to clear it; 0 = nothing shown */
} Progress;

#define PROGRESS_DELAY_US 1000000 /* silent for the first second: short runs show nothing */
#define PROGRESS_REDRAW_US 100000 /* at most ten redraws a second */

static void format_hms(char *buf, size_t size, double seconds)
{
    long long s = (long long)(seconds + 0.5);
    snprintf(buf, size, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
}

/* Progress on a terminal: simulated time of the total, speed as x real time, ETA
 * (docs/design.md section 4). Called by the run every simulated minute. */
static void show_progress(SimTime done, SimTime total, void *data)
{
    Progress *p = data;
    gint64 now = g_get_monotonic_time();
    if (now - p->start < PROGRESS_DELAY_US || done <= 0 ||
        (p->drawn != 0 && now - p->drawn < PROGRESS_REDRAW_US)) {
        return;
    }
    p->drawn = now;
    double speed = sim_time_to_s(done) / ((double)(now - p->start) / 1e6);
    char sim[32];
    char all[32];
    char eta[32];
    format_hms(sim, sizeof sim, sim_time_to_s(done));
    format_hms(all, sizeof all, sim_time_to_s(total));
    format_hms(eta, sizeof eta, sim_time_to_s(total - done) / speed);
    int n = fprintf(stderr, "\r%5.1f%%  sim %s of %s  %.0fx real time  ETA %s",
                    100.0 * (double)done / (double)total, sim, all, speed, eta);
    /* Blank what a longer earlier line left behind. */
    fprintf(stderr, "%*s", MAX(0, p->width - (n - 1)), "");
    p->width = MAX(p->width, n - 1);
}

/* Removes the progress line, so that what follows starts a clean line. */
static void clear_progress(Progress *p)
{
    if (p->width > 0) {
        fprintf(stderr, "\r%*s\r", p->width, "");
        p->width = 0;
    }
}

/* The plug-in folders: each --plugins DIR (which must be a folder), then
 * the folders of RECLAIMSIM_PLUGINS (':'-separated; missing ones skipped,
 * as PATH's are). */
static bool set_plugin_dirs(const CliOptions *opt, GError **error)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    for (guint i = 0; opt->plugins != NULL && opt->plugins[i] != NULL; i++) {
        if (!g_file_test(opt->plugins[i], G_FILE_TEST_IS_DIR)) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                        "reclaimsim: --plugins: \"%s\" is not a folder", opt->plugins[i]);
            return false;
        }
        g_strv_builder_add(b, opt->plugins[i]);
    }
    const char *env = g_getenv("RECLAIMSIM_PLUGINS");
    g_auto(GStrv) from_env = g_strsplit(env != NULL ? env : "", G_SEARCHPATH_SEPARATOR_S, -1);
    for (guint i = 0; from_env[i] != NULL; i++) {
        if (from_env[i][0] != '\0' && g_file_test(from_env[i], G_FILE_TEST_IS_DIR)) {
            g_strv_builder_add(b, from_env[i]);
        }
    }
    g_auto(GStrv) dirs = g_strv_builder_end(b);
    policy_set_plugin_dirs((const char *const *)dirs);
    return true;
}

/* A plug-in by path, or by name in the plug-in folders: loads it. */
static bool check_plugin(const char *path, GError **error)
{
    GError *e = NULL;
    if (policy_resolve(path, &e) != NULL) {
        return true;
    }
    g_set_error(error, SIM_ERROR, SIM_ERROR_PLUGIN, "%s: error: %s", path, e->message);
    g_error_free(e);
    return false;
}

static bool check_policy_of(const char *option, const char *name, GError **error)
{
    if (name == NULL || policy_lookup(name) != NULL) {
        return true;
    }
    if (policy_is_path(name)) {
        return check_plugin(name, error);
    }
    g_autofree char *found = policy_find_plugin(name);
    if (found != NULL) {
        return check_plugin(found, error);
    }
    GString *known = g_string_new(NULL);
    for (const PolicyClass *const *p = policy_builtins(); *p != NULL; p++) {
        g_string_append_printf(known, "%s%s", known->len ? ", " : "", (*p)->name);
    }
    g_auto(GStrv) plugins = policy_plugin_names();
    for (guint i = 0; plugins[i] != NULL; i++) {
        g_string_append_printf(known, ", %s (plug-in)", plugins[i]);
    }
    g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                "reclaimsim: %s: unknown policy \"%s\" (known policies: %s)", option, name,
                known->str);
    g_string_free(known, TRUE);
    return false;
}

static bool check_policy(const char *name, GError **error)
{
    return check_policy_of("--policy", name, error);
}

/* -o "" names no directory at all: refused before the scenario is loaded. */
static bool check_output(const CliOptions *opt, GError **error)
{
    if (opt->output != NULL && opt->output[0] == '\0') {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "reclaimsim: -o: the output directory name is empty");
        return false;
    }
    return true;
}

/* DIR: -o, else out/NAME with the scenario's name made a safe folder name
 * (sim_outdir_name_for), with a warning when that changed it. */
static char *output_dir(const CliOptions *opt, const SimScenario *sc)
{
    if (opt->output != NULL) {
        return g_strdup(opt->output);
    }
    g_autofree char *name = sim_outdir_name_for(sc->name);
    char *dir = g_build_filename("out", name, NULL);
    if (g_strcmp0(name, sc->name) != 0) {
        warn("%s: the scenario's name is not a usable folder name; outputs go to %s/", sc->path,
             dir);
    }
    return dir;
}

/* Simulates the whole duration, with progress on a terminal. */
static bool execute(SimRun *run, const SimScenario *sc, const CliOptions *opt, GError **error)
{
    Progress progress = {.start = g_get_monotonic_time()};
    if (!opt->quiet && isatty(STDERR_FILENO)) {
        sim_run_set_progress(run, show_progress, &progress);
    }
    bool ran = sim_run_execute(run, error);
    clear_progress(&progress); /* before any message */
    const GPtrArray *warnings = sim_run_warnings(run);
    for (guint i = 0; ran && i < warnings->len; i++) {
        warn("%s: %s", sc->path, (const char *)warnings->pdata[i]);
    }
    return ran;
}

/* The files go to a staging directory that replaces DIR when complete. */
static bool write_outputs(SimRun *run, SimOutdir *out, GError **error)
{
    const char *stage = sim_outdir_stage(out, error);
    if (stage == NULL ||
        !sim_results_write(sim_run_recorder(run), sim_run_totals(run), stage, sim_outdir_path(out),
                           error) ||
        !sim_outdir_commit(out, error)) {
        return false;
    }
    if (sim_outdir_leftover(out) != NULL) {
        warn("%s: the previous output could not be deleted in full; what is left is in %s",
             sim_outdir_path(out), sim_outdir_leftover(out));
    }
    return true;
}

/* DIR is checked before the run, so a refusal does not come after an hour
 * of simulation; SIGINT, SIGTERM and SIGHUP are caught from the run on. */
static int run_scenario(const char *path, CliOptions *opt)
{
    GError *error = NULL;
    if (!parse_seed(opt, &error) || !check_policy(opt->policy, &error) ||
        !check_output(opt, &error)) {
        return fail(error);
    }
    g_autoptr(SimScenario) sc = load(path, opt, &error);
    if (sc == NULL) {
        return fail(error);
    }
    g_autofree char *dir = output_dir(opt, sc);
    g_autoptr(SimOutdir) out =
        sim_outdir_new(dir, opt->force ? SIM_OUTDIR_FORCE : SIM_OUTDIR_DEFAULT, &error);
    g_autoptr(SimRun) run =
        out != NULL ? sim_run_new(sc, NULL, &error) /* --policy is in sc */ : NULL;
    g_autoptr(SimTraceFile) trace = NULL;
    if (run != NULL && opt->policy_trace != NULL) {
        trace = sim_trace_open(opt->policy_trace, opt->force, &error);
    }
    if (run == NULL || (opt->policy_trace != NULL && trace == NULL)) {
        return fail(error);
    }
    if (trace != NULL) {
        sim_trace_attach(trace, run, sc);
    }
    sim_interrupt_catch();
    if (!execute(run, sc, opt, &error) || !write_outputs(run, out, &error) ||
        (trace != NULL && !sim_trace_commit(trace, &error))) {
        return fail_or_interrupted(error, sim_outdir_path(out));
    }
    g_autofree char *plots = g_build_filename(sim_outdir_path(out), "plots", NULL);
    if (opt->plot && !plot_render(sim_outdir_path(out), &error)) {
        return fail_or_interrupted(error, plots);
    }
    if (!opt->quiet) {
        printf("%s: policy %s, seed %" G_GUINT64_FORMAT ", %.0f s simulated, outputs in %s/\n",
               sc->name, sim_run_policy(run)->name, sc->seed, sim_time_to_s(sc->duration),
               sim_outdir_path(out));
        sim_results_print_summary(sim_run_recorder(run), sim_run_totals(run), stdout);
    }
    return SIM_EXIT_OK;
}

/* Each scenario as `run` would load it, --set overrides included (a check
 * that ignored them would call "ok" what the run then refuses). */
static int check_scenarios(char **paths, int n, const CliOptions *opt)
{
    GError *perr = NULL;
    if (!check_policy(opt->policy, &perr)) {
        return fail(perr);
    }
    g_auto(GStrv) all = overrides(opt);
    const char *const *sets = (const char *const *)all;
    int worst = SIM_EXIT_OK;
    for (int i = 0; i < n; i++) {
        GError *error = NULL;
        g_autoptr(SimScenario) sc = sim_scenario_load_with_overrides(paths[i], sets, &error);
        if (sc == NULL) {
            int code = fail(error);
            worst = MAX(worst, code);
        } else {
            print_warnings(sc);
            printf("%s: ok (%u VMs)\n", paths[i], sc->vms->len);
        }
    }
    return worst;
}

/* ---- compare (sim/out/comparerun.h, sim/out/compare.h, plots/compare.h) ---- */

/* --policies: each name known to the registry, none twice, at least one. */
static char **parse_policies(const char *list, GError **error)
{
    g_auto(GStrv) names = g_strsplit(list != NULL ? list : "", ",", -1);
    for (guint i = 0; i == 0 || names[i] != NULL; i++) {
        /* "" splits into no names at all: refused as an empty one */
        if (names[i] == NULL || g_strstrip(names[i])[0] == '\0') {
            g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                        "reclaimsim: --policies: expected policy names separated by commas, "
                        "got \"%s\"",
                        list != NULL ? list : "");
            return NULL;
        }
        if (!check_policy_of("--policies", names[i], error)) {
            return NULL;
        }
        for (guint j = 0; j < i; j++) {
            if (strcmp(names[i], names[j]) == 0) {
                g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                            "reclaimsim: --policies: policy \"%s\" is given twice", names[i]);
                return NULL;
            }
        }
    }
    return g_steal_pointer(&names);
}

/* --jobs: 1..SIM_COMPARE_JOBS_MAX, by default the number of cores. */
static bool parse_jobs(const char *text, guint *jobs, GError **error)
{
    guint64 n = 0;
    if (text == NULL) {
        *jobs = CLAMP(g_get_num_processors(), 1, SIM_COMPARE_JOBS_MAX);
        return true;
    }
    if (!g_ascii_string_to_unsigned(text, 10, 1, SIM_COMPARE_JOBS_MAX, &n, NULL)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "reclaimsim: --jobs: expected a whole number from 1 to %d, got \"%s\"",
                    SIM_COMPARE_JOBS_MAX, text);
        return false;
    }
    *jobs = (guint)n;
    return true;
}

/* DIR: -o, else out/KIND-NAME (as run's out/NAME): compare's and sweep's. */
static char *command_dir(const CliOptions *opt, const SimScenario *sc, const char *kind)
{
    if (opt->output != NULL) {
        return g_strdup(opt->output);
    }
    g_autofree char *name = sim_outdir_name_for(sc->name);
    g_autofree char *base = g_strconcat(kind, "-", name, NULL);
    return g_build_filename("out", base, NULL);
}

static SimCompareHead compare_head(const SimScenario *sc)
{
    return (SimCompareHead){.scenario = sc->name,
                            .seed = sc->seed,
                            .duration_s = sim_time_to_s(sc->duration),
                            .sla_perf_index = sc->has_sla ? sc->sla_perf_index : NAN};
}

/* Runs, figures, plots and report into the staging directory of `out`,
 * then puts it in place; rows[] receives the figures. */
static bool compare_stage(const SimScenario *sc, char **policies, const CliOptions *opt, guint jobs,
                          SimOutdir *out, SimCompareRow *rows, GError **error)
{
    const char *stage = sim_outdir_stage(out, error);
    Progress progress = {.start = g_get_monotonic_time()};
    bool tty = !opt->quiet && isatty(STDERR_FILENO);
    SimCompareSpec spec = {.scenario = sc,
                           .policies = (const char *const *)policies,
                           .n_policies = g_strv_length(policies),
                           .jobs = jobs,
                           .stage = stage,
                           .shown = sim_outdir_path(out),
                           .progress = tty ? show_progress : NULL,
                           .progress_data = &progress};
    SimCompareHead head = compare_head(sc);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    bool ran = stage != NULL && sim_compare_run(&spec, rows, warnings, error);
    clear_progress(&progress);
    for (guint i = 0; ran && i < warnings->len; i++) {
        warn("%s: %s", sc->path, (const char *)warnings->pdata[i]);
    }
    return ran && sim_compare_write(&head, rows, spec.n_policies, stage, spec.shown, error) &&
           plot_compare_write(stage, spec.shown, &head, rows, spec.n_policies, error) &&
           sim_outdir_commit(out, error);
}

/* compare SCENARIO --policies P1,P2,...: everything is checked before the
 * first run, as for run; DIR appears whole or not at all. */
static int compare_policies(const char *path, CliOptions *opt)
{
    GError *error = NULL;
    guint jobs = 0;
    g_auto(GStrv) policies = NULL;
    if (opt->policy != NULL || opt->policies == NULL) {
        return fail(g_error_new(SIM_ERROR, SIM_ERROR_USAGE,
                                "reclaimsim: compare needs "
                                "--policies P1,P2,... (and takes no --policy)"));
    }
    if (!parse_seed(opt, &error) || (policies = parse_policies(opt->policies, &error)) == NULL ||
        !parse_jobs(opt->jobs, &jobs, &error) || !check_output(opt, &error)) {
        return fail(error);
    }
    g_autoptr(SimScenario) sc = load(path, opt, &error);
    g_autofree char *dir = sc != NULL ? command_dir(opt, sc, "compare") : NULL;
    g_autoptr(SimOutdir) out =
        dir != NULL
            ? sim_outdir_new(dir, opt->force ? SIM_OUTDIR_FORCE : SIM_OUTDIR_DEFAULT, &error)
            : NULL;
    if (out == NULL) {
        return fail(error);
    }
    guint n = g_strv_length(policies);
    g_autofree SimCompareRow *rows = g_new0(SimCompareRow, n);
    sim_interrupt_catch();
    bool ok = compare_stage(sc, policies, opt, jobs, out, rows, &error);
    if (ok && !opt->quiet) {
        SimCompareHead head = compare_head(sc);
        printf("%s: %u policies, seed %" G_GUINT64_FORMAT ", %.0f s simulated, outputs in %s/\n",
               sc->name, n, sc->seed, sim_time_to_s(sc->duration), sim_outdir_path(out));
        sim_compare_print(&head, rows, n, stdout);
    }
    for (guint i = 0; i < n; i++) {
        sim_compare_row_clear(&rows[i]);
    }
    return ok ? SIM_EXIT_OK : fail_or_interrupted(error, sim_outdir_path(out));
}

/* ---- sweep (sim/out/grid.h, sim/out/sweeprun.h, sim/out/sweepdb.h) ---- */

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
    format_hms(eta, sizeof eta, (double)(p->total - all) / rate);
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

/* --seeds N: 1..SIM_GRID_MAX_POINTS; not with --seed (one seed, a --set). */
static bool parse_seeds(const CliOptions *opt, guint *n, GError **error)
{
    guint64 v = 0;
    *n = 0;
    if (opt->seeds == NULL) {
        return true;
    }
    if (opt->seed_text != NULL) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "reclaimsim: --seeds: not with --seed (--seeds N runs seeds 1 to N)");
        return false;
    }
    if (!g_ascii_string_to_unsigned(opt->seeds, 10, 1, SIM_GRID_MAX_POINTS, &v, NULL)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "reclaimsim: --seeds: expected a whole number from 1 to %d, got \"%s\"",
                    SIM_GRID_MAX_POINTS, opt->seeds);
        return false;
    }
    *n = (guint)v;
    return true;
}

/* The fixed overrides of every point: --seed S as seed=S, then the --set. */
static GStrv sweep_sets(const CliOptions *opt)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    if (opt->seed_text != NULL) {
        g_autofree char *seed = g_strdup_printf("seed=%" G_GUINT64_FORMAT, opt->seed);
        g_strv_builder_add(b, seed);
    }
    for (guint i = 0; opt->sets != NULL && opt->sets[i] != NULL; i++) {
        g_strv_builder_add(b, opt->sets[i]);
    }
    return g_strv_builder_end(b);
}

/* The grid of --vary, --policies (plug-in paths made absolute, as run's
 * --policy) and --seeds, checked against the fixed overrides. */
static SimGrid *sweep_grid(const CliOptions *opt, char **sets, GError **error)
{
    g_autoptr(SimGrid) grid = sim_grid_new();
    guint seeds = 0;
    if (!parse_seeds(opt, &seeds, error)) {
        return NULL;
    }
    for (guint i = 0; opt->varies != NULL && opt->varies[i] != NULL; i++) {
        if (!sim_grid_add_vary(grid, opt->varies[i], error)) {
            return NULL;
        }
    }
    if (opt->policies != NULL) {
        g_auto(GStrv) names = parse_policies(opt->policies, error);
        if (names == NULL) {
            return NULL;
        }
        for (guint i = 0; names[i] != NULL; i++) {
            if (policy_is_path(names[i])) {
                char *abs = g_canonicalize_filename(names[i], NULL);
                g_free(names[i]);
                names[i] = abs;
            }
        }
        sim_grid_set_policies(grid, (const char *const *)names);
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

static bool sweep_identity(const char *path, const CliOptions *opt, char **sets, SweepId *id,
                           GError **error)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    if (path == NULL) {
        text = g_strdup(sim_scenario_default_text());
        len = strlen(text);
    } else if (!g_file_get_contents(path, &text, &len, NULL)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot read", path);
        return false;
    }
    id->sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)text, len);
    json_t *array = json_array();
    for (guint i = 0; sets[i] != NULL; i++) {
        json_array_append_new(array, json_string(sets[i]));
    }
    id->sets = json_dumps(array, JSON_COMPACT);
    json_decref(array);
    GString *cmd = g_string_new("reclaimsim sweep");
    if (path != NULL) {
        g_autofree char *q = g_shell_quote(path);
        g_string_append_printf(cmd, " %s", q);
    }
    for (guint i = 0; opt->varies != NULL && opt->varies[i] != NULL; i++) {
        g_autofree char *q = g_shell_quote(opt->varies[i]);
        g_string_append_printf(cmd, " --vary %s", q);
    }
    for (guint i = 0; sets[i] != NULL; i++) {
        g_autofree char *q = g_shell_quote(sets[i]);
        g_string_append_printf(cmd, " --set %s", q);
    }
    if (opt->policies != NULL) {
        g_autofree char *q = g_shell_quote(opt->policies);
        g_string_append_printf(cmd, " --policies %s", q);
    }
    if (opt->seeds != NULL) {
        g_string_append_printf(cmd, " --seeds %s", opt->seeds);
    }
    id->command = g_string_free(cmd, FALSE);
    return id->sets != NULL;
}

static void sweep_id_clear(SweepId *id)
{
    g_free(id->sha256);
    free(id->sets); /* jansson's */
    g_free(id->command);
}

/* The first point as every point will load: a bad key or value is refused
 * here (exit 2), before DIR is touched. */
static SimScenario *sweep_first(const char *path, const SimGrid *grid, char **sets, GError **error)
{
    g_auto(GStrv) first = sim_grid_point_sets(grid, 0, (const char *const *)sets);
    SimScenario *sc = sim_scenario_load_with_overrides(path, (const char *const *)first, error);
    if (sc != NULL) {
        print_warnings(sc);
    }
    return sc;
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
    SimSweepSpec spec = {.scenario = path,
                         .grid = grid,
                         .sets = (const char *const *)sets,
                         .ids = (const guint64 *)(void *)missing->data,
                         .n_ids = missing->len,
                         .jobs = jobs,
                         .keep_runs = opt->keep_runs ? runs : NULL};
    w->progress.line.start = g_get_monotonic_time();
    bool ok = sim_sweep_run(&spec, sweep_write, w, error);
    clear_progress(&w->progress.line);
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
        return fail_or_interrupted(error, csv);
    }
    g_autofree char *plots = g_build_filename(dir, "plots", NULL);
    if (!plot_sweep_write(dir, &error)) { /* DIR/plots/ and DIR/report.html */
        return fail_or_interrupted(error, plots);
    }
    if (!opt->quiet) {
        printf("%s: %" G_GUINT64_FORMAT " points (%" G_GUINT64_FORMAT " run now, %" G_GUINT64_FORMAT
               " from before), %" G_GUINT64_FORMAT " failed; results in %s/" SIM_SWEEP_DB_NAME
               " and %s\n",
               sc->name, points, w->progress.done, w->progress.before, failed, dir, csv);
    }
    if (failed > 0) {
        return fail(g_error_new(SIM_ERROR, SIM_ERROR_RUNTIME,
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
    if (sim_interrupt_signal() == 0) {
        return fail(error);
    }
    g_error_free(error);
    guint64 points = 0, failed = 0;
    sim_sweep_db_count(w->db, &points, &failed, NULL);
    return fail(g_error_new(
        SIM_ERROR, SIM_ERROR_RUNTIME,
        "reclaimsim: interrupted by %s; %s/" SIM_SWEEP_DB_NAME " keeps the %" G_GUINT64_FORMAT
        " finished points of %" G_GUINT64_FORMAT "; the same command runs the rest",
        sim_interrupt_name(sim_interrupt_signal()), dir, points, w->progress.total));
}

/* sweep SCENARIO --vary ... : everything is checked before DIR is touched;
 * an existing DIR/sweep.sqlite of the same sweep is completed. */
static int sweep_scenario(const char *path, CliOptions *opt)
{
    GError *error = NULL;
    guint jobs = 0;
    if (opt->policy != NULL || opt->force || opt->plot || opt->policy_trace != NULL) {
        return fail(g_error_new(SIM_ERROR, SIM_ERROR_USAGE,
                                "reclaimsim: sweep takes no --policy (use --policies), --force "
                                "(it never replaces a directory), --plot or --policy-trace"));
    }
    if (!parse_seed(opt, &error) || !parse_jobs(opt->jobs, &jobs, &error) ||
        !check_output(opt, &error)) {
        return fail(error);
    }
    g_auto(GStrv) sets = sweep_sets(opt);
    g_autoptr(SimGrid) grid = sweep_grid(opt, sets, &error);
    g_autoptr(SimScenario) sc = grid != NULL ? sweep_first(path, grid, sets, &error) : NULL;
    SweepId id = {0};
    if (sc == NULL || !sweep_identity(path, opt, sets, &id, &error)) {
        sweep_id_clear(&id);
        return fail(error);
    }
    g_autofree char *dir = command_dir(opt, sc, "sweep");
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
        return fail(error);
    }
    sim_interrupt_catch();
    int code = sweep_missing(path, grid, sets, dir, opt, jobs, &w, &error)
                   ? sweep_finish(&w, dir, sc, opt)
                   : sweep_interrupted(error, &w, dir);
    sim_sweep_db_close(w.db);
    return code;
}

/* plot DIR and report DIR (plots/plot.h, plots/report.h). */
static int plot_or_report(const char *cmd, const char *dir)
{
    GError *error = NULL;
    bool plot = strcmp(cmd, "plot") == 0;
    g_autofree char *made = g_build_filename(dir, plot ? "plots" : "report.html", NULL);
    sim_interrupt_catch();
    bool sweep = plot_sweep_is_dir(dir);
    if (!(plot ? (sweep ? plot_sweep_render : plot_render)(dir, &error)
               : (sweep ? plot_sweep_report : plot_report_write)(dir, &error))) {
        return fail_or_interrupted(error, made);
    }
    printf("%s%s\n", made, plot ? "/" : "");
    return SIM_EXIT_OK;
}

/* explain DIR [VM] [--json] (plots/explain.h): why each VM lost memory. */
static int explain_run(const char *dir, const char *vm, bool json)
{
    GError *error = NULL;
    g_autoptr(PlotRecords) rec =
        sim_outdir_check_run(dir, &error) ? plot_records_load(dir, &error) : NULL;
    g_autoptr(PlotExplain) x = rec != NULL ? plot_explain_new(rec, vm, &error) : NULL;
    if (x == NULL) {
        return fail(error);
    }
    if (json) {
        json_t *root = plot_explain_json(x);
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
        fputc('\n', stdout);
        json_decref(root);
    } else {
        g_autofree char *text = plot_explain_text(x);
        fputs(text, stdout);
    }
    return SIM_EXIT_OK;
}

/* Each built-in, and under it its settings (host.policy as an object)
 * with their defaults. */
static void print_settings(const PolicyClass *cls)
{
    for (guint i = 0; i < cls->n_params; i++) {
        const PolicyParam *param = &cls->params[i];
        g_autofree char *def = policy_param_format(param, param->def);
        printf("  %-22s %-10s %s\n", param->name, def, param->doc);
    }
}

static int list_policies(void)
{
    for (const PolicyClass *const *p = policy_builtins(); *p != NULL; p++) {
        printf("%-16s %s\n", (*p)->name, (*p)->summary);
        print_settings(*p);
    }
    g_auto(GStrv) plugins = policy_plugin_names();
    for (guint i = 0; plugins[i] != NULL; i++) {
        GError *e = NULL;
        const PolicyClass *cls = policy_resolve(plugins[i], &e);
        g_autofree char *path = policy_find_plugin(plugins[i]);
        if (cls == NULL) {
            printf("%-16s plug-in %s: cannot load: %s\n", plugins[i], path, e->message);
            g_error_free(e);
            continue;
        }
        printf("%-16s plug-in %s: %s\n", plugins[i], path,
               cls->summary != NULL ? cls->summary : cls->name);
        print_settings(cls);
    }
    return SIM_EXIT_OK;
}

/* keys [--json]: every scenario key with its type, default and range (sim/load/keys.h). */
static int list_keys(bool json)
{
    g_autofree char *text = sim_keys_describe(json);
    fputs(text, stdout);
    return SIM_EXIT_OK;
}

static const char *const cli_summary =
    "Commands:\n"
    "  run [SCENARIO]     run a scenario (the built-in default without one)\n"
    "  check SCENARIO...  validate scenarios only\n"
    "  compare SCENARIO   run SCENARIO under each of --policies P1,P2,... side by side\n"
    "  sweep [SCENARIO]   run every combination of --vary values, --policies and --seeds\n"
    "  policies           list the built-in policies\n"
    "  keys               list every scenario key: type, default, range (--json for tools)\n"
    "  plot DIR           render the plots of a run into DIR/plots/ (PNG and SVG)\n"
    "  report DIR         write DIR/report.html (plots it first when needed)\n"
    "  explain DIR [VM]   why each VM (or VM) lost memory, from the run's records (--json)\n"
    "\n"
    "Exit status: 0 ok, 1 runtime failure (sweep: a point failed), 2 bad usage or bad input.";

static GOptionContext *make_context(CliOptions *opt, gboolean *version)
{
    GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &opt->output, "Output directory", "DIR"},
        {"policy", 0, 0, G_OPTION_ARG_STRING, &opt->policy, "Reclamation policy", "P"},
        {"seed", 0, 0, G_OPTION_ARG_STRING, &opt->seed_text, "Random seed", "N"},
        {"set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt->sets, "Override a scenario key",
         "KEY=VALUE"},
        {"plugins", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt->plugins,
         "A folder of policy plug-ins: --policy NAME loads DIR/NAME.so (also RECLAIMSIM_PLUGINS)",
         "DIR"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &opt->quiet, "No progress or summary", NULL},
        {"plot", 0, 0, G_OPTION_ARG_NONE, &opt->plot, "run: also render the plots", NULL},
        {"force", 0, 0, G_OPTION_ARG_NONE, &opt->force,
         "run, compare: replace DIR even when it is not a reclaimsim output", NULL},
        {"json", 0, 0, G_OPTION_ARG_NONE, &opt->json, "keys, explain: print as JSON", NULL},
        {"policy-trace", 0, 0, G_OPTION_ARG_FILENAME, &opt->policy_trace,
         "run: write what the policy saw and decided at every tick to FILE (JSON lines)", "FILE"},
        {"policies", 0, 0, G_OPTION_ARG_STRING, &opt->policies,
         "compare: the policies to run, comma-separated", "P1,P2,..."},
        {"jobs", 0, 0, G_OPTION_ARG_STRING, &opt->jobs,
         "compare, sweep: runs at once (default: the number of cores)", "N"},
        {"vary", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt->varies,
         "sweep: the values of a key, a range or a list", "KEY=FROM:TO:STEP|KEY=v1,v2,..."},
        {"seeds", 0, 0, G_OPTION_ARG_STRING, &opt->seeds, "sweep: run each point with seeds 1..N",
         "N"},
        {"keep-runs", 0, 0, G_OPTION_ARG_NONE, &opt->keep_runs,
         "sweep: keep each point's full outputs in DIR/runs/ID/", NULL},
        {"version", 0, 0, G_OPTION_ARG_NONE, version, "Print the version and exit", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionContext *ctx =
        g_option_context_new("COMMAND [ARGS...] - hypervisor memory reclamation simulator");
    GOptionGroup *group = g_option_group_new("main", "Options", "Options", opt, NULL);
    g_option_group_add_entries(group, entries);
    g_option_context_set_main_group(ctx, group);
    g_option_context_set_description(ctx, cli_summary);
    return ctx;
}

static int dispatch(GOptionContext *ctx, CliOptions *opt, int argc, char **argv)
{
    if (argc < 2) {
        return usage_error(ctx, "missing command");
    }
    const char *cmd = argv[1];
    GError *error = NULL;
    if (!set_plugin_dirs(opt, &error)) {
        return fail(error);
    }
    if (strcmp(cmd, "run") == 0) {
        if (argc > 3) {
            return usage_error(ctx, "run takes at most one scenario");
        }
        return run_scenario(argc == 3 ? argv[2] : NULL, opt);
    }
    if (strcmp(cmd, "check") == 0) {
        if (argc < 3) {
            return usage_error(ctx, "check needs at least one scenario");
        }
        return check_scenarios(argv + 2, argc - 2, opt);
    }
    if (strcmp(cmd, "plot") == 0 || strcmp(cmd, "report") == 0) {
        if (argc != 3) {
            g_autofree char *msg = g_strdup_printf("%s takes one run directory", cmd);
            return usage_error(ctx, msg);
        }
        return plot_or_report(cmd, argv[2]);
    }
    if (strcmp(cmd, "compare") == 0) {
        return argc == 3 ? compare_policies(argv[2], opt)
                         : usage_error(ctx, "compare takes one scenario");
    }
    if (strcmp(cmd, "sweep") == 0) {
        return argc <= 3 ? sweep_scenario(argc == 3 ? argv[2] : NULL, opt)
                         : usage_error(ctx, "sweep takes at most one scenario");
    }
    if (strcmp(cmd, "explain") == 0) {
        if (argc < 3 || argc > 4) {
            return usage_error(ctx, "explain takes a run directory and at most one VM");
        }
        return explain_run(argv[2], argc == 4 ? argv[3] : NULL, opt->json);
    }
    if (strcmp(cmd, "policies") == 0) {
        return list_policies();
    }
    if (strcmp(cmd, "keys") == 0) {
        return argc == 2 ? list_keys(opt->json) : usage_error(ctx, "keys takes no arguments");
    }
    g_autofree char *msg = g_strdup_printf("unknown command \"%s\"", cmd);
    return usage_error(ctx, msg);
}

int main(int argc, char **argv)
{
    CliOptions opt = {0};
    gboolean version = FALSE;
    GOptionContext *ctx = make_context(&opt, &version);
    GError *error = NULL;
    int code = SIM_EXIT_OK;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        g_printerr("reclaimsim: %s\n", error->message);
        g_error_free(error);
        code = SIM_EXIT_BAD_INPUT;
    } else if (version) {
        printf("reclaimsim %s\n", RECLAIMSIM_VERSION);
    } else {
        code = dispatch(ctx, &opt, argc, argv);
    }
    g_option_context_free(ctx);
    g_free(opt.output);
    g_free(opt.policy);
    g_free(opt.seed_text);
    g_free(opt.policy_trace);
    g_free(opt.policies);
    g_free(opt.jobs);
    g_free(opt.seeds);
    g_strfreev(opt.varies);
    g_strfreev(opt.sets);
    g_strfreev(opt.plugins);
    policy_set_plugin_dirs(NULL);
    /* Everything is cleaned up: die of a caught SIGINT, SIGTERM or SIGHUP,
     * so the shell sees the interrupt (sim/interrupt.h). */
    sim_interrupt_reraise();
    return code;
}
