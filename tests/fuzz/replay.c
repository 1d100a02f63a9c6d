/*
 * Runs a fuzz target's LLVMFuzzerTestOneInput once on every file given,
 * or every file under every folder given: the target's corpus as an
 * ordinary test, in any build (gcc or clang, sanitizers or not), so that a
 * finding, once its input is in the corpus, stays fixed. A crash or a
 * sanitizer report fails the test the way it fails the fuzzer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    g_autofree char *data = NULL;
    gsize len = 0;
    g_autoptr(GError) e = NULL;
    if (!g_file_get_contents(path, &data, &len, &e)) {
        fprintf(stderr, "replay: %s\n", e->message);
        return 1;
    }
    /* An exact copy, as libFuzzer gives: the sanitizers catch a read past its end. */
    uint8_t *copy = malloc(len > 0 ? len : 1);
    if (copy == NULL) {
        return 1;
    }
    memcpy(copy, data, len);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    return 0;
}

static gint cmp_path(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every regular file under `path` (or `path` itself), in name order for a stable log. */
static int run_path(const char *path, guint *n)
{
    if (!g_file_test(path, G_FILE_TEST_IS_DIR)) {
        (*n)++;
        return run_file(path);
    }
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    for (const char *name; d != NULL && (name = g_dir_read_name(d)) != NULL;) {
        g_ptr_array_add(names, g_build_filename(path, name, NULL));
    }
    g_ptr_array_sort(names, cmp_path);
    int failed = 0;
    for (guint i = 0; i < names->len; i++) {
        failed |= run_path(g_ptr_array_index(names, i), n);
    }
    return failed;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    guint n = 0;
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        failed |= run_path(argv[i], &n);
    }
    printf("%s: %u inputs replayed\n", argv[0], n);
    return failed != 0 || n == 0;
}
