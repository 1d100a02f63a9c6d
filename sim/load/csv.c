/*
 * The CSV reader (see csv.h for the dialects). One pass over the text, in
 * place: a line is cut at its LF, its cells are cut at their separators
 * and pointed at, and the next call reuses the cell array.
 */
#include "sim/load/csv.h"

#include <string.h>

#include "sim/error.h"

struct SimCsv {
    char *path;        /* for messages */
    char *next;        /* the start of the next unread line, in the caller's text */
    char separator;    /* ',' or ';' */
    SimCsvFlags flags; /* the dialect */
    guint max_cells;   /* 0: any; else more is an error */
    guint line;        /* 1-based number of the current line; 0 before the first */
    const char *raw;   /* the current line as the file has it, for columns */
    GPtrArray *cells;  /* char *, into the text: the current line's cells */
};

bool sim_csv_find_nul(const char *text, gsize len, guint *line, guint *col)
{
    const char *nul = memchr(text, '\0', len);
    if (nul == NULL) {
        return false;
    }
    *line = 1;
    *col = 1;
    for (const char *p = text; p < nul; p++) {
        *line += *p == '\n';
        *col = *p == '\n' ? 1 : *col + 1;
    }
    return true;
}

bool sim_csv_check_text(const char *path, const char *text, gsize len, GError **error)
{
    guint line = 0, col = 0;
    if (!sim_csv_find_nul(text, len, &line, &col)) {
        return true;
    }
    return sim_error_cause_at(error, SIM_ERROR_VALUE, path, line, 0,
                              "a NUL byte at column %u: not a text file", col);
}

SimCsv *sim_csv_new(const char *path, char *text, char separator, SimCsvFlags flags)
{
    SimCsv *csv = g_new0(SimCsv, 1);
    csv->path = g_strdup(path);
    csv->next = text;
    csv->separator = separator;
    csv->flags = flags;
    csv->cells = g_ptr_array_new();
    return csv;
}

void sim_csv_free(SimCsv *csv)
{
    if (csv == NULL) {
        return;
    }
    g_free(csv->path);
    g_ptr_array_unref(csv->cells);
    g_free(csv);
}

void sim_csv_set_max_cells(SimCsv *csv, guint max_cells)
{
    csv->max_cells = max_cells;
}

/* Appends a cell starting at `at`; false (with the error) when the line has too many. */
static bool add_cell(SimCsv *csv, char *at, GError **error)
{
    if (csv->max_cells > 0 && csv->cells->len == csv->max_cells) {
        return sim_error_at(error, SIM_ERROR_PARSE, csv->path, csv->line,
                            (guint)(at - csv->raw) + 1, "more than %u columns", csv->max_cells);
    }
    g_ptr_array_add(csv->cells, at);
    return true;
}

/* PLAIN and TRIM cells: every separator splits; quotes are text. */
static bool split_plain(SimCsv *csv, char *p, GError **error)
{
    while (true) {
        if (!add_cell(csv, p, error)) {
            return false;
        }
        p = strchr(p, csv->separator);
        if (p == NULL) {
            return true;
        }
        *p++ = '\0';
    }
}

/*
 * PDH cells, the lenient rule of csv.h, undone in place: a cell is written
 * back from its own start (`out` never passes `p`), so its column holds.
 */
static bool split_pdh(SimCsv *csv, char *p, GError **error)
{
    while (true) {
        char *out = p;
        if (!add_cell(csv, out, error)) {
            return false;
        }
        if (*p == '"') {
            p++;
            while (*p != '\0' && !(*p == '"' && p[1] != '"')) {
                *out++ = *p;
                p += *p == '"' ? 2 : 1; /* "" is one quote */
            }
            p += *p == '"' ? 1 : 0;
        }
        while (*p != '\0' && *p != csv->separator) {
            *out++ = *p++;
        }
        bool more = *p == csv->separator;
        *out = '\0';
        if (!more || p[1] == '\0') {
            return true; /* a separator at the very end gives no cell */
        }
        p++;
    }
}

/* Cuts the next line out of the text; NULL at the end. */
static char *cut_line(SimCsv *csv)
{
    char *line = csv->next;
    if (*line == '\0') {
        return NULL;
    }
    char *eol = strchr(line, '\n');
    csv->next = eol != NULL ? eol + 1 : line + strlen(line);
    if (eol != NULL) {
        *eol = '\0';
    }
    csv->line++;
    csv->raw = line;
    return line;
}

/* The line's content by the dialect (CRs, blanks dropped); NULL when it is skipped whole. */
static char *content(const SimCsv *csv, char *line)
{
    gsize len = strlen(line);
    bool pdh = (csv->flags & SIM_CSV_PDH) != 0;
    while (len > 0 && line[len - 1] == '\r') {
        line[--len] = '\0';
        if (!pdh) {
            break; /* one CR: CRLF */
        }
    }
    if (csv->flags & SIM_CSV_TRIM) {
        while (g_ascii_isspace(*line)) {
            line++;
        }
        g_strchomp(line);
    }
    bool skip = !pdh && (line[0] == '\0' || ((csv->flags & SIM_CSV_COMMENTS) && line[0] == '#'));
    return skip ? NULL : line;
}

SimCsvStatus sim_csv_next(SimCsv *csv, GError **error)
{
    for (char *line = cut_line(csv); line != NULL; line = cut_line(csv)) {
        char *text = content(csv, line);
        if (text == NULL) {
            continue;
        }
        g_ptr_array_set_size(csv->cells, 0);
        bool pdh = (csv->flags & SIM_CSV_PDH) != 0;
        if (!(pdh ? split_pdh(csv, text, error) : split_plain(csv, text, error))) {
            return SIM_CSV_FAILED;
        }
        if (pdh && csv->cells->len == 1 && *(const char *)csv->cells->pdata[0] == '\0') {
            continue; /* an empty line, `""` or `,` */
        }
        return SIM_CSV_LINE;
    }
    return SIM_CSV_END;
}

const char *sim_csv_path(const SimCsv *csv)
{
    return csv->path;
}

guint sim_csv_line(const SimCsv *csv)
{
    return csv->line;
}

guint sim_csv_n_cells(const SimCsv *csv)
{
    return csv->cells->len;
}

const char *sim_csv_cell(const SimCsv *csv, guint i)
{
    g_return_val_if_fail(i < csv->cells->len, "");
    return csv->cells->pdata[i];
}

guint sim_csv_col(const SimCsv *csv, guint i)
{
    g_return_val_if_fail(i < csv->cells->len, 0);
    return (guint)((const char *)csv->cells->pdata[i] - csv->raw) + 1;
}
