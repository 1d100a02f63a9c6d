/*
 * Progress on a terminal (docs/design.md section 4, issue 5 part 5), through the
 * real binary: with stderr on a pseudo-terminal a run longer than a second
 * shows "P%  sim H:MM:SS of H:MM:SS  Nx real time  ETA H:MM:SS" and clears
 * the line at the end; nothing with --quiet, nothing when stderr is a pipe,
 * nothing for a run shorter than a second.
 *
 * The long runs are the first 20 minutes of the built-in default (its boot
 * storm: about 3 s here, 15 s under the sanitizers), the shortest run that
 * is reliably longer than a second.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/testutil.h"

/* Runs the binary with stderr on a new pseudo-terminal and stdout on
 * /dev/null; returns the exit code and everything written to the terminal. */
#define LONG_RUN "duration=20m"
#define LONG_RUN_S 1200

static int run_on_pty(const char *const *argv, char **text)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(master >= 0);
    assert_int_equal(grantpt(master), 0);
    assert_int_equal(unlockpt(master), 0);
    char *slave_name = g_strdup(ptsname(master));
    assert_non_null(slave_name);
    GPtrArray *args = g_ptr_array_new();
    g_ptr_array_add(args, (gpointer)RECLAIMSIM_BIN);
    for (const char *const *a = argv; *a != NULL; a++) {
        g_ptr_array_add(args, (gpointer)*a);
    }
    g_ptr_array_add(args, NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setsid(); /* the pty becomes the controlling terminal of a new session */
        int slave = open(slave_name, O_RDWR);
        int null = open("/dev/null", O_WRONLY);
        if (slave < 0 || null < 0 || dup2(slave, STDERR_FILENO) < 0 ||
            dup2(null, STDOUT_FILENO) < 0) {
            _exit(126);
        }
        close(master);
        execv(RECLAIMSIM_BIN, (char **)args->pdata);
        _exit(127);
    }
    g_ptr_array_free(args, TRUE);
    g_free(slave_name);
    /* Read until the child closes the terminal (read fails with EIO). */
    GString *out = g_string_new(NULL);
    char buf[4096];
    for (;;) {
        ssize_t n = read(master, buf, sizeof buf);
        if (n > 0) {
            g_string_append_len(out, buf, n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            break;
        }
    }
    close(master);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    *text = g_string_free(out, FALSE);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The lines a terminal ends up showing: "\r" returns to column 0 and later
 * characters overwrite earlier ones; trailing blanks are dropped. */
static GPtrArray *screen_lines(const char *text)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    GString *line = g_string_new(NULL);
    gsize col = 0;
    for (const char *c = text;; c++) {
        if (*c == '\0' || *c == '\n') {
            while (line->len > 0 && line->str[line->len - 1] == ' ') {
                g_string_truncate(line, line->len - 1);
            }
            if (*c == '\n' || line->len > 0) {
                g_ptr_array_add(lines, g_strdup(line->str));
            }
            g_string_truncate(line, 0);
            col = 0;
            if (*c == '\0') {
                break;
            }
        } else if (*c == '\r') {
            col = 0;
        } else {
            if (col < line->len) {
                line->str[col] = *c;
            } else {
                g_string_append_c(line, *c);
            }
            col++;
        }
    }
    g_string_free(line, TRUE);
    return lines;
}

static double hms(const GMatchInfo *m, int first)
{
    double s = 0;
    for (int i = 0; i < 3; i++) {
        char *part = g_match_info_fetch(m, first + i);
        s = s * 60 + g_ascii_strtod(part, NULL);
        g_free(part);
    }
    return s;
}

/* Checks every frame drawn (the text between carriage returns) and returns
 * their number: percent and simulated time grow, they agree with each other
 * and with the total, the speed is positive. */
static guint check_frames(const char *text, double total_s)
{
    GRegex *re = g_regex_new("^ *([0-9]+\\.[0-9])%  sim ([0-9]+):([0-9]{2}):([0-9]{2}) of "
                             "([0-9]+):([0-9]{2}):([0-9]{2})  ([0-9]+)x real time  "
                             "ETA ([0-9]+):([0-9]{2}):([0-9]{2}) *$",
                             0, 0, NULL);
    assert_non_null(re);
    char **frames = g_strsplit_set(text, "\r\n", -1);
    guint n = 0;
    double last_pct = 0;
    for (char **f = frames; *f != NULL; f++) {
        if (strspn(*f, " ") == strlen(*f)) {
            continue; /* the clearing blanks */
        }
        GMatchInfo *m = NULL;
        if (!g_regex_match(re, *f, 0, &m)) {
            fail_msg("not a progress frame: \"%s\"", *f);
        }
        char *pct_text = g_match_info_fetch(m, 1);
        char *speed_text = g_match_info_fetch(m, 8);
        double pct = g_ascii_strtod(pct_text, NULL);
        double sim = hms(m, 2);
        assert_true(pct > 0 && pct <= 100 && pct >= last_pct);
        assert_true(hms(m, 5) == total_s);
        assert_true(fabs(sim - pct / 100 * total_s) <= 0.001 * total_s + 1);
        assert_true(g_ascii_strtod(speed_text, NULL) >= 1);
        last_pct = pct;
        n++;
        g_free(pct_text);
        g_free(speed_text);
        g_match_info_free(m);
    }
    g_strfreev(frames);
    g_regex_unref(re);
    return n;
}

static void test_progress_on_a_terminal_shows_time_speed_eta_then_clears(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *out = g_build_filename(dir, "out", NULL);
    const char *argv[] = {"run", "-o", out, "--set", LONG_RUN, NULL};
    char *text = NULL;
    gint64 start = g_get_monotonic_time();
    assert_int_equal(run_on_pty(argv, &text), 0);
    double wall = (double)(g_get_monotonic_time() - start) / 1e6;
    assert_true(wall > 1.0); /* else this run proves nothing */
    assert_true(check_frames(text, LONG_RUN_S) >= 1);
    assert_true(g_str_has_suffix(text, "\r")); /* the clearing ends at column 0 */
    GPtrArray *lines = screen_lines(text);
    assert_int_equal(lines->len, 0); /* nothing left on the screen */
    assert_true(g_file_test(out, G_FILE_TEST_IS_DIR));
    g_ptr_array_unref(lines);
    g_free(text);
    g_free(out);
    test_rmtree(dir);
    g_free(dir);
}

static void test_progress_is_silent_with_quiet_on_a_terminal(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *out = g_build_filename(dir, "out", NULL);
    const char *argv[] = {"run", "--quiet", "-o", out, "--set", LONG_RUN, NULL};
    char *text = NULL;
    assert_int_equal(run_on_pty(argv, &text), 0);
    assert_string_equal(text, "");
    assert_true(g_file_test(out, G_FILE_TEST_IS_DIR));
    g_free(text);
    g_free(out);
    test_rmtree(dir);
    g_free(dir);
}

static void test_progress_is_silent_when_stderr_is_a_pipe(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *out = g_build_filename(dir, "out", NULL);
    const char *argv[] = {"run", "-o", out, "--set", LONG_RUN, NULL};
    char *stdout_text = NULL;
    char *stderr_text = NULL;
    assert_int_equal(test_run_binary(argv, &stdout_text, &stderr_text), 0);
    assert_string_equal(stderr_text, "");
    assert_non_null(strstr(stdout_text, "default: policy")); /* the summary still prints */
    g_free(stdout_text);
    g_free(stderr_text);
    g_free(out);
    test_rmtree(dir);
    g_free(dir);
}

static void test_progress_is_silent_for_a_run_under_a_second(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *out = g_build_filename(dir, "out", NULL);
    char *scenario = test_source_path("scenarios/limit.json");
    const char *argv[] = {"run", "-o", out, "--set", "duration=1m", scenario, NULL};
    char *text = NULL;
    gint64 start = g_get_monotonic_time();
    assert_int_equal(run_on_pty(argv, &text), 0);
    double wall = (double)(g_get_monotonic_time() - start) / 1e6;
    /* On a loaded machine even this run may last over a second, and then it may show. */
    if (wall < 0.9) {
        assert_string_equal(text, "");
    }
    g_free(scenario);
    g_free(text);
    g_free(out);
    test_rmtree(dir);
    g_free(dir);
}

static void test_progress_is_cleared_before_an_error_message(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *file = g_build_filename(dir, "file", NULL);
    /* The run completes with progress shown; plotting it then fails (a DIR
     * that cannot be written is refused before the run, without progress). */
    g_setenv("RECLAIMSIM_GNUPLOT", file, TRUE); /* does not exist */
    char *out = g_build_filename(dir, "out", NULL);
    const char *argv[] = {"run", "--plot", "-o", out, "--set", LONG_RUN, NULL};
    char *text = NULL;
    int code = run_on_pty(argv, &text);
    g_unsetenv("RECLAIMSIM_GNUPLOT");
    assert_int_equal(code, 1);
    GPtrArray *lines = screen_lines(text);
    assert_int_equal(lines->len, 1); /* only the message is left, on a line of its own */
    /* The message follows the clearing blanks ("   \r") and ends with the line. */
    assert_non_null(strstr(text, "real time")); /* progress had been shown */
    const char *msg = g_strrstr(text, " \r");
    assert_non_null(msg);
    char *message = g_strndup(msg + 2, strcspn(msg + 2, "\r\n"));
    assert_true(strlen(message) > 10);
    assert_null(strstr(message, "real time"));
    assert_string_equal(g_ptr_array_index(lines, 0), message);
    g_free(message);
    g_ptr_array_unref(lines);
    g_free(text);
    g_free(out);
    g_free(file);
    test_rmtree(dir);
    g_free(dir);
}

/* sweep: "P%  N of TOTAL points  R points/s  ETA H:MM:SS", points done
 * never going back, then cleared. 8 points of scenarios/limit.json, a
 * simulated minute each: a few seconds in all, one point at a time (the
 * line waits a second before it shows; at 20 s a point the sweep took
 * about 1 s in Release builds and often ended before the first frame). */
static void test_sweep_progress_shows_points_rate_eta_then_clears(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char *out = g_build_filename(dir, "out", NULL);
    char *scenario = test_source_path("scenarios/limit.json");
    const char *argv[] = {"sweep", scenario, "--vary", "host.memory=8GiB:15GiB:1GiB", "--set",
                          "duration=1m", "--jobs", "1", "-o", out, NULL};
    char *text = NULL;
    gint64 start = g_get_monotonic_time();
    assert_int_equal(run_on_pty(argv, &text), 0);
    double wall = (double)(g_get_monotonic_time() - start) / 1e6;
    assert_true(wall > 1.0); /* else this sweep proves nothing */
    GRegex *re = g_regex_new("^ *([0-9.]+)%  ([0-9]+) of 8 points  ([0-9.]+) points/s  "
                             "ETA [0-9]+:[0-9][0-9]:[0-9][0-9] *$",
                             0, 0, NULL);
    char **frames = g_strsplit(text, "\r", -1);
    int n = 0;
    guint64 last = 0;
    for (char **f = frames; *f != NULL; f++) {
        GMatchInfo *m = NULL;
        if (g_regex_match(re, *f, 0, &m)) {
            char *done = g_match_info_fetch(m, 2);
            guint64 d = g_ascii_strtoull(done, NULL, 10);
            assert_true(d >= 1 && d <= 8 && d >= last);
            last = d;
            n++;
            g_free(done);
        } else {
            assert_true(strspn(*f, " ") == strlen(*f)); /* only blanks between frames */
        }
        g_match_info_free(m);
    }
    assert_true(n >= 1);
    assert_true(g_str_has_suffix(text, "\r"));
    GPtrArray *lines = screen_lines(text);
    assert_int_equal(lines->len, 0);
    g_ptr_array_unref(lines);
    g_strfreev(frames);
    g_regex_unref(re);
    g_free(text);
    g_free(scenario);
    g_free(out);
    test_rmtree(dir);
    g_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress_on_a_terminal_shows_time_speed_eta_then_clears),
        cmocka_unit_test(test_progress_is_silent_with_quiet_on_a_terminal),
        cmocka_unit_test(test_progress_is_silent_when_stderr_is_a_pipe),
        cmocka_unit_test(test_progress_is_silent_for_a_run_under_a_second),
        cmocka_unit_test(test_progress_is_cleared_before_an_error_message),
        cmocka_unit_test(test_sweep_progress_shows_points_rate_eta_then_clears),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
