/*
 * Fuzz target: the trace readers (sim_trace_read), one build per format:
 * FUZZ_TRACE_FORMAT is SIM_TRACE_CSV, _ESXTOP, _BITBRAINS or _AUTO (the
 * format read from the file's start). The input is the trace file, read
 * through a memfd; the VM asked for is "styx", a VM of the real esxtop
 * captures the seeds come from (tests/fuzz/corpus/SOURCES.md).
 *
 * Checked beyond "no crash, no leak, no hang": what sim/load/trace.h promises.
 * A success is at least one point, in time order, of finite non-negative
 * values, and expands into phases over a day; a failure is one error line
 * mapped to exit code 2, and every warning is one line.
 */
#include <math.h>

#include "fuzz.h"
#include "sim/scenario.h" /* SimPhase */
#include "sim/load/trace.h"

#ifndef FUZZ_TRACE_FORMAT
#error "build with -DFUZZ_TRACE_FORMAT=SIM_TRACE_..."
#endif

#define FUZZ_TRACE_VM "styx"

/* The points as sim/load/trace.h describes them, or abort. */
static void check_points(const GArray *points)
{
    if (points->len == 0) {
        fuzz_fail("no points and no error"); /* "at least one": an empty trace must be an error */
    }
    for (guint i = 0; i < points->len; i++) {
        const SimTracePoint *p = &g_array_index(points, SimTracePoint, i);
        if (!isfinite(p->t_s) || !isfinite(p->memory_mb) || !isfinite(p->active_mb) || p->t_s < 0 ||
            p->memory_mb < 0 || p->active_mb < 0) {
            fuzz_fail("a point not finite or negative");
        }
        if (i > 0 && p->t_s < g_array_index(points, SimTracePoint, i - 1).t_s) {
            fuzz_fail("points out of time order");
        }
    }
}

/* Lays the trace over a day of a 16 GiB VM, as the scenario loader would. */
static void expand(const GArray *points)
{
    const SimTraceReplay replay = {
        .start = 0, .repeat = false, .scale = 1.0, .duration = SIM_DAY, .room = UINT64_C(16) << 30};
    g_autoptr(GArray) phases = g_array_new(FALSE, FALSE, sizeof(SimPhase));
    uint64_t memory = 0, active = 0;
    SimTraceStats stats;
    g_autoptr(GError) e = NULL;
    if (!sim_trace_expand(points, &replay, &memory, &active, phases, &stats, &e)) {
        fuzz_check_one_line("expansion error", e->message);
        return;
    }
    if (memory > replay.room || active > memory) {
        fuzz_fail("expansion beyond the room, or active above memory");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const SimTraceOptions options = {.format = FUZZ_TRACE_FORMAT,
                                     .vm = FUZZ_TRACE_VM,
                                     .kernel_mb = 64,
                                     .memory_window = SIM_TRACE_DEFAULT_MEMORY_WINDOW};
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) e = NULL;
    g_autoptr(GArray) points = sim_trace_read(fuzz_memfd(data, size), &options, warnings, &e);
    for (guint i = 0; i < warnings->len; i++) {
        fuzz_check_one_line("warning", g_ptr_array_index(warnings, i));
    }
    if (points == NULL) {
        fuzz_check_bad_input(e);
        return 0;
    }
    check_points(points);
    expand(points);
    return 0;
}
