/* The figures and the report of `reclaimsim compare`: gnuplot overlays of
 * every policy's run in DIR/plots/ (PNG and SVG; one colour per policy, the
 * same in every figure and in the report) and DIR/report.html with the
 * comparison table and the figures, self-contained like the run report
 * (plots/report.h). Read from each DIR/POLICY/'s own files (plots/rundata.h). */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/out/compare.h"

/* The figures, in report order; *n receives their number. */
typedef struct PlotCompareSpec {
    const char *name;  /* the script plots/NAME.gp and the images NAME.png, NAME.svg */
    const char *title; /* after "SCENARIO: " */
    const char *about; /* the report's caption */
} PlotCompareSpec;
const PlotCompareSpec *plot_compare_specs(guint *n);

/* The colour of the i-th policy of a comparison ("#RRGGBB"): Paul Tol's
 * colour-blind-safe "muted" scheme, repeated (with another dash pattern in
 * the figures) past its nine colours. */
const char *plot_compare_colour(guint i);

/* The gnuplot dash type of the i-th policy: 1 (solid) for the first nine,
 * then 2, 3, ... as the colours repeat. */
guint plot_compare_dash(guint i);

/*
 * Renders the figures into STAGE/plots/ and writes STAGE/report.html, for
 * the comparison whose policies' folders (sim_compare_folder) are in
 * `stage`; messages name files in `shown`. Errors as plot_render().
 */
bool plot_compare_write(const char *stage, const char *shown, const SimCompareHead *head,
                        const SimCompareRow *rows, guint n, GError **error);

/* STAGE/report.html from the rows and STAGE/plots/ (plots/comparereport.c);
 * plot_compare_write() calls it after the figures. */
bool plot_compare_report(const SimCompareHead *head, const SimCompareRow *rows, guint n,
                         const char *stage, const char *shown, GError **error);
