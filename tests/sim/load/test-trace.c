/*
 * Tests of sim/load/trace.c and of trace loading in sim/load/traces.c: the three
 * formats (small traces generated here; the shipped Bitbrains subset under
 * scenarios/data/; the real esxtop captures under tests/data/esxtop/), what every reader
 * refuses (non-regular files, NUL bytes, empty traces, values out of
 * range), gzip in every format, the expansion into phases (start, repeat,
 * clipping, a huge scale), and the scenario keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <gio/gio.h>
#include <glib.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/error.h"
#include "sim/load/scenario.h"
#include "sim/load/trace.h"
#include "support/testutil.h"
#include "sim/units.h"

#define DATA RECLAIMSIM_SOURCE_DIR "/tests/data/"
#define SMALL DATA "esxtop/rach-sharp_esxtopd_small-esxtop-data.csv"
#define FULL DATA "esxtop/rach-sharp_esxtopd_esxtop-data.csv"
#define GSLIU DATA "esxtop/gsliu_VisualEsxtopOnline_origincsvfile.csv"
#define SHIPPED RECLAIMSIM_SOURCE_DIR "/scenarios/data/"
#define BB_1 SHIPPED "bitbrains/rnd-2013-7/1.csv.gz"
#define BB_45 SHIPPED "bitbrains/rnd-2013-7/45.csv.gz"
#define MIB ((double)SIM_MIB)

static bool near(double a, double b)
{
    return fabs(a - b) < 1e-6 * MAX(1.0, fabs(b));
}

/* A temporary folder holding `files` (name, text pairs, NULL-terminated). */
static char *folder_with(const char *const *files)
{
    char *dir = test_tmpdir();
    for (const char *const *f = files; *f != NULL; f += 2) {
        g_autofree char *path = g_build_filename(dir, f[0], NULL);
        g_assert_true(g_file_set_contents(path, f[1], -1, NULL));
    }
    return dir;
}

static GArray *read_trace(const char *path, SimTraceFormat format, const char *vm,
                          GPtrArray *warnings, GError **error)
{
    SimTraceOptions opt = {.format = format,
                           .vm = vm,
                           .kernel_mb = 256,
                           .memory_window = SIM_TRACE_DEFAULT_MEMORY_WINDOW};
    return sim_trace_read(path, &opt, warnings, error);
}

static const SimTracePoint *pt(const GArray *points, guint i)
{
    return &g_array_index(points, SimTracePoint, i);
}

/* ---- csv ----------------------------------------------------------------------- */

static const char csv_text[] = "time_s,vm,memory_mb,active_mb\r\n"
                               "0,a,512,128\r\n"
                               "0,b,100,10\r\n"
                               "60,a,1024,256.5\r\n"
                               "# a comment\r\n"
                               "\r\n"
                               "120,a,3000,512\r\n";

static void test_trace_csv_keeps_the_rows_of_the_named_vm(void **state)
{
    (void)state;
    const char *files[] = {"t.csv", csv_text, NULL};
    g_autofree char *dir = folder_with(files);
    g_autofree char *path = g_build_filename(dir, "t.csv", NULL);
    GError *error = NULL;
    g_autoptr(GArray) p = read_trace(path, SIM_TRACE_AUTO, "a", NULL, &error);
    g_assert_no_error(error);
    assert_int_equal(p->len, 3);
    assert_true(pt(p, 1)->t_s == 60 && pt(p, 1)->memory_mb == 1024 && pt(p, 1)->active_mb == 256.5);
    assert_true(pt(p, 2)->t_s == 120 && pt(p, 2)->memory_mb == 3000);
    test_rmtree(dir);
}

static void test_trace_csv_without_header_and_with_columns_in_any_order(void **state)
{
    (void)state;
    const char *files[] = {"plain.csv", "0,a,10,5\n30,a,20,6\n", "named.csv",
                           "vm,active_mb,time_s,memory_mb\na,5,0,10\na,6,30,20\n", NULL};
    g_autofree char *dir = folder_with(files);
    for (guint k = 0; k < 2; k++) {
        g_autofree char *path = g_build_filename(dir, k == 0 ? "plain.csv" : "named.csv", NULL);
        GError *error = NULL;
        g_autoptr(GArray) p = read_trace(path, SIM_TRACE_CSV, "a", NULL, &error);
        g_assert_no_error(error);
        assert_int_equal(p->len, 2);
        assert_true(pt(p, 1)->t_s == 30 && pt(p, 1)->memory_mb == 20 && pt(p, 1)->active_mb == 6);
    }
    test_rmtree(dir);
}

static void test_trace_csv_errors_name_the_file_line_and_the_vms_it_has(void **state)
{
    (void)state;
    const char *files[] = {"t.csv", csv_text, "bad.csv", "time_s,vm,memory_mb,active_mb\n0,a,x,1\n",
                           "back.csv", "0,a,1,1\n10,a,1,1\n5,a,1,1\n", NULL};
    g_autofree char *dir = folder_with(files);
    g_autofree char *t = g_build_filename(dir, "t.csv", NULL);
    g_autofree char *bad = g_build_filename(dir, "bad.csv", NULL);
    g_autofree char *back = g_build_filename(dir, "back.csv", NULL);
    g_autofree char *missing = g_build_filename(dir, "missing.csv", NULL);
    GError *error = NULL;
    assert_null(read_trace(t, SIM_TRACE_AUTO, "c", NULL, &error));
    g_autofree char *want = g_strdup_printf("%s: no rows for VM \"c\" (the trace has \"a\", \"b\")", t);
    assert_string_equal(error->message, want);
    g_clear_error(&error);
    assert_null(read_trace(bad, SIM_TRACE_AUTO, "a", NULL, &error));
    g_autofree char *want2 = g_strdup_printf("%s:2: memory_mb \"x\" is not a number >= 0", bad);
    assert_string_equal(error->message, want2);
    g_clear_error(&error);
    assert_null(read_trace(back, SIM_TRACE_AUTO, "a", NULL, &error));
    assert_non_null(strstr(error->message, ":3: time_s 5 is earlier than the row before"));
    g_clear_error(&error);
    assert_null(read_trace(missing, SIM_TRACE_AUTO, "a", NULL, &error));
    assert_true(g_error_matches(error, SIM_ERROR, SIM_ERROR_IO));
    g_autofree char *want3 = g_strdup_printf("cannot read trace %s: No such file or directory",
                                             missing);
    assert_string_equal(error->message, want3);
    g_clear_error(&error);
    test_rmtree(dir);
}

/* ---- esxtop ---------------------------------------------------------------------- */

/* 32 % of 6222.84 MB active; granted 4823.66 MB - the 256 MiB kernel (read by hand). */
static void test_trace_esxtop_active_from_percent_active_times_memory_size(void **state)
{
    (void)state;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    GError *error = NULL;
    g_autoptr(GArray) p = read_trace(FULL, SIM_TRACE_AUTO, "poseidon", warnings, &error);
    g_assert_no_error(error);
    assert_int_equal(p->len, 3);
    assert_int_equal(warnings->len, 0);
    assert_true(near(pt(p, 0)->active_mb, 0.32 * 6222.84));
    assert_true(near(pt(p, 0)->memory_mb, 4823.66 - 256));
    assert_true(near(pt(p, 2)->active_mb, 0.04 * 6222.84));
    assert_true(pt(p, 0)->t_s == 0 && pt(p, 2)->t_s == 10);
}

/* The default counters have no % Active Estimate: Touched MBytes, and a warning. */
static void test_trace_esxtop_without_active_estimate_uses_touched_with_a_warning(void **state)
{
    (void)state;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    GError *error = NULL;
    g_autoptr(GArray) p = read_trace(SMALL, SIM_TRACE_ESXTOP, "1302698:styx", warnings, &error);
    g_assert_no_error(error);
    assert_true(near(pt(p, 0)->active_mb, 179.95));
    assert_true(near(pt(p, 0)->memory_mb, 957.92 - 256));
    assert_int_equal(warnings->len, 1);
    g_autofree char *want = g_strdup_printf(
        "%s: no \"%% Active Estimate\" for group 1302698:styx; active memory from \"Touched "
        "MBytes\"",
        SMALL);
    assert_string_equal(g_ptr_array_index(warnings, 0), want);
}

static void test_trace_esxtop_capture_without_vm_counters_is_an_error(void **state)
{
    (void)state;
    GError *error = NULL;
    assert_null(read_trace(GSLIU, SIM_TRACE_AUTO, "web", NULL, &error));
    g_autofree char *want =
        g_strdup_printf("%s: no \"Group Memory\" counters for VM \"web\": the capture has no "
                        "per-VM memory counters",
                        GSLIU);
    assert_string_equal(error->message, want);
    g_clear_error(&error);
    assert_null(read_trace(SMALL, SIM_TRACE_AUTO, "zeus", NULL, &error));
    assert_non_null(strstr(error->message, "no \"Group Memory\" counters for VM \"zeus\" (groups: "));
    assert_non_null(strstr(error->message, " more)"));
    g_clear_error(&error);
}

/* ---- bitbrains ------------------------------------------------------------------- */

/* 1.csv rows 1-2: 1034592.8 and 458575.47 KB used at 1372629804 and +300 s. */
static void test_trace_bitbrains_usage_is_active_and_memory_its_trailing_peak(void **state)
{
    (void)state;
    GError *error = NULL;
    g_autoptr(GArray) p = read_trace(BB_1, SIM_TRACE_AUTO, "ignored", NULL, &error);
    g_assert_no_error(error);
    assert_int_equal(p->len, 2017); /* every row of the shipped week */
    assert_true(near(pt(p, 0)->active_mb, 1034592.8 / 1024));
    assert_true(near(pt(p, 1)->active_mb, 458575.4666666667 / 1024));
    assert_true(pt(p, 1)->t_s == 300);
    assert_true(near(pt(p, 1)->memory_mb, 1034592.8 / 1024)); /* the peak a row before */
    for (guint i = 0; i < p->len; i++) {
        assert_true(pt(p, i)->memory_mb >= pt(p, i)->active_mb);
    }
    /* a day later the first peak has left the window */
    guint i = 0;
    while (pt(p, i)->t_s <= 86400 + 300) {
        i++;
    }
    double peak = 0;
    for (guint k = 0; k < p->len && pt(p, k)->t_s <= pt(p, i)->t_s; k++) {
        peak = pt(p, k)->t_s >= pt(p, i)->t_s - 86400 ? MAX(peak, pt(p, k)->active_mb) : peak;
    }
    assert_true(near(pt(p, i)->memory_mb, peak));
}

/* 45.csv starts with 1267 rows of zeros (no VM yet): skipped with a warning, times kept. */
static void test_trace_bitbrains_rows_without_provisioned_memory_are_skipped(void **state)
{
    (void)state;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    GError *error = NULL;
    g_autoptr(GArray) p = read_trace(BB_45, SIM_TRACE_BITBRAINS, "x", warnings, &error);
    g_assert_no_error(error);
    assert_true(pt(p, 0)->t_s == 1373011145.0 - 1372629804.0);
    assert_int_equal(warnings->len, 1);
    assert_non_null(strstr(g_ptr_array_index(warnings, 0), ": 1267 rows with no memory "
                                                           "provisioned skipped"));
}

/* ---- expansion -------------------------------------------------------------------- */

static GArray *points_of(const double (*v)[3], guint n)
{
    GArray *p = g_array_new(FALSE, FALSE, sizeof(SimTracePoint));
    for (guint i = 0; i < n; i++) {
        SimTracePoint x = {v[i][0], v[i][1], v[i][2]};
        g_array_append_val(p, x);
    }
    return p;
}

static const double steps[][3] = {{0, 100, 10}, {60, 200, 20}, {120, 200, 20}, {180, 5000, 30}};

static void test_trace_expand_starts_at_the_first_sample_and_skips_repeats(void **state)
{
    (void)state;
    g_autoptr(GArray) p = points_of(steps, 4);
    g_autoptr(GArray) phases = g_array_new(FALSE, FALSE, sizeof(SimPhase));
    SimTraceReplay rp = {.scale = 1, .duration = 10 * SIM_MIN, .room = (uint64_t)(1024 * MIB)};
    uint64_t memory = 0, active = 0;
    SimTraceStats st;
    GError *error = NULL;
    assert_true(sim_trace_expand(p, &rp, &memory, &active, phases, &st, &error));
    assert_true(memory == (uint64_t)(100 * MIB) && active == (uint64_t)(10 * MIB));
    assert_int_equal(phases->len, 2); /* 120 s repeats 60 s */
    const SimPhase *a = &g_array_index(phases, SimPhase, 0);
    const SimPhase *b = &g_array_index(phases, SimPhase, 1);
    assert_true(a->at == 60 * SIM_S && a->memory == (uint64_t)(200 * MIB));
    assert_true(b->at == 180 * SIM_S && b->memory == rp.room); /* clipped */
    assert_true(b->active == (uint64_t)(30 * MIB));
    assert_int_equal(st.clipped, 1);
    assert_true(st.peak_mb == 5000);
}

static void test_trace_expand_with_start_repeat_and_scale(void **state)
{
    (void)state;
    g_autoptr(GArray) p = points_of(steps, 4);
    g_autoptr(GArray) phases = g_array_new(FALSE, FALSE, sizeof(SimPhase));
    /* period = 180 + 60 s; start 90 s lies in the 60 s sample */
    SimTraceReplay rp = {.start = 90 * SIM_S, .repeat = true, .scale = 2,
                         .duration = 400 * SIM_S, .room = (uint64_t)(100000 * MIB)};
    uint64_t memory = 0, active = 0;
    SimTraceStats st;
    assert_true(sim_trace_expand(p, &rp, &memory, &active, phases, &st, NULL));
    assert_true(memory == (uint64_t)(400 * MIB) && active == (uint64_t)(40 * MIB));
    /* the second loop starts at 240 - 90 = 150 s, the third at 390 s */
    const SimTime want_at[] = {90 * SIM_S, 150 * SIM_S, 210 * SIM_S, 330 * SIM_S, 390 * SIM_S};
    const double want_mb[] = {10000, 200, 400, 10000, 200};
    assert_int_equal(phases->len, 5);
    for (guint i = 0; i < 5; i++) {
        assert_true(g_array_index(phases, SimPhase, i).at == want_at[i]);
        assert_true(g_array_index(phases, SimPhase, i).memory == (uint64_t)(want_mb[i] * MIB));
    }
}

static void test_trace_expand_rejects_a_start_after_the_end(void **state)
{
    (void)state;
    g_autoptr(GArray) p = points_of(steps, 4);
    g_autoptr(GArray) phases = g_array_new(FALSE, FALSE, sizeof(SimPhase));
    SimTraceReplay rp = {.start = SIM_HOUR, .scale = 1, .duration = SIM_HOUR, .room = 1 << 30};
    uint64_t memory = 0, active = 0;
    SimTraceStats st;
    GError *error = NULL;
    assert_false(sim_trace_expand(p, &rp, &memory, &active, phases, &st, &error));
    assert_string_equal(error->message, "start (3600s) is after the trace's last sample (at 180s)");
    g_clear_error(&error);
}

/* ---- the scenario keys -------------------------------------------------------------- */

static SimScenario *load_in(const char *dir, const char *json, GError **error)
{
    g_autofree char *path = g_build_filename(dir, "s.json", NULL);
    g_assert_true(g_file_set_contents(path, json, -1, NULL));
    return sim_scenario_load(path, error);
}

static void test_trace_scenario_path_is_relative_to_the_scenario_file(void **state)
{
    (void)state;
    const char *files[] = {"t.csv", csv_text, NULL};
    g_autofree char *dir = folder_with(files);
    GError *error = NULL;
    g_autoptr(SimScenario) sc = load_in(
        dir,
        "{\"duration\": \"3m\", \"host\": {\"memory\": \"8GiB\"}, \"vms\": ["
        "{\"name\": \"a\", \"memory\": \"2GiB\", \"workload\": {\"trace\": \"t.csv\","
        " \"touch_rate\": \"500/s\", \"phases\": [{\"at\": \"30s\", \"page_cache\": \"64MiB\"}]}},"
        "{\"name\": \"x\", \"memory\": \"1GiB\", \"workload\": {\"trace\": {\"file\": \"t.csv\","
        " \"vm\": \"b\", \"scale\": 0.5, \"repeat\": true}}}]}",
        &error);
    g_assert_no_error(error);
    const SimVmConfig *a = &g_array_index(sc->vms, SimVmConfig, 0);
    const SimVmConfig *x = &g_array_index(sc->vms, SimVmConfig, 1);
    g_autofree char *want = g_build_filename(dir, "t.csv", NULL);
    assert_string_equal(a->workload.trace, want);
    assert_true(a->workload.memory == (uint64_t)(512 * MIB));
    assert_true(a->workload.touch_rate == 500);
    /* the user's page-cache phase at 30 s, then the trace's at 60 and 120 s */
    assert_int_equal(a->workload.phases->len, 3);
    assert_true(g_array_index(a->workload.phases, SimPhase, 0).has_page_cache);
    assert_true(g_array_index(a->workload.phases, SimPhase, 2).memory ==
                (uint64_t)(1952 * MIB)); /* 3000 MiB clipped to 2 GiB - 96 MiB kernel */
    assert_true(x->workload.memory == (uint64_t)(50 * MIB) && x->workload.active == 5 * MIB);
    assert_int_equal(sc->warnings->len, 2); /* clipped; ends at 120 s of 180 s */
    assert_non_null(strstr(g_ptr_array_index(sc->warnings, 0),
                           "1 sample in the run asks for more memory than the VM can hold "
                           "(peak 3000 MiB, VM memory - guest kernel = 1952 MiB); clipped "
                           "(VM a, at /vms/0/workload/trace)"));
    test_rmtree(dir);
}

static void test_trace_scenario_errors_point_at_the_trace(void **state)
{
    (void)state;
    const char *files[] = {"t.csv", csv_text, NULL};
    g_autofree char *dir = folder_with(files);
    GError *error = NULL;
    assert_null(load_in(dir,
                        "{\"host\": {\"memory\": \"8GiB\"}, \"vms\": [{\"name\": \"a\", "
                        "\"memory\": \"2GiB\", \"workload\": {\"trace\": \"nope.csv\"}}]}",
                        &error));
    g_autofree char *want = g_strdup_printf("%s/s.json:1:92: error: cannot read trace %s/nope.csv: "
                                            "No such file or directory (at /vms/0/workload/trace)",
                                            dir, dir);
    assert_string_equal(error->message, want);
    assert_int_equal(sim_error_exit_code(error), 2);
    g_clear_error(&error);
    assert_null(load_in(dir,
                        "{\"host\": {\"memory\": \"8GiB\"}, \"vms\": [{\"name\": \"a\", "
                        "\"memory\": \"2GiB\", \"workload\": {\"memory\": \"1GiB\", "
                        "\"trace\": \"t.csv\"}}]}",
                        &error));
    assert_non_null(strstr(error->message, "error: workload memory cannot be combined with a "
                                           "trace, which drives memory and active (at "
                                           "/vms/0/workload/memory)"));
    g_clear_error(&error);
    test_rmtree(dir);
}

/* The shipped scenario reads the 24 shipped traces, next to it under data/. */
static void test_trace_bitbrains_scenario_loads_the_24_real_vms(void **state)
{
    (void)state;
    g_autofree char *path = test_source_path("scenarios/bitbrains.json");
    GError *error = NULL;
    g_autoptr(SimScenario) sc = sim_scenario_load(path, &error);
    g_assert_no_error(error);
    assert_int_equal(sc->vms->len, 24);
    const SimVmConfig *first = &g_array_index(sc->vms, SimVmConfig, 0);
    assert_true(g_str_has_suffix(first->workload.trace, "/data/bitbrains/rnd-2013-7/1.csv.gz"));
    assert_true(first->workload.active == (uint64_t)(floor(1034592.8 / 1024 * 256) * 4096));
    assert_true(sc->duration == 7 * SIM_DAY);
    int late = sim_scenario_find_vm(sc, "bb-45");
    assert_true(g_array_index(sc->vms, SimVmConfig, late).power_on == 381341 * SIM_S);
}

/* ---- what every reader refuses -------------------------------------------------- */

static const SimTraceFormat all_formats[] = {SIM_TRACE_AUTO, SIM_TRACE_CSV, SIM_TRACE_ESXTOP,
                                             SIM_TRACE_BITBRAINS};

/* The message of reading `path` in `format`, which must fail. */
static char *read_error(const char *path, SimTraceFormat format)
{
    GError *error = NULL;
    GArray *p = read_trace(path, format, "a", NULL, &error);
    if (p != NULL) {
        fail_msg("%s read in format %s without an error (%u points)", path,
                 sim_trace_format_to_string(format), p->len);
    }
    char *msg = g_strdup(error->message);
    g_error_free(error);
    return msg;
}

/* A FIFO would block, /dev/zero never ends, a directory is no text: each is refused by name. */
static void test_trace_non_regular_files_are_refused_in_every_format(void **state)
{
    (void)state;
    g_autofree char *dir = test_tmpdir();
    g_autofree char *fifo = g_build_filename(dir, "fifo.csv", NULL);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *const paths[] = {fifo, "/dev/zero", dir};
    const char *const why[] = {"not a regular file (a FIFO)", "not a regular file (a device)",
                               "Is a directory"};
    for (guint k = 0; k < G_N_ELEMENTS(paths); k++) {
        for (guint f = 0; f < G_N_ELEMENTS(all_formats); f++) {
            g_autofree char *msg = read_error(paths[k], all_formats[f]);
            g_autofree char *want = g_strdup_printf("cannot read trace %s: %s", paths[k], why[k]);
            assert_string_equal(msg, want);
        }
    }
    test_rmtree(dir);
}

/* Each format's empty file, header alone, and (csv, esxtop) no row for the VM. */
static const char *const empty_cases[][3] = {
    /* format, file text, the error after "PATH" */
    {"csv", "", ": empty trace (no header, no rows)"},
    {"csv", "\n \r\n# only a comment\n", ": empty trace (no header, no rows)"},
    {"csv", "time_s,vm,memory_mb,active_mb\r\n", ":1: the trace has a header but no rows"},
    {"csv", "0,b,1,1\n", ": no rows for VM \"a\" (the trace has \"b\")"},
    {"esxtop", "", ":1: empty file"},
    {"esxtop", "\r\n\r\n", ":1: empty file"},
    {"esxtop", "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Group Memory(1:a)\\Touched MBytes\",\n",
     ":1: the capture has a header but no samples"},
    {"esxtop",
     "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Group Memory(1:b)\\Touched MBytes\",\n"
     "\"01/01/2024 00:00:00\",\"1\",\n",
     ": no \"Group Memory\" counters for VM \"a\" (groups: \"1:b\")"},
    {"bitbrains", "", ": empty trace (no header, no rows)"},
    {"bitbrains",
     "Timestamp [ms];\tMemory capacity provisioned [KB];\tMemory usage [KB]\n",
     ":1: the trace has a header but no rows"},
    {"bitbrains",
     "Timestamp [ms];\tMemory capacity provisioned [KB];\tMemory usage [KB]\n1;\t0;\t0\n",
     ": no rows with memory provisioned"},
};

static SimTraceFormat format_named(const char *name)
{
    for (int f = 0; f < SIM_TRACE_FORMAT_MAX; f++) {
        if (strcmp(sim_trace_format_to_string(f), name) == 0) {
            return f;
        }
    }
    fail_msg("no format %s", name);
    return SIM_TRACE_AUTO;
}

static void test_trace_empty_traces_are_located_errors_in_every_format(void **state)
{
    (void)state;
    g_autofree char *dir = test_tmpdir();
    g_autofree char *path = g_build_filename(dir, "t", NULL);
    for (guint k = 0; k < G_N_ELEMENTS(empty_cases); k++) {
        g_assert_true(g_file_set_contents(path, empty_cases[k][1], -1, NULL));
        g_autofree char *msg = read_error(path, format_named(empty_cases[k][0]));
        g_autofree char *want = g_strconcat(path, empty_cases[k][2], NULL);
        assert_string_equal(msg, want);
    }
    test_rmtree(dir);
}

/* A NUL byte is an error naming its line and column, in every format. */
static void test_trace_a_nul_byte_is_an_error_naming_its_line(void **state)
{
    (void)state;
    static const char text[] = "time_s,vm,memory_mb,active_mb\n0,a,1,1\n60,a,2\0,1\n";
    g_autofree char *dir = test_tmpdir();
    g_autofree char *path = g_build_filename(dir, "t.csv", NULL);
    g_assert_true(g_file_set_contents(path, text, sizeof text - 1, NULL));
    for (guint f = 0; f < G_N_ELEMENTS(all_formats); f++) {
        g_autofree char *msg = read_error(path, all_formats[f]);
        g_autofree char *want =
            g_strdup_printf("%s:3: a NUL byte at column 7: not a text file", path);
        assert_string_equal(msg, want);
    }
    test_rmtree(dir);
}

/* Writes `text` gzip-compressed (what `gzip` writes), through GIO. */
static void write_gz(const char *path, const char *text)
{
    g_autoptr(GZlibCompressor) z = g_zlib_compressor_new(G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
    gsize len = strlen(text), cap = len + 1024, read = 0, written = 0;
    g_autofree char *out = g_malloc(cap);
    GConverterResult r = g_converter_convert(G_CONVERTER(z), text, len, out, cap,
                                             G_CONVERTER_INPUT_AT_END, &read, &written, NULL);
    assert_int_equal(r, G_CONVERTER_FINISHED);
    g_assert_true(g_file_set_contents(path, out, (gssize)written, NULL));
}

static const char esxtop_small[] =
    "\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Group Memory(1234567:a)\\Memory Size MBytes\","
    "\"\\\\h\\Group Memory(1234567:a)\\Memory Granted Size MBytes\","
    "\"\\\\h\\Group Memory(1234567:a)\\% Active Estimate\",\n"
    "\"01/01/2024 00:00:00\",\"1000\",\"900\",\"10\",\n"
    "\"01/01/2024 00:00:20\",\"1000\",\"950\",\"20\",\n";

/* The same points from a plain file and its .gz, in each format. */
static void test_trace_gzip_traces_are_read_in_every_format(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "time_s,vm,memory_mb,active_mb\n0,a,512,128\n60,a,1024,256\n", esxtop_small,
        "Timestamp [ms];\tMemory capacity provisioned [KB];\tMemory usage [KB]\n"
        "1000;\t1048576;\t102400\n1300;\t1048576;\t204800\n"};
    g_autofree char *dir = test_tmpdir();
    g_autofree char *plain = g_build_filename(dir, "t.txt", NULL);
    g_autofree char *gz = g_build_filename(dir, "t.txt.gz", NULL);
    for (guint k = 0; k < G_N_ELEMENTS(texts); k++) {
        g_assert_true(g_file_set_contents(plain, texts[k], -1, NULL));
        write_gz(gz, texts[k]);
        GError *error = NULL;
        g_autoptr(GArray) a = read_trace(plain, SIM_TRACE_AUTO, "a", NULL, &error);
        g_assert_no_error(error);
        g_autoptr(GArray) b = read_trace(gz, SIM_TRACE_AUTO, "a", NULL, &error);
        g_assert_no_error(error);
        assert_int_equal(a->len, 2);
        assert_int_equal(b->len, a->len);
        assert_memory_equal(a->data, b->data, a->len * sizeof(SimTracePoint));
        assert_true(pt(b, 1)->active_mb > pt(b, 0)->active_mb); /* values, not zeros */
    }
    test_rmtree(dir);
}

/* NaN, infinities, negative and too-large values: errors naming the line, in each format. */
static const char *const value_cases[][3] = {
    {"0,a,1,1\n60,a,inf,1\n", ":2: memory_mb \"inf\" is infinite", NULL},
    {"0,a,nan,1\n", ":1: memory_mb \"nan\" is not a number >= 0", NULL},
    {"0,a,1,-1\n", ":1: active_mb \"-1\" is not a number >= 0", NULL},
    {"0,a,1e300,1\n",
     ":1: memory_mb \"1e300\" is larger than 2^40 MiB (1 EiB), the largest a trace may hold",
     NULL},
    {"-infinity,a,1,1\n", ":1: time_s \"-infinity\" is not a number >= 0", NULL},
    {"1e300,a,1,1\n", NULL, NULL}, /* a time far away is no problem: it is never reached */
    {"Timestamp [ms];\tMemory capacity provisioned [KB];\tMemory usage [KB]\n1;\t1;\t-5\n",
     ":2: \"Memory usage [KB]\" is not a number >= 0", NULL},
    {"Timestamp [ms];\tMemory capacity provisioned [KB];\tMemory usage [KB]\n1;\t1;\t1e30\n",
     ":2: \"Memory usage [KB]\" is larger than 2^40 MiB (1 EiB), the largest a trace may hold",
     NULL},
    {"Timestamp [ms];\tMemory capacity provisioned [KB];\tMemory usage [KB]\nInf;\t1;\t1\n",
     ":2: \"Timestamp [ms]\" is infinite", NULL},
    /* found by fuzz-trace-auto: a skipped row (no memory provisioned) still
     * orders the rows, so a later, earlier row cannot give a negative time */
    {"Timestamp [ms];\tMemory capacity provisioned [KB];\tMemory usage [KB]\n7;\t0;\t6\n"
     "0;\t1;\t0\n",
     ":3: timestamp 0 is earlier than the row before", NULL},
    {"\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Group Memory(1:a)\\Touched MBytes\","
     "\"\\\\h\\Group Memory(1:a)\\Memory Granted Size MBytes\",\n"
     "\"01/01/2024 00:00:00\",\"1\",\"2\",\n\"01/01/2024 00:00:05\",\"1e300\",\"2\",\n",
     ":3: active memory 1e+300 MB is larger than 2^40 MiB (1 EiB), the largest a trace may "
     "hold",
     "esxtop"},
    {"\"(PDH-CSV 4.0) (UTC)(0)\",\"\\\\h\\Group Memory(1:a)\\Touched MBytes\","
     "\"\\\\h\\Group Memory(1:a)\\Memory Granted Size MBytes\",\n"
     "\"01/01/2024 00:00:00\",\"1\",\"-inf\",\n",
     ":2: granted memory -inf MB is not a number >= 0", "esxtop"},
};

static void test_trace_values_out_of_range_are_errors_naming_the_line(void **state)
{
    (void)state;
    g_autofree char *dir = test_tmpdir();
    g_autofree char *path = g_build_filename(dir, "t", NULL);
    for (guint k = 0; k < G_N_ELEMENTS(value_cases); k++) {
        g_assert_true(g_file_set_contents(path, value_cases[k][0], -1, NULL));
        SimTraceFormat f = value_cases[k][2] != NULL ? format_named(value_cases[k][2])
                                                     : SIM_TRACE_AUTO;
        if (value_cases[k][1] == NULL) {
            GError *error = NULL;
            g_autoptr(GArray) p = read_trace(path, f, "a", NULL, &error);
            g_assert_no_error(error);
            assert_true(pt(p, 0)->t_s == 1e300);
            continue;
        }
        g_autofree char *msg = read_error(path, f);
        g_autofree char *want = g_strconcat(path, value_cases[k][1], NULL);
        assert_string_equal(msg, want);
    }
    test_rmtree(dir);
}

/* A scale that takes memory past 2^64 bytes (or to infinity) clips to the room and counts it. */
static void test_trace_expand_a_huge_scale_clips_to_the_room(void **state)
{
    (void)state;
    g_autoptr(GArray) p = points_of(steps, 4);
    const double scales[] = {1e12, 1e300, G_MAXDOUBLE};
    for (guint k = 0; k < G_N_ELEMENTS(scales); k++) {
        g_autoptr(GArray) phases = g_array_new(FALSE, FALSE, sizeof(SimPhase));
        SimTraceReplay rp = {.scale = scales[k], .duration = 10 * SIM_MIN, .room = 1 << 30};
        uint64_t memory = 0, active = 0;
        SimTraceStats st;
        assert_true(sim_trace_expand(p, &rp, &memory, &active, phases, &st, NULL));
        assert_true(memory == rp.room && active == rp.room);
        assert_int_equal(phases->len, 0); /* every point is the room */
        assert_int_equal(st.clipped, 4);
        assert_true(st.peak_mb >= 5000 * 1e12);
    }
}

/* Through the loader: a huge scale gives the VM its room with a warning, never 0 memory. */
static void test_trace_scenario_with_a_huge_scale_warns_and_clips(void **state)
{
    (void)state;
    const char *files[] = {"t.csv", csv_text, NULL};
    g_autofree char *dir = folder_with(files);
    GError *error = NULL;
    g_autoptr(SimScenario) sc = load_in(
        dir,
        "{\"duration\": \"1m\", \"host\": {\"memory\": \"8GiB\"}, \"vms\": ["
        "{\"name\": \"a\", \"memory\": \"2GiB\", \"workload\": {\"trace\": {\"file\": "
        "\"t.csv\", \"scale\": 1e308}}}]}",
        &error);
    g_assert_no_error(error);
    const SimVmConfig *a = &g_array_index(sc->vms, SimVmConfig, 0);
    assert_true(a->workload.memory == (uint64_t)(1952 * MIB)); /* 2 GiB - 96 MiB kernel */
    assert_true(a->workload.active == a->workload.memory);
    assert_int_equal(sc->warnings->len, 1);
    assert_non_null(strstr(g_ptr_array_index(sc->warnings, 0), "1 sample in the run asks for "
                                                               "more memory than the VM can "
                                                               "hold"));
    test_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_csv_keeps_the_rows_of_the_named_vm),
        cmocka_unit_test(test_trace_csv_without_header_and_with_columns_in_any_order),
        cmocka_unit_test(test_trace_csv_errors_name_the_file_line_and_the_vms_it_has),
        cmocka_unit_test(test_trace_esxtop_active_from_percent_active_times_memory_size),
        cmocka_unit_test(test_trace_esxtop_without_active_estimate_uses_touched_with_a_warning),
        cmocka_unit_test(test_trace_esxtop_capture_without_vm_counters_is_an_error),
        cmocka_unit_test(test_trace_bitbrains_usage_is_active_and_memory_its_trailing_peak),
        cmocka_unit_test(test_trace_bitbrains_rows_without_provisioned_memory_are_skipped),
        cmocka_unit_test(test_trace_expand_starts_at_the_first_sample_and_skips_repeats),
        cmocka_unit_test(test_trace_expand_with_start_repeat_and_scale),
        cmocka_unit_test(test_trace_expand_rejects_a_start_after_the_end),
        cmocka_unit_test(test_trace_scenario_path_is_relative_to_the_scenario_file),
        cmocka_unit_test(test_trace_scenario_errors_point_at_the_trace),
        cmocka_unit_test(test_trace_bitbrains_scenario_loads_the_24_real_vms),
        cmocka_unit_test(test_trace_non_regular_files_are_refused_in_every_format),
        cmocka_unit_test(test_trace_empty_traces_are_located_errors_in_every_format),
        cmocka_unit_test(test_trace_a_nul_byte_is_an_error_naming_its_line),
        cmocka_unit_test(test_trace_gzip_traces_are_read_in_every_format),
        cmocka_unit_test(test_trace_values_out_of_range_are_errors_naming_the_line),
        cmocka_unit_test(test_trace_expand_a_huge_scale_clips_to_the_room),
        cmocka_unit_test(test_trace_scenario_with_a_huge_scale_warns_and_clips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
