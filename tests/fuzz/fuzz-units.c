/*
 * Fuzz target: the unit parsers of the scenario format (sim/units.h). The
 * input, as a string, goes to every parser; sim_units_size_from_mib gets
 * its first eight bytes as an integer.
 *
 * Checked beyond "no crash, no UB": the parsers round-trip through the
 * formatters. A size or duration that parses formats to text that parses
 * back to the same value; a percentage formats to text that parses back
 * within the formatter's 6 significant digits; a failure is one line and a
 * SIM_ERROR_VALUE or SIM_ERROR_RANGE; accepted sizes stay within
 * SIM_UNITS_MAX_BYTES and durations are not negative.
 */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "sim/error.h"
#include "sim/units.h"

/* Aborts unless a parse failure is a one-line VALUE or RANGE error. */
static void check_failure(const GError *e)
{
    fuzz_check_bad_input(e);
    if (!g_error_matches(e, SIM_ERROR, SIM_ERROR_VALUE) &&
        !g_error_matches(e, SIM_ERROR, SIM_ERROR_RANGE)) {
        fuzz_fail("an error neither VALUE nor RANGE");
    }
}

static void try_size(const char *text)
{
    uint64_t bytes = 0, again = 0;
    g_autoptr(GError) e = NULL;
    if (!sim_units_parse_size(text, &bytes, &e)) {
        check_failure(e);
        return;
    }
    g_autofree char *formatted = sim_units_format_bytes(bytes);
    if (bytes > SIM_UNITS_MAX_BYTES || !sim_units_parse_size(formatted, &again, NULL) ||
        again != bytes) {
        fuzz_fail("a size out of range or not round-tripping");
    }
}

static void try_duration(const char *text)
{
    SimTime t = 0, again = 0;
    g_autoptr(GError) e = NULL;
    if (!sim_units_parse_duration(text, &t, &e)) {
        check_failure(e);
        return;
    }
    g_autofree char *formatted = sim_units_format_duration(t);
    if (t < 0 || !sim_units_parse_duration(formatted, &again, NULL) || again != t) {
        fuzz_fail("a duration negative or not round-tripping");
    }
}

static void try_percent(const char *text)
{
    double f = 0, again = 0;
    g_autoptr(GError) e = NULL;
    if (!sim_units_parse_percent(text, &f, &e)) {
        check_failure(e);
        return;
    }
    g_autofree char *formatted = sim_units_format_percent(f);
    if (!isfinite(f) || f < 0) {
        fuzz_fail("a percentage not finite or negative");
    }
    /* "%g" keeps 6 significant digits; below 0.0001% and from 1e6% on it
     * writes an exponent, which the parser rightly refuses. */
    double pct = f * 100;
    if ((pct == 0 || (pct >= 1e-4 && pct < 1e6)) &&
        (!sim_units_parse_percent(formatted, &again, NULL) || fabs(again - f) > 5e-6 * f)) {
        fuzz_fail("a percentage not round-tripping");
    }
}

static void try_rates(const char *text)
{
    double per_s = 0;
    g_autoptr(GError) e = NULL;
    if (!sim_units_parse_rate(text, &per_s, &e)) {
        check_failure(e);
    } else if (!isfinite(per_s) || per_s < 0) {
        fuzz_fail("a rate not finite or negative");
    }
    g_autoptr(GError) e2 = NULL;
    if (!sim_units_parse_byte_rate(text, &per_s, &e2)) {
        check_failure(e2);
    } else if (!isfinite(per_s) || per_s < 0) {
        fuzz_fail("a byte rate not finite or negative");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = fuzz_strndup(data, size);
    try_size(text);
    try_duration(text);
    try_percent(text);
    try_rates(text);
    int64_t mib = 0;
    memcpy(&mib, data, MIN(size, sizeof mib));
    uint64_t bytes = 0;
    g_autoptr(GError) e = NULL;
    if (!sim_units_size_from_mib(mib, &bytes, &e)) {
        check_failure(e);
    } else if (bytes > SIM_UNITS_MAX_BYTES || bytes / (UINT64_C(1) << 20) != (uint64_t)mib) {
        fuzz_fail("size_from_mib out of range or not exact");
    }
    return 0;
}
