/* The gnuplot plumbing of `reclaimsim plot` (plots/plot.c), shared with the
 * overlays of `reclaimsim compare` (plots/compare.c) and the figures of a
 * sweep (plots/sweepplot.c): parameter files,
 * the time axis, the scratch directory gnuplot runs in, and running it. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* NAME = 'VALUE' as a gnuplot single-quoted string, control characters as spaces. */
void plot_param_str(GString *params, const char *name, const char *value);

/* NAME = VALUE, NaN when not finite. */
void plot_param_num(GString *params, const char *name, double value);

/* A tic step of the time axis that gives at most `max_tics` intervals. */
double plot_time_step(double tmax, int max_tics);

/* GiB for data that reach 2 GiB, MiB below: the divisor, *unit its name. */
double plot_unit_scale(double max_mb, const char **unit);

/* A scratch directory for gnuplot with its two links: "stage" to `stage`
 * (where the images go) and "gp" to the scripts. NULL with an error. */
char *plot_work_new(const char *stage, const char *scripts, GError **error);

/* Removes the scratch directory and the plain files in it. */
void plot_work_free(char *work);

/* Runs plots/NAME.gp in `work`, after WORK/NAME.params.gp (which sets
 * plotsdir = 'gp', out = 'stage/NAME' and the script's own parameters),
 * once for PNG and once for SVG; checks that stage/NAME.png and .svg were
 * written. Messages name them in `shown`. */
bool plot_gnuplot_render(const char *work, const char *scripts, const char *name,
                         const char *stage, const char *shown, GError **error);

/* As plot_gnuplot_render(), for a figure NAME drawn by the script
 * plots/SCRIPT.gp (one script, several figures: a sweep's heat maps). */
bool plot_gnuplot_render_script(const char *work, const char *scripts, const char *script,
                                const char *name, const char *stage, const char *shown,
                                GError **error);
