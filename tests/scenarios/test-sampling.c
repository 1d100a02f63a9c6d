/*
 * Summaries do not depend on how often a run samples (issue 9 point 5): the
 * real binary runs one scenario at several sample intervals, and
 * summary.json's figures must agree; host.csv and vms.csv, read back, must
 * agree with summary.json where they describe the same quantity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "support/testutil.h"

/* 1 s, 20 s (the default), 10 min (the whole limit run, longer than the
 * default's: only its start and end are sampled), and 7 s, which divides
 * neither run. */
static const char *const intervals[] = {"1s", "20s", "10m", "7s"};
#define N_INTERVALS G_N_ELEMENTS(intervals)

/* limit.json over 10 minutes: its mean perf index was 0.63 sampled every
 * second and 0.81 every 10 minutes; an SLA of 0.7 lies between the two. */
static const char *const limit_sets[] = {"duration=10m", "sla.perf_index=0.7", NULL};
/* The default over its first 5 minutes: the boot storm, through every state. */
static const char *const default_sets[] = {"duration=5m", NULL};

typedef struct Run {
    char *tmp; /* removed by run_free */
    char *dir; /* the output directory */
    json_t *summary;
    double duration_s;
} Run;

/* Runs `scenario` (NULL: the built-in default) with the overrides and the
 * sample interval into a fresh directory, and reads its summary.json. */
static Run run_at(const char *scenario, const char *const *sets, const char *interval)
{
    Run r = {.tmp = test_tmpdir()};
    r.dir = g_build_filename(r.tmp, "out", NULL);
    g_autofree char *sample = g_strdup_printf("sample_interval=%s", interval);
    g_autofree char *path = scenario != NULL ? test_source_path(scenario) : NULL;
    GPtrArray *argv = g_ptr_array_new();
    const char *head[] = {"run", "--quiet", "-o", r.dir, "--set", sample};
    for (guint i = 0; i < G_N_ELEMENTS(head); i++) {
        g_ptr_array_add(argv, (gpointer)head[i]);
    }
    for (guint i = 0; sets[i] != NULL; i++) {
        g_ptr_array_add(argv, (gpointer) "--set");
        g_ptr_array_add(argv, (gpointer)sets[i]);
    }
    g_ptr_array_add(argv, path);
    g_ptr_array_add(argv, NULL);
    assert_int_equal(test_run_binary((const char *const *)argv->pdata, NULL, NULL), 0);
    g_ptr_array_unref(argv);
    g_autofree char *file = g_build_filename(r.dir, "summary.json", NULL);
    json_error_t jerr;
    r.summary = json_load_file(file, 0, &jerr);
    if (r.summary == NULL) {
        fail_msg("%s: %s", file, jerr.text);
    }
    r.duration_s = json_number_value(json_object_get(r.summary, "duration_s"));
    return r;
}

static void run_free(Run *r)
{
    json_decref(r->summary);
    test_rmtree(r->tmp);
    g_free(r->tmp);
    g_free(r->dir);
}

/* The rows of one CSV file of a run, split into cells (no quoted cells here). */
static GPtrArray *read_rows(const Run *r, const char *name)
{
    g_autofree char *path = g_build_filename(r->dir, name, NULL);
    g_autofree char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    for (guint i = 0; lines[i] != NULL; i++) {
        if (lines[i][0] != '\0') {
            g_ptr_array_add(rows, g_strsplit(lines[i], ",", -1));
        }
    }
    return rows;
}

static guint column(GPtrArray *rows, const char *name)
{
    char **header = g_ptr_array_index(rows, 0);
    for (guint c = 0; header[c] != NULL; c++) {
        if (strcmp(header[c], name) == 0) {
            return c;
        }
    }
    fail_msg("no column %s", name);
    return 0;
}

static const char *cell(GPtrArray *rows, guint row, guint col)
{
    return ((char **)g_ptr_array_index(rows, row))[col];
}

static double number(GPtrArray *rows, guint row, guint col)
{
    return g_ascii_strtod(cell(rows, row, col), NULL);
}

static char *dump(json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    char *copy = g_strdup(text);
    free(text);
    return copy;
}

/* Each scenario run once at every interval, shared by the tests (the runs
 * are the expensive part). */
typedef struct Runs {
    Run limit[N_INTERVALS];
    Run deflt[N_INTERVALS];
} Runs;

static int runs_setup(void **state)
{
    Runs *runs = g_new0(Runs, 1);
    for (guint k = 0; k < N_INTERVALS; k++) {
        runs->limit[k] = run_at("scenarios/limit.json", limit_sets, intervals[k]);
        runs->deflt[k] = run_at(NULL, default_sets, intervals[k]);
    }
    *state = runs;
    return 0;
}

static int runs_teardown(void **state)
{
    Runs *runs = *state;
    for (guint k = 0; k < N_INTERVALS; k++) {
        run_free(&runs->limit[k]);
        run_free(&runs->deflt[k]);
    }
    g_free(runs);
    return 0;
}

/*
 * Every figure summary.json takes from the model (each VM's mean object,
 * the SLA verdict, the host's times and peaks) is byte-identical at every
 * interval; the last rows of host.csv and vms.csv are at the duration.
 */
static void check_figures_agree(Run runs[N_INTERVALS])
{
    json_t *first = runs[0].summary;
    const char *paths[] = {"vms", "sla", "host"};
    for (guint k = 1; k < N_INTERVALS; k++) {
        for (guint p = 0; p < G_N_ELEMENTS(paths); p++) {
            json_t *a = json_object_get(first, paths[p]);
            json_t *b = json_object_get(runs[k].summary, paths[p]);
            if (strcmp(paths[p], "vms") == 0) {
                for (size_t vm = 0; vm < json_array_size(a); vm++) {
                    g_autofree char *ma = dump(json_object_get(json_array_get(a, vm), "mean"));
                    g_autofree char *mb = dump(json_object_get(json_array_get(b, vm), "mean"));
                    assert_string_equal(ma, mb);
                }
            } else {
                g_autofree char *ta = dump(a), *tb = dump(b);
                assert_string_equal(ta, tb);
            }
        }
    }
    for (guint k = 0; k < N_INTERVALS; k++) {
        const char *files[] = {"host.csv", "vms.csv"};
        for (guint f = 0; f < G_N_ELEMENTS(files); f++) {
            GPtrArray *rows = read_rows(&runs[k], files[f]);
            assert_true(number(rows, rows->len - 1, 0) == runs[k].duration_s);
            g_ptr_array_unref(rows);
        }
    }
}

static void test_sampling_limit_summary_is_the_same_at_every_interval(void **state)
{
    check_figures_agree(((Runs *)*state)->limit);
}

static void test_sampling_default_summary_is_the_same_at_every_interval(void **state)
{
    check_figures_agree(((Runs *)*state)->deflt);
}

/* The SLA verdict is the comparison of the run's perf index with the threshold. */
static void test_sampling_sla_verdict_follows_the_runs_perf_index(void **state)
{
    const Run *r = &((Runs *)*state)->limit[0];
    json_t *vm = json_array_get(json_object_get(r->summary, "vms"), 0);
    double perf = json_number_value(json_object_get(json_object_get(vm, "mean"), "perf_index"));
    double stall = json_number_value(json_object_get(json_object_get(vm, "mean"), "stall_pct"));
    json_t *sla = json_object_get(r->summary, "sla");
    assert_true(json_is_boolean(json_object_get(sla, "met")));
    assert_int_equal(json_is_true(json_object_get(sla, "met")), perf >= 0.7);
    assert_float_equal(perf + stall / 100.0, 1.0, 1e-4);
}

/*
 * host.csv's state column, each row standing for the second after it,
 * adds up to summary.json's time in each state within one interval; the
 * default's first 5 minutes pass through every state but low (the host
 * shares the Windows guests' boot zeroes before it would swap them, so it
 * no longer falls to low).
 */
static void test_sampling_host_csv_states_add_up_to_time_in_state(void **state)
{
    const Run *r = &((Runs *)*state)->deflt[0];
    GPtrArray *rows = read_rows(r, "host.csv");
    guint state_col = column(rows, "state");
    json_t *times = json_object_get(json_object_get(r->summary, "host"), "time_in_state_s");
    const char *key = NULL;
    json_t *value = NULL;
    guint states_seen = 0;
    json_object_foreach(times, key, value) {
        double from_rows = 0;
        for (guint i = 1; i + 1 < rows->len; i++) {
            double dt = number(rows, i + 1, 0) - number(rows, i, 0);
            from_rows += strcmp(cell(rows, i, state_col), key) == 0 ? dt : 0;
        }
        assert_float_equal(from_rows, json_number_value(value), 1.0);
        states_seen += from_rows > 0;
    }
    assert_int_equal(states_seen, 4); /* high, clear, soft, hard */
    g_ptr_array_unref(rows);
}

/* Sum over one VM's rows of value x the time the row stands for: a level
 * holds until the next row, a rate covers the interval before its row. */
static double weighted_mean(GPtrArray *rows, guint n_vms, guint vm, guint col, bool rate)
{
    double sum = 0, span = 0;
    for (guint i = 1 + vm; i + n_vms < rows->len; i += n_vms) {
        double dt = number(rows, i + n_vms, 0) - number(rows, i, 0);
        sum += dt * number(rows, rate ? i + n_vms : i, col);
        span += dt;
    }
    return sum / span;
}

/*
 * summary.json's means are the model's time-weighted means: sampled every
 * second (the model's grid) a level's mean is the rows' own; a rate's mean
 * is what moved over the run, so the rows give it at any interval.
 */
static void test_sampling_means_are_time_weighted_over_the_run(void **state)
{
    for (guint k = 0; k < N_INTERVALS; k++) {
        const Run *r = &((Runs *)*state)->deflt[k];
        bool fine = strcmp(intervals[k], "1s") == 0;
        GPtrArray *rows = read_rows(r, "vms.csv");
        json_t *vms = json_object_get(r->summary, "vms");
        guint n_vms = (guint)json_array_size(vms);
        for (guint vm = 0; vm < n_vms; vm++) {
            json_t *mean = json_object_get(json_array_get(vms, vm), "mean");
            const char *levels[] = {"consumed_mb", "mctlsz_mb", "swcur_mb", "guest_cache_mb"};
            for (guint c = 0; c < G_N_ELEMENTS(levels) && fine; c++) {
                double want = json_number_value(json_object_get(mean, levels[c]));
                assert_float_equal(weighted_mean(rows, n_vms, vm, column(rows, levels[c]), false),
                                   want, 0.01);
            }
            const char *rates[] = {"swr_mbps", "sww_mbps"};
            for (guint c = 0; c < G_N_ELEMENTS(rates); c++) {
                double want = json_number_value(json_object_get(mean, rates[c]));
                assert_float_equal(weighted_mean(rows, n_vms, vm, column(rows, rates[c]), true),
                                   want, 0.01);
            }
        }
        g_ptr_array_unref(rows);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sampling_limit_summary_is_the_same_at_every_interval),
        cmocka_unit_test(test_sampling_default_summary_is_the_same_at_every_interval),
        cmocka_unit_test(test_sampling_sla_verdict_follows_the_runs_perf_index),
        cmocka_unit_test(test_sampling_host_csv_states_add_up_to_time_in_state),
        cmocka_unit_test(test_sampling_means_are_time_weighted_over_the_run),
    };
    return cmocka_run_group_tests(tests, runs_setup, runs_teardown);
}
