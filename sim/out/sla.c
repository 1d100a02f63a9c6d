/*
 * The SLA verdict: see sim/out/sla.h.
 */
#include "sim/out/sla.h"

#include <math.h>

SimSlaVerdict sim_sla_evaluate(const SimScenario *scenario, const SimRunTotals *totals)
{
    SimSlaVerdict res = {.worst_vm = -1, .worst_perf = NAN, .met = true};
    g_return_val_if_fail(scenario != NULL && totals != NULL, res);
    for (guint vm = 0; vm < totals->n_vms; vm++) {
        double perf = totals->vms[vm].mean.perf_index;
        /* Strictly lower: ties keep the first VM in scenario order. */
        if (res.worst_vm < 0 || perf < res.worst_perf) {
            res.worst_vm = (int)vm;
            res.worst_perf = perf;
        }
        /* Written as !(>=) so a nan perf index misses the SLA. */
        if (scenario->has_sla && !(perf >= scenario->sla_perf_index)) {
            res.met = false;
        }
    }
    return res;
}
