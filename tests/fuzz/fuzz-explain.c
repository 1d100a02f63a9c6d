/*
 * Fuzz target: the records `reclaimsim explain` reads (plot_records_load)
 * and the explanation of them (plots/explain.h). The input is a run folder
 * as for fuzz-rundata: host.csv, vms.csv, summary.json separated by lines
 * "%%"; a file the input does not reach is missing.
 *
 * Checked: a failure is one line mapped to exit code 2; on records the
 * reader took, explain never refuses, and its text, JSON and HTML are made
 * for every VM and for one by name (any summary.json "config", hostile
 * numbers and names included).
 */
#include <string.h>

#include "fuzz.h"
#include "plots/explain.h"
#include "plots/records.h"

/* Every form of the explanation, of every VM and of the first by name. */
static void check_explain(const PlotRecords *rec)
{
    for (int one = 0; one < 2; one++) {
        const char *vm = one && rec->run->n_vms > 0 ? rec->run->vm_names[0] : NULL;
        g_autoptr(GError) e = NULL;
        g_autoptr(PlotExplain) x = plot_explain_new(rec, vm, &e);
        if (x == NULL) {
            fuzz_fail("explain refused a run its reader took");
        }
        g_autofree char *text = plot_explain_text(x);
        if (strchr(text, '\n') == NULL) {
            fuzz_fail("explain's text has no line");
        }
        json_t *json = plot_explain_json(x);
        if (json == NULL) {
            fuzz_fail("explain could not make its JSON");
        }
        json_decref(json);
        g_autoptr(GString) html = g_string_new(NULL);
        plot_explain_html(x, html);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write_run(data, size);
    g_autoptr(GError) e = NULL;
    g_autoptr(PlotRecords) rec = plot_records_load(fuzz_dir(), &e);
    if (rec == NULL) {
        fuzz_check_bad_input(e);
        return 0;
    }
    check_explain(rec);
    return 0;
}
