/*
 * The writers of a run's results (docs/design.md section 5): the files of
 * the output directory and the summary on the terminal, from a finished
 * run's recorder and totals.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>

#include "sim/run/recorder.h"

/*
 * Writes host.csv, vms.csv, summary.json and esxtop.csv (sim/load/esxtop.h)
 * into the existing directory `dir`. Messages name the files in `shown`
 * (the directory the user named, when `dir` is the staging directory that
 * will replace it; NULL: `dir`). Numbers are printed with a fixed format so
 * the same run gives byte-identical files. Stops with an error when an
 * interrupt was caught (sim/interrupt.h).
 */
bool sim_results_write(const SimRecorder *recorder, const SimRunTotals *totals, const char *dir,
                        const char *shown, GError **error);

/*
 * Prints a short aligned table for the terminal: per VM the final balloon
 * and swap sizes, stall % and performance index over the run (from
 * `totals`); the host's time in each state; the SLA verdict when the
 * scenario has one.
 */
void sim_results_print_summary(const SimRecorder *recorder, const SimRunTotals *totals,
                                FILE *out);
