/*
 * Tests of sim/out/esxtop.c: esxtop.csv of a real run (format rules, values
 * against host.csv and vms.csv of the same run, read by gnuplot, read back
 * by the reader) and the GID of each VM. The reader on real and small
 * captures, and a run's own file replayed, are tested in
 * tests/sim/load/test-esxtop.c.
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
#include "support/testutil.h"

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
    };
    int failed = cmocka_run_group_tests_name("esxtop.csv of a run", run_tests, run_setup,
                                             run_teardown);
    return failed + cmocka_run_group_tests_name("esxtop writer", tests, NULL, NULL);
}
