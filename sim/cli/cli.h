/*
 * What the files of the command line share (docs/design.md section 4): the
 * options as parsed, the one way to print an error or a warning, the
 * progress line, and the checks every command makes of its options. Only
 * sim/cli/ prints; the commands are main.c (run, check, plot, report,
 * explain, policies, keys), compare.c and sweep.c.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/out/grid.h"
#include "sim/scenario.h"
#include "sim/time.h"

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
    char *grow;         /* capacity --grow VM|host.memory */
    char *sla;          /* capacity --sla perf_index=X */
    char *max;          /* capacity --max N|SIZE */
    char *step;         /* capacity --step SIZE (host.memory) */
    char *width;        /* capacity --width K: probes per search per round */
    char **plugins;     /* --plugins DIR, each given */
} CliOptions;

/* Prints the error as one line on stderr, frees it, and returns its exit code. */
int cli_fail(GError *error);
/* One `warning: ...` line on stderr. */
G_GNUC_PRINTF(1, 2) void cli_warn(const char *fmt, ...);
/* After a failure: when SIGINT, SIGTERM or SIGHUP caused it, one line saying
 * that `kept` is unchanged instead of the error; else the error. */
int cli_fail_or_interrupted(GError *error, const char *kept);
/* The same for a command that keeps its finished points: `kept` says what
 * is kept and how to go on. */
int cli_fail_or_kept(GError *error, const char *kept);

bool cli_parse_seed(CliOptions *opt, GError **error);
void cli_print_warnings(const SimScenario *sc);
/* The --set overrides with --policy first, as host.policy=NAME. */
GStrv cli_overrides(const CliOptions *opt);
/* The scenario (NULL: the built-in default) with the overrides and --seed. */
SimScenario *cli_load(const char *path, CliOptions *opt, GError **error);

/* The progress line of a run on a terminal. */
typedef struct Progress {
    gint64 start; /* monotonic time in us when the run started */
    gint64 drawn; /* monotonic time in us of the last redraw; 0 = never */
    int width;    /* characters of the widest line drawn, to clear it; 0 = nothing shown */
} Progress;

#define PROGRESS_DELAY_US 1000000 /* silent for the first second: short runs show nothing */
#define PROGRESS_REDRAW_US 100000 /* at most ten redraws a second */

void cli_format_hms(char *buf, size_t size, double seconds);
/* A run's progress line (a SimRunProgress; data is a Progress). */
void cli_show_progress(SimTime done, SimTime total, void *data);
void cli_clear_progress(Progress *p);

bool cli_set_plugin_dirs(const CliOptions *opt, GError **error);
bool cli_check_policy_of(const char *option, const char *name, GError **error);
bool cli_check_policy(const char *name, GError **error);
bool cli_check_output(const CliOptions *opt, GError **error);
/* --policies: each name known (built-in or plug-in), none twice, at least one. */
char **cli_parse_policies(const char *list, GError **error);
/* --jobs: 1..SIM_COMPARE_JOBS_MAX, by default the number of cores. */
bool cli_parse_jobs(const char *text, guint *jobs, GError **error);
/* DIR: -o, else out/KIND-NAME. */
char *cli_command_dir(const CliOptions *opt, const SimScenario *sc, const char *kind);

/* sweep and capacity: --seeds N (0 without), the fixed overrides (--seed
 * as seed=S, then the --set), --policies into a grid. */
bool cli_parse_seeds(const CliOptions *opt, guint *n, GError **error);
GStrv cli_fixed_sets(const CliOptions *opt);
bool cli_grid_policies(const CliOptions *opt, SimGrid *grid, GError **error);
/* What a database records of its command: the scenario text's SHA-256
 * (NULL path: the built-in default's), the overrides as a JSON array, and
 * the command line "reclaimsim COMMAND [PATH]" with " OPTION VALUE" added
 * (nothing for a NULL value; quoted for a shell when not plain). */
/* The inputs' SHA-256: the scenario's text (the built-in default's without
 * a path), then each trace file its VMs name (in VM order, each once, as
 * `sc`, the first point, loads them), so an edited trace makes another
 * sweep or search rather than rows of two inputs mixed. */
char *cli_scenario_sha256(const char *path, const SimScenario *sc, GError **error);
char *cli_sets_json(char **sets);
GString *cli_command_new(const char *command, const char *path);
void cli_command_add(GString *cmd, const char *option, const char *value);

/* The commands of their own files. */
int cli_compare(const char *path, CliOptions *opt);
int cli_sweep(const char *path, CliOptions *opt);
int cli_capacity(const char *path, CliOptions *opt);
