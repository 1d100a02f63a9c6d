/*
 * Sweep points across MPI ranks: see sim/out/sweepmpi.h. Messages are
 * text (packed points and results, sim/out/sweeppoint.h) or bytes (the
 * scenario), one tag per kind; MPI keeps the order of the messages between
 * two ranks, so a scenario sent before a point arrives before it.
 */
#include "sim/out/sweepmpi.h"

#include "sim/error.h"

#ifdef RECLAIMSIM_MPI

#include <mpi.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sim/interrupt.h"
#include "sim/load/readfile.h"

/* The kinds of message. Rank 0 sends SCENARIO, POINT, INTERRUPT, STOP;
 * the other ranks HELLO (once: their slots), RESULT and SKIPPED. */
enum { TAG_HELLO = 1, TAG_SCENARIO, TAG_POINT, TAG_RESULT, TAG_SKIPPED, TAG_INTERRUPT, TAG_STOP };

/* How long a main thread sleeps between looks at MPI and its queue: short
 * while points move (a point waits at most this for its rank), longer for
 * a serving rank left idle a while (rank 0 running another command). */
#define POLL_US 1000
#define IDLE_POLL_US (20 * 1000)
#define IDLE_AFTER_US G_USEC_PER_SEC

/* What rank 0 knows of another rank. */
typedef struct Rank {
    guint slots;      /* points it runs at once: its HELLO; 0 until then */
    guint busy;       /* points sent to it and not answered */
    guint64 scenario; /* the sweep whose scenario it holds; 0: none */
    bool hello;
} Rank;

static struct {
    bool joined, finished;
    int rank, size, here;
    Rank *ranks;     /* rank 0: ranks[r] for each r > 0 */
    int last;        /* rank 0: the rank sent the last point (round robin) */
    guint64 sweeps;  /* rank 0: sweeps begun, numbering their scenarios */
} job = {.size = 1, .here = 1};

/* An MPI launcher's variables: Open MPI's mpirun, then PMIx and PMI2 as
 * Slurm's srun sets them. */
static bool launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"};
    for (guint i = 0; i < G_N_ELEMENTS(vars); i++) {
        if (g_getenv(vars[i]) != NULL) {
            return true;
        }
    }
    return false;
}

/* False, with the error, when `rc` is not MPI_SUCCESS. */
static bool mpi_ok(int rc, const char *what, GError **error)
{
    if (rc == MPI_SUCCESS) {
        return true;
    }
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(rc, text, &len);
    g_set_error(error, SIM_ERROR, SIM_ERROR_RUNTIME, "reclaimsim: MPI rank %d: %s: %s", job.rank,
                what, text);
    return false;
}

int sim_mpi_start(int *argc, char ***argv)
{
    if (job.joined || !launched()) {
        return job.rank;
    }
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        g_printerr("reclaimsim: MPI: cannot join the job; running alone\n");
        return 0;
    }
    job.joined = true;
    /* a failed call returns its error (a rank died): said, not aborted */
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &job.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &job.size);
    MPI_Comm node;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) ==
        MPI_SUCCESS) {
        MPI_Comm_size(node, &job.here);
        MPI_Comm_free(&node);
    }
    if (job.rank == 0) {
        job.ranks = g_new0(Rank, job.size);
    }
    return job.rank;
}

guint sim_mpi_size(void)
{
    return (guint)job.size;
}

guint sim_mpi_ranks_here(void)
{
    return (guint)MAX(job.here, 1);
}

/* MPI_Get_library_version may be called before MPI_Init: the version of
 * the library this process loaded, not of the headers it was built with. */
const char *sim_mpi_library(void)
{
    static char name[MPI_MAX_LIBRARY_VERSION_STRING + 1];
    if (name[0] == '\0') {
        char text[MPI_MAX_LIBRARY_VERSION_STRING + 1] = "";
        int len = 0;
        MPI_Get_library_version(text, &len);
        text[strcspn(text, ",\n")] = '\0'; /* "Open MPI v4.1.4, package: ..." */
        const char *v = strstr(text, " v");
        if (v != NULL && g_ascii_isdigit(v[2])) {
            g_snprintf(name, sizeof name, "%.*s %s", (int)(v - text), text, v + 2);
        } else {
            g_strlcpy(name, text[0] != '\0' ? text : "MPI", sizeof name);
        }
    }
    return name;
}

/* ---- messages ---- */

static bool send_bytes(int dest, int tag, const void *bytes, gsize len, GError **error)
{
    if (len > G_MAXINT) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RUNTIME,
                    "reclaimsim: MPI: a message of %" G_GSIZE_FORMAT " bytes is too long", len);
        return false;
    }
    return mpi_ok(MPI_Send(bytes, (int)len, MPI_BYTE, dest, tag, MPI_COMM_WORLD), "send", error);
}

static bool send_text(int dest, int tag, const char *text, GError **error)
{
    return send_bytes(dest, tag, text, strlen(text), error);
}

/* A message that came, with its bytes NUL-terminated. */
typedef struct Message {
    int source, tag;
    char *bytes;
    gsize len;
} Message;

/* The next message from `source` (MPI_ANY_SOURCE), without waiting:
 * false with m->bytes NULL when none came. */
static bool receive(int source, Message *m, GError **error)
{
    int flag = 0, count = 0;
    MPI_Status st;
    *m = (Message){0};
    if (!mpi_ok(MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st), "probe", error) ||
        !flag) {
        return false;
    }
    if (!mpi_ok(MPI_Get_count(&st, MPI_BYTE, &count), "count", error)) {
        return false;
    }
    m->source = st.MPI_SOURCE;
    m->tag = st.MPI_TAG;
    m->len = (gsize)MAX(count, 0);
    m->bytes = g_malloc(m->len + 1);
    m->bytes[m->len] = '\0';
    if (!mpi_ok(MPI_Recv(m->bytes, count, MPI_BYTE, m->source, m->tag, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE),
                "receive", error)) {
        g_clear_pointer(&m->bytes, g_free);
        return false;
    }
    return true;
}

/* ---- rank 0 ---- */

struct SimMpiSweep {
    guint64 number;   /* job.sweeps when it began */
    GByteArray *scenario; /* the SCENARIO message: 'B' (built-in), or 'F' PATH NUL TEXT */
    guint in_flight;
};

SimMpiSweep *sim_mpi_sweep_new(const char *scenario)
{
    if (!job.joined || job.rank != 0 || job.size < 2) {
        return NULL;
    }
    GByteArray *msg = g_byte_array_new();
    if (scenario == NULL) {
        g_byte_array_append(msg, (const guint8 *)"B", 1);
    } else {
        gsize len = 0;
        g_autofree char *text =
            sim_read_file(scenario, SIM_READFILE_SCENARIO_MAX, SIM_READFILE_PLAIN, &len, NULL);
        if (text == NULL) {
            g_byte_array_unref(msg);
            return NULL;
        }
        g_byte_array_append(msg, (const guint8 *)"F", 1);
        g_byte_array_append(msg, (const guint8 *)scenario, (guint)strlen(scenario) + 1);
        g_byte_array_append(msg, (const guint8 *)text, (guint)len);
    }
    SimMpiSweep *s = g_new0(SimMpiSweep, 1);
    s->number = ++job.sweeps;
    s->scenario = msg;
    return s;
}

void sim_mpi_sweep_free(SimMpiSweep *s)
{
    if (s != NULL) {
        g_byte_array_unref(s->scenario);
        g_free(s);
    }
}

/* The next rank after the last one served that has a free slot; 0: none. */
static int free_rank(void)
{
    for (int i = 1; i < job.size; i++) {
        int r = 1 + (job.last + i - 1) % (job.size - 1);
        if (job.ranks[r].busy < job.ranks[r].slots) {
            return r;
        }
    }
    return 0;
}

bool sim_mpi_sweep_has_slot(const SimMpiSweep *s)
{
    return s != NULL && free_rank() != 0;
}

guint sim_mpi_sweep_in_flight(const SimMpiSweep *s)
{
    return s != NULL ? s->in_flight : 0;
}

bool sim_mpi_sweep_send(SimMpiSweep *s, const SimSweepPoint *point, GError **error)
{
    int r = free_rank();
    g_return_val_if_fail(s != NULL && r != 0, false);
    Rank *rank = &job.ranks[r];
    if (rank->scenario != s->number) {
        if (!send_bytes(r, TAG_SCENARIO, s->scenario->data, s->scenario->len, error)) {
            return false;
        }
        rank->scenario = s->number;
    }
    g_autofree char *text = sim_sweep_point_pack(point);
    if (!send_text(r, TAG_POINT, text, error)) {
        return false;
    }
    rank->busy++;
    s->in_flight++;
    job.last = r;
    return true;
}

/* A HELLO: the rank's slots, a positive whole number. */
static bool take_hello(const Message *m, GError **error)
{
    guint64 slots = 0;
    if (!g_ascii_string_to_unsigned(m->bytes, 10, 1, G_MAXINT, &slots, NULL)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RUNTIME,
                    "reclaimsim: MPI: rank %d sent a bad greeting", m->source);
        return false;
    }
    job.ranks[m->source].slots = (guint)slots;
    job.ranks[m->source].hello = true;
    return true;
}

/* A RESULT or SKIPPED of a point in flight on its rank. */
static bool take_answer(SimMpiSweep *s, const Message *m, SimSweepResult **result, GError **error)
{
    Rank *rank = &job.ranks[m->source];
    if (rank->busy == 0 || s->in_flight == 0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_RUNTIME,
                    "reclaimsim: MPI: rank %d answered a point it was not sent", m->source);
        return false;
    }
    if (m->tag == TAG_RESULT && (*result = sim_sweep_result_unpack(m->bytes, error)) == NULL) {
        g_prefix_error(error, "reclaimsim: MPI: rank %d: ", m->source);
        return false;
    }
    rank->busy--;
    s->in_flight--;
    return true;
}

bool sim_mpi_sweep_poll(SimMpiSweep *s, bool *answered, SimSweepResult **result, GError **error)
{
    *answered = false;
    *result = NULL;
    for (;;) {
        Message m;
        GError *local = NULL;
        if (!receive(MPI_ANY_SOURCE, &m, &local)) {
            if (local != NULL) {
                g_propagate_error(error, local);
                return false;
            }
            return true;
        }
        bool ok = false, done = false;
        if (m.tag == TAG_HELLO) {
            ok = take_hello(&m, error);
        } else if (m.tag == TAG_RESULT || m.tag == TAG_SKIPPED) {
            ok = *answered = take_answer(s, &m, result, error);
            done = true;
        } else {
            g_set_error(error, SIM_ERROR, SIM_ERROR_RUNTIME,
                        "reclaimsim: MPI: rank %d sent a message of kind %d", m.source, m.tag);
        }
        g_free(m.bytes);
        if (!ok || done) {
            return ok;
        }
    }
}

void sim_mpi_sweep_interrupt(SimMpiSweep *s)
{
    for (int r = 1; s != NULL && r < job.size; r++) {
        if (job.ranks[r].busy > 0) {
            send_bytes(r, TAG_INTERRUPT, "", 0, NULL);
        }
    }
}

/* Every rank's HELLO (each sends one, even when no sweep ran), then STOP:
 * no message is left unread when the job ends. */
static void stop_ranks(void)
{
    for (int r = 1; r < job.size; r++) {
        if (!job.ranks[r].hello) {
            char text[32] = "";
            MPI_Status st;
            int count = 0;
            MPI_Probe(r, TAG_HELLO, MPI_COMM_WORLD, &st);
            MPI_Get_count(&st, MPI_BYTE, &count);
            MPI_Recv(text, MIN(count, (int)sizeof text - 1), MPI_BYTE, r, TAG_HELLO,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        }
        send_bytes(r, TAG_STOP, "", 0, NULL);
    }
}

void sim_mpi_finish(void)
{
    if (!job.joined || job.finished) {
        return;
    }
    job.finished = true;
    if (job.rank == 0) {
        stop_ranks();
        g_clear_pointer(&job.ranks, g_free);
    }
    MPI_Finalize();
}

/* ---- the other ranks ---- */

/* The scenario of the points a rank runs: shared by the points in flight. */
typedef struct Scenario {
    char *path; /* NULL: the built-in default */
    char *text;
    gsize len;
} Scenario;

static void scenario_clear(gpointer data)
{
    Scenario *sc = data;
    g_free(sc->path);
    g_free(sc->text);
}

static void scenario_unref(Scenario *sc)
{
    if (sc != NULL) {
        g_atomic_rc_box_release_full(sc, scenario_clear);
    }
}

/* The scenario of a SCENARIO message; NULL when it is not one. */
static Scenario *scenario_of(const Message *m)
{
    const char *nul = m->len > 0 ? memchr(m->bytes, '\0', m->len) : NULL;
    bool file = m->len > 0 && m->bytes[0] == 'F' && nul != NULL;
    if (!file && !(m->len == 1 && m->bytes[0] == 'B')) {
        return NULL;
    }
    Scenario *sc = g_atomic_rc_box_new0(Scenario);
    if (file) {
        sc->path = g_strdup(m->bytes + 1);
        sc->len = m->len - (gsize)(nul + 1 - m->bytes);
        sc->text = g_memdup2(nul + 1, sc->len);
    }
    return sc;
}

/* A point to run on the rank's pool, and its answer on the main thread's queue. */
typedef struct Task {
    Scenario *scenario;
    SimSweepPoint point;
    SimSweepResult *result; /* NULL: cut short by an interrupt */
} Task;

static void task_free(Task *t)
{
    scenario_unref(t->scenario);
    sim_sweep_point_clear(&t->point);
    sim_sweep_result_free(t->result);
    g_free(t);
}

typedef struct Server {
    GThreadPool *pool;
    GAsyncQueue *done;
    Scenario *scenario; /* of the points to come */
    guint in_flight;
    bool stop;
    gint64 active; /* when a point last came or went */
} Server;

static void run_task(gpointer data, gpointer user)
{
    Task *t = data;
    Server *sv = user;
    bool interrupted = false;
    const Scenario *sc = t->scenario;
    t->result = sc->text != NULL
                    ? sim_sweep_run_point_text(sc->path, sc->text, sc->len, &t->point, &interrupted)
                    : sim_sweep_run_point(NULL, &t->point, &interrupted);
    if (interrupted) {
        g_clear_pointer(&t->result, sim_sweep_result_free);
    }
    g_async_queue_push(sv->done, t);
}

static bool take_point(Server *sv, const Message *m, GError **error)
{
    Task *t = g_new0(Task, 1);
    if (sv->scenario == NULL || !sim_sweep_point_unpack(m->bytes, &t->point, error)) {
        if (sv->scenario == NULL) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_RUNTIME, "a point before its scenario");
        }
        task_free(t);
        return false;
    }
    t->scenario = g_atomic_rc_box_acquire(sv->scenario);
    sv->in_flight++;
    return g_thread_pool_push(sv->pool, t, error);
}

/* One message of rank 0. */
static bool serve_message(Server *sv, const Message *m, GError **error)
{
    switch (m->tag) {
    case TAG_SCENARIO:
        scenario_unref(sv->scenario);
        sv->scenario = scenario_of(m);
        if (sv->scenario == NULL) {
            g_set_error(error, SIM_ERROR, SIM_ERROR_RUNTIME, "a bad scenario message");
            return false;
        }
        return true;
    case TAG_POINT:
        return take_point(sv, m, error);
    case TAG_INTERRUPT:
        raise(SIGINT); /* the handler of sim/interrupt.h: the points stop */
        return true;
    case TAG_STOP:
        sv->stop = true;
        return true;
    default:
        g_set_error(error, SIM_ERROR, SIM_ERROR_RUNTIME, "a message of kind %d", m->tag);
        return false;
    }
}

/* What rank 0 sent, all of it. */
static bool serve_messages(Server *sv, GError **error)
{
    Message m;
    while (receive(0, &m, error)) {
        sv->active = g_get_monotonic_time();
        bool ok = serve_message(sv, &m, error);
        g_free(m.bytes);
        if (!ok) {
            return false;
        }
    }
    return error == NULL || *error == NULL;
}

/* Sends back each finished point; waits a poll for one. */
static bool serve_answers(Server *sv, GError **error)
{
    gint64 now = g_get_monotonic_time();
    guint64 wait = sv->in_flight > 0 || now - sv->active < IDLE_AFTER_US ? POLL_US : IDLE_POLL_US;
    for (Task *t; (t = g_async_queue_timeout_pop(sv->done, wait)) != NULL; wait = 0) {
        g_autofree char *text = t->result != NULL ? sim_sweep_result_pack(t->result) : NULL;
        g_autofree char *id = g_strdup_printf("%" G_GUINT64_FORMAT, t->point.id);
        bool sent = text != NULL ? send_text(0, TAG_RESULT, text, error)
                                 : send_text(0, TAG_SKIPPED, id, error);
        task_free(t);
        sv->in_flight--;
        sv->active = g_get_monotonic_time();
        if (!sent) {
            return false;
        }
    }
    return true;
}

int sim_mpi_serve(guint jobs)
{
    g_return_val_if_fail(job.joined && job.rank > 0 && jobs >= 1, SIM_EXIT_RUNTIME);
    GError *error = NULL;
    sim_interrupt_catch();
    Server sv = {.done = g_async_queue_new(), .active = g_get_monotonic_time()};
    sv.pool = g_thread_pool_new(run_task, &sv, (gint)jobs, TRUE, &error);
    g_autofree char *hello = g_strdup_printf("%u", jobs);
    bool ok = sv.pool != NULL && send_text(0, TAG_HELLO, hello, &error);
    while (ok && !(sv.stop && sv.in_flight == 0)) {
        ok = serve_messages(&sv, &error) && serve_answers(&sv, &error);
    }
    if (sv.pool != NULL) {
        g_thread_pool_free(sv.pool, FALSE, TRUE);
    }
    for (Task *t; (t = g_async_queue_try_pop(sv.done)) != NULL;) {
        task_free(t);
    }
    g_async_queue_unref(sv.done);
    scenario_unref(sv.scenario);
    if (!ok) {
        g_printerr("reclaimsim: MPI rank %d: %s\n", job.rank, error->message);
        g_error_free(error);
        return SIM_EXIT_RUNTIME;
    }
    return SIM_EXIT_OK;
}

#else /* built without MPI: one process */

int sim_mpi_start(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

guint sim_mpi_size(void)
{
    return 1;
}

guint sim_mpi_ranks_here(void)
{
    return 1;
}

const char *sim_mpi_library(void)
{
    return NULL;
}

int sim_mpi_serve(guint jobs)
{
    (void)jobs;
    return SIM_EXIT_RUNTIME;
}

void sim_mpi_finish(void)
{
}

SimMpiSweep *sim_mpi_sweep_new(const char *scenario)
{
    (void)scenario;
    return NULL;
}

void sim_mpi_sweep_free(SimMpiSweep *sweep)
{
    (void)sweep;
}

bool sim_mpi_sweep_has_slot(const SimMpiSweep *sweep)
{
    (void)sweep;
    return false;
}

guint sim_mpi_sweep_in_flight(const SimMpiSweep *sweep)
{
    (void)sweep;
    return 0;
}

bool sim_mpi_sweep_send(SimMpiSweep *sweep, const SimSweepPoint *point, GError **error)
{
    (void)sweep;
    (void)point;
    (void)error;
    return false;
}

bool sim_mpi_sweep_poll(SimMpiSweep *sweep, bool *answered, SimSweepResult **result,
                        GError **error)
{
    (void)sweep;
    (void)error;
    *answered = false;
    *result = NULL;
    return true;
}

void sim_mpi_sweep_interrupt(SimMpiSweep *sweep)
{
    (void)sweep;
}

#endif
