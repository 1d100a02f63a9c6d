/*
 * Runs one scenario in-process and reports what docs/benchmarks.md records:
 * wall time, peak RSS, bytes of per-page state and of RSS per simulated
 * guest page, page moves and events per second.
 * Usage: reclaimsim-bench SCENARIO [KEY=VALUE...] (overrides as --set)
 */
#include <stdio.h>
#include <sys/resource.h>

#include "sim/load/scenario.h"
#include "sim/run/run.h"

static uint64_t guest_pages_total(const SimScenario *sc)
{
    uint64_t n = 0;
    for (guint i = 0; i < sc->vms->len; i++) {
        n += g_array_index(sc->vms, SimVmConfig, i).memory / sc->host.page_size;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s SCENARIO [KEY=VALUE...]\n", argv[0]);
        return 2;
    }
    GError *error = NULL;
    g_autoptr(SimScenario) sc =
        sim_scenario_load_with_overrides(argv[1], (const char *const *)argv + 2, &error);
    if (sc == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return 2;
    }
    gint64 start = g_get_monotonic_time();
    g_autoptr(SimRun) run = sim_run_new(sc, NULL, &error);
    if (run == NULL || !sim_run_execute(run, &error)) {
        fprintf(stderr, "%s\n", error->message);
        return 1;
    }
    double wall = (double)(g_get_monotonic_time() - start) / 1e6;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double rss = (double)ru.ru_maxrss * 1024.0;
    uint64_t pages = guest_pages_total(sc);
    printf("scenario          %s\n", sc->name);
    printf("simulated         %.0f s, %u VMs, %" G_GUINT64_FORMAT " guest pages\n",
           sim_time_to_s(sc->duration), sc->vms->len, pages);
    printf("wall              %.2f s\n", wall);
    printf("speed             %.0fx real time\n", sim_time_to_s(sc->duration) / wall);
    printf("events            %" G_GUINT64_FORMAT " (%.0f per second of wall)\n",
           sim_run_events(run), (double)sim_run_events(run) / wall);
    printf("page moves        %" G_GUINT64_FORMAT " (%.1f ns of wall each)\n",
           sim_run_page_moves(run), wall * 1e9 / (double)sim_run_page_moves(run));
    printf("peak RSS          %.1f MiB (%.2f B per guest page)\n", rss / 1048576.0,
           rss / (double)pages);
    printf("page state        %.2f B per guest page\n",
           (double)sim_run_page_state_bytes(run) / (double)pages);
    printf("frame table       %.1f MiB at the end, %.1f MiB at most (%.2f B per guest page)\n",
           (double)sim_run_share_table_bytes(run) / 1048576.0,
           (double)sim_run_share_table_peak_bytes(run) / 1048576.0,
           (double)sim_run_share_table_peak_bytes(run) / (double)pages);
    return 0;
}
