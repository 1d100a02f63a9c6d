/* reclaimsim compare (sim/out/comparerun.h, sim/out/compare.h, plots/compare.h). */
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "plots/compare.h"
#include "sim/cli/cli.h"
#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/load/scenario.h"
#include "sim/out/comparerun.h"
#include "sim/out/outdir.h"

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
                           .progress = tty ? cli_show_progress : NULL,
                           .progress_data = &progress};
    SimCompareHead head = compare_head(sc);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    bool ran = stage != NULL && sim_compare_run(&spec, rows, warnings, error);
    cli_clear_progress(&progress);
    for (guint i = 0; ran && i < warnings->len; i++) {
        cli_warn("%s: %s", sc->path, (const char *)warnings->pdata[i]);
    }
    return ran && sim_compare_write(&head, rows, spec.n_policies, stage, spec.shown, error) &&
           plot_compare_write(stage, spec.shown, &head, rows, spec.n_policies, error) &&
           sim_outdir_commit(out, error);
}

/* compare SCENARIO --policies P1,P2,...: everything is checked before the
 * first run, as for run; DIR appears whole or not at all. */
int cli_compare(const char *path, CliOptions *opt)
{
    GError *error = NULL;
    guint jobs = 0;
    g_auto(GStrv) policies = NULL;
    if (opt->policy != NULL || opt->policies == NULL) {
        return cli_fail(g_error_new(SIM_ERROR, SIM_ERROR_USAGE,
                                "reclaimsim: compare needs "
                                "--policies P1,P2,... (and takes no --policy)"));
    }
    if (!cli_parse_seed(opt, &error) || (policies = cli_parse_policies(opt->policies, &error)) == NULL ||
        !cli_parse_jobs(opt->jobs, &jobs, &error) || !cli_check_output(opt, &error)) {
        return cli_fail(error);
    }
    g_autoptr(SimScenario) sc = cli_load(path, opt, &error);
    g_autofree char *dir = sc != NULL ? cli_command_dir(opt, sc, "compare") : NULL;
    g_autoptr(SimOutdir) out =
        dir != NULL
            ? sim_outdir_new(dir, opt->force ? SIM_OUTDIR_FORCE : SIM_OUTDIR_DEFAULT, &error)
            : NULL;
    if (out == NULL) {
        return cli_fail(error);
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
    return ok ? SIM_EXIT_OK : cli_fail_or_interrupted(error, sim_outdir_path(out));
}

