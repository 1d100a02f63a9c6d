/*
 * `run --policy-trace FILE` (sim/out/trace.c, docs/model.md "Policy
 * trace") through the real binary: one JSON line per policy tick with
 * what the policy saw and decided; a policy with its own trace() writes
 * its own fields; FILE is never a user's file replaced by accident.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "support/testutil.h"

static int run_traced(const char *dir, const char *trace, const char *policy)
{
    g_autofree char *scenario = test_source_path("scenarios/limit.json");
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    const char *argv[] = {"run",          "--quiet", "--set", "duration=10s", "-o",   out,
                          "--policy-trace", trace,   scenario, "--policy",    policy, NULL};
    char *text = NULL;
    char *err = NULL;
    int rc = test_run_binary(argv, &text, &err);
    print_message("%s", err);
    g_free(text);
    g_free(err);
    return rc;
}

/* The trace's lines, each parsed. */
static GPtrArray *trace_lines(const char *path)
{
    g_autofree char *text = NULL;
    assert_true(g_file_get_contents(path, &text, NULL, NULL));
    GPtrArray *lines = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
    g_auto(GStrv) rows = g_strsplit(text, "\n", -1);
    for (guint i = 0; rows[i] != NULL && rows[i][0] != '\0'; i++) {
        json_t *line = json_loads(rows[i], 0, NULL);
        assert_non_null(line);
        g_ptr_array_add(lines, line);
    }
    return lines;
}

static double num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

/* esxi ticks every second: 11 lines over 0..10 s; the 32 GiB VM with its
 * 12 GiB limit is told to balloon 20 GiB from the first tick, and the
 * balloon it reports grows line by line. */
static void test_esxi_trace_has_a_line_per_tick_in_esxtop_names(void **state)
{
    (void)state;
    g_autofree char *dir = test_tmpdir();
    g_autofree char *trace = g_build_filename(dir, "trace.jsonl", NULL);
    assert_int_equal(run_traced(dir, trace, "esxi"), 0);
    g_autoptr(GPtrArray) lines = trace_lines(trace);
    assert_int_equal(lines->len, 11);
    double balloon = -1.0;
    for (guint i = 0; i < lines->len; i++) {
        json_t *line = lines->pdata[i];
        assert_true(num(line, "time_s") == (double)i);
        assert_string_equal(json_string_value(json_object_get(line, "policy")), "esxi");
        json_t *vm = json_array_get(json_object_get(line, "vms"), 0);
        assert_string_equal(json_string_value(json_object_get(vm, "vm")), "app");
        assert_true(num(json_object_get(vm, "decided"), "mctltgt_mb") == 20480.0);
        double now = num(json_object_get(vm, "seen"), "mctlsz_mb");
        assert_true(now > balloon || (i == 0 && now == 0.0));
        balloon = now;
    }
    test_rmtree(dir);
}

/* The example plug-in's trace() fields, after the engine's time_s and policy. */
static void test_plugin_trace_writes_its_own_fields(void **state)
{
    (void)state;
    g_autofree char *dir = test_tmpdir();
    g_autofree char *trace = g_build_filename(dir, "trace.jsonl", NULL);
    assert_int_equal(run_traced(dir, trace, EXAMPLE_PLUGIN), 0);
    g_autoptr(GPtrArray) lines = trace_lines(trace);
    assert_int_equal(lines->len, 3); /* every 5 s */
    json_t *last = lines->pdata[2];
    assert_string_equal(json_string_value(json_object_get(last, "policy")), "free-target");
    assert_true(num(last, "tick") == 3.0);
    assert_true(num(last, "goal_mb") == 13107.2); /* 10% of the 128 GiB host */
    test_rmtree(dir);
}

/* A file that is not a trace stays as it was (exit 2, no output folder);
 * a previous trace is replaced; a folder is refused. */
static void test_trace_never_replaces_a_users_file(void **state)
{
    (void)state;
    g_autofree char *dir = test_tmpdir();
    g_autofree char *notes = g_build_filename(dir, "notes.txt", NULL);
    assert_true(g_file_set_contents(notes, "my notes\n", -1, NULL));
    assert_int_equal(run_traced(dir, notes, "esxi"), 2);
    g_autofree char *kept = NULL;
    assert_true(g_file_get_contents(notes, &kept, NULL, NULL));
    assert_string_equal(kept, "my notes\n");
    g_autofree char *out = g_build_filename(dir, "out", NULL);
    assert_false(g_file_test(out, G_FILE_TEST_EXISTS));
    g_autofree char *trace = g_build_filename(dir, "trace.jsonl", NULL);
    assert_int_equal(run_traced(dir, trace, "esxi"), 0);
    assert_int_equal(run_traced(dir, trace, "esxi"), 0); /* a trace is replaced */
    assert_int_equal(run_traced(dir, dir, "esxi"), 2);
    g_autofree char *names = test_list_dir(dir);
    assert_string_equal(names, "notes.txt out trace.jsonl"); /* no partial file left */
    test_rmtree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esxi_trace_has_a_line_per_tick_in_esxtop_names),
        cmocka_unit_test(test_plugin_trace_writes_its_own_fields),
        cmocka_unit_test(test_trace_never_replaces_a_users_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
