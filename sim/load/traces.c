/*
 * A workload trace as a scenario gives it: its options, reading it with the
 * trace readers (sim/load/trace.h), the bound on the phases it makes, and
 * the warnings about how it fits the VM and the run.
 */
#include <math.h>
#include <string.h>

#include "sim/load/loader-private.h"
#include "sim/load/trace.h"
#include "sim/units.h"

/* A trace as the scenario gives it, with where its values came from. */
typedef struct TraceSpec {
    char *file;            /* as written */
    const char *file_at;   /* pointer of the file name */
    const char *start_at;  /* pointer of "start", or of the trace */
    const char *repeat_at; /* pointer of "repeat", or of the trace */
    SimTraceOptions options;
    SimTraceReplay replay;
    char *vm; /* options.vm, owned */
} TraceSpec;

/* The trace file relative to the scenario file's folder (docs/design.md section 3). */
static char *trace_path(const SimScenario *sc, const char *file)
{
    g_autofree char *dir = g_path_get_dirname(sc->path);
    if (g_path_is_absolute(file) || strcmp(sc->path, "<built-in>") == 0 || strcmp(dir, ".") == 0) {
        return g_strdup(file);
    }
    return g_build_filename(dir, file, NULL);
}

/* `trace`: a file name, or an object {file, format, vm, start, repeat, scale, memory_window}. */
static bool load_trace_spec(Loader *ld, const Scope *wl, const SimVmConfig *vm, TraceSpec *t)
{
    const char *ptr = NULL;
    json_t *v = sim_load_scope_get(ld, wl, "trace", &ptr);
    Scope s = sim_load_scope_one(NULL, ptr, sim_load_group(wl->keys, "trace"));
    int format = SIM_TRACE_AUTO;
    t->start_at = ptr;
    if (v == NULL || json_is_null(v)) {
        return true;
    }
    if (json_is_string(v)) {
        t->file = g_strdup(json_string_value(v));
        t->file_at = ptr;
    } else if (!json_is_object(v)) {
        return sim_load_type_error(ld, ptr, v, "a file name or an object with \"file\"");
    } else if (!sim_load_scope_child(ld, wl, "trace", &s) ||
               !sim_load_get_string(ld, &s, "file", &t->file, &t->file_at)) {
        return false;
    } else if (t->file == NULL) {
        return sim_load_missing(ld, ptr, "file");
    }
    bool ok = sim_load_get_enum(ld, &s, "format", &format) &&
              sim_load_get_string(ld, &s, "vm", &t->vm, NULL) &&
              sim_load_get_duration(ld, &s, "start", &t->replay.start) &&
              sim_load_get_bool(ld, &s, "repeat", &t->replay.repeat) &&
              sim_load_get_number(ld, &s, "scale", &t->replay.scale) &&
              sim_load_get_duration(ld, &s, "memory_window", &t->options.memory_window);
    if (ok && t->vm == NULL) { /* the default: the entry's own name */
        t->vm = g_strdup(vm->name);
    }
    if (ok && t->file[0] == '\0') {
        return sim_load_fail(ld, SIM_ERROR_VALUE, t->file_at, "trace file name must not be empty");
    }
    if (ok && sim_load_scope_get(ld, &s, "start", &ptr) != NULL) {
        t->start_at = ptr;
    }
    t->repeat_at = sim_load_scope_get(ld, &s, "repeat", &ptr) != NULL ? ptr : t->start_at;
    t->options.format = (SimTraceFormat)format;
    t->options.vm = t->vm;
    return ok;
}

static gint sim_phase_cmp(gconstpointer a, gconstpointer b)
{
    SimTime ta = ((const SimPhase *)a)->at;
    SimTime tb = ((const SimPhase *)b)->at;
    return (ta > tb) - (ta < tb);
}

/* Adds the trace's warnings to the scenario, each with the place it came from. */
static void add_trace_warnings(SimScenario *sc, GPtrArray *warnings, const SimVmConfig *vm,
                               const TraceSpec *t)
{
    for (guint i = 0; i < warnings->len; i++) {
        g_autofree char *line = g_strdup_printf(
            "%s (VM %s, at %s)", (const char *)warnings->pdata[i], vm->name, t->file_at);
        g_ptr_array_add(sc->warnings, sim_error_one_line(line));
    }
}

/* Warnings about how the trace fits the VM and the run. */
static void trace_fit_warnings(GPtrArray *warnings, const char *path, const GArray *points,
                               const TraceSpec *t, const SimTraceStats *st)
{
    if (st->clipped > 0) {
        g_ptr_array_add(warnings,
                        g_strdup_printf("%s: %u sample%s in the run ask%s for more memory than "
                                        "the VM can hold (peak %.0f MiB, VM memory - guest "
                                        "kernel = %.0f MiB); clipped",
                                        path, st->clipped, st->clipped == 1 ? "" : "s",
                                        st->clipped == 1 ? "s" : "", st->peak_mb,
                                        (double)t->replay.room / (double)SIM_MIB));
    }
    double last = g_array_index(points, SimTracePoint, points->len - 1).t_s;
    double left = last - sim_time_to_s(t->replay.start);
    if (!t->replay.repeat && left < sim_time_to_s(t->replay.duration)) {
        g_ptr_array_add(warnings,
                        g_strdup_printf("%s: the trace ends %.0f s into the run, "
                                        "before its end (%.0f s); the last sample "
                                        "holds (\"repeat\": true loops it)",
                                        path, MAX(left, 0.0), sim_time_to_s(t->replay.duration)));
    }
}

static gint cmp_double(gconstpointer a, gconstpointer b, gpointer data)
{
    (void)data;
    double x = *(const double *)a;
    double y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Loops a repeating trace makes over the run: its period is the last point's
 * time plus the median step between points, as sim_trace_expand reads it. */
static double trace_loops(const GArray *points, const SimTraceReplay *rp)
{
    guint n = points->len;
    if (!rp->repeat || n < 2) {
        return 1.0;
    }
    g_autofree double *d = g_new(double, n - 1);
    for (guint i = 0; i + 1 < n; i++) {
        d[i] = g_array_index(points, SimTracePoint, i + 1).t_s -
               g_array_index(points, SimTracePoint, i).t_s;
    }
    g_qsort_with_data(d, (gint)(n - 1), sizeof(double), cmp_double, NULL);
    double period = g_array_index(points, SimTracePoint, n - 1).t_s + d[(n - 1) / 2];
    return period > 0 ? ceil(sim_time_to_s(rp->duration) / period) + 1.0 : 1.0;
}

/* Before expanding a trace: at most one phase per point and loop, times `count` VMs. */
static bool check_trace_phases(Loader *ld, const GArray *points, const TraceSpec *t)
{
    double loops = trace_loops(points, &t->replay);
    double phases = (double)points->len * loops * (double)ld->count;
    double bytes = phases * EST_PHASE_BYTES;
    if (phases + ld->phases <= SIM_SCENARIO_MAX_EVENTS &&
        bytes + ld->phases * EST_PHASE_BYTES <= (double)SIM_SCENARIO_MAX_RUN_BYTES) {
        return true;
    }
    return sim_load_fail(
        ld, SIM_ERROR_RANGE, t->repeat_at,
        "replaying the trace (%u samples, %s loops, %" G_GINT64_FORMAT " VM%s) would make "
        "up to %s workload phases (%s of memory; at most %s phases and %s); %s",
        points->len, sim_load_fmt_count(ld, loops), ld->count, ld->count == 1 ? "" : "s",
        sim_load_fmt_count(ld, phases), sim_load_fmt_approx_bytes(ld, bytes),
        sim_load_fmt_count(ld, SIM_SCENARIO_MAX_EVENTS),
        sim_load_fmt_approx_bytes(ld, (double)SIM_SCENARIO_MAX_RUN_BYTES),
        loops > 1 ? "the trace's period is too short to repeat: set repeat to false"
                  : "shorten the trace");
}

/* Reads the trace and turns it into the workload's memory, active and phases. */
static bool trace_apply(Loader *ld, SimScenario *sc, SimVmConfig *vm, TraceSpec *t)
{
    g_autofree char *path = trace_path(sc, t->file);
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GError) e = NULL;
    t->options.kernel_mb = (double)vm->guest.kernel / (double)SIM_MIB;
    g_autoptr(GArray) points = sim_trace_read(path, &t->options, warnings, &e);
    if (points == NULL) {
        return sim_load_fail(ld, SIM_ERROR_VALUE, t->file_at, "%s", e->message);
    }
    if (points->len == 0) { /* sim_trace_read promises one point; never expand nothing */
        return sim_load_fail(ld, SIM_ERROR_VALUE, t->file_at, "%s: the trace has no samples", path);
    }
    t->replay.duration = sc->duration;
    t->replay.room = vm->memory - vm->guest.kernel;
    if (!check_trace_phases(ld, points, t)) {
        return false;
    }
    SimWorkload *w = &vm->workload;
    SimTraceStats st;
    if (!sim_trace_expand(points, &t->replay, &w->memory, &w->active, w->phases, &st, &e)) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, t->start_at, "%s", e->message);
    }
    g_array_sort(w->phases, sim_phase_cmp); /* stable (GLib >= 2.32) */
    trace_fit_warnings(warnings, path, points, t, &st);
    add_trace_warnings(sc, warnings, vm, t);
    w->trace = g_steal_pointer(&path);
    return true;
}

bool sim_load_trace(Loader *ld, const Scope *wl, SimScenario *sc, SimVmConfig *vm)
{
    TraceSpec t = {0};
    bool ok = load_trace_spec(ld, wl, vm, &t);
    if (ok && t.file != NULL) {
        ok = trace_apply(ld, sc, vm, &t);
    }
    g_free(t.file);
    g_free(t.vm);
    return ok;
}
