/* Tests of sim/queue.c: ordering, cancel, reschedule, periodic events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <glib.h>
#include <stdlib.h>

#include "sim/queue.h"
#include "sim/rng.h"

/* What the callbacks saw, in run order. */
typedef struct Log {
    GArray *ids;   /* int, the event's id */
    GArray *times; /* SimTime, `now` of each run */
} Log;

typedef struct Event {
    Log *log;
    int id;
    SimQueue *queue;        /* for callbacks that act on the queue */
    SimEventHandle *handle; /* this event's own handle, or a victim */
    int stop_after;         /* cancel itself after this many runs, 0 = never */
    int runs;
} Event;

static Log *log_new(void)
{
    Log *log = g_new0(Log, 1);
    log->ids = g_array_new(FALSE, FALSE, sizeof(int));
    log->times = g_array_new(FALSE, FALSE, sizeof(SimTime));
    return log;
}

static void log_free(Log *log)
{
    g_array_unref(log->ids);
    g_array_unref(log->times);
    g_free(log);
}

static void record(SimTime now, void *data)
{
    Event *e = data;
    e->runs++;
    g_array_append_val(e->log->ids, e->id);
    g_array_append_val(e->log->times, now);
}

static int logged_id(const Log *log, guint i)
{
    return g_array_index(log->ids, int, i);
}

static SimTime logged_time(const Log *log, guint i)
{
    return g_array_index(log->times, SimTime, i);
}

static void run_all(SimQueue *queue)
{
    while (sim_queue_run_one(queue, SIM_TIME_NEVER)) {
    }
}

/* libuv's timer_order: timers due at the same time fire in the order they were started. */
static void test_queue_equal_times_run_in_insertion_order(void **state)
{
    (void)state;
    g_autoptr(SimQueue) queue = sim_queue_new();
    Log *log = log_new();
    Event events[20];
    for (int i = 0; i < 20; i++) {
        events[i] = (Event){.log = log, .id = i};
        /* Two groups at the same time, interleaved with an earlier one. */
        sim_queue_push(queue, (i % 2 == 0) ? 5 * SIM_S : 3 * SIM_S, 0, record, &events[i]);
    }
    run_all(queue);
    assert_int_equal(log->ids->len, 20);
    for (int k = 0; k < 10; k++) {
        assert_int_equal(logged_id(log, (guint)k), 2 * k + 1);
        assert_int_equal(logged_id(log, (guint)(10 + k)), 2 * k);
    }
    log_free(log);
}

static void test_queue_runs_events_in_time_order(void **state)
{
    (void)state;
    g_autoptr(SimQueue) queue = sim_queue_new();
    Log *log = log_new();
    SimRng rng;
    sim_rng_init(&rng, 42, "test:queue:order");
    enum { N = 1000 };
    Event *events = g_new0(Event, N);
    for (int i = 0; i < N; i++) {
        events[i] = (Event){.log = log, .id = i};
        sim_queue_push(queue, (SimTime)sim_rng_below(&rng, 100) * SIM_MS, 0, record, &events[i]);
    }
    assert_int_equal(sim_queue_size(queue), N);
    run_all(queue);
    assert_int_equal(log->ids->len, N);
    for (guint i = 1; i < N; i++) {
        assert_true(logged_time(log, i - 1) <= logged_time(log, i));
        /* Equal times keep push order, which is id order here. */
        if (logged_time(log, i - 1) == logged_time(log, i)) {
            assert_true(logged_id(log, i - 1) < logged_id(log, i));
        }
    }
    assert_int_equal(sim_queue_size(queue), 0);
    assert_int_equal(sim_queue_events_run(queue), N);
    assert_int_equal(sim_queue_next_time(queue), SIM_TIME_NEVER);
    g_free(events);
    log_free(log);
}

static void test_queue_cancel_removes_only_that_event(void **state)
{
    (void)state;
    g_autoptr(SimQueue) queue = sim_queue_new();
    Log *log = log_new();
    Event events[5];
    SimEventHandle *handles[5];
    for (int i = 0; i < 5; i++) {
        events[i] = (Event){.log = log, .id = i};
        handles[i] = sim_queue_push(queue, (SimTime)(i + 1) * SIM_S, 0, record, &events[i]);
    }
    sim_queue_cancel(queue, handles[2]);
    sim_queue_cancel(queue, handles[0]);
    assert_int_equal(sim_queue_size(queue), 3);
    assert_int_equal(sim_queue_next_time(queue), 2 * SIM_S);
    run_all(queue);
    assert_int_equal(log->ids->len, 3);
    assert_int_equal(logged_id(log, 0), 1);
    assert_int_equal(logged_id(log, 1), 3);
    assert_int_equal(logged_id(log, 2), 4);
    log_free(log);
}

static void test_queue_reschedule_moves_event(void **state)
{
    (void)state;
    g_autoptr(SimQueue) queue = sim_queue_new();
    Log *log = log_new();
    Event a = {.log = log, .id = 0}, b = {.log = log, .id = 1}, c = {.log = log, .id = 2};
    SimEventHandle *ha = sim_queue_push(queue, 1 * SIM_S, 0, record, &a);
    sim_queue_push(queue, 2 * SIM_S, 0, record, &b);
    SimEventHandle *hc = sim_queue_push(queue, 3 * SIM_S, 0, record, &c);
    sim_queue_reschedule(queue, ha, 5 * SIM_S); /* later */
    sim_queue_reschedule(queue, hc, SIM_S / 2); /* earlier */
    run_all(queue);
    assert_int_equal(log->ids->len, 3);
    assert_int_equal(logged_id(log, 0), 2);
    assert_int_equal(logged_time(log, 0), SIM_S / 2);
    assert_int_equal(logged_id(log, 1), 1);
    assert_int_equal(logged_id(log, 2), 0);
    assert_int_equal(logged_time(log, 2), 5 * SIM_S);
    assert_int_equal(sim_queue_now(queue), 5 * SIM_S);
    log_free(log);
}

static void test_queue_rescheduled_event_runs_after_others_at_that_time(void **state)
{
    (void)state;
    g_autoptr(SimQueue) queue = sim_queue_new();
    Log *log = log_new();
    Event a = {.log = log, .id = 0}, b = {.log = log, .id = 1};
    SimEventHandle *ha = sim_queue_push(queue, 1 * SIM_S, 0, record, &a);
    sim_queue_push(queue, 2 * SIM_S, 0, record, &b);
    sim_queue_reschedule(queue, ha, 2 * SIM_S);
    run_all(queue);
    assert_int_equal(logged_id(log, 0), 1);
    assert_int_equal(logged_id(log, 1), 0);
    log_free(log);
}

/* Cancels its own periodic handle after `stop_after` runs. */
static void record_then_stop(SimTime now, void *data)
{
    Event *e = data;
    record(now, data);
    if (e->stop_after > 0 && e->runs >= e->stop_after) {
        sim_queue_cancel(e->queue, e->handle);
    }
}

static void test_queue_periodic_event_repeats_until_cancelled(void **state)
{
    (void)state;
    g_autoptr(SimQueue) queue = sim_queue_new();
    Log *log = log_new();
    Event tick = {.log = log, .id = 0};
    Event other = {.log = log, .id = 1};
    SimEventHandle *h = sim_queue_push(queue, 10 * SIM_S, 15 * SIM_S, record, &tick);
    /* Pushed for the time of the second tick: runs before it (pushed earlier). */
    sim_queue_push(queue, 25 * SIM_S, 0, record, &other);
    while (sim_queue_run_one(queue, 70 * SIM_S)) {
    }
    /* Ticks at 10, 25, 40, 55, 70. */
    assert_int_equal(tick.runs, 5);
    assert_int_equal(logged_id(log, 1), 1);
    assert_int_equal(logged_id(log, 2), 0);
    assert_int_equal(logged_time(log, 5), 70 * SIM_S);
    assert_int_equal(sim_queue_size(queue), 1);
    assert_int_equal(sim_queue_next_time(queue), 85 * SIM_S);
    sim_queue_cancel(queue, h);
    assert_int_equal(sim_queue_size(queue), 0);
    assert_false(sim_queue_run_one(queue, SIM_TIME_NEVER));
    log_free(log);
}

static void test_queue_callback_can_cancel_itself(void **state)
{
    (void)state;
    g_autoptr(SimQueue) queue = sim_queue_new();
    Log *log = log_new();
    Event tick = {.log = log, .id = 0, .queue = queue, .stop_after = 3};
    Event one_off = {.log = log, .id = 1, .queue = queue, .stop_after = 1};
    tick.handle = sim_queue_push(queue, 0, SIM_S, record_then_stop, &tick);
    one_off.handle = sim_queue_push(queue, SIM_S / 2, 0, record_then_stop, &one_off);
    run_all(queue);
    assert_int_equal(tick.runs, 3);
    assert_int_equal(one_off.runs, 1);
    assert_int_equal(sim_queue_size(queue), 0);
    assert_int_equal(sim_queue_events_run(queue), 4);
    log_free(log);
}

/* Cancels the victim and pushes a follow-up event at the current time. */
static void cancel_other_and_push(SimTime now, void *data)
{
    Event *e = data;
    record(now, data);
    sim_queue_cancel(e->queue, e->handle);
    Event *follow = e + 1;
    sim_queue_push(e->queue, now, 0, record, follow);
}

static void test_queue_callback_can_cancel_others_and_push(void **state)
{
    (void)state;
    g_autoptr(SimQueue) queue = sim_queue_new();
    Log *log = log_new();
    Event victim = {.log = log, .id = 9};
    Event pair[2] = {{.log = log, .id = 0, .queue = queue}, {.log = log, .id = 1}};
    pair[0].handle = sim_queue_push(queue, 2 * SIM_S, 0, record, &victim);
    sim_queue_push(queue, 1 * SIM_S, 0, cancel_other_and_push, &pair[0]);
    run_all(queue);
    assert_int_equal(log->ids->len, 2);
    assert_int_equal(logged_id(log, 0), 0);
    assert_int_equal(logged_id(log, 1), 1);
    assert_int_equal(logged_time(log, 1), 1 * SIM_S);
    log_free(log);
}

static void test_queue_stops_at_until(void **state)
{
    (void)state;
    g_autoptr(SimQueue) queue = sim_queue_new();
    Log *log = log_new();
    Event a = {.log = log, .id = 0}, b = {.log = log, .id = 1};
    sim_queue_push(queue, 10 * SIM_S, 0, record, &a);
    sim_queue_push(queue, 20 * SIM_S, 0, record, &b);
    assert_true(sim_queue_run_one(queue, 10 * SIM_S)); /* at `until` runs */
    assert_false(sim_queue_run_one(queue, 19 * SIM_S));
    assert_int_equal(sim_queue_now(queue), 10 * SIM_S);
    assert_int_equal(sim_queue_size(queue), 1);
    assert_int_equal(sim_queue_next_time(queue), 20 * SIM_S);
    assert_int_equal(log->ids->len, 1);
    log_free(log);
}

static void test_queue_free_releases_pending_events(void **state)
{
    (void)state;
    SimQueue *queue = sim_queue_new();
    Log *log = log_new();
    Event e = {.log = log};
    for (int i = 0; i < 100; i++) {
        sim_queue_push(queue, i * SIM_S, i % 3 == 0 ? SIM_S : 0, record, &e);
    }
    for (int i = 0; i < 50; i++) {
        assert_true(sim_queue_run_one(queue, SIM_TIME_NEVER));
    }
    sim_queue_free(queue); /* ASan reports any handle left behind */
    sim_queue_free(NULL);
    log_free(log);
}

/* The reference: (time, sequence) pairs kept in a sorted list. */
typedef struct RefEntry {
    SimTime at;
    guint64 seq;
    int id;
} RefEntry;

static gint ref_compare(gconstpointer a, gconstpointer b)
{
    const RefEntry *x = a, *y = b;
    if (x->at != y->at) {
        return x->at < y->at ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : (x->seq > y->seq ? 1 : 0);
}

/* Ids of the events still pending in the heap, and their reference entries. */
typedef struct Model {
    SimQueue *queue;
    GArray *ref;              /* RefEntry, sorted */
    SimEventHandle **handles; /* by id, NULL when not pending */
    Event *events;            /* by id */
    guint64 seq;
} Model;

static void model_push(Model *m, int id, SimTime at)
{
    RefEntry entry = {.at = at, .seq = m->seq++, .id = id};
    m->handles[id] = sim_queue_push(m->queue, at, 0, record, &m->events[id]);
    g_array_append_val(m->ref, entry);
    g_array_sort(m->ref, ref_compare);
}

static void model_forget(Model *m, int id)
{
    for (guint i = 0; i < m->ref->len; i++) {
        if (g_array_index(m->ref, RefEntry, i).id == id) {
            g_array_remove_index(m->ref, i);
            return;
        }
    }
    fail();
}

static void model_step(Model *m, SimRng *rng, int n_ids)
{
    int id = (int)sim_rng_below(rng, (uint64_t)n_ids);
    SimTime at = sim_queue_now(m->queue) + (SimTime)sim_rng_below(rng, 50);
    uint64_t op = sim_rng_below(rng, 4);
    if (m->handles[id] == NULL) {
        model_push(m, id, at);
    } else if (op == 0) {
        sim_queue_cancel(m->queue, m->handles[id]);
        m->handles[id] = NULL;
        model_forget(m, id);
    } else if (op == 1) {
        sim_queue_reschedule(m->queue, m->handles[id], at);
        model_forget(m, id);
        RefEntry entry = {.at = at, .seq = m->seq++, .id = id};
        g_array_append_val(m->ref, entry);
        g_array_sort(m->ref, ref_compare);
    } else {
        /* Pop one: it must be the reference's first entry. */
        RefEntry first = g_array_index(m->ref, RefEntry, 0);
        Log *log = m->events[0].log;
        assert_true(sim_queue_run_one(m->queue, SIM_TIME_NEVER));
        assert_int_equal(logged_id(log, log->ids->len - 1), first.id);
        assert_int_equal(sim_queue_now(m->queue), first.at);
        m->handles[first.id] = NULL;
        g_array_remove_index(m->ref, 0);
    }
    assert_int_equal(sim_queue_size(m->queue), m->ref->len);
}

static void test_queue_matches_sorted_reference_under_random_operations(void **state)
{
    (void)state;
    enum { IDS = 64, STEPS = 20000 };
    Log *log = log_new();
    Model m = {.queue = sim_queue_new(),
               .ref = g_array_new(FALSE, FALSE, sizeof(RefEntry)),
               .handles = g_new0(SimEventHandle *, IDS),
               .events = g_new0(Event, IDS)};
    for (int i = 0; i < IDS; i++) {
        m.events[i] = (Event){.log = log, .id = i};
    }
    SimRng rng;
    sim_rng_init(&rng, 7, "test:queue:model");
    for (int step = 0; step < STEPS; step++) {
        model_step(&m, &rng, IDS);
    }
    /* Drain: the rest comes out in reference order. */
    for (guint i = 0; i < m.ref->len; i++) {
        assert_true(sim_queue_run_one(m.queue, SIM_TIME_NEVER));
        assert_int_equal(logged_id(log, log->ids->len - 1), g_array_index(m.ref, RefEntry, i).id);
    }
    assert_false(sim_queue_run_one(m.queue, SIM_TIME_NEVER));
    sim_queue_free(m.queue);
    g_array_unref(m.ref);
    g_free(m.handles);
    g_free(m.events);
    log_free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_equal_times_run_in_insertion_order),
        cmocka_unit_test(test_queue_runs_events_in_time_order),
        cmocka_unit_test(test_queue_cancel_removes_only_that_event),
        cmocka_unit_test(test_queue_reschedule_moves_event),
        cmocka_unit_test(test_queue_rescheduled_event_runs_after_others_at_that_time),
        cmocka_unit_test(test_queue_periodic_event_repeats_until_cancelled),
        cmocka_unit_test(test_queue_callback_can_cancel_itself),
        cmocka_unit_test(test_queue_callback_can_cancel_others_and_push),
        cmocka_unit_test(test_queue_stops_at_until),
        cmocka_unit_test(test_queue_free_releases_pending_events),
        cmocka_unit_test(test_queue_matches_sorted_reference_under_random_operations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
