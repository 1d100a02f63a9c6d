/*
 * Fuzz target: the run-directory reader of `plot` and `report`
 * (plot_rundata_load). The input holds the three files of a run folder
 * separated by lines "%%": host.csv, vms.csv, summary.json; a file the
 * input does not reach is missing from the folder.
 *
 * Checked: a failure is one line mapped to exit code 2; a success has
 * ascending distinct times and VM names, and every value the plots read
 * (host rows, the VM matrix, the summary numbers) can be read.
 */
#include <string.h>

#include "fuzz.h"
#include "plots/rundata.h"

static void check_run(const PlotRunData *d)
{
    double sum = 0;
    for (guint r = 0; r < d->n_host; r++) {
        for (int c = 0; c < PLOT_HOST_MAX; c++) {
            sum += plot_rundata_host(d, r, (PlotHostCol)c);
        }
    }
    for (guint t = 1; t < d->n_times; t++) {
        if (!(d->times[t] > d->times[t - 1])) {
            fuzz_fail("times not ascending");
        }
    }
    for (guint v = 0; v < d->n_vms; v++) {
        for (guint w = 0; w < v; w++) {
            if (strcmp(d->vm_names[v], d->vm_names[w]) == 0) {
                fuzz_fail("two VMs of one name");
            }
        }
        for (guint t = 0; t < d->n_times; t++) {
            sum += plot_rundata_vm(d, v, t, PLOT_VM_PERF);
        }
    }
    sum += plot_rundata_sla(d) + plot_rundata_summary_number(d, "host", "memory_mb", NULL);
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write_run(data, size);
    g_autoptr(GError) e = NULL;
    g_autoptr(PlotRunData) d = plot_rundata_load(fuzz_dir(), &e);
    if (d == NULL) {
        fuzz_check_bad_input(e);
        return 0;
    }
    check_run(d);
    return 0;
}
