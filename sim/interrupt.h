/*
 * SIGINT, SIGTERM and SIGHUP while reclaimsim makes an output (issue 9): the
 * handlers only record the signal; the run loop and the writers check it at
 * safe points, clean up (the staging directory goes, DIR stays as it was),
 * and the CLI then dies of the same signal, so a shell sees the interrupt.
 * One flag for the process: signals are process-wide.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Installs the handlers with sigaction. A signal that was ignored when the
 * process started (a background job of a non-interactive shell) stays
 * ignored. Idempotent. */
void sim_interrupt_catch(void);

/* The first signal caught since sim_interrupt_catch(), 0 for none. */
int sim_interrupt_signal(void);

/* True when no signal was caught; else false with SIM_ERROR_RUNTIME
 * "interrupted by SIGINT" (or SIGTERM). */
bool sim_interrupt_check(GError **error);

/* "SIGINT", "SIGTERM", "SIGHUP"; "signal N" for another number. */
const char *sim_interrupt_name(int signo);

/* After cleaning up: restores the default action of the caught signal and
 * raises it, so the process ends as the signal asked. Returns only when no
 * signal was caught. */
void sim_interrupt_reraise(void);
