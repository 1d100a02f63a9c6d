/*
 * summary.json (docs/design.md section 5): the run's scenario, policy and
 * seed, the epoch (the wall-clock time of t = 0 in esxtop.csv); the host's
 * totals (minimum free memory, thresholds, time in each
 * state, memory reclaimed by each mechanism); per VM the final, mean and
 * max of every vms.csv column (sim/out/stats.h); the SLA verdict
 * (sim/out/sla.h). Reals are rounded to 4 decimals so the file is stable
 * and readable; keys keep the order written.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/run/recorder.h"

/* Writes DIR/summary.json; messages name it in `shown` (NULL: `dir`).
 * `totals` holds one SimVmTotals per VM of the recorder. */
bool sim_summary_write(const SimRecorder *recorder, const SimRunTotals *totals, const char *dir,
                       const char *shown, GError **error);
