/* A CSV file of a run directory read back: see plots/runcsv.h. */
#include "plots/runcsv.h"

#include <math.h>
#include <string.h>

#include "sim/load/readfile.h"

void plot_csv_clear(PlotCsv *csv)
{
    sim_csv_free(csv->csv);
    g_free(csv->path);
    g_free(csv->text);
}

/* Reads DIR/NAME whole: regular files only, bounded (sim/load/readfile.h), no NUL byte. */
char *plot_csv_read_output(const char *path, GError **error)
{
    gsize len = 0;
    g_autoptr(GError) local = NULL;
    char *text = sim_read_file(path, SIM_READFILE_TRACE_MAX, SIM_READFILE_PLAIN, &len, &local);
    if (text == NULL) {
        sim_error_at(error, SIM_ERROR_VALUE, path, 0, 0, "cannot read the run output: %s",
                     local->message);
        return NULL;
    }
    guint line = 0, col = 0;
    if (sim_csv_find_nul(text, len, &line, &col)) {
        sim_error_at(error, SIM_ERROR_PARSE, path, line, col, "a NUL byte");
        g_free(text);
        return NULL;
    }
    return text;
}

/* Opens DIR/NAME: a run writes plain CSV, with at most PLOT_CSV_MAX_FIELDS cells a line. */
bool plot_csv_open(PlotCsv *csv, const char *dir, const char *name, GError **error)
{
    memset(csv, 0, sizeof *csv);
    csv->path = g_build_filename(dir, name, NULL);
    csv->text = plot_csv_read_output(csv->path, error);
    if (csv->text == NULL) {
        return false;
    }
    csv->csv = sim_csv_new(csv->path, csv->text, ',', SIM_CSV_PLAIN);
    sim_csv_set_max_cells(csv->csv, PLOT_CSV_MAX_FIELDS);
    return true;
}

/* The next non-empty line: 1 with a line, 0 at the end of the file, -1 on error. */
int plot_csv_next(PlotCsv *csv, GError **error)
{
    SimCsvStatus got = sim_csv_next(csv->csv, error);
    return got == SIM_CSV_LINE ? 1 : got == SIM_CSV_END ? 0 : -1;
}

/* Reads the header line. */
bool plot_csv_header(PlotCsv *csv, GError **error)
{
    int got = plot_csv_next(csv, error);
    if (got == 0) {
        plot_csv_error(error, csv, -1, "empty file, expected a header line");
    }
    return got == 1;
}

/* Maps each wanted column name to its index in the header line. */
bool plot_csv_columns(PlotCsv *csv, const char *const *names, guint n, int *index, GError **error)
{
    for (guint i = 0; i < n; i++) {
        index[i] = -1;
        for (guint f = 0; f < sim_csv_n_cells(csv->csv); f++) {
            if (strcmp(sim_csv_cell(csv->csv, f), names[i]) == 0) {
                index[i] = (int)f;
            }
        }
        if (index[i] < 0) {
            plot_csv_error(error, csv, -1, "missing column \"%s\"", names[i]);
            return false;
        }
    }
    return true;
}

bool plot_csv_number(const PlotCsv *csv, guint field, double *out, GError **error)
{
    const char *text = sim_csv_cell(csv->csv, field);
    char *end = NULL;
    double v = g_ascii_strtod(text, &end);
    if (*text == '\0' || *end != '\0' || !isfinite(v)) {
        g_autofree char *shown = sim_error_one_line(text);
        plot_csv_error(error, csv, (int)field, "expected a number, got \"%s\"", shown);
        return false;
    }
    *out = v;
    return true;
}

bool plot_csv_row_width(const PlotCsv *csv, guint expected, GError **error)
{
    guint n = sim_csv_n_cells(csv->csv);
    if (n != expected) {
        plot_csv_error(error, csv, -1, "%u columns, the header has %u", n, expected);
        return false;
    }
    return true;
}
