/*
 * Trace replay: three readers (csv, esxtop, bitbrains) that produce points,
 * and the expansion of points into workload phases. The readers are O(file)
 * and run once at load time.
 */
#include "sim/load/trace.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/error.h"
#include "sim/load/csv.h"
#include "sim/load/esxtop.h"
#include "sim/load/readfile.h"
#include "sim/scenario.h"
#include "sim/units.h"

#define TRACE_ROUND 4096.0 /* bytes: sizes are whole 4 KiB pages, the smallest page size */
#define MAX_NAMES_LISTED 8 /* VM names shown when the one asked for is missing */
/* Bitbrains timestamps above this are milliseconds (as the header says; the data has seconds). */
#define BITBRAINS_MS_THRESHOLD 1e11

const char *sim_trace_format_to_string(SimTraceFormat format)
{
    static const char *const names[] = {"auto", "csv", "esxtop", "bitbrains"};
    return (unsigned)format < SIM_TRACE_FORMAT_MAX ? names[format] : "?";
}

/* The readers' errors and warnings: "PATH:LINE: MESSAGE" (line 0: "PATH: MESSAGE"),
 * a cause that the scenario loader's own located error carries. */
#define bad(error, path, line, ...)                                                               \
    sim_error_cause_at((error), SIM_ERROR_VALUE, (path), (line), 0, __VA_ARGS__)
#define warn(warnings, path, ...) sim_warning_at((warnings), (path), 0, 0, __VA_ARGS__)

static GArray *points_new(void)
{
    return g_array_new(FALSE, FALSE, sizeof(SimTracePoint));
}

/* A number, surrounded by blanks or quotes at most (infinities included); NAN otherwise. */
static double parse_number(const char *text)
{
    g_autofree char *s = g_strstrip(g_strdup(text));
    gsize len = strlen(s);
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        s[len - 1] = '\0';
        memmove(s, s + 1, len - 1);
    }
    char *end = NULL;
    double v = g_ascii_strtod(s, &end);
    return (end == s || *end != '\0') ? NAN : v;
}

/*
 * What is wrong with a trace value, or NULL: times and sizes are finite and
 * >= 0, sizes (MiB) at most SIM_TRACE_MAX_MB so that bytes fit in 64 bits.
 */
static const char *value_problem(double v, bool size)
{
    if (isnan(v) || v < 0) {
        return "is not a number >= 0";
    }
    if (isinf(v)) {
        return "is infinite";
    }
    if (size && v > SIM_TRACE_MAX_MB) {
        return "is larger than 2^40 MiB (1 EiB), the largest a trace may hold";
    }
    return NULL;
}

/* The whole trace, read once: a regular file, bounded, gzip decompressed. */
static char *read_text(const char *path, gsize *len, GError **error)
{
    g_autoptr(GError) e = NULL;
    char *text = sim_read_file(path, SIM_READFILE_TRACE_MAX, SIM_READFILE_GZIP, len, &e);
    if (text == NULL) {
        g_set_error(error, SIM_ERROR, e->code == SIM_ERROR_USAGE ? SIM_ERROR_IO : e->code,
                    "cannot read trace %s: %s", path, e->message);
        return NULL;
    }
    if (!sim_csv_check_text(path, text, *len, error)) {
        g_free(text);
        return NULL;
    }
    return text;
}

/* ---- csv ------------------------------------------------------------------ */

enum { CSV_TIME, CSV_VM, CSV_MEMORY, CSV_ACTIVE, CSV_N };
static const char *const csv_names[CSV_N] = {"time_s", "vm", "memory_mb", "active_mb"};

/* Cell `i` of the line without the blanks around it (g_free it). */
static char *cell_stripped(const SimCsv *csv, guint i)
{
    return g_strstrip(g_strdup(sim_csv_cell(csv, i)));
}

/* Column positions from a header line; false (with an error) when one is missing. */
static bool csv_header(const SimCsv *csv, int pos[CSV_N], GError **error)
{
    for (int k = 0; k < CSV_N; k++) {
        pos[k] = -1;
        for (guint c = 0; c < sim_csv_n_cells(csv); c++) {
            g_autofree char *name = cell_stripped(csv, c);
            if (strcmp(name, csv_names[k]) == 0) {
                pos[k] = (int)c;
            }
        }
        if (pos[k] < 0) {
            return bad(error, sim_csv_path(csv), sim_csv_line(csv),
                       "the header has no column \"%s\" (expected %s,%s,%s,%s)", csv_names[k],
                       csv_names[0], csv_names[1], csv_names[2], csv_names[3]);
        }
    }
    return true;
}

/* Appends the row's point when it belongs to `vm`; notes other names in `names`. */
static bool csv_row(const SimCsv *csv, const int pos[CSV_N], const SimTraceOptions *opt,
                    GArray *points, GHashTable *names, GError **error)
{
    const char *path = sim_csv_path(csv);
    guint line = sim_csv_line(csv), n = sim_csv_n_cells(csv);
    for (int k = 0; k < CSV_N; k++) {
        if ((guint)pos[k] >= n) {
            return bad(error, path, line, "%u cells, but column \"%s\" is cell %d", n,
                       csv_names[k], pos[k] + 1);
        }
    }
    g_autofree char *vm = cell_stripped(csv, (guint)pos[CSV_VM]);
    if (strcmp(vm, opt->vm) != 0) {
        g_hash_table_add(names, g_steal_pointer(&vm));
        return true;
    }
    SimTracePoint p = {parse_number(sim_csv_cell(csv, (guint)pos[CSV_TIME])),
                       parse_number(sim_csv_cell(csv, (guint)pos[CSV_MEMORY])),
                       parse_number(sim_csv_cell(csv, (guint)pos[CSV_ACTIVE]))};
    const double vals[] = {p.t_s, p.memory_mb, p.active_mb};
    const int cols[] = {CSV_TIME, CSV_MEMORY, CSV_ACTIVE};
    for (guint k = 0; k < G_N_ELEMENTS(vals); k++) {
        const char *problem = value_problem(vals[k], cols[k] != CSV_TIME);
        if (problem != NULL) {
            g_autofree char *shown = cell_stripped(csv, (guint)pos[cols[k]]);
            return bad(error, path, line, "%s \"%s\" %s", csv_names[cols[k]], shown, problem);
        }
    }
    if (points->len > 0 && p.t_s < g_array_index(points, SimTracePoint, points->len - 1).t_s) {
        return bad(error, path, line, "time_s %g is earlier than the row before for VM \"%s\"",
                   p.t_s, opt->vm);
    }
    g_array_append_val(points, p);
    return true;
}

/* Sorts with a comparison of the strings the pointers point at. */
static gint cmp_str_ptr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a, b, c" of up to MAX_NAMES_LISTED names, sorted, for "not found" messages. */
static char *list_names(GPtrArray *names)
{
    g_ptr_array_sort(names, cmp_str_ptr);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < names->len && i < MAX_NAMES_LISTED; i++) {
        g_string_append_printf(s, "%s\"%s\"", i > 0 ? ", " : "",
                               (const char *)g_ptr_array_index(names, i));
    }
    if (names->len > MAX_NAMES_LISTED) {
        g_string_append_printf(s, " and %u more", names->len - MAX_NAMES_LISTED);
    }
    return g_string_free(s, FALSE);
}

static bool not_found(GHashTable *names, const char *vm, const char *path, GError **error)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new();
    GHashTableIter it;
    gpointer key = NULL;
    g_hash_table_iter_init(&it, names);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        g_ptr_array_add(list, key);
    }
    g_autofree char *which = list_names(list);
    return bad(error, path, 0, "no rows for VM \"%s\" (the trace has %s)", vm,
               list->len > 0 ? which : "no VMs");
}

/*
 * No point for the VM: an empty trace and a header alone are errors of
 * their own, so the message never blames a VM name that is not the cause.
 */
static void csv_none(GHashTable *names, const SimTraceOptions *opt, const char *path,
                     guint header_line, guint rows, GError **error)
{
    if (rows > 0) {
        not_found(names, opt->vm, path, error);
    } else if (header_line > 0) {
        bad(error, path, header_line, "the trace has a header but no rows");
    } else {
        bad(error, path, 0, "empty trace (no header, no rows)");
    }
}

static GArray *read_csv(const char *path, char *text, const SimTraceOptions *opt, GError **error)
{
    /* blanks around a line dropped, blank lines and '#' comments skipped */
    g_autoptr(SimCsv) csv = sim_csv_new(path, text, ',', SIM_CSV_TRIM | SIM_CSV_COMMENTS);
    g_autoptr(GArray) points = points_new();
    g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int pos[CSV_N] = {CSV_TIME, CSV_VM, CSV_MEMORY, CSV_ACTIVE};
    guint header_line = 0, rows = 0;
    while (sim_csv_next(csv, NULL) == SIM_CSV_LINE) {
        bool header = header_line == 0 && rows == 0 && isnan(parse_number(sim_csv_cell(csv, 0)));
        header_line = header ? sim_csv_line(csv) : header_line;
        rows += header ? 0 : 1;
        if (header ? !csv_header(csv, pos, error)
                   : !csv_row(csv, pos, opt, points, names, error)) {
            return NULL;
        }
    }
    if (points->len == 0) {
        csv_none(names, opt, path, header_line, rows, error);
        return NULL;
    }
    return g_steal_pointer(&points);
}

/* ---- esxtop --------------------------------------------------------------- */

/* The columns of one VM's group; -1 when absent. */
typedef struct EsxtopCols {
    int size, granted, consumed, active_pct, touched;
} EsxtopCols;

static EsxtopCols esxtop_cols(const SimEsxtop *e, const char *group)
{
    return (EsxtopCols){
        .size = sim_esxtop_find(e, "Group Memory", group, "Memory Size MBytes"),
        .granted = sim_esxtop_find(e, "Group Memory", group, "Memory Granted Size MBytes"),
        .consumed = sim_esxtop_find(e, "Group Memory", group, "Memory Consumed Size MBytes"),
        .active_pct = sim_esxtop_find(e, "Group Memory", group, "% Active Estimate"),
        .touched = sim_esxtop_find(e, "Group Memory", group, "Touched MBytes"),
    };
}

static bool esxtop_group_missing(const SimEsxtop *e, const char *vm, const char *path,
                                 GError **error)
{
    const GPtrArray *groups = sim_esxtop_groups(e);
    if (groups->len == 0) {
        return bad(error, path, 0,
                   "no \"Group Memory\" counters for VM \"%s\": the capture has no per-VM "
                   "memory counters",
                   vm);
    }
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    for (guint g = 0; g < groups->len; g++) {
        g_ptr_array_add(names, g_ptr_array_index(groups, g));
    }
    g_autofree char *list = list_names(names);
    return bad(error, path, 0, "no \"Group Memory\" counters for VM \"%s\" (groups: %s)", vm,
               list);
}

/* Picks the columns for memory and active, with warnings for the fallbacks. */
static bool esxtop_pick(const SimEsxtop *e, const char *group, EsxtopCols *c, const char *path,
                        GPtrArray *warnings, GError **error)
{
    *c = esxtop_cols(e, group);
    if (c->granted < 0 && c->consumed >= 0) {
        warn(warnings, path, "no \"Memory Granted Size MBytes\" for group %s; memory from "
                             "\"Memory Consumed Size MBytes\"", group);
        c->granted = c->consumed;
    }
    if (c->granted < 0) {
        return bad(error, path, 0,
                   "group %s has neither \"Memory Granted Size MBytes\" nor \"Memory Consumed "
                   "Size MBytes\"",
                   group);
    }
    if (c->active_pct >= 0 && c->size >= 0) {
        return true;
    }
    c->active_pct = -1;
    if (c->touched < 0) {
        return bad(error, path, 0,
                   "group %s has neither \"%% Active Estimate\" with \"Memory Size MBytes\" nor "
                   "\"Touched MBytes\"",
                   group);
    }
    warn(warnings, path, "no \"%% Active Estimate\" for group %s; active memory from "
                         "\"Touched MBytes\"", group);
    return true;
}

/* Sample i's point; false (with an error naming the line) for a value out of range. */
static bool esxtop_point(const SimEsxtop *e, guint i, const EsxtopCols *c, double kernel_mb,
                         SimTracePoint *p, const char *path, GError **error)
{
    double active = c->active_pct >= 0 ? sim_esxtop_value(e, i, c->active_pct) / 100.0 *
                                             sim_esxtop_value(e, i, c->size)
                                       : sim_esxtop_value(e, i, c->touched);
    double granted = sim_esxtop_value(e, i, c->granted);
    const char *what[] = {"active memory", "granted memory"};
    const double v[] = {active, granted};
    for (guint k = 0; k < G_N_ELEMENTS(v); k++) {
        const char *problem = isnan(v[k]) ? NULL : value_problem(v[k], true);
        if (problem != NULL) {
            return bad(error, path, sim_esxtop_line(e, i), "%s %g MB %s", what[k], v[k],
                       problem);
        }
    }
    if (isnan(active) || isnan(granted)) {
        *p = (SimTracePoint){0, NAN, NAN}; /* an empty cell: no group at that sample */
        return true;
    }
    *p = (SimTracePoint){sim_esxtop_time(e, i) - sim_esxtop_time(e, 0),
                         MAX(granted - kernel_mb, active), active};
    return true;
}

static GArray *read_esxtop(const char *path, char *text, gsize len, const SimTraceOptions *opt,
                           GPtrArray *warnings, GError **error)
{
    guint spread = 0;
    g_autoptr(SimEsxtop) e = sim_esxtop_parse(path, text, len, &spread, error);
    if (e == NULL) {
        return NULL;
    }
    const char *group = sim_esxtop_find_group(e, opt->vm);
    EsxtopCols c;
    if (group == NULL) {
        esxtop_group_missing(e, opt->vm, path, error);
        return NULL;
    }
    if (!esxtop_pick(e, group, &c, path, warnings, error)) {
        return NULL;
    }
    if (spread > 0) {
        warn(warnings, path, "%u samples share a timestamp (times without seconds); spread "
                             "evenly up to the next one", spread);
    }
    g_autoptr(GArray) points = points_new();
    for (guint i = 0; i < sim_esxtop_n_samples(e); i++) {
        SimTracePoint p;
        if (!esxtop_point(e, i, &c, opt->kernel_mb, &p, path, error)) {
            return NULL;
        }
        if (!isnan(p.active_mb)) {
            g_array_append_val(points, p);
        }
    }
    if (points->len == 0) {
        bad(error, path, 0, "group %s has no samples with values", group);
        return NULL;
    }
    return g_steal_pointer(&points);
}

/* ---- bitbrains ------------------------------------------------------------ */

enum { BB_TIME, BB_PROVISIONED, BB_USAGE, BB_N };
static const char *const bb_names[BB_N] = {"Timestamp [ms]", "Memory capacity provisioned [KB]",
                                           "Memory usage [KB]"};

static bool bb_header(const SimCsv *csv, int pos[BB_N], GError **error)
{
    /* the header is line 1: a blank line 1 has none of the columns */
    guint n = sim_csv_line(csv) == 1 ? sim_csv_n_cells(csv) : 0;
    for (int k = 0; k < BB_N; k++) {
        pos[k] = -1;
        for (guint c = 0; c < n && pos[k] < 0; c++) {
            g_autofree char *name = cell_stripped(csv, c);
            if (strcmp(name, bb_names[k]) == 0) {
                pos[k] = (int)c;
            }
        }
        if (pos[k] < 0) {
            return bad(error, sim_csv_path(csv), 1,
                       "not a Bitbrains GWA-T-12 trace: no column \"%s\"", bb_names[k]);
        }
    }
    return true;
}

/* One row's three values (timestamps in seconds); false with an error when malformed. */
static bool bb_row(const SimCsv *csv, const int pos[BB_N], double v[BB_N], GError **error)
{
    guint n = sim_csv_n_cells(csv);
    for (int k = 0; k < BB_N; k++) {
        if ((guint)pos[k] >= n) {
            return bad(error, sim_csv_path(csv), sim_csv_line(csv), "\"%s\" is missing",
                       bb_names[k]);
        }
        /* KB: the bound on MiB applies to the value / 1024 */
        v[k] = parse_number(sim_csv_cell(csv, (guint)pos[k]));
        const char *problem = value_problem(k == BB_TIME ? v[k] : v[k] / 1024, k != BB_TIME);
        if (problem != NULL) {
            return bad(error, sim_csv_path(csv), sim_csv_line(csv), "\"%s\" %s", bb_names[k],
                       problem);
        }
    }
    if (v[BB_TIME] > BITBRAINS_MS_THRESHOLD) {
        v[BB_TIME] /= 1000.0;
    }
    return true;
}

/*
 * Anon memory = the peak of the active series over the trailing window:
 * a guest keeps what it allocated for a while after using it. O(n) with a
 * monotonic deque of indices.
 */
static void trailing_peak(GArray *points, double window_s)
{
    guint n = points->len;
    g_autofree guint *dq = g_new(guint, MAX(n, 1u));
    guint head = 0, tail = 0;
    for (guint i = 0; i < n; i++) {
        SimTracePoint *p = &g_array_index(points, SimTracePoint, i);
        while (tail > head &&
               g_array_index(points, SimTracePoint, dq[tail - 1]).active_mb <= p->active_mb) {
            tail--;
        }
        dq[tail++] = i;
        while (g_array_index(points, SimTracePoint, dq[head]).t_s < p->t_s - window_s) {
            head++;
        }
        p->memory_mb = g_array_index(points, SimTracePoint, dq[head]).active_mb;
    }
}

/* The points of the data rows (line 2 on); *rows counts them, *skipped those without a VM. */
static bool bb_points(SimCsv *csv, const int pos[BB_N], GArray *points, guint *rows,
                      guint *skipped, GError **error)
{
    double t0 = NAN;
    double prev = NAN;
    while (sim_csv_next(csv, NULL) == SIM_CSV_LINE) {
        double v[BB_N];
        if (!bb_row(csv, pos, v, error)) {
            return false;
        }
        (*rows)++;
        /* every row, skipped ones included, is in time order: the first sets t = 0 */
        if (!isnan(t0) && v[BB_TIME] < prev) {
            return bad(error, sim_csv_path(csv), sim_csv_line(csv),
                       "timestamp %.0f is earlier than the row before", v[BB_TIME]);
        }
        t0 = isnan(t0) ? v[BB_TIME] : t0;
        prev = v[BB_TIME];
        SimTracePoint p = {v[BB_TIME] - t0, 0, v[BB_USAGE] / 1024.0};
        if (v[BB_PROVISIONED] == 0) {
            (*skipped)++; /* no VM at that time (the archive writes zeros) */
            continue;
        }
        g_array_append_val(points, p);
    }
    return true;
}

static GArray *read_bitbrains(const char *path, char *text, const SimTraceOptions *opt,
                              GPtrArray *warnings, GError **error)
{
    /* `;` and tab separated: blanks around a line and a cell dropped, blank lines skipped */
    g_autoptr(SimCsv) csv = sim_csv_new(path, text, ';', SIM_CSV_TRIM);
    int pos[BB_N];
    if (sim_csv_next(csv, NULL) == SIM_CSV_END) {
        bad(error, path, 0, "empty trace (no header, no rows)");
        return NULL;
    }
    if (!bb_header(csv, pos, error)) {
        return NULL;
    }
    g_autoptr(GArray) points = points_new();
    guint rows = 0, skipped = 0;
    if (!bb_points(csv, pos, points, &rows, &skipped, error)) {
        return NULL;
    }
    if (points->len == 0) {
        bad(error, path, rows == 0 ? 1 : 0, "%s", rows == 0 ? "the trace has a header but no rows"
                                                           : "no rows with memory provisioned");
        return NULL;
    }
    if (skipped > 0) {
        warn(warnings, path, "%u rows with no memory provisioned skipped", skipped);
    }
    trailing_peak(points, sim_time_to_s(opt->memory_window));
    return g_steal_pointer(&points);
}

/* ---- reading --------------------------------------------------------------- */

/* The format of a text when not given: PDH-CSV header, Bitbrains header, else csv. */
static SimTraceFormat detect(const char *text, SimTraceFormat format)
{
    if (format != SIM_TRACE_AUTO) {
        return format;
    }
    if (g_str_has_prefix(text, "\"(PDH-CSV") || g_str_has_prefix(text, "(PDH-CSV")) {
        return SIM_TRACE_ESXTOP;
    }
    const char *eol = strchr(text, '\n');
    g_autofree char *head = g_strndup(text, eol != NULL ? (gsize)(eol - text) : strlen(text));
    if (strstr(head, "Timestamp [ms]") != NULL && strchr(head, ';') != NULL) {
        return SIM_TRACE_BITBRAINS;
    }
    return SIM_TRACE_CSV;
}

/* Reads the file once, whatever its format, so every format refuses the same files. */
GArray *sim_trace_read(const char *path, const SimTraceOptions *options, GPtrArray *warnings,
                       GError **error)
{
    g_return_val_if_fail(path != NULL && options != NULL && options->vm != NULL, NULL);
    gsize len = 0;
    g_autofree char *text = read_text(path, &len, error);
    if (text == NULL) {
        return NULL;
    }
    switch (detect(text, options->format)) {
    case SIM_TRACE_CSV:
        return read_csv(path, text, options, error);
    case SIM_TRACE_ESXTOP:
        return read_esxtop(path, text, len, options, warnings, error);
    case SIM_TRACE_BITBRAINS:
        return read_bitbrains(path, text, options, warnings, error);
    default:
        g_return_val_if_reached(NULL);
    }
}

/* ---- expansion into phases ----------------------------------------------------- */

static gint cmp_double(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The typical interval between samples: the median, so a gap does not count. O(n log n), once. */
static double median_step(const GArray *points)
{
    if (points->len < 2) {
        return 0.0;
    }
    guint n = points->len - 1;
    g_autofree double *d = g_new(double, n);
    for (guint i = 0; i < n; i++) {
        d[i] = g_array_index(points, SimTracePoint, i + 1).t_s -
               g_array_index(points, SimTracePoint, i).t_s;
    }
    qsort(d, n, sizeof(double), cmp_double);
    return d[n / 2];
}

/*
 * MiB x scale in bytes, rounded down to whole 4 KiB pages. A product past
 * 2^64 (a huge `scale`) saturates instead of converting out of range (UB);
 * the caller then clips it to the VM's room and counts it.
 */
static uint64_t to_bytes(double mb, double scale)
{
    double b = floor(mb * scale * (double)SIM_MIB / TRACE_ROUND) * TRACE_ROUND;
    if (!(b > 0)) {
        return 0;
    }
    return b < 0x1p64 ? (uint64_t)b : UINT64_MAX;
}

/* The memory and active of one point, clipped to the room (counted) and active to memory. */
static void level(const SimTracePoint *p, const SimTraceReplay *rp, SimTraceStats *st,
                  uint64_t *memory, uint64_t *active)
{
    *memory = to_bytes(p->memory_mb, rp->scale);
    st->peak_mb = MAX(st->peak_mb, p->memory_mb * rp->scale);
    if (*memory > rp->room) {
        st->clipped++;
        *memory = rp->room;
    }
    *active = MIN(to_bytes(p->active_mb, rp->scale), *memory);
}

/* Index of the last point at or before `t_s` (0 when all are after it). O(log n). */
static guint point_at(const GArray *points, double t_s)
{
    guint lo = 0, hi = points->len;
    while (hi - lo > 1) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(points, SimTracePoint, mid).t_s <= t_s) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/*
 * Walks the trace from `start` (looping when it repeats) and appends a
 * phase wherever memory or active changes, until the run ends. O(points
 * in the run).
 */
bool sim_trace_expand(const GArray *points, const SimTraceReplay *rp, uint64_t *memory,
                      uint64_t *active, GArray *phases, SimTraceStats *st, GError **error)
{
    g_return_val_if_fail(points != NULL && points->len > 0 && rp != NULL && phases != NULL, false);
    *st = (SimTraceStats){0};
    double last = g_array_index(points, SimTracePoint, points->len - 1).t_s;
    double period = last + median_step(points);
    double start = sim_time_to_s(rp->start);
    double end = sim_time_to_s(rp->duration);
    if (start > last && !(rp->repeat && period > 0)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE,
                    "start (%gs) is after the trace's last sample (at %gs)", start, last);
        return false;
    }
    bool loop = rp->repeat && period > 0;
    start = loop ? fmod(start, period) : start;
    guint j = point_at(points, start);
    level(&g_array_index(points, SimTracePoint, j), rp, st, memory, active);
    uint64_t mem = *memory, act = *active;
    guint next = j + 1;
    for (double base = -start;; base += period, next = 0) {
        for (j = next; j < points->len; j++) {
            double at = base + g_array_index(points, SimTracePoint, j).t_s;
            if (at >= end || at * (double)SIM_S >= (double)rp->duration) {
                return true; /* (the second test keeps sim_time_from_s in range) */
            }
            uint64_t m = 0, a = 0;
            level(&g_array_index(points, SimTracePoint, j), rp, st, &m, &a);
            if (m != mem || a != act) {
                SimPhase ph = {.at = sim_time_from_s(at), .has_memory = true, .has_active = true,
                               .memory = m, .active = a};
                g_array_append_val(phases, ph);
                st->n_phases++;
                mem = m;
                act = a;
            }
        }
        if (!loop || base + period >= end) {
            return true;
        }
    }
}
