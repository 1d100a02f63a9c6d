/*
 * Shared by the libFuzzer targets of tests/fuzz/ and by replay.c, which runs
 * a target's corpus once as an ordinary test. Every reader of reclaimsim
 * opens a path, so the helpers here put the fuzzer's bytes where a reader
 * can open them: a memfd (a regular file, as sim/load/readfile.h requires) or a
 * file in a private temporary folder, for readers that look beside it.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A private folder made with g_mkdtemp under $TMPDIR on first use and
 * removed with what the helpers wrote into it at exit. Aborts if it cannot
 * be made: a target without its folder would test nothing.
 */
const char *fuzz_dir(void);

/* Writes `data` to FOLDER/name, replacing it; returns the path (g_free it). */
char *fuzz_write(const char *name, const void *data, size_t size);

/* Removes FOLDER/name if it is there (a missing input file is an input too). */
void fuzz_remove(const char *name);

/*
 * Replaces the contents of the process's one memfd with `data` and returns
 * "/proc/self/fd/N", which opens it afresh at offset 0. Owned by the helper.
 */
const char *fuzz_memfd(const void *data, size_t size);

/*
 * FOLDER/scenario.json (not written here), beside trace.csv, esxtop.csv and
 * bitbrains.csv, small traces of each format written on first use: a fuzzed
 * scenario's `workload.trace` reaches the trace readers through the loader.
 */
const char *fuzz_scenario_path(void);

/*
 * A run folder from one input (fuzz-rundata, fuzz-explain): host.csv,
 * vms.csv and summary.json separated by lines "%%", written into FOLDER;
 * a file the input does not reach is removed (a missing file is an input
 * too).
 */
void fuzz_write_run(const uint8_t *data, size_t size);

/* Prints "fuzz: WHAT" and aborts: a check of a target failed (a finding). */
G_GNUC_NORETURN void fuzz_fail(const char *what);

/* `data` as a NUL-terminated string (g_free it): what argv and JSON strings give. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/*
 * Aborts (a finding) unless `message`, as the CLI prints it (through
 * sim_error_one_line), is one line without C0, DEL or C1 controls: every
 * error and warning reclaimsim prints is one line (issue 9, point 4). `what` names the message in the report. With
 * FUZZ_LAX_ERRORS set in the environment, this check and the one of a
 * missing error below are skipped, to look past those known findings.
 */
void fuzz_check_one_line(const char *what, const char *message);

/*
 * Aborts unless a reader that returned NULL set an error (a reader that
 * fails silently is a finding), of one line, mapped by sim_error_exit_code
 * to exit code 2: bad input, never a crash or a runtime failure.
 */
void fuzz_check_bad_input(const GError *error);
