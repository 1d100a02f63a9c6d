/*
 * Fuzz target: reading an input file whole (sim_read_file), gzip included,
 * as the trace readers do (SIM_READFILE_GZIP, bounded by
 * SIM_READFILE_TRACE_MAX). The input is the file, through a memfd.
 *
 * Checked (sim/load/readfile.h): the text is NUL-terminated; a file without the
 * gzip magic reads back byte for byte; a corrupt stream is SIM_ERROR_VALUE;
 * the bound holds exactly: the same file read with a bound one byte below
 * what it needed fails with SIM_ERROR_RANGE, and with the bound it needed
 * reads back the same bytes.
 */
#include <string.h>

#include "fuzz.h"
#include "sim/error.h"
#include "sim/load/readfile.h"

static char *read_with(const char *path, gsize max_len, gsize *len, GError **error)
{
    return sim_read_file(path, max_len, SIM_READFILE_GZIP, len, error);
}

/* Reads again with the bound it needed, then one byte below it. */
static void check_bound(const char *path, const char *text, gsize len, size_t size)
{
    gsize need = MAX(len, size);
    gsize again_len = 0;
    g_autoptr(GError) e = NULL;
    g_autofree char *again = read_with(path, need, &again_len, &e);
    if (again == NULL || again_len != len || memcmp(again, text, len) != 0) {
        fuzz_fail("reading again with the bound it needed gives other bytes");
    }
    if (need == 0) {
        return;
    }
    g_autoptr(GError) e2 = NULL;
    g_autofree char *cut = read_with(path, need - 1, &again_len, &e2);
    if (cut != NULL || !g_error_matches(e2, SIM_ERROR, SIM_ERROR_RANGE)) {
        fuzz_fail("one byte below the bound needed is not a RANGE error");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_memfd(data, size);
    gsize len = 0;
    g_autoptr(GError) e = NULL;
    g_autofree char *text = read_with(path, SIM_READFILE_TRACE_MAX, &len, &e);
    bool gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    if (text == NULL) {
        fuzz_check_bad_input(e);
        if (!gz || !g_error_matches(e, SIM_ERROR, SIM_ERROR_VALUE)) {
            fuzz_fail(
                "only a corrupt gzip stream may fail"); /* only a corrupt gzip stream fails here */
        }
        return 0;
    }
    if (text[len] != '\0' || (!gz && (len != size || memcmp(text, data, size) != 0))) {
        fuzz_fail("the text is not NUL-terminated or a plain file did not read back as is");
    }
    check_bound(path, text, len, size);
    return 0;
}
