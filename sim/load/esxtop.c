/*
 * The reader of real esxtop batch captures (PDH-CSV 4.0), for trace replay;
 * the writer of esxtop.csv is sim/out/esxtop.c.
 */
#include "sim/load/esxtop.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim/error.h"
#include "sim/load/csv.h"
#include "sim/load/readfile.h"


/* A kept column: a memory counter of the capture. */
typedef struct Column {
    char *object;   /* "Memory" or "Group Memory" */
    char *instance; /* "1302698:styx", or NULL */
    char *counter;  /* "Free MBytes" */
    guint cell;     /* position in the file's rows */
} Column;

struct SimEsxtop {
    char *host;         /* from the first counter's path */
    GArray *columns;    /* Column, the kept ones */
    GPtrArray *groups;  /* char *, Group Memory instances in file order */
    GArray *times;      /* double, Unix seconds per sample */
    GArray *lines;      /* guint, the file's line of each sample (1-based) */
    GArray *values;     /* double, columns->len per sample */
    guint n_cells;      /* cells per line (after dropping a trailing empty one) */
};

static void column_clear(gpointer data)
{
    Column *c = data;
    g_free(c->object);
    g_free(c->instance);
    g_free(c->counter);
}

void sim_esxtop_free(SimEsxtop *e)
{
    if (e == NULL) {
        return;
    }
    g_free(e->host);
    g_array_unref(e->columns);
    g_ptr_array_unref(e->groups);
    g_array_unref(e->times);
    g_array_unref(e->lines);
    g_array_unref(e->values);
    g_free(e);
}

/*
 * Splits "\\HOST\Object(instance)\Counter" into its parts. The counter is
 * after the last backslash; the instance is between the first "(" of the
 * object part and its last ")". Returns false when the cell is not a path.
 */
static bool parse_path(const char *cell, char **host, char **object, char **instance,
                       char **counter)
{
    if (!g_str_has_prefix(cell, "\\\\")) {
        return false;
    }
    const char *h = cell + 2;
    const char *obj = strchr(h, '\\');
    const char *last = strrchr(cell, '\\');
    if (obj == NULL || last == obj) {
        return false;
    }
    g_autofree char *part = g_strndup(obj + 1, (gsize)(last - obj - 1));
    char *open = strchr(part, '(');
    char *close = strrchr(part, ')');
    *instance = NULL;
    if (open != NULL && close != NULL && close > open) {
        *instance = g_strndup(open + 1, (gsize)(close - open - 1));
        *open = '\0';
    }
    *host = g_strndup(h, (gsize)(obj - h));
    *object = g_strdup(part);
    *counter = g_strdup(last + 1);
    return true;
}

/* Keeps the memory columns of the header and the host name. */
static void read_header(SimEsxtop *e, const SimCsv *csv)
{
    for (guint i = 1; i < sim_csv_n_cells(csv); i++) {
        char *host = NULL, *object = NULL, *instance = NULL, *counter = NULL;
        if (!parse_path(sim_csv_cell(csv, i), &host, &object, &instance, &counter)) {
            continue;
        }
        if (e->host == NULL) {
            e->host = g_strdup(host);
        }
        g_free(host);
        bool group = strcmp(object, "Group Memory") == 0;
        if (!group && strcmp(object, "Memory") != 0) {
            g_free(object);
            g_free(instance);
            g_free(counter);
            continue;
        }
        if (group && instance != NULL &&
            (e->groups->len == 0 ||
             strcmp(g_ptr_array_index(e->groups, e->groups->len - 1), instance) != 0)) {
            g_ptr_array_add(e->groups, g_strdup(instance));
        }
        Column col = {.object = object, .instance = instance, .counter = counter, .cell = i};
        g_array_append_val(e->columns, col);
    }
    e->n_cells = sim_csv_n_cells(csv);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static gint64 days_from_civil(gint64 y, unsigned m, unsigned d)
{
    y -= m <= 2;
    gint64 era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (gint64)doe - 719468;
}

/* "MM/DD/YYYY HH:MM:SS" or, after a spreadsheet re-save, "M/D/YYYY H:MM". */
static bool parse_time(const char *text, double *unix_s)
{
    unsigned mo = 0, d = 0, y = 0, h = 0, mi = 0, s = 0;
    char tail = '\0';
    int n = sscanf(text, " %u/%u/%u %u:%u:%u %c", &mo, &d, &y, &h, &mi, &s, &tail);
    if (n < 5 || n > 6 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
        return false;
    }
    *unix_s = (double)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
    return true;
}

static double parse_value(const char *text)
{
    char *end = NULL;
    while (*text == ' ') {
        text++;
    }
    double v = g_ascii_strtod(text, &end);
    if (end == text) {
        return NAN;
    }
    while (*end == ' ') {
        end++;
    }
    return *end == '\0' ? v : NAN;
}

/* "PATH:LINE: MESSAGE": a cause that the trace's caller carries in its own error. */
#define bad_line(error, path, line, ...)                                                          \
    sim_error_cause_at((error), SIM_ERROR_VALUE, (path), (line), 0, __VA_ARGS__)

/* One data row: its time and the kept columns. */
static bool read_row(SimEsxtop *e, const SimCsv *csv, GError **error)
{
    const char *path = sim_csv_path(csv);
    guint line = sim_csv_line(csv);
    const char *stamp = sim_csv_cell(csv, 0);
    double t = 0;
    if (sim_csv_n_cells(csv) != e->n_cells) {
        return bad_line(error, path, line, "%u cells, but the header has %u",
                        sim_csv_n_cells(csv), e->n_cells);
    }
    if (!parse_time(stamp, &t)) {
        return bad_line(error, path, line, "bad timestamp \"%s\" (expected MM/DD/YYYY HH:MM:SS)",
                        stamp);
    }
    if (e->times->len > 0 && t < g_array_index(e->times, double, e->times->len - 1)) {
        return bad_line(error, path, line, "timestamp %s is earlier than the one before", stamp);
    }
    g_array_append_val(e->times, t);
    g_array_append_val(e->lines, line);
    for (guint c = 0; c < e->columns->len; c++) {
        guint cell = g_array_index(e->columns, Column, c).cell;
        double v = parse_value(sim_csv_cell(csv, cell));
        g_array_append_val(e->values, v);
    }
    return true;
}

/*
 * Rows that share a timestamp (a re-save that lost the seconds) are spread
 * evenly up to the next distinct time; the last run of them takes the
 * spacing of the run before it. Returns how many rows were moved.
 */
static guint spread_times(GArray *times)
{
    guint moved = 0;
    double step = 0;
    for (guint i = 0; i < times->len;) {
        double t = g_array_index(times, double, i);
        guint j = i + 1;
        while (j < times->len && g_array_index(times, double, j) == t) {
            j++;
        }
        if (j < times->len) {
            step = (g_array_index(times, double, j) - t) / (j - i);
        }
        for (guint k = i + 1; k < j; k++) {
            g_array_index(times, double, k) = t + step * (k - i);
            moved++;
        }
        i = j;
    }
    return moved;
}

/* The header (the first line that is not blank) or a data row. */
static bool read_line(SimEsxtop *e, const SimCsv *csv, bool *header_seen, GError **error)
{
    if (*header_seen) {
        return read_row(e, csv, error);
    }
    if (!g_str_has_prefix(sim_csv_cell(csv, 0), SIM_ESXTOP_MAGIC)) {
        return bad_line(error, sim_csv_path(csv), sim_csv_line(csv),
                        "not an esxtop batch capture (the first cell is not \"%s\")",
                        SIM_ESXTOP_FIRST_CELL);
    }
    read_header(e, csv);
    *header_seen = true;
    return true;
}

/* Reads the lines of `text` (split in place); an empty capture is an error. */
static bool read_lines(SimEsxtop *e, char *text, const char *path, GError **error)
{
    g_autoptr(SimCsv) csv = sim_csv_new(path, text, ',', SIM_CSV_PDH);
    guint header_line = 0;
    bool header_seen = false;
    while (sim_csv_next(csv, NULL) == SIM_CSV_LINE) {
        header_line = header_seen ? header_line : sim_csv_line(csv);
        if (!read_line(e, csv, &header_seen, error)) {
            return false;
        }
    }
    if (!header_seen) {
        return bad_line(error, path, 1, "empty file");
    }
    if (e->times->len == 0) {
        return bad_line(error, path, header_line, "the capture has a header but no samples");
    }
    return true;
}

SimEsxtop *sim_esxtop_parse(const char *path, char *text, gsize len, guint *spread,
                            GError **error)
{
    g_return_val_if_fail(path != NULL && text != NULL, NULL);
    if (!sim_csv_check_text(path, text, len, error)) {
        return NULL;
    }
    g_autoptr(SimEsxtop) e = g_new0(SimEsxtop, 1);
    e->columns = g_array_new(FALSE, TRUE, sizeof(Column));
    g_array_set_clear_func(e->columns, column_clear);
    e->groups = g_ptr_array_new_with_free_func(g_free);
    e->times = g_array_new(FALSE, FALSE, sizeof(double));
    e->lines = g_array_new(FALSE, FALSE, sizeof(guint));
    e->values = g_array_new(FALSE, FALSE, sizeof(double));
    if (!read_lines(e, text, path, error)) {
        return NULL;
    }
    guint moved = spread_times(e->times);
    if (spread != NULL) {
        *spread = moved;
    }
    if (e->host == NULL) {
        e->host = g_strdup("");
    }
    return g_steal_pointer(&e);
}

SimEsxtop *sim_esxtop_read(const char *path, guint *spread, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    gsize len = 0;
    g_autoptr(GError) e = NULL;
    g_autofree char *text =
        sim_read_file(path, SIM_READFILE_TRACE_MAX, SIM_READFILE_GZIP, &len, &e);
    if (text == NULL) {
        g_set_error(error, SIM_ERROR, e->code == SIM_ERROR_USAGE ? SIM_ERROR_IO : e->code,
                    "cannot read %s: %s", path, e->message);
        return NULL;
    }
    return sim_esxtop_parse(path, text, len, spread, error);
}

const char *sim_esxtop_host(const SimEsxtop *e)
{
    return e->host;
}

guint sim_esxtop_n_samples(const SimEsxtop *e)
{
    return e->times->len;
}

double sim_esxtop_time(const SimEsxtop *e, guint i)
{
    g_return_val_if_fail(i < e->times->len, NAN);
    return g_array_index(e->times, double, i);
}

guint sim_esxtop_line(const SimEsxtop *e, guint i)
{
    g_return_val_if_fail(i < e->lines->len, 0);
    return g_array_index(e->lines, guint, i);
}

/* O(columns): called a few times per trace, never per sample. */
int sim_esxtop_find(const SimEsxtop *e, const char *object, const char *instance,
                    const char *counter)
{
    for (guint c = 0; c < e->columns->len; c++) {
        const Column *col = &g_array_index(e->columns, Column, c);
        if (strcmp(col->object, object) == 0 && strcmp(col->counter, counter) == 0 &&
            g_strcmp0(col->instance, instance) == 0) {
            return (int)c;
        }
    }
    return -1;
}

double sim_esxtop_value(const SimEsxtop *e, guint i, int column)
{
    g_return_val_if_fail(i < e->times->len && column >= 0 && (guint)column < e->columns->len,
                         NAN);
    return g_array_index(e->values, double, (gsize)i * e->columns->len + (guint)column);
}

const GPtrArray *sim_esxtop_groups(const SimEsxtop *e)
{
    return e->groups;
}

/* The NAME after the GID first, so a VM whose name holds a colon or looks
 * like "GID:NAME" finds its own group; then an exact instance. O(groups). */
const char *sim_esxtop_find_group(const SimEsxtop *e, const char *name)
{
    for (guint g = 0; g < e->groups->len; g++) {
        const char *inst = g_ptr_array_index(e->groups, g);
        const char *colon = strchr(inst, ':');
        if (colon != NULL && strcmp(colon + 1, name) == 0) {
            return inst;
        }
    }
    for (guint g = 0; g < e->groups->len; g++) {
        if (strcmp(g_ptr_array_index(e->groups, g), name) == 0) {
            return g_ptr_array_index(e->groups, g);
        }
    }
    return NULL;
}
