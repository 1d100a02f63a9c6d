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

/*
 * The Memory object's counters and one VM's Group Memory counters of a real
 * `esxtop -b` capture (rach-sharp/esxtopd esxtop-data.csv, ESXi 6.x, columns
 * 2-4 and 14-34; the group of GID 529), spelled and ordered as there. What
 * reclaimsim writes must be these names, in this order, less those the model
 * has no figure for (docs/model.md, "esxtop.csv").
 */
static const char *const real_host_counters[] = {
    "Memory Overcommit (1 Minute Avg)", "Memory Overcommit (5 Minute Avg)",
    "Memory Overcommit (15 Minute Avg)", "Machine MBytes", "Kernel MBytes", "NonKernel MBytes",
    "Free MBytes", "Kernel Managed MBytes", "Kernel MinFree MBytes", "Kernel Reserved MBytes",
    "Kernel Unreserved MBytes", "Kernel State", "PShare Shared MBytes", "PShare Common MBytes",
    "PShare Savings MBytes", "Swap Used MBytes", "Swap Target MBytes", "Swap MBytes Read/sec",
    "Swap MBytes Write/sec", "Total Compressed MBytes", "Total Saved By Compression MBytes",
    "Memctl Current MBytes", "Memctl Target MBytes", "Memctl Max MBytes"};
static const char *const real_vm_counters[] = {
    "Members", "Alloc Min", "Alloc Max", "Alloc Shares", "Alloc Min Limited", "Numa Home Nodes",
    "Numa Rebalance Count Delta", "Numa Remote Memory MBytes", "Numa Local Memory MBytes",
    "Numa % Local", "Memory Size MBytes", "Memory Granted Size MBytes",
    "Memory Consumed Size MBytes", "Target Size MBytes", "Touched MBytes", "Touched Write MBytes",
    "% Active Estimate", "% Active Slow Estimate", "% Active Fast Estimate",
    "% Active Next Estimate", "Memctl?", "Memctl MBytes", "Memctl Target MBytes",
    "Memctl Max MBytes", "Swapped MBytes", "Swap Target MBytes", "Swap Read MBytes/sec",
    "Swap Written MBytes/sec", "Llswap Read MBytes/sec", "Llswap Written MBytes/sec",
    "Checkpoint Read MBytes", "Checkpoint Target MBytes", "Zero MBytes", "Shared MBytes",
    "Shared Saved MBytes", "Copy On Write Hint MBytes", "Overhead UW MBytes", "Overhead MBytes",
    "Overhead Max MBytes", "Min Commit Target MBytes", "Commit Target MBytes",
    "Commit Charged MBytes", "Commit Pages Per Share", "Compressed Memory MBytes",
    "Used Compressed Memory MBytes", "Compression MBytes/sec", "Decompression MBytes/sec"};

/* Host counters written: all 24 of the real capture's. */
#define host_counters real_host_counters
/* Their columns in a row (the timestamp is column 0). */
enum {
    H_OVC1 = 1,
    H_OVC5,
    H_OVC15,
    H_MACHINE,
    H_KERNEL,
    H_NONKERNEL,
    H_FREE,
    H_MANAGED,
    H_MINFREE,
    H_RESERVED,
    H_UNRESERVED,
    H_STATE,
    H_SHARED,
    H_COMMON,
    H_SAVINGS
};
/* Per-VM counters and the vms.csv column each comes from (NULL: derived). */
static const char *const vm_counters[][2] = {
    {"Memory Size MBytes", "memsz_mb"},
    {"Memory Granted Size MBytes", "grant_mb"},
    {"Memory Consumed Size MBytes", "consumed_mb"},
    {"Target Size MBytes", "sztgt_mb"},
    {"Touched MBytes", "active_mb"},
    {"Touched Write MBytes", NULL},
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
    {"Overhead UW MBytes", NULL},
    {"Overhead MBytes", NULL},
    {"Overhead Max MBytes", NULL},
    {"Compressed Memory MBytes", "zip_mb"},
};
/* Indexes of the derived ones in vm_counters. */
enum {
    V_TOUCHED_W = 5,
    V_ACTIVE_PCT = 6,
    V_MEMCTL_ON = 7,
    V_OVERHEAD_UW = 18,
    V_OVERHEAD = 19,
    V_OVERHEAD_MAX = 20
};

/* A small overcommitted run: 2 VMs ballooned and swapped on a 3 GiB host, 10 minutes. */
static const char scenario_json[] =
    "{\"name\": \"esx\", \"duration\": \"10m\", \"sample_interval\": \"20s\",\n"
    " \"host\": {\"memory\": \"3GiB\", \"overhead\": \"256MiB\", \"name\": \"esx-01.lab\"},\n"
    " \"vms\": [{\"name\": \"web\", \"count\": 2, \"memory\": \"2GiB\",\n"
    "           \"workload\": {\"memory\": \"1536MiB\", \"active\": \"512MiB\",\n"
    "                        \"write_share\": 0.25}},\n"
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
        g_autofree char *want = g_strdup_printf("\\\\esx-01.lab\\Memory\\%s", host_counters[c]);
        assert_string_equal(cell(lines, 0, 1 + c), want);
    }
    const char *names[] = {"web-1", "web-2", "db (x)"};
    guint base = 1 + G_N_ELEMENTS(host_counters);
    for (guint vm = 0; vm < 3; vm++) {
        for (guint c = 0; c < G_N_ELEMENTS(vm_counters); c++) {
            const char *h = cell(lines, 0, base + vm * G_N_ELEMENTS(vm_counters) + c);
            g_autofree char *prefix = g_strdup_printf("\\\\esx-01.lab\\Group Memory(");
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

/* Host counters equal host.csv's, rounded as esxtop rounds (MBytes whole, rates 2 decimals);
 * the ones host.csv lacks follow from it and the scenario. */
static void check_host_row(GPtrArray *lines, guint i, char **header, char **row)
{
    static const struct {
        guint col;
        const char *name;
    } same[] = {{H_FREE, "free_mb"},      {H_MINFREE, "min_free_mb"}, {H_SHARED, "shared_mb"},
                {H_SAVINGS, "shrdsvd_mb"}, {H_SAVINGS + 1, "swcur_mb"}, {H_SAVINGS + 3, "swr_mbps"},
                {H_SAVINGS + 4, "sww_mbps"}, {H_SAVINGS + 5, "zip_mb"}, {H_SAVINGS + 7, "mctlsz_mb"}};
    static const char *const states[] = {"high", "clear", "soft", "hard", "low"};
    for (guint c = 0; c < G_N_ELEMENTS(same); c++) {
        double want = g_ascii_strtod(row[test_csv_column(header, same[c].name)], NULL);
        double got = g_ascii_strtod(cell(lines, i, same[c].col), NULL);
        assert_true(fabs(got - want) <= 0.5 + 1e-9);
    }
    assert_string_equal(cell(lines, i, H_MACHINE), "3072"); /* the host's 3 GiB */
    assert_string_equal(cell(lines, i, H_KERNEL), "256");   /* host.overhead */
    assert_string_equal(cell(lines, i, H_MANAGED), "3072");
    double free_mb = g_ascii_strtod(row[test_csv_column(header, "free_mb")], NULL);
    double nonkernel = g_ascii_strtod(cell(lines, i, H_NONKERNEL), NULL);
    assert_true(fabs(nonkernel - (3072 - 256 - free_mb)) <= 0.5 + 1e-9);
    double shared = g_ascii_strtod(row[test_csv_column(header, "shared_mb")], NULL);
    double saved = g_ascii_strtod(row[test_csv_column(header, "shrdsvd_mb")], NULL);
    double common = g_ascii_strtod(cell(lines, i, H_COMMON), NULL);
    assert_true(fabs(common - (shared - saved)) <= 0.5 + 1e-9);
    /* reserved: the host's own and every VM's overhead (no reservations here), which is
     * host.csv's overhead_mb; reserved + unreserved = managed */
    double overhead = g_ascii_strtod(row[test_csv_column(header, "overhead_mb")], NULL);
    double reserved = g_ascii_strtod(cell(lines, i, H_RESERVED), NULL);
    assert_true(fabs(reserved - overhead) <= 0.5 + 1e-9);
    assert_true(fabs(reserved + g_ascii_strtod(cell(lines, i, H_UNRESERVED), NULL) - 3072) <= 1);
    const char *state = row[test_csv_column(header, "state")];
    int k = atoi(cell(lines, i, H_STATE));
    assert_in_range(k, 0, 4);
    assert_string_equal(states[k], state);
}

static void test_esxtop_host_counters_match_host_csv(void **state)
{
    Run *r = *state;
    g_autoptr(GPtrArray) lines = esxtop_lines(r);
    g_autoptr(GPtrArray) host = test_csv_rows(r->out, "host.csv");
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
    g_autoptr(GPtrArray) vms = test_csv_rows(r->out, "vms.csv");
    char **header = g_ptr_array_index(vms, 0);
    guint base = 1 + G_N_ELEMENTS(host_counters), n_vm = G_N_ELEMENTS(vm_counters);
    double ballooned = 0;
    for (guint i = 1; i < lines->len; i++) {
        for (guint vm = 0; vm < 3; vm++) {
            char **row = g_ptr_array_index(vms, 1 + (i - 1) * 3 + vm);
            for (guint c = 0; c < n_vm; c++) {
                const char *got = cell(lines, i, base + vm * n_vm + c);
                if (vm_counters[c][1] != NULL) {
                    assert_string_equal(got, row[test_csv_column(header, vm_counters[c][1])]);
                }
            }
            double memsz = g_ascii_strtod(row[test_csv_column(header, "memsz_mb")], NULL);
            double active = g_ascii_strtod(row[test_csv_column(header, "active_mb")], NULL);
            double pct = g_ascii_strtod(cell(lines, i, base + vm * n_vm + V_ACTIVE_PCT), NULL);
            assert_true(fabs(pct - 100.0 * active / memsz) <= 0.5 + 1e-9);
            assert_string_equal(cell(lines, i, base + vm * n_vm + V_MEMCTL_ON), vm == 2 ? "0" : "1");
            /* Touched Write: written pages are touched and backed */
            double tchd_w = g_ascii_strtod(cell(lines, i, base + vm * n_vm + V_TOUCHED_W), NULL);
            double grant = g_ascii_strtod(row[test_csv_column(header, "grant_mb")], NULL);
            assert_true(tchd_w <= MIN(active, grant) + 0.01); /* both rounded */
            ballooned += g_ascii_strtod(row[test_csv_column(header, "mctlsz_mb")], NULL);
        }
    }
    assert_true(ballooned > 0); /* the run did reclaim, so the values are not all zero */
}

/* What reclaimsim writes per VM is the real capture's Group Memory counters, in their order. */
static void test_esxtop_vm_counters_are_the_real_captures_in_its_order(void **state)
{
    (void)state;
    guint r = 0;
    for (guint c = 0; c < G_N_ELEMENTS(vm_counters); c++) {
        while (r < G_N_ELEMENTS(real_vm_counters) &&
               strcmp(real_vm_counters[r], vm_counters[c][0]) != 0) {
            r++;
        }
        assert_true(r < G_N_ELEMENTS(real_vm_counters)); /* found, after the previous one */
    }
}

/*
 * Overhead and Overhead Max: what the host charges each VM, so the host's own
 * overhead plus the VMs' is host.csv's overhead_mb; here 20 MiB + 1.2% of 2 GiB
 * and of 1 GiB, whole pages.
 */
static void test_esxtop_vm_overhead_is_what_the_host_charges(void **state)
{
    Run *r = *state;
    g_autoptr(GPtrArray) lines = esxtop_lines(r);
    g_autoptr(GPtrArray) host = test_csv_rows(r->out, "host.csv");
    char **header = g_ptr_array_index(host, 0);
    guint base = 1 + G_N_ELEMENTS(host_counters), n_vm = G_N_ELEMENTS(vm_counters);
    const char *const want[] = {"44.57", "44.57", "32.29"};
    for (guint i = 1; i < lines->len; i++) {
        double sum = 256;
        for (guint vm = 0; vm < 3; vm++) {
            const char *ovhd = cell(lines, i, base + vm * n_vm + V_OVERHEAD);
            assert_string_equal(ovhd, want[vm]);
            assert_string_equal(cell(lines, i, base + vm * n_vm + V_OVERHEAD_MAX), ovhd);
            assert_string_equal(cell(lines, i, base + vm * n_vm + V_OVERHEAD_UW), "0.00");
            sum += g_ascii_strtod(ovhd, NULL);
        }
        char **row = g_ptr_array_index(host, i);
        assert_true(fabs(sum - g_ascii_strtod(row[test_csv_column(header, "overhead_mb")], NULL)) <
                    0.02);
    }
}

/* The lines of the esxtop.csv of a run of `json`; *tmp_out gets the folder to remove. */
static GPtrArray *run_json_lines(const char *json, char **tmp_out)
{
    char *tmp = test_tmpdir();
    g_autofree char *sc = g_build_filename(tmp, "w.json", NULL);
    g_autofree char *out = g_build_filename(tmp, "out", NULL);
    g_assert_true(g_file_set_contents(sc, json, -1, NULL));
    const char *argv[] = {"run", "--quiet", sc, "-o", out, NULL};
    assert_int_equal(test_run_binary(argv, NULL, NULL), 0);
    Run r = {.out = out};
    g_autofree char *path = g_build_filename(out, "esxtop.csv", NULL);
    g_assert_true(g_file_get_contents(path, &r.esxtop, NULL, NULL));
    GPtrArray *lines = esxtop_lines(&r);
    g_free(r.esxtop);
    *tmp_out = tmp;
    return lines;
}

/*
 * The overcommit averages on a run whose overcommit steps up at 300 s, when a
 * 4 GiB VM powers on beside a 2 GiB one on a 4 GiB host: 0 before, then the
 * 1-minute average reaches 1 - 1/e of the step at 360 s, the 5-minute one at
 * 600 s, the 15-minute one at 1200 s. The step is taken from the file's own
 * cells: (Kernel + each VM's size and overhead) / Machine - 1.
 */
static void test_esxtop_overcommit_averages_follow_a_step_like_load_averages(void **state)
{
    (void)state;
    const char json[] = "{\"duration\": \"20m\", \"sample_interval\": \"60s\",\n"
                        " \"host\": {\"memory\": \"4GiB\", \"overhead\": \"256MiB\"},\n"
                        " \"vms\": [{\"name\": \"a\", \"memory\": \"2GiB\"},\n"
                        "          {\"name\": \"b\", \"memory\": \"4GiB\", \"power_on\": \"5m\"}]}\n";
    g_autofree char *tmp = NULL;
    g_autoptr(GPtrArray) lines = run_json_lines(json, &tmp);
    guint base = 1 + G_N_ELEMENTS(host_counters), n_vm = G_N_ELEMENTS(vm_counters);
    /* row k is t = 60 (k - 1) s; b is on from row 6 (300 s) */
    assert_string_equal(cell(lines, 5, base + n_vm + V_OVERHEAD), "0.00");
    double requested = 256 + 2048 + 4096;
    for (guint vm = 0; vm < 2; vm++) {
        requested += g_ascii_strtod(cell(lines, 21, base + vm * n_vm + V_OVERHEAD), NULL);
    }
    double step = requested / 4096 - 1;
    const guint at[3] = {7, 11, 21}; /* 360 s, 600 s, 1200 s */
    for (guint k = 0; k < 3; k++) {
        assert_string_equal(cell(lines, 6, H_OVC1 + k), "0.00");
        double got = g_ascii_strtod(cell(lines, at[k], H_OVC1 + k), NULL);
        assert_true(fabs(got - step * (1 - exp(-1))) <= 0.005 + 1e-9);
    }
    /* after 15 minutes the 1-minute average has converged on the step */
    assert_true(fabs(g_ascii_strtod(cell(lines, 21, H_OVC1), NULL) - step) <= 0.005 + 1e-9);
    test_rmtree(tmp);
}

/* gnuplot reads the file as it is: the mean of Free MBytes equals host.csv's. */
static void test_esxtop_gnuplot_reads_the_file(void **state)
{
    Run *r = *state;
    g_autofree char *gp = g_find_program_in_path("gnuplot");
    if (gp == NULL) {
        skip();
    }
    g_autoptr(GPtrArray) host = test_csv_rows(r->out, "host.csv");
    int col = test_csv_column(g_ptr_array_index(host, 0), "free_mb");
    double sum = 0;
    for (guint i = 1; i < host->len; i++) {
        sum += round(g_ascii_strtod(((char **)g_ptr_array_index(host, i))[col], NULL));
    }
    g_autofree char *path = g_build_filename(r->out, "esxtop.csv", NULL);
    g_autofree char *cmd = g_strdup_printf(
        "set datafile separator ','; stats '%s' using 8 skip 1 nooutput; "
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
    assert_string_equal(sim_esxtop_host(e), "esx-01.lab");
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

/*
 * Touched Write is the memory written in a sampling period, not a share of
 * the touched memory: a VM whose hot set (64 MiB of kernel, the default for
 * 512 MiB, + 8 MiB of page structures + 256 MiB of hot anon, no warm set or
 * cold tail) gets 10^6 touches a second, half of them writes, writes every
 * hot page many times in a minute, so esxtop shows its whole hot set
 * written (328 MiB, where Touched x write share gave 245 down to 192 as
 * the Touched estimate decays); a VM that only reads shows none.
 */
static void test_esxtop_touched_write_is_the_hot_set_a_busy_writer_writes(void **state)
{
    (void)state;
    const char json[] =
        "{\"duration\": \"10m\", \"sample_interval\": \"60s\",\n"
        " \"host\": {\"memory\": \"4GiB\", \"overhead\": \"256MiB\"},\n"
        " \"vms\": [{\"name\": \"w\", \"memory\": \"512MiB\",\n"
        "   \"workload\": {\"memory\": \"256MiB\", \"active\": \"256MiB\",\n"
        "     \"touch_rate\": \"1000000/s\", \"write_share\": 0.5}},\n"
        "  {\"name\": \"r\", \"memory\": \"512MiB\",\n"
        "   \"workload\": {\"memory\": \"256MiB\", \"active\": \"256MiB\",\n"
        "     \"touch_rate\": \"1000000/s\", \"write_share\": 0}}]}\n";
    g_autofree char *tmp = NULL;
    g_autoptr(GPtrArray) lines = run_json_lines(json, &tmp);
    guint base = 1 + G_N_ELEMENTS(host_counters), n_vm = G_N_ELEMENTS(vm_counters);
    for (guint line = 2; line < lines->len; line++) { /* from 60 s, once the workload is in */
        assert_string_equal(cell(lines, line, base + V_TOUCHED_W), "328.00");
        assert_string_equal(cell(lines, line, base + n_vm + V_TOUCHED_W), "0.00");
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
        cmocka_unit_test(test_esxtop_vm_overhead_is_what_the_host_charges),
        cmocka_unit_test(test_esxtop_gnuplot_reads_the_file),
        cmocka_unit_test(test_esxtop_reader_reads_back_what_the_writer_wrote),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esxtop_gid_of_a_vm_does_not_change_when_others_are_added),
        cmocka_unit_test(test_esxtop_vm_counters_are_the_real_captures_in_its_order),
        cmocka_unit_test(test_esxtop_overcommit_averages_follow_a_step_like_load_averages),
        cmocka_unit_test(test_esxtop_touched_write_is_the_hot_set_a_busy_writer_writes),
    };
    int failed = cmocka_run_group_tests_name("esxtop.csv of a run", run_tests, run_setup,
                                             run_teardown);
    return failed + cmocka_run_group_tests_name("esxtop writer", tests, NULL, NULL);
}
