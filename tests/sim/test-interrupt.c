/* sim/interrupt.c: a caught SIGINT or SIGTERM stops the run and the
 * writers at their next check, and the process then dies of it. The flag
 * is process-wide and stays set, so each test runs in a child process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/error.h"
#include "sim/interrupt.h"
#include "sim/out/outdir.h"
#include "support/model.h"
#include "support/testutil.h"

/* Runs fn in a child; returns its wait status. */
static int in_child(int (*fn)(const char *dir), const char *dir)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        _exit(fn(dir));
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

/* Exit codes of the children: 0 when every check held, else the check's number. */
static int child_run_stops_at_the_signal(const char *dir)
{
    (void)dir;
    TestModel *m = test_model_new("{\"duration\": \"2h\", \"host\": {\"memory\": \"8GiB\"},"
                                  " \"vms\": [{\"name\": \"a\", \"memory\": \"1GiB\"}]}");
    sim_interrupt_catch();
    sim_run_until(m->run, 10 * SIM_MIN);
    if (sim_run_now(m->run) < 10 * SIM_MIN - SIM_S) {
        return 1; /* no signal yet: the run goes on */
    }
    raise(SIGTERM);
    GError *error = NULL;
    if (sim_run_execute(m->run, &error) || error == NULL) {
        return 2;
    }
    if (strcmp(error->message, "interrupted by SIGTERM") != 0 ||
        sim_run_now(m->run) > 10 * SIM_MIN + SIM_S) {
        return 3; /* it stopped at the next event, not at the end (2 h) */
    }
    g_error_free(error);
    test_model_free(m);
    return sim_interrupt_signal() == SIGTERM ? 0 : 4;
}

static void test_interrupt_stops_the_run_at_the_next_event(void **state)
{
    (void)state;
    int status = in_child(child_run_stops_at_the_signal, NULL);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* A commit after the signal puts nothing in place and the staging goes. */
static int child_commit_refuses_after_the_signal(const char *dir)
{
    g_autofree char *out_dir = g_build_filename(dir, "out", NULL);
    SimOutdir *out = sim_outdir_new(out_dir, SIM_OUTDIR_DEFAULT, NULL);
    const char *stage = out != NULL ? sim_outdir_stage(out, NULL) : NULL;
    if (stage == NULL) {
        return 1;
    }
    sim_interrupt_catch();
    raise(SIGINT);
    GError *error = NULL;
    if (sim_outdir_commit(out, &error) || strcmp(error->message, "interrupted by SIGINT") != 0) {
        return 2;
    }
    g_error_free(error);
    sim_outdir_free(out);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *left = d != NULL ? g_dir_read_name(d) : "?";
    int code = left == NULL ? 0 : 3; /* neither DIR nor its staging directory */
    if (d != NULL) {
        g_dir_close(d);
    }
    return code;
}

static void test_interrupt_commit_leaves_nothing(void **state)
{
    (void)state;
    g_autofree char *tmp = test_tmpdir();
    int status = in_child(child_commit_refuses_after_the_signal, tmp);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    test_rmtree(tmp);
}

/* After cleaning up, the process dies of the signal it caught. */
static int child_reraises(const char *dir)
{
    (void)dir;
    sim_interrupt_reraise(); /* nothing caught: returns */
    sim_interrupt_catch();
    raise(SIGTERM);
    if (sim_interrupt_signal() != SIGTERM) {
        return 1;
    }
    sim_interrupt_reraise();
    return 2; /* not reached */
}

static void test_interrupt_reraise_ends_the_process_by_the_signal(void **state)
{
    (void)state;
    int status = in_child(child_reraises, NULL);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGTERM);
}

/* A signal ignored at start (a background job of a non-interactive shell)
 * stays ignored: the handler is not installed over it. */
static int child_keeps_an_ignored_signal(const char *dir)
{
    (void)dir;
    signal(SIGINT, SIG_IGN);
    sim_interrupt_catch();
    raise(SIGINT);
    return sim_interrupt_signal() == 0 ? 0 : 1;
}

static void test_interrupt_keeps_an_ignored_signal_ignored(void **state)
{
    (void)state;
    int status = in_child(child_keeps_an_ignored_signal, NULL);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_interrupt_stops_the_run_at_the_next_event),
        cmocka_unit_test(test_interrupt_commit_leaves_nothing),
        cmocka_unit_test(test_interrupt_reraise_ends_the_process_by_the_signal),
        cmocka_unit_test(test_interrupt_keeps_an_ignored_signal_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
