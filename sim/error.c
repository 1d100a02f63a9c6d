#include "sim/error.h"

#include <string.h>

G_DEFINE_QUARK(reclaimsim - error - quark, sim_error)

int sim_error_exit_code(const GError *error)
{
    if (error == NULL) {
        return SIM_EXIT_OK;
    }
    if (error->domain != SIM_ERROR) {
        return SIM_EXIT_RUNTIME;
    }
    switch ((SimErrorCode)error->code) {
    case SIM_ERROR_USAGE:
    case SIM_ERROR_PARSE:
    case SIM_ERROR_UNKNOWN_KEY:
    case SIM_ERROR_TYPE:
    case SIM_ERROR_VALUE:
    case SIM_ERROR_RANGE:
    case SIM_ERROR_PLUGIN:
        return SIM_EXIT_BAD_INPUT;
    case SIM_ERROR_IO:
    case SIM_ERROR_RUNTIME:
    case SIM_ERROR_MAX:
        break;
    }
    return SIM_EXIT_RUNTIME;
}

/* Appends the bytes [p, p + n) as \xNN escapes. */
static void append_hex(GString *out, const char *p, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        g_string_append_printf(out, "\\x%02x", (unsigned)(unsigned char)p[i]);
    }
}

char *sim_error_one_line(const char *text)
{
    GString *out = g_string_sized_new(strlen(text));
    const char *p = text;
    while (*p != '\0') {
        gunichar c = g_utf8_get_char_validated(p, -1);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            append_hex(out, p, 1); /* not UTF-8: one byte at a time */
            p++;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        if (c == '\n' || c == '\r' || c == '\t') {
            g_string_append(out, c == '\n' ? "\\n" : c == '\r' ? "\\r" : "\\t");
        } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
            append_hex(out, p, (gsize)(next - p));
        } else {
            g_string_append_len(out, p, next - p);
        }
        p = next;
    }
    return g_string_free(out, FALSE);
}
