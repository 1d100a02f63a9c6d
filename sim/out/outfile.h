/*
 * One output file written through a line buffer and checked at every step:
 * a writer builds a row in sim_outfile_line() and streams it with
 * sim_outfile_flush_line(), so a long run's vms.csv never sits in memory as
 * a whole. A full disk may show at fwrite, fflush, fsync or fclose: each is
 * checked and the first errno reported by sim_outfile_close(). Messages name
 * the file as the user knows it (`shown`), not the staging path written
 * (sim/out/outdir.h): "out/x/vms.csv: error: cannot write: No space left on
 * device", SIM_ERROR_IO.
 */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

typedef struct SimOutfile SimOutfile;

/* Creates or truncates `path`; messages name it `shown` (NULL: `path`).
 * NULL with an error when it cannot be opened. */
SimOutfile *sim_outfile_open(const char *path, const char *shown, GError **error);

/* sim_outfile_open() of NAME in `dir`, named NAME in `shown_dir` (NULL: `dir`). */
SimOutfile *sim_outfile_open_in(const char *dir, const char *shown_dir, const char *name,
                                GError **error);

/* The buffer of the line being built; sim_outfile_flush_line() empties it. */
GString *sim_outfile_line(SimOutfile *file);

/* Writes and empties the line buffer. After the first failed write the rest
 * is not attempted; its errno is kept for sim_outfile_close(). */
void sim_outfile_flush_line(SimOutfile *file);

/* True once a write failed: a writer may stop building rows nobody writes. */
bool sim_outfile_failed(const SimOutfile *file);

/*
 * Flushes, fsyncs and closes the file and frees `file`; false with the
 * first errno of any step. fsync, so the rename that publishes the output
 * directory never publishes files whose blocks were not yet written.
 */
bool sim_outfile_close(SimOutfile *file, GError **error);

/* ---- JSON documents (summary.json, compare.json) ---- */

/* How every JSON document of an output is laid out: indented by 2, keys in
 * the order written, reals with up to 10 significant digits. */
#define SIM_OUTFILE_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

/* A real as the JSON outputs hold it: rounded to 4 decimals so the file is
 * stable and readable, -0 as 0; NaN and infinities, which JSON cannot hold,
 * as null. */
json_t *sim_outfile_json_real(double v);
/* The value sim_outfile_json_real holds for a finite v: rounded to 4
 * decimals, halves away from zero. A CSV cell meant to read the same as a
 * JSON value prints this with 4 decimals: printf alone rounds an exact half
 * (2189.90625) to even, and the two files would disagree in the last digit. */
double sim_outfile_round(double v);

/* A seed: an integer, or a string above INT64_MAX (a JSON integer of
 * jansson is an int64). */
json_t *sim_outfile_json_seed(guint64 seed);

/*
 * Writes `root` (SIM_OUTFILE_JSON_FLAGS) and a newline to NAME in `dir`,
 * named NAME in `shown_dir` (NULL: `dir`), through sim_outfile_open_in and
 * sim_outfile_close, so a full disk is reported as for any output file.
 * The text is encoded before the file is made: a tree jansson cannot encode
 * (out of memory, a string that is not UTF-8) makes no file and fails with
 * "SHOWN/NAME: error: cannot write: cannot encode JSON", SIM_ERROR_IO.
 * Neither json_dump_file (unchecked fclose, no fsync, jansson's errors) nor
 * g_file_set_contents (G_FILE_ERROR with the staging path) report the way
 * the outputs do. Publishing it atomically is the output folder's rename
 * (sim/out/outdir.h).
 */
bool sim_outfile_write_json(const char *dir, const char *shown_dir, const char *name,
                            const json_t *root, GError **error);
