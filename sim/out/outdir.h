/*
 * The output directory of a run (issue 9: nothing a user did not ask to
 * lose is lost).
 *
 * DIR is made as a staging directory beside it (DIR.tmp-XXXXXX, on the same
 * file system) and put in place by one rename, so DIR is at every moment
 * either the previous output or the new complete one; a failure, a full
 * disk or an interrupt (sim/interrupt.h) removes the staging directory and
 * leaves DIR as it was.
 *
 * What may be replaced: a directory that holds the marker file reclaimsim
 * writes into every output it makes (SIM_OUTDIR_MARKER), or an output from
 * before the marker (host.csv, vms.csv, summary.json and only the other
 * files reclaimsim writes: esxtop.csv, report.html, plots/ of .png and
 * .svg); any other directory only with SIM_OUTDIR_FORCE (the CLI's
 * --force). A symbolic
 * link, a regular file or anything else that is not a directory is never
 * replaced, nor a mount point. Deleting the replaced tree never follows a
 * symbolic link and never enters another file system.
 *
 * Messages name DIR as the caller gave it (and the file inside it), never
 * the staging directory: "out/x/vms.csv: error: cannot write: No space left
 * on device". A refusal is SIM_ERROR_USAGE (exit 2), an I/O failure
 * SIM_ERROR_IO (exit 1), an interrupt SIM_ERROR_RUNTIME.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* The marker: a file in DIR whose first line is SIM_OUTDIR_MARKER_LINE;
 * the second line is "reclaimsim VERSION", the rest says what it is for. */
#define SIM_OUTDIR_MARKER ".reclaimsim-output"
#define SIM_OUTDIR_MARKER_LINE "reclaimsim output directory"

/* Longest folder name made from a scenario name, in bytes: far below
 * NAME_MAX (255), so that NAME.tmp-XXXXXX and NAME.old-XXXXXX fit too. */
#define SIM_OUTDIR_NAME_MAX 100

typedef enum {
    SIM_OUTDIR_DEFAULT = 0,
    SIM_OUTDIR_FORCE = 1 << 0, /* replace a directory without the marker (--force) */
    SIM_OUTDIR_PART = 1 << 1,  /* a part of a run directory (DIR/plots): replaced whenever
                                * it is a real directory, and no marker is written */
} SimOutdirFlags;

typedef struct SimOutdir SimOutdir;

/*
 * The folder name for a scenario named `name` (the default DIR is
 * out/NAME): '/', '\' and control characters (Unicode Cc, line and
 * paragraph separators) become '_', so do a leading '.' (no "." or "..",
 * no hidden folder) and invalid UTF-8; the name is cut to
 * SIM_OUTDIR_NAME_MAX bytes at a character boundary; an empty name becomes
 * "unnamed". Caller frees.
 */
char *sim_outdir_name_for(const char *name);

/*
 * Checks that `dir` may be created or replaced, before any work is done,
 * so a refusal comes before a long run rather than after it. Creates
 * nothing. Trailing separators of `dir` are dropped ("out/x/" is "out/x").
 */
SimOutdir *sim_outdir_new(const char *dir, SimOutdirFlags flags, GError **error);

/* Removes the staging directory unless committed. NULL-safe. */
void sim_outdir_free(SimOutdir *out);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimOutdir, sim_outdir_free)

/* DIR as given, without trailing separators: the name messages use. */
const char *sim_outdir_path(const SimOutdir *out);

/* Creates DIR's missing parents and the empty staging directory beside
 * DIR; returns its path (owned by `out`), where the caller writes the
 * files. NULL with an error naming DIR. */
const char *sim_outdir_stage(SimOutdir *out, GError **error);

/*
 * Unless an interrupt was caught: writes the marker into the staging
 * directory (not for SIM_OUTDIR_PART), checks DIR again as
 * sim_outdir_new() did (it may have changed during the run), and puts the
 * staging directory in place of DIR (Linux: one renameat2 RENAME_EXCHANGE;
 * elsewhere DIR is renamed aside first, and back if the second rename
 * fails). The previous DIR is then deleted.
 */
bool sim_outdir_commit(SimOutdir *out, GError **error);

/* After a commit: where a replaced tree that could not be deleted in
 * full was left (files the user may not remove, a mount inside it), or
 * NULL when it is gone. */
const char *sim_outdir_leftover(const SimOutdir *out);

/*
 * For `plot DIR` and `report DIR`, which add files to a run directory:
 * true when DIR is a directory that holds the marker, or, for a run
 * written before the marker existed, host.csv, vms.csv or summary.json
 * (reading the run then requires all three). SIM_ERROR_USAGE otherwise.
 */
bool sim_outdir_check_run(const char *dir, GError **error);

/* Writes the marker into the existing directory `dir` (messages name it
 * in `shown`; NULL: `dir`): for a folder inside a staged output that must
 * be an output of its own (compare's DIR/POLICY, which `plot`, `report`
 * and a later `run -o DIR/POLICY` then accept). */
bool sim_outdir_mark(const char *dir, const char *shown, GError **error);

/*
 * For an output that grows over several commands (`sweep -o DIR`, which a
 * rerun completes): DIR is made with its parents and the marker when it
 * does not exist (*made true); an existing DIR is used as it is when it is
 * a real directory (not a link) that holds `keeps` (the file that says what
 * it holds, which the caller then checks) or nothing at all. Anything else
 * is refused (SIM_ERROR_USAGE): such a DIR is never replaced, not even in
 * part, so nothing in it can be lost.
 */
bool sim_outdir_open_growing(const char *dir, const char *keeps, bool *made, GError **error);

/* Writes `path` whole through a temporary file beside it that is synced
 * and renamed over it (unless an interrupt was caught meanwhile): `path`
 * is the old or the new file, never a part. Errors name `path`. */
bool sim_outdir_write_file(const char *path, const char *contents, gsize len, GError **error);
