/*
 * The plots and the report of `reclaimsim sweep` (docs/sweep.md, "Plots
 * and report"), made from DIR/sweep.sqlite alone: after a sweep that ran
 * to the end, and again by `reclaimsim plot DIR` and `reclaimsim report
 * DIR`. With one varied key, line figures (x: the key's values; one line
 * per policy, the mean over the seeds with min..max bars); with two or
 * more, heat maps of the first two keys per policy (and per combination of
 * the other keys' values, up to PLOT_SWEEP_MAPS_MAX maps). Failed points
 * are left out and counted. Rendered with gnuplot as the figures of a run
 * (plots/gnuplot.h): PNG and SVG, each figure's data beside them
 * (NAME.dat), DIR/plots/ replaced whole; report.html self-contained
 * (plots/html.h). The same database gives the same bytes.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* True when DIR holds a sweep database (DIR/sweep.sqlite). */
bool plot_sweep_is_dir(const char *dir);

/* Renders the figures into DIR/plots/, replacing it only when all
 * succeeded. Errors as plot_render() (plots/plot.h). */
bool plot_sweep_render(const char *dir, GError **error);

/* Writes DIR/report.html (through a temporary file), rendering DIR/plots/
 * first when a figure is missing. */
bool plot_sweep_report(const char *dir, GError **error);

/* Both, the plots always: what a sweep does when its last point is in. */
bool plot_sweep_write(const char *dir, GError **error);
