/* SIGINT and SIGTERM as a flag checked at safe points (see interrupt.h). */
#define _DEFAULT_SOURCE /* SA_RESTART */
#include "sim/interrupt.h"

#include <signal.h>
#include <string.h>

#include "sim/error.h"

/* The first signal caught; written only by the handler (async-signal-safe). */
static volatile sig_atomic_t caught;

static void on_signal(int signo)
{
    if (caught == 0) {
        caught = signo;
    }
}

/* SA_RESTART: a write interrupted by the signal resumes instead of failing
 * with EINTR, so the flag, not a spurious I/O error, reports the interrupt. */
static void catch_one(int signo)
{
    struct sigaction old;
    if (sigaction(signo, NULL, &old) == 0 && old.sa_handler == SIG_IGN) {
        return;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(signo, &sa, NULL);
}

/* SIGHUP too: closing the terminal of a run must not leave a staging
 * directory behind either. */
void sim_interrupt_catch(void)
{
    catch_one(SIGINT);
    catch_one(SIGTERM);
    catch_one(SIGHUP);
}

int sim_interrupt_signal(void)
{
    return caught;
}

const char *sim_interrupt_name(int signo)
{
    static char other[32];
    switch (signo) {
    case SIGINT:
        return "SIGINT";
    case SIGTERM:
        return "SIGTERM";
    case SIGHUP:
        return "SIGHUP";
    default:
        g_snprintf(other, sizeof other, "signal %d", signo);
        return other;
    }
}

bool sim_interrupt_check(GError **error)
{
    int signo = caught;
    if (signo == 0) {
        return true;
    }
    g_set_error(error, SIM_ERROR, SIM_ERROR_RUNTIME, "interrupted by %s",
                sim_interrupt_name(signo));
    return false;
}

void sim_interrupt_reraise(void)
{
    int signo = caught;
    if (signo == 0) {
        return;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(signo, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signo);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(signo);
}
