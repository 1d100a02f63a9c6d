/*
 * The SLA verdict of a run (docs/design.md section 5): every VM's
 * performance index over the run against the scenario's threshold, and the
 * worst VM. summary.json's "sla" and the terminal table both print it.
 */
#pragma once

#include <stdbool.h>

#include "sim/run/recorder.h"
#include "sim/scenario.h"

typedef struct SimSlaVerdict {
    int worst_vm;      /* scenario index of the lowest perf index, -1 without VMs */
    double worst_perf; /* its perf index over the run; nan without VMs */
    bool met;          /* every VM's perf index >= the threshold; true without an SLA or VMs */
} SimSlaVerdict;

/* On the model's totals (SimVmTotals.mean.perf_index), so the verdict does
 * not depend on sample_interval. Ties name the first VM in scenario order. */
SimSlaVerdict sim_sla_evaluate(const SimScenario *scenario, const SimRunTotals *totals);
