/* What the files of the command line share: see sim/cli/cli.h. */
#include "sim/cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "policy/policy.h"
#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/load/scenario.h"
#include "sim/out/comparerun.h"
#include "sim/out/grid.h"
#include "sim/out/outdir.h"
#include "sim/out/sweepmpi.h"

/* fputs, not g_printerr: the message quotes the user's text byte for byte,
 * which g_printerr would mangle outside a UTF-8 locale. Every error goes
 * through here, so this is the one place that keeps it on one line. */
int cli_fail(GError *error)
{
    int code = sim_error_exit_code(error);
    g_autofree char *line = sim_error_one_line(error->message);
    fputs(line, stderr);
    fputc('\n', stderr);
    g_error_free(error);
    return code;
}

/* One `warning:` line, kept on one line the way cli_fail() keeps errors. */
void cli_warn(const char *fmt, ...)
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
int cli_fail_or_interrupted(GError *error, const char *kept)
{
    int signo = sim_interrupt_signal();
    if (signo == 0) {
        return cli_fail(error);
    }
    g_error_free(error);
    return cli_fail(g_error_new(SIM_ERROR, SIM_ERROR_RUNTIME,
                            "reclaimsim: interrupted by %s; %s is unchanged",
                            sim_interrupt_name(signo), kept));
}

int cli_fail_or_kept(GError *error, const char *kept)
{
    int signo = sim_interrupt_signal();
    if (signo == 0) {
        return cli_fail(error);
    }
    g_error_free(error);
    return cli_fail(g_error_new(SIM_ERROR, SIM_ERROR_RUNTIME, "reclaimsim: interrupted by %s; %s",
                                sim_interrupt_name(signo), kept));
}

bool cli_parse_seed(CliOptions *opt, GError **error)
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
void cli_print_warnings(const SimScenario *sc)
{
    for (guint i = 0; sc->warnings != NULL && i < sc->warnings->len; i++) {
        cli_warn("%s", (const char *)g_ptr_array_index(sc->warnings, i));
    }
}

/* The --set overrides with --policy first, as host.policy=NAME: the run's
 * policy is the one the scenario's host.policy.* settings are checked
 * against, and a plug-in path, relative to the working directory on the
 * command line, is made absolute (in a scenario it is relative to the file). */
GStrv cli_overrides(const CliOptions *opt)
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

SimScenario *cli_load(const char *path, CliOptions *opt, GError **error)
{
    SimScenario *sc = NULL;
    g_auto(GStrv) sets = cli_overrides(opt);
    /* a NULL path is the built-in default, overrides included */
    sc = sim_scenario_load_with_overrides(path, (const char *const *)sets, error);
    if (sc != NULL && opt->seed_text != NULL) {
        sc->seed = opt->seed;
    }
    if (sc != NULL) {
        cli_print_warnings(sc);
    }
    return sc;
}


void cli_format_hms(char *buf, size_t size, double seconds)
{
    long long s = (long long)(seconds + 0.5);
    snprintf(buf, size, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
}

/* Progress on a terminal: simulated time of the total, speed as x real time, ETA
 * (docs/design.md section 4). Called by the run every simulated minute. */
void cli_show_progress(SimTime done, SimTime total, void *data)
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
    cli_format_hms(sim, sizeof sim, sim_time_to_s(done));
    cli_format_hms(all, sizeof all, sim_time_to_s(total));
    cli_format_hms(eta, sizeof eta, sim_time_to_s(total - done) / speed);
    int n = fprintf(stderr, "\r%5.1f%%  sim %s of %s  %.0fx real time  ETA %s",
                    100.0 * (double)done / (double)total, sim, all, speed, eta);
    /* Blank what a longer earlier line left behind. */
    fprintf(stderr, "%*s", MAX(0, p->width - (n - 1)), "");
    p->width = MAX(p->width, n - 1);
}

/* Removes the progress line, so that what follows starts a clean line. */
void cli_clear_progress(Progress *p)
{
    if (p->width > 0) {
        fprintf(stderr, "\r%*s\r", p->width, "");
        p->width = 0;
    }
}

/* The plug-in folders: each --plugins DIR (which must be a folder), then
 * the folders of RECLAIMSIM_PLUGINS (':'-separated; missing ones skipped,
 * as PATH's are). */
bool cli_set_plugin_dirs(const CliOptions *opt, GError **error)
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

bool cli_check_policy_of(const char *option, const char *name, GError **error)
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

bool cli_check_policy(const char *name, GError **error)
{
    return cli_check_policy_of("--policy", name, error);
}

/* -o "" names no directory at all: refused before the scenario is loaded. */
bool cli_check_output(const CliOptions *opt, GError **error)
{
    if (opt->output != NULL && opt->output[0] == '\0') {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "reclaimsim: -o: the output directory name is empty");
        return false;
    }
    return true;
}


/* --policies: each name known to the registry, none twice, at least one. */
char **cli_parse_policies(const char *list, GError **error)
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
        if (!cli_check_policy_of("--policies", names[i], error)) {
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
bool cli_parse_jobs(const char *text, guint *jobs, GError **error)
{
    guint64 n = 0;
    if (text == NULL) {
        /* the cores this process may use (its affinity), shared with the
         * other MPI ranks of this node (sim/out/sweepmpi.h) */
        *jobs = CLAMP(g_get_num_processors() / sim_mpi_ranks_here(), 1, SIM_COMPARE_JOBS_MAX);
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
char *cli_command_dir(const CliOptions *opt, const SimScenario *sc, const char *kind)
{
    if (opt->output != NULL) {
        return g_strdup(opt->output);
    }
    g_autofree char *name = sim_outdir_name_for(sc->name);
    g_autofree char *base = g_strconcat(kind, "-", name, NULL);
    return g_build_filename("out", base, NULL);
}


/* --seeds N: 1..SIM_GRID_MAX_POINTS; not with --seed (one seed, a --set). */
bool cli_parse_seeds(const CliOptions *opt, guint *n, GError **error)
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
GStrv cli_fixed_sets(const CliOptions *opt)
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

/* --policies into `grid`, plug-in paths made absolute (as run's --policy). */
bool cli_grid_policies(const CliOptions *opt, SimGrid *grid, GError **error)
{
    if (opt->policies == NULL) {
        return true;
    }
    g_auto(GStrv) names = cli_parse_policies(opt->policies, error);
    if (names == NULL) {
        return false;
    }
    for (guint i = 0; names[i] != NULL; i++) {
        if (policy_is_path(names[i])) {
            char *abs = g_canonicalize_filename(names[i], NULL);
            g_free(names[i]);
            names[i] = abs;
        }
    }
    sim_grid_set_policies(grid, (const char *const *)names);
    return true;
}

/* Adds a file's contents to the hash; false (with error) when unreadable. */
static bool hash_file(GChecksum *sum, const char *path, GError **error)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &text, &len, NULL)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot read", path);
        return false;
    }
    g_checksum_update(sum, (const guchar *)text, (gssize)len);
    return true;
}

char *cli_scenario_sha256(const char *path, const SimScenario *sc, GError **error)
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    if (path == NULL) {
        const char *text = sim_scenario_default_text();
        g_checksum_update(sum, (const guchar *)text, (gssize)strlen(text));
    } else if (!hash_file(sum, path, error)) {
        return NULL;
    }
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < sc->vms->len; i++) {
        const char *trace = g_array_index(sc->vms, SimVmConfig, i).workload.trace;
        if (trace == NULL || !g_hash_table_add(seen, (gpointer)trace)) {
            continue;
        }
        g_checksum_update(sum, (const guchar *)"", 1); /* a separator no text holds */
        if (!hash_file(sum, trace, error)) {
            return NULL;
        }
    }
    return g_strdup(g_checksum_get_string(sum));
}

char *cli_sets_json(char **sets)
{
    json_t *array = json_array();
    for (guint i = 0; sets[i] != NULL; i++) {
        json_array_append_new(array, json_string(sets[i]));
    }
    char *text = json_dumps(array, JSON_COMPACT);
    json_decref(array);
    char *copy = g_strdup(text);
    free(text); /* jansson's */
    return copy;
}

GString *cli_command_new(const char *command, const char *path)
{
    GString *cmd = g_string_new("reclaimsim ");
    g_string_append(cmd, command);
    if (path != NULL) {
        g_autofree char *q = g_shell_quote(path);
        g_string_append_printf(cmd, " %s", q);
    }
    return cmd;
}

/* " OPTION VALUE", VALUE quoted for a shell unless it is plain. */
void cli_command_add(GString *cmd, const char *option, const char *value)
{
    if (value == NULL) {
        return;
    }
    bool plain = value[0] != '\0';
    for (const char *p = value; *p != '\0'; p++) {
        plain = plain && (g_ascii_isalnum(*p) || strchr("._,:=/+-%", *p) != NULL);
    }
    g_autofree char *q = plain ? g_strdup(value) : g_shell_quote(value);
    g_string_append_printf(cmd, " %s %s", option, q);
}
