#include "sim/error.h"

#include <stdarg.h>
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

char *sim_error_place(const char *path, guint line, guint col)
{
    if (line == 0) {
        return g_strdup(path);
    }
    if (col == 0) {
        return g_strdup_printf("%s:%u", path, line);
    }
    return g_strdup_printf("%s:%u:%u", path, line, col);
}

/* "PLACE: TAG: MESSAGE", or "PLACE: MESSAGE" when `tag` is NULL. */
G_GNUC_PRINTF(5, 0)
static char *located(const char *path, guint line, guint col, const char *tag, const char *fmt,
                     va_list ap)
{
    g_autofree char *place = sim_error_place(path, line, col);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    return tag != NULL ? g_strdup_printf("%s: %s: %s", place, tag, msg)
                       : g_strdup_printf("%s: %s", place, msg);
}

/* Sets `error` to the located message unless it is NULL or set already (GError's rule). */
G_GNUC_PRINTF(7, 0)
static bool set_located(GError **error, SimErrorCode code, const char *path, guint line, guint col,
                        const char *tag, const char *fmt, va_list ap)
{
    if (error == NULL || *error != NULL) {
        return false;
    }
    char *text = located(path, line, col, tag, fmt, ap);
    *error = g_error_new_literal(SIM_ERROR, (gint)code, text);
    g_free(text);
    return false;
}

bool sim_error_at(GError **error, SimErrorCode code, const char *path, guint line, guint col,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_located(error, code, path, line, col, "error", fmt, ap);
    va_end(ap);
    return false;
}

bool sim_error_cause_at(GError **error, SimErrorCode code, const char *path, guint line, guint col,
                        const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_located(error, code, path, line, col, NULL, fmt, ap);
    va_end(ap);
    return false;
}

void sim_warning_at(GPtrArray *warnings, const char *path, guint line, guint col, const char *fmt,
                    ...)
{
    if (warnings == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(warnings, located(path, line, col, NULL, fmt, ap));
    va_end(ap);
}
