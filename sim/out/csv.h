/*
 * host.csv and vms.csv (docs/design.md section 5): the recorder's samples,
 * one row per sample (host.csv) or per sample and VM (vms.csv), every
 * number with a fixed number of decimals (sim/out/format.h). vms.csv's
 * columns are SIM_VM_FIELDS of sim/run/recorder.h.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/run/recorder.h"

/* Decimals of the CSV columns; the performance index, a ratio near 1, has more. */
#define SIM_CSV_DECIMALS 2
#define SIM_CSV_PERF_INDEX_DECIMALS 4

/* Write DIR/host.csv and DIR/vms.csv; messages name the file in `shown`
 * (NULL: `dir`), the directory the user named. */
bool sim_csv_write_host(const SimRecorder *recorder, const char *dir, const char *shown,
                        GError **error);
bool sim_csv_write_vms(const SimRecorder *recorder, const char *dir, const char *shown,
                       GError **error);
