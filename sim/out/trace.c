/*
 * The policy trace: see sim/out/trace.h. A policy whose class has its own
 * trace() writes its real system's names and units; for the others (the
 * ESX/ESXi family) the engine writes esxtop's names in MiB, the names of
 * vms.csv, so a line reads like the esxtop screen the policy acted on.
 */
#include "sim/out/trace.h"

#include <jansson.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sim/error.h"
#include "sim/out/outfile.h"

/* A previous trace starts with this; anything else is the user's file. */
#define TRACE_MAGIC "{\"time_s\":"

struct SimTraceFile {
    char *path;        /* FILE */
    char *tmp;         /* the temporary file beside it */
    SimOutfile *file;  /* open on tmp */
    const SimScenario *sc;
    const char *policy; /* the run's policy's name */
    double page_mb;
};

static bool is_previous_trace(const char *path)
{
    char head[sizeof TRACE_MAGIC] = {0};
    FILE *fp = g_fopen(path, "rb");
    if (fp == NULL) {
        return false;
    }
    size_t n = fread(head, 1, sizeof head - 1, fp);
    fclose(fp);
    return n == 0 || strcmp(head, TRACE_MAGIC) == 0;
}

static bool check_target(const char *path, bool force, GError **error)
{
    if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "%s: error: --policy-trace names a folder, not a file", path);
        return false;
    }
    if (g_file_test(path, G_FILE_TEST_EXISTS) && !force && !is_previous_trace(path)) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_USAGE,
                    "%s: error: exists and is not a policy trace; not replaced (--force replaces it)",
                    path);
        return false;
    }
    return true;
}

SimTraceFile *sim_trace_open(const char *path, bool force, GError **error)
{
    if (!check_target(path, force, error)) {
        return NULL;
    }
    char *tmp = g_strdup_printf("%s.partial-XXXXXX", path);
    int fd = g_mkstemp(tmp);
    if (fd < 0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot write: %s", path,
                    g_strerror(errno));
        g_free(tmp);
        return NULL;
    }
    close(fd);
    SimOutfile *file = sim_outfile_open(tmp, path, error);
    if (file == NULL) {
        g_unlink(tmp);
        g_free(tmp);
        return NULL;
    }
    SimTraceFile *tf = g_new0(SimTraceFile, 1);
    tf->path = g_strdup(path);
    tf->tmp = tmp;
    tf->file = file;
    return tf;
}

/* MiB with two decimals, as esxtop prints MBytes. */
static json_t *mb(const SimTraceFile *tf, uint64_t pages)
{
    return json_real(round((double)pages * tf->page_mb * 100.0) / 100.0);
}

static json_t *vm_seen(const SimTraceFile *tf, const PolicyVmView *v)
{
    json_t *o = json_object();
    json_object_set_new(o, "powered_on", json_boolean(v->powered_on));
    json_object_set_new(o, "balloon_driver", json_boolean(v->has_balloon));
    json_object_set_new(o, "memsz_mb", mb(tf, v->configured));
    json_object_set_new(o, "consumed_mb", mb(tf, v->consumed));
    json_object_set_new(o, "sztgt_mb", mb(tf, v->sztgt));
    json_object_set_new(o, "active_mb", mb(tf, v->active));
    json_object_set_new(o, "mctlsz_mb", mb(tf, v->mctl));
    json_object_set_new(o, "mctlmax_mb", mb(tf, v->mctl_max));
    json_object_set_new(o, "swcur_mb", mb(tf, v->swapped));
    return o;
}

static json_t *vm_decided(const SimTraceFile *tf, const PolicyVmTargets *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "mctltgt_mb", mb(tf, t->mctl_target));
    json_object_set_new(o, "swtgt_mb", mb(tf, t->swap_target));
    json_object_set_new(o, "block_alloc", json_boolean(t->block_alloc));
    return o;
}

/* The engine's line, for a policy without its own trace(). */
static json_t *generic_line(const SimTraceFile *tf, const PolicyView *view,
                            const PolicyTargets *out)
{
    json_t *host = json_object();
    json_object_set_new(host, "state", json_string(host_state_to_string(view->state)));
    json_object_set_new(host, "free_mb", mb(tf, view->host_free));
    json_object_set_new(host, "min_free_mb", mb(tf, view->min_free));
    json_t *vms = json_array();
    for (guint i = 0; i < view->n_vms; i++) {
        json_t *vm = json_object();
        json_object_set_new(vm, "vm", json_string(g_array_index(tf->sc->vms, SimVmConfig, i).name));
        json_object_set_new(vm, "seen", vm_seen(tf, &view->vms[i]));
        json_object_set_new(vm, "decided", vm_decided(tf, &out->vms[i]));
        json_array_append_new(vms, vm);
    }
    json_t *decided = json_object();
    json_object_set_new(decided, "compression", json_boolean(out->compression));
    json_object_set_new(decided, "share_scan_factor", json_real(out->share_scan_factor));
    json_object_set_new(decided, "break_large_pages", json_boolean(out->break_large_pages));
    json_t *line = json_object();
    json_object_set_new(line, "host", host);
    json_object_set_new(line, "vms", vms);
    json_object_set_new(line, "decided", decided);
    return line;
}

/* {"time_s": T, "policy": NAME, ...the policy's or the engine's fields}. */
static void on_tick(const PolicyView *view, const PolicyTargets *out, const char *policy_line,
                    void *data)
{
    SimTraceFile *tf = data;
    json_t *line = json_object();
    json_object_set_new(line, "time_s", json_real(sim_time_to_s(view->now)));
    json_object_set_new(line, "policy", json_string(tf->policy));
    json_t *body = policy_line != NULL ? json_loads(policy_line, 0, NULL)
                                       : generic_line(tf, view, out);
    if (body == NULL || !json_is_object(body)) {
        json_decref(body);
        body = json_pack("{s:s}", "error", "the policy's trace() returned no JSON object");
    }
    json_object_update(line, body);
    json_decref(body);
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
    json_decref(line);
    g_string_append(sim_outfile_line(tf->file), text);
    g_string_append_c(sim_outfile_line(tf->file), '\n');
    sim_outfile_flush_line(tf->file);
    free(text);
}

void sim_trace_attach(SimTraceFile *tf, SimRun *run, const SimScenario *sc)
{
    tf->sc = sc;
    tf->policy = sim_run_policy(run)->name;
    tf->page_mb = (double)sc->host.page_size / (1024.0 * 1024.0);
    sim_run_set_trace(run, on_tick, tf);
}

bool sim_trace_commit(SimTraceFile *tf, GError **error)
{
    SimOutfile *file = tf->file;
    tf->file = NULL;
    if (!sim_outfile_close(file, error)) {
        return false;
    }
    if (g_rename(tf->tmp, tf->path) != 0) {
        g_set_error(error, SIM_ERROR, SIM_ERROR_IO, "%s: error: cannot write: %s", tf->path,
                    g_strerror(errno));
        return false;
    }
    g_clear_pointer(&tf->tmp, g_free);
    return true;
}

void sim_trace_free(SimTraceFile *tf)
{
    if (tf == NULL) {
        return;
    }
    if (tf->file != NULL) {
        sim_outfile_close(tf->file, NULL);
    }
    if (tf->tmp != NULL) {
        g_unlink(tf->tmp);
    }
    g_free(tf->tmp);
    g_free(tf->path);
    g_free(tf);
}
