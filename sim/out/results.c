/*
 * The one entry point the CLI calls for a run's results: every file of the
 * output directory, each from its own writer (sim/out/csv.h,
 * sim/out/summary.h, sim/out/esxtop.h), and the terminal summary
 * (sim/out/table.h). The files go into a directory the caller gives
 * (sim/out/outdir.h stages and publishes it).
 */
#include "sim/out/results.h"

#include "sim/interrupt.h"
#include "sim/out/csv.h"
#include "sim/out/esxtop.h"
#include "sim/out/summary.h"
#include "sim/out/table.h"

/* An interrupt (sim/interrupt.h) is checked between files: a long run's
 * vms.csv takes seconds to write. */
bool sim_results_write(const SimRecorder *recorder, const SimRunTotals *totals, const char *dir,
                       const char *shown, GError **error)
{
    g_return_val_if_fail(recorder != NULL && totals != NULL && dir != NULL, false);
    g_return_val_if_fail(error == NULL || *error == NULL, false);
    const SimRecorder *r = recorder;
    shown = shown != NULL ? shown : dir;
    g_autofree char *esxtop = g_build_filename(dir, "esxtop.csv", NULL);
    g_autofree char *esxtop_shown = g_build_filename(shown, "esxtop.csv", NULL);
    return sim_csv_write_host(r, dir, shown, error) && sim_interrupt_check(error) &&
           sim_csv_write_vms(r, dir, shown, error) && sim_interrupt_check(error) &&
           sim_summary_write(r, totals, dir, shown, error) && sim_interrupt_check(error) &&
           sim_esxtop_write(sim_recorder_scenario(r), r, esxtop, esxtop_shown, error);
}

void sim_results_print_summary(const SimRecorder *recorder, const SimRunTotals *totals, FILE *out)
{
    sim_table_print(recorder, totals, out);
}
