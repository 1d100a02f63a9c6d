/*
 * The scenario loader's own state and helpers, shared by its files
 * (the .c files of sim/load/ that load a scenario); not for anyone else:
 * the API is sim/load/scenario.h.
 */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/error.h"
#include "sim/load/keys.h"
#include "sim/load/scenario.h"
#include "sim/srcloc.h"

#define EXPECT_SIZE "a size string like \"4GiB\" or an integer number of MiB"
#define EXPECT_DURATION "a duration string like \"90s\""
#define EXPECT_RATE "a rate like \"20000/s\" or a number per second"
#define EXPECT_BYTE_RATE "a byte rate like \"200MiB/s\""
#define EXPECT_PERCENT "a percentage like \"65%\" or a number of percent"

/* Bytes per configured page: partition record 8 + list slot 4 = 12 (host/pages.h), 16 in a
 * VM of more than 2^24 pages whose keys outgrow the record; the estimate keeps 14. */
#define EST_PAGE_BYTES 14.0

/* Bytes per shared frame: an 8-byte slot of a table at most 70% full that
 * doubles when it grows (host/sharetab.c); frames <= min(host pages, VM pages). */
#define EST_SHARE_BYTES (8.0 / 0.7 * 2.0)

/* A phase: its SimPhase, the run's event record and a queue entry (assumption). */
#define EST_PHASE_BYTES ((double)sizeof(SimPhase) + 64.0)

/* A VM's fixed structures: guest, host record, partition classes, queue (assumption). */
#define EST_VM_BYTES 8192.0

typedef struct Override {
    char *pointer; /* the highest node the override replaced or created */
    char *arg;     /* "KEY=VALUE" as given */
} Override;

typedef struct Loader {
    const char *path;     /* as given, for messages */
    SimSrcLoc *loc;       /* the text, for line:col */
    GPtrArray *overrides; /* Override *, in command-line order */
    GPtrArray *pool;      /* strings (JSON pointers, quoted text) freed with the loader */
    json_t *templates;    /* the "templates" object, or NULL */
    GPtrArray *warnings;  /* the scenario's: char *, one line each */
    GHashTable *warned;   /* lines already in `warnings` (a template's value is read per VM) */
    GHashTable *vm_index; /* expanded VM name -> index + 1 into the scenario's vms */
    GHashTable *given;    /* the scenario's `given`: pointers of the values read from the text */
    GHashTable *defaults; /* const SimKey * -> json_t *: each row's default, parsed once */
    double pages;         /* configured pages of the VMs loaded so far */
    double phases;        /* their workload phases */
    double vms;           /* and their number */
    uint64_t page_size;   /* the host's, once loaded */
    SimTime duration;     /* of the run, once loaded */
    int64_t count;        /* `count` of the VM entry being loaded */
    GError **error;
} Loader;

/* A VM's object and its template's: lookups try them in order. */
typedef struct Scope {
    json_t *obj[2];     /* NULL when absent */
    const char *ptr[2]; /* their pointers; ptr[0] is always set, for messages */
    const SimKey *keys; /* the rows of the object's key group (sim/load/keys.h) */
} Scope;

/* Sets the one error of the load at the value `ptr` names (sim_load_fail_at). */
#define sim_load_fail(ld, code, ptr, ...)                                                          \
    sim_load_fail_at((ld), (code), (ptr), SIM_SRCLOC_VALUE, __VA_ARGS__)

/* ---- loader.c ---- */

const char *sim_load_keep(Loader *ld, char *s);
const char *sim_load_ptr_key(Loader *ld, const char *parent, const char *key);
const char *sim_load_ptr_index(Loader *ld, const char *parent, size_t i);
const char *sim_load_quote(Loader *ld, const char *s);
const char *sim_load_fmt_bytes(Loader *ld, uint64_t bytes);
const char *sim_load_fmt_pct(Loader *ld, double fraction);
const char *sim_load_fmt_num(Loader *ld, double v);
G_GNUC_PRINTF(5, 6)
bool sim_load_fail_at(Loader *ld, SimErrorCode code, const char *ptr, SimSrcLocTarget target,
                      const char *fmt, ...);
G_GNUC_PRINTF(3, 4)
void sim_load_warn_at(Loader *ld, const char *ptr, const char *fmt, ...);
bool sim_load_rethrow(Loader *ld, const char *ptr, const GError *e);
const char *sim_load_json_kind(const json_t *v);
bool sim_load_type_error(Loader *ld, const char *ptr, const json_t *v, const char *expected);
bool sim_load_missing(Loader *ld, const char *ptr, const char *key);
const char *sim_load_hint(Loader *ld, const char *word, const char *const *candidates, guint n);
bool sim_load_unknown_name(Loader *ld, const char *ptr, const char *what, const char *name,
                           const char *const *valid, guint n, const char *noun);
bool sim_load_check_keys(Loader *ld, json_t *v, const char *ptr, SimKeyType kind,
                         const SimKey *members);
const char *sim_load_fmt_count(Loader *ld, double n);
const char *sim_load_fmt_approx_bytes(Loader *ld, double b);

/* ---- values.c ---- */

const SimKey *sim_load_group(const SimKey *members, const char *name);
Scope sim_load_scope_one(json_t *obj, const char *ptr, const SimKey *keys);
json_t *sim_load_scope_get(Loader *ld, const Scope *s, const char *key, const char **ptr);
bool sim_load_scope_child(Loader *ld, const Scope *s, const char *key, Scope *child);
const SimKey *sim_load_row_of(const Scope *s, const char *key);
json_t *sim_load_value_of(Loader *ld, const Scope *s, const SimKey *row, const char **ptr,
                          bool *given);
bool sim_load_parse_size(Loader *ld, const json_t *v, const char *ptr, const SimKey *row,
                         uint64_t *out);
bool sim_load_get_size(Loader *ld, const Scope *s, const char *key, uint64_t *out, const char **at);
bool sim_load_get_duration(Loader *ld, const Scope *s, const char *key, SimTime *out);
bool sim_load_get_rate(Loader *ld, const Scope *s, const char *key, double *out);
bool sim_load_get_byte_rate(Loader *ld, const Scope *s, const char *key, double *out);
bool sim_load_get_percent(Loader *ld, const Scope *s, const char *key, double *out);
bool sim_load_get_number(Loader *ld, const Scope *s, const char *key, double *out);
bool sim_load_get_int(Loader *ld, const Scope *s, const char *key, int64_t *out);
bool sim_load_get_u32(Loader *ld, const Scope *s, const char *key, uint32_t *out);
bool sim_load_get_bool(Loader *ld, const Scope *s, const char *key, bool *out);
bool sim_load_get_string(Loader *ld, const Scope *s, const char *key, char **out, const char **at);
bool sim_load_get_enum(Loader *ld, const Scope *s, const char *key, int *out);
bool sim_load_parse_limit(Loader *ld, const SimKey *row, const json_t *v, const char *ptr,
                          uint64_t memory, uint64_t *out);
bool sim_load_parse_shares(Loader *ld, const SimKey *row, const json_t *v, const char *ptr,
                           uint64_t memory, uint64_t *out);

/* ---- host.c ---- */

bool sim_load_host(Loader *ld, json_t *root, SimHostConfig *h);

/* ---- policyparams.c ---- */

struct PolicyClass;
bool sim_load_check_policy_class(Loader *ld, const char *ptr, const char *name,
                                 const struct PolicyClass *cls);
bool sim_load_policy_params(Loader *ld, json_t *obj, const char *ptr, const struct PolicyClass *cls,
                            SimHostConfig *h);

/* ---- vms.c ---- */

bool sim_load_vms(Loader *ld, json_t *root, SimScenario *sc);
bool sim_load_templates(Loader *ld, json_t *root);
void sim_load_vm_clear(gpointer data);

/* ---- workload.c ---- */

bool sim_load_workload(Loader *ld, const Scope *vm_scope, SimScenario *sc, SimVmConfig *vm);

/* ---- traces.c ---- */

bool sim_load_trace(Loader *ld, const Scope *wl, SimScenario *sc, SimVmConfig *vm);

/* ---- events.c ---- */

bool sim_load_events(Loader *ld, json_t *root, SimScenario *sc);
void sim_load_event_clear(gpointer data);

/* ---- estimate.c ---- */

bool sim_load_check_estimate(Loader *ld, const SimScenario *sc);

/* ---- override.c ---- */

bool sim_load_apply_override(Loader *ld, json_t *root, const char *arg, GError **error);
void sim_load_override_free(gpointer data);
