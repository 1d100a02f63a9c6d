/* The one error domain of reclaimsim and its mapping to exit codes. */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef enum {
    SIM_ERROR_USAGE,       /* bad command line */
    SIM_ERROR_PARSE,       /* not JSON, not UTF-8, empty */
    SIM_ERROR_UNKNOWN_KEY, /* a key the format does not have */
    SIM_ERROR_TYPE,        /* a value of the wrong JSON type */
    SIM_ERROR_VALUE,       /* a value that does not parse (unit, duration, name) */
    SIM_ERROR_RANGE,       /* a value out of its allowed range or inconsistent */
    SIM_ERROR_IO,          /* reading or writing files at run time */
    SIM_ERROR_PLUGIN,      /* loading a policy plug-in */
    SIM_ERROR_RUNTIME,     /* the simulation itself failed */
    SIM_ERROR_MAX
} SimErrorCode;

#define SIM_ERROR sim_error_quark()
GQuark sim_error_quark(void);

/* Exit codes of the CLI (docs/design.md section 4). */
#define SIM_EXIT_OK 0
#define SIM_EXIT_RUNTIME 1
#define SIM_EXIT_BAD_INPUT 2

/* Maps an error to the exit code: bad usage or input is 2, the rest 1. */
int sim_error_exit_code(const GError *error);

/*
 * `text` made safe for one line of a terminal or a log: C0 controls, DEL
 * and C1 controls (U+0080..U+009F) become escapes (\n, \r, \t, else \xNN
 * per byte), as do bytes that are not UTF-8; printable UTF-8 is kept as is.
 * Every error and warning the CLI prints goes through it, so no user text
 * (a key, a value, a path, jansson's "near '...'") can break the line.
 */
char *sim_error_one_line(const char *text);

/*
 * Messages that point into an input file, one shape for every reader (the
 * trace and esxtop readers, the CSV reader, the run-folder reader of
 * `plot`, the output folder): "PATH:LINE:COL" where LINE and COL are
 * 1-based; a `col` of 0 leaves out ":COL" (a message about a whole line), a
 * `line` of 0 leaves out ":LINE:COL" (about the whole file). The JSON
 * loader finds its line and column with sim/srcloc.h and says where in the
 * document with " (at /json/pointer)".
 */
char *sim_error_place(const char *path, guint line, guint col);

/*
 * Sets `error` (SIM_ERROR, `code`) to "PLACE: error: MESSAGE", the line the
 * CLI prints as it is. Always returns false, so a reader can
 * `return sim_error_at(...)`; an `error` already set is left alone.
 */
bool sim_error_at(GError **error, SimErrorCode code, const char *path, guint line, guint col,
                  const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/*
 * Sets `error` to "PLACE: MESSAGE": the cause that a caller's own located
 * error carries, so that the line says "error" once. The trace readers'
 * errors are such causes: the scenario loader prints
 * "scenario.json:6:28: error: web.csv:3: memory_mb ... (at /vms/0/workload/trace)".
 * Returns false, as sim_error_at().
 */
bool sim_error_cause_at(GError **error, SimErrorCode code, const char *path, guint line, guint col,
                        const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/*
 * The warning twin: appends "PLACE: MESSAGE" (a new string) to `warnings`
 * (char *; NULL: the warning is dropped). Library code never prints; the
 * CLI prints each warning as "warning: PLACE: MESSAGE".
 */
void sim_warning_at(GPtrArray *warnings, const char *path, guint line, guint col, const char *fmt,
                    ...) G_GNUC_PRINTF(5, 6);
