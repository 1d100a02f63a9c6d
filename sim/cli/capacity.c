/* reclaimsim capacity (docs/capacity.md; sim/out/capacity.h, capacityrun.h, capacitydb.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plots/capacityplot.h"
#include "sim/cli/cli.h"
#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/load/scenario.h"
#include "sim/out/capacitydb.h"
#include "sim/out/capacityrun.h"
#include "sim/out/outdir.h"
#include "sim/units.h"

/* The loader's bound on vms[].count (sim/load/keys.c). */
#define COUNT_MAX 100000
/* Probes per search and round without --width: the bracket is cut in four,
 * and a round has work for more than one core even with one seed. */
#define WIDTH_DEFAULT 3

G_GNUC_PRINTF(2, 3)
static bool usage(GError **error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "reclaimsim: %s", msg);
    return false;
}

/* --sla perf_index=X: X in (0, 1], as the scenario's sla.perf_index. */
static bool parse_sla(const char *text, char **set, GError **error)
{
    static const char prefix[] = "perf_index=";
    const char *v = g_str_has_prefix(text, prefix) ? text + strlen(prefix) : NULL;
    char *end = NULL;
    double x = v != NULL ? g_ascii_strtod(v, &end) : NAN;
    if (v == NULL || end == v || *end != '\0' || !(x > 0 && x <= 1)) {
        return usage(error, "--sla: expected perf_index=X with X in (0, 1], got \"%s\"", text);
    }
    *set = g_strdup_printf("sla.perf_index=%s", v);
    return true;
}

/* The VM entries of a loaded scenario: VMs share their entry's pointer
 * "/vms/N"; an entry of count > 1 made NAME-1 .. NAME-N. */
typedef struct Entry {
    guint index;
    char *name;
    guint count;
} Entry;

static GArray *entries_of(const SimScenario *sc)
{
    GArray *entries = g_array_new(FALSE, TRUE, sizeof(Entry));
    for (guint i = 0; i < sc->vms->len; i++) {
        const SimVmConfig *vm = &g_array_index(sc->vms, SimVmConfig, i);
        guint64 index = 0;
        g_ascii_string_to_unsigned(vm->pointer + strlen("/vms/"), 10, 0, G_MAXUINT, &index, NULL);
        if (entries->len > 0 && g_array_index(entries, Entry, entries->len - 1).index == index) {
            g_array_index(entries, Entry, entries->len - 1).count++;
            continue;
        }
        Entry e = {.index = (guint)index, .count = 1};
        /* NAME-1 when the entry has more than one VM: known when the next comes */
        bool many = i + 1 < sc->vms->len &&
                    strcmp(g_array_index(sc->vms, SimVmConfig, i + 1).pointer, vm->pointer) == 0;
        e.name = many ? g_strndup(vm->name, strlen(vm->name) - 2) : g_strdup(vm->name);
        g_array_append_val(entries, e);
    }
    return entries;
}

static void entries_free(GArray *entries)
{
    for (guint i = 0; i < entries->len; i++) {
        g_free(g_array_index(entries, Entry, i).name);
    }
    g_array_unref(entries);
}

/* --grow VM: by name, by index, or as vms.N.count. */
static const Entry *find_entry(GArray *entries, const char *grow, GError **error)
{
    guint64 index = G_MAXUINT64;
    /* vms.N.count: N; else the name or index itself */
    bool key = strlen(grow) > strlen("vms..count") && g_str_has_prefix(grow, "vms.") &&
               g_str_has_suffix(grow, ".count");
    g_autofree char *digits = key ? g_strndup(grow + 4, strlen(grow) - 10) : g_strdup(grow);
    g_ascii_string_to_unsigned(digits, 10, 0, G_MAXUINT, &index, NULL);
    GString *known = g_string_new(NULL);
    for (guint i = 0; i < entries->len; i++) {
        const Entry *e = &g_array_index(entries, Entry, i);
        if (e->index == index || (!key && strcmp(e->name, grow) == 0)) {
            g_string_free(known, TRUE);
            return e;
        }
        g_string_append_printf(known, "%s%u \"%s\"", i > 0 ? ", " : "", e->index, e->name);
    }
    usage(error,
          "--grow: no VM entry \"%s\" (entries: %s; or host.memory); a VM is named as its entry "
          "in vms[], not NAME-1",
          grow, known->str);
    g_string_free(known, TRUE);
    return NULL;
}

/* A --set of the grown key would be a second source of its value. */
static bool check_not_set(char **sets, const char *key, GError **error)
{
    for (guint i = 0; sets[i] != NULL; i++) {
        if (g_str_has_prefix(sets[i], key) && sets[i][strlen(key)] == '=') {
            return usage(error, "--set %s: capacity grows %s itself; leave it out", sets[i], key);
        }
    }
    return true;
}

static bool parse_width(const CliOptions *opt, guint *width, GError **error)
{
    guint64 w = WIDTH_DEFAULT;
    if (opt->width != NULL &&
        !g_ascii_string_to_unsigned(opt->width, 10, 1, SIM_CAP_WIDTH_MAX, &w, NULL)) {
        return usage(error, "--width: expected a whole number from 1 to %d, got \"%s\"",
                     SIM_CAP_WIDTH_MAX, opt->width);
    }
    *width = (guint)w;
    return true;
}

/* A VM count: from the entry's count up to --max (the loader's bound). */
static bool plan_count(SimCapacityPlan *plan, const Entry *e, const CliOptions *opt,
                       GError **error)
{
    guint64 max = COUNT_MAX;
    if (opt->step != NULL) {
        return usage(error, "--step: only for --grow host.memory (a count grows by 1)");
    }
    if (opt->max != NULL && !g_ascii_string_to_unsigned(opt->max, 10, 1, COUNT_MAX, &max, NULL)) {
        return usage(error, "--max: expected a VM count from 1 to %d, got \"%s\"", COUNT_MAX,
                     opt->max);
    }
    if (max < e->count) {
        return usage(error, "--max %s: below the entry's count in the scenario (%u)", opt->max,
                     e->count);
    }
    plan->key = g_strdup_printf("vms.%u.count", e->index);
    plan->vm = g_strdup(e->name);
    plan->goal = SIM_CAP_LARGEST;
    plan->step = 1;
    plan->lo = 1;
    plan->start = e->count;
    plan->hi = (gint64)max;
    return true;
}

static bool parse_size_option(const char *option, const char *text, guint64 *bytes,
                              GError **error)
{
    GError *e = NULL;
    if (!sim_units_parse_size(text, bytes, &e) || *bytes == 0) {
        usage(error, "%s: expected a size such as 256GiB, got \"%s\"%s%s", option, text,
              e != NULL ? ": " : "", e != NULL ? e->message : "");
        g_clear_error(&e);
        return false;
    }
    return true;
}

/* Host memory: whole steps from the smallest host that holds the
 * reservations and the overhead (at least 1 GiB) to --max, by default the
 * host on which nothing needs reclaiming: every VM's memory and overhead. */
static bool plan_memory(SimCapacityPlan *plan, const SimScenario *sc, const CliOptions *opt,
                        GError **error)
{
    guint64 step = SIM_GIB;
    if (opt->step != NULL && !parse_size_option("--step", opt->step, &step, error)) {
        return false;
    }
    if (step % sc->host.page_size != 0) {
        return usage(error, "--step %s: not a whole number of pages (host.page_size)", opt->step);
    }
    double reserved = (double)sc->host.overhead, all = (double)sc->host.overhead;
    for (guint i = 0; i < sc->vms->len; i++) {
        const SimVmConfig *vm = &g_array_index(sc->vms, SimVmConfig, i);
        reserved += (double)vm->reservation;
        all += (double)vm->memory * (1 + sc->host.vm_overhead_frac) + sc->host.vm_overhead_base;
    }
    plan->lo = MAX(1, (gint64)ceil(MAX(reserved + 1, (double)SIM_GIB) / (double)step));
    plan->start = MAX(plan->lo, (gint64)(sc->host.memory / step));
    plan->hi = MAX(plan->start, (gint64)ceil(all / (double)step));
    if (opt->max != NULL) {
        guint64 max = 0;
        if (!parse_size_option("--max", opt->max, &max, error)) {
            return false;
        }
        if ((gint64)(max / step) < plan->start) {
            g_autofree char *start = sim_units_format_bytes((guint64)plan->start * step);
            return usage(error, "--max %s: below the host the search starts from (%s)", opt->max,
                         start);
        }
        plan->hi = (gint64)(max / step);
    }
    plan->key = g_strdup("host.memory");
    plan->memory = true;
    plan->goal = SIM_CAP_SMALLEST;
    plan->step = step;
    return true;
}

/* What --grow names, checked against the scenario as every probe loads it. */
static bool plan_grow(SimCapacityPlan *plan, const SimScenario *sc, const CliOptions *opt,
                      GError **error)
{
    if (opt->grow == NULL) {
        return usage(error, "capacity needs --grow VM (a VM entry's name or index) or --grow "
                            "host.memory");
    }
    if (strcmp(opt->grow, "host.memory") == 0) {
        return plan_memory(plan, sc, opt, error) && check_not_set(plan->sets, plan->key, error);
    }
    if (strchr(opt->grow, '.') != NULL &&
        !(g_str_has_prefix(opt->grow, "vms.") && g_str_has_suffix(opt->grow, ".count"))) {
        return usage(error, "--grow %s: not a key capacity grows (a VM entry, vms.N.count or "
                            "host.memory)", opt->grow);
    }
    GArray *entries = entries_of(sc);
    const Entry *e = find_entry(entries, opt->grow, error);
    bool ok = e != NULL && plan_count(plan, e, opt, error) &&
              check_not_set(plan->sets, plan->key, error);
    entries_free(entries);
    return ok;
}

/* Everything but the scenario: the lanes, the fixed overrides, --sla. */
static bool plan_options(SimCapacityPlan *plan, const CliOptions *opt, GError **error)
{
    guint seeds = 0;
    plan->lanes = sim_grid_new();
    g_auto(GStrv) fixed = cli_fixed_sets(opt);
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_strv_builder_addv(b, (const char **)fixed);
    if (opt->sla != NULL) {
        g_autofree char *sla = NULL;
        if (!parse_sla(opt->sla, &sla, error)) {
            return false;
        }
        g_strv_builder_add(b, sla);
    }
    plan->sets = g_strv_builder_end(b);
    if (!cli_parse_seeds(opt, &seeds, error) || !cli_grid_policies(opt, plan->lanes, error) ||
        !parse_width(opt, &plan->width, error)) {
        return false;
    }
    sim_grid_set_seeds(plan->lanes, seeds);
    return true;
}

/* The scenario as the first lane loads it, with an SLA. */
static SimScenario *load_first(const char *path, const SimCapacityPlan *plan, GError **error)
{
    g_auto(GStrv) sets = sim_grid_point_sets(plan->lanes, 0, (const char *const *)plan->sets);
    SimScenario *sc = sim_scenario_load_with_overrides(path, (const char *const *)sets, error);
    if (sc != NULL && !sc->has_sla) {
        usage(error, "capacity: %s has no SLA (no sla.perf_index): give one with --sla "
                     "perf_index=X",
              path);
        sim_scenario_free(sc);
        return NULL;
    }
    if (sc != NULL) {
        cli_print_warnings(sc);
    }
    return sc;
}

static bool identity_of(const char *path, const SimScenario *sc, const CliOptions *opt,
                        const SimCapacityPlan *plan, SimSweepIdentity *id, GError **error)
{
    char *sha = cli_scenario_sha256(path, sc, error);
    if (sha == NULL) {
        return false;
    }
    GString *cmd = cli_command_new("capacity", path);
    cli_command_add(cmd, "--grow", opt->grow);
    for (guint i = 0; plan->sets[i] != NULL; i++) {
        cli_command_add(cmd, "--set", plan->sets[i]);
    }
    cli_command_add(cmd, "--policies", opt->policies);
    cli_command_add(cmd, "--seeds", opt->seeds);
    cli_command_add(cmd, "--max", opt->max);
    cli_command_add(cmd, "--step", opt->step);
    cli_command_add(cmd, "--width", opt->width);
    *id = (SimSweepIdentity){.scenario = path,
                             .scenario_sha256 = sha,
                             .sets = cli_sets_json(plan->sets),
                             .command = g_string_free(cmd, FALSE)};
    return true;
}

static void identity_clear(SimSweepIdentity *id)
{
    g_free((char *)id->scenario_sha256);
    g_free((char *)id->sets);
    g_free((char *)id->command);
}

/* Progress on a terminal: probes run, their rate (the total is not known). */
typedef struct CapacityProgress {
    Progress line;
    bool tty;
} CapacityProgress;

static void show_progress(guint64 done, void *data)
{
    CapacityProgress *p = data;
    gint64 now = g_get_monotonic_time();
    if (!p->tty || now - p->line.start < PROGRESS_DELAY_US ||
        (p->line.drawn != 0 && now - p->line.drawn < PROGRESS_REDRAW_US)) {
        return;
    }
    p->line.drawn = now;
    double rate = (double)done / ((double)(now - p->line.start) / 1e6);
    int n = fprintf(stderr, "\r%" G_GUINT64_FORMAT " probes run  %.2f probes/s", done, rate);
    fprintf(stderr, "%*s", MAX(0, p->line.width - (n - 1)), "");
    p->line.width = MAX(p->line.width, n - 1);
}

/* ---- the answer on the terminal ---- */

static char *value_text(const SimCapacityPlan *plan, gint64 v)
{
    return sim_capacity_value_text(plan, v);
}

static char *lane_label(const SimCapacityPlan *plan, const char *own, guint lane)
{
    SimGridPoint where = {.value = NULL};
    sim_grid_point(plan->lanes, lane, &where);
    const char *policy = where.policy != NULL ? where.policy : own;
    if (where.seed == 0) {
        return g_strdup(policy);
    }
    return g_strdup_printf("%s seed %" G_GUINT64_FORMAT, policy, where.seed);
}

static void print_answer(const SimCapacityPlan *plan, const SimCapAnswer *a)
{
    bool largest = plan->goal == SIM_CAP_LARGEST;
    if (!a->found) {
        g_autofree char *end = value_text(plan, largest ? plan->lo : plan->hi);
        printf("none (%s %s fails the SLA)", largest ? "even" : "even --max", end);
        if (!a->monotone) {
            g_autofree char *passed = value_text(plan, largest ? a->range_hi : a->range_lo);
            printf("; NOT MONOTONE: %s passes on the failing side", passed);
        }
        printf("\n");
        return;
    }
    g_autofree char *v = value_text(plan, a->value);
    printf("%s", v);
    if (a->has_fail) {
        g_autofree char *f = value_text(plan, a->fail_at);
        printf(" (%s passes, %s fails)", v, f);
    } else {
        printf(" (%s: %s passes; the %s may be beyond it)", largest ? "--max" : "the floor", v,
               largest ? "capacity" : "smallest host");
    }
    if (!a->monotone) {
        g_autofree char *lo = value_text(plan, a->range_lo);
        g_autofree char *hi = value_text(plan, a->range_hi);
        printf("; NOT MONOTONE: %s passes on the failing side, the answer lies in %s..%s",
               largest ? hi : lo, lo, hi);
    }
    printf("\n");
}

static void print_results(const SimCapacityPlan *plan, const SimScenario *sc,
                          const SimCapacityRun *run)
{
    const char *own = sc->host.policy;
    if (plan->memory) {
        g_autofree char *step = value_text(plan, 1);
        printf("%s: the smallest host.memory (in steps of %s) meeting the SLA perf_index >= %g\n",
               sc->name, step, plan->sla);
    } else {
        printf("%s: the largest count of VM entry %s (%s) meeting the SLA perf_index >= %g\n",
               sc->name, plan->vm, plan->key, plan->sla);
    }
    guint n_lanes = sim_capacity_n_lanes(plan);
    guint n_seeds = MAX(sim_grid_n_seeds(plan->lanes), 1);
    for (guint lane = 0; lane < n_lanes; lane++) {
        g_autofree char *label = lane_label(plan, own, lane);
        printf("  %-24s ", label);
        print_answer(plan, &run->answers[lane]);
    }
    for (guint p = 0; n_seeds > 1 && p < MAX(sim_grid_n_policies(plan->lanes), 1); p++) {
        SimCapacityOverall o = sim_capacity_overall(plan, run->answers, p);
        SimGridPoint where = {.value = NULL};
        sim_grid_point(plan->lanes, (guint64)p * n_seeds, &where);
        g_autofree char *v = o.found ? value_text(plan, o.value) : g_strdup("none");
        g_autofree char *lo = value_text(plan, o.lowest);
        g_autofree char *hi = value_text(plan, o.highest);
        printf("  %s over %u seeds: %s, the %s of the seeds' answers: the safe answer",
               where.policy != NULL ? where.policy : own, n_seeds, v,
               plan->goal == SIM_CAP_LARGEST ? "smallest" : "largest");
        if (o.found) {
            printf(" (seeds: %s to %s)", lo, hi);
        }
        printf("%s\n", o.monotone ? "" : "; some seeds were not monotone");
    }
}

/* ---- the command ---- */

static bool write_outputs(const char *dir, const SimCapacityPlan *plan, const SimScenario *sc,
                          const SimCapacityRun *run, SimCapacityDb *db, GError **error)
{
    g_autofree char *json = g_build_filename(dir, "capacity.json", NULL);
    g_autoptr(GArray) curve = sim_capacity_db_curve(db, error);
    if (curve == NULL ||
        !sim_capacity_write_json(json, sc->name, sc->host.policy, plan, run, db, error)) {
        return false;
    }
    guint n = sim_capacity_n_lanes(plan);
    g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func(g_free);
    for (guint lane = 0; lane < n; lane++) {
        g_ptr_array_add(labels, lane_label(plan, sc->host.policy, lane));
    }
    g_autofree char *title = plan->memory
                                 ? g_strdup_printf("%s: the SLA against host memory", sc->name)
                                 : g_strdup_printf("%s: the SLA against the count of %s",
                                                   sc->name, plan->vm);
    g_autofree char *xlabel = plan->memory ? g_strdup("host memory (GiB)")
                                           : g_strdup_printf("VMs of entry %s (%s)", plan->vm,
                                                             plan->key);
    PlotCapacity figure = {.title = title,
                           .xlabel = xlabel,
                           .sla = plan->sla,
                           .labels = (const char *const *)labels->pdata,
                           .n_lanes = n,
                           .points = (const SimCapacityPoint *)(void *)curve->data,
                           .n_points = curve->len};
    return plot_capacity_write(dir, &figure, error);
}

static int finish(const char *dir, const CliOptions *opt, const SimCapacityPlan *plan,
                  const SimScenario *sc, SimCapacityRun *run, SimCapacityDb *db)
{
    GError *error = NULL;
    guint64 points = 0, failed = 0;
    if (!sim_capacity_db_count(db, &points, &failed, &error) ||
        !write_outputs(dir, plan, sc, run, db, &error)) {
        return cli_fail_or_interrupted(error, dir);
    }
    if (!opt->quiet) {
        print_results(plan, sc, run);
        printf("probes: %" G_GUINT64_FORMAT " run now, %" G_GUINT64_FORMAT
               " reused from before, in %u round%s; results in %s/capacity.json, "
               "%s/" SIM_CAPACITY_DB_NAME " and %s/plots/\n",
               run->run, run->reused, run->rounds, run->rounds == 1 ? "" : "s", dir, dir, dir);
    }
    if (failed > 0) {
        cli_warn("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                 " probes failed to load or run and count as not meeting the SLA; their errors "
                 "are in %s/" SIM_CAPACITY_DB_NAME " (status 'failed')",
                 failed, points, dir);
    }
    return SIM_EXIT_OK;
}

static int interrupted(GError *error, SimCapacityDb *db, const char *dir)
{
    guint64 points = 0, failed = 0;
    sim_capacity_db_count(db, &points, &failed, NULL);
    g_autofree char *kept = g_strdup_printf("%s/" SIM_CAPACITY_DB_NAME " keeps the %" G_GUINT64_FORMAT
                                            " finished probes; the same command reuses them",
                                            dir, points);
    return cli_fail_or_kept(error, kept);
}

/* Runs the searches into the open database; prints and writes the outcome. */
static int search(const char *dir, const CliOptions *opt, const SimCapacityPlan *plan,
                  const SimScenario *sc, guint jobs, SimCapacityDb *db)
{
    GError *error = NULL;
    CapacityProgress progress = {.tty = !opt->quiet && isatty(STDERR_FILENO),
                                 .line = {.start = g_get_monotonic_time()}};
    SimCapacityRun run = {0};
    sim_interrupt_catch();
    bool ok = sim_capacity_run(plan, db, jobs, show_progress, &progress, &run, &error);
    cli_clear_progress(&progress.line);
    int code = ok ? finish(dir, opt, plan, sc, &run, db) : interrupted(error, db, dir);
    sim_capacity_run_clear(&run);
    return code;
}

int cli_capacity(const char *path, CliOptions *opt)
{
    GError *error = NULL;
    guint jobs = 0;
    if (opt->policy != NULL || opt->force || opt->plot || opt->policy_trace != NULL ||
        opt->varies != NULL || opt->keep_runs) {
        return cli_fail(g_error_new(SIM_ERROR, SIM_ERROR_USAGE,
                                    "reclaimsim: capacity takes no --policy (use --policies), "
                                    "--force, --plot, --policy-trace, --vary or --keep-runs"));
    }
    SimCapacityPlan plan = {.scenario = path};
    g_autoptr(SimScenario) sc = NULL;
    if (cli_parse_seed(opt, &error) && cli_parse_jobs(opt->jobs, &jobs, &error) &&
        cli_check_output(opt, &error) && plan_options(&plan, opt, &error)) {
        sc = load_first(path, &plan, &error);
    }
    SimSweepIdentity id = {0};
    if (sc == NULL || !plan_grow(&plan, sc, opt, &error) ||
        !identity_of(path, sc, opt, &plan, &id, &error)) {
        sim_capacity_plan_clear(&plan);
        return cli_fail(error);
    }
    plan.sla = sc->sla_perf_index;
    g_autofree char *dir = cli_command_dir(opt, sc, "capacity");
    g_autofree char *db_path = g_build_filename(dir, SIM_CAPACITY_DB_NAME, NULL);
    bool made = false, resumed = false;
    g_autoptr(SimCapacityDb) db = NULL;
    if (sim_outdir_open_growing(dir, SIM_CAPACITY_DB_NAME, &made, &error)) {
        db = sim_capacity_db_open(db_path, NULL, &plan, &id, &resumed, &error);
    }
    identity_clear(&id);
    int code = db != NULL ? search(dir, opt, &plan, sc, jobs, db) : cli_fail(error);
    g_clear_pointer(&db, sim_capacity_db_close);
    sim_capacity_plan_clear(&plan);
    return code;
}
