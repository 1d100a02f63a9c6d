/*
 * The summary a run prints on the terminal: per VM what each mechanism
 * holds at the end and the stall and performance index over the run; the
 * host's time in each state; the peak memory each mechanism reclaimed; the
 * SLA verdict (sim/out/sla.h) when the scenario has one.
 */
#pragma once

#include <stdio.h>

#include "sim/run/recorder.h"

/* Prints the aligned tables to `out`; `totals` holds one SimVmTotals per VM
 * of the recorder. */
void sim_table_print(const SimRecorder *recorder, const SimRunTotals *totals, FILE *out);
