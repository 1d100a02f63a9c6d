/*
 * Source locations in a JSON text, after jq's locfile: the text and a map of
 * line starts turn a byte offset into a line and column, and a small
 * tokenizer walks the text to find where the value (or the member key) at a
 * JSON pointer starts. jansson does not keep positions of values, so the
 * scenario loader asks this module where to point its messages.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct SimSrcLoc SimSrcLoc;

typedef enum {
    SIM_SRCLOC_VALUE, /* where the value starts */
    SIM_SRCLOC_KEY,   /* where the member's key string starts (its value for array elements) */
    SIM_SRCLOC_MAX
} SimSrcLocTarget;

/* Keeps a copy of `text` (`len` bytes, need not be NUL-terminated). */
SimSrcLoc *sim_srcloc_new(const char *text, gsize len);
void sim_srcloc_free(SimSrcLoc *loc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimSrcLoc, sim_srcloc_free)

/*
 * Line and column (both 1-based) of a byte offset; the column counts UTF-8
 * characters from the start of the line. Offsets past the end give the end.
 */
void sim_srcloc_line_col(const SimSrcLoc *loc, gsize offset, guint *line, guint *col);

/*
 * The byte offset of what `pointer` (RFC 6901: "" is the whole document,
 * "/vms/0/memory", with ~0 for '~' and ~1 for '/') names. False when the text
 * has no such value or is not well-formed JSON along the way.
 */
bool sim_srcloc_find(const SimSrcLoc *loc, const char *pointer, SimSrcLocTarget target,
                     gsize *offset);
