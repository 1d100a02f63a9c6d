/*
 * The output directory: checked before the run, staged beside DIR, put in
 * place by one rename (see outdir.h for the rules).
 */
#define _GNU_SOURCE /* renameat2 and RENAME_EXCHANGE (glibc 2.28) */
#include "sim/out/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/error.h"
#include "sim/interrupt.h"

struct SimOutdir {
    char *path;           /* DIR as given, trailing separators dropped; messages name it */
    SimOutdirFlags flags; /* from sim_outdir_new() */
    char *stage;          /* the staging directory; NULL before staging and after commit */
    char *leftover;       /* a replaced tree not deleted in full, or NULL */
};

static const char marker_text[] =
    SIM_OUTDIR_MARKER_LINE "\n"
    "reclaimsim " RECLAIMSIM_VERSION "\n"
    "This directory was written by reclaimsim. A later run with the same output\n"
    "directory replaces it as a whole, with everything in it.\n";

/* ---- errors ------------------------------------------------------------ */

/* "DIR: error: MESSAGE", a usage error (sim/error.h). */
#define refuse(error, path, ...) sim_error_at((error), SIM_ERROR_USAGE, (path), 0, 0, __VA_ARGS__)

static bool io_fail(GError **error, const char *path, const char *what, int errsv)
{
    g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot %s: %s", path, what,
                g_strerror(errsv));
    return false;
}

/* ---- the folder name of a scenario --------------------------------------- */

/* Characters that must not reach a folder name: separators, and control
 * characters, which would garble every message and listing naming it. */
static bool name_char_bad(gunichar c, bool first)
{
    GUnicodeType type = g_unichar_type(c);
    return c == '/' || c == '\\' || (first && c == '.') || type == G_UNICODE_CONTROL ||
           type == G_UNICODE_LINE_SEPARATOR || type == G_UNICODE_PARAGRAPH_SEPARATOR;
}

char *sim_outdir_name_for(const char *name)
{
    /* Invalid UTF-8 (possible from --set) becomes U+FFFD, then stays. */
    g_autofree char *valid = g_utf8_make_valid(name != NULL ? name : "", -1);
    GString *out = g_string_new(NULL);
    for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
        bool bad = name_char_bad(g_utf8_get_char(p), out->len == 0);
        gsize n = bad ? 1 : (gsize)(g_utf8_next_char(p) - p);
        if (out->len + n > SIM_OUTDIR_NAME_MAX) {
            break;
        }
        if (bad) {
            g_string_append_c(out, '_');
        } else {
            g_string_append_len(out, p, (gssize)n);
        }
    }
    if (out->len == 0) {
        g_string_append(out, "unnamed");
    }
    return g_string_free(out, FALSE);
}

/* ---- what may be replaced ---------------------------------------------- */

/* True when DIR holds the marker: a regular file (not a link) whose first
 * line is SIM_OUTDIR_MARKER_LINE. Reads a few bytes only. */
static bool has_marker(const char *dir)
{
    g_autofree char *path = g_build_filename(dir, SIM_OUTDIR_MARKER, NULL);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    static const char want[] = SIM_OUTDIR_MARKER_LINE "\n";
    char buf[sizeof want - 1];
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              read(fd, buf, sizeof buf) == (ssize_t)sizeof buf &&
              memcmp(buf, want, sizeof buf) == 0;
    close(fd);
    return ok;
}

/* A regular file (not a link) named `name` in `dir`. */
static bool is_regular(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    GStatBuf st;
    return g_lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* DIR/plots of a run: a real directory of regular .png and .svg files. */
static bool holds_only_images(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    GStatBuf st;
    GDir *d = g_lstat(path, &st) == 0 && S_ISDIR(st.st_mode) ? g_dir_open(path, 0, NULL) : NULL;
    bool ok = d != NULL;
    for (const char *e = ok ? g_dir_read_name(d) : NULL; ok && e != NULL; e = g_dir_read_name(d)) {
        ok = (g_str_has_suffix(e, ".png") || g_str_has_suffix(e, ".svg")) && is_regular(path, e);
    }
    if (d != NULL) {
        g_dir_close(d);
    }
    return ok;
}

/*
 * An output written before the marker existed: DIR holds host.csv, vms.csv
 * and summary.json and nothing but the files a run, `plot` and `report`
 * write. Everything in it is reclaimsim's own, so replacing it loses
 * nothing of the user's (a `make run` from an older clone goes on working).
 */
static bool is_older_output(const char *dir)
{
    static const char *const names[] = {"host.csv", "vms.csv", "summary.json", "esxtop.csv",
                                        "report.html"};
    GDir *d = g_dir_open(dir, 0, NULL);
    bool ok = d != NULL;
    guint required = 0; /* the first three names */
    for (const char *e = ok ? g_dir_read_name(d) : NULL; ok && e != NULL; e = g_dir_read_name(d)) {
        guint i = 0;
        while (i < G_N_ELEMENTS(names) && strcmp(e, names[i]) != 0) {
            i++;
        }
        if (i < G_N_ELEMENTS(names)) {
            ok = is_regular(dir, e);
            required += i < 3;
        } else {
            ok = strcmp(e, "plots") == 0 && holds_only_images(dir, e);
        }
    }
    if (d != NULL) {
        g_dir_close(d);
    }
    return ok && required == 3;
}

/* A DIR that does not exist yet: its nearest existing ancestor must be a
 * directory we may write into (the missing ones are created there). */
static bool check_new(const char *path, GError **error)
{
    g_autofree char *at = g_path_get_dirname(path);
    GStatBuf st;
    while (g_stat(at, &st) != 0) {
        if (errno != ENOENT) {
            return refuse(error, path, "cannot create: %s", g_strerror(errno));
        }
        char *up = g_path_get_dirname(at);
        g_free(at);
        at = up;
    }
    if (!S_ISDIR(st.st_mode)) {
        return refuse(error, path, "cannot create: %s", g_strerror(ENOTDIR));
    }
    if (access(at, W_OK | X_OK) != 0) {
        return refuse(error, path, "cannot create: %s", g_strerror(errno));
    }
    return true;
}

/* An existing DIR: only a real directory, with the marker or forced, not a
 * mount point, in a parent we may write (rename needs it, and a directory
 * that is renamed needs write access to itself for its ".." entry). */
static bool check_existing(const char *path, const GStatBuf *st, SimOutdirFlags flags,
                           GError **error)
{
    if (S_ISLNK(st->st_mode)) {
        return refuse(error, path, "is a symbolic link; reclaimsim replaces only directories "
                                   "(name the directory it points to, or another one)");
    }
    if (!S_ISDIR(st->st_mode)) {
        return refuse(error, path, "exists and is not a directory; reclaimsim replaces only "
                                   "directories");
    }
    if (!(flags & (SIM_OUTDIR_FORCE | SIM_OUTDIR_PART)) && !has_marker(path) &&
        !is_older_output(path)) {
        return refuse(error, path,
                      "exists and is not a reclaimsim output (it has no " SIM_OUTDIR_MARKER
                      "); use --force to replace it and everything in it, or another -o DIR");
    }
    g_autofree char *parent = g_path_get_dirname(path);
    GStatBuf up;
    if (g_stat(parent, &up) == 0 && up.st_dev != st->st_dev) {
        return refuse(error, path, "is a mount point; reclaimsim cannot replace it");
    }
    if (access(parent, W_OK | X_OK) != 0 || access(path, W_OK) != 0) {
        return refuse(error, path, "cannot replace: %s", g_strerror(errno));
    }
    return true;
}

/* *exists tells the caller whether DIR is there now. */
static bool check_target(const char *path, SimOutdirFlags flags, bool *exists, GError **error)
{
    g_autofree char *base = g_path_get_basename(path);
    if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || G_IS_DIR_SEPARATOR(base[0])) {
        return refuse(error, path, "cannot replace this directory; name a folder inside it");
    }
    GStatBuf st;
    *exists = g_lstat(path, &st) == 0;
    if (!*exists && errno != ENOENT) {
        return refuse(error, path, "cannot create: %s", g_strerror(errno));
    }
    return *exists ? check_existing(path, &st, flags, error) : check_new(path, error);
}

SimOutdir *sim_outdir_new(const char *dir, SimOutdirFlags flags, GError **error)
{
    g_return_val_if_fail(dir != NULL, NULL);
    if (*dir == '\0') {
        refuse(error, "reclaimsim", "the output directory name is empty");
        return NULL;
    }
    g_autofree char *path = g_strdup(dir);
    for (gsize len = strlen(path); len > 1 && G_IS_DIR_SEPARATOR(path[len - 1]); len--) {
        path[len - 1] = '\0';
    }
    bool exists = false;
    if (!check_target(path, flags, &exists, error)) {
        return NULL;
    }
    SimOutdir *out = g_new0(SimOutdir, 1);
    out->path = g_steal_pointer(&path);
    out->flags = flags;
    return out;
}

const char *sim_outdir_path(const SimOutdir *out)
{
    g_return_val_if_fail(out != NULL, NULL);
    return out->path;
}

const char *sim_outdir_leftover(const SimOutdir *out)
{
    g_return_val_if_fail(out != NULL, NULL);
    return out->leftover;
}

/* ---- deleting a tree --------------------------------------------------- */

static bool empty_dir(int fd, dev_t dev);

/*
 * One pass over the directory open as `d`: deletes what it can and counts
 * it in *removed; false when something stayed. Entries are examined with
 * AT_SYMLINK_NOFOLLOW and opened with O_NOFOLLOW (a link is deleted, never
 * followed, even if it is swapped in meanwhile), and a directory on
 * another device (a mount inside the tree) is left alone. Recursive, a
 * file descriptor per level: reclaimsim's trees are two levels deep.
 */
static bool remove_pass(DIR *d, dev_t dev, guint *removed)
{
    bool all = true;
    rewinddir(d);
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        const char *name = e->d_name;
        struct stat st;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
            continue;
        }
        if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            all = false;
            continue;
        }
        bool gone = false;
        if (!S_ISDIR(st.st_mode)) {
            gone = unlinkat(dirfd(d), name, 0) == 0;
        } else if (st.st_dev == dev) {
            int sub = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            gone = sub >= 0 && empty_dir(sub, dev) && unlinkat(dirfd(d), name, AT_REMOVEDIR) == 0;
        }
        *removed += gone;
        all = all && gone;
    }
    return all;
}

/* Empties the directory open as `fd` (closed here); true when it is empty.
 * Passes repeat while they delete something, because whether readdir still
 * returns every entry of a directory being emptied is unspecified (POSIX). */
static bool empty_dir(int fd, dev_t dev)
{
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return false;
    }
    guint removed = 1;
    bool all = false;
    while (!all && removed > 0) {
        removed = 0;
        all = remove_pass(d, dev, &removed);
    }
    closedir(d);
    return all;
}

/* Deletes the tree at `path` (a directory, not followed if a link); true
 * when nothing is left. */
static bool remove_tree(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return false;
    }
    return empty_dir(fd, st.st_dev) && g_rmdir(path) == 0;
}

void sim_outdir_free(SimOutdir *out)
{
    if (out == NULL) {
        return;
    }
    if (out->stage != NULL) {
        remove_tree(out->stage);
    }
    g_free(out->stage);
    g_free(out->leftover);
    g_free(out->path);
    g_free(out);
}

/* ---- staging and committing ---------------------------------------------- */

const char *sim_outdir_stage(SimOutdir *out, GError **error)
{
    g_return_val_if_fail(out != NULL && out->stage == NULL, NULL);
    g_autofree char *parent = g_path_get_dirname(out->path);
    if (g_mkdir_with_parents(parent, 0777) != 0) {
        io_fail(error, out->path, "create", errno);
        return NULL;
    }
    /* Beside DIR, so the rename that publishes it stays on one file system. */
    g_autofree char *stage = g_strdup_printf("%s.tmp-XXXXXX", out->path);
    if (g_mkdtemp_full(stage, 0777) == NULL) {
        io_fail(error, out->path, "create", errno);
        return NULL;
    }
    out->stage = g_steal_pointer(&stage);
    return out->stage;
}

/* Writes all of `len` bytes, syncs and closes `fd`; 0 or the first errno. */
static int write_sync_close(int fd, const char *data, gsize len)
{
    int errsv = 0;
    while (len > 0 && errsv == 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno != EINTR) {
            errsv = errno;
        } else if (n > 0) {
            data += n;
            len -= (gsize)n;
        }
    }
    if (errsv == 0 && fsync(fd) != 0) {
        errsv = errno;
    }
    if (close(fd) != 0 && errsv == 0) {
        errsv = errno;
    }
    return errsv;
}

/* Flushes a directory's entries to disk, so a crash after the rename does
 * not find DIR pointing at files that were never written. Best effort:
 * some file systems cannot sync a directory. */
static void sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

bool sim_outdir_mark(const char *dir, const char *shown, GError **error)
{
    g_return_val_if_fail(dir != NULL, false);
    g_autofree char *real = g_build_filename(dir, SIM_OUTDIR_MARKER, NULL);
    g_autofree char *named = g_build_filename(shown != NULL ? shown : dir, SIM_OUTDIR_MARKER, NULL);
    int fd = open(real, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    int errsv = fd < 0 ? errno : write_sync_close(fd, marker_text, sizeof marker_text - 1);
    return errsv == 0 || io_fail(error, named, "write", errsv);
}

static bool write_marker(const SimOutdir *out, GError **error)
{
    return sim_outdir_mark(out->stage, out->path, error);
}

/* The previous DIR, now at `old`: deleted, or kept in `leftover` (named). */
static void remove_replaced(SimOutdir *out, const char *old)
{
    if (!remove_tree(old)) {
        out->leftover = g_strdup(old);
    }
}

/* DIR renamed aside onto an empty placeholder (rename(2) may replace an
 * empty directory), the staging directory renamed in, the old one deleted;
 * the previous DIR is renamed back if the second rename fails. */
static bool swap_by_two_renames(SimOutdir *out, GError **error)
{
    g_autofree char *old = g_strdup_printf("%s.old-XXXXXX", out->path);
    if (g_mkdtemp(old) == NULL) {
        return io_fail(error, out->path, "replace", errno);
    }
    if (g_rename(out->path, old) != 0) {
        int errsv = errno;
        g_rmdir(old);
        return io_fail(error, out->path, "replace", errsv);
    }
    if (g_rename(out->stage, out->path) != 0) {
        int errsv = errno;
        g_rename(old, out->path);
        return io_fail(error, out->path, "replace", errsv);
    }
    g_clear_pointer(&out->stage, g_free);
    remove_replaced(out, old);
    return true;
}

static bool put_in_place(SimOutdir *out, bool exists, GError **error)
{
    if (!exists) {
        if (g_rename(out->stage, out->path) != 0) {
            return io_fail(error, out->path, "create", errno);
        }
        g_clear_pointer(&out->stage, g_free);
        return true;
    }
#ifdef RENAME_EXCHANGE
    /* One atomic step: DIR is never missing, not even for an instant. */
    if (renameat2(AT_FDCWD, out->stage, AT_FDCWD, out->path, RENAME_EXCHANGE) == 0) {
        g_autofree char *old = g_steal_pointer(&out->stage); /* it holds the previous DIR */
        remove_replaced(out, old);
        return true;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
        return io_fail(error, out->path, "replace", errno);
    }
#endif
    return swap_by_two_renames(out, error);
}

bool sim_outdir_commit(SimOutdir *out, GError **error)
{
    g_return_val_if_fail(out != NULL && out->stage != NULL, false);
    bool exists = false;
    if (!sim_interrupt_check(error) ||
        (!(out->flags & SIM_OUTDIR_PART) && !write_marker(out, error)) ||
        !check_target(out->path, out->flags, &exists, error)) {
        return false;
    }
    sync_dir(out->stage);
    /* Once more right before the rename: the syncs take time, and after
     * the rename the new output stands. */
    if (!sim_interrupt_check(error) || !put_in_place(out, exists, error)) {
        return false;
    }
    g_autofree char *parent = g_path_get_dirname(out->path);
    sync_dir(parent);
    return true;
}

/* ---- an output that grows (sweep) ---------------------------------------- */

static bool is_empty_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    bool empty = d != NULL && g_dir_read_name(d) == NULL;
    if (d != NULL) {
        g_dir_close(d);
    }
    return empty;
}

bool sim_outdir_open_growing(const char *dir, const char *keeps, bool *made, GError **error)
{
    g_return_val_if_fail(dir != NULL && keeps != NULL && made != NULL, false);
    GStatBuf st;
    *made = false;
    if (*dir == '\0') {
        return refuse(error, "reclaimsim", "the output directory name is empty");
    }
    if (g_lstat(dir, &st) != 0) {
        if (errno != ENOENT) {
            return refuse(error, dir, "cannot create: %s", g_strerror(errno));
        }
        if (!check_new(dir, error)) {
            return false;
        }
        if (g_mkdir_with_parents(dir, 0777) != 0) {
            return io_fail(error, dir, "create", errno);
        }
        *made = true;
        return sim_outdir_mark(dir, NULL, error);
    }
    if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
        return refuse(error, dir, "exists and is not a directory%s; name another -o DIR",
                      S_ISLNK(st.st_mode) ? " but a symbolic link" : "");
    }
    if (is_regular(dir, keeps)) {
        return true;
    }
    if (!is_empty_dir(dir)) {
        return refuse(error, dir,
                      "exists and holds no %s; reclaimsim adds to such a directory only when it "
                      "is empty (nothing in it is replaced): name another -o DIR",
                      keeps);
    }
    if (access(dir, W_OK | X_OK) != 0) {
        return refuse(error, dir, "cannot write: %s", g_strerror(errno));
    }
    return sim_outdir_mark(dir, NULL, error);
}

/* ---- plot DIR, report DIR ------------------------------------------------ */

bool sim_outdir_check_run(const char *dir, GError **error)
{
    g_return_val_if_fail(dir != NULL, false);
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        return refuse(error, dir, "no such directory (expected the output directory of a run)");
    }
    if (has_marker(dir)) {
        return true;
    }
    static const char *const files[] = {"host.csv", "vms.csv", "summary.json"};
    for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *path = g_build_filename(dir, files[i], NULL);
        if (g_file_test(path, G_FILE_TEST_EXISTS)) {
            return true; /* a run from before the marker; reading it checks all three */
        }
    }
    return refuse(error, dir,
                  "not the output directory of a run (it has no " SIM_OUTDIR_MARKER
                  ", host.csv, vms.csv or summary.json)");
}

bool sim_outdir_write_file(const char *path, const char *contents, gsize len, GError **error)
{
    g_return_val_if_fail(path != NULL && contents != NULL, false);
    g_autofree char *tmp = g_strdup_printf("%s.tmp-XXXXXX", path);
    int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) {
        return io_fail(error, path, "write", errno);
    }
    int errsv = write_sync_close(fd, contents, len);
    if (errsv == 0 && !sim_interrupt_check(error)) {
        g_unlink(tmp);
        return false;
    }
    if (errsv == 0 && g_rename(tmp, path) != 0) {
        errsv = errno;
    }
    if (errsv != 0) {
        g_unlink(tmp);
        return io_fail(error, path, "write", errsv);
    }
    return true;
}
