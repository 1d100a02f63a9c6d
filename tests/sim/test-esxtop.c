/*
 * Tests of sim/load/esxtop.c: esxtop.csv of a real run (format rules, values
 * against host.csv and vms.csv of the same run, read by gnuplot, replayed
 * as a trace for VMs with odd names) and the reader on small captures
 * written here with the quirks of real ones (esxtop's unquoted cell, a
 * spreadsheet re-save: CRLF, no quotes, no seconds). The three real
 * captures are checked too when ../shared/data/esxtop/ sits next to the
 * clone (values read by hand); without it those tests are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/load/esxtop.h"
#include "sim/out/esxtop.h"
#include "sim/load/trace.h"
#include "support/testutil.h"

#define ESXTOP_DATA RECLAIMSIM_SOURCE_DIR "/../shared/data/esxtop/"
#define SMALL ESXTOP_DATA "rach-sharp_esxtopd_small-esxtop-data.csv"
#define FULL ESXTOP_DATA "rach-sharp_esxtopd_esxtop-data.csv"
#define GSLIU ESXTOP_DATA "gsliu_VisualEsxtopOnline_origincsvfile.csv"

/* Host counters written, in order (docs/design.md section 5 and the real capture's order). */
static const char *const host_counters[] = {
    "Machine MBytes",       "Free MBytes",           "Kernel MinFree MBytes",
    "Kernel State",         "PShare Shared MBytes",  "PShare Savings MBytes",
    "Swap Used MBytes",     "Swap Target MBytes",    "Swap MBytes Read/sec",
    "Swap MBytes Write/sec", "Total Compressed MBytes", "Total Saved By Compression MBytes",
    "Memctl Current MBytes", "Memctl Target MBytes", "Memctl Max MBytes"};
/* Per-VM counters and the vms.csv column each comes from (NULL: derived). */
static const char *const vm_counters[][2] = {
    {"Memory Size MBytes", "memsz_mb"},
    {"Memory Granted Size MBytes", "grant_mb"},
    {"Memory Consumed Size MBytes", "consumed_mb"},
    {"Target Size MBytes", "sztgt_mb"},
    {"% Active Estimate", NULL},
    {"Memctl?", NULL},
    {"Memctl MBytes", "mctlsz_mb"},
    {"Memctl Target MBytes", "mctltgt_mb"},
    {"Memctl Max MBytes", "mctlmax_mb"},
    {"Swapped MBytes", "swcur_mb"},
    {"Swap Target MBytes", "swtgt_mb"},
    {"Swap Read MBytes/sec", "swr_mbps"},
    {"Swap Written MBytes/sec", "sww_mbps"},
    {"Zero MBytes", "zero_mb"},
    {"Shared MBytes", "shrd_mb"},
    {"Shared Saved MBytes", "shrdsvd_mb"},
    {"Compressed Memory MBytes", "zip_mb"},
};

/* A small overcommitted run: 2 VMs ballooned and swapped on a 3 GiB host, 10 minutes. */
static const char scenario_json[] =
    "{\"name\": \"esx\", \"duration\": \"10m\", \"sample_interval\": \"20s\",\n"
    " \"host\": {\"memory\": \"3GiB\", \"overhead\": \"256MiB\"},\n"
    " \"vms\": [{\"name\": \"web\", \"count\": 2, \"memory\": \"2GiB\",\n"
    "           \"workload\": {\"memory\": \"1536MiB\", \"active\": \"512MiB\"}},\n"
    "          {\"name\": \"db (x)\", \"memory\": \"1GiB\",\n"
    "           \"guest\": {\"balloon_driver\": false},\n"
    "           \"workload\": {\"memory\": \"600MiB\"}}]}\n";

typedef struct Run {
    char *tmp;
    char *out;
    char *esxtop; /* the text of esxtop.csv */
} Run;

static int run_setup(void **state)
{
    Run *r = g_new0(Run, 1);
    r->tmp = test_tmpdir();
    g_autofree char *sc = g_build_filename(r->tmp, "esx.json", NULL);
    r->out = g_build_filename(r->tmp, "out", NULL);
    g_assert_true(g_file_set_contents(sc, scenario_json, -1, NULL));
    const char *argv[] = {"run", "--quiet", sc, "-o", r->out, NULL};
    g_autofree char *err = NULL;
    int code = test_run_binary(argv, NULL, &err);
    if (code != 0) {
        fprintf(stderr, "%s", err);
    }
    g_assert_cmpint(code, ==, 0);
    g_autofree char *path = g_build_filename(r->out, "esxtop.csv", NULL);
    g_assert_true(g_file_get_contents(path, &r->esxtop, NULL, NULL));
    *state = r;
    return 0;
}

static int run_teardown(void **state)
{
    Run *r = *state;
    test_rmtree(r->tmp);
    g_free(r->tmp);
    g_free(r->out);
    g_free(r->esxtop);
    g_free(r);
    return 0;
}

/*
 * A strict reader of esxtop -b lines: every cell is "..." followed by a
 * comma ("" inside a cell is a quote). Returns NULL when the line breaks
 * the rule, so the test fails on any unquoted cell or missing comma.
 */
static GPtrArray *strict_cells(const char *line)
{
    GPtrArray *cells = g_ptr_array_new_with_free_func(g_free);
    const char *p = line;
    while (*p != '\0') {
        if (*p != '"') {
            g_ptr_array_unref(cells);
            return NULL;
        }
        GString *cell = g_string_new(NULL);
        for (p++; *p != '\0' && !(*p == '"' && p[1] != '"'); p++) {
            p += *p == '"' ? 1 : 0;
            g_string_append_c(cell, *p);
        }
        g_ptr_array_add(cells, g_string_free(cell, FALSE));
        if (p[0] != '"' || p[1] != ',') {
            g_ptr_array_unref(cells);
            return NULL;
        }
        p += 2;
    }
    return cells;
}

/* A plain CSV file (host.csv, vms.csv): rows of cells, no quoting needed for these names. */
static GPtrArray *plain_rows(const char *dir, const char *name)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++) {
        g_ptr_array_add(rows, g_strsplit(lines[i], ",", -1));
    }
    return rows;
}

static int column_of(char **header, const char *name)
{
    for (int c = 0; header[c] != NULL; c++) {
        if (strcmp(header[c], name) == 0) {
            return c;
        }
    }
    fail_msg("no column %s", name);
    return -1;
}

/* All lines of esxtop.csv through the strict reader. */
static GPtrArray *esxtop_lines(const Run *r)
{
    g_auto(GStrv) lines = g_strsplit(r->esxtop, "\n", -1);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++) {
        GPtrArray *cells = strict_cells(lines[i]);
        if (cells == NULL) {
            fail_msg("line %u breaks the quoting rules: %.80s", i + 1, lines[i]);
        }
        g_ptr_array_add(out, cells);
    }
    return out;
}

static const char *cell(GPtrArray *lines, guint line, guint c)
{
    return g_ptr_array_index((GPtrArray *)g_ptr_array_index(lines, line), c);
}

static void test_esxtop_every_cell_is_quoted_and_every_line_ends_with_a_comma(void **state)
{
    Run *r = *state;
    assert_true(g_str_has_prefix(r->esxtop, "\"(PDH-CSV 4.0) (UTC)(0)\","));
    assert_true(g_str_has_suffix(r->esxtop, ",\n"));
    assert_null(strchr(r->esxtop, '\r')); /* LF, as esxtop writes on ESXi */
    g_autoptr(GPtrArray) lines = esxtop_lines(r);
    guint n = ((GPtrArray *)g_ptr_array_index(lines, 0))->len;
    assert_int_equal(n, 1 + G_N_ELEMENTS(host_counters) + 3 * G_N_ELEMENTS(vm_counters));
    assert_int_equal(lines->len, 1 + 31); /* header, samples 0..600 s every 20 s */
    for (guint i = 0; i < lines->len; i++) {
        assert_int_equal(((GPtrArray *)g_ptr_array_index(lines, i))->len, n);
    }
}

static void test_esxtop_header_uses_esxtops_spelling_and_order(void **state)
{
    Run *r = *state;
    g_autoptr(GPtrArray) lines = esxtop_lines(r);
    for (guint c = 0; c < G_N_ELEMENTS(host_counters); c++) {
        g_autofree char *want = g_strdup_printf("\\\\HOST\\Memory\\%s", host_counters[c]);
        assert_string_equal(cell(lines, 0, 1 + c), want);
    }
    const char *names[] = {"web-1", "web-2", "db (x)"};
    guint base = 1 + G_N_ELEMENTS(host_counters);
    for (guint vm = 0; vm < 3; vm++) {
        for (guint c = 0; c < G_N_ELEMENTS(vm_counters); c++) {
            const char *h = cell(lines, 0, base + vm * G_N_ELEMENTS(vm_counters) + c);
            g_autofree char *prefix = g_strdup_printf("\\\\HOST\\Group Memory(");
            g_autofree char *suffix = g_strdup_printf(":%s)\\%s", names[vm], vm_counters[c][0]);
            assert_true(g_str_has_prefix(h, prefix));
            assert_true(g_str_has_suffix(h, suffix));
            /* GID: 7 digits, the same for all counters of the VM */
            unsigned gid = (unsigned)strtoul(h + strlen(prefix), NULL, 10);
            assert_in_range(gid, 1000000, 9999999);
        }
    }
}

static void test_esxtop_timestamps_count_from_the_fixed_epoch_in_utc(void **state)
{
    Run *r = *state;
    g_autoptr(GPtrArray) lines = esxtop_lines(r);
    assert_string_equal(cell(lines, 1, 0), "01/01/2024 00:00:00");
    assert_string_equal(cell(lines, 2, 0), "01/01/2024 00:00:20");
    assert_string_equal(cell(lines, 4, 0), "01/01/2024 00:01:00");
    assert_string_equal(cell(lines, 31, 0), "01/01/2024 00:10:00");
    for (guint i = 1; i < lines->len; i++) {
        assert_true(g_regex_match_simple("^\\d\\d/\\d\\d/\\d{4} \\d\\d:\\d\\d:\\d\\d$",
                                         cell(lines, i, 0), 0, 0));
    }
}

/* Host counters equal host.csv's, rounded as esxtop rounds (MBytes whole, rates 2 decimals). */
static void check_host_row(GPtrArray *lines, guint i, char **header, char **row)
{
    static const char *const cols[] = {NULL,        "free_mb",  "min_free_mb", NULL,
                                       "shared_mb", "shrdsvd_mb", "swcur_mb",   NULL,
                                       "swr_mbps",  "sww_mbps", "zip_mb",      NULL,
                                       "mctlsz_mb", NULL,       NULL};
    static const char *const states[] = {"high", "clear", "soft", "hard", "low"};
    for (guint c = 0; c < G_N_ELEMENTS(cols); c++) {
        if (cols[c] == NULL) {
            continue;
        }
        double want = g_ascii_strtod(row[column_of(header, cols[c])], NULL);
        double got = g_ascii_strtod(cell(lines, i, 1 + c), NULL);
        assert_true(fabs(got - want) <= 0.5 + 1e-9);
    }
    assert_string_equal(cell(lines, i, 1), "3072"); /* Machine MBytes: the host's 3 GiB */
    const char *state = row[column_of(header, "state")];
    int k = atoi(cell(lines, i, 4));
    assert_in_range(k, 0, 4);
    assert_string_equal(states[k], state);
}

static void test_esxtop_host_counters_match_host_csv(void **state)
{
    Run *r = *state;
    g_autoptr(GPtrArray) lines = esxtop_lines(r);
    g_autoptr(GPtrArray) host = plain_rows(r->out, "host.csv");
    assert_int_equal(host->len, lines->len);
    char **header = g_ptr_array_index(host, 0);
    for (guint i = 1; i < lines->len; i++) {
        check_host_row(lines, i, header, g_ptr_array_index(host, i));
    }
}

/*
 * Per-VM counters equal vms.csv's byte for byte (both print the same double
 * with two decimals); % Active Estimate is active / memsz in whole percent.
 */
static void test_esxtop_vm_counters_match_vms_csv(void **state)
{
    Run *r = *state;
    g_autoptr(GPtrArray) lines = esxtop_lines(r);
    g_autoptr(GPtrArray) vms = plain_rows(r->out, "vms.csv");
    char **header = g_ptr_array_index(vms, 0);
    guint base = 1 + G_N_ELEMENTS(host_counters), n_vm = G_N_ELEMENTS(vm_counters);
    double ballooned = 0;
    for (guint i = 1; i < lines->len; i++) {
        for (guint vm = 0; vm < 3; vm++) {
            char **row = g_ptr_array_index(vms, 1 + (i - 1) * 3 + vm);
            for (guint c = 0; c < n_vm; c++) {
                const char *got = cell(lines, i, base + vm * n_vm + c);
                if (vm_counters[c][1] != NULL) {
                    assert_string_equal(got, row[column_of(header, vm_counters[c][1])]);
                }
            }
            double memsz = g_ascii_strtod(row[column_of(header, "memsz_mb")], NULL);
            double active = g_ascii_strtod(row[column_of(header, "active_mb")], NULL);
            double pct = g_ascii_strtod(cell(lines, i, base + vm * n_vm + 4), NULL);
            assert_true(fabs(pct - 100.0 * active / memsz) <= 0.5 + 1e-9);
            assert_string_equal(cell(lines, i, base + vm * n_vm + 5), vm == 2 ? "0" : "1");
            ballooned += g_ascii_strtod(row[column_of(header, "mctlsz_mb")], NULL);
        }
    }
    assert_true(ballooned > 0); /* the run did reclaim, so the values are not all zero */
}

/* gnuplot reads the file as it is: the mean of Free MBytes equals host.csv's. */
static void test_esxtop_gnuplot_reads_the_file(void **state)
{
    Run *r = *state;
    g_autofree char *gp = g_find_program_in_path("gnuplot");
    if (gp == NULL) {
        skip();
    }
    g_autoptr(GPtrArray) host = plain_rows(r->out, "host.csv");
    int col = column_of(g_ptr_array_index(host, 0), "free_mb");
    double sum = 0;
    for (guint i = 1; i < host->len; i++) {
        sum += round(g_ascii_strtod(((char **)g_ptr_array_index(host, i))[col], NULL));
    }
    g_autofree char *path = g_build_filename(r->out, "esxtop.csv", NULL);
    g_autofree char *cmd = g_strdup_printf(
        "set datafile separator ','; stats '%s' using 3 skip 1 nooutput; "
        "print sprintf('%%d %%.6f', STATS_records, STATS_mean)",
        path);
    const char *argv[] = {gp, "-e", cmd, NULL};
    g_autofree char *out = NULL, *err = NULL;
    int status = 0;
    assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                             &status, NULL));
    int records = 0;
    double mean = 0;
    /* gnuplot's print goes to stderr */
    assert_int_equal(sscanf(err, "%d %lf", &records, &mean), 2);
    assert_int_equal(records, (int)host->len - 1);
    assert_true(fabs(mean - sum / (host->len - 1)) < 1e-6);
}

/* Our own file read back by the reader gives the same values. */
static void test_esxtop_reader_reads_back_what_the_writer_wrote(void **state)
{
    Run *r = *state;
    g_autofree char *path = g_build_filename(r->out, "esxtop.csv", NULL);
    GError *error = NULL;
    g_autoptr(SimEsxtop) e = sim_esxtop_read(path, NULL, &error);
    g_assert_no_error(error);
    assert_string_equal(sim_esxtop_host(e), "HOST");
    assert_int_equal(sim_esxtop_n_samples(e), 31);
    assert_true(sim_esxtop_time(e, 1) - sim_esxtop_time(e, 0) == 20.0);
    assert_true(sim_esxtop_time(e, 0) == (double)SIM_ESXTOP_EPOCH);
    const char *g = sim_esxtop_find_group(e, "db (x)");
    assert_non_null(g);
    int size = sim_esxtop_find(e, "Group Memory", g, "Memory Size MBytes");
    assert_true(size >= 0);
    assert_true(sim_esxtop_value(e, 30, size) == 1024.0);
    assert_int_equal(sim_esxtop_groups(e)->len, 3);
}

static void test_esxtop_gid_of_a_vm_does_not_change_when_others_are_added(void **state)
{
    (void)state;
    SimScenario a = {0}, b = {0};
    a.vms = g_array_new(FALSE, TRUE, sizeof(SimVmConfig));
    b.vms = g_array_new(FALSE, TRUE, sizeof(SimVmConfig));
    SimVmConfig x = {.name = "x"}, y = {.name = "y"}, z = {.name = "z"};
    g_array_append_val(a.vms, x);
    g_array_append_val(a.vms, y);
    g_array_append_val(b.vms, z);
    g_array_append_val(b.vms, y);
    g_array_append_val(b.vms, x);
    assert_int_equal(sim_esxtop_gid(&a, 0), sim_esxtop_gid(&b, 2));
    assert_int_equal(sim_esxtop_gid(&a, 1), sim_esxtop_gid(&b, 1));
    assert_int_not_equal(sim_esxtop_gid(&a, 0), sim_esxtop_gid(&a, 1));
    g_array_unref(a.vms);
    g_array_unref(b.vms);
}

/* ---- the real captures ------------------------------------------------------- */

static SimEsxtop *read_ok(const char *path, guint *spread)
{
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        print_message("no %s (the shared data sits next to the clone)\n", path);
        skip();
    }
    GError *error = NULL;
    SimEsxtop *e = sim_esxtop_read(path, spread, &error);
    g_assert_no_error(error);
    assert_non_null(e);
    return e;
}

static double value(const SimEsxtop *e, guint i, const char *object, const char *instance,
                    const char *counter)
{
    int c = sim_esxtop_find(e, object, instance, counter);
    assert_true(c >= 0);
    return sim_esxtop_value(e, i, c);
}

/* Values read by hand from the file (04/26/2018 14:06:27 UTC = 1524751587). */
static void test_esxtop_reads_the_default_counter_capture(void **state)
{
    (void)state;
    g_autoptr(SimEsxtop) e = read_ok(SMALL, NULL);
    assert_string_equal(sim_esxtop_host(e), "localhost.home");
    assert_int_equal(sim_esxtop_n_samples(e), 3);
    assert_true(sim_esxtop_time(e, 0) == 1524751587.0);
    assert_true(sim_esxtop_time(e, 2) == 1524751597.0);
    assert_true(value(e, 0, "Memory", NULL, "Free MBytes") == 573);
    assert_true(value(e, 0, "Memory", NULL, "Kernel State") == 1);
    assert_string_equal(sim_esxtop_find_group(e, "poseidon"), "1423953:poseidon");
    assert_true(value(e, 0, "Group Memory", "1423953:poseidon", "Touched MBytes") == 2324.39);
    assert_true(value(e, 1, "Group Memory", "1423953:poseidon", "Memory Granted Size MBytes") ==
                4943.65);
    /* the default counters have no % Active Estimate */
    assert_int_equal(sim_esxtop_find(e, "Group Memory", "1423953:poseidon", "% Active Estimate"),
                     -1);
}

/* The -a capture, with esxtop's unquoted T-state cell; the columns after it keep their places. */
static void test_esxtop_reads_the_all_counter_capture_with_the_unquoted_cell(void **state)
{
    (void)state;
    g_autoptr(SimEsxtop) e = read_ok(FULL, NULL);
    assert_int_equal(sim_esxtop_n_samples(e), 3);
    assert_true(value(e, 0, "Memory", NULL, "Free MBytes") == 590);
    assert_true(value(e, 0, "Group Memory", "1302698:styx", "% Active Estimate") == 13);
    assert_true(value(e, 0, "Group Memory", "1302698:styx", "Memory Size MBytes") == 1069.34);
    assert_true(value(e, 2, "Group Memory", "1423953:poseidon", "% Active Estimate") == 4);
    assert_true(value(e, 0, "Group Memory", "1423953:poseidon", "Memctl MBytes") == 1230.57);
    assert_true(value(e, 2, "Group Memory", "1423953:poseidon", "Compressed Memory MBytes") == 0);
}

/* The spreadsheet re-save: CRLF, no quotes, no trailing comma, times without seconds. */
static void test_esxtop_reads_the_spreadsheet_resave_and_spreads_its_minutes(void **state)
{
    (void)state;
    guint spread = 0;
    g_autoptr(SimEsxtop) e = read_ok(GSLIU, &spread);
    assert_string_equal(sim_esxtop_host(e), "proma-2n-dhcp60.eng.vmware.com");
    assert_int_equal(sim_esxtop_n_samples(e), 514);
    assert_true(spread > 400); /* about 11 samples share each minute */
    /* 3/26/2015 22:42 UTC = 1427409720; 23:29 = 1427412540 */
    assert_true(sim_esxtop_time(e, 0) == 1427409720.0);
    assert_true(sim_esxtop_time(e, 513) >= 1427412540.0);
    for (guint i = 1; i < 514; i++) {
        assert_true(sim_esxtop_time(e, i) > sim_esxtop_time(e, i - 1));
    }
    assert_true(value(e, 0, "Memory", NULL, "Kernel MBytes") == 1087);
    assert_true(value(e, 0, "Memory", NULL, "NonKernel MBytes") == 1742);
    assert_true(value(e, 513, "Memory", NULL, "NonKernel MBytes") == 1743);
    assert_int_equal(sim_esxtop_groups(e)->len, 0);
}

static void test_esxtop_reader_rejects_a_file_that_is_not_a_capture(void **state)
{
    (void)state;
    g_autofree char *tmp = test_tmpdir();
    g_autofree char *path = g_build_filename(tmp, "x.csv", NULL);
    g_assert_true(g_file_set_contents(path, "time_s,vm\n1,a\n", -1, NULL));
    GError *error = NULL;
    assert_null(sim_esxtop_read(path, NULL, &error));
    assert_non_null(strstr(error->message, "x.csv:1: not an esxtop batch capture"));
    g_clear_error(&error);
    g_assert_true(g_file_set_contents(
        path, "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Memory\\Free MBytes\",\n\"13/01/2020 00:00:00\",\"1\",\n",
        -1, NULL));
    assert_null(sim_esxtop_read(path, NULL, &error));
    assert_non_null(strstr(error->message, "x.csv:2: bad timestamp \"13/01/2020 00:00:00\""));
    g_clear_error(&error);
    test_rmtree(tmp);
}

/* ---- small captures with the real quirks --------------------------------------- */

static SimEsxtop *read_text_ok(const char *text, guint *spread)
{
    g_autofree char *tmp = test_tmpdir();
    g_autofree char *path = g_build_filename(tmp, "capture.csv", NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    GError *error = NULL;
    SimEsxtop *e = sim_esxtop_read(path, spread, &error);
    g_assert_no_error(error);
    test_rmtree(tmp);
    return e;
}

/*
 * esxtop -a writes one T-state cell unquoted and glued to the next quoted
 * one (`,   -"\\h\PCPU Power State(PCPU 1)\%C-State C0",` in the header,
 * `,    73.1"8.93",` in rows, as in rach-sharp's esxtop-data.csv): one cell,
 * so the memory columns after it keep their places.
 */
static const char unquoted_capture[] =
    "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\PCPU Power State(PCPU 0)\\%T-State T7\","
    "   -\"\\\\h\\PCPU Power State(PCPU 1)\\%C-State C0\",\"\\\\h\\Memory\\Free MBytes\","
    "\"\\\\h\\Group Memory(1302698:styx)\\% Active Estimate\",\n"
    "\"04/24/2018 10:49:12\",\"0.00\",    73.1\"8.93\",\"590\",\"13\",\n"
    "\"04/24/2018 10:49:17\",\"0.00\",    70.2\"10.94\",\"591\",\"14\",\n";

static void test_esxtop_the_unquoted_cell_keeps_the_columns_after_it(void **state)
{
    (void)state;
    g_autoptr(SimEsxtop) e = read_text_ok(unquoted_capture, NULL);
    assert_string_equal(sim_esxtop_host(e), "h");
    assert_int_equal(sim_esxtop_n_samples(e), 2);
    assert_true(value(e, 0, "Memory", NULL, "Free MBytes") == 590);
    assert_true(value(e, 1, "Memory", NULL, "Free MBytes") == 591);
    assert_true(value(e, 1, "Group Memory", "1302698:styx", "% Active Estimate") == 14);
    assert_true(sim_esxtop_time(e, 1) - sim_esxtop_time(e, 0) == 5.0);
}

/*
 * A spreadsheet re-save (gsliu's origincsvfile.csv): no quotes, CRLF, no
 * trailing comma, `M/D/YYYY H:MM` times that lost their seconds. The three
 * rows of 22:42 are spread evenly up to 22:43, the last minute's rows at
 * the spacing before.
 */
static const char resaved_capture[] =
    "(PDH-CSV 4.0) (UTC)(0),\\\\p.eng\\Memory\\Kernel MBytes,"
    "\\\\p.eng\\Group Memory(77:vm 1)\\Touched MBytes\r\n"
    "3/26/2015 22:42,1087,10\r\n"
    "3/26/2015 22:42,1088,11\r\n"
    "3/26/2015 22:42,1089,12\r\n"
    "3/26/2015 22:43,1090,13\r\n"
    "3/26/2015 22:43,1091,14\r\n";

static void test_esxtop_reads_a_spreadsheet_resave_and_spreads_its_minutes(void **state)
{
    (void)state;
    guint spread = 0;
    g_autoptr(SimEsxtop) e = read_text_ok(resaved_capture, &spread);
    assert_string_equal(sim_esxtop_host(e), "p.eng");
    assert_int_equal(sim_esxtop_n_samples(e), 5);
    assert_int_equal(spread, 3); /* two rows of 22:42 and one of 22:43 moved */
    const double want[] = {0, 20, 40, 60, 80};
    for (guint i = 0; i < 5; i++) {
        assert_true(sim_esxtop_time(e, i) == 1427409720.0 + want[i]);
        assert_true(value(e, i, "Memory", NULL, "Kernel MBytes") == 1087 + i);
    }
    assert_string_equal(sim_esxtop_find_group(e, "vm 1"), "77:vm 1");
    assert_true(value(e, 4, "Group Memory", "77:vm 1", "Touched MBytes") == 14);
    assert_int_equal(sim_esxtop_line(e, 4), 6);
}

/* ---- replaying a run's own esxtop.csv ------------------------------------------- */

/* Names the loader accepts that CSV or the counter paths could trip on. */
static const char *const odd_names[] = {
    "web, front", "db (primary)", "cache:1", "a;b", " spaced  name ", "ünïcødé-虚拟机",
    ")(", "1234567:x", "x"};

/* One VM per odd name; VM k has (k + 2) x 256 MiB and uses k x 192 + 128 MiB: each VM's
 * counters differ. */
static char *odd_names_scenario(const char *trace)
{
    GString *s = g_string_new("{\"duration\": \"2m\", \"sample_interval\": \"20s\", "
                              "\"host\": {\"memory\": \"32GiB\"}, \"vms\": [");
    for (guint k = 0; k < G_N_ELEMENTS(odd_names); k++) {
        g_string_append_printf(s, "%s{\"name\": \"%s\", \"memory\": \"%uMiB\", ", k ? ", " : "",
                               odd_names[k], (k + 2) * 256);
        if (trace == NULL) {
            g_string_append_printf(s, "\"workload\": {\"memory\": \"%uMiB\"}}", k * 192 + 128);
        } else {
            g_string_append_printf(s, "\"workload\": {\"trace\": {\"file\": \"%s\", \"format\": "
                                      "\"esxtop\"}}}", trace);
        }
    }
    g_string_append(s, "]}\n");
    return g_string_free(s, FALSE);
}

/* Column `name` of the last vms.csv row of VM k: cells counted from the right, so a
 * quoted name with commas does not shift them. */
static double last_vms_value(const char *dir, guint k, const char *name)
{
    g_autoptr(GPtrArray) rows = plain_rows(dir, "vms.csv");
    char **header = g_ptr_array_index(rows, 0);
    guint n_vms = G_N_ELEMENTS(odd_names);
    char **row = g_ptr_array_index(rows, rows->len - n_vms + k);
    guint from_right = g_strv_length(header) - (guint)column_of(header, name);
    return g_ascii_strtod(row[g_strv_length(row) - from_right], NULL);
}

/*
 * reclaimsim reads back its own esxtop.csv: the real binary runs VMs with
 * odd names, then runs a scenario whose VMs of the same names replay that
 * file; each VM reads its own group (its granted and active memory, as
 * vms.csv of the first run has them, not another VM's).
 */
static void test_esxtop_a_runs_own_file_replays_for_every_vm_name(void **state)
{
    (void)state;
    g_autofree char *tmp = test_tmpdir();
    g_autofree char *first = g_build_filename(tmp, "first.json", NULL);
    g_autofree char *replay = g_build_filename(tmp, "replay.json", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    g_autofree char *out2 = g_build_filename(tmp, "out2", NULL);
    g_autofree char *a = odd_names_scenario(NULL);
    g_autofree char *b = odd_names_scenario("out/esxtop.csv");
    g_assert_true(g_file_set_contents(first, a, -1, NULL));
    g_assert_true(g_file_set_contents(replay, b, -1, NULL));
    const char *run1[] = {"run", "--quiet", first, "-o", out, NULL};
    const char *run2[] = {"run", "--quiet", replay, "-o", out2, NULL};
    g_autofree char *err = NULL;
    assert_int_equal(test_run_binary(run1, NULL, NULL), 0);
    if (test_run_binary(run2, NULL, &err) != 0) {
        fail_msg("replaying esxtop.csv: %s", err);
    }
    g_autofree char *esxtop = g_build_filename(out, "esxtop.csv", NULL);
    for (guint k = 0; k < G_N_ELEMENTS(odd_names); k++) {
        SimTraceOptions opt = {.format = SIM_TRACE_ESXTOP, .vm = odd_names[k]};
        GError *error = NULL;
        g_autoptr(GArray) p = sim_trace_read(esxtop, &opt, NULL, &error);
        g_assert_no_error(error);
        const SimTracePoint *last = &g_array_index(p, SimTracePoint, p->len - 1);
        double memsz = (k + 2) * 256.0, grant = last_vms_value(out, k, "grant_mb");
        /* % Active Estimate is whole percent: within half a percent of memsz */
        assert_true(fabs(last->active_mb - last_vms_value(out, k, "active_mb")) <=
                    0.005 * memsz + 1e-9);
        assert_true(grant > 0.5 * memsz);
        assert_true(fabs(last->memory_mb - MAX(grant, last->active_mb)) < 1e-9);
    }
    test_rmtree(tmp);
}

int main(void)
{
    const struct CMUnitTest run_tests[] = {
        cmocka_unit_test(test_esxtop_every_cell_is_quoted_and_every_line_ends_with_a_comma),
        cmocka_unit_test(test_esxtop_header_uses_esxtops_spelling_and_order),
        cmocka_unit_test(test_esxtop_timestamps_count_from_the_fixed_epoch_in_utc),
        cmocka_unit_test(test_esxtop_host_counters_match_host_csv),
        cmocka_unit_test(test_esxtop_vm_counters_match_vms_csv),
        cmocka_unit_test(test_esxtop_gnuplot_reads_the_file),
        cmocka_unit_test(test_esxtop_reader_reads_back_what_the_writer_wrote),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esxtop_gid_of_a_vm_does_not_change_when_others_are_added),
        cmocka_unit_test(test_esxtop_reads_the_default_counter_capture),
        cmocka_unit_test(test_esxtop_reads_the_all_counter_capture_with_the_unquoted_cell),
        cmocka_unit_test(test_esxtop_reads_the_spreadsheet_resave_and_spreads_its_minutes),
        cmocka_unit_test(test_esxtop_reader_rejects_a_file_that_is_not_a_capture),
        cmocka_unit_test(test_esxtop_the_unquoted_cell_keeps_the_columns_after_it),
        cmocka_unit_test(test_esxtop_reads_a_spreadsheet_resave_and_spreads_its_minutes),
        cmocka_unit_test(test_esxtop_a_runs_own_file_replays_for_every_vm_name),
    };
    int failed = cmocka_run_group_tests_name("esxtop.csv of a run", run_tests, run_setup,
                                             run_teardown);
    return failed + cmocka_run_group_tests_name("esxtop reader", tests, NULL, NULL);
}
