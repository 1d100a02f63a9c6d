/*
 * Fuzz target: `--set KEY=VALUE` overrides (sim_scenario_load_with_overrides).
 * The input is one override a line, as many as it has. A line "--" ends
 * them; what follows is the scenario file, written beside the traces of
 * fuzz-scenario.c's folder. Without that line the overrides apply to the
 * built-in default scenario, as `reclaimsim run --set ...` does.
 *
 * Checked: a failure is one line mapped to exit code 2; a success has every
 * warning on one line.
 */
#include <string.h>

#include "fuzz.h"
#include "sim/load/scenario.h"

/* Splits at the first "--" line: the overrides before, the file after (or NULL). */
static char **split_input(char *text, const char **file)
{
    *file = NULL;
    char *sep = strstr(text, "\n--\n");
    if (g_str_has_prefix(text, "--\n")) {
        *text = '\0';
        *file = text + 3;
    } else if (sep != NULL) {
        *sep = '\0';
        *file = sep + 4;
    }
    if (*text == '\0') {
        return g_new0(char *, 1);
    }
    return g_strsplit(text, "\n", -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *text = fuzz_strndup(data, size);
    const char *file = NULL;
    g_auto(GStrv) sets = split_input(text, &file);
    g_autofree char *path = NULL;
    if (file != NULL) {
        fuzz_scenario_path(); /* the traces beside it */
        path = fuzz_write("scenario.json", file, size - (size_t)(file - text));
    }
    g_autoptr(GError) e = NULL;
    g_autoptr(SimScenario) sc =
        sim_scenario_load_with_overrides(path, (const char *const *)sets, &e);
    if (sc == NULL) {
        fuzz_check_bad_input(e);
        return 0;
    }
    for (guint i = 0; i < sc->warnings->len; i++) {
        fuzz_check_one_line("warning", g_ptr_array_index(sc->warnings, i));
    }
    return 0;
}
