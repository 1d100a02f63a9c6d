/* Helpers shared by the tests of plots/: running the real binary with an
 * environment, reading outputs, PNG headers, SVG text. Static inline so each
 * test program takes only what it uses. */
#pragma once

#include <glib.h>
#include <string.h>
#include <sys/wait.h>

#include "support/testutil.h"

/* Runs reclaimsim with argv (NULL-terminated, no argv[0]) and extra
 * environment entries "KEY=VALUE" (NULL-terminated, may be NULL).
 * Returns the exit code; *err receives stderr when err is set. */
static inline int plottest_run(const char *const *argv, const char *const *env, char **err)
{
    GPtrArray *args = g_ptr_array_new();
    g_ptr_array_add(args, (gpointer)RECLAIMSIM_BIN);
    for (const char *const *a = argv; *a != NULL; a++) {
        g_ptr_array_add(args, (gpointer)*a);
    }
    g_ptr_array_add(args, NULL);
    char **envp = g_get_environ();
    for (const char *const *e = env; e != NULL && *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        char *key = g_strndup(*e, (gsize)(eq - *e));
        envp = g_environ_setenv(envp, key, eq + 1, TRUE);
        g_free(key);
    }
    int status = -1;
    gboolean ok = g_spawn_sync(NULL, (char **)args->pdata, envp, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                               NULL, NULL, err, &status, NULL);
    g_ptr_array_free(args, TRUE);
    g_strfreev(envp);
    if (!ok) {
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* DIR/NAME as text, NULL when it cannot be read. */
static inline char *plottest_read(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;
    g_file_get_contents(path, &text, NULL, NULL);
    g_free(path);
    return text;
}

/* Width and height from a PNG's IHDR chunk; false when the file does not
 * start with the PNG signature and an IHDR chunk. */
static inline gboolean plottest_png_size(const char *path, guint32 *width, guint32 *height)
{
    static const guchar signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    gchar *data = NULL;
    gsize len = 0;
    gboolean ok = g_file_get_contents(path, &data, &len, NULL) && len >= 24 &&
                  memcmp(data, signature, 8) == 0 && memcmp(data + 12, "IHDR", 4) == 0;
    if (ok) {
        const guchar *p = (const guchar *)data + 16;
        *width = (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
        *height = (guint32)p[4] << 24 | (guint32)p[5] << 16 | (guint32)p[6] << 8 | p[7];
    }
    g_free(data);
    return ok;
}

static inline void plottest_markup_text(GMarkupParseContext *ctx, const gchar *text, gsize len,
                                        gpointer data, GError **error)
{
    (void)ctx;
    (void)error;
    g_string_append_len(data, text, (gssize)len);
    g_string_append_c(data, '\n');
}

/* Parses an SVG file as XML with GMarkup; returns its text content (one
 * line per text node), or NULL with *error set when it is not well-formed. */
static inline GString *plottest_svg_text(const char *path, GError **error)
{
    gchar *data = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &data, &len, error)) {
        return NULL;
    }
    GMarkupParser parser = {NULL, NULL, plottest_markup_text, NULL, NULL};
    GString *text = g_string_new(NULL);
    GMarkupParseContext *ctx = g_markup_parse_context_new(&parser, 0, text, NULL);
    gboolean ok = g_markup_parse_context_parse(ctx, data, (gssize)len, error) &&
                  g_markup_parse_context_end_parse(ctx, error);
    g_markup_parse_context_free(ctx);
    g_free(data);
    if (!ok) {
        g_string_free(text, TRUE);
        return NULL;
    }
    return text;
}
