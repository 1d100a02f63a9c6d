/*
 * Reading an input file whole, safely: scenarios and traces come from users,
 * so a FIFO must not block, /dev/zero must not be read for gigabytes, and a
 * gzip bomb must not fill memory. Only regular files (after symbolic links)
 * are read, up to a bound the caller gives; gzip files (magic 1f 8b) are
 * decompressed through GIO's GZlibDecompressor, with the bound applied to
 * the decompressed size.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Largest scenario file read: far above any real one (the biggest shipped is
 * a few KiB), far below what would strain memory. */
#define SIM_READFILE_SCENARIO_MAX ((gsize)64 << 20)
/* Largest trace read, after decompression: a month of 5-minute samples of
 * a thousand VMs in one CSV is about 300 MiB. */
#define SIM_READFILE_TRACE_MAX ((gsize)1 << 30)

typedef enum {
    SIM_READFILE_PLAIN = 0,
    SIM_READFILE_GZIP = 1 << 0, /* decompress a gzip file (by its magic bytes) */
} SimReadFileFlags;

/*
 * Reads `path` whole into a NUL-terminated buffer (*len bytes before the
 * NUL; the text may itself contain NUL bytes, which the caller checks).
 * Errors, all SIM_ERROR: SIM_ERROR_USAGE when the file does not exist, is a
 * directory, a FIFO, a device or a socket, or cannot be opened;
 * SIM_ERROR_RANGE when it is longer than `max_len` (decompressed);
 * SIM_ERROR_VALUE for a corrupt gzip stream; SIM_ERROR_IO when reading fails.
 * The message is the reason alone ("No such file or directory", "not a
 * regular file (a FIFO)", "larger than 64 MiB"): callers say what and where.
 */
char *sim_read_file(const char *path, gsize max_len, SimReadFileFlags flags, gsize *len,
                    GError **error);
