/*
 * One simulation run: builds the host, the guests and the policy from a
 * scenario, schedules the periodic processes and one-off events on the
 * event queue, and records samples. The run loop is single-threaded and
 * deterministic: same scenario and seed, same outputs.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "guest/guest.h"
#include "host/host.h"
#include "policy/policy.h"
#include "sim/run/recorder.h"
#include "sim/scenario.h"

typedef struct SimRun SimRun;

/* Called after every event (tests check conservation with it). */
typedef void (*SimRunHook)(SimRun *run, void *data);

/* `policy` overrides the scenario's policy when not NULL. */
SimRun *sim_run_new(const SimScenario *scenario, const char *policy, GError **error);
void sim_run_free(SimRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimRun, sim_run_free)

void sim_run_set_hook(SimRun *run, SimRunHook hook, void *data);

/* Policy trace (`run --policy-trace`): called after every policy tick with
 * what the policy saw and decided, and the policy's own JSON line when its
 * class has a trace() slot (else NULL). */
typedef void (*SimRunTrace)(const PolicyView *view, const PolicyTargets *decided,
                            const char *policy_line, void *data);
void sim_run_set_trace(SimRun *run, SimRunTrace fn, void *data);

/* Progress callback: called about every simulated minute with sim time done. */
typedef void (*SimRunProgress)(SimTime done, SimTime total, void *data);
void sim_run_set_progress(SimRun *run, SimRunProgress fn, void *data);

/* Runs the whole duration; false (SIM_ERROR_RUNTIME) when an interrupt
 * (sim/interrupt.h) stopped it first. */
bool sim_run_execute(SimRun *run, GError **error);

/* Runs until simulated time `until` (for tests), or until an interrupt. */
void sim_run_until(SimRun *run, SimTime until);

SimTime sim_run_now(const SimRun *run);
Host *sim_run_host(SimRun *run);
Guest *sim_run_guest(SimRun *run, guint vm);
const SimRecorder *sim_run_recorder(const SimRun *run);
const SimRunTotals *sim_run_totals(const SimRun *run);
const PolicyClass *sim_run_policy(const SimRun *run);
guint64 sim_run_events(const SimRun *run);

/* Messages about what the run could not do as the scenario asked (a VM
 * refused by admission control); the CLI prints them as warnings. */
const GPtrArray *sim_run_warnings(const SimRun *run);

/* Conservation on the host and every VM (docs/design.md section 2). */
bool sim_run_check(const SimRun *run, GString *why);

/* Page state changes so far, all VMs: the work done. */
guint64 sim_run_page_moves(const SimRun *run);

/* Bytes of per-page state, for the benchmark. */
size_t sim_run_page_state_bytes(const SimRun *run);
/* Bytes of the shared-frame table at the end, and its peak (a resize holds
 * the old and the new table). */
size_t sim_run_share_table_bytes(const SimRun *run);
size_t sim_run_share_table_peak_bytes(const SimRun *run);
