/*
 * Writing esxtop.csv of a run (docs/design.md section 5), as `esxtop -b`
 * writes it: first cell "(PDH-CSV 4.0) (UTC)(0)", every cell quoted, every
 * line ending with ",", timestamps "MM/DD/YYYY HH:MM:SS" in UTC from
 * SIM_ESXTOP_EPOCH, the host's `\\HOST\Memory\...` counters then
 * `\\HOST\Group Memory(GID:NAME)\...` per VM, HOST being host.name.
 * Only counters the model knows are written (docs/model.md, "esxtop.csv").
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/run/recorder.h"
#include "sim/scenario.h"

/* 01/01/2024 00:00:00 UTC, the time of a run's t = 0 in esxtop.csv (assumption). */
#define SIM_ESXTOP_EPOCH INT64_C(1704067200)
/* The host name of a scenario not built by the loader (host.name NULL): host.name's
 * default in sim/load/keys.c. */
#define SIM_ESXTOP_HOST "esxi-host"

/*
 * Writes esxtop.csv for the samples of `recorder` into `path`; messages
 * name the file `shown` (NULL: `path`). The scenario gives the VM names
 * and whether each runs a balloon driver.
 */
bool sim_esxtop_write(const SimScenario *scenario, const SimRecorder *recorder, const char *path,
                      const char *shown, GError **error);

/* The GID written for VM `vm` of the scenario: stable per VM name, unique in the file. */
guint32 sim_esxtop_gid(const SimScenario *scenario, guint vm);
