/*
 * A CSV file of a run directory (host.csv, vms.csv), read back line by line
 * for plot, report and explain: bounded, plain CSV, every error one line
 * "DIR/NAME:LINE:COL: error: ..." that maps to exit 2 (bad input).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/error.h"
#include "sim/load/csv.h"

/* The widest row we accept; vms.csv has 24 columns today. */
#define PLOT_CSV_MAX_FIELDS 256

/* A CSV file of the run in memory, read line by line (sim/load/csv.h). */
typedef struct PlotCsv {
    char *path;  /* DIR/NAME, for messages */
    char *text;  /* the whole file, NUL-terminated, split in place by `csv` */
    SimCsv *csv; /* the reader; NULL when the file could not be read */
} PlotCsv;

/* "PATH:LINE:COL: error: MESSAGE" at cell `cell` of the current line, or at its start (-1). */
#define plot_csv_error(error, c, cell, ...)                                                       \
    sim_error_at((error), SIM_ERROR_PARSE, (c)->path, sim_csv_line((c)->csv),                     \
                 (cell) >= 0 ? sim_csv_col((c)->csv, (guint)(cell)) : 1, __VA_ARGS__)

/* Reads a run's file whole: regular files only, bounded (sim/load/readfile.h), no NUL byte. */
char *plot_csv_read_output(const char *path, GError **error);

/* Opens DIR/NAME: a run writes plain CSV, with at most PLOT_CSV_MAX_FIELDS cells a line. */
bool plot_csv_open(PlotCsv *csv, const char *dir, const char *name, GError **error);
void plot_csv_clear(PlotCsv *csv);

/* The next non-empty line: 1 with a line, 0 at the end of the file, -1 on error. */
int plot_csv_next(PlotCsv *csv, GError **error);

/* Reads the header line; an empty file is an error. */
bool plot_csv_header(PlotCsv *csv, GError **error);

/* Maps each wanted column name to its index in the header line. */
bool plot_csv_columns(PlotCsv *csv, const char *const *names, guint n, int *index,
                      GError **error);

/* Cell `field` of the current line as a finite number. */
bool plot_csv_number(const PlotCsv *csv, guint field, double *out, GError **error);

/* Whether the current line has `expected` cells, as the header. */
bool plot_csv_row_width(const PlotCsv *csv, guint expected, GError **error);
