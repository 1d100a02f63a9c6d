/* `reclaimsim explain` on runs the real binary makes (issue 12 point 6):
 * each cause it names, checked against the run's own summary.json and
 * vms.csv, and its one-line errors on directories that are not a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "support/testutil.h"

/* A run the real binary made, for explain to read. */
typedef struct Run {
    char *tmp; /* a fresh temporary folder, removed by run_free() */
    char *out; /* TMP/out, the run's outputs */
} Run;

/* Runs `scenario` (under the source tree) into a fresh TMP/out with `set`
 * (or NULL). */
static Run *run_new(const char *scenario, const char *set)
{
    Run *run = g_new0(Run, 1);
    run->tmp = test_tmpdir();
    run->out = g_build_filename(run->tmp, "out", NULL);
    g_autofree char *path = test_source_path(scenario);
    const char *argv[] = {"run", "--quiet", "-o", run->out, path,
                          set != NULL ? "--set" : NULL, set, NULL};
    assert_int_equal(test_run_binary(argv, NULL, NULL), 0);
    return run;
}

static void run_free(Run *run)
{
    test_rmtree(run->tmp);
    g_free(run->tmp);
    g_free(run->out);
    g_free(run);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Run, run_free)

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    if (root == NULL) {
        fail_msg("not JSON: %s", jerr.text);
    }
    return root;
}

/* `explain --json OUT VM`, parsed: its one VM. */
static json_t *explain_vm(const Run *run, const char *vm)
{
    g_autofree char *out = NULL;
    const char *argv[] = {"explain", "--json", run->out, vm, NULL};
    assert_int_equal(test_run_binary(argv, &out, NULL), 0);
    json_t *root = parse(out);
    json_t *vms = json_object_get(root, "vms");
    assert_int_equal(json_array_size(vms), 1);
    json_t *one = json_incref(json_array_get(vms, 0));
    json_decref(root);
    return one;
}

/* summary.json's entry of VM `name`. */
static json_t *summary_vm(const Run *run, const char *name)
{
    g_autofree char *path = g_build_filename(run->out, "summary.json", NULL);
    json_t *root = json_load_file(path, 0, NULL);
    assert_non_null(root);
    json_t *vms = json_object_get(root, "vms"), *found = NULL;
    for (size_t i = 0; i < json_array_size(vms); i++) {
        json_t *vm = json_array_get(vms, i);
        if (strcmp(json_string_value(json_object_get(vm, "name")), name) == 0) {
            found = json_incref(vm);
        }
    }
    json_decref(root);
    assert_non_null(found);
    return found;
}

/* One VM of a run: what explain says of it and its summary.json entry, to
 * check the one against the other. */
typedef struct Vm {
    json_t *explained; /* explain_vm() */
    json_t *summary;   /* summary_vm() */
} Vm;

static Vm vm_of(const Run *run, const char *name)
{
    return (Vm){explain_vm(run, name), summary_vm(run, name)};
}

static void vm_clear(Vm *vm)
{
    json_decref(vm->explained);
    json_decref(vm->summary);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Vm, vm_clear)

/* The cause named `cause` of an explained VM, or NULL. */
static json_t *cause_of(json_t *vm, const char *cause)
{
    json_t *causes = json_object_get(vm, "causes");
    for (size_t i = 0; i < json_array_size(causes); i++) {
        json_t *c = json_array_get(causes, i);
        if (strcmp(json_string_value(json_object_get(c, "cause")), cause) == 0) {
            return c;
        }
    }
    return NULL;
}

/* The cause named `cause` of an explained VM; fails the test when it is not there. */
static json_t *must_cause(json_t *vm, const char *cause)
{
    json_t *c = cause_of(vm, cause);
    if (c == NULL) {
        fail_msg("no cause \"%s\"", cause);
    }
    return c;
}

static double num(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(json_object_get(o, a), b);
    assert_true(json_is_number(v));
    return json_number_value(v);
}

/* The seed's question: a 32 GiB VM with a 12 GiB limit is ballooned 20 GiB. */
static void test_explain_names_the_limit_with_its_20_gib(void **state)
{
    (void)state;
    g_autoptr(Run) run = run_new("scenarios/limit.json", "duration=15m");
    g_auto(Vm) app = vm_of(run, "app");
    json_t *limit = must_cause(app.explained, "limit");
    double floor = num(app.summary, "config", "memory_mb") - num(app.summary, "config", "limit_mb");
    assert_true(floor == 20480.0);
    assert_true(num(limit, "facts", "floor_mb") == floor);
    /* the balloon it reports is the run's own peak, and it reached the floor */
    double balloon = num(json_object_get(app.explained, "lost_mb"), "balloon", "peak");
    assert_true(fabs(balloon - num(app.summary, "max", "mctlsz_mb")) < 0.01);
    assert_true(balloon >= floor - 1);
    assert_null(cause_of(app.explained, "unknown"));
    g_autofree char *text = NULL;
    const char *argv[] = {"explain", run->out, NULL};
    assert_int_equal(test_run_binary(argv, &text, NULL), 0);
    assert_non_null(strstr(text, "- limit: its limit is 12288 MiB (12.0 GiB) of 32768 MiB (32.0 GiB)"));
    assert_non_null(strstr(text, "20480 MiB (20.0 GiB)"));
}

/* Under a policy of another hypervisor (kvm-mom on a KVM host) the ESX
 * states and scheduler target did not drive the balloon: explain says the
 * policy's own rules did, and does not read "high" as "no pressure". */
static void test_explain_names_the_policy_rules_on_a_kvm_host(void **state)
{
    (void)state;
    g_autoptr(Run) run = run_new("scenarios/default.json", "host.policy=kvm-mom");
    g_auto(Vm) web = vm_of(run, "web-1");
    g_autofree char *path = g_build_filename(run->out, "summary.json", NULL);
    json_t *summary = json_load_file(path, 0, NULL);
    assert_non_null(summary);
    json_t *host_config = json_object_get(json_object_get(summary, "host"), "config");
    assert_string_equal(json_string_value(json_object_get(host_config, "host_model")), "linux");
    json_decref(summary);
    assert_true(num(json_object_get(web.explained, "lost_mb"), "balloon", "peak") > 0);
    json_t *rules = must_cause(web.explained, "policy-rules");
    assert_non_null(strstr(json_string_value(json_object_get(rules, "text")), "kvm-mom"));
    assert_null(cause_of(web.explained, "unknown"));
    json_t *state_cause = cause_of(web.explained, "host-state");
    if (state_cause != NULL) {
        assert_null(strstr(json_string_value(json_object_get(state_cause, "text")),
                           "did not drive it"));
    }
}

/* Without a driver the host swaps and compresses instead of ballooning. */
static void test_explain_says_a_vm_without_a_driver_was_swapped(void **state)
{
    (void)state;
    g_autoptr(Run) run = run_new("tests/scenarios/explain/nodriver.json", NULL);
    g_auto(Vm) bare = vm_of(run, "bare");
    json_t *web = explain_vm(run, "web-1");
    json_t *c = must_cause(bare.explained, "no-balloon-driver");
    assert_true(
        json_is_false(json_object_get(json_object_get(bare.summary, "config"), "balloon_driver")));
    assert_true(num(c, "facts", "swcur_peak_mb") > 100);
    double swapped = num(bare.summary, "max", "swcur_mb");
    assert_true(fabs(num(c, "facts", "swcur_peak_mb") - swapped) < 0.01);
    assert_true(fabs(num(c, "facts", "zip_peak_mb") - num(bare.summary, "max", "zip_mb")) < 0.01);
    assert_true(num(json_object_get(bare.explained, "lost_mb"), "balloon", "peak") == 0.0);
    assert_null(cause_of(web, "no-balloon-driver"));
    json_decref(web);
}

/* Under hyperv-dm a VM without the driver boots with Startup RAM and keeps
 * it: its balloon is memory it never got, and explain says so. */
static void test_explain_says_a_vm_without_a_driver_kept_its_startup_ram(void **state)
{
    (void)state;
    g_autoptr(Run) run = run_new("tests/scenarios/explain/nodriver.json", "host.policy=hyperv-dm");
    g_auto(Vm) bare = vm_of(run, "bare");
    json_t *c = must_cause(bare.explained, "no-balloon-driver");
    double balloon = num(json_object_get(bare.explained, "lost_mb"), "balloon", "peak");
    print_message("bare: balloon peak %.0f MiB\n", balloon);
    assert_true(fabs(balloon - 4096.0) < 0.01); /* Startup: half of 8 GiB */
    assert_true(fabs(num(c, "facts", "mctlsz_peak_mb") - balloon) < 0.01);
    assert_non_null(strstr(json_string_value(json_object_get(c, "text")), "Startup RAM"));
    assert_true(fabs(num(bare.summary, "final", "mctlsz_mb") - 4096.0) < 0.01);
}

/* A VM whose reservation covers what it holds loses nothing under pressure. */
static void test_explain_says_the_reservation_protected_a_vm(void **state)
{
    (void)state;
    g_autoptr(Run) run = run_new("tests/scenarios/explain/reservation.json", NULL);
    g_auto(Vm) db = vm_of(run, "db");
    json_t *c = must_cause(db.explained, "reservation-protected");
    assert_true(num(c, "facts", "pressed_s") > 60);
    assert_true(num(c, "facts", "reservation_mb") == num(db.summary, "config", "reservation_mb"));
    assert_true(fabs(num(c, "facts", "consumed_peak_mb") - num(db.summary, "max", "consumed_mb")) <
                0.01);
    assert_true(num(db.summary, "max", "mctlsz_mb") + num(db.summary, "max", "swcur_mb") +
                    num(db.summary, "max", "zip_mb") ==
                0.0);
    assert_true(json_number_value(json_object_get(db.explained, "taken_peak_mb")) == 0.0);
}

/* An idle VM next to busy ones: the idle tax, its active memory far below what it held. */
static void test_explain_names_the_idle_tax_of_an_idle_vm(void **state)
{
    (void)state;
    g_autoptr(Run) run = run_new("tests/scenarios/explain/idle.json", NULL);
    g_auto(Vm) idle = vm_of(run, "idle");
    json_t *busy = explain_vm(run, "busy-1");
    json_t *c = must_cause(idle.explained, "idle-tax");
    double held = num(c, "facts", "held_mb"), active = num(c, "facts", "active_mb");
    assert_true(held <= num(idle.summary, "max", "consumed_mb") + 0.01);
    assert_true(active < 0.5 * held);
    assert_true(num(c, "facts", "others_active_pct") > 50);
    assert_non_null(cause_of(idle.explained, "scheduler"));
    assert_null(cause_of(busy, "idle-tax"));
    /* it lost more than a busy VM */
    assert_true(json_number_value(json_object_get(idle.explained, "taken_final_mb")) >
                json_number_value(json_object_get(busy, "taken_final_mb")));
    json_decref(busy);
}

/* Runs explain with `args` and returns its stderr, checking exit code 2 and one line. */
static char *explain_error(const char *a, const char *b)
{
    g_autofree char *out = NULL;
    char *err = NULL;
    const char *argv[] = {"explain", a, b, NULL};
    assert_int_equal(test_run_binary(argv, &out, &err), 2);
    assert_string_equal(out, "");
    assert_non_null(strchr(err, '\n'));
    assert_true(strchr(err, '\n')[1] == '\0');
    return err;
}

static void test_explain_errors_are_one_line_with_exit_2(void **state)
{
    (void)state;
    g_autoptr(Run) run = run_new("tests/scenarios/explain/nodriver.json", "duration=2m");
    g_autofree char *missing = g_build_filename(run->tmp, "nope", NULL);
    g_autofree char *e1 = explain_error(missing, NULL);
    assert_non_null(strstr(e1, "nope: error:"));
    g_autofree char *e2 = explain_error(run->out, "nosuch");
    assert_non_null(strstr(e2, "no VM \"nosuch\""));
    assert_non_null(strstr(e2, "(its VMs: bare, web-1, web-2)"));
    /* a run interrupted while writing vms.csv: its last line cut short */
    g_autofree char *vms = g_build_filename(run->out, "vms.csv", NULL);
    g_autofree char *text = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(vms, &text, &len, NULL));
    assert_true(g_file_set_contents(vms, text, (gssize)len - 40, NULL));
    g_autofree char *e3 = explain_error(run->out, NULL);
    assert_non_null(strstr(e3, "vms.csv:"));
    assert_non_null(strstr(e3, ": error: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explain_names_the_limit_with_its_20_gib),
        cmocka_unit_test(test_explain_names_the_policy_rules_on_a_kvm_host),
        cmocka_unit_test(test_explain_says_a_vm_without_a_driver_was_swapped),
        cmocka_unit_test(test_explain_says_a_vm_without_a_driver_kept_its_startup_ram),
        cmocka_unit_test(test_explain_says_the_reservation_protected_a_vm),
        cmocka_unit_test(test_explain_names_the_idle_tax_of_an_idle_vm),
        cmocka_unit_test(test_explain_errors_are_one_line_with_exit_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
