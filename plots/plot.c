/* Rendering the figures of a run with gnuplot (see plot.h). */
#include "plots/plot.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plots/gnuplot.h"
#include "plots/rundata.h"
#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/out/outdir.h"

static const PlotSpec specs[] = {
    {"host-free", "host free memory and memory states",
     "Host free memory (log scale) against the minFree thresholds; the shaded bands are the "
     "memory states the host is in while free memory lies in them."},
    {"reclaimed", "memory reclaimed by mechanism, host-wide",
     "Memory held by each reclamation mechanism, stacked: in balloons, saved by page sharing, "
     "held compressed, swapped by the host."},
    {"vm-memory", "where each VM's configured memory is",
     "Per VM, its configured memory split into resident private, shared, compressed, "
     "host-swapped, ballooned and never touched."},
    {"vm-perf", "stall and performance index per VM",
     "Per VM, the performance index (1.0 = no stall) and the share of time stalled on memory, "
     "with the SLA when the scenario has one."},
    {"vm-active", "sampled active against consumed memory per VM",
     "Per VM, the memory scheduler's sampled active estimate against the memory the VM "
     "consumes on the host."},
};

const PlotSpec *plot_specs(guint *n)
{
    *n = G_N_ELEMENTS(specs);
    return specs;
}

char *plot_scripts_dir(void)
{
    const char *env = g_getenv("RECLAIMSIM_PLOTS_DIR");
    if (env != NULL && *env != '\0') {
        return g_strdup(env);
    }
    if (g_file_test(RECLAIMSIM_PLOTS_DIR "/common.gp", G_FILE_TEST_IS_REGULAR)) {
        return g_strdup(RECLAIMSIM_PLOTS_DIR);
    }
    for (const char *const *d = g_get_system_data_dirs(); *d != NULL; d++) {
        g_autofree char *dir = g_build_filename(*d, "reclaimsim", "plots", NULL);
        g_autofree char *common = g_build_filename(dir, "common.gp", NULL);
        if (g_file_test(common, G_FILE_TEST_IS_REGULAR)) {
            return g_steal_pointer(&dir);
        }
    }
    return g_strdup(RECLAIMSIM_PLOTS_DIR); /* missing: the gnuplot error names it */
}

/* ---- parameters: a gnuplot file of assignments read before the script ---- */

/* A gnuplot single-quoted string: no escapes inside except '' for a quote.
 * Control characters would end the command, so they become spaces. */
static void param_str(GString *p, const char *name, const char *value)
{
    g_string_append_printf(p, "%s = '", name);
    for (const char *c = value; *c != '\0'; c++) {
        if (*c == '\'') {
            g_string_append(p, "''");
        } else {
            g_string_append_c(p, (unsigned char)*c < 0x20 ? ' ' : *c);
        }
    }
    g_string_append(p, "'\n");
}

static void param_num(GString *p, const char *name, double value)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append_printf(p, "%s = %s\n", name,
                           isfinite(value) ? g_ascii_dtostr(buf, sizeof buf, value) : "NaN");
}

/* Names in the scratch directory gnuplot runs in (see link_dirs). */
#define WORK_STAGE "stage" /* link to the staging directory (becomes DIR/plots) */
#define WORK_SCRIPTS "gp"  /* link to the directory of the .gp scripts */

/* One figure being prepared: where its files go and its parameters. */
typedef struct Figure {
    const PlotRunData *data;
    const PlotSpec *spec;
    const char *scripts; /* where the .gp scripts are */
    const char *stage;  /* the staging directory (becomes DIR/plots) */
    const char *shown;  /* DIR/plots, the name messages give */
    const char *work;   /* scratch directory for data and parameters */
    const char *script; /* the script's name when it is not the figure's (NULL) */
    GString *params;    /* gnuplot assignments */
    double tmax;        /* end of the time axis, s */
} Figure;

static char *figure_path(const Figure *f, const char *dir, const char *suffix)
{
    g_autofree char *base = g_strconcat(f->spec->name, suffix, NULL);
    return g_build_filename(dir, base, NULL);
}

/* A tic step that gives at most `max_tics` intervals on the time axis. */
static double time_step(double tmax, int max_tics)
{
    static const double steps[] = {60,    120,   300,   600,    900,    1800,   3600,  7200,
                                   10800, 21600, 43200, 86400, 172800, 604800};
    for (guint i = 0; i < G_N_ELEMENTS(steps); i++) {
        if (tmax / steps[i] <= max_tics) {
            return steps[i];
        }
    }
    return ceil(tmax / max_tics / 604800) * 604800;
}

/* The parameters every script uses (common.gp reads them). */
static void figure_common(Figure *f, double width, double height, int tics)
{
    const PlotRunData *d = f->data;
    json_t *scenario = json_object_get(d->summary, "scenario");
    const char *name = json_is_string(scenario) ? json_string_value(scenario) : "run";
    g_autofree char *title = g_strdup_printf("%s: %s", name, f->spec->title);
    /* Paths relative to the scratch directory gnuplot runs in (see link_dirs) */
    g_autofree char *out = figure_path(f, WORK_STAGE, "");
    g_autofree char *datafile = g_strconcat(f->spec->name, ".dat", NULL);
    param_str(f->params, "plotsdir", WORK_SCRIPTS);
    param_str(f->params, "out", out);
    param_str(f->params, "datafile", datafile);
    param_str(f->params, "title_text", title);
    param_num(f->params, "width", width);
    param_num(f->params, "height", height);
    param_num(f->params, "tmax", f->tmax);
    param_num(f->params, "xstep", time_step(f->tmax, tics));
}

/* GiB for figures that reach 2 GiB, MiB below: tic labels stay short. */
static double unit_scale(double max_mb, const char **unit)
{
    *unit = max_mb >= 2048 ? "GiB" : "MiB";
    return max_mb >= 2048 ? 1024 : 1;
}

static void dat_row(GString *dat, double t, const double *v, guint n)
{
    g_string_append_printf(dat, "%.0f", t);
    for (guint i = 0; i < n; i++) {
        if (isfinite(v[i])) {
            g_string_append_printf(dat, " %.4f", v[i]);
        } else {
            g_string_append(dat, " NaN");
        }
    }
    g_string_append_c(dat, '\n');
}

/* Free memory on a log axis: the thresholds are a geometric ladder (400,
 * 100, 64, 32, 16% of minFree) that a linear axis would squash into the
 * bottom pixels next to a host's total memory. Free memory below the axis
 * floor (half the low threshold) is drawn at the floor. */
static void figure_host_free(Figure *f, GString *dat)
{
    static const char *const states[] = {"high", "clear", "soft", "hard", "low"};
    const PlotRunData *d = f->data;
    double max_free = 0;
    for (guint r = 0; r < d->n_host; r++) {
        max_free = MAX(max_free, plot_rundata_host(d, r, PLOT_HOST_FREE));
    }
    double low = plot_rundata_summary_number(d, "host", "thresholds_mb", "low", NULL);
    double high = plot_rundata_summary_number(d, "host", "thresholds_mb", "high", NULL);
    double min_free = plot_rundata_summary_number(d, "host", "min_free_mb", NULL);
    double ymin = low / 2, ymax = MAX(max_free, high) * 2;
    for (guint r = 0; r < d->n_host; r++) {
        double free = MAX(plot_rundata_host(d, r, PLOT_HOST_FREE), ymin);
        dat_row(dat, plot_rundata_host(d, r, PLOT_HOST_TIME), &free, 1);
    }
    for (guint i = 0; i < G_N_ELEMENTS(states); i++) {
        g_autofree char *name = g_strdup_printf("t_%s", states[i]);
        g_autofree char *pct = g_strdup_printf("p_%s", states[i]);
        double t = plot_rundata_summary_number(d, "host", "thresholds_mb", states[i], NULL);
        param_num(f->params, name, t);
        param_num(f->params, pct, isfinite(min_free) && min_free > 0 ? 100 * t / min_free : NAN);
    }
    param_num(f->params, "ymin", ymin);
    param_num(f->params, "ymax", ymax);
}

/* Host-wide memory per mechanism, stacked: balloon, sharing, compression,
 * swap (the columns docs/design.md names: mctlsz, shrdsvd, zip, swcur). */
static void figure_reclaimed(Figure *f, GString *dat)
{
    static const PlotHostCol cols[] = {PLOT_HOST_MCTLSZ, PLOT_HOST_SHRDSVD, PLOT_HOST_ZIP,
                                       PLOT_HOST_SWCUR};
    const PlotRunData *d = f->data;
    double max_total = 0;
    for (guint r = 0; r < d->n_host; r++) {
        double total = 0;
        for (guint c = 0; c < G_N_ELEMENTS(cols); c++) {
            total += plot_rundata_host(d, r, cols[c]);
        }
        max_total = MAX(max_total, total);
    }
    const char *unit = NULL;
    double scale = unit_scale(max_total, &unit);
    for (guint r = 0; r < d->n_host; r++) {
        double cum[G_N_ELEMENTS(cols)], sum = 0;
        for (guint c = 0; c < G_N_ELEMENTS(cols); c++) {
            sum += plot_rundata_host(d, r, cols[c]) / scale;
            cum[c] = sum;
        }
        dat_row(dat, plot_rundata_host(d, r, PLOT_HOST_TIME), cum, G_N_ELEMENTS(cols));
    }
    param_str(f->params, "unit", unit);
    param_num(f->params, "ymax_data", max_total / scale);
}

/* ---- per-VM figures: small multiples, top N and "other" beyond ---- */

typedef enum { AGG_SUM, AGG_MEAN } Agg;

/* What one per-VM figure plots; the row function turns one vms.csv row
 * (PLOT_VM_MAX values) into the figure's columns. */
typedef struct VmKind {
    guint n_out;          /* columns per row */
    Agg agg;              /* how the "other" panel combines its VMs */
    bool memory;          /* columns are MiB, shown in the figure's unit */
    bool stacked;         /* columns are written as running sums (stacked areas) */
    const char *rank_by;  /* what the top N are ranked by, for the subtitle */
    void (*row)(const double *v, double *out);
    double (*score)(const double *v); /* per row */
    bool rank_by_mean;    /* a VM ranks by the mean of its scores, else by the maximum */
} VmKind;

#define VM_OUT_MAX 6

/* Where the configured memory is. Reading of the counters after vSphere's
 * mem.zipped (guest memory compressed) and mem.zipSaved (host memory saved
 * by it): the compression cache holds zip - zsaved, the VM's part of shared
 * frames is shrd - shrdsvd, and consumed minus both is private memory. */
static void memory_row(const double *v, double *out)
{
    double cache = MAX(0, v[PLOT_VM_ZIP] - v[PLOT_VM_ZSAVED]);
    double shared_held = MAX(0, v[PLOT_VM_SHRD] - v[PLOT_VM_SHRDSVD]);
    out[0] = MAX(0, v[PLOT_VM_CONSUMED] - cache - shared_held);
    out[1] = v[PLOT_VM_SHRD];
    out[2] = v[PLOT_VM_ZIP];
    out[3] = v[PLOT_VM_SWCUR];
    out[4] = v[PLOT_VM_MCTLSZ];
    out[5] = MAX(0, v[PLOT_VM_MEMSZ] - out[0] - out[1] - out[2] - out[3] - out[4]);
}

static double memory_score(const double *v)
{
    return v[PLOT_VM_MCTLSZ] + v[PLOT_VM_SWCUR] + v[PLOT_VM_ZIP] + v[PLOT_VM_SHRD];
}

static void active_row(const double *v, double *out)
{
    out[0] = v[PLOT_VM_CONSUMED];
    out[1] = v[PLOT_VM_ACTIVE];
    out[2] = v[PLOT_VM_MEMSZ];
}

static double active_score(const double *v)
{
    return v[PLOT_VM_CONSUMED];
}

static void perf_row(const double *v, double *out)
{
    out[0] = v[PLOT_VM_PERF];
    out[1] = v[PLOT_VM_STALL];
}

static double perf_score(const double *v)
{
    return v[PLOT_VM_STALL];
}

static const VmKind kind_memory = {6,           AGG_SUM,      true, true, "peak memory reclaimed",
                                   memory_row,  memory_score, false};
static const VmKind kind_active = {3,          AGG_SUM,      true, false, "peak consumed memory",
                                   active_row, active_score, false};
/* by mean stall: the SLA is on the mean performance index */
static const VmKind kind_perf = {2, AGG_MEAN, false, false, "mean stall", perf_row, perf_score,
                                 true};

/* Panels of a per-VM figure: vms[0..n_single) get a panel each, the VMs
 * after them share the "other" panel. */
typedef struct Panels {
    guint n;        /* panels drawn */
    guint n_single; /* panels of one VM */
    guint *vms;     /* n_vms VM indices */
} Panels;

static const double *vm_row_at(const PlotRunData *d, guint vm, guint t)
{
    return &d->vm[((gsize)vm * d->n_times + t) * PLOT_VM_MAX];
}

typedef struct Ranked {
    guint vm;
    double score;
} Ranked;

static gint ranked_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    const Ranked *x = a, *y = b;
    (void)unused;
    if (x->score != y->score) {
        return x->score > y->score ? -1 : 1; /* highest first */
    }
    return x->vm < y->vm ? -1 : (x->vm > y->vm); /* ties keep the scenario order */
}

/* Up to PLOT_PANELS_MAX VMs: all, in the scenario's order. Beyond: the top
 * PLOT_PANELS_MAX - 1 by the kind's score, then the rest in scenario order.
 * O(VMs x samples) for the scores, done once per figure. */
static void panels_select(const PlotRunData *d, const VmKind *k, Panels *p)
{
    p->vms = g_new(guint, MAX(d->n_vms, 1));
    for (guint i = 0; i < d->n_vms; i++) {
        p->vms[i] = i;
    }
    p->n = p->n_single = d->n_vms;
    if (d->n_vms <= PLOT_PANELS_MAX) {
        return;
    }
    g_autofree Ranked *r = g_new(Ranked, d->n_vms);
    for (guint i = 0; i < d->n_vms; i++) {
        double max = -INFINITY, sum = 0;
        guint n = 0;
        for (guint t = 0; t < d->n_times; t++) {
            double s = k->score(vm_row_at(d, i, t));
            if (!isnan(s)) {
                max = MAX(max, s);
                sum += s;
                n++;
            }
        }
        r[i] = (Ranked){.vm = i, .score = k->rank_by_mean ? (n > 0 ? sum / n : -INFINITY) : max};
    }
    g_qsort_with_data(r, (gint)d->n_vms, sizeof *r, ranked_cmp, NULL);
    p->n_single = PLOT_PANELS_MAX - 1;
    p->n = PLOT_PANELS_MAX;
    for (guint i = 0; i < p->n_single; i++) {
        p->vms[i] = r[i].vm;
    }
    guint at = p->n_single;
    for (guint i = 0; i < d->n_vms; i++) { /* the rest, in scenario order */
        bool top = false;
        for (guint j = 0; j < p->n_single && !top; j++) {
            top = p->vms[j] == i;
        }
        if (!top) {
            p->vms[at++] = i;
        }
    }
}

/* The kind's columns for a group of VMs at time index t: the sum or the
 * mean over the VMs that have a row then; NaN when none has. */
static void group_values(const PlotRunData *d, const VmKind *k, const guint *vms, guint n,
                         guint t, double *out)
{
    double acc[VM_OUT_MAX] = {0}, one[VM_OUT_MAX];
    guint count = 0;
    for (guint i = 0; i < n; i++) {
        const double *v = vm_row_at(d, vms[i], t);
        if (isnan(v[PLOT_VM_MEMSZ])) {
            continue;
        }
        k->row(v, one);
        for (guint c = 0; c < k->n_out; c++) {
            acc[c] += one[c];
        }
        count++;
    }
    for (guint c = 0; c < k->n_out; c++) {
        out[c] = count == 0 ? NAN : k->agg == AGG_MEAN ? acc[c] / count : acc[c];
    }
}

/* The columns of every panel at every time: [panel][time][column]. */
static double *panels_values(const PlotRunData *d, const VmKind *k, const Panels *p)
{
    double *values = g_new(double, (gsize)p->n * MAX(d->n_times, 1) * k->n_out);
    for (guint i = 0; i < p->n; i++) {
        bool other = i == p->n_single;
        const guint *vms = other ? p->vms + p->n_single : p->vms + i;
        guint n = other ? d->n_vms - p->n_single : 1;
        for (guint t = 0; t < d->n_times; t++) {
            group_values(d, k, vms, n, t, &values[((gsize)i * d->n_times + t) * k->n_out]);
        }
    }
    return values;
}

/* Grid and margins in screen fractions, from pixel sizes that keep the
 * 11 pt text readable: 90 px at the top for the two title lines, 100 px
 * at the bottom for the time label and the legend below the panels. */
static void panels_layout(Figure *f, guint n, bool y2)
{
    guint cols = n <= 1 ? 1 : n <= 4 ? 2 : n <= 9 ? 3 : 4;
    guint rows = (n + cols - 1) / cols;
    double width = cols == 1 ? 1000 : cols == 2 ? 1100 : 1400;
    double panel = cols == 1 ? 420 : 250;
    double height = 90 + 100 + rows * panel;
    figure_common(f, width, height, cols <= 2 ? 8 : 4);
    param_num(f->params, "n_panels", n);
    param_num(f->params, "rows", rows);
    param_num(f->params, "cols", cols);
    param_num(f->params, "m_left", 85 / width);
    param_num(f->params, "m_right", 1 - (y2 ? 80 : 25) / width);
    param_num(f->params, "m_bottom", 100 / height);
    param_num(f->params, "m_top", 1 - 90 / height);
    param_num(f->params, "s_x", (y2 ? 150 : 70) / width);
    param_num(f->params, "s_y", 65 / height);
    param_num(f->params, "key_y", 28 / height);
    param_num(f->params, "key_h", 30 / height);
}

/* Panel titles and the subtitle that says how VMs were grouped. */
static void panels_names(Figure *f, const VmKind *k, const Panels *p)
{
    const PlotRunData *d = f->data;
    g_string_append_printf(f->params, "array names[%u]\n", MAX(p->n, 1));
    for (guint i = 0; i < p->n; i++) {
        g_autofree char *key = g_strdup_printf("names[%u]", i + 1);
        g_autofree char *other = g_strdup_printf("other %u VMs (%s)", d->n_vms - p->n_single,
                                                 k->agg == AGG_SUM ? "sum" : "mean");
        param_str(f->params, key, i < p->n_single ? d->vm_names[p->vms[i]] : other);
    }
    g_autofree char *sub =
        p->n_single < d->n_vms
            ? g_strdup_printf("top %u of %u VMs by %s; the other %u %s in the last panel",
                              p->n_single, d->n_vms, k->rank_by, d->n_vms - p->n_single,
                              k->agg == AGG_SUM ? "summed" : "averaged")
            : g_strdup_printf("%u VM%s", d->n_vms, d->n_vms == 1 ? "" : "s");
    param_str(f->params, "subtitle", sub);
}

/* One data block per panel (gnuplot `index i`), values in the figure's
 * unit, stacked kinds as running sums. */
static void panels_write(Figure *f, GString *dat, const VmKind *k, const Panels *p,
                         const double *values)
{
    const PlotRunData *d = f->data;
    /* the unit suits the single-VM panels; "other" may show large numbers */
    double max = 0;
    for (gsize i = 0; i < (gsize)MAX(p->n_single, 1) * d->n_times * k->n_out; i++) {
        max = isfinite(values[i]) ? MAX(max, values[i]) : max;
    }
    const char *unit = NULL;
    double scale = k->memory ? unit_scale(max, &unit) : 1;
    for (guint i = 0; i < p->n; i++) {
        for (guint t = 0; t < d->n_times; t++) {
            const double *v = &values[((gsize)i * d->n_times + t) * k->n_out];
            double row[VM_OUT_MAX], sum = 0;
            for (guint c = 0; c < k->n_out; c++) {
                sum += v[c] / scale;
                row[c] = k->stacked ? sum : v[c] / scale;
            }
            dat_row(dat, d->times[t], row, k->n_out);
        }
        g_string_append(dat, "\n\n");
    }
    param_str(f->params, "unit", k->memory ? unit : "");
}

/* The perf figure's axes: the performance index from a round floor below
 * the worst value (and the SLA) up to 1; stall % from 0 to above its peak. */
static void perf_ranges(Figure *f, const Panels *p, const double *values)
{
    double sla = plot_rundata_sla(f->data);
    double lo = isfinite(sla) ? sla : 1, hi_stall = 1;
    for (gsize i = 0; i < (gsize)p->n * f->data->n_times; i++) {
        lo = isfinite(values[2 * i]) ? MIN(lo, values[2 * i]) : lo;
        hi_stall = isfinite(values[2 * i + 1]) ? MAX(hi_stall, values[2 * i + 1]) : hi_stall;
    }
    param_num(f->params, "perf_lo", MAX(0, floor((lo - 0.02) * 20) / 20));
    param_num(f->params, "stall_hi", MIN(100, ceil(hi_stall * 1.1)));
    param_num(f->params, "has_sla", isfinite(sla));
    param_num(f->params, "sla", isfinite(sla) ? sla : 0);
}

static void figure_vms(Figure *f, GString *dat, const VmKind *k)
{
    Panels p;
    panels_select(f->data, k, &p);
    g_autofree double *values = panels_values(f->data, k, &p);
    panels_layout(f, p.n, k == &kind_perf);
    panels_names(f, k, &p);
    panels_write(f, dat, k, &p, values);
    if (k == &kind_perf) {
        perf_ranges(f, &p, values);
    }
    g_free(p.vms);
}

static void figure_vm_memory(Figure *f, GString *dat)
{
    figure_vms(f, dat, &kind_memory);
}

static void figure_vm_perf(Figure *f, GString *dat)
{
    figure_vms(f, dat, &kind_perf);
}

static void figure_vm_active(Figure *f, GString *dat)
{
    figure_vms(f, dat, &kind_active);
}

static void figure_host_wide(Figure *f, GString *dat)
{
    figure_common(f, 1200, 620, 12);
    if (strcmp(f->spec->name, "host-free") == 0) {
        figure_host_free(f, dat);
    } else {
        figure_reclaimed(f, dat);
    }
}

/* Aligned with specs[]. */
static void (*const preparers[])(Figure *f, GString *dat) = {
    figure_host_wide, figure_host_wide, figure_vm_memory, figure_vm_perf, figure_vm_active,
};
G_STATIC_ASSERT(G_N_ELEMENTS(preparers) == G_N_ELEMENTS(specs));

/* ---- running gnuplot ---- */

/*
 * gnuplot runs in the scratch directory and sees the run's folder and the
 * scripts only through two links there, so no path the user gave (relative
 * to another directory, or with spaces, quotes or control characters) is
 * ever written into gnuplot's command text (WORK_STAGE, WORK_SCRIPTS).
 */

static bool link_dir(const char *work, const char *name, const char *target, GError **error)
{
    g_autofree char *abs = g_canonicalize_filename(target, NULL);
    g_autofree char *link = g_build_filename(work, name, NULL);
    if (symlink(abs, link) != 0) {
        int saved = errno;
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot link to %s: %s", link,
                    abs, g_strerror(saved));
        return false;
    }
    return true;
}

static bool link_dirs(const Figure *f, GError **error)
{
    return link_dir(f->work, WORK_STAGE, f->stage, error) &&
           link_dir(f->work, WORK_SCRIPTS, f->scripts, error);
}

static const char *gnuplot_binary(void)
{
    const char *env = g_getenv("RECLAIMSIM_GNUPLOT");
    return env != NULL && *env != '\0' ? env : "gnuplot";
}

/* Runs `gnuplot -e "fmt='FMT'" PARAMS SCRIPT` in the scratch directory and
 * checks that it wrote OUT.FMT. gnuplot exits non-zero on any script error. */
static bool run_gnuplot(const Figure *f, const char *params, const char *fmt, GError **error)
{
    const char *name = f->script != NULL ? f->script : f->spec->name;
    g_autofree char *base = g_strconcat(name, ".gp", NULL);
    g_autofree char *script = g_build_filename(f->scripts, base, NULL);
    g_autofree char *work_script = g_build_filename(WORK_SCRIPTS, base, NULL);
    g_autofree char *set_fmt = g_strdup_printf("fmt = '%s'", fmt);
    const char *argv[] = {gnuplot_binary(), "-e", set_fmt, params, work_script, NULL};
    g_autofree char *err = NULL;
    int status = 0;
    GError *local = NULL;
    if (!g_spawn_sync(f->work, (char **)argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                      &status, &local)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RUNTIME,
                    "reclaimsim: plot: cannot run gnuplot (\"%s\"): %s; install gnuplot-nox "
                    "(scripts/deps.sh) or set RECLAIMSIM_GNUPLOT",
                    argv[0], local->message);
        g_error_free(local);
        return false;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RUNTIME,
                    "reclaimsim: plot: gnuplot failed on %s (%s output, exit status %d):\n%s",
                    script, fmt, WIFEXITED(status) ? WEXITSTATUS(status) : -1, g_strstrip(err));
        return false;
    }
    g_autofree char *suffix = g_strconcat(".", fmt, NULL);
    g_autofree char *out = figure_path(f, f->stage, suffix);
    g_autofree char *shown = figure_path(f, f->shown, suffix);
    GStatBuf st;
    if (g_stat(out, &st) != 0 || st.st_size == 0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RUNTIME,
                    "reclaimsim: plot: gnuplot ran %s but wrote no %s", script, shown);
        return false;
    }
    return true;
}

/* Writes the figure's data and parameters, then renders PNG and SVG. */
static bool figure_render(Figure *f, guint index, GError **error)
{
    g_autoptr(GString) dat = g_string_new(NULL);
    f->params = g_string_new("# written by reclaimsim plot; read before the script\n");
    preparers[index](f, dat);
    g_autofree char *dat_path = figure_path(f, f->work, ".dat");
    g_autofree char *params_path = figure_path(f, f->work, ".params.gp");
    g_autofree char *params_arg = g_strconcat(f->spec->name, ".params.gp", NULL);
    bool ok = g_file_set_contents(dat_path, dat->str, (gssize)dat->len, error) &&
              g_file_set_contents(params_path, f->params->str, (gssize)f->params->len, error) &&
              run_gnuplot(f, params_arg, "png", error) &&
              run_gnuplot(f, params_arg, "svg", error);
    g_string_free(f->params, TRUE);
    f->params = NULL;
    return ok;
}

/* ---- staging: DIR/plots appears whole or not at all (sim/out/outdir.h) ---- */

/* Removes a directory of plain files (the scratch directory). */
static void remove_flat_dir(const char *path)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name = NULL;
    while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
        g_autofree char *child = g_build_filename(path, name, NULL);
        g_unlink(child);
    }
    if (dir != NULL) {
        g_dir_close(dir);
    }
    g_rmdir(path);
}

/* An interrupt is checked after every figure (gnuplot, in the same process
 * group, usually dies of a terminal's SIGINT too and fails the figure). */
static bool render_all(Figure *f, SimOutdir *plots, GError **error)
{
    if (!link_dirs(f, error)) {
        return false;
    }
    for (guint i = 0; i < G_N_ELEMENTS(specs); i++) {
        f->spec = &specs[i];
        if (!figure_render(f, i, error) || !sim_interrupt_check(error)) {
            return false;
        }
    }
    return sim_outdir_commit(plots, error);
}

bool plot_render(const char *dir, GError **error)
{
    if (!sim_outdir_check_run(dir, error)) {
        return false;
    }
    g_autoptr(PlotRunData) data = plot_rundata_load(dir, error);
    if (data == NULL) {
        return false;
    }
    g_autofree char *scripts = plot_scripts_dir();
    g_autofree char *shown = g_build_filename(dir, "plots", NULL);
    g_autoptr(SimOutdir) plots = sim_outdir_new(shown, SIM_OUTDIR_PART, error);
    const char *stage = plots != NULL ? sim_outdir_stage(plots, error) : NULL;
    g_autofree char *work = stage != NULL ? g_dir_make_tmp("reclaimsim-plot-XXXXXX", error) : NULL;
    if (work == NULL) {
        return false;
    }
    double duration = plot_rundata_summary_number(data, "duration_s", NULL);
    Figure f = {
        .data = data,
        .scripts = scripts,
        .stage = stage,
        .shown = shown,
        .work = work,
        /* at least a minute: gnuplot refuses an empty time axis */
        .tmax = MAX(isfinite(duration) ? duration : data->times[data->n_times - 1], 60),
    };
    bool ok = render_all(&f, plots, error);
    remove_flat_dir(work);
    return ok;
}

/* ---- the plumbing for other figures (plots/gnuplot.h) ---- */

void plot_param_str(GString *params, const char *name, const char *value)
{
    param_str(params, name, value);
}

void plot_param_num(GString *params, const char *name, double value)
{
    param_num(params, name, value);
}

double plot_time_step(double tmax, int max_tics)
{
    return time_step(tmax, max_tics);
}

double plot_unit_scale(double max_mb, const char **unit)
{
    return unit_scale(max_mb, unit);
}

char *plot_work_new(const char *stage, const char *scripts, GError **error)
{
    char *work = g_dir_make_tmp("reclaimsim-plot-XXXXXX", error);
    Figure f = {.stage = stage, .scripts = scripts, .work = work};
    if (work != NULL && !link_dirs(&f, error)) {
        plot_work_free(work);
        return NULL;
    }
    return work;
}

void plot_work_free(char *work)
{
    if (work != NULL) {
        remove_flat_dir(work);
        g_free(work);
    }
}

bool plot_gnuplot_render(const char *work, const char *scripts, const char *name,
                         const char *stage, const char *shown, GError **error)
{
    return plot_gnuplot_render_script(work, scripts, name, name, stage, shown, error);
}

bool plot_gnuplot_render_script(const char *work, const char *scripts, const char *script,
                                const char *name, const char *stage, const char *shown,
                                GError **error)
{
    PlotSpec spec = {.name = name};
    Figure f = {.spec = &spec,
                .scripts = scripts,
                .stage = stage,
                .shown = shown,
                .work = work,
                .script = script};
    g_autofree char *params = g_strconcat(name, ".params.gp", NULL);
    return run_gnuplot(&f, params, "png", error) && run_gnuplot(&f, params, "svg", error);
}
