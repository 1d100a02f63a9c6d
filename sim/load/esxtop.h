/*
 * Reading esxtop batch captures (PDH-CSV 4.0) for trace replay (docs/design.md
 * section 5; the writer of esxtop.csv is sim/out/esxtop.h). Only the memory counters
 * (objects "Memory" and "Group Memory") are kept, so a capture with 17,000
 * columns costs memory only for the few hundred that matter. The reader
 * accepts the quirks of real captures (docs/model.md, "Trace replay"): CRLF, a
 * missing trailing comma, unquoted cells (a cell that does not start with a
 * quote runs to the next comma, quotes included, as Python's csv module and
 * spreadsheets read it: the SIM_CSV_PDH dialect of sim/load/csv.h), and
 * "M/D/YYYY H:MM" times without seconds.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* The first cell of every capture: the format and the time zone of its timestamps. */
#define SIM_ESXTOP_FIRST_CELL "(PDH-CSV 4.0) (UTC)(0)"
/* What a file must start with to be read as a capture. */
#define SIM_ESXTOP_MAGIC "(PDH-CSV 4.0)"

typedef struct SimEsxtop SimEsxtop;

/*
 * Parses a capture held in `text` (`len` bytes, NUL-terminated; split in
 * place), read from `path` (for messages). Errors (SIM_ERROR_VALUE) name
 * the file and the line: "FILE:LINE: MESSAGE"; a NUL byte, an empty file
 * and a header without samples are errors. Timestamps must not decrease;
 * rows that share a timestamp (a re-save without seconds) are spread evenly
 * up to the next timestamp, and `*spread` (when not NULL) counts them.
 */
SimEsxtop *sim_esxtop_parse(const char *path, char *text, gsize len, guint *spread,
                            GError **error);
/*
 * Reads `path` through sim_read_file (a regular file, bounded, gzip
 * decompressed; SIM_ERROR_IO when it cannot be read) and parses it.
 */
SimEsxtop *sim_esxtop_read(const char *path, guint *spread, GError **error);
void sim_esxtop_free(SimEsxtop *esxtop);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimEsxtop, sim_esxtop_free)

/* The host name of the counter paths ("localhost.home"). */
const char *sim_esxtop_host(const SimEsxtop *esxtop);
guint sim_esxtop_n_samples(const SimEsxtop *esxtop);
/* Unix time in seconds of sample i (fractional after spreading). */
double sim_esxtop_time(const SimEsxtop *esxtop, guint i);
/* The line of the file that sample i came from (1-based), for messages. */
guint sim_esxtop_line(const SimEsxtop *esxtop, guint i);

/*
 * Column of counter `counter` of `object` ("Memory", "Group Memory") and
 * `instance` ("1302698:styx", NULL for none), or -1.
 */
int sim_esxtop_find(const SimEsxtop *esxtop, const char *object, const char *instance,
                    const char *counter);
/* Value of a column found by sim_esxtop_find at sample i; NAN when empty or not a number. */
double sim_esxtop_value(const SimEsxtop *esxtop, guint i, int column);

/* The "Group Memory" instances ("GID:NAME"), in file order; owned by `esxtop`. */
const GPtrArray *sim_esxtop_groups(const SimEsxtop *esxtop);

/*
 * The Group Memory instance of VM `name`: the one whose NAME after the GID
 * is `name`, else an exact instance ("1302698:styx"). NULL when there is none.
 */
const char *sim_esxtop_find_group(const SimEsxtop *esxtop, const char *name);
