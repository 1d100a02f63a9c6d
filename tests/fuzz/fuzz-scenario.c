/*
 * Fuzz target: the scenario loader, as `reclaimsim check FILE` runs it
 * (sim_scenario_load_text on the file's bytes), named as a file beside
 * three small traces (fuzz_scenario_path), so a fuzzed `workload.trace`
 * reaches the trace readers and the expansion into phases.
 *
 * Checked beyond "no crash, no leak, no hang": a failure is an error with
 * one line of text, mapped to exit code 2 (bad input); a success has every
 * warning on one line and VM names that sim_scenario_find_vm finds.
 */

#include "fuzz.h"
#include "sim/load/scenario.h"

static void check_loaded(const SimScenario *sc)
{
    for (guint i = 0; i < sc->warnings->len; i++) {
        fuzz_check_one_line("warning", g_ptr_array_index(sc->warnings, i));
    }
    for (guint i = 0; i < sc->vms->len; i++) {
        const SimVmConfig *vm = &g_array_index(sc->vms, SimVmConfig, i);
        if (sim_scenario_find_vm(sc, vm->name) != (int)i) {
            fuzz_fail(
                "a VM is not found by its name (two of one name?)"); /* two VMs of one name: the
                                                                        loader refuses that */
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* sim_read_file hands the loader a NUL-terminated copy; so does this. */
    g_autofree char *text = fuzz_strndup(data, size);
    g_autoptr(GError) e = NULL;
    g_autoptr(SimScenario) sc = sim_scenario_load_text(fuzz_scenario_path(), text, size, &e);
    if (sc == NULL) {
        fuzz_check_bad_input(e);
        return 0;
    }
    check_loaded(sc);
    return 0;
}
