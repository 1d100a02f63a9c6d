/*
 * The fixed text forms of numbers and cells shared by every writer: see
 * sim/out/format.h.
 */
#include "sim/out/format.h"

#include <math.h>
#include <string.h>

void sim_format_number(GString *out, double v, int decimals)
{
    if (isnan(v)) {
        g_string_append(out, "nan");
        return;
    }
    if (isinf(v)) {
        g_string_append(out, v > 0 ? "inf" : "-inf");
        return;
    }
    char buf[G_ASCII_DTOSTR_BUF_SIZE + 320]; /* %f of DBL_MAX has 309 digits */
    g_snprintf(buf, sizeof buf, "%.*f", decimals, v);
    const char *text = buf;
    /* Only zeros and the point after the sign: a negative zero. */
    if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1)) {
        text = buf + 1;
    }
    g_string_append(out, text);
}

void sim_format_time(GString *out, double time_s)
{
    sim_format_number(out, time_s, time_s == floor(time_s) ? 0 : 3);
}

void sim_format_csv_quoted(GString *out, const char *text)
{
    g_string_append_c(out, '"');
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '"') {
            g_string_append_c(out, '"');
        }
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

void sim_format_csv_text(GString *out, const char *text)
{
    if (strpbrk(text, ",\"\r\n") == NULL) {
        g_string_append(out, text);
        return;
    }
    sim_format_csv_quoted(out, text);
}
