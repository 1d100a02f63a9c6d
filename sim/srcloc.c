/*
 * Source locations in JSON text (see srcloc.h). The tokenizer is not a
 * validator: the loader only asks about texts jansson has already parsed, so
 * it skips values by their first character and bracket depth and stops
 * (returning "not found") on anything it does not expect.
 */
#include "sim/srcloc.h"

#include <string.h>

struct SimSrcLoc {
    char *text;   /* copy of the text, NUL-terminated */
    gsize len;    /* bytes, without the terminating NUL */
    GArray *line; /* gsize offset of the first byte of each line */
};

SimSrcLoc *sim_srcloc_new(const char *text, gsize len)
{
    SimSrcLoc *loc = g_new0(SimSrcLoc, 1);
    /* memcpy, not g_strndup: the text may hold a NUL the loader reports. */
    loc->text = g_malloc(len + 1);
    memcpy(loc->text, text, len);
    loc->text[len] = '\0';
    loc->len = len;
    loc->line = g_array_new(FALSE, FALSE, sizeof(gsize));
    gsize start = 0;
    g_array_append_val(loc->line, start);
    for (gsize i = 0; i < len; i++) {
        if (text[i] == '\n') {
            start = i + 1;
            g_array_append_val(loc->line, start);
        }
    }
    return loc;
}

void sim_srcloc_free(SimSrcLoc *loc)
{
    if (loc == NULL) {
        return;
    }
    g_free(loc->text);
    g_array_unref(loc->line);
    g_free(loc);
}

/* Binary search for the last line starting at or before `offset`: O(log lines). */
void sim_srcloc_line_col(const SimSrcLoc *loc, gsize offset, guint *line, guint *col)
{
    if (offset > loc->len) {
        offset = loc->len;
    }
    guint lo = 0;
    guint hi = loc->line->len - 1;
    while (lo < hi) {
        guint mid = lo + (hi - lo + 1) / 2;
        if (g_array_index(loc->line, gsize, mid) <= offset) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    gsize start = g_array_index(loc->line, gsize, lo);
    *line = lo + 1;
    *col = (guint)g_utf8_strlen(loc->text + start, (gssize)(offset - start)) + 1;
}

static gsize skip_ws(const SimSrcLoc *loc, gsize p)
{
    while (p < loc->len && strchr(" \t\r\n", loc->text[p]) != NULL && loc->text[p] != '\0') {
        p++;
    }
    return p;
}

/* p at '"': the offset just after the closing quote. */
static gsize skip_string(const SimSrcLoc *loc, gsize p)
{
    for (p++; p < loc->len; p++) {
        if (loc->text[p] == '\\') {
            p++;
        } else if (loc->text[p] == '"') {
            return p + 1;
        }
    }
    return loc->len;
}

/* p at the first character of a value: the offset just after it. */
static gsize skip_value(const SimSrcLoc *loc, gsize p)
{
    const char *t = loc->text;
    if (p < loc->len && t[p] == '"') {
        return skip_string(loc, p);
    }
    if (p < loc->len && (t[p] == '{' || t[p] == '[')) {
        int depth = 0;
        while (p < loc->len) {
            if (t[p] == '"') {
                p = skip_string(loc, p);
                continue;
            }
            depth += (t[p] == '{' || t[p] == '[') - (t[p] == '}' || t[p] == ']');
            p++;
            if (depth == 0) {
                return p;
            }
        }
        return loc->len;
    }
    while (p < loc->len && strchr(",]} \t\r\n", t[p]) == NULL) {
        p++;
    }
    return p;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int d = g_ascii_xdigit_value(s[i]);
        if (d < 0) {
            return -1;
        }
        v = v * 16 + d;
    }
    return v;
}

/* A \uXXXX escape (and its low surrogate) at t[*p] == 'u'; advances *p to its last digit. */
static gunichar read_unicode_escape(const SimSrcLoc *loc, gsize *p)
{
    const char *t = loc->text;
    if (*p + 4 >= loc->len || hex4(t + *p + 1) < 0) {
        return 0xFFFD;
    }
    gunichar c = (gunichar)hex4(t + *p + 1);
    *p += 4;
    if (c >= 0xD800 && c < 0xDC00 && *p + 6 < loc->len && t[*p + 1] == '\\' && t[*p + 2] == 'u' &&
        hex4(t + *p + 3) >= 0xDC00 && hex4(t + *p + 3) < 0xE000) {
        c = 0x10000 + ((c - 0xD800) << 10) + ((gunichar)hex4(t + *p + 3) - 0xDC00);
        *p += 6;
    }
    return c;
}

/* p at '"': decodes the string into `out`; returns the offset after it. */
static gsize read_string(const SimSrcLoc *loc, gsize p, GString *out)
{
    static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
    const char *t = loc->text;
    g_string_truncate(out, 0);
    for (p++; p < loc->len && t[p] != '"'; p++) {
        if (t[p] != '\\' || p + 1 >= loc->len) {
            g_string_append_c(out, t[p]);
            continue;
        }
        p++;
        if (t[p] == 'u') {
            g_string_append_unichar(out, read_unicode_escape(loc, &p));
            continue;
        }
        for (const char *e = escapes; *e != '\0'; e += 2) {
            if (*e == t[p]) {
                g_string_append_c(out, e[1]);
                break;
            }
        }
    }
    return p < loc->len ? p + 1 : p;
}

/* One pointer token, unescaped: ~1 is '/', ~0 is '~'. */
static char *token_unescape(const char *token, gsize len)
{
    GString *out = g_string_sized_new(len);
    for (gsize i = 0; i < len; i++) {
        if (token[i] == '~' && i + 1 < len && (token[i + 1] == '0' || token[i + 1] == '1')) {
            g_string_append_c(out, token[i + 1] == '0' ? '~' : '/');
            i++;
        } else {
            g_string_append_c(out, token[i]);
        }
    }
    return g_string_free(out, FALSE);
}

/* p at '{': the offsets of member `key`'s key and value; false if absent. */
static bool find_member(const SimSrcLoc *loc, gsize p, const char *key, gsize *key_at,
                        gsize *value_at)
{
    g_autoptr(GString) name = g_string_new(NULL);
    for (p = skip_ws(loc, p + 1); p < loc->len && loc->text[p] == '"';) {
        *key_at = p;
        p = skip_ws(loc, read_string(loc, p, name));
        if (p >= loc->len || loc->text[p] != ':') {
            return false;
        }
        *value_at = p = skip_ws(loc, p + 1);
        if (strcmp(name->str, key) == 0) {
            return true;
        }
        p = skip_ws(loc, skip_value(loc, p));
        if (p >= loc->len || loc->text[p] != ',') {
            return false;
        }
        p = skip_ws(loc, p + 1);
    }
    return false;
}

/* p at '[': the offset of element `token` (a decimal index); false if absent. */
static bool find_element(const SimSrcLoc *loc, gsize p, const char *token, gsize *value_at)
{
    guint64 index = 0;
    if (!g_ascii_string_to_unsigned(token, 10, 0, G_MAXUINT32, &index, NULL) ||
        (token[0] == '0' && token[1] != '\0')) {
        return false;
    }
    p = skip_ws(loc, p + 1);
    for (guint64 i = 0; p < loc->len && loc->text[p] != ']'; i++) {
        if (i == index) {
            *value_at = p;
            return true;
        }
        p = skip_ws(loc, skip_value(loc, p));
        if (p >= loc->len || loc->text[p] != ',') {
            return false;
        }
        p = skip_ws(loc, p + 1);
    }
    return false;
}

bool sim_srcloc_find(const SimSrcLoc *loc, const char *pointer, SimSrcLocTarget target,
                     gsize *offset)
{
    gsize p = skip_ws(loc, 0);
    gsize key_at = p;
    bool is_member = false;
    if (pointer[0] != '\0' && pointer[0] != '/') {
        return false;
    }
    for (const char *tok = pointer; *tok == '/';) {
        const char *end = strchr(tok + 1, '/');
        if (end == NULL) {
            end = tok + strlen(tok);
        }
        g_autofree char *token = token_unescape(tok + 1, (gsize)(end - tok - 1));
        bool found = false;
        if (p < loc->len && loc->text[p] == '{') {
            found = find_member(loc, p, token, &key_at, &p);
            is_member = true;
        } else if (p < loc->len && loc->text[p] == '[') {
            found = find_element(loc, p, token, &p);
            is_member = false;
        }
        if (!found) {
            return false;
        }
        tok = end;
    }
    *offset = (target == SIM_SRCLOC_KEY && is_member) ? key_at : p;
    return true;
}
