/*
 * The settings a run ran with, for summary.json (appended keys, docs/model.md
 * "Outputs"): per VM its "config" (memory, reservation, limit, shares,
 * balloon driver and cap, power-on, and the events that change them) and the
 * host's "config" (idle tax, sharing, compression, balloon cap, overhead),
 * from the scenario as the policy's era ran it. `reclaimsim explain` reads
 * them back to say what drove a VM's reclamation.
 */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "sim/scenario.h"

/* host.config: {idle_tax_pct, idle_tax_type, sharing, compression, ctl_max_pct, overhead_mb}. */
json_t *sim_settings_host(const SimScenario *scenario);

/* vms[i].config of VM `vm` (< scenario->vms->len): {memory_mb, reservation_mb,
 * limit_mb (null: unlimited), shares, max_balloon_pct, balloon_driver,
 * power_on_s (null: off until an event), os, events: [{at_s, action,
 * limit_mb, reservation_mb, shares}, ...] (only the keys an event sets)}. */
json_t *sim_settings_vm(const SimScenario *scenario, guint vm);
