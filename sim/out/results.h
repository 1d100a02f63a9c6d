/*
 * The writers of a run's results (docs/design.md section 5), the one entry
 * point of the CLI: the files of the output directory and the summary on
 * the terminal, from a finished run's recorder and totals. Each output has
 * its own file: host.csv and vms.csv sim/out/csv.h, summary.json
 * sim/out/summary.h, esxtop.csv sim/out/esxtop.h, the terminal table
 * sim/out/table.h.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>

#include "sim/run/recorder.h"

/*
 * Writes host.csv, vms.csv, summary.json and esxtop.csv
 * into the existing directory `dir`. Messages name the files in `shown`
 * (the directory the user named, when `dir` is the staging directory that
 * will replace it; NULL: `dir`). Numbers are printed with a fixed format so
 * the same run gives byte-identical files. Stops with an error when an
 * interrupt was caught (sim/interrupt.h).
 */
bool sim_results_write(const SimRecorder *recorder, const SimRunTotals *totals, const char *dir,
                       const char *shown, GError **error);

/* Prints the terminal summary: sim_table_print() of sim/out/table.h. */
void sim_results_print_summary(const SimRecorder *recorder, const SimRunTotals *totals, FILE *out);
