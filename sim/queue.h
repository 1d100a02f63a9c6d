/*
 * The event queue: a binary heap ordered by (time, insertion sequence), so
 * events at equal times run in the order they were pushed. Each element
 * keeps its heap index (like systemd's prioq), so cancel and reschedule are
 * O(log n). Periodic processes reschedule themselves after they run.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "sim/time.h"

typedef struct SimQueue SimQueue;
typedef struct SimEventHandle SimEventHandle;

/* Called when an event fires; `now` is its time. */
typedef void (*SimEventFn)(SimTime now, void *data);

SimQueue *sim_queue_new(void);
void sim_queue_free(SimQueue *queue);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimQueue, sim_queue_free)

/*
 * Schedules fn(data) at `at`. With period > 0 the event runs again every
 * `period` after each run until cancelled. The handle stays valid until the
 * event is cancelled or, for one-off events, until it has run.
 */
SimEventHandle *sim_queue_push(SimQueue *queue, SimTime at, SimTime period, SimEventFn fn,
                               void *data);

/* Removes a pending event; O(log n). */
void sim_queue_cancel(SimQueue *queue, SimEventHandle *handle);

/* Moves a pending event to a new time (it gets a new sequence number). */
void sim_queue_reschedule(SimQueue *queue, SimEventHandle *handle, SimTime at);

/* Time of the next event, or SIM_TIME_NEVER when empty. */
SimTime sim_queue_next_time(const SimQueue *queue);

/*
 * Pops and runs the next event if it is at or before `until`; returns false
 * when there is none. The clock is the popped event's time.
 */
bool sim_queue_run_one(SimQueue *queue, SimTime until);

SimTime sim_queue_now(const SimQueue *queue);
guint sim_queue_size(const SimQueue *queue);
guint64 sim_queue_events_run(const SimQueue *queue);
