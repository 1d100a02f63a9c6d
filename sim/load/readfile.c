#include "sim/load/readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/error.h"

/* What a non-regular file is, for the message. */
static const char *file_kind(mode_t mode)
{
    if (S_ISFIFO(mode)) {
        return "a FIFO";
    }
    if (S_ISCHR(mode) || S_ISBLK(mode)) {
        return "a device";
    }
    if (S_ISSOCK(mode)) {
        return "a socket";
    }
    return "a special file";
}

static bool too_big(GError **error, gsize max_len)
{
    g_autofree char *size = g_format_size_full(max_len, G_FORMAT_SIZE_IEC_UNITS);
    g_set_error(error, SIM_ERROR, SIM_ERROR_RANGE, "larger than %s", size);
    return false;
}

/*
 * Opens without blocking (a FIFO without a writer would block a plain
 * open) and refuses anything but a regular file before reading a byte.
 */
static int open_regular(const char *path, GError **error)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int errsv = errno;
        g_set_error(error, SIM_ERROR, errsv == EIO ? SIM_ERROR_IO : SIM_ERROR_USAGE, "%s",
                    g_strerror(errsv));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int errsv = errno;
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s", g_strerror(errsv));
        close(fd);
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "%s", g_strerror(EISDIR));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE, "not a regular file (%s)",
                    file_kind(st.st_mode));
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads at most `max_len` bytes of `fd`; a longer file is an error. */
static char *read_fd(int fd, gsize max_len, gsize *len, GError **error)
{
    GByteArray *buf = g_byte_array_new();
    guint8 chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            int errsv = errno;
            g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s", g_strerror(errsv));
            g_byte_array_unref(buf);
            return NULL;
        }
        if (n == 0) {
            break;
        }
        if (buf->len + (gsize)n > max_len) {
            too_big(error, max_len);
            g_byte_array_unref(buf);
            return NULL;
        }
        g_byte_array_append(buf, chunk, (guint)n);
    }
    *len = buf->len;
    g_byte_array_append(buf, (const guint8 *)"", 1);
    return (char *)g_byte_array_free(buf, FALSE);
}

/* One g_converter_convert step; false on a corrupt stream or past the bound. */
static bool inflate_step(GConverter *z, const guint8 **in, gsize *in_left, GByteArray *out,
                         gsize max_len, bool *finished, GError **error)
{
    guint8 chunk[65536];
    gsize read = 0;
    gsize written = 0;
    g_autoptr(GError) e = NULL;
    GConverterResult r =
        g_converter_convert(z, *in, *in_left, chunk, sizeof chunk, G_CONVERTER_INPUT_AT_END,
                            &read, &written, &e);
    if (r == G_CONVERTER_ERROR) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "corrupt gzip data: %s", e->message);
        return false;
    }
    *in += read;
    *in_left -= read;
    if (out->len + written > max_len) {
        return too_big(error, max_len);
    }
    g_byte_array_append(out, chunk, (guint)written);
    *finished = r == G_CONVERTER_FINISHED;
    return true;
}

/* Decompresses every gzip member of `data` (as gzip -d does). */
static char *gunzip(const guint8 *data, gsize size, gsize max_len, gsize *len, GError **error)
{
    g_autoptr(GZlibDecompressor) z = g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP);
    GByteArray *out = g_byte_array_new();
    gsize left = size;
    while (left > 0) {
        bool finished = false;
        while (!finished) {
            if (!inflate_step(G_CONVERTER(z), &data, &left, out, max_len, &finished, error)) {
                g_byte_array_unref(out);
                return NULL;
            }
        }
        g_converter_reset(G_CONVERTER(z));
    }
    *len = out->len;
    g_byte_array_append(out, (const guint8 *)"", 1);
    return (char *)g_byte_array_free(out, FALSE);
}

char *sim_read_file(const char *path, gsize max_len, SimReadFileFlags flags, gsize *len,
                    GError **error)
{
    g_return_val_if_fail(path != NULL && len != NULL, NULL);
    int fd = open_regular(path, error);
    if (fd < 0) {
        return NULL;
    }
    /* A gzip file may be far smaller than its contents; its own bytes are
     * bounded by the same limit. */
    g_autofree char *raw = read_fd(fd, max_len, len, error);
    close(fd);
    if (raw == NULL) {
        return NULL;
    }
    bool gz = (flags & SIM_READFILE_GZIP) && *len >= 2 && (guint8)raw[0] == 0x1f &&
              (guint8)raw[1] == 0x8b;
    if (!gz) {
        return g_steal_pointer(&raw);
    }
    return gunzip((const guint8 *)raw, *len, max_len, len, error);
}
