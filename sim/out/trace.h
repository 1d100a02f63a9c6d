/*
 * The policy trace (`run --policy-trace FILE`, docs/model.md "Policy
 * trace"): one JSON line per policy tick with what the policy observed and
 * decided. FILE appears whole or not at all: lines go to a temporary file
 * beside it, renamed over FILE when the run succeeds.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/run/run.h"

typedef struct SimTraceFile SimTraceFile;

/* Refuses (SIM_ERROR_USAGE) a FILE that exists and is not a policy trace,
 * unless `force`; a folder always. */
SimTraceFile *sim_trace_open(const char *path, bool force, GError **error);

/* Connects the file to `run`: every policy tick writes a line. */
void sim_trace_attach(SimTraceFile *tf, SimRun *run, const SimScenario *sc);

/* Renames the lines over FILE; on a write error leaves FILE as it was. */
bool sim_trace_commit(SimTraceFile *tf, GError **error);

/* Removes the temporary file (an interrupted or failed run); NULL-safe. */
void sim_trace_free(SimTraceFile *tf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimTraceFile, sim_trace_free)
