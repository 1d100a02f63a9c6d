/*
 * The event queue: an array binary heap of events ordered by (time,
 * sequence), as in libuv's timer heap; the sequence number breaks ties so
 * events pushed for the same time run in push order. Every handle keeps its
 * heap index (systemd prioq style), so cancel and reschedule are O(log n)
 * without a search.
 *
 * Handles are recycled through a free list: a run pushes and pops millions
 * of events, and malloc per event would dominate the heap operations.
 */
#include "sim/queue.h"

/* Heap index of a handle that is not in the heap (running or on the free list). */
#define HEAP_NONE G_MAXUINT

struct SimEventHandle {
    SimTime at;                /* ns, when the event fires next; written by push/reschedule */
    guint64 seq;               /* push order, breaks ties between equal times */
    SimTime period;            /* ns between runs; 0 for a one-off event */
    SimEventFn fn;             /* the callback; NULL while on the free list */
    void *data;                /* the callback's argument, owned by the caller */
    guint index;               /* position in SimQueue.heap, HEAP_NONE when not in it */
    SimEventHandle *next_free; /* free-list link, only while recycled */
};

/*
 * A heap slot carries a copy of its event's key, so sifting compares within
 * the array and only touches a handle to update its index: fewer cache
 * misses than chasing a pointer per comparison once the heap is large.
 */
typedef struct HeapSlot {
    SimTime at;        /* ns, copy of handle->at */
    guint64 seq;       /* copy of handle->seq */
    SimEventHandle *h; /* the event */
} HeapSlot;

struct SimQueue {
    HeapSlot *heap;            /* the binary heap; heap[0] is the earliest event */
    guint len;                 /* events pending */
    guint cap;                 /* allocated slots of heap */
    SimTime now;               /* ns, time of the event run last */
    guint64 next_seq;          /* the next push sequence number */
    guint64 events_run;        /* events run so far, for statistics */
    SimEventHandle *running;   /* the handle whose callback is running, or NULL */
    bool running_cancelled;    /* the running handle was cancelled by its callback */
    SimEventHandle *free_list; /* recycled handles */
};

/* Strict (time, sequence) order: true when a must run before b. */
static inline bool slot_before(const HeapSlot *a, const HeapSlot *b)
{
    if (a->at != b->at) {
        return a->at < b->at;
    }
    return a->seq < b->seq;
}

static inline void heap_set(SimQueue *queue, guint i, HeapSlot slot)
{
    queue->heap[i] = slot;
    slot.h->index = i;
}

/* Moves the handle at i towards the root while it runs before its parent. */
static void sift_up(SimQueue *queue, guint i)
{
    HeapSlot slot = queue->heap[i];
    while (i > 0) {
        guint parent = (i - 1) / 2;
        if (!slot_before(&slot, &queue->heap[parent])) {
            break;
        }
        heap_set(queue, i, queue->heap[parent]);
        i = parent;
    }
    heap_set(queue, i, slot);
}

/* Moves the handle at i towards the leaves while a child runs before it. */
static void sift_down(SimQueue *queue, guint i)
{
    HeapSlot slot = queue->heap[i];
    for (;;) {
        guint child = 2 * i + 1;
        if (child >= queue->len) {
            break;
        }
        if (child + 1 < queue->len && slot_before(&queue->heap[child + 1], &queue->heap[child])) {
            child++;
        }
        if (!slot_before(&queue->heap[child], &slot)) {
            break;
        }
        heap_set(queue, i, queue->heap[child]);
        i = child;
    }
    heap_set(queue, i, slot);
}

static void heap_insert(SimQueue *queue, SimEventHandle *h)
{
    if (queue->len == queue->cap) {
        queue->cap = queue->cap == 0 ? 64 : queue->cap * 2;
        queue->heap = g_renew(HeapSlot, queue->heap, queue->cap);
    }
    heap_set(queue, queue->len++, (HeapSlot){.at = h->at, .seq = h->seq, .h = h});
    sift_up(queue, h->index);
}

/* Takes the handle at i out of the heap: the last element fills the hole. */
static void heap_remove(SimQueue *queue, guint i)
{
    SimEventHandle *h = queue->heap[i].h;
    HeapSlot last = queue->heap[--queue->len];
    h->index = HEAP_NONE;
    if (last.h == h) {
        return;
    }
    heap_set(queue, i, last);
    /* The moved element may belong above or below i; only one sift moves it. */
    sift_up(queue, i);
    sift_down(queue, last.h->index);
}

static SimEventHandle *handle_alloc(SimQueue *queue)
{
    SimEventHandle *h = queue->free_list;
    if (h != NULL) {
        queue->free_list = h->next_free;
        return h;
    }
    return g_new(SimEventHandle, 1);
}

static void handle_release(SimQueue *queue, SimEventHandle *h)
{
    h->fn = NULL;
    h->data = NULL;
    h->index = HEAP_NONE;
    h->next_free = queue->free_list;
    queue->free_list = h;
}

static bool handle_pending(const SimQueue *queue, const SimEventHandle *h)
{
    return h->index < queue->len && queue->heap[h->index].h == h;
}

SimQueue *sim_queue_new(void)
{
    return g_new0(SimQueue, 1);
}

void sim_queue_free(SimQueue *queue)
{
    if (queue == NULL) {
        return;
    }
    g_return_if_fail(queue->running == NULL);
    for (guint i = 0; i < queue->len; i++) {
        g_free(queue->heap[i].h);
    }
    while (queue->free_list != NULL) {
        SimEventHandle *next = queue->free_list->next_free;
        g_free(queue->free_list);
        queue->free_list = next;
    }
    g_free(queue->heap);
    g_free(queue);
}

SimEventHandle *sim_queue_push(SimQueue *queue, SimTime at, SimTime period, SimEventFn fn,
                               void *data)
{
    g_return_val_if_fail(queue != NULL && fn != NULL, NULL);
    /* An event in the past would move the clock backwards. */
    g_assert(at >= queue->now);
    g_assert(period >= 0);
    SimEventHandle *h = handle_alloc(queue);
    *h = (SimEventHandle){
        .at = at, .seq = queue->next_seq++, .period = period, .fn = fn, .data = data};
    heap_insert(queue, h);
    return h;
}

void sim_queue_cancel(SimQueue *queue, SimEventHandle *handle)
{
    g_return_if_fail(queue != NULL && handle != NULL);
    if (handle == queue->running) {
        /* Cancelled by its own callback: run_one frees it when the callback returns. */
        if (handle_pending(queue, handle)) {
            heap_remove(queue, handle->index);
        }
        queue->running_cancelled = true;
        return;
    }
    g_return_if_fail(handle_pending(queue, handle));
    heap_remove(queue, handle->index);
    handle_release(queue, handle);
}

void sim_queue_reschedule(SimQueue *queue, SimEventHandle *handle, SimTime at)
{
    g_return_if_fail(queue != NULL && handle != NULL);
    g_assert(at >= queue->now);
    if (handle == queue->running && !handle_pending(queue, handle)) {
        /* Rescheduled by its own callback: it goes back in now and run_one keeps it. */
        g_return_if_fail(!queue->running_cancelled);
        handle->at = at;
        handle->seq = queue->next_seq++;
        heap_insert(queue, handle);
        return;
    }
    g_return_if_fail(handle_pending(queue, handle));
    handle->at = at;
    handle->seq = queue->next_seq++;
    guint i = handle->index;
    queue->heap[i].at = at;
    queue->heap[i].seq = handle->seq;
    sift_up(queue, i);
    sift_down(queue, handle->index);
}

SimTime sim_queue_next_time(const SimQueue *queue)
{
    g_return_val_if_fail(queue != NULL, SIM_TIME_NEVER);
    return queue->len == 0 ? SIM_TIME_NEVER : queue->heap[0].at;
}

/*
 * After a callback: a cancelled handle is recycled, one the callback put
 * back itself stays, a periodic one goes back one period later with a new
 * sequence number (behind events already pushed for that time), and a
 * one-off one is recycled.
 */
static void finish_running(SimQueue *queue, SimEventHandle *h)
{
    queue->running = NULL;
    if (queue->running_cancelled) {
        queue->running_cancelled = false;
        handle_release(queue, h);
    } else if (handle_pending(queue, h)) {
        return;
    } else if (h->period > 0) {
        /* Saturate instead of overflowing: the event then never runs again. */
        h->at = h->at > SIM_TIME_NEVER - h->period ? SIM_TIME_NEVER : h->at + h->period;
        h->seq = queue->next_seq++;
        heap_insert(queue, h);
    } else {
        handle_release(queue, h);
    }
}

bool sim_queue_run_one(SimQueue *queue, SimTime until)
{
    g_return_val_if_fail(queue != NULL, false);
    /* Nested runs would lose track of the running handle. */
    g_return_val_if_fail(queue->running == NULL, false);
    if (queue->len == 0 || queue->heap[0].at > until) {
        return false;
    }
    SimEventHandle *h = queue->heap[0].h;
    heap_remove(queue, 0);
    queue->now = h->at;
    queue->running = h;
    queue->running_cancelled = false;
    h->fn(h->at, h->data);
    queue->events_run++;
    finish_running(queue, h);
    return true;
}

SimTime sim_queue_now(const SimQueue *queue)
{
    g_return_val_if_fail(queue != NULL, 0);
    return queue->now;
}

guint sim_queue_size(const SimQueue *queue)
{
    g_return_val_if_fail(queue != NULL, 0);
    return queue->len;
}

guint64 sim_queue_events_run(const SimQueue *queue)
{
    g_return_val_if_fail(queue != NULL, 0);
    return queue->events_run;
}
