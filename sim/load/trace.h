/*
 * Replay of real traces as workloads (`workload.trace`, docs/design.md section 2,
 * issue 5). A trace is read into points (time, anon memory, active memory)
 * and expanded into the VM's workload phases, so the engine needs nothing
 * new: a phase at every point where the trace changes. Formats:
 *
 * - csv: `time_s,vm,memory_mb,active_mb` (header optional, columns by name
 *   when present); times are seconds from the trace start, memory is the
 *   workload's anon memory.
 * - esxtop: a real `esxtop -b` capture (sim/load/esxtop.h); active = "% Active
 *   Estimate" x "Memory Size MBytes" (or "Touched MBytes" with a warning),
 *   memory = "Memory Granted Size MBytes" - the guest kernel, at least active.
 * - bitbrains: Grid Workloads Archive GWA-T-12 (`;`+tab separated);
 *   "Memory usage [KB]" is the active series, memory is its peak over a
 *   trailing window (`memory_window`, default 1 day).
 *
 * Every choice and its source: docs/model.md, "Trace replay". Library code:
 * warnings are strings appended to a GPtrArray, never printed.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/time.h"

typedef enum {
    SIM_TRACE_AUTO,
    SIM_TRACE_CSV,
    SIM_TRACE_ESXTOP,
    SIM_TRACE_BITBRAINS,
    SIM_TRACE_FORMAT_MAX
} SimTraceFormat;
const char *sim_trace_format_to_string(SimTraceFormat format);

/* Default of `memory_window` for Bitbrains traces: one day (assumption). */
#define SIM_TRACE_DEFAULT_MEMORY_WINDOW SIM_DAY

/*
 * Largest memory or active value a trace may hold, MiB: 2^40 MiB = 1 EiB,
 * far above any machine, and small enough that bytes fit in 64 bits
 * (docs/model.md, "Trace replay"). Larger values are errors.
 */
#define SIM_TRACE_MAX_MB 1099511627776.0

/* One sample: what the workload holds from t_s until the next sample. */
typedef struct SimTracePoint {
    double t_s;       /* seconds since the trace start */
    double memory_mb; /* anon memory of the workload, MiB */
    double active_mb; /* hot set, MiB */
} SimTracePoint;

/* How to read a trace; filled by the scenario loader. */
typedef struct SimTraceOptions {
    SimTraceFormat format;  /* SIM_TRACE_AUTO: from the first line */
    const char *vm;         /* the VM's name in the trace (csv, esxtop) */
    double kernel_mb;       /* guest kernel, MiB: esxtop's granted memory includes it */
    SimTime memory_window;  /* bitbrains: trailing window of the anon memory peak */
} SimTraceOptions;

/*
 * Reads `path` into SimTracePoint, sorted by time, at least one. The file is
 * read through sim_read_file (sim/load/readfile.h): a regular file only, at most
 * SIM_READFILE_TRACE_MAX bytes, gzip decompressed in every format. Errors
 * (SIM_ERROR_IO: cannot read, not a regular file; SIM_ERROR_RANGE: too
 * large; SIM_ERROR_VALUE: bad content, a NUL byte, an empty trace, a value
 * that is not a number >= 0 or above SIM_TRACE_MAX_MB) carry the path and,
 * for content, the line. `warnings` (char *) gets one string per problem
 * that was worked around; each starts with the path.
 */
GArray *sim_trace_read(const char *path, const SimTraceOptions *options, GPtrArray *warnings,
                       GError **error);

/* How to lay a trace over the run; filled by the scenario loader. */
typedef struct SimTraceReplay {
    SimTime start;    /* trace time at run time 0 */
    bool repeat;      /* loop the trace until the run ends */
    double scale;     /* multiplies memory and active */
    SimTime duration; /* of the run: no phases after it */
    uint64_t room;    /* bytes the workload may hold: VM memory - guest kernel */
} SimTraceReplay;

/* What the expansion did, for warnings. */
typedef struct SimTraceStats {
    guint n_phases;  /* phases appended */
    guint clipped;   /* points whose memory exceeded the room */
    double peak_mb;  /* largest memory asked for (after scale) */
} SimTraceStats;

/*
 * Expands `points` (from sim_trace_read) into the initial `memory` and
 * `active` (bytes) and phases appended to `phases` (SimPhase, times since
 * the start of the run; the caller sorts). Memory is clipped to the room
 * (however large `scale` makes it: no conversion out of range), active to
 * memory. Fails (SIM_ERROR_RANGE) when `start` lies after the
 * trace's end and the trace does not repeat.
 */
bool sim_trace_expand(const GArray *points, const SimTraceReplay *replay, uint64_t *memory,
                      uint64_t *active, GArray *phases, SimTraceStats *stats, GError **error);
