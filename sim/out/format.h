/*
 * The fixed text forms of the output files (docs/design.md section 5):
 * numbers with a fixed number of decimals, sample times and CSV cells. Every
 * writer of sim/out/ prints through these, so the same run gives the same
 * bytes on every platform and in every file.
 */
#pragma once

#include <glib.h>

/*
 * Appends v with `decimals` decimals. "-0.00" becomes "0.00" (a tiny
 * negative rounding residue must not change the bytes), and non-finite
 * values print as nan, inf and -inf rather than the platform's spelling.
 */
void sim_format_number(GString *out, double v, int decimals);

/* A sample time in s: whole seconds without decimals ("20"), otherwise
 * milliseconds ("40.500"). */
void sim_format_time(GString *out, double time_s);

/* A CSV cell, quoted as RFC 4180 asks only when it holds a comma, a quote
 * or a line break (host.csv, vms.csv). */
void sim_format_csv_text(GString *out, const char *text);

/* A CSV cell always quoted, quotes inside doubled (esxtop.csv quotes every
 * cell, as `esxtop -b` does). */
void sim_format_csv_quoted(GString *out, const char *text);
