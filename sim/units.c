/*
 * Units of the scenario format. Numbers are scanned by hand (digits, an
 * optional fraction) rather than with strtod, so that "inf", "0x10", "1e3"
 * and leading signs are rejected, and the integer part of a size keeps all
 * 64 bits instead of the 53 of a double.
 */
#include "sim/units.h"

#include <math.h>
#include <string.h>

#include "sim/error.h"

#define TIB (UINT64_C(1) << 40)

typedef struct UnitName {
    const char *name; /* lower case; compared case-insensitively */
    uint64_t factor;  /* bytes, nanoseconds or seconds per unit */
} UnitName;

/* "GB" means GiB, as vSphere writes it. */
static const UnitName size_units[] = {
    {"b", 1},   {"k", SIM_KIB},  {"kb", SIM_KIB},  {"kib", SIM_KIB}, {"m", SIM_MIB},  {"mb", SIM_MIB},  {"mib", SIM_MIB},
    {"g", SIM_GIB}, {"gb", SIM_GIB}, {"gib", SIM_GIB}, {"t", TIB},   {"tb", TIB}, {"tib", TIB}, {NULL, 0},
};
#define SIZE_UNITS_HELP "B, KiB, MiB, GiB, TiB; KB, MB, GB, TB and K, M, G, T mean the same"

static const UnitName duration_units[] = {
    {"ns", 1},
    {"us", 1000},
    {"\xc2\xb5s", 1000}, /* "µs" */
    {"ms", 1000000},
    {"s", 1000000000},
    {"m", UINT64_C(60) * 1000000000},
    {"min", UINT64_C(60) * 1000000000},
    {"h", UINT64_C(3600) * 1000000000},
    {"d", UINT64_C(86400) * 1000000000},
    {NULL, 0},
};
#define DURATION_UNITS_HELP "ns, us, ms, s, m, h, d"

/* Time units after the '/' of a rate, in seconds. */
static const UnitName rate_units[] = {
    {"s", 1}, {"sec", 1}, {"m", 60}, {"min", 60}, {"h", 3600}, {"d", 86400}, {NULL, 0},
};
#define RATE_UNITS_HELP "/s, /min, /h, /d"

/* A scanned decimal number: whole part and fraction kept apart. */
typedef struct Decimal {
    uint64_t whole;
    double frac;   /* in [0, 1) */
    bool overflow; /* the whole part does not fit in 64 bits */
} Decimal;

static uint64_t unit_lookup(const UnitName *units, const char *name)
{
    for (const UnitName *u = units; u->name != NULL; u++) {
        if (g_ascii_strcasecmp(u->name, name) == 0) {
            return u->factor;
        }
    }
    return 0;
}

/* Reads [0-9]+(.[0-9]*)? or .[0-9]+ at *p and advances *p; false without a digit. */
static bool scan_decimal(const char **p, Decimal *d)
{
    const char *s = *p;
    bool any = false;
    *d = (Decimal){0};
    for (; g_ascii_isdigit(*s); s++, any = true) {
        unsigned digit = (unsigned)(*s - '0');
        if (d->whole > (UINT64_MAX - digit) / 10) {
            d->overflow = true;
        } else {
            d->whole = d->whole * 10 + digit;
        }
    }
    if (*s == '.') {
        const char *dot = s++;
        for (; g_ascii_isdigit(*s); s++) {
            any = true;
        }
        if (s - dot > 1) {
            g_autofree char *frac = g_strndup(dot, (gsize)(s - dot));
            d->frac = g_ascii_strtod(frac, NULL);
        }
    }
    if (any) {
        *p = s;
    }
    return any;
}

static bool decimal_is_zero(const Decimal *d)
{
    return !d->overflow && d->whole == 0 && d->frac == 0.0;
}

/* whole * unit + floor(frac * unit), if that is at most `limit`. */
static bool decimal_scale(const Decimal *d, uint64_t unit, uint64_t limit, uint64_t *out)
{
    if (d->overflow || d->whole > limit / unit) {
        return false;
    }
    uint64_t whole = d->whole * unit;
    uint64_t frac = (uint64_t)floor(d->frac * (double)unit);
    if (frac > limit - whole) {
        return false;
    }
    *out = whole + frac;
    return true;
}

static const char *skip_spaces(const char *p)
{
    while (*p == ' ') {
        p++;
    }
    return p;
}

bool sim_units_parse_size(const char *text, uint64_t *bytes, GError **error)
{
    g_autofree char *s = g_strstrip(g_strdup(text));
    const char *p = s;
    Decimal d;
    if (*p == '-') {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE, "size \"%s\" is negative", s);
        return false;
    }
    if (!scan_decimal(&p, &d)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "cannot parse size \"%s\"; expected a number and a unit like \"4GiB\"", s);
        return false;
    }
    p = skip_spaces(p);
    if (*p == '\0') {
        if (decimal_is_zero(&d)) {
            *bytes = 0;
            return true;
        }
        /* A bare number could mean bytes or MiB: refuse to guess. */
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "size \"%s\" has no unit; write e.g. \"%sMiB\" (valid units: " SIZE_UNITS_HELP
                    ")",
                    s, s);
        return false;
    }
    uint64_t unit = unit_lookup(size_units, p);
    if (unit == 0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "unknown size unit \"%s\" in \"%s\" (valid units: " SIZE_UNITS_HELP ")", p, s);
        return false;
    }
    if (!decimal_scale(&d, unit, SIM_UNITS_MAX_BYTES, bytes)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
                    "size \"%s\" is too large (at most 2^62 bytes)", s);
        return false;
    }
    return true;
}

bool sim_units_size_from_mib(int64_t mib, uint64_t *bytes, GError **error)
{
    if (mib < 0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE, "size %" G_GINT64_FORMAT " MiB is negative",
                    mib);
        return false;
    }
    if ((uint64_t)mib > SIM_UNITS_MAX_BYTES / SIM_MIB) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
                    "size %" G_GINT64_FORMAT " MiB is too large (at most 2^62 bytes)", mib);
        return false;
    }
    *bytes = (uint64_t)mib * SIM_MIB;
    return true;
}

/* One "NUMBER UNIT" part of a duration at *p, added to *total (ns); *unit_out
 * is the part's unit in ns. */
static bool duration_part(const char *s, const char **p, uint64_t *total, uint64_t *unit_out,
                          GError **error)
{
    Decimal d;
    if (!scan_decimal(p, &d)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "cannot parse duration \"%s\"; expected e.g. \"250ms\", \"90s\", \"15m\" or "
                    "\"1h30m\"",
                    s);
        return false;
    }
    const char *u = *p = skip_spaces(*p);
    while (**p != '\0' && **p != ' ' && **p != '.' && !g_ascii_isdigit(**p)) {
        (*p)++;
    }
    if (u == *p) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "duration \"%s\" has a number without a unit (valid units: " DURATION_UNITS_HELP
                    ")",
                    s);
        return false;
    }
    g_autofree char *name = g_strndup(u, (gsize)(*p - u));
    uint64_t unit = unit_lookup(duration_units, name);
    if (unit == 0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "unknown duration unit \"%s\" in \"%s\" (valid units: " DURATION_UNITS_HELP ")",
                    name, s);
        return false;
    }
    /* INT64_MAX itself is SIM_TIME_NEVER, so the largest duration is one less. */
    uint64_t part = 0;
    if (!decimal_scale(&d, unit, (uint64_t)INT64_MAX - 1 - *total, &part)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
                    "duration \"%s\" is too long (at most about 292 years)", s);
        return false;
    }
    *total += part;
    *unit_out = unit;
    *p = skip_spaces(*p);
    return true;
}

/* "1h1h" or "30m1h": the sum is clear, but a unit that is not smaller than
 * the one before is more likely a typo than meant (docs/model.md). */
static char *duration_oddity(const char *s, const char *unit_start, const char *unit_end,
                             uint64_t unit, uint64_t previous, uint64_t total)
{
    g_autofree char *name = g_strndup(unit_start, (gsize)(unit_end - unit_start));
    g_strstrip(name);
    g_autofree char *as = sim_units_format_duration((SimTime)total);
    return g_strdup_printf("duration \"%s\" %s unit \"%s\"%s; read as %s", s,
                           unit == previous ? "repeats the" : "has the", name,
                           unit == previous ? "" : " after a smaller one", as);
}

bool sim_units_parse_duration(const char *text, SimTime *out, GError **error)
{
    return sim_units_parse_duration_odd(text, out, NULL, error);
}

bool sim_units_parse_duration_odd(const char *text, SimTime *out, char **oddity, GError **error)
{
    g_autofree char *s = g_strstrip(g_strdup(text));
    if (s[0] == '-') {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE, "duration \"%s\" is negative", s);
        return false;
    }
    if (s[0] == '\0') {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "empty duration; expected e.g. \"90s\"");
        return false;
    }
    if (strspn(s, "0.") == strlen(s) && strchr(s, '0') != NULL) {
        *out = 0; /* zero is zero in every unit */
        return true;
    }
    uint64_t total = 0;
    uint64_t previous = UINT64_MAX;
    const char *p = s;
    const char *odd_start = NULL;
    const char *odd_end = NULL;
    uint64_t odd_unit = 0;
    uint64_t odd_previous = 0;
    while (*p != '\0') {
        uint64_t unit = 0;
        if (!duration_part(s, &p, &total, &unit, error)) {
            return false;
        }
        if (unit >= previous && odd_start == NULL) {
            odd_end = p;
            for (odd_start = p; odd_start > s && !g_ascii_isdigit(odd_start[-1]);) {
                odd_start--;
            }
            odd_unit = unit;
            odd_previous = previous;
        }
        previous = unit;
    }
    if (oddity != NULL && odd_start != NULL) {
        *oddity = duration_oddity(s, odd_start, odd_end, odd_unit, odd_previous, total);
    }
    *out = (SimTime)total;
    return true;
}

/*
 * Splits "X/UNIT" at the last '/': returns X and the unit in seconds.
 * `what` names the kind of rate and `example` shows one in messages.
 */
static char *rate_split(const char *s, const char *what, const char *example, double *seconds,
                        GError **error)
{
    const char *slash = strrchr(s, '/');
    if (slash == NULL) {
        const char *p = s;
        Decimal d;
        bool number = scan_decimal(&p, &d);
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    number ? "%s \"%s\" needs a time unit, e.g. \"%s\" (valid: " RATE_UNITS_HELP ")"
                           : "cannot parse %s \"%s\"; expected e.g. \"%s\"",
                    what, s, example);
        return NULL;
    }
    g_autofree char *unit_name = g_strstrip(g_strdup(slash + 1));
    uint64_t unit = unit_lookup(rate_units, unit_name);
    if (unit == 0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "unknown rate unit \"/%s\" in \"%s\" (valid: " RATE_UNITS_HELP ")", unit_name,
                    s);
        return NULL;
    }
    *seconds = (double)unit;
    return g_strstrip(g_strndup(s, (gsize)(slash - s)));
}

bool sim_units_parse_rate(const char *text, double *per_second, GError **error)
{
    g_autofree char *s = g_strstrip(g_strdup(text));
    if (s[0] == '-') {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE, "rate \"%s\" is negative", s);
        return false;
    }
    double seconds = 1.0;
    g_autofree char *count = rate_split(s, "rate", "20000/s", &seconds, error);
    if (count == NULL) {
        return false;
    }
    const char *p = count;
    Decimal d;
    if (!scan_decimal(&p, &d) || *p != '\0') {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "cannot parse rate \"%s\"; expected a count per time like \"20000/s\"", s);
        return false;
    }
    if (d.overflow) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE, "rate \"%s\" is too large", s);
        return false;
    }
    *per_second = ((double)d.whole + d.frac) / seconds;
    return true;
}

bool sim_units_parse_byte_rate(const char *text, double *bytes_per_second, GError **error)
{
    g_autofree char *s = g_strstrip(g_strdup(text));
    double seconds = 1.0;
    g_autofree char *size = rate_split(s, "byte rate", "200MiB/s", &seconds, error);
    uint64_t bytes = 0;
    if (size == NULL || !sim_units_parse_size(size, &bytes, error)) {
        return false;
    }
    *bytes_per_second = (double)bytes / seconds;
    return true;
}

bool sim_units_parse_percent(const char *text, double *fraction, GError **error)
{
    g_autofree char *s = g_strstrip(g_strdup(text));
    const char *p = s;
    Decimal d;
    if (*p == '-') {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE, "percentage \"%s\" is negative", s);
        return false;
    }
    bool parsed = scan_decimal(&p, &d);
    p = skip_spaces(p);
    if (!parsed || (*p != '\0' && strcmp(p, "%") != 0)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "cannot parse percentage \"%s\"; expected e.g. \"65%%\"", s);
        return false;
    }
    if (*p == '\0') {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE,
                    "percentage \"%s\" needs a \"%%\" sign, e.g. \"%s%%\"", s, s);
        return false;
    }
    if (d.overflow) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE, "percentage \"%s\" is too large", s);
        return false;
    }
    *fraction = ((double)d.whole + d.frac) / 100.0;
    return true;
}

char *sim_units_format_bytes(uint64_t bytes)
{
    static const UnitName units[] = {
        {"TiB", TIB}, {"GiB", SIM_GIB}, {"MiB", SIM_MIB}, {"KiB", SIM_KIB}, {NULL, 0},
    };
    for (const UnitName *u = units; u->name != NULL && bytes != 0; u++) {
        if (bytes % u->factor == 0) {
            return g_strdup_printf("%" G_GUINT64_FORMAT "%s", bytes / u->factor, u->name);
        }
    }
    return g_strdup_printf("%" G_GUINT64_FORMAT "B", bytes);
}

char *sim_units_format_duration(SimTime t)
{
    static const UnitName parts[] = {
        {"d", UINT64_C(86400) * 1000000000},
        {"h", UINT64_C(3600) * 1000000000},
        {"m", UINT64_C(60) * 1000000000},
        {"s", 1000000000},
        {"ms", 1000000},
        {"us", 1000},
        {"ns", 1},
        {NULL, 0},
    };
    if (t <= 0) {
        return t == 0 ? g_strdup("0s") : g_strdup_printf("%" G_GINT64_FORMAT "ns", t);
    }
    GString *out = g_string_new(NULL);
    uint64_t left = (uint64_t)t;
    for (const UnitName *u = parts; u->name != NULL; u++) {
        if (left >= u->factor) {
            g_string_append_printf(out, "%" G_GUINT64_FORMAT "%s", left / u->factor, u->name);
            left %= u->factor;
        }
    }
    return g_string_free(out, FALSE);
}

char *sim_units_format_percent(double fraction)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_formatd(buf, sizeof buf, "%g", fraction * 100.0);
    return g_strdup_printf("%s%%", buf);
}
