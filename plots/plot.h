/* `reclaimsim plot DIR`: renders the outputs of a run with gnuplot into
 * DIR/plots/ as PNG (pngcairo) and SVG. The scripts are plots/<name>.gp;
 * this code only reads the run's files, prepares plain data files and the
 * parameters (titles, thresholds, layout), and runs gnuplot on them. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Per-VM figures draw one panel per VM up to this many panels; with more
 * VMs they draw the top (PLOT_PANELS_MAX - 1) by the plotted quantity and
 * one "other" panel for the rest: 16 panels stay readable on one page. */
#define PLOT_PANELS_MAX 16

typedef struct PlotSpec {
    const char *name;  /* basename of the script (NAME.gp) and outputs (NAME.png, NAME.svg) */
    const char *title; /* the title after "SCENARIO: " */
    const char *about; /* one sentence for the report's caption */
} PlotSpec;

/* The figures, in report order; *n receives their number. */
const PlotSpec *plot_specs(guint *n);

/* Where the gnuplot scripts are: $RECLAIMSIM_PLOTS_DIR, else the source
 * tree's plots/ when it exists, else DATADIR/reclaimsim/plots. */
char *plot_scripts_dir(void);

/* Renders every figure of DIR into DIR/plots/, replacing it only when all
 * succeeded. Errors: a bad DIR or bad run files map to exit 2; gnuplot
 * missing or failing (the message names the script and quotes gnuplot's
 * stderr) to exit 1. $RECLAIMSIM_GNUPLOT names another gnuplot binary. */
bool plot_render(const char *dir, GError **error);
