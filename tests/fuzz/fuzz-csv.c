/*
 * Fuzz target: the CSV reader (sim/load/csv.h) in every dialect its readers
 * use: PLAIN (a run's host.csv, with a small cell limit so that the error
 * path runs), TRIM | COMMENTS (csv traces), TRIM with ';' (Bitbrains) and
 * PDH (esxtop captures). The input is the text, read up to its first NUL
 * byte as the readers do after their check; the NUL check itself runs on
 * the whole input.
 *
 * Checked against the text itself, beyond "no crash, no leak": line numbers
 * increase and the last one is the text's line count; every line has a
 * cell; a cell lies within its line (its column and length), holds no LF,
 * and in the unquoted dialects is the very bytes of the line at its column,
 * with no separator; the NUL byte is where memchr finds it; an error is one
 * line mapped to exit code 2.
 */
#include <string.h>

#include "fuzz.h"
#include "sim/error.h"
#include "sim/load/csv.h"

/* Cells a PLAIN line may have here: small, so that the limit's error runs often. */
#define FUZZ_CSV_MAX_CELLS 8

/* Lines as the reader counts them: LFs, plus one for a last line without its LF. */
static guint count_lines(const char *text)
{
    gsize len = strlen(text);
    guint n = 0;
    for (gsize i = 0; i < len; i++) {
        n += text[i] == '\n';
    }
    return n + (len > 0 && text[len - 1] != '\n');
}

/* A line of the original text, found by walking forward from the one before. O(text) in all. */
typedef struct Line {
    const char *start; /* the line's first byte */
    gsize len;         /* bytes before its LF */
    guint number;      /* 1-based; 0 before the first */
} Line;

static void line_advance(Line *l, guint number)
{
    for (; l->number < number; l->number++) {
        l->start = l->number == 0 ? l->start : l->start + l->len + 1;
        const char *eol = strchr(l->start, '\n');
        l->len = eol != NULL ? (gsize)(eol - l->start) : strlen(l->start);
    }
}

/* One cell against the line it came from. */
static void check_cell(const SimCsv *csv, const Line *line, guint i, char separator, bool pdh)
{
    const char *cell = sim_csv_cell(csv, i);
    gsize cell_len = strlen(cell);
    guint col = sim_csv_col(csv, i);
    if (col < 1 || col - 1 + cell_len > line->len || strchr(cell, '\n') != NULL) {
        fuzz_fail("a cell outside its line");
    }
    if (i > 0 && col <= sim_csv_col(csv, i - 1)) {
        fuzz_fail("cells not in the order of their columns");
    }
    if (!pdh &&
        (memcmp(cell, line->start + col - 1, cell_len) != 0 || strchr(cell, separator) != NULL)) {
        fuzz_fail("an unquoted cell that is not the bytes of its line");
    }
}

static void read_dialect(const char *text, char separator, SimCsvFlags flags, guint max_cells)
{
    g_autofree char *copy = g_strdup(text);
    g_autoptr(SimCsv) csv = sim_csv_new("fuzz.csv", copy, separator, flags);
    sim_csv_set_max_cells(csv, max_cells);
    g_autoptr(GError) e = NULL;
    guint last = 0;
    Line line = {.start = text};
    SimCsvStatus got;
    while ((got = sim_csv_next(csv, &e)) == SIM_CSV_LINE) {
        if (sim_csv_line(csv) <= last || sim_csv_n_cells(csv) == 0 ||
            (max_cells > 0 && sim_csv_n_cells(csv) > max_cells)) {
            fuzz_fail("a line out of order, without cells or over the limit");
        }
        last = sim_csv_line(csv);
        line_advance(&line, last);
        for (guint i = 0; i < sim_csv_n_cells(csv); i++) {
            check_cell(csv, &line, i, separator, (flags & SIM_CSV_PDH) != 0);
        }
    }
    if (got == SIM_CSV_FAILED) {
        fuzz_check_bad_input(e);
        return;
    }
    if (e != NULL || sim_csv_line(csv) != count_lines(text)) {
        fuzz_fail("an error at the end, or the end not at the last line");
    }
}

/* The NUL check against memchr, and its message. */
static void check_nul(const uint8_t *data, size_t size)
{
    guint line = 0, col = 0;
    bool found = sim_csv_find_nul((const char *)data, size, &line, &col);
    if (found != (memchr(data, '\0', size) != NULL) || (found && (line < 1 || col < 1))) {
        fuzz_fail("sim_csv_find_nul disagrees with memchr");
    }
    g_autoptr(GError) e = NULL;
    if (!sim_csv_check_text("fuzz.csv", (const char *)data, size, &e)) {
        fuzz_check_bad_input(e);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_nul(data, size);
    g_autofree char *text = fuzz_strndup(data, size); /* up to the first NUL, if any */
    read_dialect(text, ',', SIM_CSV_PLAIN, FUZZ_CSV_MAX_CELLS);
    read_dialect(text, ',', SIM_CSV_TRIM | SIM_CSV_COMMENTS, 0);
    read_dialect(text, ';', SIM_CSV_TRIM, 0);
    read_dialect(text, ',', SIM_CSV_PDH, 0);
    return 0;
}
