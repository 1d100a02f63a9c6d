/* Rendering the figures of a sweep with gnuplot (see sweepplot.h): each
 * figure's data (kept as DIR/plots/NAME.dat) and parameters, then the
 * script of its kind (plots/sweep-lines.gp, plots/sweep-map.gp). */
#include "plots/sweepplot.h"

#include <math.h>
#include <string.h>

#include "plots/compare.h"
#include "plots/gnuplot.h"
#include "plots/plot.h"
#include "plots/sweepfigs.h"
#include "sim/interrupt.h"
#include "sim/out/outdir.h"

/* Tic labels: at most this many characters (longer ones end in "..."),
 * and at most this many labels on an axis (past it every k-th value). */
#define TIC_CHARS_MAX 24
#define TICS_MAX 40
/* Numeric line axes get a tic at every value up to this many values. */
#define VALUE_TICS_MAX 16
/* Lines mark their points up to this many values. */
#define MARKERS_MAX 50
/* Maps write each cell's value into it up to this many columns and rows,
 * and draw cells as rectangles (crisp when scaled) up to this many cells. */
#define LABELS_X_MAX 20
#define LABELS_Y_MAX 30
#define VECTOR_CELLS_MAX 10000

typedef struct Render {
    const PlotSweepData *d;
    const char *scripts; /* the .gp scripts */
    const char *work;    /* scratch: parameters */
    const char *stage;   /* becomes DIR/plots */
    const char *shown;   /* DIR/plots, for messages */
} Render;

/* ---- numbers and text in the data files ---- */

/* A number of a data file at full precision (the database's 15 digits),
 * after a space unless it starts the line. */
static void dat_num(GString *dat, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    if (dat->len > 0 && dat->str[dat->len - 1] != '\n') {
        g_string_append_c(dat, ' ');
    }
    g_string_append(dat, isfinite(v) ? g_ascii_formatd(buf, sizeof buf, "%.15g", v) : "NaN");
}

/* Text for a comment line of a data file: no line breaks. */
static void dat_comment(GString *dat, const char *text)
{
    for (const char *c = text; *c != '\0'; c++) {
        g_string_append_c(dat, (unsigned char)*c < 0x20 ? ' ' : *c);
    }
}

static char *tic_text(const PlotSweepData *d, const PlotSweepAxis *a, guint index)
{
    g_autofree char *full = plot_sweep_axis_label(d, a, index);
    g_autofree char *valid = g_utf8_make_valid(full, -1);
    if (g_utf8_strlen(valid, -1) <= TIC_CHARS_MAX) {
        return g_steal_pointer(&valid);
    }
    g_autofree char *cut = g_utf8_substring(valid, 0, TIC_CHARS_MAX - 3);
    return g_strconcat(cut, "...", NULL);
}

/* ---- parameters every figure has ---- */

static void params_common(const Render *r, const PlotSweepFigure *f, GString *p, double width,
                          double height)
{
    const PlotSweepData *d = r->d;
    g_autofree char *title = g_strdup_printf("%s: %s", d->name, f->title);
    g_autofree char *out = g_build_filename("stage", f->name, NULL);
    g_autofree char *data = g_strconcat(out, ".dat", NULL);
    plot_param_str(p, "plotsdir", "gp");
    plot_param_str(p, "out", out);
    plot_param_str(p, "datafile", data);
    plot_param_str(p, "title_text", title);
    plot_param_num(p, "width", width);
    plot_param_num(p, "height", height);
    plot_param_num(p, "tmax", 1); /* common.gp's time axis, replaced by the figures */
    plot_param_num(p, "xstep", 1);
    plot_param_num(p, "n_pol", d->n_series);
    g_string_append_printf(p, "array pnames[%u]\narray pcolours[%u]\narray pdashes[%u]\n",
                           d->n_series, d->n_series, d->n_series);
    for (guint k = 0; k < d->n_series; k++) {
        g_autofree char *name = g_strdup_printf("pnames[%u]", k + 1);
        g_autofree char *colour = g_strdup_printf("pcolours[%u]", k + 1);
        g_autofree char *dash = g_strdup_printf("pdashes[%u]", k + 1);
        plot_param_str(p, name, d->series[k]);
        plot_param_str(p, colour, plot_compare_colour(k));
        plot_param_num(p, dash, plot_compare_dash(k));
    }
}

/* The tics of an axis (prefix "x" or "y"): at each value (every k-th past
 * TICS_MAX) at `positions` of the values; *extra_px receives the room
 * rotated labels take below the axis. */
static void params_tics(const Render *r, GString *p, const PlotSweepAxis *a, const char *prefix,
                        bool at_index, guint *extra_px)
{
    guint step = (a->n + TICS_MAX - 1) / TICS_MAX;
    guint n = (a->n + step - 1) / step, longest = 0, chars = 0;
    g_string_append_printf(p, "n_%stics = %u\narray %stic_pos[%u]\narray %stic_lab[%u]\n", prefix,
                           n, prefix, MAX(n, 1), prefix, MAX(n, 1));
    for (guint t = 0; t < n; t++) {
        g_autofree char *text = tic_text(r->d, a, t * step);
        g_autofree char *pos = g_strdup_printf("%stic_pos[%u]", prefix, t + 1);
        g_autofree char *lab = g_strdup_printf("%stic_lab[%u]", prefix, t + 1);
        plot_param_num(p, pos, at_index ? t * step : plot_sweep_axis_x(r->d, a, t * step));
        plot_param_str(p, lab, text);
        longest = MAX(longest, (guint)g_utf8_strlen(text, -1));
        chars += (guint)g_utf8_strlen(text, -1) + 2;
    }
    /* about 7 px a character at 11 pt: rotate what would not fit in 400 px */
    bool rotate = chars * 7 > 400;
    g_autofree char *rot = g_strdup_printf("%stic_rotate", prefix);
    plot_param_num(p, rot, rotate);
    *extra_px = rotate ? longest * 6 : 0;
}

/* ---- line figures (one varied key) ---- */

typedef struct Lines {
    PlotSweepFig figs[4];
    const char *titles[4];
    guint n;
} Lines;

static const Lines lines_perf = {
    {PLOT_SWEEP_PERF_MEAN, PLOT_SWEEP_PERF_WORST},
    {"mean over the VMs (perf_index_mean)", "worst VM (perf_index_worst)"},
    2};
static const Lines lines_below = {
    {PLOT_SWEEP_BELOW_VM_S, PLOT_SWEEP_BELOW_WORST_S},
    {"summed over the VMs (below_sla_vm_s)", "the VM longest below it (below_sla_worst_s)"},
    2};
static const Lines lines_peak = {
    {PLOT_SWEEP_PEAK_BALLOON, PLOT_SWEEP_PEAK_SHARED, PLOT_SWEEP_PEAK_COMPRESSED,
     PLOT_SWEEP_PEAK_SWAPPED},
    {"in balloons (peak_balloon_mb)", "saved by page sharing (peak_shared_mb)",
     "saved by compression (peak_compressed_mb)", "host-swapped (peak_swapped_mb)"},
    4};

static const Lines *lines_of(PlotSweepKind kind)
{
    return kind == PLOT_SWEEP_LINES_PERF    ? &lines_perf
           : kind == PLOT_SWEEP_LINES_BELOW ? &lines_below
                                            : &lines_peak;
}

/* The largest and smallest value any bar or mean of the figure reaches. */
static void lines_range(const PlotSweepData *d, const Lines *l, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (guint i = 0; i < l->n; i++) {
        for (guint k = 0; k < d->n_series; k++) {
            for (guint v = 0; v < plot_sweep_dim_n(d, 0); v++) {
                const PlotSweepStat *s = &plot_sweep_cell(d, 0, k, v, 0)->fig[l->figs[i]];
                *lo = s->n > 0 ? MIN(*lo, s->min) : *lo;
                *hi = s->n > 0 ? MAX(*hi, s->max) : *hi;
            }
        }
    }
}

/* The y axis: the performance index from a round floor below the lowest
 * value (and the SLA) up to 1, as the other figures; else 0 to above the top. */
static double lines_y(const Render *r, const PlotSweepFigure *f, const Lines *l, GString *p)
{
    const PlotSweepData *d = r->d;
    double lo = 0, hi = 0, scale = 1;
    const char *unit = NULL;
    lines_range(d, l, &lo, &hi);
    if (f->kind == PLOT_SWEEP_LINES_PERF) {
        lo = MAX(0, floor((MIN(isfinite(d->sla) ? d->sla : 1, lo) - 0.02) * 20) / 20);
        plot_param_num(p, "y_lo", lo);
        plot_param_num(p, "y_hi", 1 + 0.03 * (1 - lo));
        plot_param_str(p, "ylabel_text", "performance index (1.0 = no stall)");
        return 1;
    }
    scale = f->kind == PLOT_SWEEP_LINES_BELOW ? plot_sweep_duration_scale(hi, &unit)
                                              : plot_unit_scale(hi, &unit);
    g_autofree char *label = g_strdup_printf(
        f->kind == PLOT_SWEEP_LINES_BELOW ? "time below the SLA (%s)" : "peak memory (%s)", unit);
    plot_param_num(p, "y_lo", 0);
    plot_param_num(p, "y_hi", hi > 0 ? hi / scale * 1.08 : 1);
    plot_param_str(p, "ylabel_text", label);
    return scale;
}

/* One block per panel and policy: x mean min max seeds_ok failed. */
static void lines_data(const Render *r, const Lines *l, double scale, GString *dat)
{
    const PlotSweepData *d = r->d;
    const PlotSweepAxis *a = &d->dims[0];
    g_string_append(dat, "# x: ");
    dat_comment(dat, a->label);
    g_string_append(dat, a->numeric ? "" : " (the values' places in the list: 0, 1, ...)");
    g_string_append(dat, "\n# columns: x mean min max seeds_ok failed\n");
    for (guint i = 0; i < l->n; i++) {
        for (guint k = 0; k < d->n_series; k++) {
            g_string_append_printf(dat, "# panel %u, %s; policy ", i + 1,
                                   plot_sweep_fig_column(l->figs[i]));
            dat_comment(dat, d->series[k]);
            g_string_append_c(dat, '\n');
            for (guint v = 0; v < a->n; v++) {
                const PlotSweepCell *c = plot_sweep_cell(d, 0, k, v, 0);
                const PlotSweepStat *s = &c->fig[l->figs[i]];
                dat_num(dat, plot_sweep_axis_x(d, a, v));
                dat_num(dat, plot_sweep_stat_mean(s) / scale);
                dat_num(dat, s->n > 0 ? s->min / scale : NAN);
                dat_num(dat, s->n > 0 ? s->max / scale : NAN);
                g_string_append_printf(dat, " %u %u\n", c->ok, c->failed);
            }
            g_string_append(dat, "\n\n");
        }
    }
}

/* The x axis: numeric values at their place with a margin; text values at 0, 1, ... */
static guint lines_x(const Render *r, GString *p)
{
    const PlotSweepData *d = r->d;
    const PlotSweepAxis *a = &d->dims[0];
    double lo = INFINITY, hi = -INFINITY;
    for (guint v = 0; v < a->n; v++) {
        lo = MIN(lo, plot_sweep_axis_x(d, a, v));
        hi = MAX(hi, plot_sweep_axis_x(d, a, v));
    }
    double pad = a->numeric ? (hi > lo ? 0.04 * (hi - lo) : 1) : 0.5;
    plot_param_num(p, "xmin", lo - pad);
    plot_param_num(p, "xmax", hi + pad);
    plot_param_str(p, "x_label", a->label);
    guint extra = 0;
    if (a->numeric && a->n > VALUE_TICS_MAX) {
        plot_param_num(p, "n_xtics", 0);
        plot_param_num(p, "xtic_rotate", 0);
    } else {
        params_tics(r, p, a, "x", !a->numeric, &extra);
    }
    plot_param_num(p, "markers", a->n <= MARKERS_MAX);
    return extra;
}

/* Panels side by side (two) or 2 x 2 (four), laid out in pixels as
 * plots/compare.c lays out its small multiples. */
static void lines_layout(const Render *r, const PlotSweepFigure *f, const Lines *l, guint extra,
                         GString *p)
{
    guint rows = l->n > 2 ? 2 : 1, cols = 2;
    double width = l->n > 2 ? 1100 : 1200, panel = l->n > 2 ? 260 : 400;
    double gap = 65 + extra, bottom = 100 + extra;
    double height = 90 + bottom + rows * panel + (rows - 1) * gap;
    params_common(r, f, p, width, height);
    g_string_append_printf(p, "array names[%u]\n", l->n);
    for (guint i = 0; i < l->n; i++) {
        g_autofree char *key = g_strdup_printf("names[%u]", i + 1);
        plot_param_str(p, key, l->titles[i]);
    }
    plot_param_num(p, "n_panels", l->n);
    plot_param_num(p, "rows", rows);
    plot_param_num(p, "cols", cols);
    plot_param_num(p, "m_left", 85 / width);
    plot_param_num(p, "m_right", 1 - 25 / width);
    plot_param_num(p, "m_bottom", bottom / height);
    plot_param_num(p, "m_top", 1 - 90 / height);
    plot_param_num(p, "s_x", 75 / width);
    plot_param_num(p, "s_y", gap / height);
    plot_param_num(p, "key_y", 28 / height);
    plot_param_num(p, "key_h", 30 / height);
}

/* "one line per policy; mean over 3 seeds, bars from the lowest to the
 * highest; 2 failed points left out" (`seeds`: the middle part, or NULL). */
static char *subtitle(const PlotSweepData *d, const char *what, const char *seeds)
{
    GString *s = g_string_new(what);
    if (d->n_seeds > 1 && seeds != NULL) {
        g_string_append_printf(s, "; %s", seeds);
    }
    if (d->n_failed > 0) {
        g_string_append_printf(s, "; %" G_GUINT64_FORMAT " failed point%s left out", d->n_failed,
                               d->n_failed == 1 ? "" : "s");
    }
    return g_string_free(s, FALSE);
}

static void figure_lines(const Render *r, const PlotSweepFigure *f, GString *p, GString *dat)
{
    const PlotSweepData *d = r->d;
    const Lines *l = lines_of(f->kind);
    g_autoptr(GString) x = g_string_new(NULL);
    guint extra = lines_x(r, x);
    lines_layout(r, f, l, extra, p);
    g_string_append(p, x->str);
    double scale = lines_y(r, f, l, p);
    lines_data(r, l, scale, dat);
    g_autofree char *seeds = g_strdup_printf("mean over %u seeds, bars from the lowest to the "
                                             "highest", d->n_seeds);
    g_autofree char *one = d->series_named ? g_strdup_printf("policy %s", d->series[0])
                                           : g_strdup(d->series[0]);
    g_autofree char *sub = subtitle(d, d->n_series > 1 ? "one line per policy" : one, seeds);
    plot_param_str(p, "subtitle", sub);
    plot_param_num(p, "errorbars", d->n_seeds > 1);
    bool sla = f->kind == PLOT_SWEEP_LINES_PERF && isfinite(d->sla);
    plot_param_num(p, "has_sla", sla);
    plot_param_num(p, "sla", sla ? d->sla : 0);
}

/* ---- heat maps (two or more varied keys) ---- */

/* A cell's value and the text written in it. */
static double map_value(const PlotSweepFigure *f, const PlotSweepCell *c)
{
    if (f->kind == PLOT_SWEEP_MAP_SLA) {
        return c->sla_n > 0 ? (double)c->sla_met / c->sla_n : NAN;
    }
    return plot_sweep_stat_mean(&c->fig[PLOT_SWEEP_PERF_MEAN]);
}

static char *map_text(const PlotSweepData *d, const PlotSweepFigure *f, const PlotSweepCell *c,
                      double v)
{
    if (isnan(v)) {
        return g_strdup(c->failed > 0 ? "failed" : c->ok > 0 ? "no SLA" : "not run");
    }
    if (f->kind == PLOT_SWEEP_MAP_SLA) {
        return d->n_seeds == 1 ? g_strdup(c->sla_met ? "met" : "missed")
                               : g_strdup_printf("%u/%u", c->sla_met, c->sla_n);
    }
    return g_strdup_printf("%.3f", v);
}

/* The colour range: the SLA share 0..1; the performance index from a round
 * floor below the lowest cell up to 1. */
static void map_range(const Render *r, const PlotSweepFigure *f, double *lo, double *hi)
{
    *lo = 0;
    *hi = 1;
    if (f->kind == PLOT_SWEEP_MAP_SLA) {
        return;
    }
    double min = 1;
    for (guint i = 0; i < plot_sweep_dim_n(r->d, 0); i++) {
        for (guint j = 0; j < plot_sweep_dim_n(r->d, 1); j++) {
            double v = map_value(f, plot_sweep_cell(r->d, f->slice, f->series, i, j));
            min = isfinite(v) ? MIN(min, v) : min;
        }
    }
    *lo = MAX(0, floor((min - 0.02) * 20) / 20);
}

/* One line per cell, x fastest: ix iy value "text" text_rgb seeds_ok failed. */
static void map_data(const Render *r, const PlotSweepFigure *f, double lo, double hi,
                     GString *dat)
{
    const PlotSweepData *d = r->d;
    g_string_append(dat, "# x: ");
    dat_comment(dat, d->dims[0].label);
    g_string_append(dat, "; y: ");
    dat_comment(dat, d->dims[1].label);
    g_string_append(dat, " (the values' places: 0, 1, ...)\n# columns: ix iy value text "
                         "text_rgb seeds_ok failed\n");
    for (guint j = 0; j < plot_sweep_dim_n(d, 1); j++) {
        for (guint i = 0; i < plot_sweep_dim_n(d, 0); i++) {
            const PlotSweepCell *c = plot_sweep_cell(d, f->slice, f->series, i, j);
            double v = map_value(f, c);
            g_autofree char *text = map_text(d, f, c, v);
            /* white on the dark end of the palette, grey on the grey of no value */
            guint rgb = isnan(v) ? 0x444444 : (v - lo) / (hi - lo) < 0.45 ? 0xFFFFFF : 0x000000;
            g_string_append_printf(dat, "%u %u", i, j);
            dat_num(dat, v);
            g_string_append_printf(dat, " \"%s\" %u %u %u\n", text, rgb, c->ok, c->failed);
        }
        g_string_append_c(dat, '\n');
    }
}

static void figure_map(const Render *r, const PlotSweepFigure *f, GString *p, GString *dat)
{
    const PlotSweepData *d = r->d;
    g_autoptr(GString) axes = g_string_new(NULL);
    guint extra = 0, unused = 0;
    params_tics(r, axes, &d->dims[0], "x", true, &extra);
    params_tics(r, axes, &d->dims[1], "y", true, &unused);
    params_common(r, f, p, 1000, 700 + extra);
    g_string_append(p, axes->str);
    guint nx = plot_sweep_dim_n(d, 0), ny = plot_sweep_dim_n(d, 1);
    plot_param_num(p, "nx", nx);
    plot_param_num(p, "ny", ny);
    plot_param_str(p, "x_label", d->dims[0].label);
    plot_param_str(p, "y_label", d->dims[1].label);
    double lo = 0, hi = 1;
    map_range(r, f, &lo, &hi);
    plot_param_num(p, "cb_lo", lo);
    plot_param_num(p, "cb_hi", hi);
    plot_param_str(p, "cb_label", f->kind == PLOT_SWEEP_MAP_SLA
                                      ? "share of the seeds meeting the SLA"
                                      : "mean performance index (1.0 = no stall)");
    plot_param_num(p, "show_labels", nx <= LABELS_X_MAX && ny <= LABELS_Y_MAX);
    plot_param_num(p, "vector", (guint64)nx * ny <= VECTOR_CELLS_MAX);
    g_autofree char *seeds = g_strdup_printf(f->kind == PLOT_SWEEP_MAP_SLA
                                                 ? "each cell: its seeds meeting the SLA, of %u"
                                                 : "each cell: the mean over %u seeds",
                                             d->n_seeds);
    g_autofree char *sub = subtitle(d, "one cell per combination of the two keys", seeds);
    plot_param_str(p, "subtitle", sub);
    map_data(r, f, lo, hi, dat);
}

/* ---- rendering ---- */

static bool write_file(const char *dir, const char *name, const char *suffix,
                       const GString *text, GError **error)
{
    g_autofree char *base = g_strconcat(name, suffix, NULL);
    g_autofree char *path = g_build_filename(dir, base, NULL);
    return g_file_set_contents(path, text->str, (gssize)text->len, error);
}

static bool render_figure(const Render *r, const PlotSweepFigure *f, GError **error)
{
    g_autoptr(GString) p = g_string_new("# written by reclaimsim sweep; read before the script\n");
    g_autoptr(GString) dat = g_string_new(NULL);
    g_string_append_printf(dat, "# %s.dat: the data of plots/%s.svg and .png (reclaimsim)\n",
                           f->name, f->name);
    if (f->kind >= PLOT_SWEEP_MAP_PERF) {
        figure_map(r, f, p, dat);
    } else {
        figure_lines(r, f, p, dat);
    }
    return write_file(r->work, f->name, ".params.gp", p, error) &&
           write_file(r->stage, f->name, ".dat", dat, error) &&
           plot_gnuplot_render_script(r->work, r->scripts, plot_sweep_script(f->kind), f->name,
                                      r->stage, r->shown, error);
}

bool plot_sweep_render_plan(const PlotSweepData *d, const PlotSweepPlan *plan, GError **error)
{
    g_autofree char *scripts = plot_scripts_dir();
    g_autofree char *shown = g_build_filename(d->dir, "plots", NULL);
    g_autoptr(SimOutdir) plots = sim_outdir_new(shown, SIM_OUTDIR_PART, error);
    const char *stage = plots != NULL ? sim_outdir_stage(plots, error) : NULL;
    char *work = stage != NULL ? plot_work_new(stage, scripts, error) : NULL;
    if (work == NULL) {
        return false;
    }
    Render r = {.d = d, .scripts = scripts, .work = work, .stage = stage, .shown = shown};
    bool ok = true;
    for (guint i = 0; ok && i < plan->figures->len; i++) {
        /* an interrupt is checked after every figure, as plot_render does */
        ok = render_figure(&r, plan->figures->pdata[i], error) && sim_interrupt_check(error);
    }
    plot_work_free(work);
    return ok && sim_outdir_commit(plots, error);
}

bool plot_sweep_render(const char *dir, GError **error)
{
    g_autoptr(PlotSweepData) d = plot_sweep_data_load(dir, error);
    if (d == NULL) {
        return false;
    }
    g_autoptr(PlotSweepPlan) plan = plot_sweep_plan_new(d);
    return plot_sweep_render_plan(d, plan, error);
}
