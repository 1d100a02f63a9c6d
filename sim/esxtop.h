/*
 * esxtop batch files (PDH-CSV 4.0), both ways (docs/design.md section 5, issue 5).
 *
 * Writing: esxtop.csv of a run, as `esxtop -b` writes it: first cell
 * "(PDH-CSV 4.0) (UTC)(0)", every cell quoted, every line ending with ",",
 * timestamps "MM/DD/YYYY HH:MM:SS" in UTC from SIM_ESXTOP_EPOCH, the host's
 * `\\HOST\Memory\...` counters then `\\HOST\Group Memory(GID:NAME)\...` per
 * VM. Only counters the model knows are written (docs/model.md, "esxtop.csv").
 *
 * Reading: a real capture, for trace replay. Only the memory counters
 * (objects "Memory" and "Group Memory") are kept, so a capture with 17,000
 * columns costs memory only for the few hundred that matter. The reader
 * accepts the quirks of real captures (docs/model.md, "Trace replay"): CRLF, a
 * missing trailing comma, unquoted cells (a cell that does not start with a
 * quote runs to the next comma, quotes included, as Python's csv module and
 * spreadsheets read it), and "M/D/YYYY H:MM" times without seconds.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/recorder.h"
#include "sim/scenario.h"

/* 01/01/2024 00:00:00 UTC, the time of a run's t = 0 in esxtop.csv (assumption). */
#define SIM_ESXTOP_EPOCH INT64_C(1704067200)
/* The host name in the counter paths: `\\HOST\Memory\Free MBytes` (docs/design.md section 5). */
#define SIM_ESXTOP_HOST "HOST"

/*
 * Writes esxtop.csv for the samples of `recorder` into `path`; messages
 * name the file `shown` (NULL: `path`). The scenario gives the VM names
 * and whether each runs a balloon driver.
 */
bool sim_esxtop_write(const SimScenario *scenario, const SimRecorder *recorder, const char *path,
                      const char *shown, GError **error);

/* The GID written for VM `vm` of the scenario: stable per VM name, unique in the file. */
guint32 sim_esxtop_gid(const SimScenario *scenario, guint vm);

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
