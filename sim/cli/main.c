/* The reclaimsim command line (docs/design.md section 4): the options, the
 * dispatch, and the commands run, check, plot, report, explain, policies and
 * keys; compare, sweep and capacity have files of their own (sim/cli/cli.h). Only
 * sim/cli/ prints. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "plots/explain.h"
#include "plots/plot.h"
#include "plots/report.h"
#include "plots/sweepplot.h"
#include "policy/policy.h"
#include "sim/cli/cli.h"
#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/load/keys.h"
#include "sim/load/scenario.h"
#include "sim/out/outdir.h"
#include "sim/out/results.h"
#include "sim/out/sweepmpi.h"
#include "sim/out/trace.h"
#include "sim/run/run.h"

static int usage_error(GOptionContext *ctx, const char *message)
{
    (void)ctx;
    g_printerr("reclaimsim: %s\nTry \"reclaimsim --help\" for the commands and options.\n",
               message);
    return SIM_EXIT_BAD_INPUT;
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
        cli_warn("%s: the scenario's name is not a usable folder name; outputs go to %s/", sc->path,
             dir);
    }
    return dir;
}

/* Simulates the whole duration, with progress on a terminal. */
static bool execute(SimRun *run, const SimScenario *sc, const CliOptions *opt, GError **error)
{
    Progress progress = {.start = g_get_monotonic_time()};
    if (!opt->quiet && isatty(STDERR_FILENO)) {
        sim_run_set_progress(run, cli_show_progress, &progress);
    }
    bool ran = sim_run_execute(run, error);
    cli_clear_progress(&progress); /* before any message */
    const GPtrArray *warnings = sim_run_warnings(run);
    for (guint i = 0; ran && i < warnings->len; i++) {
        cli_warn("%s: %s", sc->path, (const char *)warnings->pdata[i]);
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
        cli_warn("%s: the previous output could not be deleted in full; what is left is in %s",
             sim_outdir_path(out), sim_outdir_leftover(out));
    }
    return true;
}

/* DIR is checked before the run, so a refusal does not come after an hour
 * of simulation; SIGINT, SIGTERM and SIGHUP are caught from the run on. */
static int run_scenario(const char *path, CliOptions *opt)
{
    GError *error = NULL;
    if (!cli_parse_seed(opt, &error) || !cli_check_policy(opt->policy, &error) ||
        !cli_check_output(opt, &error)) {
        return cli_fail(error);
    }
    g_autoptr(SimScenario) sc = cli_load(path, opt, &error);
    if (sc == NULL) {
        return cli_fail(error);
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
        return cli_fail(error);
    }
    if (trace != NULL) {
        sim_trace_attach(trace, run, sc);
    }
    sim_interrupt_catch();
    if (!execute(run, sc, opt, &error) || !write_outputs(run, out, &error) ||
        (trace != NULL && !sim_trace_commit(trace, &error))) {
        return cli_fail_or_interrupted(error, sim_outdir_path(out));
    }
    g_autofree char *plots = g_build_filename(sim_outdir_path(out), "plots", NULL);
    if (opt->plot && !plot_render(sim_outdir_path(out), &error)) {
        return cli_fail_or_interrupted(error, plots);
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
    if (!cli_check_policy(opt->policy, &perr)) {
        return cli_fail(perr);
    }
    g_auto(GStrv) all = cli_overrides(opt);
    const char *const *sets = (const char *const *)all;
    int worst = SIM_EXIT_OK;
    for (int i = 0; i < n; i++) {
        GError *error = NULL;
        g_autoptr(SimScenario) sc = sim_scenario_load_with_overrides(paths[i], sets, &error);
        if (sc == NULL) {
            int code = cli_fail(error);
            worst = MAX(worst, code);
        } else {
            cli_print_warnings(sc);
            printf("%s: ok (%u VMs)\n", paths[i], sc->vms->len);
        }
    }
    return worst;
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
        return cli_fail_or_interrupted(error, made);
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
        return cli_fail(error);
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
    "  capacity SCENARIO  the most VMs of an entry (--grow VM), or the least host memory, meeting the SLA\n"
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
         "compare, sweep, capacity: runs at once (default: the number of cores)", "N"},
        {"vary", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt->varies,
         "sweep: the values of a key, a range or a list", "KEY=FROM:TO:STEP|KEY=v1,v2,..."},
        {"seeds", 0, 0, G_OPTION_ARG_STRING, &opt->seeds,
         "sweep, capacity: run each point with seeds 1..N", "N"},
        {"keep-runs", 0, 0, G_OPTION_ARG_NONE, &opt->keep_runs,
         "sweep: keep each point's full outputs in DIR/runs/ID/", NULL},
        {"grow", 0, 0, G_OPTION_ARG_STRING, &opt->grow,
         "capacity: what grows: a VM entry by name or index, or host.memory", "VM"},
        {"sla", 0, 0, G_OPTION_ARG_STRING, &opt->sla,
         "capacity: the SLA instead of the scenario's", "perf_index=X"},
        {"max", 0, 0, G_OPTION_ARG_STRING, &opt->max,
         "capacity: the largest count (or host size) to try", "N|SIZE"},
        {"step", 0, 0, G_OPTION_ARG_STRING, &opt->step,
         "capacity --grow host.memory: the host sizes tried are multiples of SIZE (1GiB)", "SIZE"},
        {"width", 0, 0, G_OPTION_ARG_STRING, &opt->width,
         "capacity: probes per search and round (1: bisection; default 3)", "K"},
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
    if (!cli_set_plugin_dirs(opt, &error)) {
        return cli_fail(error);
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
        return argc == 3 ? cli_compare(argv[2], opt)
                         : usage_error(ctx, "compare takes one scenario");
    }
    if (strcmp(cmd, "sweep") == 0) {
        return argc <= 3 ? cli_sweep(argc == 3 ? argv[2] : NULL, opt)
                         : usage_error(ctx, "sweep takes at most one scenario");
    }
    if (strcmp(cmd, "capacity") == 0) {
        return argc == 3 ? cli_capacity(argv[2], opt)
                         : usage_error(ctx, "capacity takes one scenario");
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

/* An MPI rank other than 0 (sim/out/sweepmpi.h): runs no command but the
 * points rank 0 sends, with the plug-in folders and --jobs of the command
 * line every rank was given (rank 0 reports a bad one). */
static int serve_points(CliOptions *opt)
{
    GError *error = NULL;
    guint jobs = 1;
    if (!cli_set_plugin_dirs(opt, &error) || !cli_parse_jobs(opt->jobs, &jobs, &error)) {
        g_clear_error(&error);
    }
    return sim_mpi_serve(jobs);
}

static void print_version(void)
{
    const char *mpi = sim_mpi_library();
    printf("reclaimsim %s\nMPI: %s\n", RECLAIMSIM_VERSION, mpi != NULL ? mpi : "not built in");
}

int main(int argc, char **argv)
{
    int rank = sim_mpi_start(&argc, &argv);
    CliOptions opt = {0};
    gboolean version = FALSE;
    GOptionContext *ctx = make_context(&opt, &version);
    GError *error = NULL;
    int code = SIM_EXIT_OK;
    bool parsed = g_option_context_parse(ctx, &argc, &argv, &error);
    if (rank > 0) {
        g_clear_error(&error);
        code = serve_points(&opt);
    } else if (!parsed) {
        g_printerr("reclaimsim: %s\n", error->message);
        g_error_free(error);
        code = SIM_EXIT_BAD_INPUT;
    } else if (version) {
        print_version();
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
    g_free(opt.grow);
    g_free(opt.sla);
    g_free(opt.max);
    g_free(opt.step);
    g_free(opt.width);
    g_strfreev(opt.varies);
    g_strfreev(opt.sets);
    g_strfreev(opt.plugins);
    policy_set_plugin_dirs(NULL);
    /* whatever the exit, the other ranks stop, so mpirun ends */
    sim_mpi_finish();
    /* Everything is cleaned up: die of a caught SIGINT, SIGTERM or SIGHUP,
     * so the shell sees the interrupt (sim/interrupt.h); rank 0's exit is
     * the job's, the others end normally. */
    if (rank == 0) {
        sim_interrupt_reraise();
    }
    return code;
}
