/*
 * A VM's workload: sizes, rates, content mix and phases, and how they fit
 * the VM; a trace (sim/load/traces.c) drives memory and active instead.
 */
#include <string.h>

#include "sim/load/loader-private.h"

static bool load_content(Loader *ld, const Scope *wl, SimContentMix *c)
{
    Scope s;
    if (!sim_load_scope_child(ld, wl, "content", &s) ||
        !sim_load_get_number(ld, &s, "zero", &c->zero) ||
        !sim_load_get_number(ld, &s, "image_shared", &c->image_shared) ||
        !sim_load_get_number(ld, &s, "duplicate", &c->duplicate) ||
        !sim_load_get_number(ld, &s, "compressible", &c->compressible)) {
        return false;
    }
    if (c->zero + c->image_shared + c->duplicate <= 1.0 + 1e-9) {
        return true;
    }
    /* Point at the last of the three that is given: it made the sum overflow. */
    static const char *const parts[] = {"duplicate", "image_shared", "zero"};
    const char *ptr = NULL;
    for (guint i = 0; i < G_N_ELEMENTS(parts); i++) {
        if (sim_load_scope_get(ld, &s, parts[i], &ptr) != NULL) {
            break;
        }
    }
    return sim_load_fail(
        ld, SIM_ERROR_RANGE, ptr,
        "content fractions zero + image_shared + duplicate add up to %s, more than 1",
        sim_load_fmt_num(ld, c->zero + c->image_shared + c->duplicate));
}

/*
 * workload.kind (docs/model.md "Workload kinds"): a preset of the workload
 * keys. Sizes are fractions: memory and page_cache of the VM's memory minus
 * its guest kernel (what the workload can use), active and warm of the
 * workload memory; KEEP leaves the key's own default. A key the scenario
 * gives (in the VM or its template) always wins.
 */
#define KEEP (-1.0)
#define PRESET(v) ((v) >= 0.0) /* not KEEP */

typedef struct KindPreset {
    double memory, active, warm, page_cache; /* fractions, as above */
    double touch_rate;                       /* 4 KiB touches per second */
    double write_share, warm_share, cold_share;
} KindPreset;

static const KindPreset presets[SIM_WORKLOAD_KIND_MAX] = {
    [SIM_WORKLOAD_GENERIC] = {KEEP, KEEP, KEEP, KEEP, KEEP, KEEP, KEEP, KEEP},
    [SIM_WORKLOAD_DATABASE] = {0.75, 0.2, 0.3, 0.05, 20000, KEEP, 0.05, 0.005},
    [SIM_WORKLOAD_WEB] = {0.3, 0.3, 0.3, 0.3, 10000, 0.1, KEEP, KEEP},
    [SIM_WORKLOAD_DESKTOP] = {0.5, KEEP, KEEP, 0.2, 2000, KEEP, KEEP, KEEP},
    [SIM_WORKLOAD_FILE_SERVER] = {0.05, 0.5, KEEP, 0.6, 2500, KEEP, KEEP, KEEP},
    [SIM_WORKLOAD_COMPILE] = {0.25, 0.5, KEEP, 0.35, 20000, 0.5, KEEP, KEEP},
    [SIM_WORKLOAD_BATCH] = {0.8, 0.5, 0.3, 0.1, 20000, 0.4, 0.05, 0.005},
    [SIM_WORKLOAD_IDLE] = {0.1, 0.05, KEEP, KEEP, 10, KEEP, KEEP, KEEP},
};

const char *sim_workload_kind_to_string(SimWorkloadKind kind)
{
    static const char *const names[] = {"generic",     "database", "web",   "desktop",
                                        "file-server", "compile",  "batch", "idle"};
    G_STATIC_ASSERT(G_N_ELEMENTS(names) == SIM_WORKLOAD_KIND_MAX);
    return (unsigned)kind < SIM_WORKLOAD_KIND_MAX ? names[kind] : "?";
}

/* f x bytes, rounded down to whole 4 KiB as a trace's sizes are (docs/model.md). */
static uint64_t fraction_of(double f, uint64_t bytes)
{
    const uint64_t unit = 4096;
    return (uint64_t)(f * (double)bytes) / unit * unit;
}

/* Whether the scenario gives `key` in this workload (or its template's). */
static bool gives(Loader *ld, const Scope *wl, const char *key)
{
    const char *ptr = NULL;
    return sim_load_scope_get(ld, wl, key, &ptr) != NULL;
}

static bool traced(Loader *ld, const Scope *wl)
{
    const char *ptr = NULL;
    json_t *trace = sim_load_scope_get(ld, wl, "trace", &ptr);
    return trace != NULL && !json_is_null(trace);
}

/* The kind's memory and hot set, where the scenario does not give them (a
 * trace drives both); returns whether the hot set was set here. */
static bool kind_sizes(Loader *ld, const Scope *wl, SimVmConfig *vm, bool mem_given,
                       bool active_given)
{
    const KindPreset *k = &presets[vm->workload.kind];
    SimWorkload *w = &vm->workload;
    if (traced(ld, wl)) {
        return false;
    }
    uint64_t room = vm->memory - MIN(vm->guest.kernel, vm->memory);
    if (!mem_given && PRESET(k->memory)) {
        w->memory = fraction_of(k->memory, room);
    }
    if (!active_given && PRESET(k->active)) {
        w->active = fraction_of(k->active, w->memory);
        return true;
    }
    return false;
}

/* The kind's page cache, rates and shares where the scenario does not give
 * them; its warm set (a fraction of the memory, at most what the hot set
 * leaves) too, except under a trace (memory comes later). */
static void kind_rest(Loader *ld, const Scope *wl, SimVmConfig *vm)
{
    const KindPreset *k = &presets[vm->workload.kind];
    SimWorkload *w = &vm->workload;
    uint64_t room = vm->memory - MIN(vm->guest.kernel, vm->memory);
    if (PRESET(k->page_cache) && !gives(ld, wl, "page_cache")) {
        w->page_cache = fraction_of(k->page_cache, room);
    }
    if (PRESET(k->touch_rate) && !gives(ld, wl, "touch_rate")) {
        w->touch_rate = k->touch_rate;
    }
    if (PRESET(k->write_share) && !gives(ld, wl, "write_share")) {
        w->write_share = k->write_share;
    }
    if (PRESET(k->warm_share) && !gives(ld, wl, "warm_share")) {
        w->warm_share = k->warm_share;
    }
    if (PRESET(k->cold_share) && !gives(ld, wl, "cold_share")) {
        w->cold_share = k->cold_share;
    }
    if (PRESET(k->warm) && !w->has_warm && !traced(ld, wl)) {
        uint64_t left = w->memory - MIN(w->active, w->memory);
        w->warm = MIN(fraction_of(k->warm, w->memory), left);
        w->has_warm = true;
    }
}

/* A phase as parsed, with where its sizes came from (for checks after sorting). */
typedef struct PhaseAt {
    SimPhase phase;
    const char *memory;
    const char *active;
} PhaseAt;

static gint phase_cmp(gconstpointer a, gconstpointer b)
{
    SimTime ta = ((const PhaseAt *)a)->phase.at;
    SimTime tb = ((const PhaseAt *)b)->phase.at;
    return (ta > tb) - (ta < tb);
}

static bool load_phase(Loader *ld, json_t *el, const char *eptr, const SimKey *keys, PhaseAt *p)
{
    const char *ptr = NULL;
    SimPhase *ph = &p->phase;
    if (!json_is_object(el)) {
        return sim_load_type_error(ld, eptr, el, "an object (a phase)");
    }
    Scope s = sim_load_scope_one(el, eptr, keys);
    if (sim_load_scope_get(ld, &s, "at", &ptr) == NULL) {
        return sim_load_missing(ld, eptr, "at");
    }
    ph->has_memory = sim_load_scope_get(ld, &s, "memory", &ptr) != NULL;
    ph->has_active = sim_load_scope_get(ld, &s, "active", &ptr) != NULL;
    ph->has_page_cache = sim_load_scope_get(ld, &s, "page_cache", &ptr) != NULL;
    ph->has_touch_rate = sim_load_scope_get(ld, &s, "touch_rate", &ptr) != NULL;
    ph->has_write_share = sim_load_scope_get(ld, &s, "write_share", &ptr) != NULL;
    if (!(ph->has_memory || ph->has_active || ph->has_page_cache || ph->has_touch_rate ||
          ph->has_write_share)) {
        return sim_load_fail(
            ld, SIM_ERROR_VALUE, eptr,
            "a phase must change memory, active, page_cache, touch_rate or write_share");
    }
    return sim_load_get_duration(ld, &s, "at", &ph->at) &&
           sim_load_get_size(ld, &s, "memory", &ph->memory, &p->memory) &&
           sim_load_get_size(ld, &s, "active", &ph->active, &p->active) &&
           sim_load_get_size(ld, &s, "page_cache", &ph->page_cache, NULL) &&
           sim_load_get_rate(ld, &s, "touch_rate", &ph->touch_rate) &&
           sim_load_get_number(ld, &s, "write_share", &ph->write_share);
}

/* The workload's memory and hot set must fit the VM at all times. */
static bool check_fit(Loader *ld, const SimVmConfig *vm, uint64_t memory, uint64_t active,
                      const char *mem_at, const char *active_at)
{
    uint64_t room = vm->memory - vm->guest.kernel;
    if (memory > room) {
        return sim_load_fail(
            ld, SIM_ERROR_RANGE, mem_at,
            "workload memory (%s) does not fit in the VM's memory minus the guest kernel "
            "(%s - %s = %s)",
            sim_load_fmt_bytes(ld, memory), sim_load_fmt_bytes(ld, vm->memory),
            sim_load_fmt_bytes(ld, vm->guest.kernel), sim_load_fmt_bytes(ld, room));
    }
    if (active > memory) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, active_at != NULL ? active_at : mem_at,
                             "active (%s) exceeds the workload memory (%s)",
                             sim_load_fmt_bytes(ld, active), sim_load_fmt_bytes(ld, memory));
    }
    return true;
}

/* Phases sorted by time (stable); each checked with the values in force after it. */
static bool load_phases(Loader *ld, const Scope *wl, SimVmConfig *vm, const char *mem_at,
                        const char *active_at)
{
    const char *ptr = NULL;
    json_t *list = sim_load_scope_get(ld, wl, "phases", &ptr);
    g_autoptr(GArray) tmp = g_array_new(FALSE, TRUE, sizeof(PhaseAt));
    size_t i = 0;
    json_t *el = NULL;
    if (list != NULL && !json_is_array(list)) {
        return sim_load_type_error(ld, ptr, list, "an array of phases");
    }
    json_array_foreach(list, i, el)
    {
        g_array_set_size(tmp, tmp->len + 1);
        if (!load_phase(ld, el, sim_load_ptr_index(ld, ptr, i), sim_load_group(wl->keys, "phases"),
                        &g_array_index(tmp, PhaseAt, i))) {
            return false;
        }
    }
    g_array_sort(tmp, phase_cmp);
    uint64_t memory = vm->workload.memory;
    uint64_t active = vm->workload.active;
    vm->workload.phases = g_array_sized_new(FALSE, FALSE, sizeof(SimPhase), tmp->len);
    for (guint k = 0; k < tmp->len; k++) {
        const PhaseAt *p = &g_array_index(tmp, PhaseAt, k);
        memory = p->phase.has_memory ? p->phase.memory : memory;
        active = p->phase.has_active ? p->phase.active : active;
        const char *m_at = p->phase.has_memory ? p->memory : mem_at != NULL ? mem_at : wl->ptr[0];
        const char *a_at = p->phase.has_active ? p->active : p->memory ? p->memory : active_at;
        if (!check_fit(ld, vm, memory, active, m_at, a_at)) {
            return false;
        }
        g_array_append_val(vm->workload.phases, p->phase);
    }
    return true;
}

/*
 * A trace drives memory and active: giving them too would be ambiguous.
 * Checked on the JSON before the phases are validated, so the message
 * names the conflict rather than a phase that does not fit.
 */
static bool check_trace_alone(Loader *ld, const Scope *wl, const char *mem_at,
                              const char *active_at)
{
    const char *ptr = NULL;
    json_t *trace = sim_load_scope_get(ld, wl, "trace", &ptr);
    if (trace == NULL || json_is_null(trace)) {
        return true;
    }
    if (mem_at != NULL || active_at != NULL) {
        return sim_load_fail(
            ld, SIM_ERROR_VALUE, mem_at != NULL ? mem_at : active_at,
            "workload %s cannot be combined with a trace, which drives memory and active",
            mem_at != NULL ? "memory" : "active");
    }
    json_t *phases = sim_load_scope_get(ld, wl, "phases", &ptr);
    json_t *el = NULL;
    size_t i = 0;
    json_array_foreach(phases, i, el)
    {
        const char *key = json_object_get(el, "memory") != NULL   ? "memory"
                          : json_object_get(el, "active") != NULL ? "active"
                                                                  : NULL;
        if (key != NULL) {
            return sim_load_fail(
                ld, SIM_ERROR_VALUE, sim_load_ptr_key(ld, sim_load_ptr_index(ld, ptr, i), key),
                "a phase cannot change %s when a trace drives the workload (page_cache, "
                "touch_rate and write_share can)",
                key);
        }
    }
    return true;
}

/* The default hot set is a quarter of the workload's memory; then both must fit the VM. */
static bool workload_fits(Loader *ld, SimVmConfig *vm, const char *mem_at, const char *active_at,
                          bool active_preset)
{
    SimWorkload *w = &vm->workload;
    if (active_at == NULL && !active_preset) {
        w->active = w->memory / 4;
    }
    return check_fit(ld, vm, w->memory, w->active, mem_at, active_at);
}

/* The popularity curve (docs/model.md "Workload: access skew"): the warm
 * set fits beside the hot set, and the warm and cold shares leave the hot
 * set its touches. */
static bool load_skew(Loader *ld, const Scope *wl, SimVmConfig *vm)
{
    SimWorkload *w = &vm->workload;
    const char *warm_at = NULL;
    if (!sim_load_get_size(ld, wl, "warm", &w->warm, &warm_at) ||
        !sim_load_get_number(ld, wl, "warm_share", &w->warm_share) ||
        !sim_load_get_number(ld, wl, "cold_share", &w->cold_share) ||
        !sim_load_get_number(ld, wl, "cache_hot", &w->cache_hot) ||
        !sim_load_get_number(ld, wl, "sequential", &w->sequential)) {
        return false;
    }
    w->has_warm = warm_at != NULL;
    kind_rest(ld, wl, vm);
    const char *ptr = NULL;
    /* under a trace memory comes later: the warm set is clamped at run */
    if (warm_at != NULL && !traced(ld, wl) && w->warm > w->memory - MIN(w->active, w->memory)) {
        return sim_load_fail(ld, SIM_ERROR_RANGE, warm_at,
                             "warm (%s) exceeds the workload memory beyond the hot set (%s - %s)",
                             sim_load_fmt_bytes(ld, w->warm), sim_load_fmt_bytes(ld, w->memory),
                             sim_load_fmt_bytes(ld, w->active));
    }
    if (w->warm_share + w->cold_share <= 1.0 + 1e-9) {
        return true;
    }
    if (sim_load_scope_get(ld, wl, "cold_share", &ptr) == NULL) {
        sim_load_scope_get(ld, wl, "warm_share", &ptr);
    }
    return sim_load_fail(ld, SIM_ERROR_RANGE, ptr,
                         "warm_share + cold_share add up to %s, more than 1 (the hot set's "
                         "share is what they leave)",
                         sim_load_fmt_num(ld, w->warm_share + w->cold_share));
}

bool sim_load_workload(Loader *ld, const Scope *vm_scope, SimScenario *sc, SimVmConfig *vm)
{
    SimWorkload *w = &vm->workload;
    Scope s;
    const char *mem_at = NULL;
    const char *active_at = NULL;
    int kind = SIM_WORKLOAD_GENERIC;
    if (!sim_load_scope_child(ld, vm_scope, "workload", &s) ||
        !sim_load_get_enum(ld, &s, "kind", &kind) ||
        !sim_load_get_size(ld, &s, "memory", &w->memory, &mem_at) ||
        !sim_load_get_size(ld, &s, "active", &w->active, &active_at)) {
        return false;
    }
    w->kind = (SimWorkloadKind)kind;
    bool active_preset = kind_sizes(ld, &s, vm, mem_at != NULL, active_at != NULL);
    if (!workload_fits(ld, vm, mem_at != NULL ? mem_at : s.ptr[0], active_at, active_preset) ||
        !sim_load_get_size(ld, &s, "page_cache", &w->page_cache, NULL) ||
        !sim_load_get_rate(ld, &s, "touch_rate", &w->touch_rate) ||
        !sim_load_get_number(ld, &s, "write_share", &w->write_share) ||
        !sim_load_get_byte_rate(ld, &s, "alloc_rate", &w->alloc_rate) || !load_skew(ld, &s, vm) ||
        !load_content(ld, &s, &w->content) || !check_trace_alone(ld, &s, mem_at, active_at) ||
        !load_phases(ld, &s, vm, mem_at, active_at)) {
        return false;
    }
    return sim_load_trace(ld, &s, sc, vm);
}
