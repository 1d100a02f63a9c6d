/*
 * The grid of `reclaimsim sweep` (docs/sweep.md): the --vary options, the
 * policies and the seeds, and every combination of them as a numbered
 * point. A point's number (its id) is its place in the grid: the first
 * --vary changes slowest, then the later ones, then the policy, then the
 * seed. Ids are what the database keys its rows by and what a runner hands
 * out, so a list of ids can be split among threads (or later processes)
 * and the same command always numbers the same points alike.
 *
 * --vary KEY=FROM:TO:STEP takes numbers ("1:8:1", "0.5:1:0.25", exact
 * decimal steps), sizes ("64GiB:256GiB:64GiB"), durations ("10m:1h:10m" is
 * refused as ambiguous: "m" is also MiB; "10min:1h:10min") and percentages
 * ("50%:90%:10%"); the end is included when a step lands on it. --vary
 * KEY=v1,v2,... takes any values --set takes (JSON, or a bare string), a
 * comma inside brackets, braces or quotes not splitting. Bad arguments are
 * SIM_ERROR_USAGE "--vary ARG: error: MESSAGE". Whether KEY and the values
 * are keys and values of the scenario the loader says (sweep loads the
 * first point before it runs).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Most points a sweep may have: far above what a machine runs in a day,
 * low enough that a typo (a step of 1B over GiB) is refused, not started. */
#define SIM_GRID_MAX_POINTS 1000000

/* What the values of a --vary are, from their text: the unit of the
 * numeric column a sweep's database has beside the values (docs/sweep.md). */
typedef enum {
    SIM_VARY_TEXT,     /* anything else: no numeric column */
    SIM_VARY_NUMBER,   /* JSON numbers: the values themselves are numbers */
    SIM_VARY_SIZE,     /* sizes: numeric column KEY_mib */
    SIM_VARY_DURATION, /* durations: numeric column KEY_s */
    SIM_VARY_PERCENT,  /* percentages: numeric column KEY_pct */
} SimVaryKind;

typedef struct SimGrid SimGrid;

SimGrid *sim_grid_new(void);
void sim_grid_free(SimGrid *grid);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimGrid, sim_grid_free)

/* Adds one --vary argument "KEY=FROM:TO:STEP" or "KEY=v1,v2,..."; a key
 * given twice is refused. */
bool sim_grid_add_vary(SimGrid *grid, const char *arg, GError **error);

/* The policies (registry names or plug-in paths, as checked by the
 * caller); none: the scenario's own. A policy becomes the point's first
 * override, host.policy=NAME, as `run --policy` does. */
void sim_grid_set_policies(SimGrid *grid, const char *const *policies);

/* Seeds 1..n (--seeds N); 0: one seed, the scenario's own. */
void sim_grid_set_seeds(SimGrid *grid, guint n);

/* After the last change: refuses a grid of more than SIM_GRID_MAX_POINTS
 * points, a --vary of host.policy beside --policies, and a --vary of a key
 * that `sets` (the fixed --set overrides, may be NULL) also gives: two
 * sources of one value. */
bool sim_grid_check(const SimGrid *grid, const char *const *sets, GError **error);

guint64 sim_grid_n_points(const SimGrid *grid);

guint sim_grid_n_varies(const SimGrid *grid);
const char *sim_grid_vary_key(const SimGrid *grid, guint vary);
SimVaryKind sim_grid_vary_kind(const SimGrid *grid, guint vary);
guint sim_grid_vary_n_values(const SimGrid *grid, guint vary);
/* The value as --set gets it ("128GiB", "0.75", "\"web\""). */
const char *sim_grid_vary_value(const SimGrid *grid, guint vary, guint index);
/* The value in the unit of the kind (a number; MiB; s; percent); NaN for TEXT. */
double sim_grid_vary_number(const SimGrid *grid, guint vary, guint index);

guint sim_grid_n_policies(const SimGrid *grid); /* 0: the scenario's */
guint sim_grid_n_seeds(const SimGrid *grid);    /* 0: the scenario's */

/* Where point `id` (< sim_grid_n_points) sits. */
typedef struct SimGridPoint {
    guint *value;       /* per vary, the index of its value (owned by the caller, n_varies) */
    const char *policy; /* NULL: the scenario's */
    guint64 seed;       /* 0: the scenario's (seeds count from 1) */
} SimGridPoint;
void sim_grid_point(const SimGrid *grid, guint64 id, SimGridPoint *point);

/* The points whose loads check every value the command names, before a
 * sweep runs: each policy, and each value of a list (the two ends of a
 * range, which bound the values between) with every other choice at its
 * first; point 0 first, no id twice. Caller frees (g_array_unref). */
GArray *sim_grid_probe_ids(const SimGrid *grid);

/* The overrides of point `id`: host.policy=NAME (when --policies), then
 * `sets` (the fixed --set, may be NULL), then one KEY=VALUE per vary. */
GStrv sim_grid_point_sets(const SimGrid *grid, guint64 id, const char *const *sets);

/* The grid as canonical JSON (keys, values, policies, seeds): two grids
 * are the same sweep when these texts are equal. */
char *sim_grid_describe(const SimGrid *grid);
