/* The one error domain of reclaimsim and its mapping to exit codes. */
#pragma once

#include <glib.h>

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
