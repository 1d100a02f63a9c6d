/*
 * The one CSV reader of reclaimsim's inputs: csv and Bitbrains traces
 * (sim/load/trace.c), esxtop batch captures (sim/load/esxtop.c) and a run's
 * host.csv and vms.csv read back for `plot` and `report` (plots/rundata.c).
 * It walks a text already in memory (sim_read_file, sim/load/readfile.h),
 * line by line with the lines' numbers, and splits each line into cells in
 * place: no copy of a 1 GiB trace, no allocation per cell.
 *
 * Lines end at LF. What a line is made of depends on the dialect, one set
 * of flags per kind of file (each reader keeps the rules its files have
 * always been read with):
 *
 * - SIM_CSV_PLAIN (a run's own files): one CR before the LF is dropped
 *   (CRLF); every separator splits, a separator at the end gives an empty
 *   last cell; quotes are text; an empty line is skipped.
 * - SIM_CSV_TRIM (hand-written traces): blanks around the line (spaces,
 *   tabs, CRs) are dropped first; a line of blanks is skipped. Cells are
 *   split as in PLAIN.
 * - SIM_CSV_COMMENTS: a line that starts with '#' (after TRIM) is skipped.
 * - SIM_CSV_PDH (esxtop captures, PDH-CSV as real ones are written): every
 *   CR before the LF is dropped; a separator at the very end of the line
 *   (esxtop ends every line with one) gives no empty cell; quoting is
 *   lenient. A cell that starts with a quote ends at the closing quote, a
 *   doubled quote ("") inside being one quote, and whatever follows up to
 *   the next separator is appended (as spreadsheets read `"ab"c`: `abc`).
 *   A cell that does NOT start with a quote runs to the next separator with
 *   any quotes in it kept as they are: esxtop's unquoted T-state cell
 *   `   -"\\host\...` stays one cell, as Python's csv module reads it, and the
 *   columns after it keep their places. A quote left open runs to the end
 *   of the line. A line whose one cell is empty (an empty line, `""`, `,`)
 *   is skipped.
 *
 * Library code: errors are SIM_ERROR with the place (sim/error.h).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct SimCsv SimCsv;

typedef enum {
    SIM_CSV_PLAIN = 0,         /* a run's own files: CRLF, no quotes */
    SIM_CSV_TRIM = 1 << 0,     /* blanks around a line dropped, lines of blanks skipped */
    SIM_CSV_COMMENTS = 1 << 1, /* lines starting with '#' skipped */
    SIM_CSV_PDH = 1 << 2,      /* esxtop captures: lenient quotes, trailing separator, CRs */
} SimCsvFlags;

/* What sim_csv_next() found. */
typedef enum {
    SIM_CSV_END,    /* no more lines; sim_csv_line() is the text's last line */
    SIM_CSV_LINE,   /* a line: its cells are readable until the next call */
    SIM_CSV_FAILED, /* a line with more cells than the limit: the error is set */
    SIM_CSV_STATUS_MAX
} SimCsvStatus;

/*
 * The first NUL byte of `text` (`len` bytes), which no text file holds: its
 * line and its column (both 1-based; the column counts bytes, as the byte
 * is not a character). False when there is none. Every reader refuses such
 * a file before reading it, in its own words.
 */
bool sim_csv_find_nul(const char *text, gsize len, guint *line, guint *col);

/*
 * The same check in the words of the trace readers (csv, esxtop,
 * Bitbrains): "PATH:LINE: a NUL byte at column COL: not a text file"
 * (SIM_ERROR_VALUE), a cause the scenario loader's error carries
 * (sim_error_cause_at). True when `text` has no NUL byte.
 */
bool sim_csv_check_text(const char *path, const char *text, gsize len, GError **error);

/*
 * A reader of `text`, split in place (so it must outlive the reader and is
 * changed by it) up to its terminating NUL, in the dialect `flags` with
 * cells separated by `separator` (',' or the Bitbrains ';'). `path` names
 * the file in messages. Lines are numbered from 1.
 */
SimCsv *sim_csv_new(const char *path, char *text, char separator, SimCsvFlags flags);
void sim_csv_free(SimCsv *csv);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimCsv, sim_csv_free)

/*
 * The most cells a line may have (0, the default: any). A longer line is
 * the error "PATH:LINE:COL: error: more than MAX columns" (SIM_ERROR_PARSE)
 * at the first cell too many, found before the rest of the line is split:
 * a reader with fixed columns never holds a million cells of a line of
 * commas.
 */
void sim_csv_set_max_cells(SimCsv *csv, guint max_cells);

/* Moves to the next line that is not skipped and splits it. O(line). */
SimCsvStatus sim_csv_next(SimCsv *csv, GError **error);

/* The path given to sim_csv_new(). */
const char *sim_csv_path(const SimCsv *csv);
/* The current line's number; at the end, the last line's (0 for an empty text). */
guint sim_csv_line(const SimCsv *csv);
/* Cells of the current line: at least one. */
guint sim_csv_n_cells(const SimCsv *csv);
/* Cell `i` of the current line (quotes undone in SIM_CSV_PDH); owned by the text. */
const char *sim_csv_cell(const SimCsv *csv, guint i);
/* The column (1-based, in bytes) where cell `i` starts in the line as the file has it. */
guint sim_csv_col(const SimCsv *csv, guint i);
