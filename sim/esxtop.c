/*
 * esxtop batch files (PDH-CSV 4.0): the writer of esxtop.csv and the reader
 * of real captures. The spelling, order and number formats follow the real
 * `esxtop -b` captures of rach-sharp/esxtopd on GitHub (ESXi 6.x): host
 * MBytes counters as integers, rates and per-group MBytes with two decimals,
 * percentages and flags as integers.
 */
#include "sim/esxtop.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/error.h"
#include "sim/readfile.h"
#include "sim/trace.h"

#define PDH_FIRST_CELL "(PDH-CSV 4.0) (UTC)(0)"
#define PDH_MAGIC "(PDH-CSV 4.0)"
/* GIDs are drawn from [GID_BASE, GID_BASE + GID_RANGE): 7 digits like real ones. */
#define GID_BASE 1000000u
#define GID_RANGE 9000000u

/* ---- writer -------------------------------------------------------------- */

/* Host counters, in the order of a real capture (columns 13-33 of rach-sharp small). */
typedef enum {
    HC_MACHINE,
    HC_FREE,
    HC_MINFREE,
    HC_STATE,
    HC_PSHARE_SHARED,
    HC_PSHARE_SAVINGS,
    HC_SWAP_USED,
    HC_SWAP_TARGET,
    HC_SWAP_READ,
    HC_SWAP_WRITE,
    HC_ZIP,
    HC_ZIP_SAVED,
    HC_MEMCTL,
    HC_MEMCTL_TARGET,
    HC_MEMCTL_MAX,
    HC_MAX
} HostCounter;

static const struct {
    const char *name;
    int decimals;
} host_counters[HC_MAX] = {
    [HC_MACHINE] = {"Machine MBytes", 0},
    [HC_FREE] = {"Free MBytes", 0},
    [HC_MINFREE] = {"Kernel MinFree MBytes", 0},
    [HC_STATE] = {"Kernel State", 0},
    [HC_PSHARE_SHARED] = {"PShare Shared MBytes", 0},
    [HC_PSHARE_SAVINGS] = {"PShare Savings MBytes", 0},
    [HC_SWAP_USED] = {"Swap Used MBytes", 0},
    [HC_SWAP_TARGET] = {"Swap Target MBytes", 0},
    [HC_SWAP_READ] = {"Swap MBytes Read/sec", 2},
    [HC_SWAP_WRITE] = {"Swap MBytes Write/sec", 2},
    [HC_ZIP] = {"Total Compressed MBytes", 0},
    [HC_ZIP_SAVED] = {"Total Saved By Compression MBytes", 0},
    [HC_MEMCTL] = {"Memctl Current MBytes", 0},
    [HC_MEMCTL_TARGET] = {"Memctl Target MBytes", 0},
    [HC_MEMCTL_MAX] = {"Memctl Max MBytes", 0},
};

/* Per-VM counters: a vms.csv field, or one of two derived values. */
#define VC_ACTIVE_PCT ((size_t)-1) /* % Active Estimate = active / memsz */
#define VC_MEMCTL_ON ((size_t)-2)  /* Memctl? = the guest runs a balloon driver */

static const struct {
    const char *name;
    size_t offset; /* of the double in SimVmSample, or VC_* */
    int decimals;
} vm_counters[] = {
    {"Memory Size MBytes", offsetof(SimVmSample, memsz_mb), 2},
    {"Memory Granted Size MBytes", offsetof(SimVmSample, grant_mb), 2},
    {"Memory Consumed Size MBytes", offsetof(SimVmSample, consumed_mb), 2},
    {"Target Size MBytes", offsetof(SimVmSample, sztgt_mb), 2},
    {"% Active Estimate", VC_ACTIVE_PCT, 0},
    {"Memctl?", VC_MEMCTL_ON, 0},
    {"Memctl MBytes", offsetof(SimVmSample, mctlsz_mb), 2},
    {"Memctl Target MBytes", offsetof(SimVmSample, mctltgt_mb), 2},
    {"Memctl Max MBytes", offsetof(SimVmSample, mctlmax_mb), 2},
    {"Swapped MBytes", offsetof(SimVmSample, swcur_mb), 2},
    {"Swap Target MBytes", offsetof(SimVmSample, swtgt_mb), 2},
    {"Swap Read MBytes/sec", offsetof(SimVmSample, swr_mbps), 2},
    {"Swap Written MBytes/sec", offsetof(SimVmSample, sww_mbps), 2},
    {"Zero MBytes", offsetof(SimVmSample, zero_mb), 2},
    {"Shared MBytes", offsetof(SimVmSample, shrd_mb), 2},
    {"Shared Saved MBytes", offsetof(SimVmSample, shrdsvd_mb), 2},
    {"Compressed Memory MBytes", offsetof(SimVmSample, zip_mb), 2},
};

static const SimVmConfig *vm_config(const SimScenario *sc, guint vm)
{
    return &g_array_index(sc->vms, SimVmConfig, vm);
}

/* FNV-1a: a VM keeps its GID when other VMs are added to or removed from the scenario. */
static guint32 name_hash(const char *name)
{
    guint32 h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p != '\0'; p++) {
        h = (h ^ *p) * 16777619u;
    }
    return h;
}

/*
 * The GIDs of all VMs: the hash of the name, probed linearly past the GIDs
 * taken by earlier VMs so every GID in the file is unique. O(VMs), once per
 * file.
 */
static void compute_gids(const SimScenario *sc, guint32 *gids)
{
    g_autoptr(GHashTable) used = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint vm = 0; vm < sc->vms->len; vm++) {
        guint32 gid = GID_BASE + name_hash(vm_config(sc, vm)->name) % GID_RANGE;
        while (g_hash_table_contains(used, GUINT_TO_POINTER(gid))) {
            gid = GID_BASE + (gid - GID_BASE + 1) % GID_RANGE;
        }
        g_hash_table_add(used, GUINT_TO_POINTER(gid));
        gids[vm] = gid;
    }
}

guint32 sim_esxtop_gid(const SimScenario *scenario, guint vm)
{
    g_return_val_if_fail(scenario != NULL && vm < scenario->vms->len, 0);
    g_autofree guint32 *gids = g_new(guint32, scenario->vms->len);
    compute_gids(scenario, gids);
    return gids[vm];
}

/* One quoted cell and its comma; quotes inside are doubled as CSV asks. */
static void append_cell(GString *out, const char *text)
{
    g_string_append_c(out, '"');
    for (const char *p = text; *p != '\0'; p++) {
        if (*p == '"') {
            g_string_append_c(out, '"');
        }
        g_string_append_c(out, *p);
    }
    g_string_append(out, "\",");
}

/* A number cell; "-0" prints as "0" so tiny rounding residues do not change the bytes. */
static void append_number_cell(GString *out, double v, int decimals)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE + 320];
    if (!isfinite(v)) {
        g_snprintf(buf, sizeof buf, "%s", isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
    } else {
        g_snprintf(buf, sizeof buf, "%.*f", decimals, v);
    }
    const char *text = buf;
    if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1)) {
        text = buf + 1;
    }
    append_cell(out, text);
}

static void append_header(GString *out, const SimScenario *sc)
{
    g_autofree guint32 *gids = g_new(guint32, MAX(sc->vms->len, 1u));
    compute_gids(sc, gids);
    append_cell(out, PDH_FIRST_CELL);
    for (guint c = 0; c < HC_MAX; c++) {
        g_autofree char *cell =
            g_strdup_printf("\\\\%s\\Memory\\%s", SIM_ESXTOP_HOST, host_counters[c].name);
        append_cell(out, cell);
    }
    for (guint vm = 0; vm < sc->vms->len; vm++) {
        guint32 gid = gids[vm];
        for (guint c = 0; c < G_N_ELEMENTS(vm_counters); c++) {
            g_autofree char *cell =
                g_strdup_printf("\\\\%s\\Group Memory(%u:%s)\\%s", SIM_ESXTOP_HOST, gid,
                                vm_config(sc, vm)->name, vm_counters[c].name);
            append_cell(out, cell);
        }
    }
    g_string_append_c(out, '\n');
}

/* "MM/DD/YYYY HH:MM:SS" of SIM_ESXTOP_EPOCH + time_s; esxtop has whole seconds. */
static void append_timestamp(GString *out, double time_s)
{
    gint64 t = SIM_ESXTOP_EPOCH + (gint64)floor(time_s);
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);
    g_autofree char *text = dt != NULL ? g_date_time_format(dt, "%m/%d/%Y %H:%M:%S") : NULL;
    append_cell(out, text != NULL ? text : "");
}

/* The host counters of sample i; the targets and maxima are sums over the VMs. */
static void host_values(const SimScenario *sc, const SimRecorder *r, guint i, double v[HC_MAX])
{
    const SimHostSample *h = sim_recorder_host_sample(r, i);
    double swtgt = 0, zsaved = 0, mctltgt = 0, mctlmax = 0;
    for (guint vm = 0; vm < sc->vms->len; vm++) {
        const SimVmSample *s = sim_recorder_vm_sample(r, i, vm);
        swtgt += s->swtgt_mb;
        zsaved += s->zsaved_mb;
        mctltgt += s->mctltgt_mb;
        mctlmax += s->mctlmax_mb;
    }
    v[HC_MACHINE] = (double)sc->host.memory / (1024.0 * 1024.0);
    v[HC_FREE] = h->free_mb;
    v[HC_MINFREE] = h->min_free_mb;
    v[HC_STATE] = (double)h->state; /* 0 high, 1 clear, 2 soft, 3 hard, 4 low */
    v[HC_PSHARE_SHARED] = h->shared_mb;
    v[HC_PSHARE_SAVINGS] = h->shrdsvd_mb;
    v[HC_SWAP_USED] = h->swcur_mb;
    v[HC_SWAP_TARGET] = swtgt;
    v[HC_SWAP_READ] = h->swr_mbps;
    v[HC_SWAP_WRITE] = h->sww_mbps;
    v[HC_ZIP] = h->zip_mb;
    v[HC_ZIP_SAVED] = zsaved;
    v[HC_MEMCTL] = h->mctlsz_mb;
    v[HC_MEMCTL_TARGET] = mctltgt;
    v[HC_MEMCTL_MAX] = mctlmax;
}

static double vm_value(const SimVmConfig *cfg, const SimVmSample *s, guint c)
{
    size_t off = vm_counters[c].offset;
    if (off == VC_ACTIVE_PCT) {
        return s->memsz_mb > 0 ? 100.0 * s->active_mb / s->memsz_mb : 0.0;
    }
    if (off == VC_MEMCTL_ON) {
        return cfg->guest.balloon_driver ? 1.0 : 0.0;
    }
    return G_STRUCT_MEMBER(double, s, off);
}

static void append_row(GString *out, const SimScenario *sc, const SimRecorder *r, guint i)
{
    double hv[HC_MAX];
    host_values(sc, r, i, hv);
    append_timestamp(out, sim_recorder_host_sample(r, i)->time_s);
    for (guint c = 0; c < HC_MAX; c++) {
        append_number_cell(out, hv[c], host_counters[c].decimals);
    }
    for (guint vm = 0; vm < sc->vms->len; vm++) {
        const SimVmSample *s = sim_recorder_vm_sample(r, i, vm);
        for (guint c = 0; c < G_N_ELEMENTS(vm_counters); c++) {
            append_number_cell(out, vm_value(vm_config(sc, vm), s, c), vm_counters[c].decimals);
        }
    }
    g_string_append_c(out, '\n');
}

/* "out/x/esxtop.csv: error: cannot write: No space left on device" */
static bool write_failed(GError **error, const char *shown, int errsv)
{
    g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot write: %s", shown,
                g_strerror(errsv));
    return false;
}

/* 0, or the errno of a failed fwrite of `line`. */
static int write_line(FILE *fp, const GString *line)
{
    if (fwrite(line->str, 1, line->len, fp) == line->len) {
        return 0;
    }
    return errno != 0 ? errno : EIO;
}

/* Streams row by row, so a long run's file never sits in memory as a whole.
 * A full disk may show at fwrite, fflush, fsync or fclose: each is checked
 * and the first errno kept; after a failed row the rest is not attempted. */
bool sim_esxtop_write(const SimScenario *scenario, const SimRecorder *recorder, const char *path,
                      const char *shown, GError **error)
{
    g_return_val_if_fail(scenario != NULL && recorder != NULL && path != NULL, false);
    shown = shown != NULL ? shown : path;
    FILE *fp = fopen(path, "w");
    if (fp == NULL) {
        return write_failed(error, shown, errno);
    }
    g_autoptr(GString) line = g_string_sized_new(4096);
    append_header(line, scenario);
    int errsv = write_line(fp, line);
    for (guint i = 0; errsv == 0 && i < sim_recorder_n_samples(recorder); i++) {
        g_string_truncate(line, 0);
        append_row(line, scenario, recorder, i);
        errsv = write_line(fp, line);
    }
    if (errsv == 0 && (fflush(fp) != 0 || fsync(fileno(fp)) != 0)) {
        errsv = errno;
    }
    if (fclose(fp) != 0 && errsv == 0) {
        errsv = errno;
    }
    return errsv == 0 || write_failed(error, shown, errsv);
}

/* ---- reader -------------------------------------------------------------- */

/* A kept column: a memory counter of the capture. */
typedef struct Column {
    char *object;   /* "Memory" or "Group Memory" */
    char *instance; /* "1302698:styx", or NULL */
    char *counter;  /* "Free MBytes" */
    guint cell;     /* position in the file's rows */
} Column;

struct SimEsxtop {
    char *host;         /* from the first counter's path */
    GArray *columns;    /* Column, the kept ones */
    GPtrArray *groups;  /* char *, Group Memory instances in file order */
    GArray *times;      /* double, Unix seconds per sample */
    GArray *lines;      /* guint, the file's line of each sample (1-based) */
    GArray *values;     /* double, columns->len per sample */
    guint n_cells;      /* cells per line (after dropping a trailing empty one) */
};

static void column_clear(gpointer data)
{
    Column *c = data;
    g_free(c->object);
    g_free(c->instance);
    g_free(c->counter);
}

void sim_esxtop_free(SimEsxtop *e)
{
    if (e == NULL) {
        return;
    }
    g_free(e->host);
    g_array_unref(e->columns);
    g_ptr_array_unref(e->groups);
    g_array_unref(e->times);
    g_array_unref(e->lines);
    g_array_unref(e->values);
    g_free(e);
}

/*
 * Splits one line in place into `cells`. A cell that starts with a quote
 * ends at the closing quote ("" is a quote); anything up to the next comma
 * after it is appended (lenient, as spreadsheets read it). Any other cell
 * runs to the next comma with its quotes kept: esxtop's unquoted T-state
 * cell `   -"\\host\...` then stays one cell, as Python's csv reads it, and
 * the columns after it keep their places. A trailing comma (esxtop ends
 * every line with one) gives no extra cell.
 */
static void split_cells(char *line, GPtrArray *cells)
{
    g_ptr_array_set_size(cells, 0);
    gsize len = strlen(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
        line[--len] = '\0';
    }
    char *p = line;
    while (true) {
        char *out = p;
        g_ptr_array_add(cells, out);
        if (*p == '"') {
            p++;
            while (*p != '\0' && !(*p == '"' && p[1] != '"')) {
                *out++ = *p;
                p += *p == '"' ? 2 : 1;
            }
            p += *p == '"' ? 1 : 0;
        }
        while (*p != '\0' && *p != ',') {
            *out++ = *p++;
        }
        bool more = *p == ',';
        *out = '\0';
        if (!more || p[1] == '\0') {
            break;
        }
        p++;
    }
}

/*
 * Splits "\\HOST\Object(instance)\Counter" into its parts. The counter is
 * after the last backslash; the instance is between the first "(" of the
 * object part and its last ")". Returns false when the cell is not a path.
 */
static bool parse_path(const char *cell, char **host, char **object, char **instance,
                       char **counter)
{
    if (!g_str_has_prefix(cell, "\\\\")) {
        return false;
    }
    const char *h = cell + 2;
    const char *obj = strchr(h, '\\');
    const char *last = strrchr(cell, '\\');
    if (obj == NULL || last == obj) {
        return false;
    }
    g_autofree char *part = g_strndup(obj + 1, (gsize)(last - obj - 1));
    char *open = strchr(part, '(');
    char *close = strrchr(part, ')');
    *instance = NULL;
    if (open != NULL && close != NULL && close > open) {
        *instance = g_strndup(open + 1, (gsize)(close - open - 1));
        *open = '\0';
    }
    *host = g_strndup(h, (gsize)(obj - h));
    *object = g_strdup(part);
    *counter = g_strdup(last + 1);
    return true;
}

/* Keeps the memory columns of the header and the host name. */
static void read_header(SimEsxtop *e, GPtrArray *cells)
{
    for (guint i = 1; i < cells->len; i++) {
        char *host = NULL, *object = NULL, *instance = NULL, *counter = NULL;
        if (!parse_path(g_ptr_array_index(cells, i), &host, &object, &instance, &counter)) {
            continue;
        }
        if (e->host == NULL) {
            e->host = g_strdup(host);
        }
        g_free(host);
        bool group = strcmp(object, "Group Memory") == 0;
        if (!group && strcmp(object, "Memory") != 0) {
            g_free(object);
            g_free(instance);
            g_free(counter);
            continue;
        }
        if (group && instance != NULL &&
            (e->groups->len == 0 ||
             strcmp(g_ptr_array_index(e->groups, e->groups->len - 1), instance) != 0)) {
            g_ptr_array_add(e->groups, g_strdup(instance));
        }
        Column col = {.object = object, .instance = instance, .counter = counter, .cell = i};
        g_array_append_val(e->columns, col);
    }
    e->n_cells = cells->len;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static gint64 days_from_civil(gint64 y, unsigned m, unsigned d)
{
    y -= m <= 2;
    gint64 era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (gint64)doe - 719468;
}

/* "MM/DD/YYYY HH:MM:SS" or, after a spreadsheet re-save, "M/D/YYYY H:MM". */
static bool parse_time(const char *text, double *unix_s)
{
    unsigned mo = 0, d = 0, y = 0, h = 0, mi = 0, s = 0;
    char tail = '\0';
    int n = sscanf(text, " %u/%u/%u %u:%u:%u %c", &mo, &d, &y, &h, &mi, &s, &tail);
    if (n < 5 || n > 6 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
        return false;
    }
    *unix_s = (double)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s);
    return true;
}

static double parse_value(const char *text)
{
    char *end = NULL;
    while (*text == ' ') {
        text++;
    }
    double v = g_ascii_strtod(text, &end);
    if (end == text) {
        return NAN;
    }
    while (*end == ' ') {
        end++;
    }
    return *end == '\0' ? v : NAN;
}

G_GNUC_PRINTF(4, 5)
static bool bad_line(GError **error, const char *path, guint line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, SIM_ERROR, SIM_ERROR_VALUE, "%s:%u: %s", path, line, msg);
    return false;
}

/* One data row: its time and the kept columns. */
static bool read_row(SimEsxtop *e, GPtrArray *cells, const char *path, guint line, GError **error)
{
    double t = 0;
    if (cells->len != e->n_cells) {
        return bad_line(error, path, line, "%u cells, but the header has %u", cells->len,
                        e->n_cells);
    }
    if (!parse_time(g_ptr_array_index(cells, 0), &t)) {
        return bad_line(error, path, line,
                        "bad timestamp \"%s\" (expected MM/DD/YYYY HH:MM:SS)",
                        (const char *)g_ptr_array_index(cells, 0));
    }
    if (e->times->len > 0 && t < g_array_index(e->times, double, e->times->len - 1)) {
        return bad_line(error, path, line, "timestamp %s is earlier than the one before",
                        (const char *)g_ptr_array_index(cells, 0));
    }
    g_array_append_val(e->times, t);
    g_array_append_val(e->lines, line);
    for (guint c = 0; c < e->columns->len; c++) {
        guint cell = g_array_index(e->columns, Column, c).cell;
        double v = parse_value(g_ptr_array_index(cells, cell));
        g_array_append_val(e->values, v);
    }
    return true;
}

/*
 * Rows that share a timestamp (a re-save that lost the seconds) are spread
 * evenly up to the next distinct time; the last run of them takes the
 * spacing of the run before it. Returns how many rows were moved.
 */
static guint spread_times(GArray *times)
{
    guint moved = 0;
    double step = 0;
    for (guint i = 0; i < times->len;) {
        double t = g_array_index(times, double, i);
        guint j = i + 1;
        while (j < times->len && g_array_index(times, double, j) == t) {
            j++;
        }
        if (j < times->len) {
            step = (g_array_index(times, double, j) - t) / (j - i);
        }
        for (guint k = i + 1; k < j; k++) {
            g_array_index(times, double, k) = t + step * (k - i);
            moved++;
        }
        i = j;
    }
    return moved;
}

/* The header (the first line that is not blank) or a data row. */
static bool read_line(SimEsxtop *e, GPtrArray *cells, const char *path, guint line,
                      bool *header_seen, GError **error)
{
    if (*header_seen) {
        return read_row(e, cells, path, line, error);
    }
    if (!g_str_has_prefix(g_ptr_array_index(cells, 0), PDH_MAGIC)) {
        return bad_line(error, path, line,
                        "not an esxtop batch capture (the first cell is not \"%s\")",
                        PDH_FIRST_CELL);
    }
    read_header(e, cells);
    *header_seen = true;
    return true;
}

/* Splits `text` in place into lines and reads them; an empty capture is an error. */
static bool read_lines(SimEsxtop *e, char *text, const char *path, GError **error)
{
    g_autoptr(GPtrArray) cells = g_ptr_array_new();
    guint line = 0, header_line = 0;
    bool header_seen = false;
    for (char *p = text, *next = NULL; *p != '\0'; p = next) {
        char *eol = strchr(p, '\n');
        next = eol != NULL ? eol + 1 : p + strlen(p);
        if (eol != NULL) {
            *eol = '\0';
        }
        line++;
        split_cells(p, cells);
        if (cells->len == 1 && *(const char *)g_ptr_array_index(cells, 0) == '\0') {
            continue; /* an empty line */
        }
        header_line = header_seen ? header_line : line;
        if (!read_line(e, cells, path, line, &header_seen, error)) {
            return false;
        }
    }
    if (!header_seen) {
        return bad_line(error, path, 1, "empty file");
    }
    if (e->times->len == 0) {
        return bad_line(error, path, header_line, "the capture has a header but no samples");
    }
    return true;
}

SimEsxtop *sim_esxtop_parse(const char *path, char *text, gsize len, guint *spread,
                            GError **error)
{
    g_return_val_if_fail(path != NULL && text != NULL, NULL);
    if (!sim_trace_check_text(path, text, len, error)) {
        return NULL;
    }
    g_autoptr(SimEsxtop) e = g_new0(SimEsxtop, 1);
    e->columns = g_array_new(FALSE, TRUE, sizeof(Column));
    g_array_set_clear_func(e->columns, column_clear);
    e->groups = g_ptr_array_new_with_free_func(g_free);
    e->times = g_array_new(FALSE, FALSE, sizeof(double));
    e->lines = g_array_new(FALSE, FALSE, sizeof(guint));
    e->values = g_array_new(FALSE, FALSE, sizeof(double));
    if (!read_lines(e, text, path, error)) {
        return NULL;
    }
    guint moved = spread_times(e->times);
    if (spread != NULL) {
        *spread = moved;
    }
    if (e->host == NULL) {
        e->host = g_strdup("");
    }
    return g_steal_pointer(&e);
}

SimEsxtop *sim_esxtop_read(const char *path, guint *spread, GError **error)
{
    g_return_val_if_fail(path != NULL, NULL);
    gsize len = 0;
    g_autoptr(GError) e = NULL;
    g_autofree char *text =
        sim_read_file(path, SIM_READFILE_TRACE_MAX, SIM_READFILE_GZIP, &len, &e);
    if (text == NULL) {
        g_set_error(error, SIM_ERROR, e->code == SIM_ERROR_USAGE ? SIM_ERROR_IO : e->code,
                    "cannot read %s: %s", path, e->message);
        return NULL;
    }
    return sim_esxtop_parse(path, text, len, spread, error);
}

const char *sim_esxtop_host(const SimEsxtop *e)
{
    return e->host;
}

guint sim_esxtop_n_samples(const SimEsxtop *e)
{
    return e->times->len;
}

double sim_esxtop_time(const SimEsxtop *e, guint i)
{
    g_return_val_if_fail(i < e->times->len, NAN);
    return g_array_index(e->times, double, i);
}

guint sim_esxtop_line(const SimEsxtop *e, guint i)
{
    g_return_val_if_fail(i < e->lines->len, 0);
    return g_array_index(e->lines, guint, i);
}

/* O(columns): called a few times per trace, never per sample. */
int sim_esxtop_find(const SimEsxtop *e, const char *object, const char *instance,
                    const char *counter)
{
    for (guint c = 0; c < e->columns->len; c++) {
        const Column *col = &g_array_index(e->columns, Column, c);
        if (strcmp(col->object, object) == 0 && strcmp(col->counter, counter) == 0 &&
            g_strcmp0(col->instance, instance) == 0) {
            return (int)c;
        }
    }
    return -1;
}

double sim_esxtop_value(const SimEsxtop *e, guint i, int column)
{
    g_return_val_if_fail(i < e->times->len && column >= 0 && (guint)column < e->columns->len,
                         NAN);
    return g_array_index(e->values, double, (gsize)i * e->columns->len + (guint)column);
}

const GPtrArray *sim_esxtop_groups(const SimEsxtop *e)
{
    return e->groups;
}

/* The NAME after the GID first, so a VM whose name holds a colon or looks
 * like "GID:NAME" finds its own group; then an exact instance. O(groups). */
const char *sim_esxtop_find_group(const SimEsxtop *e, const char *name)
{
    for (guint g = 0; g < e->groups->len; g++) {
        const char *inst = g_ptr_array_index(e->groups, g);
        const char *colon = strchr(inst, ':');
        if (colon != NULL && strcmp(colon + 1, name) == 0) {
            return inst;
        }
    }
    for (guint g = 0; g < e->groups->len; g++) {
        if (strcmp(g_ptr_array_index(e->groups, g), name) == 0) {
            return g_ptr_array_index(e->groups, g);
        }
    }
    return NULL;
}
