/*
 * Parsing and formatting of the units of the scenario format (docs/design.md
 * section 3): sizes ("16GiB"), durations ("1h30m"), rates ("20000/s"), byte
 * rates ("200MiB/s") and percentages ("65%"). Messages carry no location:
 * the scenario loader adds "FILE:LINE:COL" and the JSON pointer. Parse
 * errors are SIM_ERROR_VALUE, negative or too large values SIM_ERROR_RANGE.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/time.h"

/* Largest size accepted: 2^62 bytes (4 EiB), so sums of a few stay in uint64_t. */
/* Binary size units, the only definitions in the project (sizes are bytes). */
#define SIM_KIB (UINT64_C(1) << 10)
#define SIM_MIB (UINT64_C(1) << 20)
#define SIM_GIB (UINT64_C(1) << 30)

#define SIM_UNITS_MAX_BYTES (UINT64_C(1) << 62)

/*
 * A size string: a decimal number and a binary unit B, KiB/KB/K, MiB/MB/M,
 * GiB/GB/G, TiB/TB/T (case-insensitive; "GB" means GiB as vSphere does).
 * Fractions round down to whole bytes. "0" needs no unit.
 */
bool sim_units_parse_size(const char *text, uint64_t *bytes, GError **error);

/* A size given as a JSON integer: a number of MiB. */
bool sim_units_size_from_mib(int64_t mib, uint64_t *bytes, GError **error);

/*
 * A duration: one or more "NUMBER UNIT" parts with units ns, us, ms, s, m
 * (or min), h, d, as in "250ms", "90s", "1h30m". "0" needs no unit; other
 * bare numbers are rejected because their unit would be a guess.
 */
bool sim_units_parse_duration(const char *text, SimTime *out, GError **error);

/*
 * The same, and when the duration is accepted but odd, *oddity (if not
 * NULL) gets a message for a warning: a unit that repeats ("1h1h", read as
 * 2h) or comes after a smaller one ("30m1h", read as 1h30m). The sum is
 * unambiguous, so this is a warning, not an error (docs/model.md). *oddity
 * is left alone otherwise.
 */
bool sim_units_parse_duration_odd(const char *text, SimTime *out, char **oddity, GError **error);

/* An event rate "20000/s", "300/min", "10/h": events per second. */
bool sim_units_parse_rate(const char *text, double *per_second, GError **error);

/* A byte rate "200MiB/s" (any size, any rate time unit): bytes per second. */
bool sim_units_parse_byte_rate(const char *text, double *bytes_per_second, GError **error);

/* A percentage string "65%" or "1.2%": the fraction (0.65). */
bool sim_units_parse_percent(const char *text, double *fraction, GError **error);

/* "12GiB", "1536MiB", "4097B": the largest unit that divides the size exactly. */
char *sim_units_format_bytes(uint64_t bytes);

/* "1h30m", "250ms", "0s": the exact duration in the fewest parts. */
char *sim_units_format_duration(SimTime t);

/* "65%", "1.2%": a fraction as a percentage with up to 6 significant digits. */
char *sim_units_format_percent(double fraction);
