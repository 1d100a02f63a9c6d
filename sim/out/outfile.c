/*
 * A checked output file with a line buffer: see sim/out/outfile.h.
 */
#include "sim/out/outfile.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sim/error.h"

struct SimOutfile {
    FILE *fp;      /* open for writing until sim_outfile_close() */
    char *shown;   /* the name messages give, owned */
    GString *line; /* the row being built, owned */
    int errsv;     /* errno of the first failed write, 0 while none */
};

/* "out/x/vms.csv: error: cannot write: No space left on device" */
static void io_error(GError **error, const char *shown, int errsv)
{
    g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot write: %s", shown,
                g_strerror(errsv));
}

SimOutfile *sim_outfile_open(const char *path, const char *shown, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    shown = shown != NULL ? shown : path;
    FILE *fp = fopen(path, "w");
    if (fp == NULL) {
        io_error(error, shown, errno);
        return NULL;
    }
    SimOutfile *file = g_new0(SimOutfile, 1);
    file->fp = fp;
    file->shown = g_strdup(shown);
    file->line = g_string_sized_new(256);
    return file;
}

SimOutfile *sim_outfile_open_in(const char *dir, const char *shown_dir, const char *name,
                                GError **error)
{
    g_return_val_if_fail(dir != NULL && name != NULL, NULL);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *shown = g_build_filename(shown_dir != NULL ? shown_dir : dir, name, NULL);
    return sim_outfile_open(path, shown, error);
}

GString *sim_outfile_line(SimOutfile *file)
{
    return file->line;
}

void sim_outfile_flush_line(SimOutfile *file)
{
    if (file->errsv == 0 && file->line->len > 0 &&
        fwrite(file->line->str, 1, file->line->len, file->fp) != file->line->len) {
        file->errsv = errno != 0 ? errno : EIO;
    }
    g_string_truncate(file->line, 0);
}

bool sim_outfile_failed(const SimOutfile *file)
{
    return file->errsv != 0;
}

bool sim_outfile_close(SimOutfile *file, GError **error)
{
    g_return_val_if_fail(file != NULL, false);
    int errsv = file->errsv;
    if (errsv == 0 && (fflush(file->fp) != 0 || fsync(fileno(file->fp)) != 0)) {
        errsv = errno;
    }
    if (fclose(file->fp) != 0 && errsv == 0) {
        errsv = errno;
    }
    if (errsv != 0) {
        io_error(error, file->shown, errsv);
    }
    g_string_free(file->line, TRUE);
    g_free(file->shown);
    g_free(file);
    return errsv == 0;
}

/* ---- JSON documents ---- */

#define JSON_SCALE 1e4 /* reals rounded to 4 decimals */

double sim_outfile_round(double v)
{
    return round(v * JSON_SCALE) / JSON_SCALE + 0.0;
}

json_t *sim_outfile_json_real(double v)
{
    if (!isfinite(v)) {
        return json_null();
    }
    return json_real(sim_outfile_round(v));
}

json_t *sim_outfile_json_seed(guint64 seed)
{
    if (seed <= (guint64)G_MAXINT64) {
        return json_integer((json_int_t)seed);
    }
    char buf[32];
    g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, seed);
    return json_string(buf);
}

bool sim_outfile_write_json(const char *dir, const char *shown_dir, const char *name,
                            const json_t *root, GError **error)
{
    g_return_val_if_fail(dir != NULL && name != NULL && root != NULL, false);
    char *text = json_dumps(root, SIM_OUTFILE_JSON_FLAGS);
    if (text == NULL) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO,
                    "%s/%s: error: cannot write: cannot encode JSON",
                    shown_dir != NULL ? shown_dir : dir, name);
        return false;
    }
    SimOutfile *f = sim_outfile_open_in(dir, shown_dir, name, error);
    if (f != NULL) {
        g_string_append(f->line, text);
        g_string_append_c(f->line, '\n');
        sim_outfile_flush_line(f);
    }
    free(text);
    return f != NULL && sim_outfile_close(f, error);
}
