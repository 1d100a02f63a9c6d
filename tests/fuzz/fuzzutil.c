/* Helpers of the fuzz targets (fuzz.h). */
#define _GNU_SOURCE /* memfd_create, memmem */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim/error.h"

static char *dir;          /* the private folder, or NULL before first use */
static GPtrArray *written; /* names written into it, to remove at exit */
static int memfd = -1;
static char memfd_path[64];

static void remove_dir(void)
{
    for (guint i = 0; written != NULL && i < written->len; i++) {
        g_autofree char *path = g_build_filename(dir, g_ptr_array_index(written, i), NULL);
        g_unlink(path);
    }
    g_rmdir(dir);
}

const char *fuzz_dir(void)
{
    if (dir == NULL) {
        const char *tmp = g_get_tmp_dir();
        dir = g_build_filename(tmp, "reclaimsim-fuzz.XXXXXX", NULL);
        if (g_mkdtemp(dir) == NULL) {
            fprintf(stderr, "fuzz: cannot make a folder in %s: %s\n", tmp, g_strerror(errno));
            abort();
        }
        written = g_ptr_array_new_with_free_func(g_free);
        atexit(remove_dir);
    }
    return dir;
}

/* Remembers `name` for remove_dir, once. */
static void remember(const char *name)
{
    for (guint i = 0; i < written->len; i++) {
        if (strcmp(g_ptr_array_index(written, i), name) == 0) {
            return;
        }
    }
    g_ptr_array_add(written, g_strdup(name));
}

/* write() until done: a signal may cut a write short. */
static void write_all(int fd, const char *p, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            fprintf(stderr, "fuzz: write: %s\n", g_strerror(errno));
            abort();
        }
        p += n;
        size -= (size_t)n;
    }
}

/* Not g_file_set_contents: its fsync would bound a target to tens of runs a second. */
char *fuzz_write(const char *name, const void *data, size_t size)
{
    char *path = g_build_filename(fuzz_dir(), name, NULL);
    remember(name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "fuzz: %s: %s\n", path, g_strerror(errno));
        abort();
    }
    write_all(fd, data, size);
    close(fd);
    return path;
}

void fuzz_remove(const char *name)
{
    g_autofree char *path = g_build_filename(fuzz_dir(), name, NULL);
    g_unlink(path);
}

void fuzz_write_run(const uint8_t *data, size_t size)
{
    static const char *const files[] = {"host.csv", "vms.csv", "summary.json"};
    static const char separator[] = "\n%%\n";
    const size_t sep_len = sizeof separator - 1;
    const uint8_t *p = data;
    size_t left = size;
    for (guint f = 0; f < G_N_ELEMENTS(files); f++) {
        if (p == NULL) {
            fuzz_remove(files[f]);
            continue;
        }
        const uint8_t *sep = memmem(p, left, separator, sep_len);
        size_t n = sep != NULL ? (size_t)(sep - p) : left;
        g_free(fuzz_write(files[f], p, n));
        p = sep != NULL ? sep + sep_len : NULL;
        left = sep != NULL ? left - n - sep_len : 0;
    }
}

const char *fuzz_memfd(const void *data, size_t size)
{
    if (memfd < 0) {
        memfd = memfd_create("reclaimsim-fuzz", MFD_CLOEXEC);
        if (memfd < 0) {
            fprintf(stderr, "fuzz: memfd_create: %s\n", g_strerror(errno));
            abort();
        }
        snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
    }
    if (ftruncate(memfd, 0) != 0 || lseek(memfd, 0, SEEK_SET) != 0) {
        fprintf(stderr, "fuzz: resetting the memfd: %s\n", g_strerror(errno));
        abort();
    }
    write_all(memfd, data, size);
    return memfd_path;
}

static const char trace_csv[] = "time_s,vm,memory_mb,active_mb\n"
                                "0,web,512,128\n"
                                "60,web,768,256\n"
                                "120,db,1024,512\n";
static const char trace_esxtop[] =
    "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Group Memory(7:web)\\Memory Size MBytes\","
    "\"\\\\h\\Group Memory(7:web)\\% Active Estimate\","
    "\"\\\\h\\Group Memory(7:web)\\Memory Granted Size MBytes\",\n"
    "\"04/26/2018 14:06:27\",\"1024\",\"10\",\"900\",\n"
    "\"04/26/2018 14:06:32\",\"1024\",\"20\",\"950\",\n";
static const char trace_bitbrains[] =
    "Timestamp [ms];\tMemory capacity provisioned [KB];\tMemory usage [KB]\n"
    "1372629804;\t8218624.0;\t1034592.8\n"
    "1372630104;\t8218624.0;\t458575.4666666667\n";

const char *fuzz_scenario_path(void)
{
    static char *path;
    if (path == NULL) {
        g_free(fuzz_write("trace.csv", trace_csv, strlen(trace_csv)));
        g_free(fuzz_write("esxtop.csv", trace_esxtop, strlen(trace_esxtop)));
        g_free(fuzz_write("bitbrains.csv", trace_bitbrains, strlen(trace_bitbrains)));
        path = g_build_filename(fuzz_dir(), "scenario.json", NULL);
    }
    return path;
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = g_malloc(size + 1);
    if (size > 0) {
        memcpy(s, data, size);
    }
    s[size] = '\0';
    return s;
}

/* FUZZ_LAX_ERRORS set: look past known findings in how errors are reported
 * (multi-line, missing) for deeper ones (docs/testing.md). */
static bool lax_errors(void)
{
    return g_getenv("FUZZ_LAX_ERRORS") != NULL;
}

void fuzz_check_one_line(const char *what, const char *message)
{
    if (lax_errors()) {
        return;
    }
    /* The CLI prints every message through sim_error_one_line: check what it prints. */
    g_autofree char *shown = sim_error_one_line(message);
    for (const unsigned char *p = (const unsigned char *)shown; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
            fprintf(stderr, "fuzz: %s has control character 0x%02x at byte %td: %s\n", what, *p,
                    (const char *)p - shown, shown);
            abort();
        }
    }
}

void fuzz_check_bad_input(const GError *error)
{
    if (error == NULL && lax_errors()) {
        return;
    }
    if (error == NULL) {
        fprintf(stderr, "fuzz: failed without an error\n");
        abort();
    }
    fuzz_check_one_line("error", error->message);
    if (sim_error_exit_code(error) != SIM_EXIT_BAD_INPUT) {
        fprintf(stderr, "fuzz: exit code %d, not %d, for: %s\n", sim_error_exit_code(error),
                SIM_EXIT_BAD_INPUT, error->message);
        abort();
    }
}

void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz: %s\n", what);
    abort();
}
